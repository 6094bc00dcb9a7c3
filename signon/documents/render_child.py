"""Rendering in a child process that is killed when its time is up, so a document
that takes too long cannot hold a web worker or the command line.

Light on purpose (no WeasyPrint, no templates): `signon render` starts its child
before it loads anything else. See docs/architecture.md, PDF rendering."""

from __future__ import annotations

import importlib
import multiprocessing
import sys
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Document


class RenderError(RuntimeError):
    """The document could not be made in time, or at all."""


class RenderChild:
    """A child process that renders one document and is killed if it runs over.

    Started ahead of its work with `preload=("weasyprint", ...)`, it loads WeasyPrint
    while this process still reads and builds the document (`signon render`), so a
    whole render costs little more than WeasyPrint alone. Raises RenderError when
    it cannot be started."""

    def __init__(
        self, *, before_fork: Callable[[], None] | None = None, preload: tuple[str, ...] = ()
    ):
        with _starting:
            method = start_method()
            context = _context(method)
            if method == "fork" and before_fork is not None:
                before_fork()  # what a forked child should inherit (a warm WeasyPrint)
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
        what = "PDF" if render.__name__ in ("render_pdf", "pdf_from_html") else "document"
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
        context.set_forkserver_preload(
            [f"{__package__}.pdf", "weasyprint", f"{__package__}.warm_renderer"]
        )
    return context


def _render_in_child(jobs, results, preload: tuple[str, ...]) -> None:
    try:
        for module in preload:
            importlib.import_module(module)
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
