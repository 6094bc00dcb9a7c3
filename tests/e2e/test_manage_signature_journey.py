"""The manage link in a browser, without JavaScript: change the entry without
ticking anything again, withdraw after a confirmation step, read what happened,
sign again from the same link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..sign_on_steps import invite_partners, open_for_signing, partner, sign_form

pytestmark = pytest.mark.browser


def test_signer_changes_withdraws_and_signs_again_from_the_manage_link(
    app, browser, live_server, dummy_user, dummy_statement, screenshots
):
    open_for_signing(app, dummy_statement)
    (link,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    path = link.removeprefix(live_server)
    signer = partner(app, path + "/sign")
    assert signer.post(path + "/sign", sign_form(country="Kyrgyzstan")).status_code == 303
    from sqlalchemy import select

    from signon.extensions import db
    from signon.signatures.links import manage_link
    from signon.signatures.models import Signature

    with app.test_request_context():
        manage = manage_link(db.session.scalar(select(Signature)))

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(manage)
        expect(page.locator("dl.facts")).to_contain_text("Article 19 (A19) (Kyrgyzstan)")
        expect(page.get_by_label("Name of the person authorising the signature")).to_have_value(
            "Ana Pérez"
        )
        expect(
            page.get_by_label("I am authorised to sign on behalf of this organisation")
        ).to_have_count(0)
        page.screenshot(path=screenshots / "1-manage.png", full_page=True)
        page.get_by_label("Acronym").fill("ART19")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("status")).to_have_text("Your changes are saved.")

        page.get_by_role("link", name="Withdraw…").click()
        expect(
            page.get_by_role("heading", name="Withdraw the signature of Article 19?")
        ).to_be_visible()
        page.screenshot(path=screenshots / "2-confirm.png", full_page=True)
        page.get_by_role("button", name="Yes, withdraw our signature").click()
        expect(
            page.get_by_role("heading", name="You have withdrawn your signature")
        ).to_be_visible()
        expect(page.locator("main")).to_contain_text("no longer on the list")
        page.screenshot(path=screenshots / "3-withdrawn.png", full_page=True)

        page.get_by_role("link", name="Sign again").click()
        page.get_by_label("I am authorised to sign on behalf of this organisation").check()
        page.screenshot(path=screenshots / "4-sign-again.png", full_page=True)
        page.get_by_role("button", name="Sign again").click()
        expect(page.get_by_role("status")).to_contain_text("You signed again")
        expect(page.locator("dl.facts")).to_contain_text("Signed")
        page.screenshot(path=screenshots / "5-signed-again.png")
    finally:
        context.close()
