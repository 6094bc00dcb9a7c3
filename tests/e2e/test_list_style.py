"""The signatory list has one style wherever the team or the public reads it."""

import pytest

from ..public_steps import close_statement, publish, sign_as
from ..sign_on_steps import open_for_signing

pytestmark = pytest.mark.browser

STYLE = """e => { const s = getComputedStyle(e);
  return [s.listStyleType, s.textIndent, s.fontFamily.split(',')[0]]; }"""


def test_the_list_looks_the_same_on_the_text_tab_signatures_page_and_public_page(
    app, page, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement)
    sign_as(app, dummy_statement, dummy_user, "Article 19")
    close_statement(app, dummy_statement)
    publish(app, dummy_statement)
    page.goto("/login")
    page.get_by_label("Email").fill(dummy_user.email)
    page.get_by_label("Password").fill(dummy_user.password)
    page.get_by_role("button", name="Log in").click()
    styles = []
    for path in (
        f"/statements/{dummy_statement.slug}",
        f"/statements/{dummy_statement.slug}/signatures",
        f"/s/{dummy_statement.slug}",
    ):
        page.goto(path)
        entry = page.locator("ul.signatories li", has_text="Article 19")
        styles.append(entry.evaluate(STYLE))
    assert styles[0][0] == "none"
    assert styles[0] == styles[1] == styles[2], styles
