"""The audit trail: every change to a statement, with who made it and when, on a page
for owners and editors and as a CSV; entries are never changed or deleted."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from signon.accounts.models import Membership
from signon.audit.models import AuditEvent, AuditTrailIsAppendOnly, record
from signon.columns import utcnow
from signon.extensions import db
from signon.signatures.links import invitation_link, manage_link, verify_link
from signon.signatures.models import Invitation, Signature
from signon.statements.models import Statement
from signon.trail.rows import ACTION_LABELS

from .public_steps import csv_rows
from .sign_on_steps import (
    BASE_URL,
    invite,
    open_statement,
    partner,
    sign_form,
)
from .support import Web
from .test_accounts import accept_invitation

FUTURE = utcnow().year + 1
LENA = "Lena Lead <lead@coalition.example>"
ED = "Ed Editor <ed@coalition.example>"


@pytest.fixture
def team(app, create_user, dummy_user, create_statement):
    """A draft statement with an owner (Lena), an editor and a viewer."""
    editor = create_user(email="ed@coalition.example", name="Ed Editor")
    viewer = create_user(email="vi@coalition.example", name="Vi Viewer")
    statement = create_statement(members={editor: "editor", viewer: "viewer"})
    return statement, {"owner": dummy_user, "editor": editor, "viewer": viewer}


def logged_in(app, user) -> Web:
    web = Web(app.test_client())
    assert web.login(user).status_code == 302
    return web


def trail(web, statement) -> list[dict]:
    """The audit page's rows, top to bottom, as text."""
    response = web.get(f"/statements/{statement.slug}/audit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = []
    for row in re.findall(r'<tr id="event-\d+">(.*?)</tr>', page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        text = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", " | "))).strip()
            for cell in cells
        ]
        rows.append(dict(zip(("time", "actor", "action", "details"), text, strict=True)))
    return rows


def trail_csv(web, statement) -> list[dict]:
    response = web.get(f"/statements/{statement.slug}/audit.csv")
    assert response.status_code == 200
    header, *rows = csv_rows(response.data)
    assert header == ["time_utc", "actor", "action", "details"]
    return [dict(zip(header, row, strict=True)) for row in rows]


def actions(rows) -> list[str]:
    return [row["action"] for row in rows]


def only(rows, action: str) -> dict:
    (row,) = [row for row in rows if row["action"] == action]
    return row


def invite_one(app, web, statement, organisation: str, email: str) -> int:
    """The team pastes one partner and sends the invitation; its id."""
    response = invite(web, statement.slug, f"{organisation}, {email}")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(Invitation.id).where(Invitation.email == email))


