"""Draining the outbox: claim due rows, send them, record what happened.

See docs/architecture.md, The outbox worker.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update

from ..columns import utcnow
from ..extensions import db
from .compose import build_email
from .models import MailState, OutboxMessage
from .senders import PermanentFailure, TemporaryFailure, sender_for

log = logging.getLogger("signon.mail")
CLAIM_FOR = timedelta(minutes=5)
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claims another worker took over

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


@dataclass(frozen=True)
class Claim:
    """A row this worker marked as its own: its id and the claimed_until it wrote."""

    id: int
    until: datetime


def retry_delay(attempts: int, config) -> timedelta:
    """Exponential backoff: base * 2^(attempts-1), capped."""
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def claim_batch(limit: int, *, due_by: datetime | None = None) -> list[Claim]:
    """Mark up to `limit` messages due by `due_by` (default now) as ours (commits)."""
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
    until = now + CLAIM_FOR
    for message in messages:
        message.state = MailState.SENDING
        message.claimed_until = until
    db.session.commit()
    return [Claim(message.id, until) for message in messages]


def drain_once(app: Flask, *, limit: int = 100) -> DrainResult:
    """Send every message that was due when the round began, in batches.

    A message that fails now and is due again at once (no backoff configured)
    waits for the next round rather than being retried in a tight loop.
    """
    result = DrainResult()
    started = utcnow()
    with app.app_context():
        sender = sender_for(app.config, app.instance_path)
        while claims := claim_batch(limit, due_by=started):
            for claim in claims:
                deliver(app, sender, claim, result)
    return result


def deliver(app: Flask, sender, claim: Claim, result: DrainResult) -> None:
    """One attempt at one claimed message, recorded and committed."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.state == MailState.SENDING,
            OutboxMessage.claimed_until == claim.until,
        )
        .values(claimed_until=utcnow() + CLAIM_FOR, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()  # the attempt counts even if this process dies while sending
    if renewed.rowcount != 1:
        result.skipped += 1
        return
    message = db.session.get(OutboxMessage, claim.id)
    try:
        sender.send(build_email(message, app.config))
    except PermanentFailure as error:
        message.state = MailState.FAILED
        message.last_error = str(error)[:500]
        result.failed += 1
    except TemporaryFailure as error:
        _retry_later(app, message, str(error), result)
    except Exception as error:  # a message that cannot be built must not stop the others
        log.exception("outbox message %s: unexpected error", claim.id)
        _retry_later(app, message, f"{type(error).__name__}: {error}", result)
    else:
        message.state = MailState.SENT
        message.sent_at = utcnow()
        message.last_error = ""
        result.sent += 1
    message.claimed_until = None
    db.session.commit()


def _retry_later(app: Flask, message: OutboxMessage, error: str, result: DrainResult) -> None:
    message.last_error = CONTROL.sub(" ", error).strip()[:500]
    if message.attempts >= app.config["MAIL_MAX_ATTEMPTS"]:
        message.state = MailState.FAILED
        result.failed += 1
    else:
        message.state = MailState.PENDING
        message.next_attempt_at = utcnow() + retry_delay(message.attempts, app.config)
        result.retrying += 1


def start_background_worker(app: Flask) -> threading.Thread:
    """Drain the outbox every MAIL_POLL_SECONDS in a daemon thread of this process.

    `thread.stop.set()` ends it after the current round.
    """
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(app.config["MAIL_POLL_SECONDS"]):
            try:
                drain_once(app)
            except Exception:  # keep the thread alive; the next round retries
                log.exception("outbox worker round failed")

    thread = threading.Thread(target=run, name="signon-outbox", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
