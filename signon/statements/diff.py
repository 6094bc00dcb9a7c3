"""What changed between two texts: paragraphs first, then words inside them.

See docs/architecture.md, Diffs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..documents.model import (
    CodeBlock,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
    parse_body,
)
from ..documents.plain_text import inline_text

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
CONTEXT = 1  # unchanged blocks kept on each side of a change
# difflib's matcher walks, for each item of one side, every equal item of the
# other, once per match it finds: text with few repeats costs little, "a b a b ..."
# or a paragraph rewritten word for word a great deal. That walk is counted (see
# _BoundedMatcher) and capped per paragraph pair, for the whole diff and for the
# blocks; beyond the cap a paragraph is shown whole, removed then added.
WORD_BUDGET = 1_000_000  # steps; a few million run in a second
TOTAL_WORD_BUDGET = 3_000_000
BLOCK_BUDGET = 2_000_000
PAIRING_BUDGET = 400  # block pairs scored to pair up paragraphs in a changed run
PAIRING_WORDS = 20_000  # words in such a run; beyond either, paired in order
CACHED_PAIRS = 32  # pairs of texts whose diff is kept (versions never change)


# The structure -----------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One unit of the text as a reader sees it: kind, plain text and its place.

    kind: heading | paragraph | item | code | row | rule | footnote.
    level: a heading's level, or how deep a list item sits (0 = top level).
    number: an ordered list item's number; 0 for a bullet.
    quoted: inside a block quote.
    """

    kind: str
    text: str
    level: int = 0
    number: int = 0
    quoted: bool = False


@dataclass(frozen=True)
class Context:
    """An unchanged block shown beside a change."""

    block: Block


@dataclass(frozen=True)
class Collapsed:
    """A run of unchanged blocks folded into its count."""

    count: int


@dataclass(frozen=True)
class Changed:
    """A block added (old None), removed (new None) or changed, as word pieces."""

    old: Block | None
    new: Block | None
    pieces: tuple[tuple[str, str], ...]
    word_by_word: bool = True

    @property
    def block(self) -> Block:
        """The block whose shape the change is shown in: the new one if any."""
        return self.new or self.old  # type: ignore[return-value]


Hunk = Context | Collapsed | Changed


@dataclass(frozen=True)
class TextDiff:
    """The changes between two bodies, ready to render."""

    hunks: tuple[Hunk, ...]
    inserted: int  # words
    deleted: int

    @property
    def changed(self) -> bool:
        return any(isinstance(h, Changed) for h in self.hunks)

    @property
    def coarse(self) -> bool:
        """Some paragraph changed too much to be shown word by word."""
        return any(isinstance(h, Changed) and not h.word_by_word for h in self.hunks)

    @property
    def changed_blocks(self) -> int:
        return sum(isinstance(h, Changed) for h in self.hunks)


# Markdown -> blocks ------------------------------------------------------------
def _inline_text(items) -> str:
    return inline_text(items).strip()


def _flatten(blocks, *, depth: int = 0, quoted: bool = False, number: int = 0) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(Block("heading", _inline_text(block.inlines), block.level, 0, quoted))
        elif isinstance(block, Paragraph):
            kind = "item" if number >= 0 and depth else "paragraph"
            out.append(Block(kind, _inline_text(block.inlines), depth, max(number, 0), quoted))
            number = -1  # further paragraphs of one item continue it, unnumbered
        elif isinstance(block, ListBlock):
            for offset, item in enumerate(block.items):
                n = block.start + offset if block.ordered else 0
                out.extend(_flatten(item, depth=depth + 1, quoted=quoted, number=n))
        elif isinstance(block, Quote):
            out.extend(_flatten(block.blocks, depth=depth, quoted=True))
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                text = " · ".join(_inline_text(cell) for cell in row)
                out.append(Block("row", text, depth, 0, quoted))
        elif isinstance(block, CodeBlock):
            out.append(Block("code", block.text, depth, 0, quoted))
        elif isinstance(block, Rule):
            out.append(Block("rule", "", depth, 0, quoted))
    return out


def blocks_of(markdown: str) -> list[Block]:
    """The body as the plain-text blocks a diff compares, footnotes last."""
    body, footnotes = parse_body(markdown)
    out = _flatten(body)
    for footnote in footnotes:
        parts = _flatten(footnote.blocks)
        text = " ".join(part.text for part in parts if part.text)
        out.append(Block("footnote", text, 0, footnote.number))
    return out


