"""The manage link (/m/…): a change keeps the authorisation given when signing;
withdrawing asks to confirm, then says what happened; a withdrawn signer signs
again from their link while signing is open; after publication a withdrawal is
still possible and a change is not."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.links import manage_link
from signon.signatures.models import Signature, SignatureState

from .mail_support import outbox
from .public_steps import close_statement, new_version, publish
from .sign_on_steps import (
    invite_partners,
    move_deadline_into_the_past,
    open_for_signing,
    outbox_kinds,
    partner,
    sign_form,
)
from .support import input_value

BASE = "http://signon.test"
FIELDS = ("name", "acronym", "country", "website", "note", "authorised_by",
          "authoriser_title", "contact_email")  # fmt: skip


@pytest.fixture
def signed(app, dummy_user, dummy_statement):
    """Article 19 signed through its invitation: (invitation path, manage path)."""
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    assert signer.post(path + "/sign", sign_form()).status_code == 303
    with app.test_request_context():
        manage = manage_link(db.session.scalar(select(Signature))).removeprefix(BASE)
    return path, manage


def the_signature(app) -> Signature:
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        db.session.expunge(signature)
        return signature


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def form_as_shown(page: str) -> dict:
    """What a browser would send back from the page's form, unchanged."""
    data = {name: input_value(page, name) for name in FIELDS}
    kind = re.search(r'<input[^>]*checked[^>]*name="kind"[^>]*value="([^"]+)"', page)
    data["kind"] = kind.group(1)
    if re.search(r'<input[^>]*checked[^>]*name="listed_publicly"', page):
        data["listed_publicly"] = "y"
    return data


def test_a_change_keeps_the_authorisation_given_when_signing(app, signed):
    _, manage = signed
    signer = partner(app, manage)
    page = signer.get(manage).get_data(as_text=True)
    # Nothing to tick again; the authoriser comes back as given.
    assert 'name="authorised"' not in page
    assert input_value(page, "authorised_by") == "Ana Pérez"
    assert input_value(page, "authoriser_title") == "Director"
    assert "The authorisation you gave when signing stays" in page

    response = signer.post(manage, {**form_as_shown(page), "acronym": "ART19"})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "saved=1" in response.headers["Location"]
    signature = the_signature(app)
    assert signature.acronym == "ART19"
    assert (signature.authorised_by, signature.authoriser_title) == ("Ana Pérez", "Director")
    assert signature.state is SignatureState.SIGNED
    assert actions(app)[-1] == "signature updated by signer"


def test_withdrawing_asks_to_confirm_then_says_what_happened(app, signed):
    _, manage = signed
    signer = partner(app, manage)
    page = signer.get(manage).get_data(as_text=True)
    # The manage page has no withdraw button: a link to a page that asks first.
    assert f'action="{manage}/withdraw"' not in page
    assert f'href="{manage}/withdraw"' in page
    before = (actions(app), outbox_kinds(app))

    asked = signer.get(manage + "/withdraw")
    assert asked.status_code == 200
    assert asked.headers["Cache-Control"] == "no-store"
    question = asked.get_data(as_text=True)
    assert "Withdraw the signature of Article 19?" in question
    assert "While signing is open" in question and "you can sign again from this link" in question
    assert f'action="{manage}/withdraw"' in question
    assert "Yes, withdraw our signature" in question
    assert f'href="{manage}">No, keep our signature</a>' in question
    # Asking changed nothing (a GET never does).
    assert the_signature(app).state is SignatureState.SIGNED
    assert (actions(app), outbox_kinds(app)) == before

    done = signer.post(manage + "/withdraw")
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"{manage}/withdrawn")
    told = signer.get(done.headers["Location"]).get_data(as_text=True)
    assert "You have withdrawn your signature" in told
    assert "Your organisation's name is no longer on the list" in told
    assert "You can sign again from this link while signing is open" in told
    assert f'href="{manage}#sign-form">Sign again</a>' in told
    assert the_signature(app).state is SignatureState.WITHDRAWN
    assert actions(app)[-1] == "signature withdrawn"
    (mail,) = outbox(app, kind="withdrawn")
    # The email carries the private link to sign again; it opens this signature.
    (link,) = re.findall(rf"{BASE}(/m/\S+)", mail.text_body)
    assert "Sign again" in signer.get(link).get_data(as_text=True)

    # Asking again once withdrawn goes to what happened, not to a second question.
    again = signer.get(manage + "/withdraw")
    assert again.status_code == 303 and again.headers["Location"].endswith("/withdrawn")


