"""Emailed links: what a token carries, when it stops working, and that GET changes nothing.

Tokens are made by signon.signing as the app makes them; an old token is made
with itsdangerous's own timestamp signer set in the past, the way a link mailed
a year ago would look. Nothing of ours is replaced.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from signon.audit.models import AuditEvent
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.links import invitation_link
from signon.signatures.models import Invitation, Signature
from signon.statements.models import Statement
from signon.tokens import Purpose, make_token

from .conftest import TEST_SECRET
from .sign_on_steps import invite_partners, open_for_signing, partner, sign_form
from .support import Web, csrf_token_in

BASE = "http://signon.test"
NEW_SECRET = "a-new-secret-key-after-rotation-also-long-enough"


@pytest.fixture
def link(app, dummy_user, dummy_statement) -> str:
    """The path of one invitation's link (/i/<token>), the statement open for 30 days."""
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    return path


def token_of(path: str) -> str:
    return path.split("/")[2]


def the_invitation(app) -> Invitation:
    with app.app_context():
        record = db.session.scalar(select(Invitation))
        db.session.expunge(record)
        return record


def snapshot(app) -> dict:
    """Everything a visit could change."""
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        return {
            "opened_at": invitation.opened_at,
            "responded_at": invitation.responded_at,
            "nonce": invitation.nonce,
            "signatures": db.session.scalar(select(func.count()).select_from(Signature)),
            "outbox": db.session.scalar(select(func.count()).select_from(OutboxMessage)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        }


def is_problem_page(response, status: int, heading: str) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == status and f"<h1>{heading}</h1>" in page


def old_token(app, purpose: Purpose, record_id: int, nonce: str, *, age: timedelta) -> str:
    """A token made `age` ago with the app's current key, as itsdangerous makes them."""
    then = int(time.time() - age.total_seconds())

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return then

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=purpose.salt, signer=Then)
    return serializer.dumps([record_id, nonce])


def set_statement(app, statement, **values) -> None:
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


# What a token carries


def decoded_payload(token: str):
    payload = token.split(".")[0] if not token.startswith(".") else token.split(".")[1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(raw) if token.startswith(".") else raw)


def test_a_token_carries_the_invitation_id_and_nonce_only(app, link):
    invitation = the_invitation(app)

    payload = decoded_payload(token_of(link))

    assert payload == [invitation.id, invitation.nonce]
    assert len(invitation.nonce) >= 16
    text = json.dumps(payload)
    for secret in ("info", "a19", "Article"):
        assert secret not in text


