"""Publishing a closed statement, its embargo, and the editions of its list.

Lena (the owner) publishes the Meridia Eleven statement once the list is final;
the public page and the files freeze with it. When a signer takes their name off
afterwards, or Lena accepts a late signature, the page and the files show the
new list with its date, and the files as first published stay downloadable by
their date. The clock is never faked: dates and the embargo are moved instead.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from sqlalchemy import func, select

from signon.accounts.models import Role
from signon.accounts.service import add_member
from signon.audit.models import AuditEvent
from signon.columns import utcnow
from signon.documents.labels import long_date
from signon.extensions import db
from signon.publication.models import Edition
from signon.publication.service import PublicationError, note_list_change
from signon.publication.service import publish as publish_service
from signon.signatures.links import manage_link
from signon.signatures.models import Signature
from signon.signatures.sign_on import verify_email
from signon.statements.lifecycle import LifecycleError, close, reopen
from signon.statements.models import Statement, Status, Version

from .public_steps import (
    CONTACT_DATA,
    PUBLIC_URLS,
    close_statement,
    logged_in,
    publish,
    sign_as,
    signed_statement,
)
from .sign_on_steps import BASE_URL, partner

FUTURE = datetime.now(UTC).year + 2
PUBLISHER = "Lena Lead <lead@coalition.example>"
LISTED = ("Article 19", "Zeta Press Union", "Jane Doe")


@pytest.fixture
def closed(app, create_statement, dummy_user):
    """The Meridia Eleven statement, signed (one public signer still unverified), closed."""
    statement, ids = signed_statement(app, create_statement, dummy_user, open_call=True)
    close_statement(app, statement)
    return statement, ids


@pytest.fixture
def owner(app, dummy_user):
    return logged_in(app, dummy_user)


def publish_form(**fields) -> dict:
    return {"embargo": "", "confirm": "y", **fields}


def stored(app, statement) -> Statement:
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        db.session.expunge(record)
        return record


def editions(app, statement) -> list[Edition]:
    with app.app_context():
        rows = db.session.scalars(
            select(Edition).where(Edition.statement_id == statement.id).order_by(Edition.number)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def printed_names(edition: Edition) -> list[str]:
    section = edition.snapshot["section"]
    return [entry["name"] for entry in section["organisations"] + section["individuals"]]


def audit_actions(app, statement) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.statement_id == statement.id)
                .order_by(AuditEvent.id)
            )
        )


def pdf_text(data: bytes) -> str:
    """All the PDF's text, runs of whitespace made one space."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def download(client, url: str) -> bytes:
    with client.get(url) as response:  # a file response holds the file open until closed
        assert response.status_code == 200, (url, response.status_code)
        return response.data


def move_embargo_into_the_past(app, statement) -> None:
    """As if the embargo time had come: what the clock would do, written directly."""
    with app.app_context():
        db.session.get(Statement, statement.id).embargo_until = utcnow() - timedelta(minutes=1)
        db.session.commit()


def date_edition(app, statement, number: int, when: datetime) -> None:
    with app.app_context():
        edition = db.session.scalar(
            select(Edition).where(Edition.statement_id == statement.id, Edition.number == number)
        )
        edition.created_at = when
        db.session.commit()


def withdraw_through_manage_link(app, signature_id: int):
    """The signer opens the manage link from their email, presses Withdraw, and
    confirms on the page that asks."""
    with app.test_request_context():
        path = manage_link(db.session.get(Signature, signature_id)).removeprefix(BASE_URL)
    signer = partner(app, path + "/withdraw")
    page = signer.get(path).get_data(as_text=True)
    assert f'href="{path}/withdraw"' in page, "the manage page offers no withdrawal"
    question = signer.get(path + "/withdraw").get_data(as_text=True)
    assert f'action="{path}/withdraw"' in question
    response = signer.post(path + "/withdraw")
    assert response.status_code == 303, response.get_data(as_text=True)


# Publishing


