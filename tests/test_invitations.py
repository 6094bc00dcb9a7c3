"""Invitations: a pasted or uploaded list is checked, then confirmed, then sent.

Checking saves nothing. Confirming checks the list again and writes one
invitation and one outbox message per good row, in one transaction.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.models import Invitation
from signon.statements.models import Statement, Status

from .sign_on_steps import invite, move_deadline_into_the_past, open_statement
from .support import input_value


def invitations(app, statement=None) -> list[tuple[str, str, str]]:
    """(organisation, email, contact name) of every invitation, oldest first."""
    with app.app_context():
        query = select(Invitation).order_by(Invitation.id)
        if statement is not None:
            query = query.where(Invitation.statement_id == statement.id)
        return [(i.organisation, i.email, i.contact_name) for i in db.session.scalars(query)]


def outbox(app) -> list[tuple[str, str, int | None]]:
    """(kind, to, invitation id) of every queued mail, oldest first."""
    with app.app_context():
        return [
            (m.kind, m.to_address, m.invitation_id)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def nothing_saved(app) -> bool:
    return count(app, Invitation) == 0 and count(app, OutboxMessage) == 0


def problems(page: str) -> list[str]:
    """The 'Line N: ...' problems listed on the check page, as plain text."""
    import html

    return [
        html.unescape(p)
        for p in re.findall(r'<li><span class="problem">(Line \d+: .*?)</span>', page)
    ]


def ready(page: str) -> int:
    match = re.search(r"(\d+) invitations? ready to send", page)
    return int(match.group(1)) if match else 0


@pytest.fixture
def lead(web, dummy_user, dummy_statement):
    """The owner, logged in, with the statement open for signatures."""
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-06-30T18:00")
    return web


def check(web, statement, rows: str | None = None, *, upload: bytes | None = None, name="x.csv"):
    data = {"rows": rows or ""}
    if upload is not None:
        data["upload"] = (io.BytesIO(upload), name)
    return web.post(
        f"/statements/{statement.slug}/invitations/check",
        data,
        content_type="multipart/form-data",
    )


def confirm(web, statement, rows: str):
    return web.post(f"/statements/{statement.slug}/invitations/confirm", {"rows": rows})


# Checking a pasted list


MIXED = (
    "Article 19, info@a19.example, Ana Pérez\n"  # 1 good
    "Bad Email Org, not-an-email\n"  # 2
    "No Email Org\n"  # 3
    "Bell Org\x07, bell@bell.example\n"  # 4 control character
    "Too, many@columns.example, Ana, ru, and more\n"  # 5
    "\n"  # 6 blank: skipped silently
    "CPJ, press@cpj.example\n"  # 7 good
    "Zero\u200bWidth, , Ana\n"  # 8 no email
)


def test_check_lists_bad_rows_by_line_and_keeps_the_good_ones(app, lead, dummy_statement):
    page = check(lead, dummy_statement, MIXED)

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert problems(text) == [
        "Line 2: “not-an-email” is not a valid email address: "
        "An email address must have an @-sign.",
        "Line 3: needs an organisation and an email, separated by a comma, a semicolon or a tab",
        "Line 4: contains control characters",
        "Line 5: has more than four columns (organisation, email, contact name, language)",
        "Line 8: needs an organisation and an email, separated by a comma, a semicolon or a tab",
    ]
    assert "5 lines cannot be used" in text
    assert ready(text) == 2
    assert "Send 2 invitations" in text
    assert nothing_saved(app)


def test_confirming_creates_only_the_good_rows_and_queues_one_mail_each(app, lead, dummy_statement):
    page = check(lead, dummy_statement, MIXED)
    hidden = input_value(page.get_data(as_text=True), "rows")

    response = confirm(lead, dummy_statement, hidden)

    assert response.status_code == 302
    assert response.location == f"/statements/{dummy_statement.slug}/invitations"
    assert invitations(app) == [
        ("Article 19", "info@a19.example", "Ana Pérez"),
        ("CPJ", "press@cpj.example", ""),
    ]
    with app.app_context():
        ids = list(db.session.scalars(select(Invitation.id).order_by(Invitation.id)))
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitations sent")
        ).all()
        assert (event.action, event.detail["count"]) == ("invitations sent", 2)
        for invitation in db.session.scalars(select(Invitation)):
            assert invitation.sent_at is not None
            assert invitation.nonce
    assert outbox(app) == [
        ("invitation", "info@a19.example", ids[0]),
        ("invitation", "press@cpj.example", ids[1]),
    ]
    dashboard = lead.get(response.location).get_data(as_text=True)
    assert "2 invitations queued for sending." in dashboard


def test_duplicates_within_the_list_are_reported_with_the_first_line(app, lead, dummy_statement):
    page = check(
        lead,
        dummy_statement,
        "Article 19, info@a19.example\nCPJ, press@cpj.example\nArticle XIX, INFO@A19.example\n",
    )

    text = page.get_data(as_text=True)
    assert problems(text) == ["Line 3: info@a19.example is already on line 1 of this list"]
    assert ready(text) == 2


def test_addresses_already_invited_are_reported_and_not_invited_twice(app, lead, dummy_statement):
    invite(lead, dummy_statement.slug, "Article 19, info@a19.example")

    page = check(lead, dummy_statement, "A19 again, Info@A19.example\nCPJ, press@cpj.example")

    text = page.get_data(as_text=True)
    (problem,) = problems(text)
    assert re.fullmatch(
        r"Line 1: info@a19\.example was already invited on \d{1,2} \w{3} \d{4}", problem
    )
    assert ready(text) == 1
    confirm(lead, dummy_statement, input_value(text, "rows"))
    assert [email for _, email, _ in invitations(app)] == ["info@a19.example", "press@cpj.example"]


def test_the_same_address_may_be_invited_to_another_statement(
    app, lead, dummy_user, dummy_statement, create_statement
):
    other = create_statement(title="Another statement")
    open_statement(lead, other.slug)
    invite(lead, dummy_statement.slug, "Article 19, info@a19.example")

    page = check(lead, other, "Article 19, info@a19.example")

    assert problems(page.get_data(as_text=True)) == []
    assert ready(page.get_data(as_text=True)) == 1


@pytest.mark.parametrize(
    "rows",
    [
        "Article 19;info@a19.example;Ana Pérez\nReporters, sans frontières;rsf@rsf.example",
        "Article 19\tinfo@a19.example\tAna Pérez\nReporters, sans frontières\trsf@rsf.example",
        'Article 19, info@a19.example, Ana Pérez\n"Reporters, sans frontières", rsf@rsf.example',
        "Article 19,info@a19.example,Ana Pérez,,\r\n"
        '"Reporters, sans frontières",rsf@rsf.example,,\r\n',
    ],
    ids=["semicolons", "tabs", "commas-quoted", "crlf-trailing-empty-columns"],
)
def test_semicolon_tab_and_comma_lists_as_spreadsheets_copy_them(app, lead, dummy_statement, rows):
    page = check(lead, dummy_statement, rows)
    text = page.get_data(as_text=True)
    assert problems(text) == []

    confirm(lead, dummy_statement, input_value(text, "rows"))

    assert invitations(app) == [
        ("Article 19", "info@a19.example", "Ana Pérez"),
        ("Reporters, sans frontières", "rsf@rsf.example", ""),
    ]


@pytest.mark.parametrize(
    "header",
    ["Organisation, Email, Contact name", "Organization;E-mail address;Name", "org\tcourriel"],
)
def test_a_header_row_is_skipped(app, lead, dummy_statement, header):
    separator = ";" if ";" in header else "\t" if "\t" in header else ", "
    rows = f"{header}\nArticle 19{separator}info@a19.example\nBad{separator}nope\n"

    page = check(lead, dummy_statement, rows)

    text = page.get_data(as_text=True)
    assert problems(text) == [
        "Line 3: “nope” is not a valid email address: An email address must have an @-sign."
    ]
    assert ready(text) == 1
    assert re.search(r"<td>2</td><td>Article 19</td>", text)


def test_names_are_normalised_and_invisible_characters_removed(app, lead, dummy_statement):
    page = check(
        lead, dummy_statement, "  Cafe\u0301\u200b Libre ,  cafe@libre.example ,  Zoe\u0308 "
    )
    confirm(lead, dummy_statement, input_value(page.get_data(as_text=True), "rows"))

    assert invitations(app) == [("Café Libre", "cafe@libre.example", "Zoë")]


def test_overlong_names_are_reported(app, lead, dummy_statement):
    page = check(
        lead,
        dummy_statement,
        f"{'O' * 301}, long@org.example\nShort, short@org.example, {'C' * 201}\n",
    )

    assert problems(page.get_data(as_text=True)) == [
        "Line 1: has an organisation name over 300 characters",
        "Line 2: has a contact name over 200 characters",
    ]
    assert page.status_code == 400  # no row left to send
    assert "No line of the list can be used" in page.get_data(as_text=True)


def test_a_list_of_only_bad_rows_has_nothing_to_confirm(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "just some text\nand more")

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "No line of the list can be used" in text
    assert "/invitations/confirm" not in text  # nothing to send; only the way back
    assert "Go back and correct the list" in text
    assert nothing_saved(app)


def test_an_empty_paste_is_a_field_error(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "  \n\n ")

    assert page.status_code == 400
    assert "Paste at least one line, or choose a CSV file." in page.get_data(as_text=True)


# Uploads


def test_csv_upload_in_utf8_with_bom_works(app, lead, dummy_statement):
    data = "Organisation,Email,Contact\r\nÉcole Libre,ecole@libre.example,Zoë\r\n".encode(
        "utf-8-sig"
    )

    page = check(lead, dummy_statement, upload=data)

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert problems(text) == []
    confirm(lead, dummy_statement, input_value(text, "rows"))
    assert invitations(app) == [("École Libre", "ecole@libre.example", "Zoë")]


def test_csv_saved_by_an_old_mac_spreadsheet_with_cr_line_endings_works(app, lead, dummy_statement):
    data = b"Article 19,info@a19.example\rCPJ,press@cpj.example\r"

    page = check(lead, dummy_statement, upload=data)

    assert page.status_code == 200
    assert ready(page.get_data(as_text=True)) == 2


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_csv_not_in_utf8_is_refused_with_a_clear_error(app, lead, dummy_statement, encoding):
    data = "Organisation,Email\nÉcole Libre,ecole@libre.example\n".encode(encoding)

    page = check(lead, dummy_statement, upload=data)

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "The file is not UTF-8 text." in text
    assert "CSV UTF-8" in text
    assert nothing_saved(app)


def test_an_upload_that_is_not_a_csv_file_is_refused(app, lead, dummy_statement):
    page = check(lead, dummy_statement, upload=b"PK\x03\x04", name="partners.xlsx")

    assert page.status_code == 400
    assert "File does not have an approved extension" in page.get_data(as_text=True)
    assert nothing_saved(app)


# Limits


def test_a_10000_row_paste_is_refused_with_its_limit(app, lead, dummy_statement):
    rows = "\n".join(f"Org {n}, o{n}@p.example" for n in range(10_000))

    page = check(lead, dummy_statement, rows)

    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "The list has more than 2000 rows. Send it in parts of 2000 rows at most." in text
    assert nothing_saved(app)


def test_a_2000_row_paste_is_accepted_whole(app, lead, dummy_statement):
    rows = "\n".join(f"Org {n}, o{n}@p.example" for n in range(2000))

    page = check(lead, dummy_statement, rows)
    response = confirm(lead, dummy_statement, input_value(page.get_data(as_text=True), "rows"))

    assert response.status_code == 302
    assert count(app, Invitation) == 2000
    assert count(app, OutboxMessage) == 2000


def test_a_line_too_long_to_read_is_a_clear_error_not_a_crash(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "Article 19, info@a19.example\n" + "x" * 200_000)

    assert page.status_code == 400
    assert "Line 2 cannot be read" in page.get_data(as_text=True)
    assert nothing_saved(app)


# Confirming


def test_confirm_checks_a_tampered_list_again_and_saves_nothing(app, lead, dummy_statement):
    tampered = "Article 19,info@a19.example,\nEvil,not an email,\n"

    page = confirm(lead, dummy_statement, tampered)

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "The list changed since you checked it" in text
    assert problems(text) == [
        "Line 2: “not an email” is not a valid email address: An email address must have an @-sign."
    ]
    assert nothing_saved(app)


def test_confirm_refuses_addresses_invited_since_the_check(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "Article 19, info@a19.example\nCPJ, press@cpj.example")
    hidden = input_value(page.get_data(as_text=True), "rows")
    invite(lead, dummy_statement.slug, "A19, INFO@a19.example")  # a colleague was quicker

    again = confirm(lead, dummy_statement, hidden)

    assert again.status_code == 400
    assert "The list changed since you checked it" in again.get_data(as_text=True)
    assert invitations(app) == [("A19", "info@a19.example", "")]
    assert len(outbox(app)) == 1


def test_confirming_twice_invites_once(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "Article 19, info@a19.example")
    hidden = input_value(page.get_data(as_text=True), "rows")

    confirm(lead, dummy_statement, hidden)
    confirm(lead, dummy_statement, hidden)

    assert len(invitations(app)) == 1
    assert len(outbox(app)) == 1


def test_names_with_semicolons_survive_the_confirmation_step(app, lead, dummy_statement):
    rows = "Arts; Media; Rights; Network, arts@amr.example, Ana\n"
    page = check(lead, dummy_statement, rows)
    assert problems(page.get_data(as_text=True)) == []

    confirm(lead, dummy_statement, input_value(page.get_data(as_text=True), "rows"))

    assert invitations(app) == [("Arts; Media; Rights; Network", "arts@amr.example", "Ana")]


def test_confirm_without_a_list_is_a_bad_request(app, lead, dummy_statement):
    response = confirm(lead, dummy_statement, "")

    assert response.status_code == 400
    assert nothing_saved(app)


# Only while open


def test_inviting_a_draft_is_refused(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)

    page = check(web, dummy_statement, "Article 19, info@a19.example")
    assert page.status_code == 409
    assert "not open for signatures" in page.get_data(as_text=True)

    response = confirm(web, dummy_statement, "Article 19,info@a19.example,\n")
    assert response.status_code == 302
    flashed = web.get(response.location).get_data(as_text=True)
    assert "Open the statement for signatures before inviting partners." in flashed
    assert nothing_saved(app)


@pytest.mark.parametrize("how", ["closed by hand", "deadline passed"])
def test_inviting_a_closed_statement_is_refused(app, lead, dummy_statement, how):
    page = check(lead, dummy_statement, "Article 19, info@a19.example")
    hidden = input_value(page.get_data(as_text=True), "rows")
    if how == "closed by hand":
        lead.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})
    else:
        move_deadline_into_the_past(app, dummy_statement)

    assert check(lead, dummy_statement, "CPJ, press@cpj.example").status_code == 409
    assert confirm(lead, dummy_statement, hidden).status_code == 302
    assert nothing_saved(app)


# Who may


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), (None, 404)])
def test_only_editors_and_owners_invite(
    app, web, create_user, create_statement, dummy_user, role, status
):
    member = create_user()
    statement = create_statement(members={member: role} if role else {})
    with app.app_context():
        db.session.get(Statement, statement.id).status = Status.OPEN
        db.session.commit()
    web.login(member)

    assert web.get(f"/statements/{statement.slug}/invitations").status_code == status
    assert check(web, statement, "Article 19, info@a19.example").status_code == status
    assert confirm(web, statement, "Article 19,info@a19.example,\n").status_code == status
    assert web.post(f"/statements/{statement.slug}/invitations/remind").status_code == status
    assert nothing_saved(app)


def test_an_editor_invites(app, web, create_user, create_statement):
    editor = create_user()
    statement = create_statement(members={editor: "editor"})
    with app.app_context():
        db.session.get(Statement, statement.id).status = Status.OPEN
        db.session.commit()
    web.login(editor)

    response = invite(web, statement.slug, "Article 19, info@a19.example")

    assert response.status_code == 302
    assert invitations(app) == [("Article 19", "info@a19.example", "")]
