"""Draining the outbox: claim due rows, send them, record what happened.

See docs/architecture.md, The outbox worker.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError

from ..columns import utcnow
from ..errors import database_unavailable
from ..extensions import db
from .compose import build_email
from .models import MailState, OutboxMessage
from .senders import PermanentFailure, ServerUnavailable, TemporaryFailure, sender_for

log = logging.getLogger("signon.mail")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
INTERRUPTED = (
    "An earlier attempt stopped before its result was recorded (its worker stopped); "
    "sent again, so it may arrive twice."
)
SERVER_UNAVAILABLE = "Waiting for the mail server: "


def shown_error(last_error: str) -> str:
    """A message's last_error as a page shows it, in the page's language. The row
    keeps English; what the mail server answered stays as the server said it."""
    if last_error == INTERRUPTED:
        return _(
            "An earlier attempt stopped before its result was recorded (its worker "
            "stopped); sent again, so it may arrive twice."
        )
    if last_error.startswith(SERVER_UNAVAILABLE):
        return _(
            "Waiting for the mail server: %(error)s",
            error=last_error.removeprefix(SERVER_UNAVAILABLE),
        )
    return last_error


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claims another worker took over
    server_unavailable: str = ""  # why the round stopped early, if it did

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"
        if self.server_unavailable:
            text += f" (the mail server cannot be reached: {self.server_unavailable})"
        return text


@dataclass(frozen=True)
class Claim:
    """A row this worker marked as its own: its id and the claimed_until it wrote."""

    id: int
    until: datetime


def retry_delay(attempts: int, config) -> timedelta:
    """Exponential backoff: base * 2^(attempts-1), capped."""
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _lease() -> timedelta:
    """How long a claim holds without renewal: a worker that dies frees its rows
    this soon after its last renewal."""
    return timedelta(seconds=float(current_app.config["MAIL_CLAIM_SECONDS"]))


def claim_batch(limit: int, *, due_by: datetime | None = None) -> list[Claim]:
    """Mark up to `limit` messages due by `due_by` (default now) as ours (commits).

    A row still "sending" whose claim ran out had a worker that stopped mid-send:
    it is taken again, and its last_error says so."""
    now = utcnow()
    due_by = due_by or now
    due = (
        select(OutboxMessage)
        .where(
            or_(
                (OutboxMessage.state == MailState.PENDING)
                & (OutboxMessage.next_attempt_at <= due_by),
                (OutboxMessage.state == MailState.SENDING) & (OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    messages = db.session.scalars(due).all()
    until = now + _lease()
    for message in messages:
        if message.state is MailState.SENDING:
            log.warning("outbox message %s: its last attempt was interrupted", message.id)
            message.last_error = INTERRUPTED
        message.state = MailState.SENDING
        message.claimed_until = until
    db.session.commit()
    return [Claim(message.id, until) for message in messages]


def drain_once(app: Flask, *, limit: int | None = None) -> DrainResult:
    """Send every message that was due when the round began, in small batches.

    A message that fails now and is due again at once (no backoff configured)
    waits for the next round rather than being retried in a tight loop. When the
    server cannot be reached the round ends, and the batch's untried rows are
    let go at once: the next round tries again."""
    result = DrainResult()
    started = utcnow()
    with app.app_context():
        sender = sender_for(app.config, app.instance_path)
        limit = limit or app.config["MAIL_BATCH_SIZE"]
        while claims := claim_batch(limit, due_by=started):
            if not _send_batch(app, sender, claims, result):
                break
    _note_server_state(result)
    return result


def _send_batch(app: Flask, sender, claims: list[Claim], result: DrainResult) -> bool:
    """Deliver a batch, keeping its untried rows claimed while it works; False when
    the server could not be reached."""
    untried = list(claims)
    renewed_at = time.monotonic()
    try:
        while untried:
            claim = untried.pop(0)
            if time.monotonic() - renewed_at > _lease().total_seconds() / 3:
                untried = _renew(untried)
                renewed_at = time.monotonic()
            deliver(app, sender, claim, result)
    except ServerUnavailable as error:
        result.server_unavailable = str(error)
        _release(untried)
        return False
    except BaseException:
        _forget_transaction()
        with suppress(DBAPIError):  # the database may be what failed: the lease then expires
            _release(untried)
        raise
    return True


def _renew(claims: list[Claim]) -> list[Claim]:
    """The batch's untried rows stay ours for another lease (a heartbeat)."""
    until = utcnow() + _lease()
    for old in {claim.until for claim in claims}:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([claim.id for claim in claims if claim.until == old]),
                OutboxMessage.state == MailState.SENDING,
                OutboxMessage.claimed_until == old,
            )
            .values(claimed_until=until)
        )
    db.session.commit()
    return [Claim(claim.id, until) for claim in claims]


