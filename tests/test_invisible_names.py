"""Invisible characters and look-alike letters in a signatory's name: the copy is
flagged beside the real organisation on the team's Signatures page, and nothing
invisible reaches the printed list (issue 10, point 3)."""

from __future__ import annotations

import io
import re

import pytest
import regex
from pypdf import PdfReader
from sqlalchemy import select

from signon.extensions import db
from signon.signatures.links import verify_link
from signon.signatures.models import Signature, SignatureState
from signon.signatures.names import name_key

from .public_steps import logged_in
from .sign_on_steps import (
    BASE_URL,
    count_signatures,
    invite_partners,
    open_for_signing,
    outbox_kinds,
    partner,
    sign_form,
)
from .support import Web, csrf_token_in

REAL = "Memorial Human Rights Centre"
# Each as it was accepted, approved and listed beside the real name, unflagged.
COPIES = {
    "soft hyphen": "Memo\u00adrial Human Rights Centre",
    "variation selector": "Memorial\ufe0f Human Rights Centre",
    "combining grapheme joiner": "Me\u034fmorial Human Rights Centre",
    "Hangul filler": "Memo\u3164rial Human Rights Centre",
    "small capital M": "\u1d0demorial Human Rights Centre",
}
INVISIBLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
PERSIAN = "خانه\u200cی آزادی"  # "Freedom House", ZWNJ between ه and ی as Persian writes it


