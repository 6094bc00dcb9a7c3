"""Rendering benchmark: our PDF and DOCX against plain baselines, measured in one run.

Run with `make bench` or `.venv/bin/python tests/bench/render_bench.py`. Not
collected by pytest. For a generated statement of about 1,600 words with 10 and
with 1,000 signatories it prints:

(a) our PDF render time ÷ bare WeasyPrint rendering the same content as plain
    HTML with minimal CSS (target <= 1.5);
(b) our DOCX build time ÷ pandoc converting the same Markdown to DOCX, where
    pandoc is installed (target <= 1.0);
(c) a cached download of a stored statement's PDF (1,000 signatures, through
    the public route and the database) ÷ serving a static file of the same
    size, both through the app (target <= 2);
(d) peak memory of the 1,000-signatory PDF render, in a fresh process
    (target <= 300 MB).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from signon.signatory_fields import SignatoryEntry  # noqa: E402
from signon.statements.file_document import document_for_file  # noqa: E402
from signon.statements.files import StatementFile  # noqa: E402

WORDS = """journalists detained authorities release freedom press independent media coalition
organisations call government charges law information reporters lawyers families international
partners human rights standards expression assembly association civil society protest courts
detention unconditionally immediately guarantee access""".split()  # noqa: SIM905
COUNTRIES = ["France", "Kenya", "Brazil", "Kyrgyzstan", "Germany", "India", "Mexico", "Ghana"]


def generated_body(words: int = 1600, seed: int = 7) -> str:
    """About `words` words: headings, paragraphs, lists, a quote, a table, footnotes."""
    rng = random.Random(seed)
    parts, count, section = [], 0, 1
    while count < words:
        parts.append(f"## Section {section}\n")
        for _ in range(3):
            sentence = " ".join(rng.choice(WORDS) for _ in range(60))
            parts.append(sentence.capitalize() + ". **Key point** and *emphasis* here.\n")
            count += 64
        parts.append(
            "\n".join(f"- {' '.join(rng.choice(WORDS) for _ in range(8))}" for _ in range(4)) + "\n"
        )
        parts.append(
            "\n".join(f"{i}. {' '.join(rng.choice(WORDS) for _ in range(8))}" for i in range(1, 4))
            + "\n"
        )
        parts.append("> " + " ".join(rng.choice(WORDS) for _ in range(25)) + f"[^n{section}]\n")
        count += 81
        section += 1
    parts.append(
        "| Outlet | Detained | Status |\n|---|---|---|\n| A | 5 | sealed |\n| B | 4 | blocked |\n"
    )
    parts.extend(
        f"[^n{i}]: Footnote {i} with a [link](https://example.org/{i}).\n"
        for i in range(1, section)
    )
    return "\n".join(parts)


def generated_statement(signatories: int) -> StatementFile:
    rng = random.Random(signatories)
    people = []
    for i in range(signatories):
        people.append(
            SignatoryEntry(
                name=f"Organisation for Press Freedom number {i}",
                acronym=f"OPF{i}" if i % 3 else "",
                country=rng.choice(COUNTRIES),
                note="within the framework of the Observatory" if i % 17 == 0 else "",
                kind="individual" if i % 25 == 0 else "organisation",
                listed_publicly=i % 40 != 0,
            )
        )
    return StatementFile(
        title="Free the journalists of Meridia: end the crackdown on independent media",
        body=generated_body(),
        language="en",
        date="2026-11-20",
        signatory_order="alphabetical",
        signatories_intro="This statement is signed by:",
        signatories=people,
    )


def interleaved(runs: int, ours, baseline) -> tuple[float, float]:
    """Best CPU times of two in-process actions run in turn. On a shared machine a
    slow spell then slows both sides, not one, and CPU time leaves out the time
    the machine gave to others."""
    best_ours = best_baseline = float("inf")
    for _ in range(runs):
        best_ours = min(best_ours, best_of(1, ours, time.process_time))
        best_baseline = min(best_baseline, best_of(1, baseline, time.process_time))
    return best_ours, best_baseline


def best_of(runs: int, action, clock=time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        action()
        times.append(clock() - start)
    return min(times)


def bare_weasyprint_html(source: StatementFile) -> str:
    """The same content as plain HTML with minimal CSS: the baseline for (a)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(source.body)
    items = "".join(f"<li>{s.name}</li>" for s in source.signatories)
    return (
        f"<html><head><style>body {{ font-family: serif; }}</style></head><body>"
        f"<h1>{source.title}</h1>{body}<ul>{items}</ul></body></html>"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    import weasyprint

    from signon.documents.docx import render_docx
    from signon.documents.pdf import render_pdf

    results = []
    for count in (10, 1000):
        source = generated_statement(count)
        document = document_for_file(source)
        words = len(source.body.split())
        print(f"\nStatement of {words} words, {count} signatories")
        html = bare_weasyprint_html(source)
        ours_pdf, bare_pdf = interleaved(
            # Short renders are the noisiest: take the best of more of them.
            args.runs * 4 if count <= 10 else args.runs,
            lambda d=document: render_pdf(d),
            lambda h=html: weasyprint.HTML(string=h).write_pdf(),
        )
        ratio_a = ours_pdf / bare_pdf
        print(
            f"  (a) PDF: ours {ours_pdf * 1000:.0f} ms, bare WeasyPrint {bare_pdf * 1000:.0f} ms"
            f" -> ratio {ratio_a:.2f} (target <= 1.5)"
        )
        results.append(("a", count, ratio_a, 1.5))

        ours_docx = best_of(args.runs, lambda d=document: render_docx(d))
        pandoc = shutil.which("pandoc")
        if pandoc:
            with tempfile.TemporaryDirectory() as folder:
                markdown = Path(folder) / "s.md"
                listing = "\n".join(f"- {s.name}" for s in source.signatories)
                markdown.write_text(f"# {source.title}\n\n{source.body}\n\n{listing}\n")
                out = Path(folder) / "s.docx"
                command = [pandoc, str(markdown), "-o", str(out)]
                pandoc_time = best_of(args.runs, lambda c=command: subprocess.run(c, check=True))
            ratio_b = ours_docx / pandoc_time
            print(
                f"  (b) DOCX: ours {ours_docx * 1000:.0f} ms, pandoc {pandoc_time * 1000:.0f} ms"
                f" -> ratio {ratio_b:.2f} (target <= 1.0)"
            )
            results.append(("b", count, ratio_b, 1.0))
        else:
            print(f"  (b) DOCX: ours {ours_docx * 1000:.0f} ms; pandoc not installed, no ratio")

    print()
    ratio_c = cached_download_ratio(args.runs)
    results.append(("c", 1000, ratio_c, 2.0))
    peak = peak_memory_mb()
    print(f"  (d) peak memory of the 1,000-signatory PDF render: {peak:.0f} MB (target <= 300)")
    results.append(("d", 1000, peak, 300))

    missed = [r for r in results if r[2] > r[3]]
    print(
        "\nResult:",
        "all targets met"
        if not missed
        else "missed: "
        + ", ".join(f"({k}) {n} signatories {v:.2f} > {t}" for k, n, v, t in missed),
    )
    return 0


def stored_statement(count: int) -> str:
    """In the app context: a statement of the 1,600-word text with `count` team-added
    signatures and a live list (only then is an open statement's PDF public and
    stored); its slug."""
    from signon.accounts.service import create_user
    from signon.extensions import db
    from signon.signatures.models import Signature, SignatureSource, SignatureState
    from signon.statements.lifecycle import open_for_signatures
    from signon.statements.models import SignatoryOrder
    from signon.statements.service import create_statement

    source = generated_statement(count)
    lead = create_user("lead@bench.example", "Bench Lead", "a long bench password")
    statement = create_statement(title=source.title, body=source.body, language="en", owner=lead)
    open_for_signatures(
        statement,
        deadline=None,
        time_zone="UTC",
        signatories_intro="Signed by:",
        signatory_order=SignatoryOrder.ALPHABETICAL,
    )
    statement.live_list = True
    version = statement.current_version
    db.session.add_all(
        Signature(
            statement=statement,
            version_id=version.id,
            text_sha256=version.sha256,
            source=SignatureSource.TEAM,
            state=SignatureState.SIGNED,
            name=s.name,
            acronym=s.acronym,
            country=s.country,
            note=s.note,
            position=position,
        )
        for position, s in enumerate(source.signatories)
    )
    db.session.commit()
    return statement.slug


def cached_download_ratio(runs: int) -> float:
    """(c): GET /s/<slug>.pdf of a stored statement with 1,000 signatures, once its
    PDF is cached, ÷ GET of a static file of the same size; both in-process
    through the app, on a migrated SQLite file."""
    from flask import send_file
    from flask_migrate import upgrade

    from signon import create_app

    instance = Path(tempfile.mkdtemp(prefix="signon-render-bench-"))
    try:
        app = create_app(
            {
                "INSTANCE_PATH": instance,
                "DATABASE_URL": f"sqlite:///{instance}/bench.db",
                "SECRET_KEY": "bench-" * 8,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            slug = stored_statement(1000)
        static = instance / "static-copy.pdf"
        app.add_url_rule(
            "/bench/static", "bench_static", lambda: send_file(static, mimetype="application/pdf")
        )
        client = app.test_client()
        url = f"/s/{slug}.pdf"
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        static.write_bytes(first.get_data())

        def many(path):
            for _ in range(50):
                with client.get(path) as response:
                    assert response.status_code == 200
                    response.get_data()

        cached, plain = interleaved(runs * 3, lambda: many(url), lambda: many("/bench/static"))
        cached, plain = cached / 50, plain / 50
        ratio = cached / plain
        print(
            f"  (c) cached download of {url} (1,000 signatures) {cached * 1000:.2f} ms, "
            f"static file of the same size ({static.stat().st_size // 1024} KB) "
            f"{plain * 1000:.2f} ms -> ratio {ratio:.2f} (target <= 2)"
        )
        return ratio
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def peak_memory_mb() -> float:
    """(d): max RSS of a fresh process that renders the 1,000-signatory PDF."""
    code = (  # noqa: UP031
        "import resource, sys; sys.path.insert(0, %r);"
        "from tests.bench.render_bench import generated_statement;"
        "from signon.statements.file_document import document_for_file;"
        "from signon.documents.pdf import render_pdf;"
        "render_pdf(document_for_file(generated_statement(1000)));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    ) % str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


if __name__ == "__main__":
    sys.exit(main())
