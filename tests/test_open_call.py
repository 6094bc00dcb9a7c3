"""The open call: anyone signs through a public form, confirms their email, and the
team approves or rejects. A second signature for the same organisation or address
is answered by email, never on the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.signatures.duplicates import find_duplicates
from signon.signatures.models import Signature, SignatureSource, SignatureState

from .mailbox import links_in, text_of
from .sign_on_steps import (
    BASE_URL,
    count_signatures,
    open_for_signing,
    outbox_kinds,
    partner,
    sign_form,
)
from .support import Web, csrf_token_in


def public_form(**overrides) -> dict:
    fields = {
        "name": "Kloop Media Support",
        "acronym": "",
        "contact_email": "kloop@friends.example",
        "authorised_by": "Aida K.",
    }
    return sign_form(**{**fields, **overrides})


def submit(app, slug, **overrides):
    """A visitor fills in the public form; returns the response and the page after it."""
    visitor = partner(app, f"/s/{slug}/sign")
    response = visitor.post(f"/s/{slug}/sign", public_form(**overrides))
    followed = visitor.get(response.headers["Location"]) if response.status_code == 303 else None
    return response, followed


def the_signature(app) -> Signature:
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        db.session.expunge_all()
        return signature


def test_the_open_call_is_off_unless_the_team_turns_it_on(app, client, dummy_statement):
    assert client.get(f"/s/{dummy_statement.slug}/sign").status_code == 404  # a draft
    open_for_signing(app, dummy_statement)  # open, but without the public form
    page = client.get(f"/s/{dummy_statement.slug}/sign")
    assert page.status_code == 404
    assert client.post(f"/s/{dummy_statement.slug}/sign", data=public_form()).status_code in (
        400,
        404,
    )
    assert count_signatures(app) == 0
    assert client.get("/s/no-such-statement/sign").status_code == 404


def test_visitor_signs_confirms_by_email_and_the_team_approves(
    app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    open_for_signing(app, dummy_statement, open_call=True)
    page = app.test_client().get(f"/s/{dummy_statement.slug}/sign")
    assert page.status_code == 200
    assert "we email you a link to confirm your address" in page.get_data(as_text=True)

    response, followed = submit(app, dummy_statement.slug)
    assert response.status_code == 303
    assert "Check your email" in followed.get_data(as_text=True)
    signature = the_signature(app)
    assert (signature.state, signature.source) == (
        SignatureState.UNVERIFIED,
        SignatureSource.OPEN_CALL,
    )

    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    assert message["To"] == "kloop@friends.example"
    verify = next(u for u in links_in(message) if u.startswith(f"{BASE_URL}/v/"))
    path = verify.removeprefix(BASE_URL)

    # Mail scanners open links first: GETs and a HEAD change nothing.
    visitor = Web(app.test_client())
    first = visitor.get(path)
    assert first.status_code == 200
    assert "Confirm my signature" in first.get_data(as_text=True)
    visitor.get(path)
    visitor.client.head(path)
    assert the_signature(app).state is SignatureState.UNVERIFIED
    assert the_signature(app).verified_at is None

    visitor._token = csrf_token_in(first.get_data(as_text=True))
    confirmed = visitor.post(path)
    assert confirmed.status_code == 303
    assert "your email is confirmed" in visitor.get(path).get_data(as_text=True)
    signature = the_signature(app)
    assert signature.state is SignatureState.PENDING
    assert signature.verified_at is not None
    # Confirming twice is harmless.
    assert visitor.post(path).status_code == 303
    assert the_signature(app).state is SignatureState.PENDING

    # Not listed before the team decides.
    web.login(dummy_user)
    team_page = web.get(f"/statements/{dummy_statement.slug}/signatures").get_data(as_text=True)
    final = team_page.split('id="final-heading"')[1]
    assert "Kloop Media Support" not in final
    approved = web.post(f"/statements/{dummy_statement.slug}/signatures/{signature.id}/approve")
    assert approved.status_code == 302
    assert the_signature(app).state is SignatureState.SIGNED
    team_page = web.get(f"/statements/{dummy_statement.slug}/signatures").get_data(as_text=True)
    assert "Kloop Media Support" in team_page.split('id="final-heading"')[1]

    send_outbox()
    approval = mail_via_smtp.wait_for(2)[1]
    assert approval["To"] == "kloop@friends.example"
    assert any(u.startswith(f"{BASE_URL}/m/") for u in links_in(approval))
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"email verified", "signature approved"} <= set(actions)


def test_an_unverified_signature_cannot_be_approved(app, web, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    submit(app, dummy_statement.slug)
    web.login(dummy_user)
    signature = the_signature(app)
    web.post(f"/statements/{dummy_statement.slug}/signatures/{signature.id}/approve")
    assert the_signature(app).state is SignatureState.UNVERIFIED


def test_rejection_reason_stays_with_the_team(app, web, create_user, dummy_user, create_statement):
    viewer = create_user(email="comms@coalition.example", name="Cora Comms")
    statement = create_statement(members={viewer: "viewer"})
    open_for_signing(app, statement, open_call=True)
    submit(app, statement.slug, name="Totally Real NGO", contact_email="spam@bots.example")
    signature = the_signature(app)
    with app.test_request_context():
        from signon.signatures.links import verify_link

        verify_path = verify_link(db.session.get(Signature, signature.id)).removeprefix(BASE_URL)

    web.login(dummy_user)
    reason = "Front organisation of the ministry"
    rejected = web.post(
        f"/statements/{statement.slug}/signatures/{signature.id}/reject", {"reason": reason}
    )
    assert rejected.status_code == 302
    signature = the_signature(app)
    assert signature.state is SignatureState.REJECTED
    assert signature.rejection_reason == reason
    owner_page = web.get(f"/statements/{statement.slug}/signatures").get_data(as_text=True)
    assert reason in owner_page
    assert "Totally Real NGO" not in owner_page.split('id="final-heading"')[1]

    viewer_web = Web(app.test_client())
    viewer_web.login(viewer)
    viewer_page = viewer_web.get(f"/statements/{statement.slug}/signatures")
    assert viewer_page.status_code == 200
    assert reason not in viewer_page.get_data(as_text=True)

    signer_page = app.test_client().get(verify_path).get_data(as_text=True)
    assert "no longer active" in signer_page
    assert reason not in signer_page
    assert "rejected" not in outbox_kinds(app)  # nothing mailed about it either


def test_a_second_signature_for_the_same_organisation_is_answered_by_email(
    app, dummy_statement, mail_via_smtp, send_outbox
):
    open_for_signing(app, dummy_statement, open_call=True)
    first, first_page = submit(app, dummy_statement.slug)
    with app.app_context():  # verified and approved: on the public list
        db.session.scalar(select(Signature)).state = SignatureState.SIGNED
        db.session.commit()
    # Another address, the same organisation written another way.
    again, again_page = submit(
        app, dummy_statement.slug, name="  KLOOP media-support ", contact_email="x@other.example"
    )
    assert again.status_code == first.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert again_page.get_data() == first_page.get_data()
    assert count_signatures(app) == 1
    assert outbox_kinds(app) == ["verify_email", "already_signed"]
    send_outbox()
    messages = mail_via_smtp.wait_for(2)
    (notice,) = mail_via_smtp.to("x@other.example")
    assert "already signed" in text_of(notice)
    assert not links_in(notice)  # no way into the existing signature from this mail
    assert messages[0]["To"] == "kloop@friends.example"


@pytest.mark.parametrize("state, listed", [("signed", False), ("pending", True)])
def test_a_name_that_is_not_public_is_never_confirmed_to_a_stranger(
    app, dummy_statement, state, listed
):
    """Someone types the name of an organisation that signed without being named,
    or is not on the list yet: what they get is what any new signer gets, and the
    team sees the two flagged as possible duplicates."""
    open_for_signing(app, dummy_statement, open_call=True)
    _first, first_page = submit(app, dummy_statement.slug)
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        signature.state = SignatureState(state)
        signature.listed_publicly = listed
        db.session.commit()
    again, again_page = submit(
        app, dummy_statement.slug, name="Kloop Media Support", contact_email="who@stranger.example"
    )
    assert again.status_code == 303
    assert again_page.get_data() == first_page.get_data()
    assert count_signatures(app) == 2
    assert outbox_kinds(app) == ["verify_email", "verify_email"]
    with app.app_context():
        rows = db.session.scalars(select(Signature).order_by(Signature.id)).all()
        flags = find_duplicates([(s.id, s.name, s.contact_email) for s in rows])
    assert flags.get(rows[1].id), flags


def test_a_second_signature_from_the_same_address_is_answered_by_email(
    app, web, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement, open_call=True)
    submit(app, dummy_statement.slug)
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        signature.state = SignatureState.PENDING
        db.session.commit()
    again, _ = submit(
        app, dummy_statement.slug, name="A Different Name", contact_email="KLOOP@friends.example"
    )
    assert again.status_code == 303
    assert count_signatures(app) == 1
    assert outbox_kinds(app) == ["verify_email", "already_signed"]


def test_submitting_again_before_confirming_sends_the_confirmation_link_again(app, dummy_statement):
    """Lost the first email? The same address gets its link again, not a new row."""
    open_for_signing(app, dummy_statement, open_call=True)
    submit(app, dummy_statement.slug)
    again, _ = submit(app, dummy_statement.slug)
    assert again.status_code == 303
    assert count_signatures(app) == 1
    assert outbox_kinds(app) == ["verify_email", "verify_email"]


def test_a_withdrawn_or_rejected_signature_does_not_block_a_new_one(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    submit(app, dummy_statement.slug)
    with app.app_context():
        db.session.scalar(select(Signature)).state = SignatureState.REJECTED
        db.session.commit()
    submit(app, dummy_statement.slug)
    assert count_signatures(app) == 2
    assert outbox_kinds(app) == ["verify_email", "verify_email"]


def test_the_public_form_refuses_bad_input_and_queues_nothing(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    for bad in (
        {"contact_email": ""},
        {"contact_email": "kloop@friends.example\r\nBcc: all@x.example"},
        {"name": "Kloop\r\nBcc: all@x.example"},
        {"authorised": None},
    ):
        response, _ = submit(app, dummy_statement.slug, **bad)
        assert response.status_code == 400, bad
        assert "Nothing was saved" in response.get_data(as_text=True)
    assert count_signatures(app) == 0
    assert outbox_kinds(app) == []
