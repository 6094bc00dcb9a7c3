"""The changes, as signers and editors read them: the changed passages with a little
context, the editor's note, the buttons before the full text, and no Markdown.

The story: the Meridia coalition's long statement (thirty paragraphs) is open and
Article 19 has signed it. Lena, the lead, changes one word in the fifteenth
paragraph and says why. Article 19 is emailed the change (through the real outbox
and a real SMTP server) with the paragraphs around it, the rest folded into a
count, and Lena's note; its /r/ page shows the same before the buttons and the
full text. A second statement, with headings, lists, a quote and a link, shows
that a diff is the text as read, never its Markdown.
"""

from __future__ import annotations

import html as html_lib
import re
import time
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from signon.columns import utcnow
from signon.extensions import db
from signon.signatures.models import Signature
from signon.statements.diff import (
    DELETE,
    INSERT,
    Changed,
    Collapsed,
    Context,
    blocks_of,
    text_diff,
)
from signon.statements.diff_render import text_diff_text

from .mailbox import html_of, links_in
from .mailbox import text_of as raw_text_of
from .public_steps import logged_in, sign_as
from .sign_on_steps import open_for_signing
from .support import Web
from .test_consent import mail, press_remind, set_signature

BASE = "http://signon.test"
TITLE = "Free the Meridia Eleven"
PARAGRAPHS = [
    f"Paragraph {n}: the authorities of Meridia hold journalist number {n} without charge."
    for n in range(1, 31)
]
LONG_BODY = "\n\n".join(PARAGRAPHS) + "\n"
# One word changed in paragraph 15.
ONE_WORD = LONG_BODY.replace("Paragraph 15: the authorities", "Paragraph 15: the government", 1)
NOTE = "Named the government, as the partners asked"

STRUCTURED = """We call for the release of the journalists.

## Our demands

1. Release the journalists.
2. Drop the charges.

- Restore the licences of *independent* outlets.
- Guarantee **safe** reporting.

> "No one should be jailed for reporting," said [the rapporteur](https://un.example/a).

## Who we are

We are organisations defending press freedom.
"""
STRUCTURED_NEW = (
    STRUCTURED.replace("## Our demands", "## Our urgent demands")
    .replace("2. Drop the charges.", "2. Drop all the charges.")
    .replace("*independent* outlets", "*independent* media outlets")
    .replace("**safe** reporting", "**safe** and free reporting")
    .replace("jailed for reporting", "jailed for their reporting")
    .replace("https://un.example/a", "https://un.example/b")
)
MARKDOWN_MARKS = ("##", "**", "](", "- ", "* ", "> ")


# Steps ---------------------------------------------------------------------------
@pytest.fixture
def lead(app, dummy_user) -> Web:
    return logged_in(app, dummy_user)


@pytest.fixture
def long_statement(app, create_statement, dummy_user):
    """The open statement of thirty paragraphs, signed by Article 19."""
    statement = create_statement(title=TITLE, body=LONG_BODY)
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Article 19", contact_email="press@a19.example")
    return statement


def edit(web: Web, statement, body: str, *, button: str = "save", kind: str = "", note: str = ""):
    data = {"title": TITLE, "language": "en", "body": body, "note": note, button: button.title()}
    if kind:
        data["change_kind"] = kind
    return web.post(f"/statements/{statement.slug}/edit", data)


def save_substantive(web: Web, statement, body: str, note: str = NOTE) -> None:
    response = edit(web, statement, body, kind="substantive", note=note)
    assert response.status_code == 302, response.get_data(as_text=True)


