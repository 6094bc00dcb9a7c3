"""A lead drafts a statement: versions, history, diffs, preview and safe rendering."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import bindparam, select, text

from signon.extensions import db
from signon.statements.models import ChangeKind, Statement, Version
from signon.text import canonical_text, fingerprint

from .factories import DEFAULT_BODY

TABLE_AND_FOOTNOTE = """We call for the release of the journalists.[^law]

| Outlet | Journalists detained |
|---|---|
| Meridia Today | 5 |
| Radio Horizon | 4 |

[^law]: Article 207-3 of the Criminal Code.
"""

HOSTILE_BODY = """Read [our report](https://example.org/report) or write to
[the press office](mailto:press@example.org).

<script>alert(1)</script>

<style>body { display: none }</style>

<img src="x" onerror="alert(2)">

<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==">data link</a>

[x](javascript:alert(1)) [y](JavaScript:alert(4)) [r][ref]

![x](file:///etc/passwd) [z](file:///etc/passwd) <javascript:alert(6)>

Only web and mail links: [ftp](ftp://files.example.org/list) [call](tel:+15550100)
[sms](sms:+15550100) ![pixel](https://tracker.example/pixel.gif)

[ref]: javascript:alert(5)
"""

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")


def version_rows(app, slug: str) -> list[Version]:
    """Every version of the statement, oldest first, detached from any session."""
    with app.app_context():
        rows = db.session.scalars(
            select(Version)
            .join(Statement, Version.statement_id == Statement.id)
            .where(Statement.slug == slug)
            .order_by(Version.number)
        ).all()
        db.session.expunge_all()
        return rows


def statement_row(app, slug: str) -> Statement | None:
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
        db.session.expunge_all()
        return statement


def save_edit(web, slug: str, *, title: str, body: str, note: str = "", language: str = "en"):
    return web.post(
        f"/statements/{slug}/edit",
        {"title": title, "body": body, "language": language, "note": note, "save": "Save"},
    )


def diff_marks(page: str) -> tuple[list[str], list[str]]:
    """The inserted and deleted pieces in a diff page, as the reader sees them."""
    inserted = re.findall(
        r'<ins><span class="mark">\[\+</span>(.*?)<span class="mark">\+\]</span></ins>', page, re.S
    )
    deleted = re.findall(
        r'<del><span class="mark">\[-</span>(.*?)<span class="mark">-\]</span></del>', page, re.S
    )
    return [html.unescape(p).strip() for p in inserted], [html.unescape(p).strip() for p in deleted]


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


class TagCollector(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tags_in(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = TagCollector()
    parser.feed(page)
    parser.close()
    return parser.tags


@pytest.fixture
def lead(web, dummy_user):
    assert web.login(dummy_user).status_code == 302
    return dummy_user


def test_lead_creates_statement_as_version_one(app, web, lead):
    before = datetime.now(UTC)
    body = "We call for the **release** of the journalists.  \r\n\r\n## Demands\r\n"
    response = web.post(
        "/statements/new",
        {
            "title": "  Free the journalists of Meridia ",
            "language": "fr",
            "body": body,
            "save": "Save",
        },
    )
    after = datetime.now(UTC)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/statements/free-the-journalists-of-meridia")
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 1 is saved" in page
    assert "<strong>release</strong>" in page

    statement = statement_row(app, "free-the-journalists-of-meridia")
    assert statement.title == "Free the journalists of Meridia"
    assert statement.language == "fr"
    [version] = version_rows(app, statement.slug)
    assert version.number == 1
    assert version.id == statement.current_version_id
    assert version.author_id == lead.id
    assert before <= version.created_at <= after
    assert version.note == "First draft"
    assert version.change_kind is ChangeKind.INITIAL
    assert version.body == "We call for the **release** of the journalists.\n\n## Demands\n"
    assert version.body == canonical_text(body)
    assert version.sha256 == fingerprint("Free the journalists of Meridia", body)
    assert re.fullmatch(r"[0-9a-f]{64}", version.sha256)


def test_lead_gives_first_version_a_note(app, web, lead):
    web.post(
        "/statements/new",
        {"title": "Free them", "language": "en", "body": "Text.", "note": "From the call"},
    )
    [version] = version_rows(app, "free-them")
    assert version.note == "From the call"


def test_lead_saves_new_version_with_note(app, web, lead, dummy_statement):
    before = datetime.now(UTC)
    new_body = DEFAULT_BODY.replace("Drop the charges.", "Drop all charges.")
    response = save_edit(
        web,
        dummy_statement.slug,
        title="Release the journalists now",
        body=new_body,
        note="Stronger demand on the charges",
    )

    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved as version 2." in page
    first, second = version_rows(app, dummy_statement.slug)
    assert (first.number, second.number) == (1, 2)
    assert second.author_id == lead.id
    assert second.created_at >= before
    assert second.note == "Stronger demand on the charges"
    assert second.title == "Release the journalists now"
    assert second.body == new_body
    assert second.sha256 == fingerprint("Release the journalists now", new_body)
    assert second.sha256 != first.sha256
    statement = statement_row(app, dummy_statement.slug)
    assert statement.current_version_id == second.id
    assert statement.title == "Release the journalists now"


@pytest.mark.parametrize(
    "pasted",
    [
        pytest.param(DEFAULT_BODY, id="identical"),
        pytest.param(DEFAULT_BODY.replace("\n", "\r\n"), id="crlf-line-endings"),
        pytest.param(DEFAULT_BODY.replace("\n", "   \n"), id="trailing-spaces"),
        pytest.param(DEFAULT_BODY.replace("\n", " \t\r\n") + "\r\n\r\n", id="both-and-blank-end"),
    ],
)
def test_saving_without_a_change_creates_no_version_and_says_so(
    app, web, lead, dummy_statement, pasted
):
    response = save_edit(
        web, dummy_statement.slug, title=f" {dummy_statement.title}  ", body=pasted, note="Resaved"
    )

    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "No change to the text, so no new version was saved." in page
    assert [v.number for v in version_rows(app, dummy_statement.slug)] == [1]


def test_history_lists_every_version(app, web, lead, dummy_statement):
    save_edit(web, dummy_statement.slug, title="Second title", body="Second.", note="Shorter")
    save_edit(web, dummy_statement.slug, title="Third title", body="Third.", note="Reworded")

    page = web.get(f"/statements/{dummy_statement.slug}/history").get_data(as_text=True)

    versions = version_rows(app, dummy_statement.slug)
    assert [v.number for v in versions] == [1, 2, 3]
    for version in versions:
        assert f"/statements/{dummy_statement.slug}/versions/{version.number}" in page
        assert version.sha256[:12] in page
        assert version.note in page
    assert page.count(f"<td>{lead.name}</td>") == 3  # the author of each version
    assert page.index(">v3<") < page.index(">v2<") < page.index(">v1<")  # newest first
    assert re.search(r">v3</a>\s*<span class=\"tag\">current</span>", page)


def test_each_version_page_shows_the_text_as_it_was(web, lead, dummy_statement):
    save_edit(web, dummy_statement.slug, title="Second title", body="The **second** wording.")

    first = web.get(f"/statements/{dummy_statement.slug}/versions/1").get_data(as_text=True)
    second = web.get(f"/statements/{dummy_statement.slug}/versions/2").get_data(as_text=True)
    assert "Drop the charges." in first
    assert "second" not in first
    assert "The <strong>second</strong> wording." in second
    assert web.get(f"/statements/{dummy_statement.slug}/versions/3").status_code == 404


@pytest.fixture
def three_versions(web, lead, create_statement):
    statement = create_statement(
        title="Free the journalists", body="The authorities must release the journalists.\n"
    )
    save_edit(
        web,
        statement.slug,
        title="Free the journalists",
        body="The authorities must immediately release the detained journalists.\n",
    )
    save_edit(
        web,
        statement.slug,
        title="Free the journalists",
        body="The government must immediately release the detained journalists.\n",
    )
    return statement


@pytest.mark.parametrize(
    ("old", "new", "inserted", "deleted"),
    [
        (1, 2, ["immediately", "detained"], []),
        (2, 3, ["government"], ["authorities"]),
        (1, 3, ["government", "immediately", "detained"], ["authorities"]),
        (3, 1, ["authorities"], ["government", "immediately", "detained"]),
    ],
)
def test_diff_between_any_two_versions_marks_insertions_and_deletions(
    web, three_versions, old, new, inserted, deleted
):
    response = web.get(f"/statements/{three_versions.slug}/diff?from={old}&to={new}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Version {old} → version {new}" in page
    found_inserted, found_deleted = diff_marks(page)
    assert sorted(found_inserted) == sorted(inserted)
    assert sorted(found_deleted) == sorted(deleted)
    assert f"{len(inserted)} words added, {len(deleted)} removed" in page
    assert "Title:" not in page  # the title did not change


def test_diff_reads_without_colour(web, three_versions):
    page = web.get(f"/statements/{three_versions.slug}/diff?from=1&to=3").get_data(as_text=True)

    body = re.search(r'<div class="diff diff-blocks"[^>]*>(.*?)</div>', page, re.S).group(1)
    plain = re.sub(r"\s+", " ", visible_text(body)).strip()
    assert plain == (
        "The [-authorities-][+government+] must [+immediately+] release the "
        "[+detained+] journalists."
    )


def test_diff_shows_a_title_change(web, lead, dummy_statement):
    save_edit(
        web,
        dummy_statement.slug,
        title="Release all detained journalists",
        body=DEFAULT_BODY,
        note="New title",
    )
    page = web.get(f"/statements/{dummy_statement.slug}/diff?from=1&to=2").get_data(as_text=True)

    title_line = re.search(r'<p class="diff diff-title">(.*?)</p>', page, re.S)
    assert title_line, "the title change is not shown"
    inserted, deleted = diff_marks(title_line.group(1))
    assert "Release all detained journalists" in " ".join(inserted)
    assert dummy_statement.title in " ".join(deleted)
    assert "0 words added, 0 removed" in page  # the body did not change


def test_diff_of_a_missing_version_is_not_found(web, three_versions):
    assert web.get(f"/statements/{three_versions.slug}/diff?from=1&to=9").status_code == 404


def test_preview_renders_markdown_and_changes_without_saving(app, web, lead, dummy_statement):
    draft = DEFAULT_BODY.replace("Drop the charges.", "Drop **all** the charges.")
    response = web.post(
        f"/statements/{dummy_statement.slug}/edit",
        {
            "title": dummy_statement.title,
            "body": draft,
            "language": "en",
            "note": "Tried a stronger demand",
            "preview": "Preview",
        },
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "(not saved yet)" in page
    assert "<li>Drop <strong>all</strong> the charges.</li>" in page
    assert "Changes against version 1 <span" in page
    assert "1 words added, 0 removed" in page
    inserted, deleted = diff_marks(page)
    assert inserted == ["all"]  # the text as read: no Markdown ** in a diff
    assert deleted == []
    assert "Drop **all** the charges." in page  # the textarea keeps the draft
    versions = version_rows(app, dummy_statement.slug)
    assert [v.number for v in versions] == [1]
    assert versions[0].body == DEFAULT_BODY
    assert statement_row(app, dummy_statement.slug).title == dummy_statement.title


def test_preview_of_a_new_statement_saves_nothing(app, web, lead):
    response = web.post(
        "/statements/new",
        {"title": "Draft idea", "body": "A *first* idea.", "language": "en", "preview": "Preview"},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "(not saved yet)" in page
    assert "A <em>first</em> idea." in page
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM statements")) == 0
        assert db.session.scalar(text("SELECT count(*) FROM versions")) == 0


def test_statement_page_renders_tables_and_footnotes(web, lead, create_statement):
    statement = create_statement(title="With a table", body=TABLE_AND_FOOTNOTE)

    page = web.get(f"/statements/{statement.slug}").get_data(as_text=True)

    assert re.search(r"<table>\s*<thead>\s*<tr>\s*<th>Outlet</th>", page)
    assert "<td>Meridia Today</td>" in page
    assert "<td>Radio Horizon</td>" in page
    footnote_ref = re.search(
        r'<sup class="footnote-ref"><a href="#(fn\d+)" id="(fnref\d+)"[^>]*>1</a></sup>', page
    )
    assert footnote_ref, "no footnote reference"
    note_id, back_id = footnote_ref.groups()
    assert '<section class="footnotes">' in page
    assert re.search(rf'<li id="{note_id}"><p>Article 207-3 of the Criminal Code\.', page)
    assert f'href="#{back_id}"' in page


@pytest.mark.parametrize("where", ["statement", "version", "preview"])
def test_markdown_cannot_smuggle_scripts_styles_handlers_or_unsafe_links(
    web, lead, create_statement, where
):
    statement = create_statement(title="Hostile text", body=HOSTILE_BODY)
    if where == "statement":
        response = web.get(f"/statements/{statement.slug}")
    elif where == "version":
        response = web.get(f"/statements/{statement.slug}/versions/1")
    else:
        response = web.post(
            f"/statements/{statement.slug}/edit",
            {"title": "Hostile text", "body": HOSTILE_BODY, "language": "en", "preview": "1"},
        )
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    tags = tags_in(page)
    assert "<script" not in page.lower()
    assert "<style" not in page.lower()
    assert not [tag for tag, _ in tags if tag in ("script", "style", "img", "iframe", "object")]
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")], (
        "an event handler attribute reached the page"
    )
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name == "style"]
    for tag, attrs in tags:
        for name, value in attrs.items():
            compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            assert not any(scheme in compact for scheme in UNSAFE_SCHEMES), f"<{tag} {name}=...>"
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a" and "href" in attrs]
    assert all(href.startswith(("https://", "http://", "mailto:", "/", "#")) for href in hrefs)
    assert "https://example.org/report" in hrefs
    assert "mailto:press@example.org" in hrefs
    # Raw HTML is dropped whole: neither markup nor the script's text reaches the page.
    # The editor's textarea and the source diff echo the Markdown as typed, escaped.
    rendered = re.sub(r"<textarea.*?</textarea>|<details.*?</details>", "", page, flags=re.DOTALL)
    assert "alert(1)</" not in rendered and "&lt;script" not in rendered


def test_versions_are_immutable(app, web, lead, dummy_statement):
    save_edit(web, dummy_statement.slug, title="Second title", body="Second.", note="Two")

    def stored_rows():
        with app.app_context():
            query = text(
                "SELECT * FROM versions WHERE number IN :numbers ORDER BY number"
            ).bindparams(bindparam("numbers", value=[1, 2], expanding=True))
            return [dict(row._mapping) for row in db.session.execute(query)]

    before = stored_rows()
    assert [row["number"] for row in before] == [1, 2]

    response = save_edit(web, dummy_statement.slug, title="Third title", body="Third.", note="3")

    assert response.status_code == 302
    assert stored_rows() == before
    assert [v.number for v in version_rows(app, dummy_statement.slug)] == [1, 2, 3]
