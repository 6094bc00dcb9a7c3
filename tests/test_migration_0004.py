"""Schema 0004 on a database with data: invitations of each statement take
places after its signatures, in the order they were made."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

SIGNON = str(Path(sys.executable).with_name("signon"))
NOW = "2026-11-30 12:00:00"


def _signon(instance: Path, *args: str) -> None:
    env = {"SIGNON_INSTANCE_PATH": str(instance), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [SIGNON, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_invitations_made_before_0004_go_after_their_statements_signatures(tmp_path):
    _signon(tmp_path, "db", "upgrade", "0003")
    database = sqlite3.connect(tmp_path / "signon.db")
    for statement_id in (1, 2):
        database.execute(
            "INSERT INTO statements (id, slug, title, language, status, time_zone,"
            " signatories_intro, signatory_order, open_call, created_at, updated_at,"
            " link_grace_hours, list_revision, published_by)"
            " VALUES (?, ?, 'T', 'en', 'open', 'UTC', '', 'as-listed', 0, ?, ?, 0, 0, '')",
            (statement_id, f"s{statement_id}", NOW, NOW),
        )
    # Statement 1: two signatures (positions 1, 2); invitations 1, 3, 4 (one signed).
    # Statement 2: no signature; invitation 2.
    for invitation_id, statement_id in ((1, 1), (2, 2), (3, 1), (4, 1)):
        database.execute(
            "INSERT INTO invitations (id, statement_id, organisation, email, contact_name,"
            " nonce, created_at, reminder_count) VALUES (?, ?, 'Org', ?, '', 'n', ?, 0)",
            (invitation_id, statement_id, f"o{invitation_id}@x.example", NOW),
        )
    for position in (1, 2):
        database.execute(
            "INSERT INTO signatures (statement_id, text_sha256, source, state, position, name,"
            " acronym, country, website, note, kind, listed_publicly, authorised_by,"
            " contact_email, name_key, signed_at, updated_at, nonce, authoriser_title,"
            " rejection_reason, reconfirm_reminders)"
            " VALUES (1, '', 'invitation', 'signed', ?, 'N', '', '', '', '', 'organisation', 1,"
            " '', '', 'n', ?, ?, '', '', '', 0)",
            (position, NOW, NOW),
        )
    database.commit()
    database.close()

    _signon(tmp_path, "db", "upgrade")

    database = sqlite3.connect(tmp_path / "signon.db")
    positions = dict(database.execute("SELECT id, position FROM invitations ORDER BY id"))
    database.close()
    assert positions == {1: 3, 3: 4, 4: 5, 2: 1}