def sign_through_invitation(app, invitation_id: int, **fields) -> tuple[int, Web, str]:
    """The partner opens their emailed link and signs with the form.
    Returns the signature id, the partner's browser and their manage-link path."""
    with app.test_request_context():
        path = invitation_link(db.session.get(Invitation, invitation_id)).removeprefix(BASE_URL)
    signer = partner(app, path + "/sign")
    response = signer.post(path + "/sign", sign_form(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.test_request_context():
        signature = db.session.scalar(
            select(Signature).where(Signature.invitation_id == invitation_id)
        )
        return signature.id, signer, manage_link(signature).removeprefix(BASE_URL)


# What gets recorded, and who is named


def test_opening_inviting_and_a_partner_signing_are_recorded_with_their_actors(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug, deadline=f"{FUTURE}-07-01T18:00")
    invitation = invite_one(app, owner, statement, "Article 19", "info@a19.example")
    signature, _, _ = sign_through_invitation(
        app,
        invitation,
        name="Article 19",
        contact_email="press@a19.example",
        authorised_by="Ana Pérez",
    )

    page = trail(owner, statement)

    assert actions(page) == [
        "Signed through the invitation link",
        "Invitations sent",
        "Opened for signatures",
    ]
    signed, invited, opened = page
    assert signed["actor"] == f"signer via invitation {invitation}"
    assert signed["details"] == f"Article 19 (signature {signature}) | text version: 1"
    assert invited["actor"] == LENA
    assert invited["details"] == f"1 invitation | Article 19 (invitation {invitation})"
    assert opened["actor"] == LENA
    # The deadline as the team typed it, in the statement's time zone.
    assert opened["details"] == f"deadline 1 Jul {FUTURE}, 18:00 (Europe/Paris)"

    exported = trail_csv(owner, statement)
    assert [(r["actor"], r["action"]) for r in exported] == [
        (LENA, "Opened for signatures"),
        (LENA, "Invitations sent"),
        (f"signer via invitation {invitation}", "Signed through the invitation link"),
    ]
    assert exported[2]["details"] == f"Article 19 (signature {signature}); text version: 1"

    # Nothing of the partner's contact data, on the page or in the file.
    body = owner.get(f"/statements/{statement.slug}/audit").get_data(as_text=True)
    csv_text = owner.get(f"/statements/{statement.slug}/audit.csv").get_data(as_text=True)
    for contact in ("info@a19.example", "press@a19.example", "Ana Pérez"):
        assert contact not in body
        assert contact not in csv_text


def test_times_show_in_the_statements_zone_and_export_in_utc(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug, time_zone="Asia/Bishkek")
    with app.app_context():
        at = db.session.scalar(select(AuditEvent.at).where(AuditEvent.statement_id == statement.id))

    response = owner.get(f"/statements/{statement.slug}/audit")
    (row,) = trail(owner, statement)

    assert "Time (Asia/Bishkek)" in response.get_data(as_text=True)
    local = at.astimezone(ZoneInfo("Asia/Bishkek"))
    assert row["time"] == f"{local:%-d %b %Y, %H:%M} (Asia/Bishkek)"
    assert row["details"] == "no deadline"
    (exported,) = trail_csv(owner, statement)
    assert exported["time_utc"] == at.astimezone(UTC).isoformat(timespec="seconds")
    assert exported["time_utc"].endswith("+00:00")


def test_revoking_and_resending_an_invitation_are_recorded(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug)
    invitation = invite_one(app, owner, statement, "CPJ", "press@cpj.example")
    editor = logged_in(app, people["editor"])

    base = f"/statements/{statement.slug}/invitations/{invitation}"
    assert editor.post(f"{base}/revoke", {"confirm": "yes"}).status_code == 302
    assert owner.post(f"{base}/resend", {"confirm": "yes"}).status_code == 302

    page = trail(editor, statement)
    assert actions(page)[:2] == ["Invitation sent again with a new link", "Invitation revoked"]
    assert page[0]["actor"] == LENA
    assert page[1]["actor"] == ED
    assert page[1]["details"] == f"CPJ (invitation {invitation})"
    assert "press@cpj.example" not in str(page)


def test_signer_changes_and_withdraws_through_the_manage_link(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug)
    invitation = invite_one(app, owner, statement, "Article 19", "info@a19.example")
    signature, _, manage = sign_through_invitation(app, invitation, name="Article 19")
    signer = partner(app, manage)

    changed = signer.post(manage, sign_form(name="Article 19", acronym="ART19"))
    assert changed.status_code == 303
    withdrawn = signer.post(manage + "/withdraw")
    assert withdrawn.status_code == 303

    page = trail(owner, statement)
    assert actions(page)[:2] == ["Signature withdrawn", "Entry changed by the signer"]
    for row in page[:2]:
        assert row["actor"] == f"signer via invitation {invitation}"
        assert row["details"] == f"Article 19 (signature {signature})"


def test_a_correction_by_the_team_shows_what_changed(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug)
    invitation = invite_one(app, owner, statement, "Artcle 19", "info@a19.example")
    signature, _, _ = sign_through_invitation(app, invitation, name="Artcle 19", acronym="A19")
    editor = logged_in(app, people["editor"])

    url = f"/statements/{statement.slug}/signatures/{signature}/edit"
    assert editor.post(url, {"name": "Article 19", "acronym": "A19", "note": ""}).status_code == 302

    row = trail(editor, statement)[0]
    assert (row["actor"], row["action"]) == (ED, "Entry corrected by the team")
    assert (
        row["details"] == f"Article 19 (signature {signature}) | Name: “Artcle 19” → “Article 19”"
    )


def test_open_call_confirmation_and_moderation_are_recorded(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug, open_call="y")
    ids = []
    for name, email in (("Kloop Friends", "k@friends.example"), ("Spam Inc", "s@spam.example")):
        visitor = partner(app, f"/s/{statement.slug}/sign")
        response = visitor.post(
            f"/s/{statement.slug}/sign", sign_form(name=name, acronym="", contact_email=email)
        )
        assert response.status_code == 303
        with app.test_request_context():
            found = db.session.scalar(select(Signature).where(Signature.contact_email == email))
            ids.append(found.id)
            path = verify_link(found).removeprefix(BASE_URL)
        confirmer = partner(app, path)
        assert confirmer.post(path).status_code == 303
    kept, spam = ids
    editor = logged_in(app, people["editor"])

    base = f"/statements/{statement.slug}/signatures"
    assert editor.post(f"{base}/{kept}/approve").status_code == 302
    assert owner.post(f"{base}/{spam}/reject", {"reason": "not a real NGO"}).status_code == 302

    page = trail(owner, statement)
    assert [(r["actor"], r["action"], r["details"]) for r in page[:4]] == [
        (LENA, "Signature rejected", f"Spam Inc (signature {spam})"),
        (ED, "Signature approved", f"Kloop Friends (signature {kept})"),
        (
            f"signer of signature {spam}",
            "Signer confirmed their email address",
            f"Spam Inc (signature {spam})",
        ),
        (
            f"signer of signature {kept}",
            "Signer confirmed their email address",
            f"Kloop Friends (signature {kept})",
        ),
    ]
    assert "@friends.example" not in str(page) and "@spam.example" not in str(page)


def test_closing_and_reopening_are_recorded(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug)

    assert owner.post(f"/statements/{statement.slug}/close", {"confirm": "yes"}).status_code == 302
    reopened = owner.post(
        f"/statements/{statement.slug}/reopen", {"deadline": f"{FUTURE}-01-15T09:30"}
    )
    assert reopened.status_code == 302

    page = trail(owner, statement)
    assert [(r["actor"], r["action"]) for r in page] == [
        (LENA, "Reopened for signatures"),
        (LENA, "Closed for signatures"),
        (LENA, "Opened for signatures"),
    ]
    assert page[0]["details"] == f"deadline 15 Jan {FUTURE}, 09:30 (Europe/Paris)"


def test_a_passed_deadline_is_recorded_as_closing_the_statement_when_it_passed(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug, deadline=f"{FUTURE}-07-01T18:00")
    with app.app_context():  # as if the clock had reached the deadline, just now
        stored = db.session.get(Statement, statement.id)
        stored.deadline = deadline = utcnow()
        db.session.commit()

    # The next change to the statement stores what the clock did.
    assert owner.post(f"/statements/{statement.slug}/reopen", {"deadline": ""}).status_code == 302

    page = trail(owner, statement)
    assert [(r["actor"], r["action"]) for r in page] == [
        (LENA, "Reopened for signatures"),
        ("the deadline", "Closed by its deadline"),
        (LENA, "Opened for signatures"),
    ]
    local = deadline.astimezone(ZoneInfo("Europe/Paris"))
    assert page[1]["time"] == f"{local:%-d %b %Y, %H:%M} (Europe/Paris)"
    (closed,) = [r for r in trail_csv(owner, statement) if r["actor"] == "the deadline"]
    assert closed["time_utc"] == deadline.isoformat(timespec="seconds")


def test_team_changes_are_recorded(app, team, create_user):
    statement, people = team
    newcomer = create_user(email="pat@partner.example", name="Pat Partner")
    owner = logged_in(app, people["owner"])
    members = f"/statements/{statement.slug}/members"

    assert owner.post(members, {"email": newcomer.email, "role": "viewer"}).status_code == 302
    pat_web = logged_in(app, newcomer)
    assert accept_invitation(app, statement, newcomer.email, pat_web) == 302
    with app.app_context():
        membership = db.session.scalar(
            select(Membership.id).where(Membership.user_id == newcomer.id)
        )
    assert owner.post(f"{members}/{membership}/role", {"role": "editor"}).status_code == 302
    assert owner.post(f"{members}/{membership}/role", {"role": "editor"}).status_code == 302
    assert owner.post(f"{members}/{membership}/remove", {"confirm": "yes"}).status_code == 302

    pat = "Pat Partner <pat@partner.example>"
    assert [(r["actor"], r["action"], r["details"]) for r in trail(owner, statement)] == [
        (LENA, "Team member removed", f"member: {pat} | role: editor"),
        (
            LENA,
            "Team member's role changed",
            f"member: {pat} | role: editor | previous role: viewer",
        ),  # once: the second, unchanged, role records nothing
        (pat, "Team invitation accepted: joined the team", "role: viewer | team invitation: 1"),
        (LENA, "Team invitation sent", "role: viewer | team invitation: 1"),
    ]


def test_a_new_version_of_the_text_is_recorded(app, team):
    statement, people = team
    editor = logged_in(app, people["editor"])

    saved = editor.post(
        f"/statements/{statement.slug}/edit",
        {"title": statement.title, "language": "en", "body": "A new call.", "note": "shorter"},
    )
    assert saved.status_code == 302

    (row,) = trail(editor, statement)
    assert (row["actor"], row["action"]) == (ED, "Text saved as a new version")
    assert "text version: 2" in row["details"]
    assert "note: shorter" in row["details"]


# The page itself


def test_a_statement_without_events_says_what_will_appear(app, team):
    statement, people = team
    page = logged_in(app, people["editor"]).get(f"/statements/{statement.slug}/audit")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nothing recorded yet" in text
    assert "<table" not in text


def test_actions_without_a_label_show_by_their_name(app, team):
    statement, people = team
    with app.app_context():
        record(statement.id, "the importer", "frobnicated", widgets=3, source_file="x.md")
        record(statement.id, "the importer", "closed")
        record(
            statement.id,
            LENA,
            "published",
            version=2,
            edition=1,
            embargo_until=f"{FUTURE}-03-02T08:00:00+00:00",
            listed=4,
            anonymous=1,
        )
        db.session.commit()

    page = trail(logged_in(app, people["owner"]), statement)

    assert [(r["action"], r["details"]) for r in page] == [
        (
            "Published",
            "text version: 2 | edition: 1 | named signatories: 4 | anonymous signatories: 1"
            f" | embargoed until 2 Mar {FUTURE}, 08:00 (UTC)",  # a draft keeps UTC
        ),
        ("Closed for signatures", "–"),
        ("frobnicated", "source file: x.md | widgets: 3"),
    ]


def test_every_action_the_brief_names_has_a_label():
    for action in (
        "published",
        "list updated",
        "version saved",
        "contacts purged",
        "reconfirmation requested",
        "consent confirmed",
        "member added",
        "member removed",
        "member role changed",
    ):
        assert ACTION_LABELS.get(action, action) != action, action


def test_long_trails_come_in_pages_and_the_csv_has_everything(app, team):
    statement, people = team
    start = utcnow() - timedelta(days=1)
    with app.app_context():
        for n in range(105):
            event = record(statement.id, LENA, "reminders sent", count=n)
            event.at = start + timedelta(minutes=n)
        db.session.commit()
    owner = logged_in(app, people["owner"])

    first = trail(owner, statement)
    assert len(first) == 100
    assert first[0]["details"] == "104 partners"  # newest first
    second_page = owner.get(f"/statements/{statement.slug}/audit?page=2")
    assert second_page.status_code == 200
    assert second_page.get_data(as_text=True).count('<tr id="event-') == 5
    assert owner.get(f"/statements/{statement.slug}/audit?page=3").status_code == 404
    exported = trail_csv(owner, statement)
    assert len(exported) == 105
    assert exported[0]["details"] == "0 partners"  # oldest first


def test_owners_and_editors_get_the_tab_viewers_do_not(app, team):
    statement, people = team
    for role, expected in (("owner", True), ("editor", True), ("viewer", False)):
        page = logged_in(app, people[role]).get(f"/statements/{statement.slug}")
        text = page.get_data(as_text=True)
        assert (f'href="/statements/{statement.slug}/audit"' in text) is expected, role


# Who may see it


@pytest.mark.parametrize("suffix", ["audit", "audit.csv"])
def test_viewers_are_refused_and_outsiders_told_nothing(app, team, create_user, suffix):
    statement, people = team
    with app.app_context():
        record(statement.id, LENA, "closed")
        db.session.commit()
    url = f"/statements/{statement.slug}/{suffix}"

    viewer = logged_in(app, people["viewer"]).get(url)
    outsider = logged_in(app, create_user()).get(url)
    nobody = app.test_client().get(url)

    assert viewer.status_code == 403
    assert outsider.status_code == 404
    assert statement.title not in outsider.get_data(as_text=True)
    assert LENA not in viewer.get_data(as_text=True) + outsider.get_data(as_text=True)
    assert nobody.status_code == 302
    assert nobody.location.startswith("/login")


# The export


def test_the_csv_is_safe_to_open_in_a_spreadsheet(app, team):
    statement, people = team
    owner = logged_in(app, people["owner"])
    open_statement(owner, statement.slug)
    evil = '=HYPERLINK("x")'
    invitation = invite_one(app, owner, statement, evil, "evil@x.example")
    signature, _, _ = sign_through_invitation(app, invitation, name=evil, acronym="")
    assert owner.post(
        f"/statements/{statement.slug}/invitations/{invitation}/revoke", {"confirm": "yes"}
    ).status_code

    response = owner.get(f"/statements/{statement.slug}/audit.csv")

    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = trail_csv(owner, statement)
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert only(rows, "Signed through the invitation link")["details"] == (
        f"'{evil} (signature {signature}); text version: 1"
    )
    assert only(rows, "Invitation revoked")["details"] == f"'{evil} (invitation {invitation})"


# Entries are never changed or deleted


def first_event(app, statement) -> tuple[int, str, str, dict, datetime]:
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.statement_id == statement.id))
        return (event.id, event.actor, event.action, event.detail, event.at)


