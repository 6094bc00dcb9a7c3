"""The agreed order in a browser with JavaScript off: the lead invites partners in
the order the coalition agreed, they sign in another order, and the lead moves an
entry with its arrow and types positions; the final-list preview follows."""

import pytest
from playwright.sync_api import expect

from ..mail_support import outbox, sign_through_link

pytestmark = pytest.mark.browser

AGREED = [
    ("Civil Rights Defenders", "crd@crd.example"),
    ("Norwegian Helsinki Committee", "nhc@nhc.example"),
    ("Article 19", "a19@a19.example"),
    ("Bir Duino", "bd@birduino.example"),
]


def test_lead_arranges_the_list_without_javascript(
    app, browser, live_server, dummy_user, dummy_statement, screenshots
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server) else route.abort()
        ),
    )
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(dummy_user.email)
        page.get_by_label("Password").fill(dummy_user.password)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/statements/{dummy_statement.slug}/open")
        page.get_by_label("As listed (the order you curate)").check()
        page.get_by_role("button", name="Open for signatures").click()
        page.get_by_label("Paste the list").fill(
            "\n".join(f"{name}; {email}" for name, email in AGREED)
        )
        page.get_by_role("button", name="Check the list").click()
        page.get_by_role("button", name="Send 4 invitations").click()
        page.get_by_text("4 invitations queued for sending.").wait_for()

        links = {
            m.to_address: next(w for w in m.text_body.split() if "/i/" in w)
            for m in outbox(app, kind="invitation")
        }
        for name, email in reversed(AGREED):  # they answer in another order
            response = sign_through_link(
                app.test_client(), links[email], live_server, name=name, acronym="",
                contact_email=email,
            )  # fmt: skip
            assert response.status_code == 303

        page.get_by_role("link", name="Signatures").click()
        final = page.locator(".final-list li")
        expect(final).to_have_text([name for name, _ in AGREED])
        page.screenshot(path=screenshots / "signatures-agreed-order.png", full_page=True)

        page.get_by_role("button", name="Move Article 19 up one place").click()
        expect(page.get_by_text("Order saved.")).to_be_visible()
        expect(final).to_have_text(
            ["Civil Rights Defenders", "Article 19", "Norwegian Helsinki Committee", "Bir Duino"]
        )

        page.get_by_label("Position of Bir Duino").fill("1")
        page.get_by_label("Position of Civil Rights Defenders").fill("2")
        page.get_by_label("Position of Article 19").fill("3")
        page.get_by_label("Position of Norwegian Helsinki Committee").fill("3")
        page.get_by_role("button", name="Save order").first.click()
        expect(page.get_by_text("The order was not saved.")).to_be_visible()
        page.screenshot(path=screenshots / "signatures-order-error.png", full_page=True)

        page.get_by_label("Position of Norwegian Helsinki Committee").fill("4")
        page.get_by_label("Position of Norwegian Helsinki Committee").press("Enter")
        expect(page.get_by_text("Order saved.")).to_be_visible()
        expect(final).to_have_text(
            ["Bir Duino", "Civil Rights Defenders", "Article 19", "Norwegian Helsinki Committee"]
        )
        page.screenshot(path=screenshots / "signatures-reordered.png", full_page=True)
    finally:
        context.close()


def test_cancel_on_the_check_page_keeps_the_pasted_list(
    browser, live_server, dummy_user, dummy_statement, screenshots
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(dummy_user.email)
        page.get_by_label("Password").fill(dummy_user.password)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/statements/{dummy_statement.slug}/open")
        page.get_by_role("button", name="Open for signatures").click()
        pasted = "Article 19; info@a19.example; Ana Pérez\nBad Org\tnot-an-email\nOnly a name"
        page.get_by_label("Paste the list").fill(pasted)
        page.get_by_role("button", name="Check the list").click()
        expect(page.locator("code.line-content")).to_have_text(
            ["Bad Org ⇥ not-an-email", "Only a name"]
        )
        page.screenshot(path=screenshots / "check-rejected-lines.png", full_page=True)

        page.get_by_role("button", name="Cancel").click()

        expect(page.get_by_label("Paste the list")).to_have_value(pasted)
    finally:
        context.close()
