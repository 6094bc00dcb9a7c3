"""A lead drafts a statement in a real browser, without JavaScript tricks."""

import pytest

pytestmark = pytest.mark.browser


def test_lead_drafts_revises_and_compares_versions(page, dummy_user, screenshots):
    page.goto("/login")
    page.get_by_label("Email").fill(dummy_user.email)
    page.get_by_label("Password").fill(dummy_user.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("No statements yet").wait_for()

    page.get_by_role("link", name="Write your first statement").click()
    # Save is the primary action: it wears the accent colour, Preview does not.
    colour = "e => getComputedStyle(e).backgroundColor"
    save = page.get_by_role("button", name="Save").evaluate(colour)
    accent = page.get_by_role("button", name="Log out").evaluate("e => getComputedStyle(e).color")
    assert save == accent
    assert page.get_by_role("button", name="Preview").evaluate(colour) != save
    page.get_by_label("Title").fill("Release the journalists of Meridia")
    page.get_by_label("Text (Markdown)").fill(
        "We call on the government to release all journalists.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    assert page.locator(".preview table").count() == 1
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Version 1 is saved").wait_for()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Text (Markdown)").fill(
        "We urge the authorities to release all detained journalists.\n"
    )
    page.get_by_label("What changed (optional)").fill("Stronger wording")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved as version 2").wait_for()
    page.screenshot(path=screenshots / "statement.png", full_page=True)

    page.get_by_role("link", name="History").click()
    assert page.get_by_text("Stronger wording").is_visible()
    page.get_by_role("button", name="Compare selected versions").click()
    diff = page.locator(".diff")
    assert "all [+detained+] journalists" in diff.inner_text()
    assert diff.locator("del").first.inner_text().startswith("[-")
    page.screenshot(path=screenshots / "diff.png", full_page=True)