def test_owner_publishes_a_closed_statement_and_its_list_freezes(app, client, owner, closed):
    statement, _ids = closed
    show = owner.get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert f'href="/statements/{statement.slug}/publish"' in show
    form = owner.get(f"/statements/{statement.slug}/publish")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Statement, statement.id).current_version
        number, fingerprint = version.number, version.fingerprint
    assert f"Version {number}, fingerprint" in page
    assert fingerprint in page
    assert "<strong>4</strong> signatories: 3 named and 1 counted but not named." in page

    response = owner.post(f"/statements/{statement.slug}/publish", publish_form())

    assert response.status_code == 302
    assert response.location == f"/statements/{statement.slug}/publication"
    record = stored(app, statement)
    assert record.status is Status.PUBLISHED
    assert record.published_by == PUBLISHER
    assert utcnow() - record.published_at < timedelta(minutes=1)
    assert record.embargo_until is None
    (edition,) = editions(app, statement)
    assert (edition.number, edition.reason, edition.created_by) == (1, "published", PUBLISHER)
    assert printed_names(edition) == ["Article 19", "Zeta Press Union", "Jane Doe"]
    assert edition.snapshot["section"]["anonymous_organisations"] == 1
    frozen = json.dumps(edition.snapshot, ensure_ascii=False)
    for private in (*CONTACT_DATA, "Quiet Network", "Gone Collective", "Unverified Voices"):
        assert private not in frozen, private
    assert audit_actions(app, statement)[-1] == "published"
    # The final files were written at publication, and the public downloads are them.
    folder = Path(app.instance_path, "editions", str(statement.id))
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".pdf"]
    pdf = download(client, f"/s/{statement.slug}.pdf")
    assert pdf == next(folder.glob("1-*.pdf")).read_bytes()
    assert "List updated on" not in pdf_text(pdf)
    editions_page = owner.get(f"/statements/{statement.slug}/publication").get_data(as_text=True)
    assert "Lena Lead" in editions_page and "published" in editions_page
    show = owner.get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert f'href="/statements/{statement.slug}/publish"' not in show
    assert f'href="/statements/{statement.slug}/publication"' in show


def test_only_a_closed_statement_can_be_published(app, owner, create_statement, dummy_user):
    from .sign_on_steps import open_for_signing

    statement = create_statement(title="Still collecting")
    response = owner.post(f"/statements/{statement.slug}/publish", publish_form())
    assert response.status_code == 302
    assert stored(app, statement).status is Status.DRAFT
    open_for_signing(app, statement)
    response = owner.post(
        f"/statements/{statement.slug}/publish", publish_form(), follow_redirects=True
    )
    assert "Only a closed statement can be published; this one is open." in response.get_data(
        as_text=True
    )
    assert stored(app, statement).status is Status.OPEN
    assert editions(app, statement) == []
    with app.app_context(), pytest.raises(PublicationError, match="Only a closed statement"):
        publish_service(db.session.get(Statement, statement.id), PUBLISHER)

    close_statement(app, statement)
    publish(app, statement)
    with app.app_context(), pytest.raises(PublicationError, match="already published"):
        publish_service(db.session.get(Statement, statement.id), PUBLISHER)
    assert len(editions(app, statement)) == 1


def test_signers_of_an_earlier_text_are_counted_out_before_publishing(
    app, owner, create_statement, dummy_user
):
    from .public_steps import new_version
    from .sign_on_steps import open_for_signing

    statement = create_statement(title="Rewritten after signing")
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Early One")
    sign_as(app, statement, dummy_user, "Early Two")
    new_version(app, statement, "A text rewritten after two partners signed.", by=dummy_user)
    sign_as(app, statement, dummy_user, "Late Three")
    close_statement(app, statement)

    page = owner.get(f"/statements/{statement.slug}/publish").get_data(as_text=True)
    assert "Version 2, fingerprint" in page
    assert "<strong>1</strong> signatory." in page
    assert "2 signers signed an earlier text and have not confirmed this one" in page

    owner.post(f"/statements/{statement.slug}/publish", publish_form())
    (edition,) = editions(app, statement)
    assert printed_names(edition) == ["Late Three"]
    with app.app_context():
        assert db.session.get(Version, edition.version_id).number == 2