@pytest.fixture
def recorded(app, team):
    """A statement with one real event: its owner opened it."""
    statement, people = team
    open_statement(logged_in(app, people["owner"]), statement.slug, deadline="")
    return statement, first_event(app, statement)


def test_an_event_cannot_be_changed_through_the_session(app, recorded):
    statement, before = recorded
    with app.app_context():
        event = db.session.get(AuditEvent, before[0])
        event.actor = "Someone Else <else@coalition.example>"
        event.at = utcnow() - timedelta(days=400)
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()

    assert first_event(app, statement) == before


def test_an_event_cannot_be_deleted_through_the_session(app, recorded):
    statement, before = recorded
    with app.app_context():
        db.session.delete(db.session.get(AuditEvent, before[0]))
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()

    assert first_event(app, statement) == before


@pytest.mark.parametrize(
    "statement_for",
    [
        lambda: update(AuditEvent).values(actor="nobody"),
        lambda: delete(AuditEvent),
        lambda: delete(AuditEvent.__table__).where(AuditEvent.__table__.c.id > 0),
    ],
    ids=["orm update", "orm delete", "core delete"],
)
def test_events_cannot_be_changed_or_deleted_in_bulk(app, recorded, statement_for):
    statement, before = recorded
    with app.app_context():
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.execute(statement_for())
        db.session.commit()

    assert first_event(app, statement) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
