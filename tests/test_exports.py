"""Downloads of the list and the text: the team's CSV with contacts, the public CSV
without, both safe to open in a spreadsheet; Markdown and plain text of the page."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from signon.documents.csv import csv_bytes, safe_cell
from signon.documents.model import parse_body
from signon.documents.plain_text import body_markdown
from signon.extensions import db
from signon.signatures.models import Signature

from .public_steps import (
    CONTACT_DATA,
    NOT_ON_THE_LIST,
    csv_columns,
    csv_rows,
    logged_in,
    sign_as,
    signed_statement,
)

FORMULAS = ['=HYPERLINK("x")', "+1", "@SUM(1)", "-2"]


@pytest.fixture
def signed(app, create_statement, dummy_user):
    # A live list: the owner opted in, so the open statement's downloads are public.
    return signed_statement(app, create_statement, dummy_user, open_call=True, live_list=True)


@pytest.fixture
def team(create_user):
    return {
        "editor": create_user(email="ed@coalition.example", name="Ed Editor"),
        "viewer": create_user(email="vi@coalition.example", name="Vi Viewer"),
        "outsider": create_user(email="out@other.example", name="Oskar Outsider"),
    }


def add_team(app, statement, team) -> None:
    from signon.accounts.models import Membership, Role

    with app.app_context():
        db.session.add(
            Membership(user_id=team["editor"].id, statement_id=statement.id, role=Role.EDITOR)
        )
        db.session.add(
            Membership(user_id=team["viewer"].id, statement_id=statement.id, role=Role.VIEWER)
        )
        db.session.commit()


# CSV injection ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2", "'-2"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Article 19", "Article 19"),
        ("Naïve = fine", "Naïve = fine"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value, cell):
    assert safe_cell(value) == cell
    assert csv_rows(csv_bytes(["name"], [[value]]))[1] == [cell]


def test_formula_names_are_inert_in_both_csvs(app, client, create_statement, dummy_user, team):
    statement, _ids = signed_statement(app, create_statement, dummy_user, live_list=True)
    add_team(app, statement, team)
    for name in FORMULAS:
        sign_as(app, statement, dummy_user, name)
    # The forms refuse tabs and line breaks in a name; a row written another way
    # (an older import, a database edit) must still come out inert.
    tabbed = sign_as(app, statement, dummy_user, "Tab Org")
    returned = sign_as(app, statement, dummy_user, "Return Org")
    with app.app_context():
        for signature_id, name in ((tabbed, "\tTab Org"), (returned, "\rReturn Org")):
            db.session.execute(
                update(Signature).where(Signature.id == signature_id).values(name=name)
            )
        db.session.commit()

    public = csv_rows(client.get(f"/s/{statement.slug}.csv").data)
    team_rows = csv_rows(
        logged_in(app, team["editor"]).get(f"/statements/{statement.slug}/signatures.csv").data
    )
    for rows in (public, team_rows):
        names = [row[0] for row in rows[1:]]
        for name in [*FORMULAS, "\tTab Org", "\rReturn Org"]:
            assert "'" + name in names, (name, names)
        dangerous = [n for n in names if n[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert dangerous == []


# The team's CSV -----------------------------------------------------------------
def test_the_team_csv_has_every_signature_with_its_contacts(app, signed, dummy_user, team):
    statement, _ids = signed
    add_team(app, statement, team)
    for who in (dummy_user, team["editor"]):
        response = logged_in(app, who).get(f"/statements/{statement.slug}/signatures.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Cache-Control"] == "no-store"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = csv_rows(response.data)
        header, body = csv_columns(rows[0]), rows[1:]
        record = {row[0]: dict(zip(header, row, strict=True)) for row in body}
        assert set(record) == {
            "Zeta Press Union",
            "Article 19",
            "Jane Doe",
            "Quiet Network",
            "Gone Collective",
            "Unverified Voices",
        }
        assert record["Zeta Press Union"]["contact_email"] == "ana@zeta.example"
        assert record["Zeta Press Union"]["authorised_by"] == "Ana Zetova"
        assert record["Zeta Press Union"]["website"] == "https://zeta.example"
        assert record["Quiet Network"]["named"] == "no"
        # Counted, not named, is still listed: the CSV counts what the documents count.
        assert record["Quiet Network"]["listed"] == "yes"
        assert record["Quiet Network"]["consent"] == "covers the text"
        assert record["Gone Collective"]["listed"] == "no"
        assert record["Gone Collective"]["consent"] == ""
        assert record["Unverified Voices"]["listed"] == "no"
        positions = [int(r["position"]) for r in record.values()]
        assert positions == sorted(positions)
        assert record["Gone Collective"]["state"] == "withdrawn"
        assert record["Unverified Voices"]["state"] == "unverified"
        assert record["Article 19"]["version"] == "1"


def test_viewers_outsiders_and_strangers_get_no_contacts(app, client, signed, team):
    statement, _ids = signed
    add_team(app, statement, team)
    url = f"/statements/{statement.slug}/signatures.csv"
    assert logged_in(app, team["viewer"]).get(url).status_code == 403
    assert logged_in(app, team["outsider"]).get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


# The public CSV -----------------------------------------------------------------
def test_the_public_csv_is_the_final_list_without_contacts(client, signed):
    statement, _ids = signed
    response = client.get(f"/s/{statement.slug}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={statement.slug}-signatories.csv"
    )
    rows = csv_rows(response.data)
    assert rows == [
        ["Name", "Acronym", "Country", "Note", "Kind"],
        [
            "Article 19",
            "A19",
            "",
            "within the framework of the Media Freedom Coalition",
            "organisation",
        ],
        ["Zeta Press Union", "ZPU", "Meridia", "", "organisation"],
        ["Jane Doe", "", "Senegal", "", "individual"],
    ]
    text = response.data.decode("utf-8-sig")
    for private in (*CONTACT_DATA, *NOT_ON_THE_LIST):
        assert private not in text


# Markdown and plain text ----------------------------------------------------------
def test_the_markdown_download_is_the_page_as_markdown(client, signed):
    statement, _ids = signed
    response = client.get(f"/s/{statement.slug}.md")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f"attachment; filename={statement.slug}.md"
    text = response.get_data(as_text=True)
    assert text.startswith("# Free the Meridia Eleven\n")
    assert "---\ntitle:" not in text  # no front matter
    assert "We, the undersigned, call for the release of the *Meridia Eleven*.[^1]" in text
    assert "1. Release the journalists.\n2. Drop the charges." in text
    assert "[UN Special Rapporteur](https://www.ohchr.org/en/sr-freedom)" in text
    assert "[^1]: Detained since 3 November 2026." in text
    assert (
        "Signed by:\n\n"
        "- Article 19 (A19), within the framework of the Media Freedom Coalition\n"
        "- Zeta Press Union (ZPU) (Meridia)\n\n"
        "* Jane Doe (Senegal)\n\n"
        "and 1 other organisation that asked not to be named"
    ) in text
    assert "Text version 1 · fingerprint" in text
    for private in (*CONTACT_DATA, *NOT_ON_THE_LIST):
        assert private not in text


def test_the_text_download_is_the_page_as_plain_text(client, signed):
    statement, _ids = signed
    response = client.get(f"/s/{statement.slug}.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == f"attachment; filename={statement.slug}.txt"
    text = response.get_data(as_text=True)
    assert text.startswith("Free the Meridia Eleven\n=======================\n")
    assert "call for the release of the Meridia Eleven.[1]" in text
    assert "Our demands\n-----------" in text
    assert "UN Special Rapporteur (https://www.ohchr.org/en/sr-freedom)" in text
    assert "[1] Detained since 3 November 2026." in text
    assert (
        "Signed by:\n\n"
        "- Article 19 (A19), within the framework of the Media Freedom Coalition\n"
        "- Zeta Press Union (ZPU) (Meridia)\n\n"
        "- Jane Doe (Senegal)\n\n"
        "and 1 other organisation that asked not to be named"
    ) in text
    assert "*" not in text.split("* * *")[0]  # no Markdown emphasis left in the text
    for private in (*CONTACT_DATA, *NOT_ON_THE_LIST):
        assert private not in text


TRICKY_MARKDOWN = [
    "a *b **c** d* e and **bold *both* bold** and *it **both***",
    "1986. was a year\n\n# heading \\#\n\n\\- not a list, \\> not a quote, \\+ nor this",
    "- a\n- b\n\n* c\n* d\n\n1. one\n2. two\n\n1) again",
    "stars \\* and \\_ under, `code`, `` a`b ``, ` `` ` and \\<b\\> \\[x\\]",
    "line  \nbreak\\\n2. still the paragraph",
    "[link **bold**](https://x.example/a_(b)) and <https://auto.example> ![alt](x.png)",
    "| a | b\\|c |\n|:-|-:|\n| *x* | y |",
    "> quote\n> - list\n\n> other",
    "foo[^n]\n\n[^n]: note\n\n    more",
    "&amp; &copy; &#42; \\&amp;",
    "```\ncode ``` x\n```\n\n    indented",
    "***\n\n~~strike **bold**~~ end",
    "- a\n\n  b\n- c\n  1. nested\n  2. list",
    "x <b>raw</b> z<script>alert(1)</script>",
]


@pytest.mark.parametrize("source", TRICKY_MARKDOWN)
def test_markdown_from_the_model_reads_back_as_the_same_text(source):
    blocks, footnotes = parse_body(source)
    again = parse_body(body_markdown(blocks, footnotes))
    assert _plain(again) == _plain((blocks, footnotes))


def _plain(value):
    """The model with adjacent texts of one style joined (a soft line break is a
    text of its own in the model, a space once written on one line)."""
    import dataclasses

    from signon.documents.model import Text

    if isinstance(value, tuple):
        items = [_plain(v) for v in value]
        joined: list = []
        for item in items:
            if isinstance(item, Text) and joined and isinstance(joined[-1], Text):
                last = joined[-1]
                if (last.bold, last.italic, last.code, last.strike) == (
                    item.bold,
                    item.italic,
                    item.code,
                    item.strike,
                ):
                    joined[-1] = dataclasses.replace(last, text=last.text + item.text)
                    continue
            joined.append(item)
        return tuple(joined)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value, **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value