@pytest.mark.parametrize(
    ("role", "expected"), [("owner", 200), ("editor", 403), ("viewer", 403), (None, 404)]
)
def test_only_owners_reach_the_publish_page(app, closed, create_user, role, expected):
    statement, _ids = closed
    user = create_user(email=f"{role}@coalition.example", name=f"{role} person")
    if role is not None:
        with app.app_context():
            add_member(db.session.get(Statement, statement.id), user.email, Role(role))
            db.session.commit()
    web = logged_in(app, user)

    assert web.get(f"/statements/{statement.slug}/publish").status_code == expected
    response = web.post(f"/statements/{statement.slug}/publish", publish_form())
    assert response.status_code == (302 if role == "owner" else expected)
    assert (stored(app, statement).status is Status.PUBLISHED) == (role == "owner")


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(app, client, closed):
    statement, _ids = closed
    response = client.get(f"/statements/{statement.slug}/publish")
    assert response.status_code == 302
    assert "/login" in response.location


# Embargo


def test_embargo_hides_every_public_address_until_its_time(app, client, owner, closed):
    statement, _ids = closed
    slug = statement.slug
    response = owner.post(
        f"/statements/{slug}/publish", publish_form(embargo=f"{FUTURE}-07-01T09:00")
    )
    assert response.status_code == 302
    # Typed in the statement's time zone (Paris, summer time: UTC+2).
    assert stored(app, statement).embargo_until == datetime(FUTURE, 7, 1, 7, 0, tzinfo=UTC)
    (edition,) = editions(app, statement)
    today = edition.created_at.astimezone(ZoneInfo("Europe/Paris"))
    dated = (
        f"/s/{slug}/editions/{today.date().isoformat()}.pdf",
        f"/s/{slug}/editions/{today.date().isoformat()}.docx",
    )
    for url in (*(u.format(slug=slug) for u in PUBLIC_URLS), *dated):
        before = client.get(url)
        assert before.status_code == 404, url
        assert statement.title not in before.get_data(as_text=True), url

    move_embargo_into_the_past(app, statement)

    for url in (*(u.format(slug=slug) for u in PUBLIC_URLS), *dated):
        download(client, url)
    assert "Zeta Press Union" in client.get(f"/s/{slug}").get_data(as_text=True)
    assert client.get(f"/api/v1/statements/{slug}").json["status"] == "published"


def test_the_open_call_page_says_nothing_during_the_embargo(app, client, owner, closed):
    statement, _ids = closed  # it had an open call
    sign_page = f"/s/{statement.slug}/sign"
    assert statement.title in client.get(sign_page).get_data(as_text=True)  # "closed" page
    response = owner.post(
        f"/statements/{statement.slug}/publish", publish_form(embargo=f"{FUTURE}-07-01T09:00")
    )
    assert response.status_code == 302
    hidden = client.get(sign_page)
    assert hidden.status_code == 404
    assert statement.title not in hidden.get_data(as_text=True)


