"""The coalition's week, end to end: every name in the published PDF consented to
its exact text.

Monday, Lena opens "Free the Meridia Eleven" and invites three organisations; they
sign version 1 from the links in their email. Tuesday, Ed fixes a typo (minor:
v2, all three still listed). Wednesday, the coalition adds a demand (substantive:
v3); the three receive the changes by email. Article 19 confirms, Zeta withdraws,
the Observatory does not answer; the Late Coalition, invited on Wednesday, signs
v3 directly. Friday, Lena closes and publishes. The PDF lists exactly Article 19
and the Late Coalition, and the audit trail holds every step.

Real parts throughout: the routes, an SMTP server on loopback (aiosmtpd) receiving
every email, WeasyPrint's PDF read back with pypdf.
"""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db

from .mail_support import sign_through_link
from .mailbox import links_in, text_of
from .public_steps import csv_rows
from .sign_on_steps import invite, open_statement
from .support import Web, csrf_token_in, input_value

BASE = "http://signon.test"
TITLE = "Free the Meridia Eleven"
V1 = """We, the undersigned, call on the authorities of Meridia to release the eleven
journalists detained since the elections, and to drop the chrages against them.
"""
V2 = V1.replace("chrages", "charges")
V3 = V2 + "\nWe also call for the repeal of the foreign agents law.\n"
PARTNERS = {
    "Article 19": "press@a19.example",
    "Zeta Press Union": "desk@zeta.example",
    "Observatorio de Medios": "info@observatorio.example",
}
LATE = ("Late Coalition", "hello@late.example")


def save(web: Web, slug: str, body: str, kind: str) -> None:
    form = {"title": TITLE, "language": "en", "body": body, "note": "", "save": "Save"}
    response = web.post(f"/statements/{slug}/edit", {**form, "change_kind": kind})
    assert response.status_code == 302, response.get_data(as_text=True)


def listed(client, slug: str) -> list[str]:
    """The names the team's preview of the public data lists (the list is private
    until publication, so the public API answers 404 all week)."""
    assert client.get(f"/api/v1/statements/{slug}").status_code == 404
    data = client.get(f"/statements/{slug}/preview.json").get_json()
    return [entry["name"] for entry in data["signatories"]]


def reconfirm_link(message) -> str:
    return next(u for u in links_in(message) if u.startswith(f"{BASE}/r/")).removeprefix(BASE)


def answer(client, path: str, button: str) -> None:
    """The signer opens the re-confirmation page and presses one of its buttons."""
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "repeal of the foreign agents law" in html  # the changes are shown
    data = {"csrf_token": csrf_token_in(html)}
    if button == "confirm":
        data["version_id"] = input_value(html, "version_id")
    assert client.post(f"{path}/{button}", data=data).status_code == 303


def signatory_lines(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return text.split("Signed by:", 1)[1]


def test_every_name_in_the_published_pdf_consented_to_its_text(
    app, web, create_statement, dummy_user, mail_via_smtp, send_outbox
):
    statement = create_statement(title=TITLE, body=V1)
    slug = statement.slug
    web.login(dummy_user)
    open_statement(web, slug, deadline="2099-01-01T12:00")

    # Monday: three invitations by email, three signatures on v1.
    rows = "\n".join(f"{name}, {email}" for name, email in PARTNERS.items())
    assert invite(web, slug, rows).status_code == 302
    send_outbox()
    invitations = {m["To"]: links_in(m)[0] for m in mail_via_smtp.wait_for(3)}
    partners = {}
    for name, email in PARTNERS.items():
        partners[name] = app.test_client()
        signed = sign_through_link(
            partners[name], invitations[email], name=name, acronym="", contact_email=email
        )
        assert signed.status_code == 303
    send_outbox()
    mail_via_smtp.wait_for(6)  # three confirmations
    assert sorted(listed(web.client, slug)) == sorted(PARTNERS)

    # Tuesday: a typo, minor. Consents carry over.
    save(web, slug, V2, "minor")
    assert sorted(listed(web.client, slug)) == sorted(PARTNERS)

    # Wednesday: a new demand, substantive. The three drop off until they answer,
    # and each receives the changes with a link of their own.
    save(web, slug, V3, "substantive")
    assert listed(web.client, slug) == []
    send_outbox()
    asks = mail_via_smtp.wait_for(9)[6:]
    assert sorted(m["To"] for m in asks) == sorted(PARTNERS.values())
    for message in asks:
        assert message["Subject"] == f"The text you signed has changed: “{TITLE}”"
        body = text_of(message)  # every change since v1, the one they signed
        assert "[-chrages-][+charges+]" in body
        assert re.search(r"\[\+\s*We also call for the repeal of the foreign agents law", body)
    link_of = {m["To"]: reconfirm_link(m) for m in asks}
    assert len(set(link_of.values())) == 3

    # The Late Coalition is invited now and signs v3 directly.
    assert invite(web, slug, ", ".join(LATE)).status_code == 302
    send_outbox()
    late_invitation = mail_via_smtp.wait_for(10)[9]
    late = app.test_client()
    signed = sign_through_link(
        late, links_in(late_invitation)[0], name=LATE[0], acronym="", contact_email=LATE[1]
    )
    assert signed.status_code == 303

    answer(partners["Article 19"], link_of[PARTNERS["Article 19"]], "confirm")
    answer(partners["Zeta Press Union"], link_of[PARTNERS["Zeta Press Union"]], "withdraw")
    # The Observatory does not answer.
    assert sorted(listed(web.client, slug)) == ["Article 19", "Late Coalition"]
    team_list = web.get(f"/statements/{slug}/signatures").get_data(as_text=True)
    observatory_row = re.search(r"Observatorio de Medios.*?</tr>", team_list, re.S)[0]
    assert "Needs re-confirmation: asked" in observatory_row

    # Friday: close and publish.
    assert web.post(f"/statements/{slug}/close", {"confirm": "yes"}).status_code == 302
    publish_page = web.get(f"/statements/{slug}/publish")
    assert publish_page.status_code == 200
    published = web.post(f"/statements/{slug}/publish", {"embargo": "", "confirm": "y"})
    assert published.status_code == 302, published.get_data(as_text=True)

    with web.client.get(f"/s/{slug}.pdf") as pdf:
        assert pdf.status_code == 200
        names = signatory_lines(pdf.get_data())
    assert names.count("Article 19") == 1
    assert names.count("Late Coalition") == 1
    assert "Zeta" not in names and "Observatorio" not in names
    assert names.index("Article 19") < names.index("Late Coalition")
    assert "Text version 3" in names  # the fingerprint line names the text they signed

    # The audit trail holds every step, in order.
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.statement_id == statement.id)
            .order_by(AuditEvent.id)
        ).all()
    story = [
        "opened for signatures",
        "invitations sent",
        "signature saved",
        "version saved",  # minor
        "version saved",  # substantive
        "reconfirmation requested",
        "invitations sent",
        "consent confirmed",
        "signature withdrawn",
        "closed",
        "published",
    ]
    remaining = iter(actions)
    assert all(step in remaining for step in story), actions
    assert actions.count("signature saved") == 4
    trail = csv_rows(web.get(f"/statements/{slug}/audit.csv").get_data())
    kinds = [row for row in trail if "minor" in " ".join(row) or "substantive" in " ".join(row)]
    assert len(kinds) == 2
