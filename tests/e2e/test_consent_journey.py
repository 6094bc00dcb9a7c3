"""Consent in a real browser: a substantive change, the signer's re-confirmation from
the emailed link, and publication.

A partner has signed version 1. The lead edits the text, is asked whether the
change is minor or substantive (with the changes shown), says substantive; the
partner receives the changes by real SMTP, opens the link in a browser context of
their own and confirms; the lead closes and publishes, and the public page lists
the partner under version 2.
"""

import pytest
from playwright.sync_api import expect

from ..mailbox import links_in, text_of
from ..public_steps import sign_as
from ..sign_on_steps import open_for_signing

pytestmark = pytest.mark.browser

NEW_PARAGRAPH = "We also call for the repeal of the foreign agents law."


def test_signer_confirms_a_substantive_change_then_the_lead_publishes(
    app,
    browser,
    page,
    live_server,
    dummy_user,
    dummy_statement,
    mail_via_smtp,
    send_outbox,
    screenshots,
):
    open_for_signing(app, dummy_statement, intro="Signed by:")
    sign_as(app, dummy_statement, dummy_user, "Article 19", contact_email="info@a19.example")
    send_outbox()
    mail_via_smtp.wait_for(2)  # the invitation and the signing confirmation

    page.goto("/login")
    page.get_by_label("Email").fill(dummy_user.email)
    page.get_by_label("Password").fill(dummy_user.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=dummy_statement.title).click()
    page.get_by_role("link", name="Edit").click()
    body = page.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n\n" + NEW_PARAGRAPH + "\n")

    # Saving without saying what kind of change it is: refused, changes shown.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.get_by_text("People have signed: say whether this change is minor")).to_be_visible()
    changed = page.locator(".changes .diff-blocks ins")
    expect(changed).to_contain_text("repeal of the foreign agents law")
    page.screenshot(path=screenshots / "edit-choose-kind.png", full_page=True)
    # The choice sits with the changes, above the text, with its own Save button.
    page.get_by_label("Substantive", exact=False).check()
    page.get_by_role("button", name="Save this change").click()
    expect(page.get_by_text("substantive change: 1 signer asked")).to_be_visible()

    # The signer receives the changes and a link of their own.
    result = send_outbox()
    assert result.sent == 1, result
    message = mail_via_smtp.wait_for(3)[2]
    assert message["To"] == "info@a19.example"
    assert NEW_PARAGRAPH in text_of(message)
    link = next(u for u in links_in(message) if u.startswith(f"{live_server}/r/"))

    signer_context = browser.new_context()
    try:
        signer = signer_context.new_page()
        signer.goto(link)
        expect(signer.locator(".diff ins")).to_contain_text("repeal of the foreign agents law")
        expect(signer.get_by_text("will not appear under the new text")).to_be_visible()
        signer.screenshot(path=screenshots / "reconfirm.png", full_page=True)
        signer.get_by_role("button", name="Confirm for the new text (version 2)").click()
        thanks = signer.get_by_text("your signature covers the current text, version 2")
        expect(thanks).to_be_visible()
        signer.screenshot(path=screenshots / "reconfirmed.png", full_page=True)
    finally:
        signer_context.close()

    # The lead sees the consent, closes and publishes.
    page.get_by_role("link", name="Signatures").click()
    row = page.locator("table.signatures tbody tr")
    expect(row.locator(".version")).to_have_text("v2")
    page.get_by_role("link", name="Text").click()
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_role("heading", name="Close signatures?")).to_be_visible()
    page.get_by_role("button", name="Close signatures").click()
    page.get_by_role("link", name="Publish…").click()
    page.screenshot(path=screenshots / "publish.png", full_page=True)
    page.get_by_label("I have checked the text and the list").check()
    page.get_by_role("button", name="Publish").click()

    page.goto(f"/s/{dummy_statement.slug}")
    expect(page.locator("main")).to_contain_text("Article 19")
    expect(page.locator("main")).to_contain_text(NEW_PARAGRAPH)
    page.screenshot(path=screenshots / "published.png", full_page=True)
