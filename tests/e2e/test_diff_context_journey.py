"""The changes in a real browser: a long statement with headings and lists, one
demand reworded. The lead previews the change (folded, the choice above the text),
saves it as substantive with a note; the partner opens the emailed /r/ link and
sees the note, the changed passage and the buttons before the full text.

Screenshots go to test-output/<test name>/ (edit-preview.png, reconfirm.png,
changes-tab.png).
"""

import pytest
from playwright.sync_api import expect

from ..mailbox import links_in, text_of
from ..public_steps import sign_as
from ..sign_on_steps import open_for_signing

pytestmark = pytest.mark.browser

TITLE = "Meridia: release the eleven journalists"
INTRO = [
    f"Since May, the authorities of Meridia have detained journalist number {n} of the "
    "eleven reporters who covered the protests, without charge and without access to a lawyer."
    for n in range(1, 12)
]
BODY = (
    "\n\n".join(INTRO)
    + "\n\n## Our demands\n\n1. Release the journalists.\n2. Drop the charges.\n"
    + "3. Restore the licences of the closed outlets.\n\n"
    + "## Who we are\n\n"
    + "\n\n".join(f"Paragraph {n} about the coalition and its work." for n in range(1, 9))
    + "\n"
)
NEW_BODY = BODY.replace("2. Drop the charges.", "2. Drop all the charges, at once.")
NOTE = "Demand 2 made firmer, as the partners asked"


def test_partner_reads_the_folded_change_and_the_note_before_confirming(
    app,
    browser,
    page,
    live_server,
    dummy_user,
    create_statement,
    mail_via_smtp,
    send_outbox,
    screenshots,
):
    statement = create_statement(title=TITLE, body=BODY)
    open_for_signing(app, statement, intro="Signed by:")
    sign_as(app, statement, dummy_user, "Article 19", contact_email="info@a19.example")
    send_outbox()
    mail_via_smtp.wait_for(2)

    page.goto("/login")
    page.get_by_label("Email").fill(dummy_user.email)
    page.get_by_label("Password").fill(dummy_user.password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/statements/{statement.slug}/edit")
    page.get_by_label("Text (Markdown)").fill(NEW_BODY)
    page.get_by_label("What changed (optional)").fill(NOTE)
    page.get_by_role("button", name="Preview").click()

    changes = page.locator("section.changes")
    expect(changes).to_contain_text("… 12 unchanged paragraphs …")
    expect(changes.locator(".diff-blocks ins")).to_have_text(["[+all+]", "[+, at once+]"])
    expect(changes).to_contain_text(NOTE)
    expect(changes.locator(".diff-blocks")).not_to_contain_text("##")
    page.screenshot(path=screenshots / "edit-preview.png", full_page=True)
    changes.get_by_label("Substantive", exact=False).check()
    changes.get_by_role("button", name="Save this change").click()
    expect(page.get_by_text("substantive change: 1 signer asked")).to_be_visible()

    send_outbox()
    message = mail_via_smtp.wait_for(3)[2]
    assert "… 12 unchanged paragraphs …" in text_of(message)
    link = next(u for u in links_in(message) if u.startswith(f"{live_server}/r/"))

    signer_context = browser.new_context()
    try:
        signer = signer_context.new_page()
        signer.goto(link)
        expect(signer.locator(".editor-note")).to_contain_text(NOTE)
        expect(signer.locator(".diff-blocks")).to_contain_text("… 12 unchanged paragraphs …")
        confirm = signer.get_by_role("button", name="Confirm for the new text (version 2)")
        full_text = signer.get_by_role("heading", name="The new text")
        assert confirm.bounding_box()["y"] < full_text.bounding_box()["y"]
        signer.screenshot(path=screenshots / "reconfirm.png", full_page=True)
        confirm.click()
        expect(
            signer.get_by_text("your signature covers the current text, version 2")
        ).to_be_visible()
    finally:
        signer_context.close()

    # The Changes tab shows the same, then version 2 in full.
    page.goto(f"/statements/{statement.slug}/diff")
    expect(page.locator(".editor-note")).to_contain_text(NOTE)
    expect(page.locator(".diff-blocks")).to_contain_text("… 9 unchanged paragraphs …")
    page.screenshot(path=screenshots / "changes-tab.png", full_page=True)
