"""Draining the outbox: claim due rows, send them, record what happened.

Rows are claimed in a short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL,
so two workers never take the same row; SQLite serialises writers anyway) and
marked "sending" until claimed_until. A worker that dies mid-send leaves the row
to be claimed again once that time passes. Temporary failures come back with
exponential backoff up to a cap; 5xx answers and running out of attempts mark
the row failed, which the statement's dashboard shows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select

from ..extensions import db
from ..models import utcnow
from .compose import build_email
from .models import MailState, OutboxMessage
from .senders import PermanentFailure, TemporaryFailure, sender_for

log = logging.getLogger("signon.mail")
CLAIM_FOR = timedelta(minutes=5)


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


def retry_delay(attempts: int, config) -> timedelta:
    """Exponential backoff: base * 2^(attempts-1), capped."""
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def claim_batch(limit: int) -> list[int]:
    """Mark up to `limit` due messages as ours and return their ids (commits)."""
    now = utcnow()
    due = (
        select(OutboxMessage)
        .where(
            or_(
                (OutboxMessage.state == MailState.PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.state == MailState.SENDING) & (OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    messages = db.session.scalars(due).all()
    for message in messages:
        message.state = MailState.SENDING
        message.claimed_until = now + CLAIM_FOR
    db.session.commit()
    return [message.id for message in messages]


def drain_once(app: Flask, *, limit: int = 100) -> DrainResult:
    """Send every message that is due now, in batches; returns the counts."""
    result = DrainResult()
    with app.app_context():
        sender = sender_for(app.config, app.instance_path)
        while ids := claim_batch(limit):
            for message_id in ids:
                _deliver(app, sender, message_id, result)
    return result


def _deliver(app: Flask, sender, message_id: int, result: DrainResult) -> None:
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    try:
        sender.send(build_email(message, app.config))
    except PermanentFailure as error:
        message.state = MailState.FAILED
        message.last_error = str(error)[:500]
        result.failed += 1
    except TemporaryFailure as error:
        message.last_error = str(error)[:500]
        if message.attempts >= app.config["MAIL_MAX_ATTEMPTS"]:
            message.state = MailState.FAILED
            result.failed += 1
        else:
            message.state = MailState.PENDING
            message.next_attempt_at = utcnow() + retry_delay(message.attempts, app.config)
            result.retrying += 1
    else:
        message.state = MailState.SENT
        message.sent_at = utcnow()
        message.last_error = ""
        result.sent += 1
    message.claimed_until = None
    db.session.commit()


def start_background_worker(app: Flask) -> threading.Thread:
    """Drain the outbox every MAIL_POLL_SECONDS in a daemon thread of this process."""
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