def diff_block(page: str) -> str:
    """The body diff of a page, as HTML."""
    match = re.search(r'<div class="diff diff-blocks"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no diff on the page"
    return match.group(1)


def visible(fragment: str) -> str:
    """Text as a reader sees it, one line per block."""
    text = re.sub(r"</(p|li|pre)>", "\n", fragment)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", text))


def text_of(message) -> str:
    """The plain-text part as the reader sees it (SMTP carries CRLF line ends)."""
    return raw_text_of(message).replace("\r\n", "\n")


def reconfirm_page(app, message) -> tuple[str, str]:
    """The /r/ link of an email, opened by the signer: (path, page)."""
    link = next(u for u in links_in(message) if u.startswith(f"{BASE}/r/"))
    path = link.removeprefix(BASE)
    response = app.test_client().get(path)
    assert response.status_code == 200
    return path, response.get_data(as_text=True)


# A long text, one word changed -----------------------------------------------------
def test_one_changed_word_in_thirty_paragraphs_shows_its_neighbours_and_folds_the_rest(
    lead, long_statement
):
    save_substantive(lead, long_statement, ONE_WORD)

    page = lead.get(f"/statements/{long_statement.slug}/diff?from=1&to=2").get_data(as_text=True)

    shown = visible(diff_block(page))
    assert [line.strip() for line in shown.splitlines() if line.strip()] == [
        "… 13 unchanged paragraphs …",
        PARAGRAPHS[13],
        "Paragraph 15: the [-authorities-][+government+] of Meridia hold journalist number "
        "15 without charge.",
        PARAGRAPHS[15],
        "… 14 unchanged paragraphs …",
    ]
    assert "1 words added, 1 removed" in page
    assert f"Editor’s note on version 2:</strong> {NOTE}" in page
    # The full new text follows the changes.
    full = page.split('id="full-heading"', 1)[1]
    assert PARAGRAPHS[0] in full and PARAGRAPHS[29] in full


def test_the_signer_gets_the_folded_change_and_the_note_through_the_real_outbox(
    app, lead, long_statement, mail_via_smtp, send_outbox
):
    send_outbox()
    mail_via_smtp.wait_for(2)  # the invitation and the signing confirmation

    save_substantive(lead, long_statement, ONE_WORD)
    send_outbox()
    message = mail_via_smtp.wait_for(3)[2]

    assert message["To"] == "press@a19.example"
    text = text_of(message)
    assert f"Editor’s note on version 2: {NOTE}" in text
    assert "… 13 unchanged paragraphs …" in text
    assert "… 14 unchanged paragraphs …" in text
    assert f"{PARAGRAPHS[13]}\n\nParagraph 15: the [-authorities-][+government+] of" in text
    assert PARAGRAPHS[15] in text
    assert PARAGRAPHS[0] not in text and PARAGRAPHS[29] not in text
    assert text.index(f"{BASE}/r/") < text.index("What changed")  # the link near the top
    html = html_of(message)
    assert "… 13 unchanged paragraphs …" in html
    assert re.search(r"<del style=\"[^\"]*line-through[^\"]*\">.*?authorities", html)
    assert re.search(r"<ins style=\"[^\"]*underline[^\"]*\">.*?government", html)
    assert NOTE in html
    assert PARAGRAPHS[0] not in html


def test_the_reconfirm_page_shows_the_note_and_the_change_then_the_buttons_then_the_text(
    app, lead, long_statement, mail_via_smtp, send_outbox
):
    save_substantive(lead, long_statement, ONE_WORD)
    send_outbox()
    message = mail_via_smtp.wait_for(3)[2]

    _path, page = reconfirm_page(app, message)

    note = page.index(NOTE)
    change = page.index("[-</span>authorities")
    folded = page.index("… 14 unchanged paragraphs …")
    confirm = page.index("Confirm for the new text (version 2)")
    withdraw = page.index("Withdraw our signature")
    full_text = page.index("<h2>The new text</h2>")
    assert note < change < folded < confirm < withdraw < full_text
    assert PARAGRAPHS[0] not in page[:full_text]  # folded in the diff
    assert PARAGRAPHS[0] in page[full_text:]  # and there in full below


def test_the_reminder_a_day_later_carries_the_same_folded_change_and_note(
    app, lead, long_statement
):
    save_substantive(lead, long_statement, ONE_WORD)
    set_signature(
        app, long_statement_signature(app), reconfirm_sent_at=utcnow() - timedelta(days=2)
    )

    shown = press_remind(lead, long_statement)

    assert "Reminded 1 signer" in shown
    (reminder,) = mail(app, kind="reconfirm_reminder")
    assert f"Editor’s note on version 2: {NOTE}" in reminder["text"]
    assert "… 13 unchanged paragraphs …" in reminder["text"]
    assert "[-authorities-][+government+]" in reminder["text"]


def long_statement_signature(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Signature.id))


