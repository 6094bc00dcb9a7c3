"""Team actions that send mail: revoking drops the invitation's unsent mail, and
re-sends and reminders are rate-limited per account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from signon.accounts.models import Membership, Role
from signon.extensions import db
from signon.mail.models import MailState, OutboxMessage
from signon.signatures.models import Invitation

from .sign_on_steps import invite_partners, open_for_signing


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_RESENDS": "3 per hour"}


@pytest.fixture
def invited(app, dummy_user, dummy_statement, web):
    open_for_signing(app, dummy_statement)
    invite_partners(
        app,
        dummy_statement,
        [("Article 19", "info@a19.example"), ("Zeta Press Union", "desk@zeta.example")],
        by=dummy_user,
    )
    web.login(dummy_user)
    with app.app_context():
        ids = db.session.scalars(select(Invitation.id).order_by(Invitation.id)).all()
    return dummy_statement, ids, web


def mail(app) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            (m.invitation_id, m.kind, m.state.value)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_revoking_drops_the_unsent_invitation_and_keeps_the_rest(app, invited):
    statement, (first, second), web = invited
    with app.app_context():  # the second invitation's email already went out
        sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == second))
        sent.state = MailState.SENT
        db.session.commit()
    assert mail(app) == [(first, "invitation", "pending"), (second, "invitation", "sent")]

    for invitation_id in (first, second):
        response = web.post(
            f"/statements/{statement.slug}/invitations/{invitation_id}/revoke", {"confirm": "yes"}
        )
        assert response.status_code == 302

    # The pending one will never reach the inbox with a dead link; what was sent stays.
    assert mail(app) == [(second, "invitation", "sent")]


def test_resends_and_reminders_are_limited_per_account(app, invited, create_user):
    statement, (first, _second), web = invited
    url = f"/statements/{statement.slug}/invitations/{first}/resend"
    statuses = [web.post(url, {"confirm": "yes"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert [kind for i, kind, _ in mail(app) if i == first] == ["invitation"] * 4  # 1 + 3 re-sends
    assert web.post(f"/statements/{statement.slug}/invitations/remind").status_code == 429

    # Another member of the team has an allowance of their own.
    colleague = create_user(email="colleague@example.org", name="Colleague")
    with app.app_context():
        membership = Membership(user_id=colleague.id, statement_id=statement.id, role=Role.EDITOR)
        db.session.add(membership)
        db.session.commit()
    other = type(web)(app.test_client())
    other.login(colleague)
    assert other.post(url, {"confirm": "yes"}).status_code == 302
