"""Statement files: `signon import`, `signon export`, `signon demo` and statements/example.md."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import func, select, text

from signon.accounts.models import Membership, User
from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.paths import CHECKOUT as ROOT
from signon.signatures.listing import listed_signatures
from signon.signatures.models import (
    SignatoryKind,
    Signature,
    SignatureSource,
    SignatureState,
)
from signon.signatures.names import name_key
from signon.statements.models import SignatoryOrder, Statement, Version
from signon.text import fingerprint

EXAMPLE = ROOT / "statements" / "example.md"
EXAMPLE_SLUG = "meridia-journalists"


def split_statement_file(content: str) -> tuple[dict, str]:
    """Front matter (parsed by PyYAML alone) and body of a statement file."""
    match = re.match(r"---\n(.*?)\n---\n(.*)\Z", content, re.S)
    assert match, "not a statement file"
    return yaml.safe_load(match.group(1)), match.group(2)


EXAMPLE_FRONT, EXAMPLE_BODY = split_statement_file(EXAMPLE.read_text(encoding="utf-8"))


def stored(app, slug: str = EXAMPLE_SLUG) -> dict:
    """The statement with its versions and signatures, as plain values."""
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
        if statement is None:
            return {}
        versions = db.session.scalars(
            select(Version).where(Version.statement_id == statement.id).order_by(Version.number)
        ).all()
        signatures = db.session.scalars(
            select(Signature)
            .where(Signature.statement_id == statement.id)
            .order_by(Signature.position, Signature.id)
        ).all()
        result = {
            "statement": statement,
            "versions": versions,
            "signatures": signatures,
            "current": statement.current_version,
        }
        db.session.expunge_all()
        return result


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in ("statements", "versions", "signatures", "memberships")
        }


def import_file(runner, path, *extra):
    return runner.invoke(args=["import", str(path), *extra])


@pytest.fixture
def imported(runner, dummy_user):
    """statements/example.md imported with the lead as its owner."""
    result = import_file(runner, EXAMPLE, "--owner", dummy_user.email)
    assert result.exit_code == 0, result.output
    return result


# statements/example.md itself


def test_example_file_has_a_dozen_varied_signatories():
    signatories = EXAMPLE_FRONT["signatories"]
    assert len(signatories) == 12
    assert all(entry.get("name") for entry in signatories)
    assert sum(1 for entry in signatories if entry.get("acronym")) >= 6
    assert len({entry["country"] for entry in signatories if entry.get("country")}) >= 6
    assert any(entry.get("note", "").startswith("within the framework") for entry in signatories)
    assert [e["name"] for e in signatories if e.get("kind") == "individual"] == ["Amina Diallo"]
    assert sum(1 for entry in signatories if entry.get("anonymous") is True) >= 1
    assert EXAMPLE_FRONT["slug"] == EXAMPLE_SLUG
    assert "|---|" in EXAMPLE_BODY  # a table
    assert "[^law]:" in EXAMPLE_BODY  # a footnote


# signon import


def test_import_prints_the_slug_and_creates_the_statement(app, imported, dummy_user):
    assert imported.output == f"{EXAMPLE_SLUG}\n"

    found = stored(app)
    statement, [version] = found["statement"], found["versions"]
    assert statement.title == EXAMPLE_FRONT["title"]
    assert statement.language == "en"
    assert statement.date == "2026-11-20"
    assert statement.signatory_order is SignatoryOrder.ALPHABETICAL
    assert statement.signatories_intro == EXAMPLE_FRONT["signatories_intro"]
    assert version.number == 1
    assert version.body == EXAMPLE_BODY
    assert version.sha256 == fingerprint(EXAMPLE_FRONT["title"], EXAMPLE_BODY)
    assert version.note == "Imported from a statement file"
    assert version.author_id == dummy_user.id
    with app.app_context():
        [membership] = db.session.scalars(select(Membership)).all()
        assert (membership.user_id, membership.role.value) == (dummy_user.id, "owner")


def test_import_stores_every_signatory_as_a_signature(app, imported):
    found = stored(app)
    signatures, version = found["signatures"], found["current"]
    listed = EXAMPLE_FRONT["signatories"]

    assert len(signatures) == len(listed)
    for entry, signature in zip(listed, signatures, strict=True):
        assert signature.name == entry["name"]
        assert signature.acronym == entry.get("acronym", "")
        assert signature.country == entry.get("country", "")
        assert signature.website == entry.get("website", "")
        assert signature.note == entry.get("note", "")
        assert signature.kind is SignatoryKind(entry.get("kind", "organisation"))
        assert signature.listed_publicly is not entry.get("anonymous", False)
        assert signature.state is SignatureState.SIGNED
        assert signature.source is SignatureSource.IMPORT
        assert signature.version_id == version.id
        assert signature.text_sha256 == version.sha256
        assert signature.name_key == name_key(entry["name"])

    by_name = {s.name: s for s in signatures}
    assert by_name["Amina Diallo"].kind is SignatoryKind.INDIVIDUAL
    assert by_name["World Organisation Against Torture"].note.startswith("within the framework")
    assert not by_name["Free Voices Collective"].listed_publicly
    assert not by_name["Independent Journalists' Union of Meridia"].listed_publicly
    assert by_name["Article 19"].listed_publicly
    assert (
        by_name["The Baltic Centre for Media Freedom"].name_key == "baltic centre for media freedom"
    )


def test_imported_statement_page_shows_the_signatories(web, dummy_user, imported):
    web.login(dummy_user)
    page = web.get(f"/statements/{EXAMPLE_SLUG}").get_data(as_text=True)

    # The Text tab shows the list as it prints: the named ones, the others counted.
    for entry in EXAMPLE_FRONT["signatories"]:
        name = entry["name"].replace("'", "&#39;")
        assert (name in page) is not entry.get("anonymous", False)
    assert "<li>World Organisation Against Torture (OMCT), within the framework" in page
    assert "and 2 other organisations that asked not to be named" in page
    assert "Amina Diallo, press freedom lawyer" in page
    assert re.search(r'<span class="count"[^>]*>12</span>', page)
    assert "<table>" in page


# signon export


def test_export_prints_the_statement_file(app, runner, imported):
    result = runner.invoke(args=["export", EXAMPLE_SLUG])

    assert result.exit_code == 0, result.output
    front, body = split_statement_file(result.output)
    assert front["slug"] == EXAMPLE_SLUG
    assert body == EXAMPLE_BODY


def test_export_to_a_file_writes_the_same_text(runner, imported, tmp_path):
    printed = runner.invoke(args=["export", EXAMPLE_SLUG]).output
    target = tmp_path / "out" / "meridia.md"
    target.parent.mkdir()

    result = runner.invoke(args=["export", EXAMPLE_SLUG, "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {target}.\n"
    assert target.read_text(encoding="utf-8") == printed


def test_export_of_an_unknown_slug_fails(runner, imported):
    result = runner.invoke(args=["export", "no-such-statement"])
    assert result.exit_code != 0
    assert "No statement with the slug 'no-such-statement'" in result.output


def test_export_of_import_round_trips(runner, imported):
    exported = runner.invoke(args=["export", EXAMPLE_SLUG]).output

    front, body = split_statement_file(exported)
    assert front == EXAMPLE_FRONT
    assert body == EXAMPLE_BODY


def test_export_of_an_exported_file_is_identical(app, runner, imported, tmp_path):
    first = tmp_path / "first.md"
    runner.invoke(args=["export", EXAMPLE_SLUG, "-o", str(first)])
    copy = first.read_text(encoding="utf-8").replace(f"slug: {EXAMPLE_SLUG}", "slug: copy")
    (tmp_path / "copy.md").write_text(copy, encoding="utf-8")
    assert import_file(runner, tmp_path / "copy.md").output == "copy\n"

    again = runner.invoke(args=["export", "copy"]).output

    assert again == copy


def test_statement_file_download_matches_the_export(web, runner, dummy_user, imported):
    web.login(dummy_user)
    response = web.get(f"/statements/{EXAMPLE_SLUG}/export.md")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{EXAMPLE_SLUG}.md"'
    assert response.get_data(as_text=True) == runner.invoke(args=["export", EXAMPLE_SLUG]).output


# re-import


def test_reimport_with_a_changed_body_adds_version_two_and_replaces_signatories(
    app, runner, imported, tmp_path
):
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == EXAMPLE_SLUG))
        db.session.add(
            Signature(
                statement=statement,
                version=statement.current_version,
                source=SignatureSource.TEAM,
                state=SignatureState.SIGNED,
                name="Signed Through Signon",
                name_key=name_key("Signed Through Signon"),
            )
        )
        db.session.commit()
    source = EXAMPLE.read_text(encoding="utf-8")
    changed = source.replace("at least **eleven", "at least **twelve").replace(
        '  - name: "Article 19"\n    acronym: "A19"\n', ""
    )
    assert changed.count("\n  - name:") == 11
    path = tmp_path / "example.md"
    path.write_text(changed, encoding="utf-8")

    # Someone signed through signon: a new text must say what kind of change it is.
    refused = import_file(runner, path)
    assert refused.exit_code == 1
    assert "say whether the new text is a minor change (--change minor" in refused.output
    assert [v.number for v in stored(app)["versions"]] == [1]

    result = import_file(runner, path, "--change", "substantive")

    assert result.exit_code == 0, result.output
    assert result.output == f"{EXAMPLE_SLUG}\n"
    found = stored(app)
    assert [v.number for v in found["versions"]] == [1, 2]
    assert found["current"].change_kind.value == "substantive"
    assert "at least **twelve" in found["current"].body
    assert found["current"].note == "Imported from a statement file"
    imported_rows = [s for s in found["signatures"] if s.source is SignatureSource.IMPORT]
    assert [s.name for s in imported_rows] == [e["name"] for e in EXAMPLE_FRONT["signatories"][1:]]
    assert all(s.version_id == found["current"].id for s in imported_rows)
    assert len({s.name_key for s in imported_rows}) == len(imported_rows) == 11
    assert [s.name for s in found["signatures"] if s.source is SignatureSource.TEAM] == [
        "Signed Through Signon"
    ]
    # It signed version 1: off the list until it confirms the new text.
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == EXAMPLE_SLUG))
        listed = [s.name for s in listed_signatures(statement)]
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "Signed Through Signon" not in listed and len(listed) == 11
    assert actions[-2:] == ["version saved", "reconfirmation requested"]


def test_reimport_with_a_minor_change_keeps_consents(app, runner, imported, tmp_path):
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == EXAMPLE_SLUG))
        db.session.add(
            Signature(
                statement=statement,
                version=statement.current_version,
                source=SignatureSource.TEAM,
                state=SignatureState.SIGNED,
                name="Signed Through Signon",
                name_key=name_key("Signed Through Signon"),
            )
        )
        db.session.commit()
    path = tmp_path / "example.md"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace("at least", "at least "), "utf-8")
    result = import_file(runner, path, "--change", "minor")
    assert result.exit_code == 0, result.output
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == EXAMPLE_SLUG))
        assert statement.current_version.number == 2
        assert "Signed Through Signon" in [s.name for s in listed_signatures(statement)]


def test_reimport_of_the_same_file_adds_no_version_and_no_duplicates(app, runner, imported):
    result = import_file(runner, EXAMPLE)

    assert result.exit_code == 0, result.output
    found = stored(app)
    assert [v.number for v in found["versions"]] == [1]
    assert len(found["signatures"]) == 12


def test_import_without_slug_derives_one_from_the_title(app, runner, tmp_path):
    path = tmp_path / "plain.md"
    path.write_text('---\ntitle: "Stop the raids, now!"\n---\nText.\n', encoding="utf-8")

    assert import_file(runner, path).output == "stop-the-raids-now\n"
    assert import_file(runner, path).output == "stop-the-raids-now-2\n"
    assert stored(app, "stop-the-raids-now-2")["current"].body == "Text.\n"


# bad files

BAD_FILES = {
    "tab-in-yaml": (
        '---\ntitle: "Free the journalists"\nlanguage: en\nsignatories:\n'
        '\t- name: "Article 19"\n---\nBody.\n',
        5,
        "not valid YAML",
    ),
    "unclosed-quote": (
        '---\nlanguage: en\ntitle: "Free the journalists\nslug: free\ndate: 2026-11-20\n'
        "---\nBody.\n",
        3,
        "not valid YAML",
    ),
    "missing-colon": (
        '---\ntitle: "Free the journalists"\nlanguage en\nslug: free\n---\nBody.\n',
        3,
        "not valid YAML",
    ),
    "no-title": ("---\nlanguage: en\nslug: free\n---\nBody.\n", 2, "no 'title'"),
    "empty-title": (
        '---\nlanguage: en\ntitle: ""\n---\nBody.\n',
        3,
        "'title' is required and cannot be empty",
    ),
    "signatory-without-name": (
        "---\ntitle: Free them\nsignatories:\n"
        '  - name: "Article 19"\n'
        '  - name: "Media Defence Initiative"\n    acronym: "MDI"\n'
        '  - acronym: "CPR"\n    country: "United States"\n'
        '  - name: "Ligue des droits humains"\n'
        "---\nBody.\n",
        7,
        "signatory 3 has no name",
    ),
    "signatory-with-empty-name": (
        '---\ntitle: Free them\nsignatories:\n  - name: "Article 19"\n  - name: ""\n'
        '    country: "France"\n---\nBody.\n',
        5,
        "signatory 2 has no name",
    ),
    "unknown-language": (
        "---\ntitle: Free them\nslug: free\nlanguage: xx\n---\nBody.\n",
        4,
        "unknown language code 'xx'",
    ),
    "unknown-key": (
        "---\ntitle: Free them\nlanguage: en\nauthor: Lena\n---\nBody.\n",
        4,
        "unknown key 'author'",
    ),
    "unknown-key-with-a-list": (
        "---\ntitle: Free them\ntags:\n  - media\n  - meridia\nlanguage: en\n---\nBody.\n",
        3,
        "unknown key 'tags'",
    ),
    "unknown-signatory-key": (
        '---\ntitle: Free them\nsignatories:\n  - name: "Article 19"\n'
        "    email: press@article19.example\n---\nBody.\n",
        5,
        "signatory 1: unknown key 'email'",
    ),
    "control-character-in-a-name": (
        '---\ntitle: Free them\nsignatories:\n  - name: "Article\\x0719"\n---\nBody.\n',
        4,
        "'name' contains control characters",
    ),
    "nul-in-the-front-matter": (
        "---\ntitle: Free them\nlanguage: en\nslug: free\x00them\n---\nBody.\n",
        4,
        "not valid YAML",
    ),
    "nul-in-the-body": (
        "---\ntitle: Free them\n---\n\nFirst paragraph.\n\nSecond\x00 paragraph.\n",
        7,
        "the body contains control characters",
    ),
    "no-front-matter": ("# Free them\n\nBody.\n", 1, "must start with a '---' line"),
    "unclosed-front-matter": ("---\ntitle: Free them\n\nBody.\n", 1, "no closing '---' line"),
}


@pytest.mark.parametrize(("content", "line", "problem"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_statement_file_is_refused_with_its_line_and_nothing_written(
    app, runner, tmp_path, dummy_user, content, line, problem
):
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    before = row_counts(app)

    result = import_file(runner, path, "--owner", dummy_user.email)

    assert result.exit_code != 0
    assert f"{path}:{line}: " in result.output, result.output
    assert problem in result.output
    assert row_counts(app) == before == {
        "statements": 0, "versions": 0, "signatures": 0, "memberships": 0
    }  # fmt: skip


def test_file_that_is_not_utf8_is_refused_with_its_line(app, runner, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Free them\nlanguage: fr\n---\nLibérez-les.\n".encode("latin-1"))

    before = row_counts(app)

    result = import_file(runner, path)

    assert result.exit_code != 0
    assert f"{path}:5: the file is not UTF-8 text" in result.output
    assert row_counts(app) == before
    assert before["statements"] == 0


def test_missing_file_is_refused(app, runner, tmp_path):
    result = import_file(runner, tmp_path / "missing.md")
    assert result.exit_code != 0
    assert "missing.md" in result.output
    assert row_counts(app)["statements"] == 0


def test_bad_reimport_leaves_the_statement_as_it_was(app, runner, imported, tmp_path):
    path = tmp_path / "example.md"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("language: en", "language: xx"),
        encoding="utf-8",
    )
    before = row_counts(app)

    result = import_file(runner, path)

    assert result.exit_code != 0
    assert f"{path}:4: unknown language code 'xx'" in result.output
    assert row_counts(app) == before
    assert len(stored(app)["versions"]) == 1


# The agreed order: a file's list order is its order (signatory_order: as-listed)

AS_LISTED_FILE = """---
title: Free the Meridia Eleven
slug: meridia-order
signatory_order: as-listed
signatories:
  - name: Zeta Press Union
    acronym: ZPU
  - name: Article 19
  - name: Quiet Org
    anonymous: true
  - name: Mu Media
    country: Meridia
