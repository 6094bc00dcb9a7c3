"""The lead names who is asking: on the edit page, in the statement file, audited."""

from __future__ import annotations

from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.statements.files import dump_statement_file, read_statement_file
from signon.statements.models import Statement
from signon.workspace.transfer import export_statement


def _statement(app, slug):
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
        return statement.lead_organisation_names, statement.current_version.number


def _edit(web, slug, **changes):
    form = {"title": "Free the journalists", "language": "en", "body": "We call for release.\n"}
    form.update(changes)
    return web.post(f"/statements/{slug}/edit", {**form, "save": "Save"})


def test_lead_names_the_lead_organisations_when_creating_a_statement(app, web, dummy_user):
    web.login(dummy_user)
    response = web.post(
        "/statements/new",
        {
            "title": "Free the journalists",
            "language": "en",
            "lead_organisations": "  Civil Rights Defenders \n\nArticle 19\n",
            "body": "We call for release.\n",
            "save": "Save",
        },
    )
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[-1]
    assert _statement(app, slug) == (["Civil Rights Defenders", "Article 19"], 1)
    page = web.get(f"/statements/{slug}").get_data(as_text=True)
    assert "Lead organisations: Civil Rights Defenders, Article 19" in page


def test_changing_only_the_lead_organisations_saves_them_without_a_version(
    app, web, dummy_user, create_statement
):
    statement = create_statement(title="Free the journalists", body="We call for release.\n")
    web.login(dummy_user)
    response = _edit(web, statement.slug, lead_organisations="Civil Rights Defenders")
    assert response.status_code == 302
    assert _statement(app, statement.slug) == (["Civil Rights Defenders"], 1)
    page = web.get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert "Lead organisations saved. The text did not change" in page
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "lead organisations changed")
        )
        assert event.detail["lead_organisations"] == ["Civil Rights Defenders"]


def test_bad_lead_organisations_are_refused_and_nothing_is_saved(
    app, web, dummy_user, create_statement
):
    statement = create_statement(title="Free the journalists", body="We call for release.\n")
    web.login(dummy_user)
    for bad, message in (
        ("A" * 301, "under 300 characters"),
        ("\n".join(f"Org {n}" for n in range(21)), "at most 20 lead organisations"),
        ("Civil\x00Rights", "control characters"),
    ):
        response = _edit(web, statement.slug, lead_organisations=bad, body="A new text.\n")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert _statement(app, statement.slug) == ([], 1)


def test_statement_files_carry_the_lead_organisations_both_ways(app, tmp_path, runner):
    path = tmp_path / "kloop.md"
    path.write_text(
        "---\n"
        'title: "End the crackdown on Kloop"\n'
        "slug: kloop\n"
        'lead_organisations: ["Civil Rights Defenders", "Article 19"]\n'
        "---\n"
        "We call on the authorities.\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert _statement(app, "kloop")[0] == ["Civil Rights Defenders", "Article 19"]
    with app.app_context():
        text = dump_statement_file(
            export_statement(db.session.scalar(select(Statement).where(Statement.slug == "kloop")))
        )
    assert "lead_organisations:\n- Civil Rights Defenders\n- Article 19\n" in text
    again = tmp_path / "again.md"
    again.write_text(text, encoding="utf-8")
    assert read_statement_file(again).lead_organisations == ["Civil Rights Defenders", "Article 19"]


def test_a_statement_file_with_lead_organisations_that_are_not_names_is_refused(tmp_path):
    import pytest

    from signon.statements.files import StatementFileError

    path = tmp_path / "bad.md"
    path.write_text(
        '---\ntitle: "T"\nlead_organisations: {name: "x"}\n---\nText\n', encoding="utf-8"
    )
    with pytest.raises(StatementFileError, match=r"bad.md:3: 'lead_organisations' must be a list"):
        read_statement_file(path)


def test_naming_the_leads_after_people_signed_asks_no_change_kind(
    app, web, dummy_user, create_statement
):
    from .public_steps import sign_as
    from .sign_on_steps import open_for_signing

    statement = create_statement(title="Free the journalists", body="We call for release.\n")
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Article 19")
    web.login(dummy_user)
    response = _edit(web, statement.slug, lead_organisations="Civil Rights Defenders")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _statement(app, statement.slug) == (["Civil Rights Defenders"], 1)
    # A new text still needs the choice.
    refused = _edit(web, statement.slug, body="A different call.\n")
    assert refused.status_code == 400
    assert _statement(app, statement.slug)[1] == 1
