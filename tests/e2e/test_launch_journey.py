"""In Chromium: the list stays private while the lead previews it, schedules the
launch, moves it, then publishes now; the public sees the names only then."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from signon.columns import utcnow

from ..public_steps import close_statement, signed_statement

PARIS = ZoneInfo("Europe/Paris")


def paris(days: int) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def test_lead_previews_schedules_moves_then_publishes_now(
    app, browser, page, live_server, create_statement, dummy_user, screenshots
):
    statement, _ids = signed_statement(app, create_statement, dummy_user)
    close_statement(app, statement)
    stranger_context = browser.new_context(base_url=live_server, java_script_enabled=False)
    stranger = stranger_context.new_page()
    try:
        stranger.goto(f"/s/{statement.slug}")
        expect(stranger.locator("body")).to_contain_text("Not found")
        expect(stranger.locator("body")).not_to_contain_text("Zeta Press Union")

        page.goto("/login")
        page.get_by_label("Email").fill(dummy_user.email)
        page.get_by_label("Password").fill(dummy_user.password)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name=statement.title).click()
        expect(page.locator(".status-panel")).to_contain_text("Not public until publication")
        page.get_by_role("link", name="Preview the public page").first.click()
        expect(page.locator(".preview-banner")).to_contain_text(
            "Preview — not public until publication"
        )
        expect(page.locator("main")).to_contain_text("Zeta Press Union")
        page.screenshot(path=screenshots / "preview.png", full_page=True)
        page.get_by_role("link", name="Back to the statement").click()

        # Friday evening: scheduled for Monday.
        page.get_by_role("link", name="Publish…").click()
        page.get_by_label("Embargo (optional)").fill(paris(3))
        page.get_by_label("I have checked the text and the list").check()
        page.get_by_role("button", name="Publish").click()
        page.get_by_role("link", name="Text").click()
        expect(page.locator(".status-panel")).to_contain_text("Scheduled for")
        expect(page.locator(".status-panel")).to_contain_text("(Europe/Paris)")
        page.screenshot(path=screenshots / "scheduled.png", full_page=True)
        stranger.goto(f"/s/{statement.slug}.pdf")
        expect(stranger.locator("body")).to_contain_text("Not found")

        # The partners ask for Tuesday instead.
        page.get_by_role("link", name="Move, publish now or cancel…").click()
        page.get_by_label("Publication time").fill(paris(4))
        page.get_by_label("Publish at this time").check()
        page.screenshot(path=screenshots / "publish-page-scheduled.png", full_page=True)
        page.get_by_role("button", name="Save the publication time").click()
        expect(page.locator(".flashes")).to_contain_text("Embargo moved")

        # News breaks: publish now.
        page.goto(f"/statements/{statement.slug}/publish")
        page.get_by_label("Publication time").fill("")
        page.get_by_label("Publish at this time").check()
        page.get_by_role("button", name="Save the publication time").click()
        expect(page.locator(".flashes")).to_contain_text("Published now")

        stranger.goto(f"/s/{statement.slug}")
        expect(stranger.locator("main")).to_contain_text("Zeta Press Union")
        expect(stranger.locator("body")).not_to_contain_text("Preview")
    finally:
        stranger_context.close()