def test_each_invitation_gets_its_own_random_nonce(app, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    invite_partners(
        app,
        dummy_statement,
        [("A", "a@a.example"), ("B", "b@b.example"), ("C", "c@c.example")],
        by=dummy_user,
    )
    with app.app_context():
        nonces = list(db.session.scalars(select(Invitation.nonce)))
    assert len(set(nonces)) == 3


def test_links_are_built_from_the_configured_base_url_not_the_request(app, link, client):
    with app.test_request_context(base_url="http://evil.example"):
        invitation = db.session.scalar(select(Invitation))
        assert invitation_link(invitation).startswith(f"{BASE}/i/")


# Expired


@pytest.mark.parametrize("page", ["", "/sign", "/signed"])
def test_a_token_older_than_its_purpose_allows_is_expired(app, link, client, page):
    invitation = the_invitation(app)
    token = old_token(
        app,
        Purpose.INVITE,
        invitation.id,
        invitation.nonce,
        age=timedelta(seconds=Purpose.INVITE.max_age + 60),
    )

    response = client.get(f"/i/{token}{page}")

    assert is_problem_page(response, 410, "This link has expired")
    text = response.get_data(as_text=True)
    assert "this one is too old" in text
    assert "To get a new link, reply to the email that sent you this one" in text


def test_a_token_just_within_its_purposes_age_works(app, link, client):
    invitation = the_invitation(app)
    token = old_token(
        app,
        Purpose.INVITE,
        invitation.id,
        invitation.nonce,
        age=timedelta(seconds=Purpose.INVITE.max_age - 3600),
    )

    assert client.get(f"/i/{token}").status_code == 200


def test_an_old_manage_link_is_expired_too(app, link):
    signer = partner(app, link + "/sign")
    signer.post(link + "/sign", sign_form())
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        token = old_token(
            app,
            Purpose.MANAGE_SIGNATURE,
            signature.id,
            signature.nonce,
            age=timedelta(seconds=Purpose.MANAGE_SIGNATURE.max_age + 60),
        )

    response = signer.get(f"/m/{token}")

    assert is_problem_page(response, 410, "This link has expired")


def test_links_work_until_deadline_plus_grace_then_expire(
    app, link, dummy_statement, create_statement
):
    signer = partner(app, link + "/sign")
    assert signer.post(link + "/sign", sign_form()).status_code == 303
    set_statement(app, dummy_statement, link_grace_hours=24)

    # The deadline passed an hour ago: within the grace the link still leads somewhere.
    set_statement(app, dummy_statement, deadline=utcnow() - timedelta(hours=1))
    assert signer.get(link + "/signed").status_code == 200
    closed = signer.get(link)
    assert is_problem_page(closed, 410, "Signatures are closed")
    late = signer.post(link + "/sign", sign_form(acronym="LATE"))
    assert is_problem_page(late, 410, "Signatures are closed")
    with app.app_context():
        assert db.session.scalar(select(Signature.acronym)) == "A19"

    # A day and an hour ago: past the grace, the link has expired.
    set_statement(app, dummy_statement, deadline=utcnow() - timedelta(hours=25))
    for page in ("", "/sign", "/signed"):
        response = signer.get(link + page)
        assert is_problem_page(response, 410, "This link has expired"), page
        text = response.get_data(as_text=True)
        assert "some time after the statement's deadline (" in text
        assert "Europe/Paris)" in text
        assert "To get a new link" in text


def test_without_grace_the_link_expires_at_the_deadline(app, link, dummy_statement, client):
    set_statement(app, dummy_statement, deadline=utcnow() - timedelta(seconds=5))

    response = client.get(link)

    assert is_problem_page(response, 410, "This link has expired")


def test_a_link_works_again_when_the_deadline_is_moved_later(app, link, dummy_statement, client):
    set_statement(app, dummy_statement, deadline=utcnow() - timedelta(days=3))
    assert client.get(link).status_code == 410

    set_statement(app, dummy_statement, deadline=utcnow() + timedelta(days=3))

    assert client.get(link).status_code == 200


# Tampered and wrong purpose


def tampered(token: str) -> dict[str, str]:
    payload, timestamp, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    other = base64.urlsafe_b64encode(json.dumps([1, "x" * 16]).encode()).decode().rstrip("=")
    return {
        "signature changed": f"{payload}.{timestamp}.{flipped}",
        "payload changed": f"{other}.{timestamp}.{signature}",
        "cut in two by a mail program": token[: len(token) // 2],
        "signature missing": f"{payload}.{timestamp}",
        "garbage": "not-a-token",
        "empty parts": "..",
    }


@pytest.mark.parametrize(
    "how",
    [
        "signature changed",
        "payload changed",
        "cut in two by a mail program",
        "signature missing",
        "garbage",
        "empty parts",
    ],
)
def test_a_tampered_token_is_not_valid(app, link, client, how):
    before = snapshot(app)
    token = tampered(token_of(link))[how]

    response = client.get(f"/i/{token}")

    assert is_problem_page(response, 400, "This link is not valid")
    assert "Article 19" not in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("purpose", "path"),
    [
        (Purpose.MANAGE_SIGNATURE, "/i/{}"),
        (Purpose.VERIFY_EMAIL, "/i/{}"),
        (Purpose.RECONFIRM, "/i/{}/sign"),
        (Purpose.SET_PASSWORD, "/i/{}"),
        (Purpose.INVITE, "/m/{}"),
        (Purpose.INVITE, "/v/{}"),
    ],
)
def test_a_token_of_another_purpose_is_not_valid(app, link, client, purpose, path):
    invitation = the_invitation(app)
    with app.app_context():
        # The same id and nonce, so only the purpose's salt differs.
        token = make_token(purpose, invitation.id, invitation.nonce)
    before = snapshot(app)

    response = client.get(path.format(token))

    assert is_problem_page(response, 400, "This link is not valid")
    assert snapshot(app) == before


def test_a_valid_token_for_a_record_that_no_longer_exists_is_not_valid(app, link, client):
    with app.app_context():
        token = make_token(Purpose.INVITE, 999_999, "whatever-nonce")

    assert is_problem_page(client.get(f"/i/{token}"), 400, "This link is not valid")


# Revoked and re-sent


@pytest.fixture
def lead(web, dummy_user):
    web.login(dummy_user)
    return web


def team_action(app, lead, dummy_statement, action: str):
    invitation_id = the_invitation(app).id
    url = f"/statements/{dummy_statement.slug}/invitations/{invitation_id}/{action}"
    response = lead.post(url, {"confirm": "yes"})
    assert response.status_code == 302


def newest_link(app) -> str:
    with app.app_context():
        return invitation_link(db.session.scalar(select(Invitation))).removeprefix(BASE)


def test_a_revoked_link_is_gone_and_signing_through_it_records_nothing(
    app, link, lead, dummy_statement
):
    signer = partner(app, link + "/sign")
    team_action(app, lead, dummy_statement, "revoke")
    before = snapshot(app)

    for response in (
        signer.get(link),
        signer.get(link + "/sign"),
        signer.post(link),
        signer.post(link + "/sign", sign_form()),
    ):
        assert is_problem_page(response, 410, "This link was withdrawn")
    assert snapshot(app) == before


def test_resending_rotates_the_nonce_so_the_old_link_is_replaced(
    app, link, lead, dummy_statement, client
):
    old_nonce = the_invitation(app).nonce

    team_action(app, lead, dummy_statement, "resend")

    assert the_invitation(app).nonce != old_nonce
    new = newest_link(app)
    assert new != link
    assert is_problem_page(client.get(link), 410, "A newer link replaced this one")
    assert client.get(new).status_code == 200
    with app.app_context():
        kinds = list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))
    assert kinds == ["invitation", "invitation"]


