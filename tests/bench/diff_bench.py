"""Diff benchmark: two statement bodies of about 200 KB with scattered changes.

Run with `make bench` or `.venv/bin/python tests/bench/diff_bench.py`. Not collected
by pytest. It prints the time of the folded diff (signon.statements.diff.text_diff,
Markdown parsed, blocks matched, words matched inside changed blocks) against a
plain copy of the text (bytes(...)) and against parsing both bodies alone, so the
figure reads on any machine; it exits 1 when a case takes a second or more. Also
the pathological case of issue 10 ("a b " x 500 against "b a c " x 500), which
must stay bounded.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from signon.statements import diff as diff_module  # noqa: E402

VOCABULARY = (
    "the authorities of meridia must release every detained journalist immediately and "
    "unconditionally drop all charges brought against them for their work guarantee that "
    "independent media can report without fear of reprisal restore licences"
)
WORDS = tuple(VOCABULARY.split())


def body(rng: random.Random, size: int) -> str:
    parts, total, n = [], 0, 0
    while total < size:
        n += 1
        if n % 12 == 1:
            text = f"## Section {n // 12 + 1}"
        elif n % 5 == 0:
            text = "\n".join(f"- {' '.join(rng.choices(WORDS, k=12))}." for _ in range(4))
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randint(60, 120))).capitalize() + "."
        parts.append(text)
        total += len(text) + 2
    return "\n\n".join(parts) + "\n"


def scatter(rng: random.Random, text: str, changes: int) -> str:
    words = text.split(" ")
    for _ in range(changes):
        i = rng.randrange(len(words))
        words[i] = rng.choice(WORDS) if rng.random() < 0.7 else words[i] + " newly"
    return " ".join(words)


def timed(function, *args, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        diff_module._text_diff.cache_clear()
        started = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000, help="body size in bytes")
    parser.add_argument("--changes", type=int, default=200, help="words changed")
    args, _ = parser.parse_known_args()  # make bench passes every script the same args
    rng = random.Random(9)
    old = body(rng, args.size)
    new = scatter(rng, old, args.changes)

    copy = timed(lambda text: bytes(text, "utf-8"), old, repeat=5)
    parse = timed(lambda a, b: (diff_module.blocks_of(a), diff_module.blocks_of(b)), old, new)
    folded = timed(diff_module.text_diff, old, new)
    result = diff_module.text_diff(old, new)
    print(f"bodies: {len(old):,} and {len(new):,} bytes, {args.changes} scattered word changes")
    print(f"  plain copy of the text  {copy * 1000:9.2f} ms")
    print(
        f"  parse both bodies       {parse * 1000:9.2f} ms  (Markdown to blocks, part of the diff)"
    )
    print(
        f"  folded diff             {folded * 1000:9.2f} ms  "
        f"({result.changed_blocks} changed blocks, {len(result.hunks)} hunks, "
        f"coarse: {result.coarse}; {folded / copy:,.0f}x the copy, {folded / parse:.2f}x the parse)"
    )
    worst_old, worst_new = "a b " * 500, "b a c " * 500
    worst = timed(diff_module.text_diff, worst_old, worst_new)
    print(
        f"  issue 10's 'a b'/'b a c' x 500: {worst * 1000:.2f} ms (coarse: "
        f"{diff_module.text_diff(worst_old, worst_new).coarse})"
    )
    big_old, big_new = "a b " * 50_000, "b a c " * 33_000
    big = timed(diff_module.text_diff, big_old, big_new, repeat=1)
    print(f"  the same at 200 KB: {big * 1000:.2f} ms")
    return 0 if folded < 1.0 and worst < 1.0 and big < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
