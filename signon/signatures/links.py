"""Links sent by email, always built from BASE_URL (SIGNON_BASE_URL) (never the request's Host)."""

from __future__ import annotations

import hashlib

from flask import current_app

from ..tokens import Purpose, make_token


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


def contact_nonce(signature) -> str:
    """The nonce a contact-confirmation link carries: the signature's, bound to the
    address it was sent to, so a link cannot confirm an address typed in later."""
    address = hashlib.sha256(signature.contact_email.lower().encode()).hexdigest()[:16]
    return f"{signature.nonce}.{address}"


def confirm_contact_link(signature) -> str:
    token = make_token(Purpose.CONFIRM_CONTACT, signature.id, contact_nonce(signature))
    return absolute(f"/c/{token}")