# Headings, lists, quotes and links ---------------------------------------------------
def test_no_markdown_markers_in_a_diff_anywhere_it_is_shown(
    app, lead, create_statement, dummy_user, mail_via_smtp, send_outbox
):
    statement = create_statement(title=TITLE, body=STRUCTURED)
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Article 19", contact_email="press@a19.example")
    preview = edit(lead, statement, STRUCTURED_NEW, button="preview").get_data(as_text=True)
    save_substantive(lead, statement, STRUCTURED_NEW)
    send_outbox()
    message = mail_via_smtp.wait_for(3)[2]
    _path, reconfirm = reconfirm_page(app, message)
    changes_tab = lead.get(f"/statements/{statement.slug}/diff").get_data(as_text=True)

    for page in (preview, reconfirm, changes_tab):
        block = diff_block(page)
        shown = visible(block)
        for mark in MARKDOWN_MARKS:
            assert not any(line.lstrip().startswith(mark) for line in shown.splitlines()), mark
        assert "**" not in shown and "](" not in shown and "##" not in shown
        # Headings stay headings, list items stay items, numbered as in the text.
        assert re.search(r"<p class=\"diff-changed diff-heading\"><strong>Our <ins>", block)
        assert '<ol class="diff-changed diff-item depth-1" start="2"><li>Drop ' in block
        assert re.search(r"<ul class=\"diff-changed diff-item depth-1\"><li>Restore", block)
        assert "the rapporteur (https://un.example/" in shown  # a changed link shows
        assert "diff-quoted" in block

    text = text_of(message)
    changes = text.split("What changed", 1)[1]
    for mark in MARKDOWN_MARKS:
        assert not any(line.startswith(mark) for line in changes.splitlines()), mark
    assert "**" not in changes and "](" not in changes and "##" not in changes
    assert "\nOur [+urgent+] demands\n" in changes  # a heading: a plain line
    assert "\n2. Drop [+all+] the charges.\n" in changes
    assert "\n• Restore the licences of independent [+media+] outlets.\n" in changes
    assert "• Guarantee safe [+and free+] reporting." in changes
    html = html_of(message)
    assert "<strong>Our <ins" in html and "##" not in html.split("What changed", 1)[1]


def test_history_links_each_version_to_what_changed_in_it(lead, long_statement):
    save_substantive(lead, long_statement, ONE_WORD)
    history = lead.get(f"/statements/{long_statement.slug}/history").get_data(as_text=True)

    link = re.search(r'href="([^"]+)" aria-label="What changed in version 2"', history)
    assert link, "no link to the changes of version 2"
    assert 'aria-label="What changed in version 1"' not in history  # nothing before it
    page = lead.get(html_lib.unescape(link.group(1))).get_data(as_text=True)
    assert "Version 1 → version 2" in page
    assert "… 13 unchanged paragraphs …" in page and NOTE in page


# The edit page --------------------------------------------------------------------
def test_edit_preview_shows_the_folded_changes_and_the_choice_before_the_text(
    app, lead, long_statement
):
    response = edit(lead, long_statement, ONE_WORD, button="preview", note=NOTE)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Changes against version 1, the text signers consented to" in page
    assert "… 13 unchanged paragraphs …" in page and "… 14 unchanged paragraphs …" in page
    assert f"Editor’s note on this change:</strong> {NOTE}" in page
    choice = page.index('name="change_kind"')
    save = page.index(">Save this change</button>")
    textarea = page.index('name="body"')
    preview = page.index('id="preview-heading"')
    assert page.index("[-</span>authorities") < choice < save < textarea < preview
    # The choice at the top belongs to the edit form, so it is sent with the text.
    assert re.search(r'<input[^>]*form="edit-form"[^>]*name="change_kind"', page) or re.search(
        r'<input[^>]*name="change_kind"[^>]*form="edit-form"', page
    )
    assert re.search(r'<button[^>]*name="save"[^>]*form="edit-form"', page)
    assert page.count('value="substantive"') == 1  # one choice, not two


def test_a_save_without_a_choice_keeps_the_changes_and_the_choice_at_the_top(lead, long_statement):
    response = edit(lead, long_statement, ONE_WORD, note=NOTE)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert page.index("People have signed: say whether") < page.index('name="body"')
    assert "… 13 unchanged paragraphs …" in page
    # Then the choice, sent with the form, saves.
    save_substantive(lead, long_statement, ONE_WORD)
    history = lead.get(f"/statements/{long_statement.slug}/history").get_data(as_text=True)
    assert NOTE in history


