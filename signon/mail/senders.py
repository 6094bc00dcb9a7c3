"""Ways of delivering a built message: SMTP, or .eml files for development."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

log = logging.getLogger("signon.mail")
LINK = re.compile(r"https?://\S+")


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy, or answered 4xx."""


class PermanentFailure(Exception):
    """Do not try again: the server refused the message with a 5xx answer."""


class SMTPSender:
    """Delivers through an SMTP server: plain, STARTTLS or implicit TLS, optional login."""

    def __init__(self, config):
        self.host = config["MAIL_SMTP_HOST"]
        self.port = int(config["MAIL_SMTP_PORT"])
        self.security = config["MAIL_SMTP_SECURITY"]  # "none" | "starttls" | "tls"
        self.username = config.get("MAIL_SMTP_USERNAME") or ""
        self.password = config.get("MAIL_SMTP_PASSWORD") or ""
        self.timeout = float(config["MAIL_SMTP_TIMEOUT"])

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise _by_code(min(codes), str(error.recipients)) from None
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, _text(error.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from None

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _by_code(code: int, detail: str) -> Exception:
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {detail}")
    return TemporaryFailure(f"{code} {detail}")


class FileSender:
    """Writes each message to instance/outbox/<id>.eml and logs its links."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.@-]", "", str(message["Message-ID"])) or "message"
        path = self.folder / f"{name}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(path)
        text = message.get_body(("plain",)).get_content()
        links = " ".join(LINK.findall(text))
        log.warning(
            "Mail to %s: %s -> %s%s",
            message["To"],
            message["Subject"],
            path,
            f" | links: {links}" if links else "",
        )


def sender_for(config, instance_path: str):
    """The sender the configuration names (MAIL_BACKEND = "file" or "smtp")."""
    if config["MAIL_BACKEND"] == "smtp":
        return SMTPSender(config)
    return FileSender(Path(instance_path) / "outbox")