def test_resending_a_revoked_invitation_gives_a_working_link(
    app, link, lead, dummy_statement, client
):
    team_action(app, lead, dummy_statement, "revoke")
    revoked_nonce = the_invitation(app).nonce
    assert revoked_nonce != decoded_payload(token_of(link))[1]  # revoking rotates it too

    team_action(app, lead, dummy_statement, "resend")

    assert the_invitation(app).revoked_at is None
    assert client.get(newest_link(app)).status_code == 200
    assert is_problem_page(client.get(link), 410, "A newer link replaced this one")


# Key rotation


def test_a_link_signed_with_the_old_key_works_while_it_is_a_fallback(app, link, client):
    app.config.update(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[TEST_SECRET])

    assert client.get(link).status_code == 200
    # New links are signed with the new key: they fail where only the old key is known.
    new_link = newest_link(app)
    assert new_link != link
    app.config.update(SECRET_KEY=TEST_SECRET, SECRET_KEY_FALLBACKS=[])
    assert is_problem_page(client.get(new_link), 400, "This link is not valid")


def test_a_link_signed_with_a_removed_key_is_not_valid(app, link, client):
    app.config.update(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[])

    assert is_problem_page(client.get(link), 400, "This link is not valid")


def test_a_fallback_given_as_one_string_is_one_key_not_one_per_character(app, link, client):
    # SIGNON_SECRET_KEY_FALLBACKS=<old key> in the environment arrives as a string.
    app.config.update(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=TEST_SECRET)
    assert client.get(link).status_code == 200

    invitation = the_invitation(app)
    forged = URLSafeTimedSerializer(TEST_SECRET[0], salt=Purpose.INVITE.salt).dumps(
        [invitation.id, invitation.nonce]
    )
    assert is_problem_page(client.get(f"/i/{forged}"), 400, "This link is not valid")