---
We call for the release of the Meridia Eleven.
"""


def exported_names(runner, slug: str) -> list[str]:
    result = runner.invoke(args=["export", slug])
    assert result.exit_code == 0, result.output
    front, _body = split_statement_file(result.output)
    return [entry["name"] for entry in front.get("signatories", [])]


def reorder_on_the_page(web, slug: str, names: list[str]) -> None:
    """The owner types the positions on the Signatures page and saves the order."""
    from .support import input_value

    page = web.get(f"/statements/{slug}/signatures").get_data(as_text=True)
    data = {"revision": input_value(page, "revision")}
    rows = re.findall(r'name="position-(\d+)"', page)
    with_ids = dict(zip(stored_names(page), rows, strict=True))
    for place, name in enumerate(names, start=1):
        data[f"position-{with_ids[name]}"] = str(place)
    response = web.post(f"/statements/{slug}/signatures/order", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def stored_names(page: str) -> list[str]:
    return re.findall(
        r'<label class="visually-hidden" for="position-\d+">Position of (.*?)</label>', page
    )


def test_a_file_order_survives_import_reorder_export_and_import_again(
    app, runner, web, dummy_user, tmp_path
):
    path = tmp_path / "order.md"
    path.write_text(AS_LISTED_FILE, encoding="utf-8")
    assert import_file(runner, path, "--owner", dummy_user.email).exit_code == 0
    in_file = ["Zeta Press Union", "Article 19", "Quiet Org", "Mu Media"]
    assert [s.name for s in stored(app, "meridia-order")["signatures"]] == in_file
    assert exported_names(runner, "meridia-order") == in_file

    web.login(dummy_user)
    reorder_on_the_page(
        web, "meridia-order", ["Mu Media", "Zeta Press Union", "Quiet Org", "Article 19"]
    )
    exported = runner.invoke(args=["export", "meridia-order"]).output
    front, _body = split_statement_file(exported)
    assert front["signatory_order"] == "as-listed"
    assert [e["name"] for e in front["signatories"]] == [
        "Mu Media", "Zeta Press Union", "Quiet Org", "Article 19",
    ]  # fmt: skip
    page = web.get("/statements/meridia-order/signatures").get_data(as_text=True)
    assert "Mu Media" in page.split('id="final-heading"')[1]

    (tmp_path / "exported.md").write_text(exported, encoding="utf-8")
    assert import_file(runner, tmp_path / "exported.md").exit_code == 0

    assert runner.invoke(args=["export", "meridia-order"]).output == exported
    positions = [s.position for s in stored(app, "meridia-order")["signatures"]]
    assert positions == [1, 2, 3, 4]


def test_reimport_puts_the_file_first_and_what_signon_collected_after(
    app, runner, web, dummy_user, tmp_path
):
    from .mail_support import outbox, sign_through_link
    from .sign_on_steps import invite, open_statement

    path = tmp_path / "order.md"
    path.write_text(AS_LISTED_FILE, encoding="utf-8")
    import_file(runner, path, "--owner", dummy_user.email)
    web.login(dummy_user)
    open_statement(web, "meridia-order", signatory_order="as-listed")
    invite(web, "meridia-order", "Bir Duino, bd@birduino.example")
    (message,) = outbox(app, kind="invitation")
    link = next(u for u in re.findall(r"https?://\S+", message.text_body) if "/i/" in u)
    signed = sign_through_link(
        app.test_client(), link, name="Bir Duino", acronym="", contact_email="bd@birduino.example"
    )
    assert signed.status_code == 303

    # The file changes its order and grows; signon's own signature stays after it.
    moved = AS_LISTED_FILE.replace("  - name: Zeta Press Union\n    acronym: ZPU\n", "")
    grown = moved.replace(
        "  - name: Mu Media\n",
        "  - name: Mu Media\n  - name: Zeta Press Union\n  - name: New One\n  - name: Newer Two\n",
    )
    path.write_text(grown, encoding="utf-8")
    assert import_file(runner, path).exit_code == 0

    signatures = stored(app, "meridia-order")["signatures"]
    assert [s.name for s in signatures] == [
        "Article 19", "Quiet Org", "Mu Media", "Zeta Press Union", "New One", "Newer Two",
        "Bir Duino",
    ]  # fmt: skip
    assert [s.position for s in signatures] == [1, 2, 3, 4, 5, 6, 7]
    with app.app_context():
        from signon.signatures.models import Invitation

        assert db.session.scalar(select(Invitation.position)) == 7


# signon demo


def test_demo_twice_gives_one_user_one_statement_and_the_same_password(app, runner, web):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    passwords = [
        re.search(r"log in as demo@example\.org with the password (\S+)", run.output).group(1)
        for run in (first, second)
    ]
    assert passwords[0] == passwords[1]
    assert f"http://signon.test/statements/{EXAMPLE_SLUG}" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 1
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 1
    found = stored(app)
    assert len(found["versions"]) == 1
    assert len(found["signatures"]) == 12

    demo_user = SimpleNamespace(email="demo@example.org", password=passwords[0])
    assert web.login(demo_user).status_code == 302
    assert web.get(f"/statements/{EXAMPLE_SLUG}").status_code == 200


def test_demo_password_is_kept_private_in_the_instance_folder(app, runner):
    runner.invoke(args=["demo"])
    password_file = Path(app.instance_path) / "demo-password"
    assert password_file.stat().st_mode & 0o777 == 0o600
