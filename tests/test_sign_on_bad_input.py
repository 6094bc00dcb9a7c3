"""Bad input on the sign-on form: a clear field error and a 4xx, nothing saved, no mail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from signon.extensions import db
from signon.signatures.models import Invitation

from .sign_on_steps import (
    count_signatures,
    invite_partners,
    move_deadline_into_the_past,
    open_for_signing,
    outbox_kinds,
    partner,
    sign_form,
)


@pytest.fixture
def invitation_path(app, dummy_user, dummy_statement) -> str:
    open_for_signing(app, dummy_statement, grace_hours=48)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    return path


def nothing_saved(app) -> bool:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        responded = invitation.responded_at is not None
    return count_signatures(app) == 0 and outbox_kinds(app) == ["invitation"] and not responded


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Article 19\r\nBcc: everyone@example.org", "line breaks or control characters"),
        ("name", "Article 19\nX", "line breaks or control characters"),
        ("name", "Article\x0019", "line breaks or control characters"),
        ("acronym", "A\x0019", "line breaks or control characters"),
        ("note", "within\u2028the framework", "line breaks or control characters"),
        ("contact_email", "ana@a19.example\r\nBcc: x@y.example", "line breaks"),
        ("contact_email", "ana@a19.example\x00", "control characters"),
        ("authorised_by", "Ana\x1bPérez", "control characters"),
        ("name", "", "Enter the name to be listed."),
        ("name", "   \u200b ", "Enter the name to be listed."),
        ("name", "x" * 301, "longer than 300"),
        ("acronym", "x" * 51, "longer than 50"),
        ("note", "x" * 501, "longer than 500"),
        ("website", "javascript:alert(1)", "starting with https://"),
        ("website", "ftp://files.a19.example", "starting with https://"),
        ("website", "www.a19.example", "starting with https://"),
        ("contact_email", "not an email", "valid email"),
        ("kind", "robot", "Not a valid choice"),
        ("authorised_by", "", "Say who authorised this signature."),
        ("authorised", None, "confirm you are authorised"),
    ],
)
def test_a_bad_field_is_a_field_error_and_nothing_is_saved(
    app, invitation_path, field, value, message
):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(invitation_path + "/sign", sign_form(**{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nothing was saved" in page
    assert nothing_saved(app)


def test_an_individual_needs_no_authoriser(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(
        invitation_path + "/sign", sign_form(name="Jane Doe", kind="individual", authorised_by="")
    )
    assert response.status_code == 303


def test_a_one_megabyte_field_is_refused(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(invitation_path + "/sign", sign_form(name="A" * 1_000_000))
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert "longer than 300" in response.get_data(as_text=True)
    assert nothing_saved(app)


def test_a_body_larger_than_the_limit_is_refused(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(invitation_path + "/sign", sign_form(note="A" * 3_000_000))
    assert response.status_code == 413
    assert nothing_saved(app)


def test_a_post_without_its_csrf_token_is_refused(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(invitation_path + "/sign", sign_form(), csrf=False)
    assert response.status_code == 400
    assert nothing_saved(app)


def test_after_the_deadline_the_form_says_signatures_are_closed(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")  # the form was loaded in time...
    move_deadline_into_the_past(app, _statement_of(app))
    response = signer.post(invitation_path + "/sign", sign_form())  # ...and sent too late
    assert response.status_code == 410
    assert "Signatures are closed" in response.get_data(as_text=True)
    assert nothing_saved(app)
    page = signer.get(invitation_path + "/sign")
    assert page.status_code == 410
    assert "Signatures are closed" in page.get_data(as_text=True)
    assert "<form" not in page.get_data(as_text=True)


def test_after_the_deadline_and_its_grace_the_link_has_expired(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement, grace_hours=0)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    move_deadline_into_the_past(app, dummy_statement)
    response = signer.post(path + "/sign", sign_form())
    assert response.status_code == 410
    assert nothing_saved(app)


def test_after_the_deadline_the_open_call_is_closed(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    visitor = partner(app, f"/s/{dummy_statement.slug}/sign")
    move_deadline_into_the_past(app, dummy_statement)
    response = visitor.post(f"/s/{dummy_statement.slug}/sign", sign_form())
    assert response.status_code == 410
    assert "Signatures are closed" in response.get_data(as_text=True)
    assert count_signatures(app) == 0
    assert outbox_kinds(app) == []


def test_after_the_deadline_the_manage_link_can_no_longer_change_the_entry(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    assert signer.post(invitation_path + "/sign", sign_form()).status_code == 303
    with app.test_request_context():
        from signon.signatures.links import manage_link
        from signon.signatures.models import Signature

        manage_path = manage_link(db.session.scalar(select(Signature))).removeprefix(
            "http://signon.test"
        )
    move_deadline_into_the_past(app, _statement_of(app))
    page = signer.get(manage_path).get_data(as_text=True)
    assert "Change your entry" not in page
    response = signer.post(manage_path, sign_form(acronym="CHANGED"))
    assert response.status_code == 400
    assert "closed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Signature.acronym)) == "A19"


def test_a_tampered_or_foreign_link_is_invalid(app, invitation_path):
    client = app.test_client()
    assert client.get(invitation_path[:-3] + "xyz/sign").status_code == 400
    assert client.get("/i/not-a-token/sign").status_code == 400
    assert client.get("/i/%00/sign").status_code in (400, 404)
    # An invitation token is not a manage token.
    token = invitation_path.removeprefix("/i/")
    assert client.get(f"/m/{token}").status_code == 400


def _statement_of(app):
    from signon.statements.models import Statement

    with app.app_context():
        statement = db.session.scalar(select(Statement))
        db.session.expunge(statement)
        return statement
