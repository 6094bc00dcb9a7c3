"""Lena moves her account to a new address: the new one confirms itself from the
link it gets (a button: opening the link changes nothing), the old one is told.
Every mail goes through a real SMTP server."""

from __future__ import annotations

from sqlalchemy import select

from signon.accounts.models import User
from signon.extensions import db

from .mailbox import links_in
from .support import Web

BASE = "http://signon.test"


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_lena_moves_her_account_to_a_new_address(app, dummy_user, mail_via_smtp, send_outbox):
    lena = Web(app.test_client())
    lena.login(dummy_user)

    asked = lena.post(
        "/account/email", {"email": "lena@newhome.example", "password": dummy_user.password}
    )
    assert asked.status_code == 302
    assert email_of(app, dummy_user.id) == dummy_user.email  # nothing changes yet
    send_outbox()
    (confirm,) = mail_via_smtp.wait_for(1)
    assert confirm["To"] == "lena@newhome.example"
    (link,) = [u for u in links_in(confirm) if "/account/email/" in u]
    path = link.removeprefix(BASE)

    opened = app.test_client().get(path)  # a mail scanner opening the link
    assert opened.status_code == 200
    assert email_of(app, dummy_user.id) == dummy_user.email
    assert lena.post(path).status_code == 302

    assert email_of(app, dummy_user.id) == "lena@newhome.example"
    send_outbox()
    told = mail_via_smtp.wait_for(2)[1]
    assert told["To"] == dummy_user.email
    assert told["Subject"] == "Your signon account has a new email"
    again = app.test_client().get(path)
    assert again.status_code == 410


def test_a_wrong_password_or_an_address_in_use_changes_nothing_and_tells_nothing(
    app, dummy_user, create_user
):
    create_user(email="taken@partner.example")
    lena = Web(app.test_client())
    lena.login(dummy_user)

    wrong = lena.post("/account/email", {"email": "x@new.example", "password": "not it"})
    taken = lena.post(
        "/account/email", {"email": "taken@partner.example", "password": dummy_user.password}
    )
    free = lena.post(
        "/account/email", {"email": "free@partner.example", "password": dummy_user.password}
    )

    assert wrong.status_code == 400
    assert "That is not your password." in wrong.get_data(as_text=True)
    # The same answer for an address another account uses: no mail goes to it.
    assert taken.status_code == free.status_code == 302
    with app.app_context():
        from signon.mail.models import OutboxMessage

        sent_to = set(db.session.scalars(select(OutboxMessage.to_address)))
    assert "taken@partner.example" not in sent_to
    assert "free@partner.example" in sent_to
    assert email_of(app, dummy_user.id) == dummy_user.email


def test_a_tampered_link_is_refused(app, dummy_user):
    assert app.test_client().get("/account/email/abc.def.ghi").status_code == 400
