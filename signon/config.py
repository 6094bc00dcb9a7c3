"""Configuration: defaults here, then instance/config.py, then SIGNON_* variables.

The order follows Flask's tutorial: a value set later wins. A setting has one
name: BASE_URL in app.config and instance/config.py, SIGNON_BASE_URL in the
environment (see environment.py for how variables are typed). Only the secret key
needs care: it is never hard-coded; on first run a strong one is written into the
instance folder with mode 0600.
"""

from __future__ import annotations

import os
import secrets
from email.utils import parseaddr
from pathlib import Path

from flask import Flask
from limits import parse_many

from .environment import PREFIX, SettingError, settings_from_environment

MIN_SECRET_KEY_LENGTH = 32


class Defaults:
    """Values that work on a fresh machine with nothing else configured.

    Every name here is a setting: instance/config.py sets it by this name, the
    environment by SIGNON_ and this name.
    """

    BASE_URL = "http://127.0.0.1:5000"
    DATABASE_URL = ""  # empty: SQLite in the instance folder (signon.db)
    SECRET_KEY = None  # None: generated into the instance folder on first run
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    SESSION_COOKIE_SECURE = None  # None: Secure exactly when BASE_URL is https
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # The store (Redis) down must not take signing down: limits are counted in
    # this process until it answers again, and Flask-Limiter logs the switch.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    # Wrong passwords per submitted email, from all addresses together.
    RATELIMIT_LOGIN_ACCOUNT = "10 per hour"
    # Proxies in front of signon that set X-Forwarded-For; 0: the header is ignored
    # and the client address is the connection's (anyone can send the header).
    TRUSTED_PROXIES = 0
    SECRET_KEY_FALLBACKS: list[str] = []

    # Mail: "file" writes .eml files to instance/outbox/ and logs their links.
    MAIL_BACKEND = "file"
    MAIL_FROM = "signon <signon@localhost>"
    MAIL_REPLY_TO = ""
    MAIL_SMTP_HOST = "localhost"
    MAIL_SMTP_PORT = 25
    MAIL_SMTP_SECURITY = "none"  # none | starttls (usually port 587) | tls (usually 465)
    MAIL_SMTP_USERNAME = ""
    MAIL_SMTP_PASSWORD = ""
    MAIL_SMTP_TIMEOUT = 10
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    MAIL_WORKER_THREAD = False  # drain the outbox in a thread of the web process (make run)
    MAIL_POLL_SECONDS = 2.0
    # A worker claims this many messages at a time, for this long, renewed while it
    # sends: the rows of a worker that dies are free again within the lease.
    MAIL_BATCH_SIZE = 10
    MAIL_CLAIM_SECONDS = 60.0
    # Emails one mailbox gets in an hour, from all statements together; past it,
    # nothing more is queued to it (0: no limit). Stops a form filled in with
    # someone else's address from flooding them.
    MAIL_PER_RECIPIENT_PER_HOUR = 5

    RATELIMIT_TOKEN_PAGES = "30 per minute"  # noqa: S105 (not a password: link pages)
    RATELIMIT_PUBLIC_FORM = "10 per hour"
    RATELIMIT_RESENDS = "20 per hour"
    RATELIMIT_PASSWORD_RESET = "5 per hour"  # noqa: S105 (reset requests per address)
    RATELIMIT_PASSWORD_RESET_ACCOUNT = "3 per hour"  # noqa: S105 (per submitted email)
    RATELIMIT_TWO_FACTOR = "10 per 10 minutes"  # second-step codes per account
    # Every account must turn on two-factor authentication before it can use the
    # team's pages (it is asked to at its next log-in).
    REQUIRE_TWO_FACTOR = False
    MAX_INVITATIONS_PER_PASTE = 2000

    # Documents
    RENDER_TIME_LIMIT = 60  # seconds a PDF may take before the render is stopped
    DOCUMENT_AUTHOR = ""  # the coalition or lead organisation, in PDF and DOCX metadata


def load(app: Flask, overrides: dict | None) -> list[str]:
    """Fill app.config in order: defaults, instance/config.py, SIGNON_*, overrides.

    Returns the warnings to log at start-up (SIGNON_* variables that set nothing);
    raises SettingError (a RuntimeError) for a setting that cannot work."""
    app.config.from_object(Defaults)
    # The instance folder may have been moved after Flask() fixed the config's root
    # (create_app's INSTANCE_PATH); read config.py from where the instance now is.
    app.config.root_path = app.instance_path
    app.config.from_pyfile("config.py", silent=True)
    _refuse_prefixed_names(app.config, "instance/config.py")
    from_environment, warnings = settings_from_environment(os.environ, _settings())
    app.config.update(from_environment)
    if overrides:
        _refuse_prefixed_names(overrides, "create_app()")
        app.config.update(overrides)

    database_url = app.config.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(database_url)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'signon.db'}"
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _postgres_engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        )
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https:")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    _check_mail(app.config)
    _check_rate_limits(app.config)
    _check_trusted_proxies(app.config)
    app.config["SECRET_KEY"] = _secret_key(app)
    app.config["SECRET_KEY_FALLBACKS"] = _fallback_keys(app)
    return warnings


def _settings() -> dict[str, object]:
    """Every setting by name, with its default."""
    return {name: getattr(Defaults, name) for name in dir(Defaults) if name.isupper()}


def _refuse_prefixed_names(config, source: str) -> None:
    """SIGNON_BASE_URL was once the name inside app.config too. Kept there now, it
    would be silently ignored and every emailed link would point at the default."""
    settings = _settings()
    for key in list(config):
        if key.startswith(PREFIX) and key[len(PREFIX) :] in settings:
            raise SettingError(
                f"{source} sets {key}; the setting is now called {key[len(PREFIX) :]} "
                f"there (only the environment variable is named {key})."
            )


