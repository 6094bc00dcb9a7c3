"""A partner signs a Russian statement in Russian from the emailed link, then
switches the page to Arabic (a plain link, no JavaScript) and finds it laid out
right to left; the lead's dashboard and the confirmation email in Arabic too.
Screenshots are saved in test-output/<test name>/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..mailbox import html_of, links_in, text_of
from ..sign_on_steps import invite_partners, open_for_signing

pytestmark = pytest.mark.browser

TITLE = "Свободу журналистам Кыргызстана"
BODY = "Мы, нижеподписавшиеся организации, требуем немедленно освободить журналистов."


def test_a_partner_signs_a_russian_statement_in_russian_then_switches_to_arabic(
    app, browser, page, live_server, dummy_user, create_statement, mail_via_smtp, send_outbox,
    screenshots,
):  # fmt: skip
    statement = create_statement(title=TITLE, body=BODY, language="ru")
    open_for_signing(app, statement)
    page.goto("/login")
    page.fill("input[name=email]", dummy_user.email)
    page.fill("input[name=password]", dummy_user.password)
    page.locator("form button[type=submit], form button").last.click()
    page.goto(f"/statements/{statement.slug}/invitations")
    page.fill("textarea[name=rows]", "Пресс-клуб, info@press.example, Айгуль Осмонова\n")
    page.locator("form:has(textarea[name=rows]) button").first.click()
    page.locator("form:has(input[name=rows]) button").first.click()
    assert send_outbox().sent == 1
    (invitation,) = mail_via_smtp.wait_for(1)
    assert TITLE in invitation["Subject"] and not invitation["Subject"].startswith("Invitation")
    assert re.search("[а-яА-Я]", text_of(invitation))
    link = links_in(invitation)[0]

    partner_context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        partner = partner_context.new_page()
        partner.goto(link)
        expect(partner.locator("html")).to_have_attribute("lang", "ru")
        expect(partner.get_by_role("heading", name=TITLE)).to_be_visible()
        partner.screenshot(path=screenshots / "1-landing-ru.png", full_page=True)
        partner.locator("main form button").first.click()
        expect(partner.locator(".statement-text")).to_contain_text("освободить журналистов")
        partner.fill("input[name=country]", "Кыргызстан")
        partner.fill("input[name=authoriser_title]", "директор")
        partner.check("input[name=authorised]")
        partner.screenshot(path=screenshots / "2-sign-ru.png", full_page=True)
        partner.locator("#sign-form button.primary").click()
        expect(partner).to_have_url(re.compile(r"/signed"))
        expect(partner.locator("html")).to_have_attribute("lang", "ru")
        partner.screenshot(path=screenshots / "3-thanks-ru.png", full_page=True)

        # The switcher: the same page in Arabic, right to left, remembered.
        partner.locator("nav.languages a[hreflang=ar]").click()
        expect(partner).to_have_url(re.compile(r"/signed\?lang=ar$"))
        expect(partner.locator("html")).to_have_attribute("dir", "rtl")
        expect(partner.locator("html")).to_have_attribute("lang", "ar")
        partner.screenshot(path=screenshots / "4-thanks-ar.png", full_page=True)
        partner.goto(link + "/sign")
        expect(partner.locator("html")).to_have_attribute("dir", "rtl")
        main = partner.locator("main")
        assert re.search("[\u0600-\u06ff]", main.inner_text())
        partner.screenshot(path=screenshots / "5-sign-ar.png", full_page=True)
    finally:
        partner_context.close()

    # The confirmation email went out in Russian (the statement's language).
    assert send_outbox().sent == 1
    confirmation = mail_via_smtp.wait_for(2)[1]
    assert re.search("[а-яА-Я]", confirmation["Subject"])

    # The lead's dashboard in Arabic (the team page follows the browser's language),
    # and an email laid out right to left.
    lead = browser.new_context(base_url=live_server, locale="ar", java_script_enabled=False)
    try:
        dashboard = lead.new_page()
        dashboard.goto("/login")
        dashboard.fill("input[name=email]", dummy_user.email)
        dashboard.fill("input[name=password]", dummy_user.password)
        dashboard.locator("main form button").last.click()
        dashboard.goto("/")
        expect(dashboard.locator("html")).to_have_attribute("dir", "rtl")
        dashboard.screenshot(path=screenshots / "6-dashboard-ar.png", full_page=True)
        arabic = create_statement(
            title="أطلقوا سراح الصحفيين", body="نطالب بالإفراج.", language="ar"
        )
        open_for_signing(app, arabic)
        invite_partners(app, arabic, [("نادي الصحافة", "club@press.example")], by=dummy_user)
        assert send_outbox().sent == 1
        arabic_invitation = mail_via_smtp.wait_for(3)[2]
        assert re.search("[\u0600-\u06ff]", arabic_invitation["Subject"])
        email = lead.new_page()
        email.set_content(html_of(arabic_invitation))
        expect(email.locator("html")).to_have_attribute("dir", "rtl")
        email.screenshot(path=screenshots / "7-email-invitation-ar.png", full_page=True)
    finally:
        lead.close()
