"""Inviting a member tells nobody whether an address has a signon account (issue
10.10, then issue 13's team invitations).

It used to answer 400 "No account uses ..." for an unknown address and add the
member otherwise: an owner of any statement (anyone can be made one) could test
addresses one by one. Now every address gets an invitation, the same way.
"""

from __future__ import annotations

import re

from signon.audit.models import AuditEvent
from signon.extensions import db

from .test_accounts import members_of

NEUTRAL = (
    "Invitation sent to {email}: they join as editor once they accept it "
    "(the link works for 7 days)."
)


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash[^"]*">([^<]*)</p>', page)


def add(web, members_page: str, email: str):
    """The owner adds a member: the answer to the POST and the page it leads to."""
    answer = web.post(members_page, {"email": email, "role": "editor"})
    page = web.get(members_page).get_data(as_text=True) if answer.status_code == 302 else ""
    return answer, page


def test_adding_an_address_answers_the_same_whether_or_not_it_has_an_account(
    app, web, create_user, dummy_user, dummy_statement
):
    create_user(email="pat@partner.example", name="Pat Partner")
    web.login(dummy_user)
    members_page = f"/statements/{dummy_statement.slug}/members"

    with_account, page_with = add(web, members_page, "pat@partner.example")
    without_account, page_without = add(web, members_page, "sam@partner.example")

    assert with_account.status_code == without_account.status_code == 302
    assert with_account.location == without_account.location
    assert with_account.get_data() == without_account.get_data()
    assert flashes(page_with) == [NEUTRAL.format(email="pat@partner.example")]
    assert flashes(page_without) == [NEUTRAL.format(email="sam@partner.example")]
    # Nobody joins before accepting, account or not; both wait the same way.
    assert set(members_of(app, dummy_statement)) == {dummy_user.email}
    assert page_with.count("pat@partner.example") == page_without.count("sam@partner.example")


def test_an_address_with_or_without_an_account_leaves_the_same_trace(
    app, web, create_user, dummy_user, dummy_statement
):
    create_user(email="pat@partner.example", name="Pat Partner")
    web.login(dummy_user)
    members_page = f"/statements/{dummy_statement.slug}/members"

    def trace(email: str) -> list:
        with app.app_context():
            before = db.session.query(AuditEvent).count()
        add(web, members_page, email)
        with app.app_context():
            events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()[before:]
            return [(e.action, sorted(e.detail)) for e in events]

    assert trace("pat@partner.example") == trace("sam@partner.example")
    assert set(members_of(app, dummy_statement)) == {dummy_user.email}
