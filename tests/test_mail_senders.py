"""The two ways mail leaves: SMTP (plain, STARTTLS, implicit TLS, login) and .eml files.

The SMTP servers are aiosmtpd on loopback ports; the TLS ones use a certificate
made for 127.0.0.1 by the openssl command and trusted through SSL_CERT_FILE, which
OpenSSL reads when SMTPSender builds its default context. Not covered: a real
relay's quirks (pipelining limits, greylisting), client certificates.
"""

from __future__ import annotations

import email
import logging
import shutil
import ssl
import subprocess
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from signon.mail.models import MailState

from .mail_support import invite, open_for_signing, outbox
from .mailbox import Mailbox, free_port, links_in, text_of

# aiosmtpd 1.4 sets its own deprecated Session.login_data after every good login.
aiosmtpd_login = pytest.mark.filterwarnings(
    "ignore:Session.login_data is deprecated:DeprecationWarning"
)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """(certificate, key) for 127.0.0.1, self-signed."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Authenticator:
    """Accepts one login and remembers every attempt."""

    def __init__(self, login: str, password: str):
        self.expected = (login.encode(), password.encode())
        self.attempts: list[tuple[str, bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.attempts.append((mechanism, auth_data.login, auth_data.password))
        good = (auth_data.login, auth_data.password) == self.expected
        return AuthResult(success=good, handled=False)  # a refusal answers 535


@pytest.fixture
def start_server():
    """start_server(**aiosmtpd options) -> (Mailbox, port); stopped after the test."""
    controllers = []

    def start(**options):
        mailbox, port = Mailbox(), free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def trusted(certificate, monkeypatch):
    """The test certificate is the one authority clients trust; a server context for it."""
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def queued(app, dummy_user, dummy_statement):
    """One invitation waiting in the outbox."""
    open_for_signing(app, dummy_statement.id)
    invite(app, dummy_statement.id, dummy_user.id, "Article 19, info@a19.example")


def use_smtp(app, port, **settings):
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=port,
        MAIL_SMTP_TIMEOUT=5,
        **settings,
    )


@aiosmtpd_login
def test_starttls_then_login_then_send(app, queued, send_outbox, start_server, trusted):
    authenticator = Authenticator("signon", "s3cret")
    mailbox, port = start_server(
        tls_context=trusted,
        require_starttls=True,  # the server refuses anything before STARTTLS
        authenticator=authenticator,
        auth_required=True,  # and any mail before a login
    )
    use_smtp(
        app,
        port,
        MAIL_SMTP_SECURITY="starttls",
        MAIL_SMTP_USERNAME="signon",
        MAIL_SMTP_PASSWORD="s3cret",
    )
    assert send_outbox().sent == 1
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "info@a19.example"
    assert [(login, password) for _, login, password in authenticator.attempts] == [
        (b"signon", b"s3cret")
    ]


@aiosmtpd_login
def test_implicit_tls_then_login_then_send(app, queued, send_outbox, start_server, trusted):
    authenticator = Authenticator("signon", "s3cret")
    # Implicit TLS: aiosmtpd does not count it as TLS for AUTH, hence auth_require_tls.
    mailbox, port = start_server(
        ssl_context=trusted, authenticator=authenticator, auth_require_tls=False
    )
    use_smtp(
        app,
        port,
        MAIL_SMTP_SECURITY="tls",
        MAIL_SMTP_USERNAME="signon",
        MAIL_SMTP_PASSWORD="s3cret",
    )
    assert send_outbox().sent == 1
    assert len(mailbox.wait_for(1)) == 1
    assert len(authenticator.attempts) == 1


def test_no_login_without_a_username(app, queued, send_outbox, start_server):
    authenticator = Authenticator("signon", "s3cret")
    mailbox, port = start_server(authenticator=authenticator, auth_require_tls=False)
    use_smtp(app, port)
    assert send_outbox().sent == 1
    assert len(mailbox.wait_for(1)) == 1
    assert authenticator.attempts == []


def test_a_wrong_password_keeps_the_mail_for_later(app, queued, send_outbox, start_server, trusted):
    """535 is about our settings, not the message: fixing the password must be enough."""
    authenticator = Authenticator("signon", "s3cret")
    mailbox, port = start_server(
        tls_context=trusted, authenticator=authenticator, auth_required=True
    )
    use_smtp(
        app,
        port,
        MAIL_SMTP_SECURITY="starttls",
        MAIL_SMTP_USERNAME="signon",
        MAIL_SMTP_PASSWORD="wrong",
    )
    result = send_outbox()
    assert (result.sent, result.retrying, result.failed) == (0, 0, 0)
    assert "535" in result.server_unavailable  # the server would not let us in
    (row,) = outbox(app)
    assert row.state is MailState.PENDING and row.attempts == 0  # not the message's fault
    assert "535" in row.last_error and "wrong" not in row.last_error
    assert mailbox.messages == []


def test_an_untrusted_certificate_is_refused(
    app, queued, send_outbox, start_server, certificate, monkeypatch
):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox, port = start_server(tls_context=context)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's authorities only
    use_smtp(app, port, MAIL_SMTP_SECURITY="starttls")
    assert "CERTIFICATE_VERIFY_FAILED" in send_outbox().server_unavailable
    (row,) = outbox(app)
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert mailbox.messages == []


def test_a_server_without_starttls_gets_nothing_when_starttls_is_configured(
    app, queued, send_outbox, start_server
):
    mailbox, port = start_server()
    use_smtp(app, port, MAIL_SMTP_SECURITY="starttls")
    assert "STARTTLS" in send_outbox().server_unavailable
    assert "STARTTLS" in outbox(app)[0].last_error
    assert mailbox.messages == []


def test_a_4xx_answer_is_temporary(app, queued, send_outbox, smtp_server):
    use_smtp(app, smtp_server.port)
    smtp_server.mailbox.refuse_with = "451 4.3.0 Try again later"
    assert send_outbox().retrying == 1
    (row,) = outbox(app)
    assert (row.state, row.attempts) == (MailState.PENDING, 1)
    assert row.last_error.startswith("451 ")


def test_the_file_backend_writes_one_eml_per_message_and_logs_the_link(
    app, dummy_user, dummy_statement, send_outbox, caplog
):
    assert app.config["MAIL_BACKEND"] == "file"  # the default: `make run` needs no server
    open_for_signing(app, dummy_statement.id)
    invite(
        app,
        dummy_statement.id,
        dummy_user.id,
        "Article 19, info@a19.example\nPEN International, pen@pen.example",
    )
    with caplog.at_level(logging.INFO, logger="signon.mail"):
        assert send_outbox().sent == 2
    folder = app.instance_path + "/outbox"
    files = sorted(Path(folder).iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]  # nothing half-written left
    parsed = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        parsed[message["Message-ID"]] = message
    rows = outbox(app)
    assert set(parsed) == {row.message_id for row in rows}
    assert all(row.state is MailState.SENT for row in rows)
    for row in rows:
        message = parsed[row.message_id]
        assert message["To"] == row.to_address
        (link,) = links_in(message)
        assert link in caplog.text
        assert str(app.instance_path) in caplog.text
        assert "Read the text and sign here" in text_of(message)
    assert send_outbox().sent == 0  # sent means sent: no second file
    assert len(list(Path(folder).iterdir())) == 2
