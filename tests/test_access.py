"""Who reaches what: every statement route against every kind of visitor.

Owners and administrators do everything; editors read and edit; viewers read;
a user of another coalition gets 404 everywhere, so a statement's existence is
never confirmed to them; an anonymous visitor is sent to the login page. A
refused request changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from signon.accounts.models import Membership, TeamInvitation, User
from signon.accounts.passwords import hash_password
from signon.extensions import db
from signon.statements.models import Statement, Version

from .factories import UserRecord, make_statement

PASSWORD = "correct horse battery staple"
TITLE = "Release the Kloop journalists"
EDITED_BODY = "We call for the immediate release of all detained Kloop staff.\n"
PASTED = "Article 19, info@a19.example, Ana Pérez"


@cache
def password_hash() -> str:
    # One real argon2id hash for every person here: hashing takes ~0.2 s and the
    # matrix below has dozens of cases. Logging in still verifies it for real.
    return hash_password(PASSWORD)


def add_person(email: str, name: str, *, admin: bool = False) -> UserRecord:
    user = User(email=email, name=name, password_hash=password_hash(), is_admin=admin)
    db.session.add(user)
    db.session.commit()
    return UserRecord(user.id, user.email, user.name, PASSWORD)


@dataclass(frozen=True)
class Team:
    owner: UserRecord
    editor: UserRecord
    viewer: UserRecord
    partner: UserRecord  # a viewer whose role the owner changes or removes
    newcomer: UserRecord  # has an account, not yet a member
    outsider: UserRecord  # owner of another coalition's statement
    admin: UserRecord
    statement_id: int
    slug: str
    partner_membership: int


@pytest.fixture
def team(app) -> Team:
    with app.app_context():
        owner = add_person("lena@lead.example", "Lena Lead")
        editor = add_person("ed@lead.example", "Ed Editor")
        viewer = add_person("vi@comms.example", "Vi Viewer")
        partner = add_person("pat@partner.example", "Pat Partner")
        newcomer = add_person("nia@newcomer.example", "Nia Newcomer")
        outsider = add_person("otto@other-coalition.example", "Otto Outsider")
        admin = add_person("ada@signon.example", "Ada Admin", admin=True)
        statement = make_statement(
            owner=owner,
            title=TITLE,
            members={editor: "editor", viewer: "viewer", partner: "viewer"},
        )
        make_statement(owner=outsider, title="Protect the river defenders")
        partner_membership = db.session.scalar(
            select(Membership.id).where(Membership.user_id == partner.id)
        )
    return Team(
        owner=owner,
        editor=editor,
        viewer=viewer,
        partner=partner,
        newcomer=newcomer,
        outsider=outsider,
        admin=admin,
        statement_id=statement.id,
        slug=statement.slug,
        partner_membership=partner_membership,
    )


def snapshot(app, team: Team) -> dict:
    """What a refused request must leave untouched: versions, memberships, team
    invitations and the order the list prints in."""
    with app.app_context():
        versions = db.session.scalar(
            select(func.count())
            .select_from(Version)
            .where(Version.statement_id == team.statement_id)
        )
        members = db.session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.statement_id == team.statement_id
            )
        ).all()
        order = db.session.get(Statement, team.statement_id).signatory_order.value
        invited = db.session.scalars(
            select(TeamInvitation.email).where(TeamInvitation.statement_id == team.statement_id)
        ).all()
    return {
        "versions": versions,
        "members": {user: role.value for user, role in members},
        "order": order,
        "invited": sorted(invited),
    }


READ, EDIT, MANAGE = "read", "edit", "manage"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    needs: str

    def url(self, team: Team) -> str:
        return self.path.replace("<slug>", team.slug).replace("<id>", str(team.partner_membership))

    def form(self, team: Team) -> dict:
        return {
            "/statements/<slug>/edit": {
                "title": TITLE,
                "language": "en",
                "body": EDITED_BODY,
                "note": "Named the detained staff",
                "save": "Save",
            },
            "/statements/<slug>/members": {"email": team.newcomer.email, "role": "editor"},
            "/statements/<slug>/members/<id>/role": {"role": "editor"},
            "/statements/<slug>/members/<id>/remove": {"confirm": "yes"},
            # The list is empty: saving its (empty) order makes it print "as listed".
            "/statements/<slug>/signatures/order": {"revision": "0"},
            "/statements/<slug>/invitations/back": {"rows": PASTED},
        }[self.path]

    def expected_change(self, before: dict, team: Team) -> dict:
        """The state a successful POST leaves behind."""
        after = {**before, "members": dict(before["members"])}
        if self.path.endswith("/edit"):
            after["versions"] += 1
        elif self.path.endswith("/members"):
            # An invitation, not a member: nobody joins without accepting.
            after["invited"] = sorted([*before["invited"], team.newcomer.email])
        elif self.path.endswith("/role"):
            after["members"][team.partner.id] = "editor"
        elif self.path.endswith("/remove"):
            del after["members"][team.partner.id]
        elif self.path.endswith("/order"):
            after["order"] = "as-listed"
        return after

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/statements/<slug>", READ),
    Route("GET", "/statements/<slug>/edit", EDIT),
    Route("POST", "/statements/<slug>/edit", EDIT),
    Route("GET", "/statements/<slug>/history", READ),
    Route("GET", "/statements/<slug>/versions/1", READ),
    Route("GET", "/statements/<slug>/diff", READ),
    Route("GET", "/statements/<slug>/translations", READ),
    Route("GET", "/statements/<slug>/translations/fr", EDIT),
    Route("GET", "/statements/<slug>/export.md", READ),
    Route("GET", "/statements/<slug>/members", MANAGE),
    Route("POST", "/statements/<slug>/members", MANAGE),
    Route("POST", "/statements/<slug>/members/<id>/role", MANAGE),
    Route("POST", "/statements/<slug>/members/<id>/remove", MANAGE),
    Route("GET", "/statements/<slug>/signatures", READ),
    Route("POST", "/statements/<slug>/signatures/order", EDIT),
    Route("GET", "/statements/<slug>/invitations", EDIT),
    Route("POST", "/statements/<slug>/invitations/back", EDIT),
]

# What each visitor may do; None means "not even told the statement exists".
MAY = {
    "owner": {READ, EDIT, MANAGE},
    "admin": {READ, EDIT, MANAGE},
    "editor": {READ, EDIT},
    "viewer": {READ},
    "outsider": None,
}

# Where a successful POST sends the browser; None: it answers with a page (200).
AFTER_POST = {
    "/statements/<slug>/edit": "/statements/{slug}",
    "/statements/<slug>/signatures/order": "/statements/{slug}/signatures#order-form",
    "/statements/<slug>/invitations/back": None,
    "/statements/<slug>/members": "/statements/{slug}/members",
    "/statements/<slug>/members/<id>/role": "/statements/{slug}/members",
    "/statements/<slug>/members/<id>/remove": "/statements/{slug}/members",
}


def request(web, route: Route, team: Team):
    if route.method == "GET":
        return web.get(route.url(team))
    return web.post(route.url(team), route.form(team))


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("who", list(MAY))
def test_each_member_reaches_only_what_their_role_allows(app, web, team, who, route):
    before = snapshot(app, team)
    assert web.login(getattr(team, who)).status_code == 302

    response = request(web, route, team)

    may = MAY[who]
    if may is None:
        assert response.status_code == 404
        assert TITLE not in response.get_data(as_text=True)
        assert snapshot(app, team) == before
    elif route.needs not in may:
        assert response.status_code == 403
        assert "Your role on this statement does not allow this." in response.get_data(as_text=True)
        assert snapshot(app, team) == before
    elif route.method == "GET" or AFTER_POST[route.path] is None:
        assert response.status_code == 200
        assert snapshot(app, team) == before
    else:
        assert response.status_code == 302
        assert response.location == AFTER_POST[route.path].format(slug=team.slug)
        assert snapshot(app, team) == route.expected_change(before, team)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_visitor_is_sent_to_login(app, web, team, route):
    before = snapshot(app, team)

    response = request(web, route, team)  # a POST carries a valid token of the anonymous session

    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [route.url(team)]
    assert snapshot(app, team) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "POST"], ids=str)
def test_anonymous_post_without_form_token_is_refused(app, web, team, route):
    before = snapshot(app, team)

    response = web.post(route.url(team), route.form(team), csrf=False)

    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert snapshot(app, team) == before


def test_outsider_cannot_tell_a_statement_exists(web, team):
    web.login(team.outsider)
    web.get("/")  # shows, and so clears, the welcome message

    existing = web.get(f"/statements/{team.slug}")
    missing = web.get("/statements/no-such-statement")

    assert existing.status_code == missing.status_code == 404
    assert existing.get_data() == missing.get_data()


def test_viewer_cannot_rewrite_the_text(app, web, team):
    web.login(team.viewer)

    response = web.post(
        f"/statements/{team.slug}/edit",
        {"title": "Hijacked", "language": "en", "body": "Other words.", "save": "Save"},
    )

    assert response.status_code == 403
    assert snapshot(app, team)["versions"] == 1
    page = web.get(f"/statements/{team.slug}").get_data(as_text=True)
    assert "Hijacked" not in page
    assert "Other words." not in page


def test_dashboard_lists_only_my_coalitions_statements(web, team):
    web.login(team.viewer)

    page = web.get("/").get_data(as_text=True)

    assert TITLE in page
    assert "Protect the river defenders" not in page


def test_outsider_dashboard_shows_their_own_statement_only(web, team):
    web.login(team.outsider)

    page = web.get("/").get_data(as_text=True)

    assert "Protect the river defenders" in page
    assert TITLE not in page


def test_admin_dashboard_lists_every_statement(web, team):
    web.login(team.admin)

    page = web.get("/").get_data(as_text=True)

    assert TITLE in page
    assert "Protect the river defenders" in page
