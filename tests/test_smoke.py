def test_lead_logs_in_and_sees_empty_dashboard(web, dummy_user):
    response = web.login(dummy_user)
    assert response.status_code == 302
    page = web.get("/")
    assert page.status_code == 200
    assert "No statements yet" in page.get_data(as_text=True)


def test_statement_page_shows_text(web, dummy_user, dummy_statement):
    web.login(dummy_user)
    page = web.get(f"/statements/{dummy_statement.slug}")
    assert page.status_code == 200
    assert "release" in page.get_data(as_text=True)
