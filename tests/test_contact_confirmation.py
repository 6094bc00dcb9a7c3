"""A contact address typed into the sign form gets mail only once it confirms itself
(issue 10, point 5).

The attack: the sign form's contact email took any address and mailed it the
confirmation, 77 times to one address. Now the confirmation goes to the address the
invitation reached; a new contact is sent one "confirm this address" link, and only
a press of its button makes it the reply address.
"""

from __future__ import annotations

from sqlalchemy import select

from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.models import Signature

from .sign_on_steps import BASE_URL, invite_partners, open_for_signing, partner, sign_form
from .support import Web, csrf_token_in

VICTIM = "victim@elsewhere.example"


def mail(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def contact_link(app) -> str:
    with app.app_context():
        (body,) = db.session.scalars(
            select(OutboxMessage.text_body).where(OutboxMessage.kind == "confirm_contact")
        ).all()[-1:]
    return next(w for w in body.split() if w.startswith(f"{BASE_URL}/c/")).removeprefix(BASE_URL)


def signed_in(app, statement, user, contact: str):
    open_for_signing(app, statement)
    (path,) = invite_partners(app, statement, [("Article 19", "info@a19.example")], by=user)
    signer = partner(app, path + "/sign")
    assert signer.post(path + "/sign", sign_form(contact_email=contact)).status_code == 303
    return signer, path


def test_signing_again_and_again_with_someones_address_mails_them_little(
    app, dummy_user, dummy_statement
):
    signer, path = signed_in(app, dummy_statement, dummy_user, VICTIM)
    for number in range(20):  # the contact flips between two addresses: 11 times to VICTIM
        contact = VICTIM if number % 2 else "other@elsewhere.example"
        assert signer.post(path + "/sign", sign_form(contact_email=contact)).status_code == 303

    to_victim = [kind for kind, to in mail(app) if to == VICTIM]
    assert to_victim == ["confirm_contact"] * 5  # asked to confirm, within the hour's share
    confirmations = [to for kind, to in mail(app) if kind == "confirmation"]
    assert set(confirmations) == {"info@a19.example"}  # where the invitation went


def test_the_contact_confirms_itself_and_then_receives_the_mail(app, dummy_user, dummy_statement):
    signer, path = signed_in(app, dummy_statement, dummy_user, "ana@a19.example")
    link = contact_link(app)
    contact = Web(app.test_client())
    contact._token = csrf_token_in(contact.get(link).get_data(as_text=True))
    assert contact.post(link).status_code == 303

    assert signer.post(path + "/sign", sign_form(note="a note")).status_code == 303
    assert mail(app)[-1] == ("confirmation", "ana@a19.example")


def test_a_link_sent_to_an_earlier_contact_cannot_confirm_a_later_one(
    app, dummy_user, dummy_statement
):
    signer, path = signed_in(app, dummy_statement, dummy_user, "ana@a19.example")
    old_link = contact_link(app)
    assert signer.post(path + "/sign", sign_form(contact_email=VICTIM)).status_code == 303

    answer = Web(app.test_client()).get(old_link)

    assert answer.status_code == 410
    with app.app_context():
        (signature,) = db.session.scalars(select(Signature)).all()
        assert signature.contact_email == VICTIM and signature.contact_confirmed == ""


def test_the_invitations_own_address_needs_no_confirming(app, dummy_user, dummy_statement):
    signed_in(app, dummy_statement, dummy_user, "Info@A19.example")

    kinds = [kind for kind, _to in mail(app)]
    assert kinds == ["invitation", "confirmation"]
    assert mail(app)[-1] == ("confirmation", "Info@A19.example")


def test_the_thank_you_page_says_where_the_mail_went(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    signed = signer.post(path + "/sign", sign_form(contact_email="ana@a19.example"))

    page = signer.get(signed.headers["Location"]).get_data(as_text=True)

    assert "We sent a confirmation by email to the address this invitation reached." in page
    assert "<strong>ana@a19.example</strong>, got a link to confirm it." in page
