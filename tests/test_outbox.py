"""The outbox worker: SMTP down loses nothing, retries back off, nothing is sent twice.

Real database (SQLite or PostgreSQL), real SMTP servers (aiosmtpd), the real
`signon send-mail` command; nothing of ours is replaced.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from signon import create_app
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import MailState, OutboxMessage
from signon.mail.senders import sender_for
from signon.mail.worker import DrainResult, claim_batch, deliver, drain_once, retry_delay
from signon.signatures.models import Invitation, Signature, SignatureState

from .conftest import TEST_SECRET
from .mail_support import invite, link_for, make_due, open_for_signing, outbox, sign_through_link
from .mailbox import SMTPServer, free_port

ROW = re.compile(r"<tr\b.*?</tr>", re.S)


@pytest.fixture
def opened(app, dummy_statement):
    open_for_signing(app, dummy_statement.id)
    return dummy_statement


def use_smtp(app, port: int, **settings) -> None:
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=port,
        MAIL_SMTP_TIMEOUT=5,
        **settings,
    )


def queue_plain(app, count: int, **fields) -> list[str]:
    """`count` messages straight into the outbox; their Message-IDs."""
    with app.app_context():
        rows = [
            OutboxMessage(
                **{
                    "kind": "invitation",
                    "to_address": f"partner{n}@partner.example",
                    "subject": f"Message {n}",
                    "text_body": f"Message {n}\n",
                    "html_body": f"<p>Message {n}</p>",
                    "headers": {},
                    "message_id": make_msgid(domain="signon.test"),
                    **fields,
                }
            )
            for n in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.message_id for row in rows]


def received_ids(mailbox) -> list[str]:
    return [message["Message-ID"] for message in mailbox.messages]


def test_smtp_down_keeps_the_signature_and_the_mail_then_send_mail_delivers_once(
    app, dummy_user, opened, runner, send_outbox
):
    port = free_port()  # nothing listens here
    use_smtp(app, port)
    (invitation_id,) = invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    # The contact is the invitation's own address: the invitation and the confirmation.
    signed = sign_through_link(
        app.test_client(), link_for(app, invitation_id), contact_email="info@a19.example"
    )
    assert signed.status_code == 303  # the partner sees success while mail is down

    result = send_outbox()
    # The server is down: the round stops at the first message and lets the rest go.
    assert (result.sent, result.retrying, result.failed) == (0, 0, 0)
    assert "Connection refused" in result.server_unavailable
    with app.app_context():
        (signature,) = db.session.scalars(select(Signature)).all()
        assert signature.state is SignatureState.SIGNED
    rows = outbox(app)
    assert [row.kind for row in rows] == ["invitation", "confirmation"]
    assert "Connection refused" in rows[0].last_error
    for row in rows:
        # No attempt of the message's, no backoff: it waits for the server only.
        assert (row.state, row.attempts, row.claimed_until) == (MailState.PENDING, 0, None)
        assert row.next_attempt_at <= utcnow()

    server = SMTPServer(port=port).start()
    try:
        # No make_due: the mail goes as soon as the server answers again.
        first = runner.invoke(args=["send-mail"])
        assert first.exit_code == 0, first.output
        assert first.output == "Outbox: 2 sent, 0 to retry, 0 failed.\n"
        server.mailbox.wait_for(2)
        second = runner.invoke(args=["send-mail"])
        assert second.output == "Outbox: 0 sent, 0 to retry, 0 failed.\n"
    finally:
        server.stop()
    assert sorted(received_ids(server.mailbox)) == sorted(row.message_id for row in rows)
    for row in outbox(app):
        assert (row.state, row.attempts, row.last_error) == (MailState.SENT, 1, "")


def test_the_invitations_page_says_what_mail_waits_for_and_when_it_left(
    app, web, dummy_user, opened, send_outbox
):
    port = free_port()  # the mail server is away
    use_smtp(app, port)
    invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    send_outbox()
    web.login(dummy_user)

    page = web.get(f"/statements/{opened.slug}/invitations").get_data(as_text=True)
    (row,) = [r for r in ROW.findall(page) if "info@a19.example" in r]
    assert "Waiting to send" in row and "Waiting for the mail server" in row
    assert "Sent " not in row

    with app.app_context():  # as if the outage had lasted two days
        db.session.execute(update(Invitation).values(sent_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    server = SMTPServer(port=port).start()
    try:
        assert send_outbox().sent == 1
    finally:
        server.stop()
    (message,) = outbox(app)
    page = web.get(f"/statements/{opened.slug}/invitations").get_data(as_text=True)
    (row,) = [r for r in ROW.findall(page) if "info@a19.example" in r]
    assert "Waiting" not in row
    queued = (utcnow() - timedelta(days=2)).strftime("%-d %b %Y")
    assert f"Sent {message.sent_at:%-d %b %Y}" in row  # when it left,
    assert f"Sent {queued}" not in row  # not when it was queued


def test_retry_delay_doubles_from_the_base_up_to_the_cap():
    config = {"MAIL_RETRY_BASE_SECONDS": 60, "MAIL_RETRY_MAX_SECONDS": 6 * 3600}
    delays = [retry_delay(attempts, config).total_seconds() for attempts in range(1, 12)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600]
    assert retry_delay(0, config) == timedelta(seconds=60)


def test_the_worker_backs_off_then_fails_after_the_last_attempt(
    app, dummy_user, opened, send_outbox, smtp_server
):
    smtp_server.mailbox.refuse_with = "451 4.3.0 Try again later"  # this message, not the server
    use_smtp(
        app,
        smtp_server.port,
        MAIL_MAX_ATTEMPTS=3,
        MAIL_RETRY_BASE_SECONDS=10,
        MAIL_RETRY_MAX_SECONDS=15,
    )
    invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    waits = []
    for _ in range(2):
        before = utcnow()
        assert send_outbox().retrying == 1
        (row,) = outbox(app)
        assert row.state is MailState.PENDING
        waits.append(round((row.next_attempt_at - before).total_seconds()))
        make_due(app)
    assert waits == [10, 15]  # 10, then 20 capped at 15
    result = send_outbox()
    assert (result.retrying, result.failed) == (0, 1)
    (row,) = outbox(app)
    assert (row.state, row.attempts) == (MailState.FAILED, 3)
    make_due(app)
    assert send_outbox().failed == 0  # failed for good: never tried again
    assert outbox(app)[0].attempts == 3


def test_without_backoff_a_round_tries_each_message_once(
    app, dummy_user, opened, send_outbox, smtp_server
):
    """A zero base delay made the round retry the same message in a tight loop
    until it ran out of attempts."""
    smtp_server.mailbox.refuse_with = "451 4.3.0 Try again later"
    use_smtp(app, smtp_server.port, MAIL_RETRY_BASE_SECONDS=0)
    invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    assert send_outbox().retrying == 1
    assert outbox(app)[0].attempts == 1
    assert send_outbox().retrying == 1
    assert outbox(app)[0].attempts == 2


def test_a_5xx_refusal_fails_the_mail_at_once_and_the_team_sees_it(
    app, web, dummy_user, opened, mail_via_smtp, send_outbox
):
    mail_via_smtp.refuse_with = "550 5.1.1 No such user"
    invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    result = send_outbox()
    assert (result.sent, result.retrying, result.failed) == (0, 0, 1)
    (row,) = outbox(app)
    assert (row.state, row.attempts) == (MailState.FAILED, 1)
    assert row.last_error.startswith("550 5.1.1 No such user")
    make_due(app)
    assert send_outbox().failed == 0

    mail_via_smtp.refuse_with = None
    invite(app, opened.id, dummy_user.id, "PEN International, pen@pen.example")
    assert send_outbox().sent == 1

    web.login(dummy_user)
    page = web.get(f"/statements/{opened.slug}/invitations")
    assert page.status_code == 200
    table_rows = ROW.findall(page.get_data(as_text=True))
    (failed,) = [row for row in table_rows if "info@a19.example" in row]
    (sent,) = [row for row in table_rows if "pen@pen.example" in row]
    assert "Mail failed" in failed and "550 5.1.1 No such user" in failed
    assert "Mail failed" not in sent and "Sent " in sent

    # The team fixes the address on the server's side and sends a new link: once it
    # is delivered, the old failure is history.
    (refused,) = outbox(app, to_address="info@a19.example")
    resent = web.post(
        f"/statements/{opened.slug}/invitations/{refused.invitation_id}/resend", {"confirm": "yes"}
    )
    assert resent.status_code == 302
    assert send_outbox().sent == 1
    page = web.get(f"/statements/{opened.slug}/invitations").get_data(as_text=True)
    (again,) = [row for row in ROW.findall(page) if "info@a19.example" in row]
    assert "Mail failed" not in again and "Sent " in again


def test_a_message_that_cannot_be_built_does_not_hold_up_the_others(
    app, dummy_user, opened, mail_via_smtp, send_outbox, caplog
):
    # A row written by something other than queue_mail, with a header break in it.
    queue_plain(app, 1, to_address="bad@partner.example\nBcc: all@evil.example")
    invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
    result = send_outbox()
    assert (result.sent, result.retrying) == (1, 1)
    assert mail_via_smtp.wait_for(1)[0]["To"] == "info@a19.example"
    bad, good = outbox(app)
    assert (bad.state, bad.attempts) == (MailState.PENDING, 1)
    assert bad.last_error.startswith("ValueError: ")
    assert good.state is MailState.SENT
    assert "outbox message" in caplog.text


def test_a_row_left_sending_by_a_dead_worker_is_sent_once_its_claim_runs_out(
    app, mail_via_smtp, send_outbox
):
    stale, live = queue_plain(app, 2)
    with app.app_context():
        now = utcnow()
        for message_id, claimed_until in (
            (stale, now - timedelta(seconds=1)),  # its worker died minutes ago
            (live, now + timedelta(minutes=4)),  # another worker is sending it right now
        ):
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.message_id == message_id)
                .values(state=MailState.SENDING, claimed_until=claimed_until, attempts=1)
            )
        db.session.commit()
    assert send_outbox().sent == 1
    assert received_ids(mail_via_smtp) == [stale]
    by_id = {row.message_id: row for row in outbox(app)}
    assert (by_id[stale].state, by_id[stale].attempts) == (MailState.SENT, 2)
    assert by_id[live].state is MailState.SENDING


def test_a_worker_whose_claim_ran_out_and_was_taken_over_does_not_send_again(app, mail_via_smtp):
    message_ids = queue_plain(app, 3)
    with app.app_context():
        sender = sender_for(app.config, app.instance_path)
        first = claim_batch(10)  # worker A claims the rows ...
        assert len(first) == 3
        # ... and is so slow that its claims run out before it sends anything,
        db.session.execute(
            update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        second = claim_batch(10)  # so worker B claims them in turn.
        assert [claim.id for claim in second] == [claim.id for claim in first]
        late, on_time = DrainResult(), DrainResult()
        for claim in first:  # A wakes up while B is still at work: A must keep off
            deliver(app, sender, claim, late)
        for claim in second:
            deliver(app, sender, claim, on_time)
    assert (late.sent, late.skipped) == (0, 3)
    assert (on_time.sent, on_time.skipped) == (3, 0)
    assert sorted(received_ids(mail_via_smtp)) == sorted(message_ids)
    assert {(row.state, row.attempts) for row in outbox(app)} == {(MailState.SENT, 1)}


@pytest.fixture
def threaded_app(app, app_config, smtp_server):
    """A second app on the same database with the background worker on (as `make run`)."""
    threaded = create_app(
        {
            **app_config,
            "MAIL_WORKER_THREAD": True,
            "MAIL_POLL_SECONDS": 0.1,
            "MAIL_BACKEND": "smtp",
            "MAIL_SMTP_HOST": "127.0.0.1",
            "MAIL_SMTP_PORT": smtp_server.port,
        }
    )
    worker = threaded.extensions["signon.outbox_worker"]
    yield threaded
    worker.stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    with threaded.app_context():
        db.engine.dispose()


def test_the_web_process_thread_sends_without_anyone_draining(
    threaded_app, dummy_user, dummy_statement, smtp_server
):
    open_for_signing(threaded_app, dummy_statement.id)
    invite(threaded_app, dummy_statement.id, dummy_user.id, "Article 19, info@a19.example")
    (message,) = smtp_server.mailbox.wait_for(1, timeout=5)
    assert message["To"] == "info@a19.example"
    deadline = time.monotonic() + 5
    while outbox(threaded_app)[0].state is not MailState.SENT:
        assert time.monotonic() < deadline, "the thread sent the mail but did not record it"
        time.sleep(0.05)
    time.sleep(0.3)  # a few more rounds: still exactly one
    assert len(smtp_server.mailbox.messages) == 1


def test_send_mail_loop_keeps_sending_until_sigterm(app, dummy_user, opened, smtp_server, tmp_path):
    env = {
        **os.environ,
        "SIGNON_INSTANCE_PATH": str(app.instance_path),
        "SIGNON_DATABASE_URL": app.config["DATABASE_URL"],
        "SIGNON_SECRET_KEY": TEST_SECRET,
        "SIGNON_MAIL_BACKEND": "smtp",
        "SIGNON_MAIL_SMTP_HOST": "127.0.0.1",
        "SIGNON_MAIL_SMTP_PORT": str(smtp_server.port),
    }
    command = [str(Path(sys.executable).parent / "signon"), "send-mail", "--loop"]
    worker = subprocess.Popen(
        [*command, "--interval", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        invite(app, opened.id, dummy_user.id, "Article 19, info@a19.example")
        smtp_server.mailbox.wait_for(1, timeout=20)
        invite(app, opened.id, dummy_user.id, "PEN International, pen@pen.example")
        smtp_server.mailbox.wait_for(2, timeout=5)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert out.count("1 sent") == 2 or "2 sent" in out, out
    assert {row.state for row in outbox(app)} == {MailState.SENT}


def race_two_workers(app, mailbox, count: int, *, both_must_send: bool) -> None:
    message_ids = queue_plain(app, count)
    start = threading.Barrier(2)
    results: list[DrainResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            results.append(drain_once(app, limit=5))  # small batches: many claims each
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    mailbox.wait_for(count)
    received = received_ids(mailbox)
    assert len(received) == count
    assert sorted(received) == sorted(message_ids)  # each exactly once
    assert sum(result.sent for result in results) == count
    if both_must_send:  # the race really happened (SQLite may let one writer take all)
        assert all(result.sent > 0 for result in results), results
    assert {(row.state, row.attempts) for row in outbox(app)} == {(MailState.SENT, 1)}


@pytest.mark.skipif(
    not os.environ.get("SIGNON_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (FOR UPDATE SKIP LOCKED): set SIGNON_TEST_DATABASE_URL",
)
def test_two_workers_on_postgresql_never_send_a_message_twice(app, mail_via_smtp):
    race_two_workers(app, mail_via_smtp, 200, both_must_send=True)


@pytest.mark.skipif(
    bool(os.environ.get("SIGNON_TEST_DATABASE_URL")), reason="the SQLite variant of the race"
)
def test_two_workers_on_sqlite_never_send_a_message_twice(app, mail_via_smtp):
    race_two_workers(app, mail_via_smtp, 60, both_must_send=False)
