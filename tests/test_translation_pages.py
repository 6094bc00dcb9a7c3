"""The team's translation pages (issue 15): the Languages page lists the master and
each translation with its state; an editor adds a Kyrgyz translation beside the
English text, updates it after a substantive change of the text (the changes
marked beside the form), drops it, and says which text is authoritative; a viewer
reads and changes nothing; bad input saves nothing; an out-of-date translation is
flagged on every team page until it is updated."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.signatures.models import Signature
from signon.statements.models import Statement
from signon.statements.translation_models import Translation, TranslationVersion

from .sign_on_steps import invite_partners, open_for_signing, partner, sign_form
from .support import Web

TEXT = "We call on the authorities to release the journalists.\n"
KY_TITLE = "Журналисттерди бошоткула"
KY_BODY = "Биз бийликти журналисттерди бошотууга чакырабыз.\n"
STALE = "The Kyrgyz translation is out of date: the text changed substantively since version 1."


@pytest.fixture
def team(app, create_user, create_statement, dummy_user):
    editor = create_user(email="ed@coalition.example", name="Ed Editor")
    viewer = create_user(email="vi@coalition.example", name="Vi Viewer")
    statement = create_statement(
        title="Free the journalists", body=TEXT, members={editor: "editor", viewer: "viewer"}
    )
    return statement, editor, viewer


def logged_in(app, user) -> Web:
    web = Web(app.test_client())
    assert web.login(user).status_code == 302
    return web


def translate(web, slug, language="ky", **fields):
    data = {"title": KY_TITLE, "body": KY_BODY, "intro": "", "note": "", "master_version": "1"}
    data.update(fields)
    return web.post(f"/statements/{slug}/translations/{language}", data)


def versions(app, language="ky") -> list[tuple[int, int, str]]:
    """(number, master version number, change kind) of each version of a translation."""
    with app.app_context():
        rows = db.session.scalars(
            select(TranslationVersion)
            .join(Translation)
            .where(Translation.language == language)
            .order_by(TranslationVersion.number)
        ).all()
        return [(v.number, v.master_version.number, v.change_kind.value) for v in rows]


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Translation, TranslationVersion, AuditEvent)
        )


def change_the_text(web, slug, body):
    response = web.post(
        f"/statements/{slug}/edit",
        {"title": "Free the journalists", "language": "en", "body": body, "save": "Save"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_editor_adds_a_kyrgyz_translation_beside_the_english_text(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    page = web.get(f"/statements/{statement.slug}/translations").get_data(as_text=True)
    assert "master text" in page and "Кыргызча" in page
    assert re.search(r'<option value="ky">Kyrgyz · Кыргызча \(ky\)</option>', page)
    assert '<option value="en"' not in page  # the master's own language

    chosen = web.get(f"/statements/{statement.slug}/translations?language=ky")
    assert chosen.status_code == 303
    assert chosen.location.endswith(f"/statements/{statement.slug}/translations/ky")
    editor_page = web.get(chosen.location).get_data(as_text=True)
    assert "New translation: Kyrgyz" in editor_page
    assert "release the journalists" in editor_page  # the master beside the form
    assert 'name="change_kind"' not in editor_page  # nobody reads it yet

    saved = translate(web, statement.slug, intro="Кол койгондор:")
    assert saved.status_code == 303
    assert saved.location.endswith(f"/statements/{statement.slug}/translations")
    assert versions(app) == [(1, 1, "initial")]
    page = web.get(saved.location).get_data(as_text=True)
    assert "The Kyrgyz translation is saved as version 1." in page
    row = page[page.index('id="language-ky"') :].split("</tr>")[0]
    assert "current" in row and "v1" in row and "text v1" in row and "Ed Editor" in row
    with app.app_context():
        version = db.session.scalars(select(TranslationVersion)).one()
        assert version.fingerprint in row and version.intro == "Кол койгондор:"
    assert '<option value="ky"' not in page  # added: no longer offered to add


def test_editing_a_translation_saves_its_next_version_or_nothing(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    form = web.get(f"/statements/{statement.slug}/translations/ky").get_data(as_text=True)
    assert KY_TITLE in form and "The Kyrgyz translation" in form

    same = translate(web, statement.slug)
    assert same.status_code == 303
    assert "no new version" in web.get(same.location).get_data(as_text=True)
    fixed = translate(web, statement.slug, body=KY_BODY + "\nДароо.\n", note="Typo")
    assert fixed.status_code == 303
    assert versions(app) == [(1, 1, "initial"), (2, 1, "minor")]


def test_the_editor_marks_the_changes_of_the_text_since_the_version_translated(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    change_the_text(web, statement.slug, TEXT + "\nAnd drop every charge against them.\n")

    page = web.get(f"/statements/{statement.slug}/translations/ky").get_data(as_text=True)
    assert "Changes since version 1, the version the translation translates" in page
    assert re.search(r"<ins>.*drop every charge", page, re.S)
    assert "The text, version 2" in page
    assert 'name="master_version" type="hidden" value="2"' in page


def test_out_of_date_warning_appears_after_a_substantive_change_and_goes_once_updated(app, team):
    statement, editor, viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    for path in ("", "/history", "/signatures", "/translations"):
        assert STALE not in web.get(f"/statements/{statement.slug}{path}").get_data(as_text=True)

    change_the_text(web, statement.slug, "We demand the immediate release of the journalists.\n")
    for path in ("", "/history", "/diff", "/signatures", "/translations", "/edit"):
        page = web.get(f"/statements/{statement.slug}{path}").get_data(as_text=True)
        assert STALE in page, path
        assert f'href="/statements/{statement.slug}/translations/ky"' in page, path
    row = web.get(f"/statements/{statement.slug}/translations").get_data(as_text=True)
    assert "out of date" in row.split('id="language-ky"')[1].split("</tr>")[0]
    # A viewer is told too, and led to the Languages page rather than the editor.
    viewer_page = logged_in(app, viewer).get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert STALE in viewer_page
    assert f'href="/statements/{statement.slug}/translations/ky"' not in viewer_page

    updated = translate(web, statement.slug, body="Биз дароо бошотууну талап кылабыз.\n", **{
        "master_version": "2"
    })  # fmt: skip
    assert updated.status_code == 303
    assert versions(app)[-1] == (2, 2, "substantive")  # it caught up: substantive by rule
    flashed = web.get(updated.location).get_data(as_text=True)
    assert "saved as version 2 (substantive change: 0 readers asked to confirm it)" in flashed
    assert "still out of date" not in flashed
    assert "current" in flashed.split('id="language-ky"')[1].split("</tr>")[0]
    for path in ("", "/history", "/translations"):
        assert STALE not in web.get(f"/statements/{statement.slug}{path}").get_data(as_text=True)


def test_a_version_of_an_older_text_leaves_the_translation_out_of_date(app, team):
    """The text changed while the translator worked: the form names the version
    they saw, the save says so and the translation stays out of date."""
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    change_the_text(web, statement.slug, "Another text.\n")

    saved = translate(web, statement.slug, body="Башка.\n", master_version="1")
    assert saved.status_code == 303
    page = web.get(saved.location).get_data(as_text=True)
    assert "the Kyrgyz translation is still out of date" in page
    assert versions(app)[-1] == (2, 1, "minor")


def test_editor_drops_a_translation_after_confirming(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    before = counts(app)

    asked = web.post(f"/statements/{statement.slug}/translations/ky/drop")
    assert asked.status_code == 200
    assert "Drop the Kyrgyz translation of “Free the journalists”?" in asked.get_data(as_text=True)
    assert counts(app) == before

    dropped = web.post(f"/statements/{statement.slug}/translations/ky/drop", {"confirm": "yes"})
    assert dropped.status_code == 303
    page = web.get(dropped.location).get_data(as_text=True)
    assert "The Kyrgyz translation is dropped" in page
    assert "dropped" in page.split('id="language-ky"')[1].split("</tr>")[0]
    with app.app_context():
        assert db.session.scalars(select(Translation)).one().dropped_at is not None
        assert db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "translation dropped")
        ).all() == ["translation dropped"]

    # Dropped, it is not flagged out of date after a substantive change.
    change_the_text(web, statement.slug, "Another text.\n")
    assert "out of date" not in web.get(f"/statements/{statement.slug}").get_data(as_text=True)
    # Saved again, it is offered again.
    assert translate(web, statement.slug, master_version="2").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Translation)).one().dropped_at is None


def test_owner_or_editor_says_which_text_is_authoritative(app, team, dummy_user):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    page = web.get(f"/statements/{statement.slug}/translations").get_data(as_text=True)
    assert "The English text is authoritative" in page

    saved = web.post(
        f"/statements/{statement.slug}/translations/authority", {"authority": "all-languages"}
    )
    assert saved.status_code == 303
    page = web.get(saved.location).get_data(as_text=True)
    assert "Every language of this statement is equally authoritative." in page
    with app.app_context():
        assert db.session.get(Statement, statement.id).all_languages_authoritative is True
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "authoritative text changed")
        ).all()
        assert [e.detail for e in events] == [{"all_languages": True}]

    owner = logged_in(app, dummy_user)
    back = owner.post(
        f"/statements/{statement.slug}/translations/authority", {"authority": "master-only"}
    )
    assert back.status_code == 303
    with app.app_context():
        assert db.session.get(Statement, statement.id).all_languages_authoritative is False

    refused = web.post(
        f"/statements/{statement.slug}/translations/authority", {"authority": "everything"}
    )
    assert refused.status_code == 400
    assert "Not a valid choice." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Statement, statement.id).all_languages_authoritative is False


def test_a_viewer_reads_the_languages_and_changes_nothing(app, team, dummy_user):
    statement, _editor, viewer = team
    translate(logged_in(app, dummy_user), statement.slug)
    before = counts(app)
    web = logged_in(app, viewer)

    page = web.get(f"/statements/{statement.slug}/translations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Кыргызча" in html and "current" in html
    assert "/translations/ky/drop" not in html and 'name="authority"' not in html
    assert 'name="language"' not in html

    slug = statement.slug
    refused = [
        web.get(f"/statements/{slug}/translations?language=fr"),
        web.get(f"/statements/{slug}/translations/ky"),
        translate(web, slug, title="Hijacked"),
        translate(web, slug, language="fr", title="Hijacked"),
        web.post(f"/statements/{slug}/translations/ky/drop", {"confirm": "yes"}),
        web.post(f"/statements/{slug}/translations/authority", {"authority": "all-languages"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert counts(app) == before
    assert versions(app) == [(1, 1, "initial")]
    with app.app_context():
        assert db.session.get(Statement, statement.id).all_languages_authoritative is False


def test_bad_input_answers_4xx_and_saves_nothing(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    slug = statement.slug
    before = counts(app)

    assert web.get(f"/statements/{slug}/translations/xx").status_code == 404
    assert web.get(f"/statements/{slug}/translations/en").status_code == 404  # the master's
    assert translate(web, slug, language="xx").status_code == 400
    assert translate(web, slug, language="en").status_code == 400
    chosen = web.get(f"/statements/{slug}/translations?language=en")
    assert chosen.status_code == 400
    assert web.post(f"/statements/{slug}/translations/fr/drop").status_code == 404  # none yet
    assert web.post(f"/statements/{slug}/translations/xx/drop").status_code == 400

    empty_title = translate(web, slug, title="  ")
    assert empty_title.status_code == 400
    assert "Give the translation a title." in empty_title.get_data(as_text=True)
    empty_body = translate(web, slug, body="")
    assert empty_body.status_code == 400
    assert "Write the translated text." in empty_body.get_data(as_text=True)
    missing = translate(web, slug, master_version="99")
    assert missing.status_code == 400
    html = missing.get_data(as_text=True)
    assert "Nothing was saved: Version 99 of the text does not exist." in html
    assert 'name="master_version" type="hidden" value="1"' in html  # the text shown
    for odd in ("abc", "0", "-1", str(2**64), ""):
        assert translate(web, slug, master_version=odd).status_code == 400, odd
    nul = translate(web, slug, body="a\x00b")
    assert nul.status_code == 400
    assert counts(app) == before


def test_a_translation_with_readers_asks_what_kind_of_change(app, team, dummy_user):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    open_for_signing(app, statement)
    (link,) = invite_partners(app, statement, [("Kloop", "kloop@ngo.example")], by=dummy_user)
    signer = partner(app, f"{link}/sign")
    signed = signer.post(
        f"{link}/sign?text=ky", sign_form(name="Kloop", contact_email="kloop@ngo.example")
    )
    assert signed.status_code == 303, signed.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.scalars(select(Signature)).one().translation_version is not None

    page = web.get(f"/statements/{statement.slug}/translations/ky").get_data(as_text=True)
    assert 'name="change_kind"' in page and "emails 1 signer" in page
    unsaid = translate(web, statement.slug, body="Башка сөздөр.\n")
    assert unsaid.status_code == 400
    assert "say whether this change is minor" in unsaid.get_data(as_text=True)
    assert versions(app) == [(1, 1, "initial")]

    said = translate(web, statement.slug, body="Башка сөздөр.\n", change_kind="substantive")
    assert said.status_code == 303
    assert "(substantive change: 1 reader asked to confirm it)" in web.get(said.location).get_data(
        as_text=True
    )
    assert versions(app)[-1] == (2, 1, "substantive")


def test_languages_are_named_in_the_page_language(app, team):
    statement, editor, _viewer = team
    web = logged_in(app, editor)
    translate(web, statement.slug)
    change_the_text(web, statement.slug, "Another text.\n")

    page = web.get(f"/statements/{statement.slug}/translations?lang=fr").get_data(as_text=True)
    assert "kirghize" in page and '<option value="de">allemand · Deutsch (de)</option>' in page
    shown = web.get(f"/statements/{statement.slug}?lang=ru")
    assert shown.status_code == 200
    assert "киргизский" in shown.get_data(as_text=True)
