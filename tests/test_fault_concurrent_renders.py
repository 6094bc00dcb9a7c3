"""Two workers asked for the same file that is not rendered yet, at the same moment:
it is rendered once, and both answer the same bytes with the same ETag.

The workers are two apps on one instance folder and database, each downloading
in its own thread, released together by a barrier; renders are real WeasyPrint
and python-docx work.
"""

from __future__ import annotations

import threading

import pytest

from signon import create_app
from signon.documents import cache
from signon.extensions import db

from .public_steps import close_statement, publish, signed_statement, withdraw_signature


@pytest.fixture
def second_worker(app_config):
    worker = create_app(app_config)
    yield worker
    with worker.app_context():
        db.engine.dispose()


def at_once(workers, path: str) -> list:
    """Each worker downloads `path` in its own thread, all starting together."""
    barrier = threading.Barrier(len(workers))
    answers: list = [None] * len(workers)

    def download(index: int) -> None:
        client = workers[index].test_client()
        barrier.wait()
        response = client.get(path)
        answers[index] = (response.status_code, response.get_data(), response.headers["ETag"])
        response.close()

    threads = [threading.Thread(target=download, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.parametrize(
    ("suffix", "counted"),
    [
        (".pdf", "edition pdf"),  # a later edition's A4 file, rendered on first download
        (".docx", "edition docx"),
        (".pdf?size=letter", "pdf"),  # through the render cache
    ],
)
def test_two_workers_asking_for_a_new_file_render_it_once(
    app, second_worker, create_statement, dummy_user, suffix, counted
):
    statement, ids = signed_statement(app, create_statement, dummy_user)
    close_statement(app, statement)
    publish(app, statement)
    withdraw_signature(app, ids["Zeta Press Union"])  # edition 2: its files do not exist yet
    before = cache.render_counts[counted]

    first, second = at_once([app, second_worker], f"/s/{statement.slug}{suffix}")

    assert first[0] == second[0] == 200
    assert first[1] == second[1]  # the same bytes
    assert first[2] == second[2]  # the same ETag
    assert cache.render_counts[counted] - before == 1
