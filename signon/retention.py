"""Purging signers' contact data once a statement no longer needs it."""
