"""A partner signs from the link in a real email, then changes and withdraws."""

from __future__ import annotations

from sqlalchemy import select

from signon.extensions import db
from signon.signatures.models import Signature, SignatureState

from .mailbox import links_in, text_of
from .support import Web, csrf_token_in, input_value


def open_statement(web, slug, **fields):
    data = {
        "time_zone": "Europe/Paris",
        "signatories_intro": "Signed by:",
        "signatory_order": "alphabetical",
        "link_grace_hours": "0",
        **fields,
    }
    response = web.post(f"/statements/{slug}/open", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def invite(web, slug, rows: str):
    """Paste a list, check it, confirm it: the team's two steps."""
    page = web.post(f"/statements/{slug}/invitations/check", {"rows": rows})
    assert page.status_code == 200, page.get_data(as_text=True)
    checked = input_value(page.get_data(as_text=True), "rows")
    return web.post(f"/statements/{slug}/invitations/confirm", {"rows": checked})


def test_partner_signs_from_emailed_link(
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
    assert link.startswith("http://signon.test/i/")

    partner = app.test_client()
    partner_web = Web(partner)
    path = link.removeprefix("http://signon.test")
    landing = partner.get(path)
    assert landing.status_code == 200
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    token = csrf_token_in(landing.get_data(as_text=True))
    partner_web._token = token
    opened = partner_web.post(path)
    assert opened.status_code == 303
    form = partner.get(path + "/sign")
    assert form.status_code == 200
    signed = partner_web.post(
        path + "/sign",
        {
            "name": "Article 19",
            "acronym": "A19",
            "kind": "organisation",
            "listed_publicly": "y",
            "authorised_by": "Ana Pérez",
            "authoriser_title": "Director",
            "contact_email": "ana@a19.example",
            "authorised": "y",
        },
    )
    assert signed.status_code == 303, signed.get_data(as_text=True)
    send_outbox()
    confirmation = mail_via_smtp.wait_for(2)[1]
    assert "version 1" in text_of(confirmation)
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert signature.state is SignatureState.SIGNED
        assert signature.acronym == "A19"
