"""The mail worker under faults, for real: `signon send-mail --loop` processes
killed with SIGKILL, an SMTP server (aiosmtpd) that hangs after accepting a
message or is down for a while. Afterwards every message arrived, none twice.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from signon.mail.models import MailState

from .mail_support import outbox
from .mailbox import Mailbox, SMTPServer, free_port
from .private_postgres import wait_until
from .running_server import BIN, operator_environment, stop_process
from .test_outbox import queue_plain


class SlowMailbox(Mailbox):
    """Takes `delay` seconds to answer each RCPT: a kill lands before any DATA."""

    delay = 0.3

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"


class HangingQuitMailbox(Mailbox):
    """Accepts every message, then never answers QUIT."""

    async def handle_QUIT(self, server, session, envelope):
        await asyncio.sleep(60)
        return "221 Bye"


def smtp_with(mailbox: Mailbox, port: int | None = None) -> SMTPServer:
    server = SMTPServer(port=port)
    server.mailbox = mailbox
    server.controller.handler = mailbox
    return server.start()


class Worker:
    """`signon send-mail --loop` in its own process, on the test's database."""

    def __init__(self, app_config: dict, smtp_port: int, log: Path, **settings: str):
        env = operator_environment(
            INSTANCE_PATH=str(app_config["INSTANCE_PATH"]),
            DATABASE_URL=str(app_config["DATABASE_URL"]),
            SECRET_KEY=app_config["SECRET_KEY"],
            BASE_URL="http://signon.test",
            MAIL_BACKEND="smtp",
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=str(smtp_port),
            **settings,
        )
        self.log_path = log
        with open(log, "w") as output:
            self.process = subprocess.Popen(
                [str(BIN / "signon"), "send-mail", "--loop", "--interval", "0.2"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def workers(app_config, tmp_path):
    started: list[Worker] = []

    def start(smtp_port: int, **settings: str) -> Worker:
        started.append(
            Worker(app_config, smtp_port, tmp_path / f"worker-{len(started)}.log", **settings)
        )
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def delivered(mailbox: Mailbox) -> Counter:
    return Counter(message["Message-ID"] for message in mailbox.messages)


def test_a_worker_killed_after_the_servers_250_sends_nothing_twice(app, workers):
    """The message is recorded as sent right after the 250, before QUIT: a worker
    killed while QUIT hangs leaves nothing for another worker to send again."""
    server = smtp_with(HangingQuitMailbox())
    try:
        (message_id,) = queue_plain(app, 1)
        first = workers(server.port, MAIL_SMTP_TIMEOUT="20", MAIL_CLAIM_SECONDS="60")
        server.mailbox.wait_for(1, timeout=20)
        # QUIT is hanging now; the row must already say "sent".
        wait_until(lambda: outbox(app)[0].state is MailState.SENT, timeout=5)
        first.kill()
        workers(server.port, MAIL_SMTP_TIMEOUT="1", MAIL_CLAIM_SECONDS="3")
        time.sleep(4)  # past the killed worker's lease: a "sending" row would be taken again
        (row,) = outbox(app)
    finally:
        server.stop()
    assert delivered(server.mailbox) == {message_id: 1}
    assert (row.state, row.attempts) == (MailState.SENT, 1)


def test_a_killed_workers_batch_is_sent_by_another_within_the_lease(app, workers):
    server = smtp_with(SlowMailbox())
    try:
        message_ids = queue_plain(app, 30)
        settings = {"MAIL_SMTP_TIMEOUT": "1", "MAIL_CLAIM_SECONDS": "3", "MAIL_BATCH_SIZE": "10"}
        first = workers(server.port, **settings)
        server.mailbox.wait_for(3, timeout=20)
        time.sleep(0.15)
        first.kill()  # in the middle of a RCPT: its batch holds untried rows
        workers(server.port, **settings)
        # The lease (3 s) plus 27 sends at 0.3 s each, with room to spare; the old
        # hard-coded five-minute claim fails this.
        server.mailbox.wait_for(30, timeout=25)
        wait_until(lambda: all(row.state is MailState.SENT for row in outbox(app)), timeout=10)
        rows = outbox(app)
    finally:
        server.stop()
    assert delivered(server.mailbox) == dict.fromkeys(message_ids, 1)
    # The row the killed worker was sending shows its interrupted attempt.
    assert sorted(row.attempts for row in rows) == [1] * 29 + [2]


def test_mail_waiting_through_an_smtp_outage_goes_out_as_soon_as_the_server_is_back(app, workers):
    port = free_port()  # the server is down: nothing listens
    message_ids = queue_plain(app, 20)
    worker = workers(port, MAIL_SMTP_TIMEOUT="2", MAIL_CLAIM_SECONDS="6")
    wait_until(lambda: "cannot be reached" in worker.log, timeout=20)
    rows = outbox(app)
    assert all(row.state is MailState.PENDING and row.attempts == 0 for row in rows)
    assert "Waiting for the mail server" in rows[0].last_error

    server = smtp_with(Mailbox(), port=port)
    try:
        # Well inside the first backoff (60 s) the old worker waited out.
        server.mailbox.wait_for(20, timeout=5)
        wait_until(lambda: "answers again" in worker.log, timeout=5)
    finally:
        server.stop()
    assert delivered(server.mailbox) == dict.fromkeys(message_ids, 1)
    assert worker.log.count("cannot be reached") == 1