# Diffing -------------------------------------------------------------------------
def _key(block: Block) -> tuple:
    # Not the number: an item added above renumbers the ones below without
    # changing them (their context is shown with the new numbers).
    return (block.kind, block.text, block.level, block.quoted)


def _common_ends(a: list, b: list) -> tuple[int, int]:
    """How many items a and b share at the start, and then at the end."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


class _OverBudget(Exception):
    pass


def _is_space(token) -> bool:
    return isinstance(token, str) and token.isspace()


class _BoundedMatcher(SequenceMatcher):
    """difflib's matcher, stopped once it has walked `budget[0]` steps."""

    def __init__(self, a: list, b: list, budget: list[int]):
        self.budget = budget
        # Spaces are never an anchor of a match (there are as many as words; the
        # matcher would walk them all), only extend the matches beside them.
        super().__init__(_is_space, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        positions = self.b2j.get
        # The loop below walks, for each a[i], b's positions of it up to bhi.
        self.budget[0] -= (ahi - alo) + sum(len(positions(x, ())) for x in self.a[alo:ahi])
        if self.budget[0] < 0:
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


def _opcodes(a: list, b: list, budget: list[int]) -> list[tuple[str, int, int, int, int]] | None:
    """difflib's opcodes for a and b, the shared ends set aside first; None when
    matching the middle would take more steps than `budget[0]` (which it spends)."""
    start, end = _common_ends(a, b)
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    codes: list[tuple[str, int, int, int, int]] = []
    if start:
        codes.append(("equal", 0, start, 0, start))
    if middle_a and middle_b:
        try:
            found = _BoundedMatcher(middle_a, middle_b, budget).get_opcodes()
        except _OverBudget:
            return None
        for op, i1, i2, j1, j2 in found:
            codes.append((op, i1 + start, i2 + start, j1 + start, j2 + start))
    elif middle_a or middle_b:
        op = "delete" if middle_a else "insert"
        codes.append((op, start, len(a) - end, start, len(b) - end))
    if end:
        codes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return codes


def _word_pieces(old: str, new: str, budget: list[int]) -> tuple[list[tuple[str, str]], bool]:
    """Word pieces turning old into new, and whether they are word by word.
    `budget` holds what is left of the diff's total; it is spent here."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    allowed = [min(WORD_BUDGET, budget[0])]
    codes = _opcodes(a, b, allowed)
    budget[0] -= min(WORD_BUDGET, budget[0]) - allowed[0]
    if codes is None:
        return [(DELETE, old), (INSERT, new)], False
    pieces = []
    for op, i1, i2, j1, j2 in codes:
        if op == "equal":
            pieces.append((EQUAL, "".join(a[i1:i2])))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        # The spaces both sides end with are not part of the change.
        space = _common_space(removed, added) if op == "replace" else ""
        if space:
            removed, added = removed[: -len(space)], added[: -len(space)]
        pieces.extend([(DELETE, removed), (INSERT, added), (EQUAL, space)])
    return _merge(pieces), True


def _common_space(a: str, b: str) -> str:
    space_a, space_b = a[len(a.rstrip()) :], b[len(b.rstrip()) :]
    return space_a if space_a == space_b else ""


def _similar(a: Block, b: Block) -> float:
    """A cheap likeness of two blocks (shared words), 0..1."""
    words_a, words_b = a.text.lower().split(), b.text.lower().split()
    if not words_a or not words_b:
        return 1.0 if a.text == b.text else 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).quick_ratio()


def _pairs(old: list[Block], new: list[Block]) -> list[tuple[Block | None, Block | None]]:
    """A changed run of old blocks against new ones: which old block became which
    new one, the rest removed or added. Small runs are paired by likeness (a new
    paragraph before an edited one is not taken for its edit); large ones in order."""
    words = sum(len(b.text.split()) for b in (*old, *new))
    if len(old) == len(new) or len(old) * len(new) > PAIRING_BUDGET or words > PAIRING_WORDS:
        paired: list[tuple[Block | None, Block | None]] = list(zip(old, new, strict=False))
        paired += [(o, None) for o in old[len(new) :]] + [(None, n) for n in new[len(old) :]]
        return paired
    # Alignment that maximises the likeness of the pairs it keeps (like sequence
    # alignment, gaps free; a pair counts only above one half).
    n, m = len(old), len(new)
    like = [[_similar(o, b) for b in new] for o in old]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = score[i + 1][j + 1] + like[i][j] if like[i][j] > 0.5 else -1.0
            score[i][j] = max(take, score[i + 1][j], score[i][j + 1])
    out: list[tuple[Block | None, Block | None]] = []
    i = j = 0
    while i < n and j < m:
        if like[i][j] > 0.5 and score[i][j] == score[i + 1][j + 1] + like[i][j]:
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            out.append((old[i], None))
            i += 1
        else:
            out.append((None, new[j]))
            j += 1
    out += [(o, None) for o in old[i:]] + [(None, b) for b in new[j:]]
    return out


def _changed(old: Block | None, new: Block | None, budget: list[int]) -> Changed:
    if old is None:
        return Changed(None, new, ((INSERT, new.text),) if new.text else ())
    if new is None:
        return Changed(old, None, ((DELETE, old.text),) if old.text else ())
    pieces, word_by_word = _word_pieces(old.text, new.text, budget)
    return Changed(old, new, tuple(pieces), word_by_word)


def _fold(kept: list[Block], *, first: bool, last: bool) -> list[Hunk]:
    """A run of unchanged blocks: context beside the changes, the rest counted.
    A fold of a single block would take as much room as the block: shown instead."""
    before = 0 if first else CONTEXT
    after = 0 if last else CONTEXT
    if len(kept) <= before + after + 1:
        return [Context(b) for b in kept]
    hidden = len(kept) - before - after
    return (
        [Context(b) for b in kept[:before]]
        + [Collapsed(hidden)]
        + [Context(b) for b in kept[len(kept) - after :]]
    )


def _count_words(pieces, op: str) -> int:
    return sum(len(re.findall(r"\w+", text)) for kind, text in pieces if kind == op)


def text_diff(old_markdown: str, new_markdown: str) -> TextDiff:
    """The changes from one Markdown body to another, block by block, then word
    by word inside changed blocks; unchanged runs folded. Cached per pair of
    texts (versions never change, and mail to many signers asks for one pair)."""
    return _text_diff(old_markdown, new_markdown)


@lru_cache(maxsize=CACHED_PAIRS)
def _text_diff(old_markdown: str, new_markdown: str) -> TextDiff:
    old, new = blocks_of(old_markdown), blocks_of(new_markdown)
    codes = _opcodes([_key(b) for b in old], [_key(b) for b in new], [BLOCK_BUDGET])
    if codes is None:  # too many blocks to match: everything between the shared ends
        start, end = _common_ends([_key(b) for b in old], [_key(b) for b in new])
        codes = [("equal", 0, start, 0, start)] if start else []
        codes.append(("replace", start, len(old) - end, start, len(new) - end))
        if end:
            codes.append(("equal", len(old) - end, len(old), len(new) - end, len(new)))
    hunks: list[Hunk] = []
    budget = [TOTAL_WORD_BUDGET]
    for index, (op, i1, i2, j1, j2) in enumerate(codes):
        if op == "equal":
            first, last = index == 0, index == len(codes) - 1
            hunks.extend(_fold(new[j1:j2], first=first, last=last))
        else:
            hunks.extend(_changed(o, n, budget) for o, n in _pairs(old[i1:i2], new[j1:j2]))
    if not any(isinstance(h, Changed) for h in hunks):
        hunks = [Collapsed(len(new))] if new else []
    changes = [p for h in hunks if isinstance(h, Changed) for p in h.pieces]
    return TextDiff(tuple(hunks), _count_words(changes, INSERT), _count_words(changes, DELETE))


# Word pieces of short texts (the title), lines first -----------------------------
def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Pieces (op, text) that turn old into new, words as the smallest unit."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pieces: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append((EQUAL, "".join(old_lines[i1:i2])))
        elif op == "delete":
            pieces.append((DELETE, "".join(old_lines[i1:i2])))
        elif op == "insert":
            pieces.append((INSERT, "".join(new_lines[j1:j2])))
        else:
            words, _ = _word_pieces(
                "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]), [TOTAL_WORD_BUDGET]
            )
            pieces.extend(words)
    return _merge(pieces)


def _merge(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged
