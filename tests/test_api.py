"""GET /api/v1/statements/<slug>: the public list as data, with an ETag."""

from __future__ import annotations

import hashlib
import json

import pytest

from signon.extensions import db
from signon.statements.models import Statement

from .public_steps import CONTACT_DATA, NOT_ON_THE_LIST, sign_as, signed_statement
from .sign_on_steps import move_deadline_into_the_past


@pytest.fixture
def signed(app, create_statement, dummy_user):
    # A live list: the owner opted in, so the open statement is public (test_list_privacy).
    return signed_statement(app, create_statement, dummy_user, open_call=True, live_list=True)


def api(client, statement, **headers):
    return client.get(f"/api/v1/statements/{statement.slug}", headers=headers)


def test_the_api_gives_the_statement_and_its_final_list(app, client, signed):
    statement, _ids = signed
    response = api(client, statement)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    with app.app_context():
        version = db.session.get(Statement, statement.id).current_version
        number, sha256 = version.number, version.sha256
    assert data == {
        "title": "Free the Meridia Eleven",
        "slug": statement.slug,
        "status": "open",
        "language": "en",
        "date": data["date"],
        "version": {"number": number, "sha256": sha256},
        "counts": {"listed": 3, "anonymous": 1, "total": 4},
        "signatories": [
            {
                "name": "Article 19",
                "acronym": "A19",
                "country": "",
                "note": "within the framework of the Media Freedom Coalition",
                "kind": "organisation",
            },
            {
                "name": "Zeta Press Union",
                "acronym": "ZPU",
                "country": "Meridia",
                "note": "",
                "kind": "organisation",
            },
            {
                "name": "Jane Doe",
                "acronym": "",
                "country": "Senegal",
                "note": "",
                "kind": "individual",
            },
        ],
        "anonymous_count": 1,
        "languages": [
            {
                "language": "en",
                "master": True,
                "status": "master",
                "version": number,
                "sha256": sha256,
            }
        ],
    }


def test_the_api_never_carries_contact_data(client, signed):
    statement, _ids = signed
    body = api(client, statement).get_data(as_text=True)
    for private in (*CONTACT_DATA, *NOT_ON_THE_LIST, "contact", "email", "authorised"):
        assert private not in body, private


def test_the_etag_is_the_body_hash_and_an_unchanged_list_answers_304(client, signed):
    statement, _ids = signed
    first = api(client, statement)
    etag = first.headers["ETag"]
    assert etag == '"' + hashlib.sha256(first.data).hexdigest() + '"'
    assert "no-cache" in first.headers["Cache-Control"]

    again = api(client, statement, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    other = api(client, statement, **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert json.loads(other.data) == json.loads(first.data)


def test_a_new_signature_changes_the_etag(app, client, signed, dummy_user):
    statement, _ids = signed
    before = api(client, statement).headers["ETag"]
    sign_as(app, statement, dummy_user, "Late Signers Alliance")
    after = api(client, statement, **{"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before
    assert after.get_json()["counts"]["listed"] == 4


def test_the_status_follows_the_deadline(app, client, signed):
    statement, _ids = signed
    move_deadline_into_the_past(app, statement)
    assert api(client, statement).get_json()["status"] == "closed"


def test_drafts_and_unknown_statements_are_not_found(client, dummy_statement):
    for slug in (dummy_statement.slug, "no-such-statement"):
        response = client.get(f"/api/v1/statements/{slug}")
        assert response.status_code == 404
        assert response.get_json() == {"error": "not found"}
        assert dummy_statement.title not in response.get_data(as_text=True)