def _release(claims: list[Claim]) -> None:
    """Let go of rows this worker claimed and did not try: due again at once."""
    for claim in claims:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.id,
                OutboxMessage.state == MailState.SENDING,
                OutboxMessage.claimed_until == claim.until,
            )
            .values(state=MailState.PENDING, claimed_until=None)
        )
    db.session.commit()


def _forget_transaction() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def deliver(app: Flask, sender, claim: Claim, result: DrainResult) -> None:
    """One attempt at one claimed message, recorded and committed. It is recorded as
    sent the moment the server accepts it, before the connection is closed.
    Raises ServerUnavailable, with the message due again, when the server cannot
    be reached: that is no attempt of the message's."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.state == MailState.SENDING,
            OutboxMessage.claimed_until == claim.until,
        )
        .values(claimed_until=utcnow() + _lease(), attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()  # the attempt counts even if this process dies while sending
    if renewed.rowcount != 1:
        result.skipped += 1
        return
    message = db.session.get(OutboxMessage, claim.id)

    def accepted() -> None:
        message.state = MailState.SENT
        message.sent_at = utcnow()
        message.last_error = ""
        message.claimed_until = None
        db.session.commit()
        result.sent += 1

    try:
        sender.send(build_email(message, app.config), accepted)
    except ServerUnavailable as error:
        message.attempts -= 1
        message.state = MailState.PENDING
        message.last_error = _one_line(SERVER_UNAVAILABLE + str(error))
        message.claimed_until = None
        db.session.commit()
        raise
    except PermanentFailure as error:
        message.state = MailState.FAILED
        message.last_error = _one_line(str(error))
        result.failed += 1
    except TemporaryFailure as error:
        _retry_later(app, message, str(error), result)
    except DBAPIError:
        raise  # the database failed, not the message
    except Exception as error:  # a message that cannot be built must not stop the others
        log.exception("outbox message %s: unexpected error", claim.id)
        _retry_later(app, message, f"{type(error).__name__}: {error}", result)
    else:
        return
    message.claimed_until = None
    db.session.commit()


def _one_line(text: str) -> str:
    return CONTROL.sub(" ", text).strip()[:500]


def _retry_later(app: Flask, message: OutboxMessage, error: str, result: DrainResult) -> None:
    message.last_error = _one_line(error)
    if message.attempts >= app.config["MAIL_MAX_ATTEMPTS"]:
        message.state = MailState.FAILED
        result.failed += 1
    else:
        message.state = MailState.PENDING
        message.next_attempt_at = utcnow() + retry_delay(message.attempts, app.config)
        result.retrying += 1


_server_down = threading.Event()


def _note_server_state(result: DrainResult) -> None:
    """Say once in the log that the mail server stopped answering, and once that it
    answers again (WARNING, so it shows without any logging set up)."""
    if result.server_unavailable and not _server_down.is_set():
        _server_down.set()
        log.warning(
            "The mail server cannot be reached (%s); mail waits in the outbox and is "
            "tried again every round.",
            result.server_unavailable,
        )
    elif result.sent and _server_down.is_set():
        _server_down.clear()
        log.warning("The mail server answers again; the mail that waited is going out.")


_database_down = threading.Event()


def drain_round(app: Flask) -> DrainResult | None:
    """One round as a long-running worker runs it (None when it failed): the next
    round tries again. A database that does not answer is logged once, and once
    when it answers again; any other failure with its traceback."""
    try:
        result = drain_once(app)
    except Exception as error:
        if not database_unavailable(error):
            log.exception("outbox round failed")
        elif not _database_down.is_set():
            _database_down.set()
            first_line = str(error).strip().split("\n", 1)[0]
            log.warning("The database cannot be reached (%s); the outbox waits.", first_line)
        return None
    if _database_down.is_set():
        _database_down.clear()
        log.warning("The database answers again; the outbox is being sent.")
    return result


def start_background_worker(app: Flask) -> threading.Thread:
    """Drain the outbox every MAIL_POLL_SECONDS in a daemon thread of this process.

    `thread.stop.set()` ends it after the current round.
    """
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(app.config["MAIL_POLL_SECONDS"]):
            drain_round(app)

    thread = threading.Thread(target=run, name="signon-outbox", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
