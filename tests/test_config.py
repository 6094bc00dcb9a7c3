"""Configuration: defaults, then instance/config.py, then SIGNON_* variables, then overrides.

Every app here gets its own instance folder and a throwaway SQLite URL, so nothing
touches the project's real instance/ folder.
"""

from __future__ import annotations

import os
import re
import stat

import pytest
from sqlalchemy import text

from signon import create_app
from signon.config import MIN_SECRET_KEY_LENGTH
from signon.environment import SettingError
from signon.extensions import db


@pytest.fixture(autouse=True)
def no_signon_environment(monkeypatch):
    """Start each test from a clean environment: no SIGNON_* setting leaks in."""
    for name in list(os.environ):
        if name.startswith("SIGNON_"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


def build(instance, **config):
    """An app on this instance folder and a SQLite file inside it."""
    config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'test.db'}")
    return create_app({"INSTANCE_PATH": instance, **config})


# The secret key


def test_first_run_writes_a_strong_private_secret_key(instance):
    app = build(instance)

    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= MIN_SECRET_KEY_LENGTH
    assert len(set(key)) > 16  # random, not "aaaa..."
    assert app.config["SECRET_KEY"] == key


def test_next_run_reuses_the_written_key(instance):
    first = build(instance)
    second = build(instance)

    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    # A session signed before the restart is still read after it.
    cookie = first.session_interface.get_signing_serializer(first).dumps({"user": "1"})
    assert second.session_interface.get_signing_serializer(second).loads(cookie) == {"user": "1"}


def test_each_instance_gets_its_own_key(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"

    assert build(one).config["SECRET_KEY"] != build(two).config["SECRET_KEY"]


@pytest.mark.parametrize("content", ["", "\n", "short\n"])
def test_damaged_key_file_stops_the_start(instance, content):
    key_file = instance / "secret_key"
    key_file.write_text(content)

    with pytest.raises(RuntimeError, match="secret_key"):
        build(instance)
    assert key_file.read_text() == content  # left for the administrator to look at


def test_short_configured_secret_key_stops_the_start(instance):
    with pytest.raises(RuntimeError, match="SECRET_KEY is too short"):
        build(instance, SECRET_KEY="short")
    assert not (instance / "secret_key").exists()


def test_short_secret_key_from_the_environment_stops_the_start(instance, monkeypatch):
    monkeypatch.setenv("SIGNON_SECRET_KEY", "changeme")

    with pytest.raises(RuntimeError, match="SECRET_KEY is too short"):
        build(instance)


@pytest.mark.parametrize("mode", ["TESTING", "DEBUG"])
def test_short_secret_key_is_tolerated_in_tests_and_debugging(instance, mode):
    app = build(instance, SECRET_KEY="short", **{mode: True})

    assert app.config["SECRET_KEY"] == "short"


def test_strong_configured_secret_key_is_used_as_given(instance):
    key = "k" * MIN_SECRET_KEY_LENGTH

    assert build(instance, SECRET_KEY=key).config["SECRET_KEY"] == key
    assert not (instance / "secret_key").exists()


# instance/config.py and the environment


def test_instance_config_file_is_read(instance):
    (instance / "config.py").write_text(
        'BASE_URL = "https://statements.example.org"\nRATELIMIT_LOGIN = "5 per minute"\n'
    )

    app = build(instance)

    assert app.config["BASE_URL"] == "https://statements.example.org"
    assert app.config["RATELIMIT_LOGIN"] == "5 per minute"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # follows the https base URL


def test_https_base_url_makes_the_session_cookie_secure(instance):
    app = build(instance, BASE_URL="https://statements.example.org")

    response = app.test_client().get("/login", base_url="https://statements.example.org")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


def test_explicit_cookie_setting_wins_over_the_base_url(instance):
    app = build(instance, BASE_URL="https://statements.example.org", SESSION_COOKIE_SECURE=False)

    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_plain_http_base_url_leaves_cookies_usable_without_https(instance):
    app = build(instance, BASE_URL="http://127.0.0.1:5000")

    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_overrides_instance_config_file(instance, monkeypatch):
    (instance / "config.py").write_text(
        'BASE_URL = "https://statements.example.org"\nRATELIMIT_LOGIN = "5 per minute"\n'
    )
    monkeypatch.setenv("SIGNON_BASE_URL", "https://signon.coalition.example")
    monkeypatch.setenv("SIGNON_MAX_CONTENT_LENGTH", "1048576")

    app = build(instance)

    assert app.config["BASE_URL"] == "https://signon.coalition.example"
    assert app.config["RATELIMIT_LOGIN"] == "5 per minute"  # not overridden, kept
    assert app.config["MAX_CONTENT_LENGTH"] == 1048576  # read as a number


def test_create_app_overrides_beat_the_environment(instance, monkeypatch):
    monkeypatch.setenv("SIGNON_BASE_URL", "https://signon.coalition.example")

    app = build(instance, BASE_URL="http://signon.test")

    assert app.config["BASE_URL"] == "http://signon.test"


def test_database_url_from_the_environment_picks_the_database(instance, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv("SIGNON_DATABASE_URL", f"sqlite:///{elsewhere}")

    app = create_app({"INSTANCE_PATH": instance})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{elsewhere}"
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (id INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert elsewhere.exists()
    assert not (instance / "signon.db").exists()


def test_database_url_in_instance_config_file_is_used(instance, tmp_path):
    elsewhere = tmp_path / "from-file.db"
    (instance / "config.py").write_text(f'DATABASE_URL = "sqlite:///{elsewhere}"\n')

    app = create_app({"INSTANCE_PATH": instance})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{elsewhere}"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://signon:secret@db.internal:5432/signon",
        "postgres://signon:secret@db.internal:5432/signon",
    ],
)
def test_postgresql_url_uses_psycopg_3(instance, url):
    app = build(instance, DATABASE_URL=url)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://signon:secret@db.internal:5432/signon"
    )
    with app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"


