"""The team's view of the signature list: contacts for owners and editors only,
corrections recorded, duplicates flagged, and the final list as it will print."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.signatures.duplicates import find_duplicates, skeleton
from signon.signatures.models import Signature, SignatureState
from signon.signatures.names import name_key

from .sign_on_steps import invite_partners, open_for_signing, partner, sign_form
from .support import Web

_addresses = itertools.count(1)


def sign_as(app, statement, lead, name, **fields) -> int:
    """Invite `name` and sign through its link, as a partner would; the signature id."""
    email = f"partner{next(_addresses)}@ngo.example"
    (path,) = invite_partners(app, statement, [(name, email)], by=lead)
    signer = partner(app, path + "/sign")
    fields = {"contact_email": email, "acronym": "", "country": "", "website": "", **fields}
    response = signer.post(path + "/sign", sign_form(name=name, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(Signature.id).order_by(Signature.id.desc()))


def list_page(web, statement) -> str:
    response = web.get(f"/statements/{statement.slug}/signatures")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def final_list(page: str) -> str:
    return page.split('id="final-heading"', 1)[1]


@pytest.fixture
def team(app, create_user, dummy_user, create_statement):
    """A statement with an owner (dummy_user), an editor and a viewer, open for signing."""
    editor = create_user(email="ed@coalition.example", name="Ed Editor")
    viewer = create_user(email="vi@coalition.example", name="Vi Viewer")
    statement = create_statement(members={editor: "editor", viewer: "viewer"})
    open_for_signing(app, statement)
    return statement, {"owner": dummy_user, "editor": editor, "viewer": viewer}


def logged_in(app, user) -> Web:
    web = Web(app.test_client())
    web.login(user)
    return web


def test_owners_and_editors_see_contacts_viewers_do_not(app, team):
    statement, people = team
    sign_as(
        app,
        statement,
        people["owner"],
        "Article 19",
        contact_email="ana@a19.example",
        authorised_by="Ana Pérez",
    )
    for role in ("owner", "editor"):
        page = list_page(logged_in(app, people[role]), statement)
        assert "ana@a19.example" in page, role
        assert "Ana Pérez, Director" in page
        assert ">v1<" in page
        assert "named" in page
    viewer_page = list_page(logged_in(app, people["viewer"]), statement)
    assert "Article 19" in viewer_page
    assert "ana@a19.example" not in viewer_page
    assert "@a19.example" not in viewer_page
    assert "partner" not in viewer_page  # the invitation's address neither
    assert "/edit" not in viewer_page
    assert "Approve" not in viewer_page


def test_the_list_shows_state_version_and_anonymity(app, team):
    statement, people = team
    sign_as(app, statement, people["owner"], "Quiet Org", listed_publicly=None)
    page = list_page(logged_in(app, people["owner"]), statement)
    row = re.search(r'<tr id="signature-\d+">.*?</tr>', page, re.S).group(0)
    assert "state-signed" in row
    assert ">v1<" in row
    assert "counted, not named" in row


def test_the_list_shows_whose_consent_covers_the_current_text(app, team):
    from signon.statements.models import ChangeKind, Statement
    from signon.statements.service import save_version

    statement, people = team
    sign_as(app, statement, people["owner"], "Early Bird")

    def new_version(body: str, kind: ChangeKind) -> None:
        with app.test_request_context():
            record = db.session.get(Statement, statement.id)
            save_version(record, title=record.title, body=body, author=None, kind=kind)
            db.session.commit()

    def consent_cells() -> list[str]:
        page = list_page(logged_in(app, people["owner"]), statement)
        return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(
            r'<td data-label="Consent">(.*?)</td>', page, re.S
        )]  # fmt: skip

    new_version("A call, with a typo fixed.", ChangeKind.MINOR)
    (early,) = consent_cells()
    assert early.startswith('<span class="version">v1</span>')
    assert "covers v2 (minor changes since)" in early and "re-confirmation" not in early

    new_version("A rewritten call.", ChangeKind.SUBSTANTIVE)
    sign_as(app, statement, people["owner"], "Late Comer")
    early, late = consent_cells()
    assert "Needs re-confirmation: not asked yet" in early
    assert late == '<span class="version">v3</span>'


def test_the_dashboard_counts_the_names_the_documents_print(app, team):
    from signon.statements.models import ChangeKind, Statement
    from signon.statements.service import save_version

    statement, people = team
    for name in ("Early Bird", "Second Bird"):
        sign_as(app, statement, people["owner"], name)

    def signatories_cell() -> str:
        page = logged_in(app, people["owner"]).get("/").get_data(as_text=True)
        cell = re.search(r'<td class="num" data-label="Signatories">(.*?)</td>', page, re.S)[1]
        return re.sub(r"<[^>]+>", " ", cell).split()

    assert signatories_cell() == ["2"]
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        save_version(
            record, title=record.title, body="A new call.", author=None, kind=ChangeKind.SUBSTANTIVE
        )
        db.session.commit()
    sign_as(app, statement, people["owner"], "Late Bird")
    assert signatories_cell() == ["1", "2", "to", "re-confirm"]
    page = logged_in(app, people["owner"]).get(f"/statements/{statement.slug}")
    html = page.get_data(as_text=True)
    heading = r'id="signatories-heading">Signatories <span class="count"[^>]*>1</span>'
    assert re.search(heading, html)
    # The Text tab shows the list as it prints; the two waiting are said, not numbered.
    assert "Late Bird" in html
    assert "2 signers must re-confirm the new text before being listed again" in html


def test_editor_corrects_a_name_and_the_change_is_recorded(app, team):
    statement, people = team
    signature_id = sign_as(app, statement, people["owner"], "Artcle 19", acronym="A19")
    editor = logged_in(app, people["editor"])
    url = f"/statements/{statement.slug}/signatures/{signature_id}/edit"
    form = editor.get(url)
    assert form.status_code == 200
    assert 'value="Artcle 19"' in form.get_data(as_text=True)
    correction = {
        "name": "Article 19",
        "acronym": "ART19",
        "note": "London",
        "listed_publicly": "named",
    }
    saved = editor.post(url, correction)
    assert saved.status_code == 302
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        assert (signature.name, signature.acronym, signature.note) == (
            "Article 19",
            "ART19",
            "London",
        )
        assert signature.name_key == "article 19"
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "signature edited by team")
        )
        assert event.actor == "Ed Editor <ed@coalition.example>"
        assert event.detail["signature"] == signature_id
        unchanged = {"country": "", "listed_publicly": True}
        assert event.detail["before"] == {
            "name": "Artcle 19", "acronym": "A19", "note": "", **unchanged
        }  # fmt: skip
        assert event.detail["after"] == {
            "name": "Article 19", "acronym": "ART19", "note": "London", **unchanged
        }  # fmt: skip
    assert "Article 19 (ART19), London" in final_list(list_page(editor, statement))

    # Saving the same values again records nothing more.
    editor.post(url, correction)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "signature edited by team")
        ).all()
        assert len(events) == 1


def test_a_correction_to_an_unnamed_signer_keeps_no_names_in_the_audit_trail(app, team):
    """Audit rows are never edited or purged: for a signer who asked not to be
    named, they record which fields changed, not the names."""
    statement, people = team
    signature_id = sign_as(
        app, statement, people["owner"], "Jane Quiet", kind="individual", listed_publicly=""
    )
    editor = logged_in(app, people["editor"])
    url = f"/statements/{statement.slug}/signatures/{signature_id}/edit"
    assert editor.post(url, {"name": "Jane Q. Quiet", "acronym": "", "note": ""}).status_code == 302
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "signature edited by team")
        )
        assert event.detail == {"signature": signature_id, "changed": ["name"]}
        assert "Quiet" not in repr(event.detail)
    # The trail names the entry as it is now (looked up, not stored) and the field.
    trail = editor.get(f"/statements/{statement.slug}/audit.csv").get_data(as_text=True)
    assert "Entry corrected by the team,Jane Q. Quiet (signature 1); changed: name" in trail


def test_edits_refuse_bad_input_and_viewers(app, team):
    statement, people = team
    signature_id = sign_as(app, statement, people["owner"], "Article 19")
    url = f"/statements/{statement.slug}/signatures/{signature_id}/edit"
    editor = logged_in(app, people["editor"])
    for bad in ({"name": ""}, {"name": "A\r\nB"}, {"name": "A\x00B"}, {"name": "x" * 301}):
        response = editor.post(url, {"acronym": "", "note": "", **bad})
        assert response.status_code == 400, bad
    viewer = logged_in(app, people["viewer"])
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"name": "Hijacked"}).status_code == 403
    with app.app_context():
        assert db.session.get(Signature, signature_id).name == "Article 19"


def test_possible_duplicates_are_flagged_never_merged(app, team):
    statement, people = team
    owner = people["owner"]
    first = sign_as(app, statement, owner, "The Article 19")
    same = sign_as(app, statement, owner, "ARTICLE-19")
    lookalike = sign_as(app, statement, owner, "Аrticle 19")  # a Cyrillic А
    other = sign_as(app, statement, owner, "Freedom House")
    page = list_page(logged_in(app, owner), statement)

    def flags_of(signature_id):
        row = re.search(rf'<tr id="signature-{signature_id}">.*?</tr>', page, re.S).group(0)
        return re.findall(r'Possible duplicate \(([^)]+)\) of <a href="#signature-(\d+)"', row)

    assert ("same name", str(same)) in flags_of(first)
    assert ("same name", str(first)) in flags_of(same)
    assert ("look-alike letters from another script", str(first)) in flags_of(lookalike)
    assert ("look-alike letters from another script", str(lookalike)) in flags_of(same)
    assert flags_of(other) == []
    # Nothing merged: every one is still a row, and each prints.
    final = final_list(page)
    for name in ("The Article 19", "ARTICLE-19", "Аrticle 19", "Freedom House"):
        assert name in final


def test_same_contact_email_is_flagged(app, team):
    statement, people = team
    a = sign_as(app, statement, people["owner"], "Org One", contact_email="same@ngo.example")
    b = sign_as(app, statement, people["owner"], "Org Two", contact_email="Same@NGO.example")
    page = list_page(logged_in(app, people["owner"]), statement)
    assert f'Possible duplicate (same contact email) of <a href="#signature-{b}"' in page
    assert f'Possible duplicate (same contact email) of <a href="#signature-{a}"' in page


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Article 19", "article 19"),
        ("The Article 19", "Article 19"),
        ("Article 19.", "Article-19"),
        ("L’Observatoire", "Observatoire"),  # a typographic apostrophe
        ("L'Observatoire", "l observatoire"),
        ("Les Amis de la Terre", "Amis de la Terre"),
        ("ＡＲＴＩＣＬＥ １９", "Article 19"),  # fullwidth: NFKC
        ("Straße e.V.", "STRASSE e.V."),  # casefold
        ("Cafe\u0301 Libre", "Café Libre"),  # decomposed accent
        ("Article\u200b 19", "Article 19"),  # a zero-width space
        ("हिन्दी संस्था", "हिन्दी  संस्था!"),
    ],
)
def test_name_keys_match_the_same_organisation_written_two_ways(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Article 19", "Article 20"),
        ("The Others", "Others Today"),
        ("Café Libre", "Cafe Libre"),
        ("हिन्दी संस्था", "हन्द संस्था"),  # vowel signs are marks, and they count
    ],
)
def test_name_keys_keep_different_names_apart(a, b):
    assert name_key(a) != name_key(b)


def test_an_article_alone_is_a_name():
    assert name_key("The") == "the"
    assert name_key("  ") == ""


@pytest.mark.parametrize(
    "lookalike",
    [
        "Аrticle 19",  # Cyrillic А, capital
        "Artiсle 19",  # Cyrillic с
        "ΑRTICLE 19",  # Greek Alpha
        "ARTICLΕ 19",  # Greek Epsilon
        "HRW",  # the Latin original, for the one below
    ],
)
def test_lookalike_letters_share_a_skeleton(lookalike):
    latin = "HRW" if lookalike == "HRW" else "Article 19"
    assert skeleton(lookalike) == skeleton(latin)


def test_greek_eta_looks_like_h():
    flags = find_duplicates([(1, "HRW", ""), (2, "ΗRW", "")])  # Greek capital Eta
    assert (1, "look-alike letters from another script") in [
        (f.other_id, f.reason) for f in flags[2]
    ]


def test_a_lookalike_letter_inside_a_latin_word_is_flagged_on_its_own(app, team):
    statement, people = team
    alone = sign_as(app, statement, people["owner"], "Human Rights Wаtch")  # Cyrillic а
    page = list_page(logged_in(app, people["owner"]), statement)
    row = re.search(rf'<tr id="signature-{alone}">.*?</tr>', page, re.S).group(0)
    assert "Check this name: Latin letters mixed with look-alikes from another script" in row


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("Human Rights Wаtch", True),  # Cyrillic а inside a Latin word
        ("ΑRTICLE 19", True),  # Greek Alpha
        ("Memorial / Мемориал", False),  # bilingual: each word in one script
        ("Мемориал", False),
        ("Article 19", False),
        ("Société Générale des Œuvres", False),
    ],
)
def test_mixed_scripts_within_a_word(name, flagged):
    flags = find_duplicates([(1, name, "")])
    assert (1 in flags) is flagged
    if flagged:
        assert flags[1][0].other_id is None


def test_a_name_entirely_in_another_script_is_not_a_lookalike():
    flags = find_duplicates([(1, "Мемориал", ""), (2, "Memorial", ""), (3, "Мемориал", "")])
    assert 2 not in flags
    assert [f.reason for f in flags[1]] == ["same name"]


def test_final_list_preview_prints_in_order_with_the_anonymous_sentence(
    app, dummy_user, create_statement
):
    statement = create_statement()
    open_for_signing(app, statement, intro="Signed by the following organisations:")
    lead = dummy_user
    sign_as(app, statement, lead, "Zeta Watch", acronym="ZW", country="Kenya")
    sign_as(app, statement, lead, "The Amnesty Circle", note="within the framework of X")
    sign_as(app, statement, lead, "Öko Forum")
    sign_as(app, statement, lead, "Jane Doe", kind="individual", authorised_by="")
    sign_as(app, statement, lead, "Hidden One", listed_publicly=None)
    sign_as(app, statement, lead, "Hidden Two", listed_publicly=None)
    withdrawn = sign_as(app, statement, lead, "Gone Away")
    with app.app_context():
        db.session.get(Signature, withdrawn).state = SignatureState.WITHDRAWN
        db.session.commit()

    final = final_list(list_page(logged_in(app, lead), statement))
    assert "Signed by the following organisations:" in final
    items = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", final)]
    assert items == [
        "The Amnesty Circle, within the framework of X",
        "Öko Forum",
        "Zeta Watch (ZW) (Kenya)",
        "Jane Doe",
    ]
    assert "and 2 other organisations that asked not to be named" in final
    assert "Hidden" not in final
    assert "Gone Away" not in final


def test_as_listed_order_is_the_order_of_signing(app, dummy_user, create_statement):
    statement = create_statement()
    open_for_signing(app, statement, order="as-listed")
    for name in ("Zeta Watch", "Alpha Aid", "Mu Media"):
        sign_as(app, statement, dummy_user, name)
    final = final_list(list_page(logged_in(app, dummy_user), statement))
    assert re.findall(r"<li>(.*?)</li>", final) == ["Zeta Watch", "Alpha Aid", "Mu Media"]


def test_the_signatures_table_shows_each_entry_as_it_prints_country_included(app, team):
    statement, people = team
    sign_as(app, statement, people["owner"], "Article 19", acronym="A19", country="Kyrgyzstan")
    page = list_page(logged_in(app, people["editor"]), statement)
    assert '<span class="printed-line">Article 19 (A19) (Kyrgyzstan)</span>' in page


def test_unlisted_entries_are_marked_not_listed(app, team):
    from .public_steps import withdraw_signature

    statement, people = team
    gone = sign_as(app, statement, people["owner"], "Gone Group")
    withdraw_signature(app, gone)
    sign_as(app, statement, people["owner"], "Still Here")
    page = list_page(logged_in(app, people["viewer"]), statement)
    rows = dict(re.findall(r'<tr id="signature-(\d+)">(.*?)</tr>', page, re.S))
    assert '<span class="tag">not listed</span>' in rows[str(gone)]
    assert "not listed" not in next(row for key, row in rows.items() if key != str(gone))
