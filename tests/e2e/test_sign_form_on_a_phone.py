"""On a phone (390x844), a failed sign-on opens at the error summary, focused, not
at the top of a statement thousands of pixels long; the form is one tap from the
top. Chromium without JavaScript: what the page does, it does by itself.

Screenshots: test-output/<test name>/ (look at them when the page changes).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..sign_on_steps import invite_partners, open_for_signing

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_BODY = "\n\n".join(
    f"Paragraph {n}. We, the undersigned organisations, call on the authorities to release "
    "all detained journalists immediately and unconditionally, to drop every charge "
    "brought against them, and to guarantee that independent media can work freely."
    for n in range(1, 61)
)


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page with JavaScript off; requests to other hosts fail the test."""
    context = browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    foreign = []

    def guard(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context.new_page()
    context.close()
    assert not foreign, f"pages requested other hosts: {foreign}"


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < PHONE["height"] and box["height"] > 0


def test_a_failed_sign_on_on_a_phone_opens_at_the_error_summary(
    app, phone, live_server, create_statement, dummy_user, screenshots
):
    statement = create_statement(title="Release the journalists", body=LONG_BODY)
    open_for_signing(app, statement)
    (link,) = invite_partners(app, statement, [("Article 19", "info@a19.example")], by=dummy_user)

    phone.goto(link)
    phone.get_by_role("button", name="Read the statement and sign").click()
    expect(phone.get_by_role("heading", name="Sign on")).to_be_attached()
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height > 6000, height  # the statement is long: the form is far below
    phone.screenshot(path=screenshots / "1-top.png")

    # One tap from the top of the page reaches the form.
    jump = phone.get_by_role("link", name="Go to the form ↓")
    assert in_viewport(phone, "text=Go to the form ↓")
    jump.tap()
    assert phone.url.endswith("#sign-form")
    assert in_viewport(phone, "#sign-heading")
    phone.screenshot(path=screenshots / "2-form.png")

    # A submit with the name cleared and the authorisation left unticked.
    phone.get_by_label("Organisation name").fill("")
    phone.get_by_role("button", name="Sign this statement").click()
    assert phone.url.endswith("/sign?text=en#error-summary")  # the text shown goes with it
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("There is a problem")
    assert in_viewport(phone, "#error-summary")
    assert phone.evaluate("window.scrollY") > 5000  # not back at the top of the text
    # The browser moved the focus to the summary (the fragment's focusable target).
    assert phone.evaluate("document.activeElement && document.activeElement.id") == (
        "error-summary"
    )
    phone.screenshot(path=screenshots / "3-error-summary.png")

    # Each link goes to its field; the field's own message is beside it.
    expect(summary.get_by_role("link")).to_have_count(3)  # name, authoriser, the tick
    summary.get_by_role("link", name="Enter the name to be listed.").tap()
    assert phone.url.endswith("#name")
    assert phone.evaluate("document.activeElement.id") == "name"
    expect(phone.locator("#name-error")).to_have_text("Enter the name to be listed.")
    assert in_viewport(phone, "#name")
    assert in_viewport(phone, 'label[for="name"]')  # the label stays in view above it
    phone.screenshot(path=screenshots / "4-name-field.png")
