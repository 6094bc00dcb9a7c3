"""Links sent by email, always built from BASE_URL (SIGNON_BASE_URL) (never the request's Host)."""

from __future__ import annotations

from flask import current_app

from ..signing import Purpose, make_token


def absolute(path: str) -> str:
    """An absolute URL for a path of ours, from the configured base URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def invitation_link(invitation) -> str:
    return absolute(f"/i/{make_token(Purpose.INVITE, invitation.id, invitation.nonce)}")


def manage_link(signature) -> str:
    return absolute(f"/m/{make_token(Purpose.MANAGE_SIGNATURE, signature.id, signature.nonce)}")


def verify_link(signature) -> str:
    return absolute(f"/v/{make_token(Purpose.VERIFY_EMAIL, signature.id, signature.nonce)}")


def reconfirm_link(signature) -> str:
    return absolute(f"/r/{make_token(Purpose.RECONFIRM, signature.id, signature.nonce)}")
