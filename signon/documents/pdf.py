"""The document model as a PDF, through WeasyPrint, in a child process with a time limit.

See docs/architecture.md, PDF rendering.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import mimetypes
import multiprocessing
import sys
import threading
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..paths import TEMPLATES
from .html import body_html
from .labels import date_line, fingerprint_line, list_updated_line
from .model import Document, build_document
from .signatories import Signatory, SignatorySection

BUNDLED = TEMPLATES / "documents"  # the only folder WeasyPrint may read from
TEMPLATE = "documents/statement.html"
STYLESHEET = BUNDLED / "print.css"
PAGE_SIZES = ("A4", "Letter")
TWO_COLUMNS_OVER = 20  # a list of more names than this is set in two columns
DEFAULT_SECONDS = 60.0
LOGGER = logging.getLogger(__name__)


class RenderError(RuntimeError):
    """The PDF could not be made in time, or at all."""


class URLRefused(ValueError):
    """WeasyPrint asked for something outside the bundled files and data: URLs."""


# Fetching ---------------------------------------------------------------------
def bundled_files_only():
    """A WeasyPrint URL fetcher that serves data: URLs and files under
    templates/documents/, and refuses everything else without opening it."""
    return _fetcher_class()()


@cache
def _fetcher_class():
    # WeasyPrint is imported on first use: it takes half a second, and the web
    # pages that import this module may never make a PDF.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledFilesOnly(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = bundled_path(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
            raise URLRefused(f"refused to fetch {url[:200]!r}: not a bundled file")

    return BundledFilesOnly


def bundled_path(url: str) -> Path:
    """The file a file: URL names, if it lies inside templates/documents/."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise URLRefused(f"refused to fetch {url[:200]!r}: not a bundled file")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(BUNDLED.resolve()) or not path.is_file():
        raise URLRefused(f"refused to fetch {url[:200]!r}: not a bundled file")
    return path


# HTML -------------------------------------------------------------------------
@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _stylesheet() -> Markup:
    # Our own file, inlined so that the HTML stands alone (`signon render --html`).
    # It must not be escaped: entities are not decoded inside <style>.
    return Markup(STYLESHEET.read_text(encoding="utf-8"))  # noqa: S704


