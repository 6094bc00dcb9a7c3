"""`signon render`: a statement file to PDF, DOCX and HTML, with no database and
no server. It imports neither Flask nor the app, so it starts at once; the
`signon` command calls it before anything else is loaded."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(
    "render",
    help="Render a statement file as PDF, DOCX and/or HTML, straight from the file: "
    "no database, no server.",
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="PDF file."
)
@click.option(
    "--docx", "docx_path", type=click.Path(dir_okay=False, path_type=Path), help="DOCX file."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file: the page the PDF is printed from.",
)
@click.option(
    "--page-size",
    type=click.Choice(["A4", "Letter"], case_sensitive=False),
    default="A4",
    show_default=True,
)
@click.option("--author", default="", help="Author in the files' metadata (the lead NGOs).")
@click.option(
    "--lang",
    "language",
    default="",
    help="A translation's language: renders x.<lang>.md beside the file, with its list.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds the PDF may take.",
)
def render_command(
    path: Path,
    pdf_path: Path | None,
    docx_path: Path | None,
    html_path: Path | None,
    page_size: str,
    author: str,
    language: str,
    time_limit: float,
) -> None:
    from .documents.render_child import RenderChild, RenderError

    if not (pdf_path or docx_path or html_path):
        raise click.UsageError("Name at least one file to write: --pdf, --docx or --html.")
    # One render in a short-lived process: no warm-up to share with later ones, but
    # the child, started before anything else is loaded, loads WeasyPrint while this
    # process reads the file and builds the document.
    renderer = None
    if pdf_path:
        try:
            renderer = RenderChild(
                preload=("weasyprint", f"{__package__}.documents.weasyprint_html")
            )
        except RenderError as error:
            raise click.ClickException(f"{path}: {error}. No file was written.") from None
    from .statements.file_document import document_for_file
    from .statements.files import StatementFileError, read_statement_file
    from .statements.translation_files import path_for, read_translation_file

    try:
        source = read_statement_file(path)
        translation = None
        if language and language != source.language:
            translation_path = path_for(path, language)
            if not translation_path.exists():
                raise click.ClickException(
                    f"{path}: no {language!r} translation beside it ({translation_path})."
                )
            translation = read_translation_file(translation_path, language)
    except (StatementFileError, click.ClickException) as error:
        if renderer:
            renderer.close()
        if isinstance(error, click.ClickException):
            raise
        raise click.ClickException(str(error)) from None
    document = document_for_file(source, author=author, translation=translation)

    def html() -> bytes:
        from .documents.pdf import statement_html

        return statement_html(document, page_size=page_size).encode("utf-8")

    def pdf() -> bytes:
        # The child renders the HTML made here: its own work is a bare WeasyPrint's.
        from .documents.pdf import statement_html
        from .documents.weasyprint_html import pdf_from_html

        page = statement_html(document, page_size=page_size)
        return renderer.render(pdf_from_html, page, seconds=time_limit)

    def docx() -> bytes:
        from .documents.docx import render_docx

        return render_docx(document)

    # Everything is rendered before anything is written: a failure writes no file.
    outputs = []
    try:
        for target, render in ((html_path, html), (pdf_path, pdf), (docx_path, docx)):
            if target is None:
                continue
            try:
                outputs.append((target, render()))
            except Exception as error:  # a renderer's failure, said plainly
                raise click.ClickException(
                    f"{path}: could not produce {target}: {error}. No file was written."
                ) from None
    finally:
        if renderer:
            renderer.close()
    from .documents.atomic_files import write_atomically

    for target, data in outputs:
        try:
            write_atomically(target, data)
        except OSError as error:
            raise click.ClickException(
                f"Cannot write {target}: {error.strerror or error}"
            ) from None
        click.echo(f"Wrote {target}.")