def test_an_embargo_in_the_past_is_a_field_error(app, owner, closed):
    statement, _ids = closed
    response = owner.post(
        f"/statements/{statement.slug}/publish", publish_form(embargo="2020-01-01T09:00")
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="embargo-error">The embargo must be in the future', page)
    assert stored(app, statement).status is Status.CLOSED
    assert editions(app, statement) == []


def test_publishing_needs_the_confirmation_box(app, owner, closed):
    statement, _ids = closed
    response = owner.post(f"/statements/{statement.slug}/publish", {"embargo": ""})
    assert response.status_code == 400
    assert "Tick this box to confirm" in response.get_data(as_text=True)
    assert stored(app, statement).status is Status.CLOSED


def test_a_render_failure_publishes_nothing(app, owner, closed):
    statement, _ids = closed
    app.config["RENDER_TIME_LIMIT"] = 0.001

    response = owner.post(f"/statements/{statement.slug}/publish", publish_form())

    assert response.status_code == 503
    assert "could not be produced, so nothing was published" in response.get_data(as_text=True)
    record = stored(app, statement)
    assert record.status is Status.CLOSED
    assert (record.published_at, record.published_by) == (None, "")
    assert editions(app, statement) == []
    assert "published" not in audit_actions(app, statement)
    folder = Path(app.instance_path, "editions", str(statement.id))
    assert not folder.exists() or not any(folder.iterdir())

    app.config["RENDER_TIME_LIMIT"] = 60
    response = owner.post(f"/statements/{statement.slug}/publish", publish_form())
    assert response.status_code == 302
    assert stored(app, statement).status is Status.PUBLISHED


# After publication


def test_withdrawal_after_publication_makes_a_new_edition_and_keeps_the_old_file(
    app, client, closed
):
    statement, ids = closed
    slug = statement.slug
    publish(app, statement)
    published_day = datetime.now(UTC) - timedelta(days=3)
    date_edition(app, statement, 1, published_day)
    day_one = published_day.astimezone(ZoneInfo("Europe/Paris")).date()
    first_pdf = download(client, f"/s/{slug}.pdf")
    first_docx = download(client, f"/s/{slug}.docx")
    assert "Zeta Press Union" in pdf_text(first_pdf)

    withdraw_through_manage_link(app, ids["Zeta Press Union"])

    first, second = editions(app, statement)
    assert second.number == 2
    assert second.reason == "list updated: signature withdrawn"
    assert printed_names(second) == ["Article 19", "Jane Doe"]
    assert audit_actions(app, statement)[-2:] == ["signature withdrawn", "list updated"]
    # The current files: without the name, saying when the list changed.
    today = second.created_at.astimezone(ZoneInfo("Europe/Paris")).date()
    text = pdf_text(download(client, f"/s/{slug}.pdf"))
    assert "Zeta Press Union" not in text
    assert "Article 19" in text
    assert "List updated on" in text
    word = docx_text(download(client, f"/s/{slug}.docx"))
    assert "Zeta Press Union" not in word
    assert f"List updated on {long_date(today, 'en')}." in word  # as the PDF says it
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Zeta Press Union" not in page
    assert "List updated on" in page
    assert f'href="/s/{slug}/editions/{day_one.isoformat()}.pdf"' in page
    assert f'href="/s/{slug}/editions/{day_one.isoformat()}.docx"' in page
    for url in (f"/s/{slug}.md", f"/s/{slug}.txt", f"/s/{slug}.csv"):
        assert "Zeta Press Union" not in client.get(url).get_data(as_text=True), url
    # The files as first published stay downloadable by their date, unchanged.
    assert download(client, f"/s/{slug}/editions/{day_one.isoformat()}.pdf") == first_pdf
    assert download(client, f"/s/{slug}/editions/{day_one.isoformat()}.docx") == first_docx
    assert "Zeta Press Union" in pdf_text(first_pdf)
    assert "List updated on" not in pdf_text(first_pdf)
    todays = pdf_text(download(client, f"/s/{slug}/editions/{today.isoformat()}.pdf"))
    assert "Zeta Press Union" not in todays
    # No edition on other days, and nothing but dates.
    for day in ((day_one - timedelta(days=1)).isoformat(), "2026-02-30", "latest", "20260101"):
        assert client.get(f"/s/{slug}/editions/{day}.pdf").status_code == 404, day
    assert first.number == 1


def test_team_accepts_a_late_signature_after_publication(app, client, owner, closed):
    statement, _ids = closed
    publish(app, statement)
    with app.app_context():
        late = db.session.scalar(select(Signature).where(Signature.name == "Unverified Voices"))
        verify_email(late)  # the public signer confirms their email after the close
        db.session.commit()
        late_id = late.id
    assert "Unverified Voices" not in client.get(f"/s/{statement.slug}").get_data(as_text=True)

    response = owner.post(f"/statements/{statement.slug}/signatures/{late_id}/approve")

    assert response.status_code == 302
    _first, second = editions(app, statement)
    assert second.reason == "list updated: late signature approved"
    assert "Unverified Voices" in printed_names(second)
    assert "Unverified Voices" in pdf_text(download(client, f"/s/{statement.slug}.pdf"))
    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Unverified Voices" in page
    assert "List updated on" in page


def test_a_correction_by_the_team_after_publication_updates_the_list(app, client, owner, closed):
    statement, ids = closed
    publish(app, statement)
    response = owner.post(
        f"/statements/{statement.slug}/signatures/{ids['Article 19']}/edit",
        {"name": "ARTICLE 19", "acronym": "", "note": ""},
    )
    assert response.status_code == 302
    _first, second = editions(app, statement)
    assert "ARTICLE 19" in printed_names(second)
    assert "ARTICLE 19" in client.get(f"/s/{statement.slug}.txt").get_data(as_text=True)


def test_a_change_that_does_not_show_in_the_list_makes_no_edition(app, closed, dummy_user):
    statement, _ids = closed
    publish(app, statement)
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        assert note_list_change(record, PUBLISHER, "nothing printed changed") is None
        db.session.commit()
    assert len(editions(app, statement)) == 1
    assert "list updated" not in audit_actions(app, statement)


def test_changes_before_publication_make_no_edition(app, create_statement, dummy_user):
    from .public_steps import withdraw_signature
    from .sign_on_steps import open_for_signing

    statement = create_statement(title="Not yet published")
    open_for_signing(app, statement)
    signature = sign_as(app, statement, dummy_user, "Early Bird")
    withdraw_signature(app, signature)
    assert editions(app, statement) == []
    assert "list updated" not in audit_actions(app, statement)


def test_a_published_text_cannot_be_edited(app, owner, closed):
    statement, _ids = closed
    publish(app, statement)
    with app.app_context():
        versions_before = db.session.scalar(
            select(func.count()).select_from(Version).where(Version.statement_id == statement.id)
        )
    owner.get(f"/statements/{statement.slug}/edit")
    owner.post(
        f"/statements/{statement.slug}/edit",
        {
            "title": statement.title,
            "body": "A different text nobody signed.",
            "language": "en",
            "note": "",
            "change_kind": "minor",
            "save": "Save",
        },
    )
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        assert "nobody signed" not in record.body
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Version)
                .where(Version.statement_id == statement.id)
            )
            == versions_before
        )


