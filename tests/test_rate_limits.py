"""Rate limits an attacker cannot step around (issue 10.7): per account as well as
per address, one allowance for all link pages, and forwarding headers believed
only from configured proxies."""

from __future__ import annotations

import pytest

from signon import create_app
from signon.environment import SettingError
from signon.extensions import db

from .support import Web

WRONG = "not my password at all"
THREE_ADDRESSES = ("192.0.2.1", "192.0.2.2", "192.0.2.3")


def from_address(address: str) -> dict:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def attempt(web, email: str, password: str, address: str, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return web.post(
        "/login", {"email": email, "password": password}, headers=headers, **from_address(address)
    )


@pytest.fixture
def app_with(app_config):
    """app_with(SETTING=value): another app on the test's database, closed after."""
    made = []

    def make(**settings):
        made.append(create_app({**app_config, **settings}))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


# Per account


def test_wrong_passwords_from_three_addresses_meet_the_account_limit(web, dummy_user):
    """30 wrong passwords over three addresses all got 401; now the account says stop
    after 10, although no address came near its own limit."""
    answers = [
        attempt(web, dummy_user.email, WRONG, THREE_ADDRESSES[n % 3]).status_code for n in range(10)
    ]
    assert answers == [401] * 10

    refused = attempt(web, dummy_user.email, dummy_user.password, "192.0.2.4")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Please wait a little before trying again." in refused.get_data(as_text=True)
    assert web.get("/").status_code == 302  # not logged in


def test_the_account_limit_counts_the_email_however_it_is_written(web, dummy_user):
    spellings = ["lead@coalition.example", "LEAD@coalition.example", " Lead@Coalition.Example "]
    for n in range(10):
        attempt(web, spellings[n % 3], WRONG, THREE_ADDRESSES[n % 3])

    assert attempt(web, dummy_user.email, dummy_user.password, "192.0.2.9").status_code == 429


def test_an_address_without_an_account_is_limited_the_same_way(web):
    """The limit must not tell which addresses have accounts."""
    answers = [
        attempt(web, "nobody@coalition.example", WRONG, THREE_ADDRESSES[n % 3]).status_code
        for n in range(11)
    ]

    assert answers == [401] * 10 + [429]


def test_the_account_limit_holds_one_account_only(web, dummy_user, create_user):
    colleague = create_user(email="pat@partner.example", name="Pat Partner")
    for n in range(10):
        attempt(web, dummy_user.email, WRONG, THREE_ADDRESSES[n % 3])

    assert attempt(web, colleague.email, colleague.password, "192.0.2.9").status_code == 302


def test_successful_logins_do_not_use_up_the_account_limit(app, dummy_user):
    for n in range(12):
        web = Web(app.test_client())
        assert (
            attempt(web, dummy_user.email, dummy_user.password, f"192.0.2.{n}").status_code == 302
        )


# Link pages


@pytest.fixture
def small_token_allowance(app_with):
    return app_with(RATELIMIT_TOKEN_PAGES="3 per minute")


def test_invitation_and_manage_links_share_one_allowance(small_token_allowance):
    """Guessing at /i/ and then at /m/ (and /v/, /r/) used to get a fresh
    allowance at each; now they draw on one."""
    client = small_token_allowance.test_client()
    answers = [client.get(path).status_code for path in ("/i/guess-1", "/i/guess-2", "/m/guess-3")]
    assert 429 not in answers

    assert client.get("/m/guess-4").status_code == 429
    assert client.get("/v/guess-5").status_code == 429
    assert client.get("/r/guess-6").status_code == 429


def test_another_address_keeps_its_own_link_allowance(small_token_allowance):
    client = small_token_allowance.test_client()
    for n in range(4):
        client.get(f"/i/guess-{n}", **from_address("192.0.2.1"))

    assert client.get("/m/guess", **from_address("192.0.2.2")).status_code != 429


# Behind a proxy


@pytest.fixture
def small_login_allowance(app_with):
    return lambda **settings: app_with(RATELIMIT_LOGIN="3 per minute", **settings)


def logins_from_forwarded_addresses(app) -> list[int]:
    """Four attempts over one connection address, each claiming another client."""
    web = Web(app.test_client())
    return [
        attempt(
            web, f"guess{n}@coalition.example", WRONG, "10.0.0.1", forwarded_for=f"198.51.100.{n}"
        ).status_code
        for n in range(4)
    ]


def test_forwarding_headers_are_ignored_without_trusted_proxies(small_login_allowance):
    """Otherwise a client would pick a fresh address for every attempt."""
    assert logins_from_forwarded_addresses(small_login_allowance()) == [401, 401, 401, 429]


def test_the_forwarded_address_counts_behind_one_trusted_proxy(small_login_allowance):
    app = small_login_allowance(TRUSTED_PROXIES=1)

    assert logins_from_forwarded_addresses(app) == [401] * 4
    web = Web(app.test_client())
    one_client = [
        attempt(
            web, f"again{n}@coalition.example", WRONG, "10.0.0.1", forwarded_for="198.51.100.7"
        ).status_code
        for n in range(4)
    ]
    assert one_client == [401, 401, 401, 429]


def test_only_the_trusted_hops_of_the_header_are_believed(small_login_allowance):
    """The client writes the left of X-Forwarded-For; one proxy appends the real
    address. Spoofed entries on the left change nothing."""
    web = Web(small_login_allowance(TRUSTED_PROXIES=1).test_client())
    answers = [
        attempt(
            web,
            f"guess{n}@coalition.example",
            WRONG,
            "10.0.0.1",
            forwarded_for=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(4)
    ]

    assert answers == [401, 401, 401, 429]


def test_trusted_proxies_from_the_environment_is_a_number(app_with, monkeypatch):
    monkeypatch.setenv("SIGNON_TRUSTED_PROXIES", "2")

    assert app_with().config["TRUSTED_PROXIES"] == 2


@pytest.mark.parametrize("value", ["-1", "11", "yes"])
def test_a_trusted_proxies_count_that_cannot_be_right_stops_the_start(
    app_config, monkeypatch, value
):
    monkeypatch.setenv("SIGNON_TRUSTED_PROXIES", value)

    with pytest.raises(SettingError, match="TRUSTED_PROXIES"):
        create_app(app_config)


def test_an_account_limit_that_does_not_parse_stops_the_start(app_config):
    with pytest.raises(SettingError, match="RATELIMIT_LOGIN_ACCOUNT"):
        create_app({**app_config, "RATELIMIT_LOGIN_ACCOUNT": "10 per minit"})