RATE_LIMITS = (
    "RATELIMIT_LOGIN",
    "RATELIMIT_LOGIN_ACCOUNT",
    "RATELIMIT_TOKEN_PAGES",
    "RATELIMIT_PUBLIC_FORM",
    "RATELIMIT_RESENDS",
    "RATELIMIT_PASSWORD_RESET",
    "RATELIMIT_PASSWORD_RESET_ACCOUNT",
    "RATELIMIT_TWO_FACTOR",
)


def _check_rate_limits(config) -> None:
    """A limit that does not parse would fail on its page's first request instead."""
    for key in RATE_LIMITS:
        value = config[key]
        try:
            if not isinstance(value, str):
                raise ValueError
            parse_many(value)
        except ValueError:
            raise SettingError(
                f'{key} is {value!r}; give limits such as "10 per minute;50 per hour".'
            ) from None


def _check_trusted_proxies(config) -> None:
    hops = config["TRUSTED_PROXIES"]
    if isinstance(hops, bool) or not isinstance(hops, int) or not 0 <= hops <= 10:
        raise SettingError(
            f"TRUSTED_PROXIES is {hops!r}; give the number of proxies in front of "
            "signon that set X-Forwarded-For (0 to 10; 0 when there is none)."
        )


def _fallback_keys(app: Flask) -> list[str]:
    """SECRET_KEY_FALLBACKS as a list of strong keys.

    A single key given as a string (SIGNON_SECRET_KEY_FALLBACKS=oldkey) must not be
    taken character by character: Flask and itsdangerous would then accept
    anything signed with a one-letter key.
    """
    value = app.config.get("SECRET_KEY_FALLBACKS") or []
    keys = [value] if isinstance(value, str | bytes) else list(value)
    keys = [key for key in keys if key]
    for key in keys:
        if not isinstance(key, str | bytes) or (
            len(key) < MIN_SECRET_KEY_LENGTH and not (app.testing or app.debug)
        ):
            raise SettingError(
                f"Every SECRET_KEY_FALLBACKS entry must be a key of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters."
            )
    return keys


def _check_mail(config) -> None:
    """Refuse to start with a mail setting that would silently do the wrong thing
    (an unknown backend is not "file"; an unknown security is not "none")."""
    for key, allowed in (
        ("MAIL_BACKEND", ("file", "smtp")),
        ("MAIL_SMTP_SECURITY", ("none", "starttls", "tls")),
    ):
        value = str(config[key]).strip().lower()
        if value not in allowed:
            raise SettingError(f"{key} is {config[key]!r}; use one of {', '.join(allowed)}.")
        config[key] = value
    for key in ("MAIL_FROM", "MAIL_REPLY_TO"):
        value = str(config[key] or "")
        if key == "MAIL_REPLY_TO" and not value:
            continue
        if "@" not in parseaddr(value)[1] or "\r" in value or "\n" in value:
            raise SettingError(
                f'{key} is {value!r}; give an address, e.g. "Coalition <mail@example.org>".'
            )
    port = config["MAIL_SMTP_PORT"]
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise SettingError(f"MAIL_SMTP_PORT is {port!r}; give a port number, e.g. 587.")
    batch = config["MAIL_BATCH_SIZE"]
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 1000:
        raise SettingError(f"MAIL_BATCH_SIZE is {batch!r}; give a number from 1 to 1000.")
    # One send may take a few of the SMTP timeouts (connect, MAIL, RCPT, DATA); a
    # lease shorter than that could let a second worker send the same message.
    lease, timeout = config["MAIL_CLAIM_SECONDS"], config["MAIL_SMTP_TIMEOUT"]
    if not isinstance(lease, int | float) or lease < 3 * float(timeout):
        raise SettingError(
            f"MAIL_CLAIM_SECONDS is {lease!r}; give at least three times "
            f"MAIL_SMTP_TIMEOUT ({timeout} s), e.g. {int(6 * float(timeout))}."
        )


def _postgres_engine_options(options: dict) -> dict:
    """A pooled connection is tested before use, so one the server dropped (a
    restart, a failover) is replaced instead of failing a request; a server that
    does not answer fails a request within seconds (a 503) instead of hanging it."""
    options = {**options}
    options.setdefault("pool_pre_ping", True)
    options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
    return options


def _sqlalchemy_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; plain postgresql:// URLs would pick psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(app: Flask) -> str:
    key = app.config.get("SECRET_KEY")
    if key:
        if len(key) < MIN_SECRET_KEY_LENGTH and not (app.testing or app.debug):
            raise SettingError(
                f"SECRET_KEY is too short ({len(key)} characters); use at least "
                f"{MIN_SECRET_KEY_LENGTH}, or remove it to have one generated."
            )
        return key
    path = Path(app.instance_path) / "secret_key"
    try:
        return _checked_key_file(path)
    except FileNotFoundError:
        pass
    # Write the key to a private temporary file, then link it into place: the key
    # file appears complete or not at all, so a crash or a second process starting
    # at the same moment never sees it empty. Linking fails if another process won.
    key = secrets.token_urlsafe(48)
    temporary = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:  # another process won the race; use its key
        return _checked_key_file(path)
    finally:
        temporary.unlink(missing_ok=True)
    return key


def _checked_key_file(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        # Never overwrite it: sessions and links signed with it would break silently.
        raise SettingError(
            f"{path} holds a key of {len(key)} characters; it looks damaged. "
            "Delete the file to have a new key generated (this logs everyone out "
            "and voids the links already sent)."
        )
    return key
