"""A partner signs from the link in a real email, then changes and withdraws."""

from __future__ import annotations

import re

from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.signatures.models import Invitation, Signature, SignatureState
from signon.statements.models import Statement

from .mailbox import links_in, text_of
from .sign_on_steps import (
    count_signatures,
    invite,
    invite_partners,
    open_for_signing,
    open_statement,
    outbox_kinds,
    partner,
    sign_form,
)
from .support import Web, csrf_token_in, input_value

BASE = "http://signon.test"


def current_fingerprint(app, statement) -> tuple[int, str]:
    with app.app_context():
        version = db.session.get(Statement, statement.id).current_version
        return version.number, version.sha256


def test_partner_signs_from_emailed_link_then_updates_and_withdraws(
    app, web, client, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-01-01T12:00")
    response = invite(web, dummy_statement.slug, "Article 19, info@a19.example, Ana")
    assert response.status_code == 302
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    assert "Article 19" not in message["Subject"]
    link = links_in(message)[0]
    assert link.startswith(f"{BASE}/i/")

    # The partner opens the emailed link: a landing page, then a POST to read and sign.
    partner_client = app.test_client()
    partner_web = Web(partner_client)
    path = link.removeprefix(BASE)
    landing = partner_client.get(path)
    assert landing.status_code == 200
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    partner_web._token = csrf_token_in(landing.get_data(as_text=True))
    opened = partner_web.post(path)
    assert opened.status_code == 303

    # The form shows the exact text, its version and fingerprint; the name is prefilled.
    number, sha256 = current_fingerprint(app, dummy_statement)
    form = partner_client.get(path + "/sign")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert f"version {number}</strong>" in page
    assert f"<code>{sha256[:12]}</code>" in page
    assert re.search(r"\b[0-9a-f]{12}\b", page)
    assert "release\nall detained journalists" in page or "release all detained" in page
    assert input_value(page, "name") == "Article 19"
    assert input_value(page, "contact_email") == "info@a19.example"
    assert input_value(page, "authorised_by") == "Ana"
    assert re.search(r'<input[^>]*checked[^>]*name="listed_publicly"', page)  # named by default
    assert re.search(r'<input[^>]*checked[^>]*value="organisation"', page)
    assert re.search(r'<input[^>]*name="authorised"[^>]*required', page)
    assert "<script" not in page

    signed = partner_web.post(path + "/sign", sign_form())
    assert signed.status_code == 303, signed.get_data(as_text=True)
    thanks = partner_client.get(signed.headers["Location"])
    assert "your signature is recorded" in thanks.get_data(as_text=True)
    send_outbox()
    after_signing = mail_via_smtp.wait_for(3)[1:]
    # The confirmation goes where the invitation went; the contact typed into the
    # form (ana@) is asked to confirm itself first, and gets nothing else till then.
    (confirmation,) = [m for m in after_signing if m["Subject"].startswith("Signature recorded")]
    assert confirmation["To"] == "info@a19.example"
    (ask,) = [m for m in after_signing if m["Subject"].startswith("Confirm this contact")]
    assert ask["To"] == "ana@a19.example"
    contact_path = next(u for u in links_in(ask) if u.startswith(f"{BASE}/c/")).removeprefix(BASE)
    contact = Web(app.test_client())
    page = contact.get(contact_path)  # opening the link (a mail scanner) confirms nothing
    assert page.status_code == 200
    assert "Confirm your contact address" in page.get_data(as_text=True)
    contact._token = csrf_token_in(page.get_data(as_text=True))
    assert contact.post(contact_path).status_code == 303
    assert "this address is confirmed" in contact.get(contact_path).get_data(as_text=True)
    body = text_of(confirmation)
    assert f"version {number}, fingerprint {sha256[:12]}" in body
    manage = next(u for u in links_in(confirmation) if u.startswith(f"{BASE}/m/"))
    manage_path = manage.removeprefix(BASE)
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert signature.state is SignatureState.SIGNED
        assert (signature.acronym, signature.authorised_by) == ("A19", "Ana Pérez")
        assert signature.text_sha256 == sha256
        signature_id = signature.id

    # The manage link shows the entry; a GET changes nothing.
    signer = Web(app.test_client())
    view = signer.get(manage_path)
    assert view.status_code == 200
    assert view.headers["Cache-Control"] == "no-store"
    view_page = view.get_data(as_text=True)
    assert "Article 19 (A19)" in view_page
    assert re.search(r'<input[^>]*checked[^>]*value="organisation"', view_page)
    signer._token = csrf_token_in(view_page)

    # Update through the manage link: the same row changes, the change is recorded.
    updated = signer.post(manage_path, sign_form(note="within the framework of the Observatory"))
    assert updated.status_code == 303, updated.get_data(as_text=True)
    assert "saved=1" in updated.headers["Location"]
    assert "Your changes are saved" in signer.get(updated.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        (signature,) = db.session.scalars(select(Signature)).all()
        assert signature.id == signature_id
        assert signature.note == "within the framework of the Observatory"
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "signature updated by signer" in actions

    # Withdraw through the same link: the row stays, marked withdrawn, and mail says so.
    withdrawn = signer.post(manage_path + "/withdraw")
    assert withdrawn.status_code == 303
    after = signer.get(manage_path).get_data(as_text=True)
    assert "Withdrawn on" in after
    assert "Withdraw our signature" not in after
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        assert signature.state is SignatureState.WITHDRAWN
        assert signature.withdrawn_at is not None
    send_outbox()
    last = mail_via_smtp.wait_for(4)[3]
    assert last["Subject"].startswith("Signature withdrawn")
    assert last["To"] == "ana@a19.example"  # confirmed: mail about the signature goes there


def test_the_manage_page_keeps_the_signers_choices(app, dummy_user, dummy_statement):
    """The form behind the manage link comes back as the signer left it: submitting it
    unchanged saves nothing and needs no choice made again."""
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(app, dummy_statement, [("Jane Doe", "jane@x.example")], by=dummy_user)
    signer = partner(app, path + "/sign")
    signer.post(path + "/sign", sign_form(name="Jane Doe", kind="individual", listed_publicly=None))
    with app.test_request_context():
        from signon.signatures.links import manage_link

        manage_path = manage_link(db.session.scalar(select(Signature))).removeprefix(BASE)
    page = signer.get(manage_path).get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="individual"|value="individual"[^>]*checked', page
    )
    assert not re.search(
        r'<input[^>]*checked[^>]*name="listed_publicly"|name="listed_publicly"[^>]*checked', page
    )
    fields = {
        name: input_value(page, name)
        for name in ("name", "acronym", "country", "website", "note", "authorised_by",
                     "authoriser_title", "contact_email")
    }  # fmt: skip
    again = signer.post(manage_path, {**fields, "kind": "individual", "authorised": "y"})
    assert again.status_code == 303, again.get_data(as_text=True)
    assert "saved=0" in again.headers["Location"]


def test_signing_again_from_the_same_invitation_updates_the_same_signature(
    app, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    first = signer.post(path + "/sign", sign_form())
    assert first.status_code == 303
    # The same form twice (a double click): one signature, one confirmation.
    double = signer.post(path + "/sign", sign_form())
    assert double.status_code == 303
    assert count_signatures(app) == 1
    assert outbox_kinds(app).count("confirmation") == 1

    page = signer.get(path + "/sign").get_data(as_text=True)
    assert "Update your signature" in page
    assert input_value(page, "acronym") == "A19"
    second = signer.post(path + "/sign", sign_form(acronym="ART19", listed_publicly=None))
    assert second.status_code == 303
    with app.app_context():
        (signature,) = db.session.scalars(select(Signature)).all()
        assert (signature.acronym, signature.listed_publicly) == ("ART19", False)
        invitation = db.session.scalar(select(Invitation))
        assert signature.invitation_id == invitation.id
        assert invitation.responded_at is not None
    assert outbox_kinds(app).count("confirmation") == 2


def test_signing_again_after_withdrawing_restores_the_same_signature(
    app, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    signer.post(path + "/sign", sign_form())
    with app.test_request_context():
        from signon.signatures.links import manage_link

        manage_path = manage_link(db.session.scalar(select(Signature))).removeprefix(BASE)
    assert signer.post(manage_path + "/withdraw").status_code == 303
    assert signer.post(path + "/sign", sign_form()).status_code == 303
    with app.app_context():
        (signature,) = db.session.scalars(select(Signature)).all()
        assert signature.state is SignatureState.SIGNED
        assert signature.withdrawn_at is None
    assert outbox_kinds(app).count("confirmation") == 2


def test_a_new_version_signed_again_is_recorded_and_confirmed(
    app, web, dummy_user, dummy_statement
):
    """Re-signing after the text changed binds the signature to the new text, even when
    the signer changes nothing else."""
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    signer.post(path + "/sign", sign_form())
    with app.test_request_context():
        from signon.statements.service import save_version

        statement = db.session.get(Statement, dummy_statement.id)
        save_version(statement, title=statement.title, body="A new text.", author=None)
        db.session.commit()
    number, sha256 = current_fingerprint(app, dummy_statement)
    assert number == 2
    page = signer.get(path + "/sign").get_data(as_text=True)
    assert f"<code>{sha256[:12]}</code>" in page
    assert signer.post(path + "/sign", sign_form()).status_code == 303
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert (signature.version.number, signature.text_sha256) == (2, sha256)
    assert outbox_kinds(app).count("confirmation") == 2


def test_updating_through_the_manage_link_keeps_the_version_consented(
    app, dummy_user, dummy_statement
):
    """Correcting an acronym is not consent to a text changed since: the signature stays
    bound to the version signed, and the manage page shows that version."""
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    signer.post(path + "/sign", sign_form())
    _, first_sha = current_fingerprint(app, dummy_statement)
    with app.test_request_context():
        from signon.signatures.links import manage_link
        from signon.statements.service import save_version

        manage_path = manage_link(db.session.scalar(select(Signature))).removeprefix(BASE)
        statement = db.session.get(Statement, dummy_statement.id)
        save_version(statement, title=statement.title, body="Entirely new demands.", author=None)
        db.session.commit()
    page = signer.get(manage_path).get_data(as_text=True)
    assert "Entirely new demands" not in page
    assert "The text has changed since you signed: it is now version 2" in page
    assert f"<code>{first_sha[:12]}</code>" in page
    assert signer.post(manage_path, sign_form(acronym="ART19")).status_code == 303
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert signature.acronym == "ART19"
        assert (signature.version.number, signature.text_sha256) == (1, first_sha)
