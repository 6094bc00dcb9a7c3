"""Schema 0006 on a database with signatures and mail: contacts stored before it
count as confirmed (they were mailed before the rule), and the mail already sent
counts towards each recipient's hour."""

from __future__ import annotations

import sqlite3

from .test_migration_0004 import NOW, _signon


def test_contacts_and_mail_from_before_0006_carry_over(tmp_path):
    _signon(tmp_path, "db", "upgrade", "0005")
    database = sqlite3.connect(tmp_path / "signon.db")
    database.execute(
        "INSERT INTO statements (id, slug, title, language, status, time_zone,"
        " signatories_intro, signatory_order, open_call, created_at, updated_at,"
        " link_grace_hours, list_revision, published_by, live_list, lead_organisations)"
        " VALUES (1, 's', 'T', 'en', 'open', 'UTC', '', 'as-listed', 0, ?, ?, 0, 0, '', 0, '')",
        (NOW, NOW),
    )
    for source, state, contact in (
        ("invitation", "signed", "Ana@A19.example"),
        ("open-call", "unverified", "x@open.example"),  # its /v/ link still to confirm it
    ):
        database.execute(
            "INSERT INTO signatures (statement_id, text_sha256, source, state, position, name,"
            " acronym, country, website, note, kind, listed_publicly, authorised_by,"
            " contact_email, name_key, signed_at, updated_at, nonce, authoriser_title,"
            " rejection_reason, reconfirm_reminders)"
            " VALUES (1, '', ?, ?, 1, 'N', '', '', '', '', 'organisation', 1,"
            " '', ?, 'n', ?, ?, '', '', '', 0)",
            (source, state, contact, NOW, NOW),
        )
    database.execute(
        "INSERT INTO outbox_messages (kind, to_address, subject, text_body, html_body, headers,"
        " message_id, state, attempts, next_attempt_at, last_error, created_at)"
        " VALUES ('confirmation', 'Ana@A19.example', 's', 't', '', '{}', '<m@x>', 'sent', 1,"
        " ?, '', ?)",
        (NOW, NOW),
    )
    database.commit()
    database.close()

    _signon(tmp_path, "db", "upgrade")

    database = sqlite3.connect(tmp_path / "signon.db")
    confirmed = database.execute("SELECT contact_confirmed FROM signatures ORDER BY id").fetchall()
    keys = database.execute("SELECT recipient_key FROM outbox_messages").fetchall()
    database.close()
    assert confirmed == [("ana@a19.example",), ("",)]
    assert keys == [("ana@a19.example",)]