def statement_html(document: Document, *, page_size: str = "A4") -> str:
    """The print HTML of a statement: the one template, escaped, with our CSS."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    created = document.date or dt.datetime.now(dt.UTC).date().isoformat()
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            document=document,
            section=document.signatories,
            body=body_html(document.blocks, document.footnotes),
            stylesheet=_stylesheet(),
            page_size=page_size,
            created=created,
            modified=document.list_updated,
            date_text=date_line(document),
            updated_text=list_updated_line(document),
            fingerprint_text=fingerprint_line(document),
            two_columns_over=TWO_COLUMNS_OVER,
        )
    )


# PDF --------------------------------------------------------------------------
def render_pdf(document: Document, *, page_size: str = "A4") -> bytes:
    """The statement as PDF bytes, in this process (no time limit)."""
    from weasyprint import HTML

    html = statement_html(document, page_size=page_size)
    return HTML(
        string=html, base_url=BUNDLED.as_uri() + "/", url_fetcher=bundled_files_only()
    ).write_pdf()


def render_pdf_with_time_limit(
    document: Document,
    *,
    page_size: str = "A4",
    seconds: float = DEFAULT_SECONDS,
    warm_up: bool = True,
) -> bytes:
    """`render_pdf` in a child process that is killed after `seconds`.

    Raises RenderError on timeout, when the child fails or dies, or when it cannot
    be started. See `start_method` for how the child is made, and `warm_up`.
    """
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    return render_with_time_limit(
        render_pdf, document, seconds=seconds, warm_up=warm_up, page_size=page_size
    )


def render_with_time_limit(
    render,
    document: Document,
    *,
    seconds: float = DEFAULT_SECONDS,
    warm_up: bool = True,
    **options,
) -> bytes:
    """`render(document, **options)` in a child process that is killed after `seconds`
    (any of our renderers: the PDF here, the DOCX too). `render` must be a
    module-level function, so the child can find it.

    With `warm_up` (a long-lived process: a web worker) a forked child inherits
    WeasyPrint and its fonts, loaded once here first. A process that renders once
    (`signon render`) passes False: the child then loads them itself, which costs
    what a bare WeasyPrint process does and no more."""
    return RenderChild(warm_up=warm_up).render(render, document, seconds=seconds, **options)


class RenderChild:
    """A child process that renders one document and is killed if it runs over.

    Started ahead of its work with `preload="weasyprint"`, it loads WeasyPrint
    while this process still reads and builds the document (`signon render`), so a
    whole render costs little more than WeasyPrint alone. Raises RenderError when
    it cannot be started."""

    def __init__(self, *, warm_up: bool = True, preload: str = ""):
        with _starting:
            method = start_method()
            context = _context(method)
            if method == "fork" and warm_up:
                _warmed_up()
            jobs, self._jobs = context.Pipe(duplex=False)
            self._results, results = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_render_in_child, args=(jobs, results, preload), daemon=True
            )
            try:
                self._process.start()
            except Exception as error:
                for end in (jobs, results, self._jobs, self._results):
                    end.close()
                raise RenderError(f"could not start the renderer: {error}") from error
            # The child's ends, closed here before another child can be forked with
            # them: the child's death must close the last copy (the parent sees EOF).
            jobs.close()
            results.close()

    def render(self, render, document: Document, *, seconds: float, **options) -> bytes:
        """`render(document, **options)` in the child, within `seconds`; then the
        child is gone. Raises RenderError on timeout, failure or the child's death."""
        what = "PDF" if render is render_pdf else "document"
        try:
            try:
                self._jobs.send((render, document, options))
            except OSError:
                self._process.join()
                raise RenderError(
                    f"the {what} renderer stopped (exit code {self._process.exitcode})"
                ) from None
            if not self._results.poll(seconds):
                raise RenderError(
                    f"rendering the {what} took longer than {seconds:g} s and was stopped"
                )
            try:
                status, payload = self._results.recv()
            except EOFError:
                self._process.join()
                raise RenderError(
                    f"the {what} renderer stopped without a result "
                    f"(exit code {self._process.exitcode})"
                ) from None
        finally:
            self.close()
        if status != "ok":
            raise RenderError(f"rendering the {what} failed: {payload}")
        return payload

    def close(self) -> None:
        """Stop the child if it still runs (a render not asked for after all)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._jobs.close()
        self._results.close()


_starting = threading.Lock()  # one child started at a time; no warm-up meanwhile


def start_method() -> str:
    """How the rendering child is made.

    "fork" (Linux, and only while this process runs a single thread): the child is a
    copy of this process, with WeasyPrint imported and its fonts loaded once here
    beforehand, so it starts rendering at once. With other threads running (a
    threaded server, the mail worker thread), a forked child could inherit a lock
    one of them held and hang, and Python 3.12 warns against it; then the child
    comes from a "forkserver" started once, single-threaded, with this module
    imported (slower: each child loads its fonts again). "spawn" elsewhere.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and threading.active_count() == 1 and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


@cache
def _context(method: str):
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server process warms up once; every child forked from it inherits that.
        context.set_forkserver_preload([__name__, "weasyprint", f"{__package__}.warm_renderer"])
    return context


@cache
def _warmed_up() -> None:
    warm_up()


def warm_up() -> None:
    """Import WeasyPrint and load the usual fonts and hyphenation patterns in this
    process, for every forked child to inherit."""
    section = SignatorySection(
        intro="Signed by:",
        organisations=[Signatory(name="Ελληνική · Русская · العربية", acronym="X")],
        anonymous_sentence="and 1 other organisation that asked not to be named",
    )
    body = "Statement *text* with **bold**, `code` and hyphenation.\n\n## Heading\n"
    try:
        render_pdf(build_document(title="Warm-up", body=body, language="en", signatories=section))
    except Exception:
        # Only a head start: a real problem shows again, and is reported, in the child.
        LOGGER.warning("warming up the PDF renderer failed", exc_info=True)


def _render_in_child(jobs, results, preload: str) -> None:
    try:
        if preload:
            importlib.import_module(preload)
        try:
            render, document, options = jobs.recv()
        except EOFError:
            return  # nothing was asked after all
        result = ("ok", render(document, **options))
    except BaseException as error:
        result = ("error", f"{type(error).__name__}: {error}")
    try:
        results.send(result)
    finally:
        results.close()