def test_a_published_statement_is_neither_closed_nor_reopened(app, owner, closed):
    statement, _ids = closed
    publish(app, statement)
    for action in ("close", "reopen"):
        response = owner.post(
            f"/statements/{statement.slug}/{action}", {"deadline": ""}, follow_redirects=True
        )
        assert "This statement is published" in response.get_data(as_text=True), action
        assert stored(app, statement).status is Status.PUBLISHED, action
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        with pytest.raises(LifecycleError, match="published"):
            close(record)
        with pytest.raises(LifecycleError, match="published"):
            reopen(record, deadline=None)


def test_the_team_downloads_an_embargoed_edition(app, client, closed, create_user):
    statement, _ids = closed
    publish(app, statement, embargo_until=utcnow() + timedelta(days=2))
    viewer = create_user(email="comms@coalition.example", name="Comms")
    with app.app_context():
        add_member(db.session.get(Statement, statement.id), viewer.email, Role.VIEWER)
        db.session.commit()

    assert client.get(f"/s/{statement.slug}.pdf").status_code == 404
    comms = logged_in(app, viewer)
    assert "Zeta Press Union" in pdf_text(
        download(comms, f"/statements/{statement.slug}/editions/1.pdf")
    )
    assert comms.get(f"/statements/{statement.slug}/editions/2.pdf").status_code == 404
    outsider = logged_in(app, create_user(email="other@else.example", name="Other"))
    assert outsider.get(f"/statements/{statement.slug}/editions/1.pdf").status_code == 404
    page = comms.get(f"/statements/{statement.slug}/publication").get_data(as_text=True)
    assert "Scheduled for" in page and "not found" in page
