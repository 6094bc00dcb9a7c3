"""WeasyPrint, locked down: our print HTML to PDF with a URL fetcher that reads only
the bundled files under templates/documents/ and data: URLs.

Light on purpose (no templates, no document model): a rendering child of `signon
render` loads it beside WeasyPrint and does a bare WeasyPrint's work, no more."""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..paths import TEMPLATES

BUNDLED = TEMPLATES / "documents"  # the only folder WeasyPrint may read from


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


def pdf_from_html(html: str) -> bytes:
    """Our print HTML (`statement_html`) as PDF bytes: WeasyPrint, fetching only
    bundled files."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=BUNDLED.as_uri() + "/", url_fetcher=bundled_files_only()
    ).write_pdf()