def test_instance_path_from_the_environment_holds_key_and_database(tmp_path, monkeypatch):
    instance = tmp_path / "moved-instance"
    monkeypatch.setenv("SIGNON_INSTANCE_PATH", str(instance))

    app = create_app()

    assert app.instance_path == str(instance)
    assert (instance / "secret_key").exists()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'signon.db'}"


def test_instance_path_from_the_environment_reads_its_config_file(tmp_path, monkeypatch):
    instance = tmp_path / "moved-instance"
    instance.mkdir()
    (instance / "config.py").write_text('BASE_URL = "https://moved.example"\n')
    monkeypatch.setenv("SIGNON_INSTANCE_PATH", str(instance))

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"})

    assert app.config["BASE_URL"] == "https://moved.example"


def test_a_single_fallback_key_from_the_environment_is_one_key(tmp_path, monkeypatch):
    """SIGNON_SECRET_KEY_FALLBACKS=oldkey must not become one key per character."""
    from signon import create_app

    old = "an-old-secret-key-that-was-rotated-out-last-week"
    monkeypatch.setenv("SIGNON_SECRET_KEY_FALLBACKS", old)
    app = create_app({"INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SECRET_KEY_FALLBACKS"] == [old]


def test_a_weak_fallback_key_is_refused(tmp_path, monkeypatch):
    import pytest

    from signon import create_app

    monkeypatch.setenv("SIGNON_SECRET_KEY_FALLBACKS", "a")
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        create_app({"INSTANCE_PATH": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


# SIGNON_* variables: one name per setting, typed by the setting


def test_environment_values_are_read_by_each_settings_type(instance, monkeypatch):
    monkeypatch.setenv("SIGNON_BASE_URL", "https://x.example")
    monkeypatch.setenv("SIGNON_MAIL_SMTP_PORT", " 2525 ")
    monkeypatch.setenv("SIGNON_MAIL_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("SIGNON_MAIL_RETRY_BASE_SECONDS", "5")
    monkeypatch.setenv("SIGNON_MAIL_RETRY_MAX_SECONDS", "600")
    monkeypatch.setenv("SIGNON_MAIL_SMTP_TIMEOUT", "2.5")
    monkeypatch.setenv("SIGNON_MAIL_POLL_SECONDS", "1")
    monkeypatch.setenv("SIGNON_RENDER_TIME_LIMIT", "30")
    monkeypatch.setenv("SIGNON_RATELIMIT_HEADERS_ENABLED", "off")
    monkeypatch.setenv("SIGNON_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("SIGNON_SQLALCHEMY_ENGINE_OPTIONS", '{"pool_pre_ping": true}')
    monkeypatch.setenv("SIGNON_DOCUMENT_AUTHOR", "1234")
    monkeypatch.setenv("SIGNON_RATELIMIT_LOGIN", "2 per minute")
    monkeypatch.setenv("SIGNON_MAX_INVITATIONS_PER_PASTE", "50")

    config = build(instance).config

    assert config["BASE_URL"] == "https://x.example"
    assert "SIGNON_BASE_URL" not in config
    assert (config["MAIL_SMTP_PORT"], config["MAIL_MAX_ATTEMPTS"]) == (2525, 3)
    assert (config["MAIL_RETRY_BASE_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]) == (5, 600)
    assert (config["MAIL_SMTP_TIMEOUT"], config["MAIL_POLL_SECONDS"]) == (2.5, 1.0)
    assert config["RENDER_TIME_LIMIT"] == 30
    assert config["RATELIMIT_HEADERS_ENABLED"] is False
    assert config["SESSION_COOKIE_SECURE"] is False  # given: wins over the https base URL
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    assert config["DOCUMENT_AUTHOR"] == "1234"  # text stays text
    assert config["RATELIMIT_LOGIN"] == "2 per minute"
    assert config["MAX_INVITATIONS_PER_PASTE"] == 50


def test_fallback_keys_from_the_environment_as_a_json_list(instance, monkeypatch):
    old, older = "o" * MIN_SECRET_KEY_LENGTH, "p" * MIN_SECRET_KEY_LENGTH
    monkeypatch.setenv("SIGNON_SECRET_KEY_FALLBACKS", f'["{old}", "{older}"]')

    assert build(instance).config["SECRET_KEY_FALLBACKS"] == [old, older]


def test_an_empty_optional_variable_keeps_the_default_behaviour(instance, monkeypatch):
    monkeypatch.setenv("SIGNON_BASE_URL", "https://x.example")
    monkeypatch.setenv("SIGNON_SESSION_COOKIE_SECURE", "")
    monkeypatch.setenv("SIGNON_SECRET_KEY", "")

    app = build(instance)

    assert app.config["SESSION_COOKIE_SECURE"] is True  # follows the base URL
    assert (instance / "secret_key").exists()  # generated, as with no key at all


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SIGNON_MAIL_SMTP_PORT", "abc", "SIGNON_MAIL_SMTP_PORT is 'abc': give a whole number"),
        ("SIGNON_MAIL_MAX_ATTEMPTS", "8.5", "SIGNON_MAIL_MAX_ATTEMPTS is '8.5'"),
        ("SIGNON_MAIL_WORKER_THREAD", "maybe", "give true or false"),
        ("SIGNON_RENDER_TIME_LIMIT", "a minute", "give a number of seconds"),
        ("SIGNON_SECRET_KEY_FALLBACKS", '["unclosed"', "JSON list of strings"),
        ("SIGNON_SQLALCHEMY_ENGINE_OPTIONS", "[1]", "give a JSON object"),
        ("SIGNON_MAIL_SMTP_PORT", "70000", "MAIL_SMTP_PORT is 70000; give a port number"),
        ("SIGNON_RATELIMIT_LOGIN", "2 per minit", "RATELIMIT_LOGIN is '2 per minit'"),
    ],
)
def test_a_variable_that_does_not_parse_stops_the_start(
    instance, monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingError) as refused:
        build(instance)
    assert message in str(refused.value)


def test_every_value_that_does_not_parse_is_named_at_once(instance, monkeypatch):
    monkeypatch.setenv("SIGNON_MAIL_SMTP_PORT", "abc")
    monkeypatch.setenv("SIGNON_MAIL_WORKER_THREAD", "maybe")

    with pytest.raises(SettingError, match=r"SIGNON_MAIL_SMTP_PORT.*SIGNON_MAIL_WORKER_THREAD"):
        build(instance)


def test_unknown_variables_are_reported_with_what_they_probably_meant(
    instance, monkeypatch, caplog
):
    monkeypatch.setenv("SIGNON_BASEURL", "https://x.example")
    monkeypatch.setenv("SIGNON_SIGNON_BASE_URL", "https://x.example")  # the old workaround
    monkeypatch.setenv("SIGNON_FOO", "bar")

    app = build(instance)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "SIGNON_BASEURL matches no signon setting and is ignored; did you mean SIGNON_BASE_URL?",
        "SIGNON_FOO matches no signon setting and is ignored.",
        "SIGNON_SIGNON_BASE_URL matches no signon setting and is ignored; "
        "did you mean SIGNON_BASE_URL?",
    ]
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"  # ignored, as said
    assert "FOO" not in app.config


def test_variables_that_are_not_settings_are_not_reported(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SIGNON_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SIGNON_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    monkeypatch.setenv("SIGNON_CHROMIUM", "/usr/bin/chromium")

    create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"})

    assert not [r for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.parametrize("source", ["instance/config.py", "create_app()"])
def test_the_old_name_inside_the_config_stops_the_start(instance, source):
    """SIGNON_BASE_URL in instance/config.py set nothing any more: every link would
    silently point at the default. Better not to start, and to say the new name."""
    if source == "instance/config.py":
        (instance / "config.py").write_text('SIGNON_BASE_URL = "https://x.example"\n')
        overrides = {}
    else:
        overrides = {"SIGNON_BASE_URL": "https://x.example"}

    with pytest.raises(SettingError, match=rf"{re.escape(source)} sets SIGNON_BASE_URL.*BASE_URL"):
        build(instance, **overrides)


def test_every_setting_can_be_given_in_the_environment():
    """A new setting whose default is None needs its type in environment.TYPES."""
    from signon.config import Defaults
    from signon.environment import parser_for

    for name in (n for n in dir(Defaults) if n.isupper()):
        parser_for(name, getattr(Defaults, name))  # raises TypeError for a missing type