def test_a_withdrawn_signer_signs_again_from_the_manage_link(app, signed, dummy_user):
    _, manage = signed
    signer = partner(app, manage)
    assert signer.post(manage + "/withdraw").status_code == 303
    # The text changes meanwhile: signing again is consent to the new one.
    new_version(app, _statement(app), "The new demands, rewritten.", by=dummy_user)
    page = signer.get(manage).get_data(as_text=True)
    assert "Withdrawn on" in page
    assert "Sign again" in page and "for the current text shown below (version 2" in page
    assert "The new demands, rewritten." in page
    assert input_value(page, "name") == "Article 19"  # pre-filled as it was

    # A new consent asks for the authorisation again.
    refused = signer.post(manage, form_as_shown(page))
    assert refused.status_code == 400
    assert "Please confirm you are authorised to sign." in refused.get_data(as_text=True)
    assert the_signature(app).state is SignatureState.WITHDRAWN

    restored = signer.post(manage, {**form_as_shown(page), "authorised": "y"})
    assert restored.status_code == 303, restored.get_data(as_text=True)
    assert "restored=1" in restored.headers["Location"]
    shown = signer.get(restored.headers["Location"]).get_data(as_text=True)
    assert "You signed again: your entry is back on the list, for version 2" in shown
    signature = the_signature(app)
    assert signature.state is SignatureState.SIGNED and signature.withdrawn_at is None
    with app.app_context():
        version = db.session.get(Signature, signature.id).version
        assert (version.number, signature.text_sha256) == (2, version.sha256)
    assert actions(app)[-1] == "signature restored"
    assert outbox_kinds(app)[-1] == "confirmation"
    # To the invitation's address: the contact typed in (ana@) has not confirmed itself.
    assert outbox(app, kind="confirmation")[-1].to_address == "info@a19.example"


def test_a_withdrawn_signer_signs_again_from_the_invitation_link(app, signed):
    path, manage = signed
    signer = partner(app, manage)
    assert signer.post(manage + "/withdraw").status_code == 303
    page = signer.get(path + "/sign").get_data(as_text=True)
    assert "You withdrew this signature on" in page
    assert "Printed now as" not in page  # a withdrawn entry prints nothing
    assert re.search(r'<button class="primary">Sign again</button>', page)
    assert signer.post(path + "/sign", sign_form()).status_code == 303
    assert the_signature(app).state is SignatureState.SIGNED
    assert actions(app)[-1] == "signature restored"
    assert outbox_kinds(app).count("confirmation") == 2


def test_once_signing_closed_a_withdrawn_signer_cannot_sign_again(app, signed, dummy_statement):
    _, manage = signed
    signer = partner(app, manage)
    assert signer.post(manage + "/withdraw").status_code == 303
    move_deadline_into_the_past(app, dummy_statement)
    page = signer.get(manage).get_data(as_text=True)
    assert "Signing is closed, so this signature cannot be restored" in page
    assert "<form" not in page
    told = signer.get(manage + "/withdrawn").get_data(as_text=True)
    assert "You can sign again" not in told
    refused = signer.post(manage, sign_form())
    assert refused.status_code == 400
    assert "Signatures for this statement are closed" in refused.get_data(as_text=True)
    assert the_signature(app).state is SignatureState.WITHDRAWN
    assert "signature restored" not in actions(app)


def test_after_publication_a_signer_can_withdraw_but_not_change(app, signed, dummy_statement):
    _, manage = signed
    close_statement(app, dummy_statement)
    publish(app, dummy_statement)
    signer = partner(app, manage + "/withdraw")  # the manage page itself has no form now
    page = signer.get(manage).get_data(as_text=True)
    assert "Change your entry" not in page and "<form" not in page
    assert f'href="{manage}/withdraw"' in page
    refused = signer.post(manage, sign_form(acronym="ART19"))
    assert refused.status_code == 400
    assert "The statement is published" in refused.get_data(as_text=True)
    assert the_signature(app).acronym == "A19"

    question = signer.get(manage + "/withdraw").get_data(as_text=True)
    assert "The statement is already published" in question
    assert "you can sign again" not in question
    assert signer.post(manage + "/withdraw").status_code == 303
    told = signer.get(manage + "/withdrawn").get_data(as_text=True)
    assert "the statement's public page and downloads now show the list without it" in told
    assert "You can sign again" not in told
    assert the_signature(app).state is SignatureState.WITHDRAWN
    (mail,) = outbox(app, kind="withdrawn")
    assert "/m/" not in mail.text_body  # nothing to sign again from
    # And signing again after publication is refused too.
    assert signer.post(manage, sign_form()).status_code == 400
    assert the_signature(app).state is SignatureState.WITHDRAWN
    with app.app_context():
        assert (
            db.session.scalar(
                select(OutboxMessage).where(OutboxMessage.kind == "confirmation").offset(1)
            )
            is None
        )


def _statement(app):
    from types import SimpleNamespace

    from signon.statements.models import Statement

    with app.app_context():
        return SimpleNamespace(id=db.session.scalar(select(Statement.id)))


def test_a_rejected_signature_has_nothing_to_withdraw(app, signed, dummy_user):
    _, manage = signed
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        signature.state = SignatureState.REJECTED  # as the moderation would leave it
        db.session.commit()
    client = app.test_client()
    asked = client.get(manage + "/withdraw")
    assert asked.status_code == 409
    assert "not on the list" in asked.get_data(as_text=True)
    assert the_signature(app).state is SignatureState.REJECTED
