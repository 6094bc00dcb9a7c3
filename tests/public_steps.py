"""Steps the public page, export, API and render tests share: a statement whose
partners signed through their emailed links, and the team's status changes.

Everything goes through our services and routes.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import itertools
import re

from sqlalchemy import select

from signon.accounts.models import User
from signon.extensions import db
from signon.signatures.models import Signature
from signon.signatures.sign_on import withdraw
from signon.statements.lifecycle import close
from signon.statements.models import Statement
from signon.statements.service import save_version

from .sign_on_steps import invite_partners, partner, sign_form
from .support import Web

_addresses = itertools.count(1)
# Every public address of a statement's list (format with slug=).
PUBLIC_URLS = (
    "/s/{slug}",
    "/s/{slug}.pdf",
    "/s/{slug}.pdf?size=letter",
    "/s/{slug}.docx",
    "/s/{slug}.md",
    "/s/{slug}.txt",
    "/s/{slug}.csv",
    "/api/v1/statements/{slug}",
)
PUBLISHER = "Lena Lead <lead@coalition.example>"  # dummy_user as the audit trail names her


def sign_as(app, statement, lead, name, **fields) -> int:
    """Invite `name` and sign through its link, as a partner would; the signature id."""
    email = fields.pop("contact_email", None) or f"partner{next(_addresses)}@ngo.example"
    (path,) = invite_partners(app, statement, [(name, email)], by=lead)
    signer = partner(app, path + "/sign")
    fields = {"acronym": "", "country": "", "website": "", **fields}
    response = signer.post(path + "/sign", sign_form(name=name, contact_email=email, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(Signature.id).order_by(Signature.id.desc()))


def withdraw_signature(app, signature_id: int) -> None:
    """The signer takes their name off (the service behind the manage link)."""
    with app.test_request_context():
        withdraw(db.session.get(Signature, signature_id))
        db.session.commit()


def make_list_live(app, statement, *, by=PUBLISHER) -> None:
    """The owner opts in to a live public list while collecting (the service behind
    the Open page's setting): the open or closed statement becomes public."""
    from signon.statements.live_list import set_live_list

    with app.app_context():
        set_live_list(db.session.get(Statement, statement.id), True, by)
        db.session.commit()


def close_statement(app, statement) -> None:
    with app.test_request_context():
        close(db.session.get(Statement, statement.id))
        db.session.commit()


def publish(app, statement, *, embargo_until=None, by=PUBLISHER) -> None:
    """closed -> published through the publishing service (edition 1 and its files)."""
    from signon.publication.service import publish as publish_statement

    with app.app_context():
        record = db.session.get(Statement, statement.id)
        publish_statement(record, by, embargo_until=embargo_until)
        db.session.commit()


def new_version(app, statement, body: str, *, by) -> None:
    """The team saves a new text (through the drafting service)."""
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        save_version(record, title=record.title, body=body, author=db.session.get(User, by.id))
        db.session.commit()


def logged_in(app, user) -> Web:
    web = Web(app.test_client())
    web.login(user)
    return web


def csv_columns(header: list[str]) -> list[str]:
    """An English CSV header row as the column codes (`Contact email` -> contact_email)."""
    from signon.documents.csv import COLUMN_LABELS

    codes = {label: code for code, label in COLUMN_LABELS.items()}
    return [codes[label] for label in header]


def csv_rows(data: bytes) -> list[list[str]]:
    """A downloaded CSV as rows; it must be UTF-8 with a byte order mark."""
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def list_items(html: str) -> list[str]:
    """The entries of the signatory lists in a page, as text, in page order."""
    if 'class="signatory-section"' not in html:
        return []
    after = html.split('class="signatory-section"', 1)[1]
    section = re.split(r"</(?:div|section)>", after, maxsplit=1)[0]
    items = re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


STATEMENT_BODY = """We, the undersigned, call for the release of the *Meridia Eleven*.[^1]

## Our demands

1. Release the journalists.
2. Drop the charges.

Background from the [UN Special Rapporteur](https://www.ohchr.org/en/sr-freedom).

[^1]: Detained since 3 November 2026.
"""


def signed_statement(app, create_statement, lead, *, open_call=False, live_list=False):
    """An open statement (alphabetical list) that partners signed in every way there is:
    named organisations (one with a note), a person, one that asked not to be named,
    one that withdrew, and, with `open_call`, one whose email is not yet verified.
    Private until publication, unless `live_list`: the owner opted in to a public
    list while collecting. Returns (statement, {name: signature id})."""
    from .sign_on_steps import open_for_signing

    statement = create_statement(title="Free the Meridia Eleven", body=STATEMENT_BODY)
    open_for_signing(app, statement, intro="Signed by:", open_call=open_call)
    if live_list:
        make_list_live(app, statement)
    ids = {
        "Zeta Press Union": sign_as(
            app,
            statement,
            lead,
            "Zeta Press Union",
            acronym="ZPU",
            country="Meridia",
            website="https://zeta.example",
            contact_email="ana@zeta.example",
            authorised_by="Ana Zetova",
        ),
        "Article 19": sign_as(
            app,
            statement,
            lead,
            "Article 19",
            acronym="A19",
            note="within the framework of the Media Freedom Coalition",
            contact_email="press@a19.example",
        ),
        "Jane Doe": sign_as(
            app,
            statement,
            lead,
            "Jane Doe",
            kind="individual",
            country="Senegal",
            contact_email="jane@doe.example",
        ),
        "Quiet Network": sign_as(
            app,
            statement,
            lead,
            "Quiet Network",
            listed_publicly=None,
            contact_email="quiet@network.example",
        ),
        "Gone Collective": sign_as(
            app, statement, lead, "Gone Collective", contact_email="gone@collective.example"
        ),
    }
    withdraw_signature(app, ids["Gone Collective"])
    if open_call:
        page = f"/s/{statement.slug}/sign"
        signer = partner(app, page)
        response = signer.post(
            page, sign_form(name="Unverified Voices", contact_email="who@unverified.example")
        )
        assert response.status_code == 303, response.get_data(as_text=True)
    return statement, ids


CONTACT_DATA = (
    "ana@zeta.example",
    "press@a19.example",
    "jane@doe.example",
    "quiet@network.example",
    "Ana Zetova",
    "Ana Pérez",  # sign_form's default authoriser
    "https://zeta.example",
)
NOT_ON_THE_LIST = ("Quiet Network", "Gone Collective", "Unverified Voices")
