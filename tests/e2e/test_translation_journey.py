"""Issue 15 in a browser: a partner invited to a Russian statement in English reads
the English text from the emailed link, looks at the Russian master through the
text's language links (no JavaScript), signs the English text; once published, the
public page offers both languages. Screenshots in test-output/<test name>/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from signon.accounts.models import User
from signon.extensions import db
from signon.signatures.invitations.service import InvitationRow, add_invitations
from signon.signatures.models import Signature
from signon.statements.models import ChangeKind, Statement
from signon.workspace.editing import save_next_version
from signon.workspace.translating import save_translation_text

from ..mailbox import links_in
from ..public_steps import close_statement, publish
from ..sign_on_steps import open_for_signing, sign_form

pytestmark = pytest.mark.browser

RU = ("Свободу журналистам", "Мы требуем освободить журналистов.")
EN = ("Free the journalists", "We demand the release of the journalists.")


def test_a_partner_reads_and_signs_the_english_translation_of_a_russian_statement(
    app, browser, live_server, dummy_user, create_statement, mail_via_smtp, send_outbox,
    screenshots,
):  # fmt: skip
    statement = create_statement(title=RU[0], body=RU[1], language="ru")
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        lead = db.session.get(User, dummy_user.id)
        save_translation_text(record, language="en", title=EN[0], body=EN[1], actor=lead)
        db.session.commit()
    open_for_signing(app, statement)
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        row = InvitationRow(1, "Press Freedom Network", "pfn@ngo.example", "", "en")
        add_invitations(record, [row], actor=db.session.get(User, dummy_user.id))
        db.session.commit()
    assert send_outbox().sent == 1
    (invitation,) = mail_via_smtp.wait_for(1)
    assert invitation["Subject"].startswith("Invitation to sign")
    link = links_in(invitation)[0]

    context = browser.new_context(
        java_script_enabled=False, locale="ru-RU"
    )  # the page follows the invitation (en), not the browser
    try:
        partner = context.new_page()
        partner.goto(link + "/sign")
        expect(partner.locator("html")).to_have_attribute("lang", "en")
        text = partner.locator(".statement-text")
        expect(text).to_have_attribute("lang", "en")
        expect(text).to_contain_text(EN[1])
        expect(partner.locator(".text-languages")).to_contain_text("Русский")
        partner.screenshot(path=screenshots / "1-sign-english.png", full_page=True)
        partner.locator(".text-languages a[hreflang=ru]").click()
        expect(partner.locator(".statement-text")).to_contain_text(RU[1])
        partner.screenshot(path=screenshots / "2-sign-russian-master.png", full_page=True)
        partner.locator(".text-languages a[hreflang=en]").click()
        expect(partner.locator(".statement-text")).to_contain_text(EN[1])
        for name, value in sign_form(name="Press Freedom Network",
                                     contact_email="pfn@ngo.example").items():  # fmt: skip
            field = partner.locator(f"[name={name}]")
            if field.count() == 0 or name == "kind":
                continue
            if value == "y":
                field.first.check()
            else:
                field.first.fill(value)
        partner.locator("#sign-form button.primary").click()
        expect(partner).to_have_url(re.compile(r"/signed"))
        partner.screenshot(path=screenshots / "3-signed.png", full_page=True)
    finally:
        context.close()
    with app.app_context():
        signature = db.session.scalar(db.select(Signature))
        assert signature.translation_version.translation.language == "en"

    close_statement(app, statement)
    publish(app, statement)
    reader = browser.new_context(java_script_enabled=False, base_url=live_server)
    try:
        public = reader.new_page()
        public.goto(f"/s/{statement.slug}")
        expect(public.locator("html")).to_have_attribute("lang", "ru")
        public.screenshot(path=screenshots / "4-public-russian.png", full_page=True)
        public.locator("nav.text-languages a[hreflang=en]").click()
        expect(public.locator("html")).to_have_attribute("lang", "en")
        expect(public.locator("main")).to_contain_text(EN[1])
        expect(public.locator("main")).to_contain_text("Press Freedom Network")
        public.screenshot(path=screenshots / "5-public-english.png", full_page=True)
    finally:
        reader.close()


def test_the_team_translates_the_text_and_brings_the_translation_up_to_date(
    app, page, dummy_user, create_statement, screenshots
):
    statement = create_statement(title=RU[0], body=RU[1], language="ru")
    slug = statement.slug
    page.goto("/login")
    page.fill("input[name=email]", dummy_user.email)
    page.fill("input[name=password]", dummy_user.password)
    page.locator("main form button").last.click()

    # The Languages tab: add an English translation, typed beside the master text.
    page.goto(f"/statements/{slug}/translations")
    page.select_option("select[name=language]", "en")
    page.locator("form.add-translation button").click()
    expect(page).to_have_url(re.compile(rf"/statements/{slug}/translations/en$"))
    expect(page.locator("main")).to_contain_text(RU[1])  # the master, beside the form
    page.fill("input[name=title]", EN[0])
    page.fill("textarea[name=body]", EN[1])
    page.screenshot(path=screenshots / "1-editor-new.png", full_page=True)
    page.locator("#translation-form [type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/statements/{slug}/translations$"))
    page.screenshot(path=screenshots / "2-languages-current.png", full_page=True)

    # A substantive change of the master: every team page says the English one is behind.
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        user = db.session.get(User, dummy_user.id)
        save_next_version(
            record, title=RU[0], body="Мы требуем немедленно освободить всех журналистов.",
            author=user, actor=user, note="", kind=ChangeKind.SUBSTANTIVE,
        )  # fmt: skip
        db.session.commit()
    page.goto(f"/statements/{slug}")
    warning = page.get_by_text("The English translation is out of date")
    expect(warning).to_be_visible()
    page.screenshot(path=screenshots / "3-out-of-date.png", full_page=True)

    # Its editor shows what changed in the master since the version it translates.
    page.get_by_role("link", name="Update the English translation").first.click()
    expect(
        page.locator(".diff-blocks ins, .changes ins").filter(has_text="немедленно").first
    ).to_be_visible()
    page.fill("textarea[name=body]", "We demand the immediate release of all journalists.")
    page.screenshot(path=screenshots / "4-editor-update.png", full_page=True)
    page.locator("#translation-form [type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/statements/{slug}/translations$"))
    expect(page.get_by_text("The English translation is out of date")).to_have_count(0)
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        [english] = record.translations
        assert english.latest.number == 2 and english.latest.master_version.number == 2
