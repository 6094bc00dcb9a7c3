"""Views of a diff: HTML for pages and emails, plain text for emails.

Every view shows a change twice over, so it reads without colour, on paper and in
a screen reader: <ins>/<del> (underlined, struck through) and [+ +] / [- -]
brackets. Blocks keep their shape: a heading is bold, a list item is an item with
its number, and no Markdown syntax appears. Pages style the diff with classes (the
CSP allows no inline style); emails carry inline styles, which mail clients need.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import ngettext
from markupsafe import Markup, escape

from .diff import EQUAL, INSERT, Block, Changed, Collapsed, Context, TextDiff

EMAIL_STYLES = {
    "ins": "background: #e3f4e8; color: #0f5c2e; text-decoration: underline;",
    "del": "background: #fbe4e4; color: #8a1c1c; text-decoration: line-through;",
    "mark": "font-family: monospace; font-size: 0.8em;",
    # One indent for every block (a transparent bar beside unchanged ones).
    "changed": "border-left: 3px solid #0b5cad; padding-left: 0.6rem;",
    "context": "border-left: 3px solid transparent; padding-left: 0.6rem; color: #5b6470;",
    "collapsed": "color: #5b6470; font-style: italic; margin: 0.6rem 0;",
}


MARKED = {
    "ins": Markup("<ins{0}>{1}[+</span>{2}{1}+]</span></ins>"),
    "del": Markup("<del{0}>{1}[-</span>{2}{1}-]</span></del>"),
}


def unchanged_label(count: int) -> str:
    """'… 12 unchanged paragraphs …': what a fold says."""
    return ngettext("… %(num)s unchanged paragraph …", "… %(num)s unchanged paragraphs …", count)


# Word pieces ---------------------------------------------------------------------
def _edges(text: str) -> tuple[str, str, str]:
    """Leading whitespace, the text, trailing whitespace: a change that starts with
    a blank line shows its markers around the words, not on lines of their own."""
    core = text.strip()
    if not core:
        return "", text, ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def diff_html(pieces, *, email: bool = False) -> Markup:
    """Word pieces as inline HTML: <ins>/<del> with bracket markers."""
    out = []
    for op, text in pieces:
        if op == EQUAL:
            out.append(escape(text))
            continue
        tag = "ins" if op == INSERT else "del"
        if email:
            attrs = Markup(' style="{}"').format(EMAIL_STYLES[tag])
            mark = Markup('<span style="{}">').format(EMAIL_STYLES["mark"])
        else:
            attrs, mark = Markup(""), Markup('<span class="mark">')
        before, core, after = _edges(text)
        out.append(escape(before) + MARKED[tag].format(attrs, mark, core) + escape(after))
    return Markup("").join(out)


def diff_text(pieces) -> str:
    """Word pieces as plain text with [+ +] and [- -] markers."""
    out = []
    for op, text in pieces:
        if op == EQUAL:
            out.append(text)
        else:
            before, core, after = _edges(text)
            mark = "+" if op == INSERT else "-"
            out.append(f"{before}[{mark}{core}{mark}]{after}")
    return "".join(out)


# Blocks as HTML ------------------------------------------------------------------
def _classes(role: str, block: Block) -> str:
    names = [f"diff-{role}", f"diff-{block.kind}"]
    if block.level and block.kind != "heading":
        names.append(f"depth-{min(block.level, 4)}")
    if block.quoted:
        names.append("diff-quoted")
    return " ".join(names)


def _email_style(role: str, block: Block) -> str:
    parts = [EMAIL_STYLES[role], "margin-top: 0.5rem; margin-bottom: 0.5rem;"]
    if block.kind == "item":
        parts.append("padding-left: 2rem;")  # room for the number or bullet
    indent = 1.2 * max(block.level - 1, 0) if block.kind != "heading" else 0.0
    if block.quoted:
        indent += 1.0
        parts.append("font-style: italic;")
    if indent:
        parts.append(f"margin-left: {indent:.1f}rem;")
    return " ".join(parts)


def _block_html(block: Block, content: Markup, role: str, email: bool) -> Markup:
    if email:
        attrs = Markup(' style="{}"').format(_email_style(role, block))
    else:
        attrs = Markup(' class="{}"').format(_classes(role, block))
    if block.kind == "heading":
        return Markup("<p{}><strong>{}</strong></p>").format(attrs, content)
    if block.kind == "item":
        # One item per list, numbered as in the text: the items around it may be folded.
        if block.number:
            return Markup('<ol{} start="{}"><li>{}</li></ol>').format(attrs, block.number, content)
        return Markup("<ul{}><li>{}</li></ul>").format(attrs, content)
    if block.kind == "code":
        return Markup("<pre{}>{}</pre>").format(attrs, content)
    if block.kind == "rule":
        return Markup("<hr{}>").format(attrs)
    if block.kind == "footnote":
        return Markup("<p{}><sup>{}</sup> {}</p>").format(attrs, block.number, content)
    return Markup("<p{}>{}</p>").format(attrs, content)


def text_diff_html(diff: TextDiff, *, email: bool = False) -> Markup:
    """The folded diff as HTML blocks, for a page (classes) or an email (styles)."""
    out = []
    for hunk in diff.hunks:
        if isinstance(hunk, Collapsed):
            attrs = (
                Markup(' style="{}"').format(EMAIL_STYLES["collapsed"])
                if email
                else Markup(' class="diff-collapsed"')
            )
            out.append(Markup("<p{}>{}</p>").format(attrs, unchanged_label(hunk.count)))
        elif isinstance(hunk, Context):
            out.append(_block_html(hunk.block, escape(hunk.block.text), "context", email))
        elif isinstance(hunk, Changed):
            content = diff_html(hunk.pieces, email=email)
            out.append(_block_html(hunk.block, content, "changed", email))
    return Markup("\n").join(out)


# Blocks as text ------------------------------------------------------------------
def _block_text(block: Block, content: str) -> str:
    indent = "  " * max(block.level - 1, 0) if block.kind != "heading" else ""
    if block.kind == "item":
        marker = f"{block.number}. " if block.number else "• "
        content = marker + content.replace("\n", "\n" + " " * len(marker))
    elif block.kind == "footnote":
        content = f"[{block.number}] {content}"
    elif block.kind == "rule":
        content = "———"
    elif block.kind == "code":
        indent += "    "
    if block.quoted:
        indent += "    "
    if block.kind == "paragraph" and block.level:
        indent += "  "  # a further paragraph of a list item
    return "\n".join(indent + line if line else line for line in content.split("\n"))


def text_diff_text(diff: TextDiff) -> str:
    """The folded diff as plain text: one block a paragraph, [+ +] / [- -] inside."""
    out: list[str] = []
    previous = None
    for hunk in diff.hunks:
        if isinstance(hunk, Collapsed):
            block, text = None, unchanged_label(hunk.count)
        elif isinstance(hunk, Context):
            block, text = hunk.block, _block_text(hunk.block, hunk.block.text)
        else:
            block, text = hunk.block, _block_text(hunk.block, diff_text(hunk.pieces))
        # Items of one list stay together, as the list prints.
        together = (
            previous is not None
            and block is not None
            and previous.kind == block.kind == "item"
            and bool(previous.number) == bool(block.number)
        )
        out.append(("\n" if together else "\n\n") + text if out else text)
        previous = block
    return "".join(out)


# What templates get ----------------------------------------------------------------
EMAIL_CHANGED_BLOCKS = 50  # an email shows this many changed paragraphs; the page all


def _first_changes(diff: TextDiff, limit: int) -> tuple[TextDiff, int]:
    """The diff up to its `limit`-th changed block, and how many changed blocks
    are left out: a text rewritten throughout would make an email of megabytes."""
    if diff.changed_blocks <= limit:
        return diff, 0
    kept, seen = [], 0
    for hunk in diff.hunks:
        if isinstance(hunk, Changed):
            if seen == limit:
                break
            seen += 1
        kept.append(hunk)
    return replace(diff, hunks=tuple(kept)), diff.changed_blocks - limit


def changes_view(changes, *, email: bool = False) -> dict:
    """A `Changes` (changes.py) as the values a page or an email template shows:
    the title and body as HTML, the same as text, the notes and the counts. An
    email shows the first EMAIL_CHANGED_BLOCKS changed paragraphs and counts the
    rest (`more`); its link leads to the page with all of them."""
    body, more = _first_changes(changes.body, EMAIL_CHANGED_BLOCKS) if email else (changes.body, 0)
    return {
        "changed": changes.changed,
        "title_changed": changes.title_changed,
        "title_html": diff_html(changes.title, email=email),
        "title_text": diff_text(changes.title),
        "body_html": text_diff_html(body, email=email),
        "body_text": text_diff_text(body),
        "more": more,
        "notes": changes.notes,
        "inserted": changes.inserted,
        "deleted": changes.deleted,
        "coarse": changes.body.coarse,
    }