def sign_through_invitation(app, statement, lead, name: str, email: str) -> int:
    """Invited as a plain organisation, the partner types `name` in the sign form."""
    (path,) = invite_partners(app, statement, [("Partner organisation", email)], by=lead)
    signer = partner(app, path + "/sign")
    response = signer.post(
        path + "/sign",
        sign_form(name=name, contact_email=email, acronym="", country="", website=""),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest_signature_id(app)


def sign_through_open_call(app, web, statement, name: str, email: str, **fields) -> int:
    """A visitor signs the public form, confirms the address, and the team approves."""
    visitor = partner(app, f"/s/{statement.slug}/sign")
    fields = {"acronym": "", "contact_email": email, "authorised_by": "A. Visitor", **fields}
    response = visitor.post(f"/s/{statement.slug}/sign", sign_form(name=name, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    signature_id = newest_signature_id(app)
    with app.test_request_context():
        path = verify_link(db.session.get(Signature, signature_id)).removeprefix(BASE_URL)
    confirmer = Web(app.test_client())
    confirmer._token = csrf_token_in(confirmer.get(path).get_data(as_text=True))
    assert confirmer.post(path).status_code == 303
    approved = web.post(f"/statements/{statement.slug}/signatures/{signature_id}/approve")
    assert approved.status_code == 302
    return signature_id


def newest_signature_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Signature.id).order_by(Signature.id.desc()))


def stored_name(app, signature_id: int) -> str:
    with app.app_context():
        return db.session.get(Signature, signature_id).name


def flags_on_signatures_page(web, statement, signature_id: int) -> list[tuple[str, str]]:
    page = web.get(f"/statements/{statement.slug}/signatures").get_data(as_text=True)
    row = re.search(rf'<tr id="signature-{signature_id}">.*?</tr>', page, re.S).group(0)
    return re.findall(r'Possible duplicate \(([^)]+)\) of <a href="#signature-(\d+)"', row)


def preview_text(web, statement) -> str:
    response = web.get(f"/statements/{statement.slug}/preview.txt")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("kind", COPIES)
def test_a_copy_signed_from_an_invitation_is_flagged_beside_the_real_name(
    app, dummy_user, dummy_statement, kind
):
    open_for_signing(app, dummy_statement)
    real = sign_through_invitation(app, dummy_statement, dummy_user, REAL, "real@ngo.example")
    copy = sign_through_invitation(
        app, dummy_statement, dummy_user, COPIES[kind], "copy@elsewhere.example"
    )
    team = logged_in(app, dummy_user)

    expected = "look-alike letters" if kind == "small capital M" else "same name"
    assert (expected, str(real)) in flags_on_signatures_page(team, dummy_statement, copy)
    assert (expected, str(copy)) in flags_on_signatures_page(team, dummy_statement, real)
    assert INVISIBLE.search(stored_name(app, copy)) is None
    printed = preview_text(team, dummy_statement)
    assert REAL in printed
    assert INVISIBLE.search(printed) is None


@pytest.mark.parametrize("kind", COPIES)
def test_a_copy_through_the_open_call_is_flagged_once_approved(
    app, web, dummy_user, dummy_statement, kind
):
    open_for_signing(app, dummy_statement, open_call=True)
    web.login(dummy_user)
    # The real one asked not to be named: the open call cannot answer the copy by
    # email without telling a stranger it signed, so the copy goes on to the team.
    real = sign_through_open_call(
        app, web, dummy_statement, REAL, "real@ngo.example", listed_publicly=None
    )
    copy = sign_through_open_call(app, web, dummy_statement, COPIES[kind], "copy@elsewhere.example")
    assert copy != real
    with app.app_context():
        assert db.session.get(Signature, copy).state is SignatureState.SIGNED

    flags = flags_on_signatures_page(web, dummy_statement, copy)
    assert str(real) in [other for _reason, other in flags]
    printed = preview_text(web, dummy_statement)
    assert INVISIBLE.search(printed) is None
    assert INVISIBLE.search(stored_name(app, copy)) is None


@pytest.mark.parametrize("kind", [kind for kind in COPIES if kind != "small capital M"])
def test_an_invisible_copy_of_a_public_name_is_answered_by_email(
    app, web, dummy_user, dummy_statement, kind
):
    open_for_signing(app, dummy_statement, open_call=True)
    web.login(dummy_user)
    sign_through_open_call(app, web, dummy_statement, REAL, "real@ngo.example")
    visitor = partner(app, f"/s/{dummy_statement.slug}/sign")
    fields = {"acronym": "", "contact_email": "copy@elsewhere.example", "authorised_by": "X"}
    response = visitor.post(
        f"/s/{dummy_statement.slug}/sign", sign_form(name=COPIES[kind], **fields)
    )
    assert response.status_code == 303
    assert count_signatures(app) == 1  # the same organisation: nothing new is created
    assert outbox_kinds(app)[-1] == "already_signed"


def test_the_printed_pdf_carries_no_invisible_character(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    sign_through_invitation(app, dummy_statement, dummy_user, REAL, "real@ngo.example")
    for number, name in enumerate(COPIES.values()):
        sign_through_invitation(app, dummy_statement, dummy_user, name, f"c{number}@x.example")
    team = logged_in(app, dummy_user)
    with team.get(f"/statements/{dummy_statement.slug}/preview.pdf") as response:
        assert response.status_code == 200
        pdf = PdfReader(io.BytesIO(response.get_data()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Memorial Human Rights Centre" in text
    assert "\u1d0demorial Human Rights Centre" in text  # visible, so printed as typed
    assert INVISIBLE.search(text) is None


def test_zwnj_inside_a_persian_name_is_kept(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    signature_id = sign_through_invitation(
        app, dummy_statement, dummy_user, f"\u200c{PERSIAN}\u200d", "azadi@ngo.example"
    )
    assert stored_name(app, signature_id) == PERSIAN  # the joiners at the ends show nothing
    assert PERSIAN in preview_text(logged_in(app, dummy_user), dummy_statement)
    # The key ignores it: the same name typed without the ZWNJ is the same organisation.
    assert name_key(PERSIAN) == name_key(PERSIAN.replace("\u200c", ""))


def test_a_joiner_between_latin_letters_is_dropped(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    signature_id = sign_through_invitation(
        app, dummy_statement, dummy_user, "Amne\u200cst\u200dy International", "a@ngo.example"
    )
    assert stored_name(app, signature_id) == "Amnesty International"


def test_a_name_of_invisible_characters_only_is_refused(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Partner organisation", "p@ngo.example")], by=dummy_user
    )
    signer = partner(app, path + "/sign")
    response = signer.post(
        path + "/sign", sign_form(name="\u3164\u00ad\ufe0f", contact_email="p@ngo.example")
    )
    assert response.status_code == 400
    assert count_signatures(app) == 0


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("The Article 19", "article 19"),
        ("Café Libre", "café libre"),
        ("ARTICLE-19", "article 19"),
        ("Memo\u00adrial", "memorial"),
        ("Memorial\ufe0f", "memorial"),
        ("Me\u034fmorial", "memorial"),
        ("Memo\u3164rial", "memorial"),
    ],
)
def test_keys_of_ordinary_names_stay_and_invisible_characters_leave_them(name, key):
    assert name_key(name) == key