def test_a_refused_body_is_not_compared_and_nothing_is_saved(app, lead, long_statement):
    too_long = ONE_WORD + ("More words for the record. " * 8000)

    response = edit(lead, long_statement, too_long, button="preview", note=NOTE)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The text is larger than" in page
    assert 'class="panel changes"' not in page  # no diff of a text that cannot be saved
    assert page.count('value="substantive"') == 1  # the choice stays in the form
    history = lead.get(f"/statements/{long_statement.slug}/history").get_data(as_text=True)
    assert ">v2</a>" not in history


# The diff itself ------------------------------------------------------------------
def test_a_paragraph_added_before_an_edited_one_is_not_taken_for_its_edit():
    old = "The authorities must release the journalists.\n\nWe stand with them.\n"
    new = (
        "Since May, eleven journalists have been held.\n\n"
        "The authorities must release the detained journalists.\n\nWe stand with them.\n"
    )

    diff = text_diff(old, new)

    changed = [h for h in diff.hunks if isinstance(h, Changed)]
    assert [(h.old is None, h.pieces) for h in changed] == [
        (True, ((INSERT, "Since May, eleven journalists have been held."),)),
        (
            False,
            (
                ("equal", "The authorities must release the "),
                (INSERT, "detained "),
                ("equal", "journalists."),
            ),
        ),
    ]


def test_a_demand_added_first_renumbers_the_rest_without_marking_them_changed():
    old = "".join(f"{n}. Demand {n}.\n" for n in range(1, 11))
    new = "1. Free every blogger.\n" + "".join(f"{n + 1}. Demand {n}.\n" for n in range(1, 11))

    text = text_diff_text(text_diff(old, new))

    assert text == "1. [+Free every blogger.+]\n2. Demand 1.\n\n… 9 unchanged paragraphs …"


def test_a_paragraph_too_changed_to_show_word_by_word_is_shown_whole_and_fast(
    lead, create_statement
):
    words = [f"w{n}" for n in range(6000)]
    old = " ".join(words) + "\n"
    new = " ".join(w if n % 2 else w.upper() for n, w in enumerate(words)) + "\n"
    statement = create_statement(title=TITLE, body=old)
    lead.post(
        f"/statements/{statement.slug}/edit",
        {"title": TITLE, "language": "en", "body": new, "note": "", "save": "Save"},
    )

    started = time.monotonic()
    page = lead.get(f"/statements/{statement.slug}/diff?from=1&to=2").get_data(as_text=True)

    assert time.monotonic() - started < 5
    assert "changed too much to show word by word" in page
    shown = visible(diff_block(page))
    assert "[-w0 w1 w2" in shown and "[+W0 w1 W2" in shown


def test_the_repeated_words_of_the_known_slow_case_give_up_early_and_say_so():
    # Issue 10's probe: 15.7 s with the old word diff.
    started = time.monotonic()
    diff = text_diff("a b " * 500, "b a c " * 500)

    assert time.monotonic() - started < 2
    assert diff.coarse
    (change,) = [h for h in diff.hunks if isinstance(h, Changed)]
    assert change.pieces == ((DELETE, ("a b " * 500).strip()), (INSERT, ("b a c " * 500).strip()))


def test_the_folded_lines_in_the_text_email_read_without_colour():
    text = text_diff_text(text_diff(LONG_BODY, ONE_WORD))

    assert text.startswith("… 13 unchanged paragraphs …\n\n")
    assert text.endswith("\n\n… 14 unchanged paragraphs …")
    assert "[-authorities-][+government+]" in text


paragraph = st.text(alphabet="ab c", min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(st.lists(paragraph, max_size=12), st.lists(paragraph, max_size=12))
def test_every_block_of_either_text_is_shown_or_counted_once(old_paragraphs, new_paragraphs):
    old, new = "\n\n".join(old_paragraphs), "\n\n".join(new_paragraphs)
    diff = text_diff(old, new)

    same = sum(isinstance(h, Context) for h in diff.hunks) + sum(
        h.count for h in diff.hunks if isinstance(h, Collapsed)
    )
    changed = [h for h in diff.hunks if isinstance(h, Changed)]
    assert same + sum(h.old is not None for h in changed) == len(blocks_of(old))
    assert same + sum(h.new is not None for h in changed) == len(blocks_of(new))
    for hunk in changed:
        if hunk.new is not None:
            assert "".join(t for op, t in hunk.pieces if op != DELETE) == hunk.new.text
        if hunk.old is not None:
            assert "".join(t for op, t in hunk.pieces if op != INSERT) == hunk.old.text
