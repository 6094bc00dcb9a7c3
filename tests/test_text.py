"""Properties of the text a signer consents to: canonical form, fingerprint, word diff, names."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from signon.signatures.names import name_key
from signon.statements.diff import DELETE, EQUAL, INSERT, word_diff
from signon.statements.diff_render import diff_html, diff_text
from signon.text import canonical_text, fingerprint

# Text as people paste it: any characters, with every kind of line ending and
# runs of spaces and tabs, plus decomposed accents that NFC must compose.
line_endings = st.sampled_from(["\n", "\r\n", "\r"])
fragments = st.one_of(
    st.text(max_size=30),
    st.sampled_from([" ", "  ", "\t", " \t ", "e\u0301", "A\u030a", "\u1100\u1161", "ﬁ"]),
    line_endings,
)
pasted_text = st.lists(fragments, max_size=30).map("".join)

# Lines of a statement without line-ending characters of their own.
plain_lines = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
        max_size=40,
    ),
    max_size=12,
)


@given(pasted_text)
@example("")
@example("\r\n  \r\n")
@example("Caf\u0065\u0301  \r\nsecond line\t\r\rthird")
def test_canonical_text_is_idempotent(text):
    once = canonical_text(text)
    assert canonical_text(once) == once


@given(pasted_text)
@example("one\r\ntwo\rthree\n")
def test_canonical_text_has_no_carriage_return(text):
    assert "\r" not in canonical_text(text)


@given(pasted_text)
@example("trailing   \nspaces\t \n")
def test_canonical_text_has_no_trailing_spaces_on_any_line(text):
    for line in canonical_text(text).split("\n"):
        assert line == line.rstrip(" \t")


@given(pasted_text)
@example("Cafe\u0301 and A\u030angstr\u00f6m")
def test_canonical_text_is_nfc(text):
    assert unicodedata.is_normalized("NFC", canonical_text(text))


def test_canonical_text_composes_decomposed_accents():
    assert canonical_text("Cafe\u0301\r\n") == "Caf\u00e9\n"


@given(st.text(max_size=60), plain_lines, st.data())
def test_fingerprint_ignores_crlf_and_trailing_spaces(title, lines, data):
    body = "\n".join(lines)
    ending = data.draw(line_endings, label="line ending")
    padding = data.draw(
        st.lists(st.sampled_from(["", " ", "   ", "\t", " \t"]), min_size=len(lines),
                 max_size=len(lines)),
        label="trailing spaces per line",
    )  # fmt: skip
    pasted = ending.join(line + pad for line, pad in zip(lines, padding, strict=True))
    assert fingerprint(title, pasted) == fingerprint(title, body)


def test_fingerprint_changes_when_a_word_changes():
    body = "Release the journalists.\n"
    assert fingerprint("Call", body) != fingerprint("Call", "Release all journalists.\n")
    assert fingerprint("Call", body) != fingerprint("Call!", body)


@given(pasted_text, pasted_text)
@example("The authorities must release them.\n", "The authorities must free them now.\n")
@example("a\nb\nc\n", "a\nc\nd\n")
@example("same", "same")
def test_word_diff_rebuilds_old_and_new_text(old, new):
    pieces = word_diff(old, new)
    assert "".join(text for op, text in pieces if op in (EQUAL, DELETE)) == old
    assert "".join(text for op, text in pieces if op in (EQUAL, INSERT)) == new
    assert all(text for _op, text in pieces)


def test_word_diff_marks_only_the_changed_words():
    pieces = word_diff("We call for their release.\n", "We call for their immediate release.\n")
    changed = [(op, text.strip()) for op, text in pieces if op != EQUAL]
    assert changed == [(INSERT, "immediate")]


def test_markers_sit_around_the_words_not_around_blank_lines():
    pieces = word_diff("We call for release.\n", "We call for release.\n\nAnd for justice.\n")
    assert diff_text(pieces) == "We call for release.\n\n[+And for justice.+]\n"
    assert '\n\n<ins><span class="mark">[+</span>And for justice.' in diff_html(pieces)
    # Whitespace alone that changed still shows as a change.
    assert diff_text(word_diff("a b", "a  b")) != "a  b"


def test_name_key_drops_leading_article_case_and_punctuation():
    assert name_key("The Foo Institute") == name_key("foo institute") == "foo institute"
    assert name_key("  Foo   Institute, ") == "foo institute"


def test_name_key_folds_full_width_letters():
    assert name_key("ＦＯＯ Ｉｎｓｔｉｔｕｔｅ") == name_key("Foo Institute")


def test_name_key_ignores_invisible_characters():
    assert name_key("Foo\u200b Insti\u200dtute") == name_key("Foo Institute")


def test_name_key_keeps_different_organisations_apart():
    assert name_key("Foo Institute") != name_key("Bar Institute")
