"""Writing emails: templates/emails/<name>.txt and .html, queued in the outbox."""

from __future__ import annotations

from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from ..columns import utcnow
from ..extensions import db
from ..i18n import SOURCE_LANGUAGE, interface_language
from ..locale_choice import current_language
from ..text import has_control_characters
from .models import OutboxMessage

SUBJECT_LIMIT = 150  # characters; the column holds 300, mail clients show far fewer


def _render_blocks(name: str, context: dict) -> tuple[str, str]:
    """(subject, text) of templates/emails/<name>.txt."""
    template = current_app.jinja_env.get_template(f"emails/{name}.txt")
    jinja_context = template.new_context(
        {**current_app.jinja_env.globals, **_defaults(), **context}
    )
    subject = "".join(template.blocks["subject"](jinja_context)).strip()
    body = "".join(template.blocks["body"](jinja_context)).strip() + "\n"
    return shorten(" ".join(subject.split()), SUBJECT_LIMIT), body


def shorten(text: str, limit: int) -> str:
    """`text`, cut at a word boundary with an ellipsis when longer than `limit`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def _defaults() -> dict:
    # reply_to: where the Reply-To header (build_email) sends replies, so that the
    # text says so only when it is true; "" when MAIL_REPLY_TO is not configured.
    return {
        "base_url": current_app.config["BASE_URL"].rstrip("/"),
        "reply_to": (current_app.config.get("MAIL_REPLY_TO") or "").strip(),
    }


def recipient_key(address: str) -> str:
    """The mailbox an address reaches: lowercased, any +tag dropped, so that
    Ana@x.example and ana+2@x.example count as one recipient."""
    local, _at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}" if local else domain


def recipient_is_saturated(address: str) -> bool:
    """Has this mailbox been sent MAIL_PER_RECIPIENT_PER_HOUR emails in the last
    hour, from any statement? (0 lifts the limit.)"""
    limit = current_app.config["MAIL_PER_RECIPIENT_PER_HOUR"]
    if not limit:
        return False
    since = utcnow() - timedelta(hours=1)
    queued = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.recipient_key == recipient_key(address),
            OutboxMessage.created_at > since,
        )
    )
    return queued >= limit


def queue_mail(
    name: str,
    to: str,
    *,
    statement_id: int | None = None,
    invitation_id: int | None = None,
    **context,
) -> OutboxMessage | None:
    """Render an email and add it to the outbox (not committed: the caller's
    transaction commits it together with the change that caused it).

    None, and nothing queued, when the address has had its hour's share of mail
    (recipient_is_saturated): whoever fills in a form with someone's address
    cannot flood that mailbox, whichever statements they go through."""
    if has_control_characters(to):
        raise ValueError("an email address with control characters")
    if recipient_is_saturated(to):
        current_app.logger.warning(  # no address in the log: it may be a signer's
            "mail %r not queued: its recipient had MAIL_PER_RECIPIENT_PER_HOUR (%s) already",
            name,
            current_app.config["MAIL_PER_RECIPIENT_PER_HOUR"],
        )
        return None
    if context.get("statement") is not None:
        context.setdefault("title_read", _title_read(context))
    with force_locale(_language(context)):
        subject, text = _render_blocks(name, context)
        html = render_template(f"emails/{name}.html", **_defaults(), **context)
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "signon.invalid"
    message = OutboxMessage(
        kind=name,
        to_address=to,
        recipient_key=recipient_key(to),
        subject=subject,
        text_body=text,
        html_body=html,
        headers={},
        message_id=make_msgid(domain=domain),
        statement_id=statement_id,
        invitation_id=invitation_id,
    )
    db.session.add(message)
    return message


def _language(context: dict) -> str:
    """A mail about a statement speaks the language its reader reads it in: the
    translation a signer signed or an invitation offers, else the statement's
    (English where signon has no catalog for it); one about an account, the
    account's setting, else the language of the page that sent it."""
    statement, user = context.get("statement"), context.get("user")
    if statement is not None:
        return interface_language(_text_language(context, statement)) or SOURCE_LANGUAGE
    return (
        interface_language(getattr(user, "language", None))
        or interface_language(current_language())
        or SOURCE_LANGUAGE
    )


def _title_read(context: dict) -> str:
    """The statement's title as its reader reads it: the translation's, if a signer
    signed one or an invitation offers one (signatures.models read_title)."""
    reader = context.get("signature") or context.get("invitation")
    return getattr(reader, "read_title", None) or context["statement"].title


def _text_language(context: dict, statement) -> str:
    reader = context.get("signature") or context.get("invitation")
    return getattr(reader, "read_language", None) or statement.language


def build_email(message: OutboxMessage, config) -> EmailMessage:
    """The RFC 5322 message for an outbox row, text and HTML parts."""
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    reply_to = (config.get("MAIL_REPLY_TO") or "").strip()
    if reply_to:  # the team's address: a signer's reply reaches people, not MAIL_FROM
        email["Reply-To"] = reply_to
    email["To"] = ascii_domain(message.to_address)
    _set_subject(email, message.subject)
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _set_subject(email: EmailMessage, subject: str) -> None:
    """The Subject header. A long non-ASCII subject is encoded here, each encoded
    word holding its own spaces: Python 3.11's folder, breaking such a subject
    between two encoded words, drops the space there ("подписать:Свободу")."""
    if subject.isascii():
        email["Subject"] = subject
    else:
        email.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


def ascii_domain(address: str) -> str:
    """The address with its domain in IDNA form (ana@xn--exmple-cua.org), so that
    servers without SMTPUTF8 deliver it; a non-ASCII local part stays as it is."""
    if address.rpartition("@")[2].isascii():
        return address
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address
    return f"{checked.local_part}@{checked.ascii_domain}"
