"""The whole sign-on journey in a real browser, with the invitation sent by real SMTP.

The lead opens the statement and invites a partner; the outbox is drained into an
aiosmtpd server; the partner, in a browser context of their own with no account,
follows the emailed link and signs; the lead sees the signature arrive.
"""

import re

import pytest
from playwright.sync_api import expect

from ..mailbox import links_in, text_of

pytestmark = pytest.mark.browser


def test_partner_signs_from_emailed_link_and_lead_sees_it(
    browser, page, live_server, dummy_user, dummy_statement, mail_via_smtp, send_outbox, screenshots
):
    # The lead logs in and opens the statement for signatures.
    page.goto("/login")
    page.get_by_label("Email").fill(dummy_user.email)
    page.get_by_label("Password").fill(dummy_user.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=dummy_statement.title).click()
    page.get_by_role("link", name="Open for signatures").click()
    page.get_by_label("Deadline (optional)").fill("2099-06-30T18:00")
    page.get_by_label("Time zone of the deadline").fill("Europe/Paris")
    page.get_by_label("Sentence above the list of signatories").fill(
        "The following organisations sign this statement:"
    )
    page.get_by_label("In the order they signed").check()
    page.screenshot(path=screenshots / "open.png", full_page=True)
    page.get_by_role("button", name="Open for signatures").click()
    page.get_by_text("The statement is open for signatures").wait_for()

    # Invitations: paste, check, confirm.
    page.get_by_label("Paste the list").fill(
        "Article 19, info@a19.example, Ana Pérez\nnot a valid line\n"
    )
    page.get_by_role("button", name="Check the list").click()
    page.get_by_role("heading", name="Check the list before sending").wait_for()
    expect(page.get_by_text("Line 2: needs an organisation and an email")).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    page.screenshot(path=screenshots / "check.png", full_page=True)
    page.get_by_role("button", name="Send 1 invitation").click()
    page.get_by_text("1 invitation queued for sending.").wait_for()
    expect(page.get_by_text("Sending…")).to_be_visible()

    # The outbox goes out through real SMTP.
    result = send_outbox()
    assert result.sent == 1, result
    (message,) = mail_via_smtp.wait_for(1)
    assert message["To"] == "info@a19.example"
    assert message["Subject"] == f"Invitation to sign: {dummy_statement.title}"
    assert "Dear Ana Pérez," in text_of(message)
    link = links_in(message)[0]
    assert link.startswith(f"{live_server}/i/"), link

    # The partner: a browser context of their own, no cookies, no login.
    partner_context = browser.new_context()
    foreign = []

    def loopback_only(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    partner_context.route("**/*", loopback_only)
    try:
        partner = partner_context.new_page()
        partner.goto(link)
        expect(partner.get_by_role("heading", name=dummy_statement.title)).to_be_visible()
        expect(partner.get_by_text("Article 19 is invited to sign")).to_be_visible()
        expect(partner.get_by_text("30 June 2099, 18:00")).to_be_visible()
        partner.screenshot(path=screenshots / "landing.png", full_page=True)
        partner.get_by_role("button", name="Read the statement and sign").click()
        partner.get_by_role("heading", name="Sign on").wait_for()
        expect(partner.locator(".statement-text")).to_contain_text("release all detained")
        # The invitation prefills what it knows.
        expect(partner.get_by_label("Organisation name")).to_have_value("Article 19")
        expect(partner.get_by_label("Contact email (only the organisers see it)")).to_have_value(
            "info@a19.example"
        )
        expect(partner.get_by_label("Name of the person authorising the signature")).to_have_value(
            "Ana Pérez"
        )
        partner.screenshot(path=screenshots / "sign-empty.png", full_page=True)

        # Submitting without confirming authority is refused, and says why.
        partner.get_by_label("Acronym").fill("A19")
        partner.get_by_role("button", name="Sign this statement").click()
        expect(partner.get_by_role("alert")).to_contain_text("Nothing was saved")
        # The error summary links to the field, which says the same beside it.
        expect(
            partner.get_by_role("link", name="Please confirm you are authorised to sign.")
        ).to_be_visible()
        expect(partner.locator("#authorised-error")).to_have_text(
            "Please confirm you are authorised to sign."
        )
        partner.screenshot(path=screenshots / "sign-error.png", full_page=True)

        partner.get_by_label("Country").fill("United Kingdom")
        partner.get_by_label("Their role").fill("Director")
        partner.get_by_label("I am authorised to sign on behalf of this organisation").check()
        partner.get_by_role("button", name="Sign this statement").click()
        partner.get_by_role("heading", name="Thank you: your signature is recorded").wait_for()
        expect(partner.locator("main")).to_contain_text("Article 19 (A19) signed")
        expect(partner.locator("main")).to_contain_text("version 1")
        # The form posted to ".../sign#error-summary"; a redirect without a fragment
        # keeps the request's (RFC 9110), harmless on a page without that id.
        assert re.search(r"/i/[^/]+/signed(#error-summary)?$", partner.url), partner.url
        partner.screenshot(path=screenshots / "thanks.png", full_page=True)
    finally:
        partner_context.close()
    assert not foreign, f"the partner's pages requested other hosts: {foreign}"

    # The confirmation goes out too, with the private manage link.
    result = send_outbox()
    assert result.sent == 1, result
    confirmation = mail_via_smtp.wait_for(2)[1]
    assert confirmation["To"] == "info@a19.example"
    assert "version 1" in text_of(confirmation)
    assert any(url.startswith(f"{live_server}/m/") for url in links_in(confirmation))

    # The lead sees the signature, and the invitation marked signed.
    page.get_by_role("link", name="Signatures").click()
    row = page.locator("table.signatures tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Article 19 (A19)")
    expect(row.locator(".state")).to_have_text("signed")
    expect(row).to_contain_text("v1")
    expect(row).to_contain_text("Ana Pérez, Director")
    expect(row).to_contain_text("info@a19.example")
    expect(page.locator(".final-list")).to_contain_text("Article 19 (A19)")
    page.screenshot(path=screenshots / "signatures.png", full_page=True)

    page.get_by_role("link", name="Invitations").click()
    invitation = page.locator("table.list tbody tr")
    expect(invitation).to_have_count(1)
    expect(invitation.locator(".step.ok")).to_have_text("Signed")
    expect(invitation.locator(".step", has_text="Opened")).to_be_visible()
    expect(invitation.locator(".step", has_text="Sent")).to_be_visible()
    page.screenshot(path=screenshots / "invitations.png", full_page=True)

    # On a phone, the team's list stays readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "invitations-phone.png", full_page=True)
