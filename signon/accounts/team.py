"""Team invitations: an owner invites a colleague by email with a role; nobody is
added without accepting. A newcomer sets a name and password from the emailed
link; someone with an account accepts once logged in as that account. The owner's
screen says the same whether or not the address has an account."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.models import record, user_actor
from ..columns import utcnow
from ..extensions import db
from ..mail.compose import queue_mail
from ..tokens import Purpose, make_token, new_nonce, record_for
from .models import Membership, Role, TeamInvitation, User
from .service import AccountError, create_user, find_user

VALID_FOR = timedelta(days=7)


class JoinLinkProblem(Exception):
    """A join link that cannot be used: 400 invalid, 410 expired, revoked or used."""

    def __init__(self, status: int, kind: str, invitation: TeamInvitation | None = None):
        self.status, self.kind, self.invitation = status, kind, invitation


def join_link(invitation: TeamInvitation) -> str:
    token = make_token(Purpose.JOIN_TEAM, invitation.id, invitation.nonce)
    return current_app.config["BASE_URL"].rstrip("/") + f"/team/join/{token}"


def _member_with_email(statement_id: int, email: str) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .join(User, Membership.user_id == User.id)
        .where(Membership.statement_id == statement_id, func.lower(User.email) == email.lower())
    )


def pending_invitations(statement) -> list[TeamInvitation]:
    """Invitations not yet accepted, revoked or expired, the newest first."""
    return list(
        db.session.scalars(
            select(TeamInvitation)
            .where(
                TeamInvitation.statement_id == statement.id,
                TeamInvitation.accepted_at.is_(None),
                TeamInvitation.revoked_at.is_(None),
                TeamInvitation.created_at > utcnow() - VALID_FOR,
            )
            .order_by(TeamInvitation.id.desc())
        )
    )


def _already_member(name: str, role: Role) -> str:
    if role is Role.OWNER:
        return _("%(name)s is already a member, as owner.", name=name)
    if role is Role.EDITOR:
        return _("%(name)s is already a member, as editor.", name=name)
    return _("%(name)s is already a member, as viewer.", name=name)


def invite(statement, email: str, role: Role, *, actor: User) -> TeamInvitation:
    """Invite `email` to the statement's team as `role` and mail the link (not
    committed). AccountError for an address already on the team or already invited."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(_("Invalid email address: %(reason)s", reason=error)) from None
    member = _member_with_email(statement.id, email)
    if member is not None:
        raise AccountError(_already_member(member.user.name, member.role))
    waiting = [i for i in pending_invitations(statement) if i.email.lower() == email.lower()]
    if waiting:
        raise AccountError(
            _(
                "An invitation to %(email)s is waiting already; revoke it to send a new one.",
                email=email,
            )
        )
    invitation = TeamInvitation(
        statement_id=statement.id, email=email, role=role, invited_by_id=actor.id, nonce=new_nonce()
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(
        "team_invitation",
        email,
        statement_id=statement.id,
        statement=statement,
        invitation=invitation,
        inviter=actor,
        link=join_link(invitation),
    )
    record(statement.id, user_actor(actor), "team invitation sent", role=role.value,
           team_invitation=invitation.id)  # fmt: skip
    return invitation


def revoke(invitation: TeamInvitation, *, actor: User) -> None:
    """The link stops working (not committed)."""
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = utcnow()
        record(invitation.statement_id, user_actor(actor), "team invitation revoked",
               team_invitation=invitation.id)  # fmt: skip


def invitation_from(token: str) -> TeamInvitation:
    """The invitation a join link is for, still usable, or JoinLinkProblem."""
    invitation, nonce = record_for(Purpose.JOIN_TEAM, token, TeamInvitation, JoinLinkProblem)
    if nonce != invitation.nonce:
        raise JoinLinkProblem(400, "invalid")
    if invitation.revoked_at is not None:
        raise JoinLinkProblem(410, "revoked", invitation)
    if invitation.accepted_at is not None:
        raise JoinLinkProblem(410, "used", invitation)
    if invitation.created_at <= utcnow() - VALID_FOR:
        raise JoinLinkProblem(410, "expired", invitation)
    return invitation


def account_for(invitation: TeamInvitation) -> User | None:
    return find_user(invitation.email)


def accept(invitation: TeamInvitation, user: User) -> Membership:
    """The invited account joins with the invitation's role (not committed)."""
    if user.email.lower() != invitation.email.lower():
        raise AccountError(_("This invitation is for another address."))
    invitation.accepted_at = utcnow()
    membership = _member_with_email(invitation.statement_id, user.email)
    if membership is None:
        membership = Membership(
            user=user, statement_id=invitation.statement_id, role=invitation.role
        )
        db.session.add(membership)
    record(invitation.statement_id, user_actor(user), "team invitation accepted",
           role=invitation.role.value, team_invitation=invitation.id)  # fmt: skip
    return membership


def join_as_newcomer(invitation: TeamInvitation, name: str, password: str) -> User:
    """A new account for the invited address, which joins (not committed).
    AccountError for a weak password or a bad name."""
    user = create_user(invitation.email, name, password)
    db.session.flush()
    accept(invitation, user)
    return user
