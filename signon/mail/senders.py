"""Ways of delivering a built message: SMTP, or .eml files for development."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

log = logging.getLogger("signon.mail")
LINK = re.compile(r"https?://\S+")
BACKENDS = ("file", "smtp")
SECURITY = ("none", "starttls", "tls")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy, refused our login, or answered 4xx."""


class ServerUnavailable(TemporaryFailure):
    """The server cannot be reached or would not let us in (connect, TLS, login):
    no message's fault, so the worker waits for the server, not for a backoff."""


class PermanentFailure(Exception):
    """Do not try again: the server refused the message with a 5xx answer."""


def _nothing() -> None:
    pass


class SMTPSender:
    """Delivers through an SMTP server: plain, STARTTLS or implicit TLS, optional login.

    TLS certificates are checked against the system's trusted authorities (OpenSSL
    honours SSL_CERT_FILE for a private one) and the host name.
    """

    def __init__(self, config):
        self.host = config["MAIL_SMTP_HOST"]
        self.port = int(config["MAIL_SMTP_PORT"])
        self.security = str(config["MAIL_SMTP_SECURITY"]).strip().lower()
        if self.security not in SECURITY:
            raise ValueError(
                f"MAIL_SMTP_SECURITY is {config['MAIL_SMTP_SECURITY']!r}; "
                f"use one of {', '.join(SECURITY)}."
            )
        self.username = config.get("MAIL_SMTP_USERNAME") or ""
        self.password = config.get("MAIL_SMTP_PASSWORD") or ""
        self.timeout = float(config["MAIL_SMTP_TIMEOUT"])

    def send(self, message: EmailMessage, accepted: Callable[[], None] = _nothing) -> None:
        """Deliver `message`; `accepted()` runs as soon as the server has taken it
        (its 250 to the data), before QUIT, so that it can be recorded as sent
        before anything else can go wrong."""
        smtp = None
        try:
            smtp = self._connect()
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as error:
            # Connecting, TLS and login fail because of the server or our settings,
            # never because of this message: it waits for the next attempt (a 535 for
            # a wrong password must not fail every queued message for good).
            _close(smtp)
            raise ServerUnavailable(_describe(error)) from None
        try:
            _send(smtp, message)
            accepted()
        finally:
            _close(smtp)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _send(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """MAIL, RCPT and DATA, each refusal sorted into temporary or permanent."""
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise _by_code(min(codes), _clean(str(error.recipients))) from None
    except smtplib.SMTPResponseException as error:
        raise _by_code(error.smtp_code, _text(error.smtp_error)) from None
    except smtplib.SMTPNotSupportedError as error:
        # An address that needs SMTPUTF8 and a server without it: retrying cannot help.
        raise PermanentFailure(_describe(error)) from None
    except (OSError, smtplib.SMTPException) as error:
        raise TemporaryFailure(_describe(error)) from None


def _close(smtp: smtplib.SMTP | None) -> None:
    """QUIT politely; once a message is accepted, nothing QUIT says can undo it."""
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _clean(text: str) -> str:
    """One line without control characters (PostgreSQL refuses NUL in text)."""
    return CONTROL.sub(" ", text).strip()


def _text(value) -> str:
    return _clean(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))


def _describe(error: Exception) -> str:
    return _clean(f"{type(error).__name__}: {error}")


def _by_code(code: int, detail: str) -> Exception:
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {detail}")
    return TemporaryFailure(f"{code} {detail}")


OUTBOX_FOLDER = "outbox"


def eml_name(message_id: str) -> str:
    """The file name (without .eml) the file sender gives a message."""
    return re.sub(r"[^A-Za-z0-9.@-]", "", message_id) or "message"


def eml_path(instance_path: str | Path, message_id: str) -> Path:
    """Where the file sender wrote (or will write) the message with this Message-ID."""
    return Path(instance_path) / OUTBOX_FOLDER / f"{eml_name(message_id)}.eml"


class FileSender:
    """Writes each message to instance/outbox/<Message-ID>.eml and logs its links."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage, accepted: Callable[[], None] = _nothing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = eml_name(str(message["Message-ID"]))
        path = self.folder / f"{name}.eml"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes())
        temporary.replace(path)
        text = message.get_body(("plain",)).get_content()
        links = " ".join(LINK.findall(text))
        # WARNING so that it shows without any logging set up (`make run`).
        log.warning(
            "Mail to %s: %s -> %s%s",
            message["To"],
            message["Subject"],
            path,
            f" | links: {links}" if links else "",
        )
        accepted()


def sender_for(config, instance_path: str):
    """The sender the configuration names (MAIL_BACKEND = "file" or "smtp")."""
    backend = str(config["MAIL_BACKEND"]).strip().lower()
    if backend == "smtp":
        return SMTPSender(config)
    if backend == "file":
        return FileSender(Path(instance_path) / OUTBOX_FOLDER)
    raise ValueError(
        f"MAIL_BACKEND is {config['MAIL_BACKEND']!r}; use one of {', '.join(BACKENDS)}."
    )