# GET never changes anything


@pytest.mark.parametrize("page", ["", "/sign"])
def test_two_gets_and_a_head_record_nothing(app, link, client, page):
    before = snapshot(app)

    first = client.get(link + page)
    second = client.get(link + page)
    head = client.head(link + page)

    assert (first.status_code, second.status_code, head.status_code) == (200, 200, 200)
    assert head.get_data() == b""
    assert snapshot(app) == before
    assert before["opened_at"] is None


def test_the_landing_pages_post_records_the_opening_and_nothing_else(app, link):
    signer = partner(app, link)
    before = snapshot(app)

    response = signer.post(link)

    assert response.status_code == 303
    assert response.location == f"{link}/sign"
    after = snapshot(app)
    assert after["opened_at"] is not None
    assert {**after, "opened_at": None} == before
    # Opening again keeps the first time.
    signer.post(link)
    assert snapshot(app)["opened_at"] == after["opened_at"]


def test_a_post_without_the_forms_token_records_nothing(app, link, client):
    before = snapshot(app)

    response = Web(client).post(link, csrf=False)

    assert response.status_code == 400
    assert snapshot(app) == before


def test_the_landing_page_names_the_organisation_and_the_deadline_in_its_zone(
    app, link, client, dummy_statement
):
    page = client.get(link).get_data(as_text=True)

    assert "Article 19 is invited to sign this statement." in page
    assert "(Europe/Paris)" in page
    assert dummy_statement.title in page
    assert csrf_token_in(page)


# Headers on every page a token reaches


def bad_links(app, link: str) -> dict[str, str]:
    invitation = the_invitation(app)
    with app.app_context():
        manage_token = make_token(Purpose.MANAGE_SIGNATURE, invitation.id, invitation.nonce)
    expired = old_token(
        app, Purpose.INVITE, invitation.id, invitation.nonce, age=timedelta(days=400)
    )
    return {
        "valid landing": link,
        "valid form": link + "/sign",
        "tampered": f"/i/{tampered(token_of(link))['signature changed']}",
        "wrong purpose": f"/i/{manage_token}",
        "expired": f"/i/{expired}",
        "manage link tampered": f"/m/{token_of(link)}",
        "verify link tampered": f"/v/{token_of(link)}",
    }


@pytest.mark.parametrize(
    "which",
    [
        "valid landing",
        "valid form",
        "tampered",
        "wrong purpose",
        "expired",
        "manage link tampered",
        "verify link tampered",
    ],
)
def test_token_pages_keep_the_url_out_of_referers_and_caches(app, link, client, which):
    response = client.get(bad_links(app, link)[which])

    assert response.status_code in (200, 400, 410)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("state", ["revoked", "replaced", "closed", "signed"])
def test_token_pages_in_every_state_keep_the_headers(
    app, link, lead, client, dummy_statement, state
):
    page = link
    if state == "revoked":
        team_action(app, lead, dummy_statement, "revoke")
    elif state == "replaced":
        team_action(app, lead, dummy_statement, "resend")
    elif state == "closed":
        set_statement(app, dummy_statement, link_grace_hours=2)
        set_statement(app, dummy_statement, deadline=utcnow() - timedelta(hours=1))
    else:
        signer = partner(app, link + "/sign")
        assert signer.post(link + "/sign", sign_form()).status_code == 303
        page = link + "/signed"

    response = client.get(page)

    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.status_code == (200 if state == "signed" else 410)


def test_unmatched_urls_under_a_token_path_still_send_private_headers(client):
    for method, path in (("GET", "/i/abc/nothing-here"), ("POST", "/i/abc/signed")):
        response = client.open(path, method=method)
        assert response.status_code in (404, 405)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
