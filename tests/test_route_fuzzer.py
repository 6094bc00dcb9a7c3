"""The route fuzzer: every rule of the URL map answers odd requests with a 4xx, never a 5xx,
and a request that must change nothing changes no row of any table.

What it covers:

- every rule of `app.url_map` (static files and /healthz included), each method the
  rule allows (GET, HEAD, POST), as anonymous, as the statement's owner and as a
  non-member (the owner of another coalition's statement);
- path variables filled with the real slug, ids and signed tokens of a prepared
  statement (open for signatures, open call, signed, invited, with an editor), and
  with odd values: huge ids (2**31, 2**63, 2**64, 40 digits), zero, negative, non-numeric,
  NUL, invalid UTF-8 (percent-encoded raw bytes), 100 KB values, a correctly signed
  token naming a record id beyond 64 bits; query numbers (diff from/to, audit page)
  likewise;
- bodies of every form field name the app knows, each with a broken value: missing
  fields, wrong types, NUL, overlong (100 KB) text, repeated keys, and raw invalid
  UTF-8 bytes as the whole body; query strings likewise. The CSRF token is valid
  (so the request reaches the form), missing or broken;
- after each request: no 5xx, and the row count of every table unchanged. Requests
  are built never to be a valid state change (no field gets a valid value, no
  confirmation gets its "yes"; the four signer actions valid with the CSRF token
  alone, VALID_WITH_CSRF_ALONE, get a missing or broken token), so any new row is a
  half-saved or wrongly accepted request. Rate limits are off here (tested
  elsewhere), or most requests would be 429s before reaching the code.

The tests: the whole map walked deterministically (real values for every persona,
every field name broken at once on each POST, then each odd path value); hypothesis
combining rules, personas, values, query strings and bodies; each main form (new
statement, edit, invited signer, open call, add member) valid but for one broken
field, against its valid baseline; and regressions for each 5xx this file found.
The hypothesis test runs SIGNON_FUZZ_EXAMPLES examples (default 60, derandomized so
CI sees the same requests each run); set the variable to explore more, with a fresh
random seed each run:

    SIGNON_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/test_route_fuzzer.py
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wtforms.fields.core import UnboundField

from signon.accounts.administration import set_password_link
from signon.accounts.credentials import reset_link
from signon.accounts.email_change import confirm_link as confirm_email_link
from signon.accounts.models import Membership, Role, TeamInvitation, User
from signon.accounts.team import join_link
from signon.extensions import db
from signon.routing import MAX_ID
from signon.signatures.links import confirm_contact_link, manage_link, reconfirm_link, verify_link
from signon.signatures.models import Invitation, Signature, SignatureState
from signon.statements.models import Statement
from signon.tokens import Purpose, make_token
from signon.workspace.translating import save_translation_text

from .public_steps import signed_statement
from .sign_on_steps import BASE_URL, invite_partners, sign_form
from .support import Web

EXAMPLES = int(os.environ.get("SIGNON_FUZZ_EXAMPLES") or 60)
HUNDRED_KB = "x" * 100_000
ODD_INTS = ["0", "-1", str(MAX_ID + 1), str(2**63), str(2**64), "9" * 40, "abc", "1.5", "%00"]
ODD_TEXT = ["no-such-thing", "%00", "a%00b", "%FF%FE", "%C0%AF", "..%2F..%2Fpyproject.toml"]
# Broken field values: none is valid for any field of ours (no email address, no
# language code, no time zone, no "yes" a confirmation needs).
BAD_VALUES = [
    "",
    "\x00",
    "a\x00b",
    HUNDRED_KB,
    "-1",
    "0",
    str(2**64),
    "1.5",
    "abc",
    "<script>alert(1)</script>",
    "\u202e\u200b",
]
# Invalid UTF-8 as a raw form body: keys and values both.
RAW_UTF8 = b"\xff\xfe=\xc0\xaf&name=\xed\xa0\x80&body=%FF%FE\x00&title=\xe2\x82"
# Valid with the CSRF token alone (a form filled from the record, a withdrawal, a
# verification), or with one value in every field (a new password typed twice:
# 18446744073709551616 is a strong one): only ever sent with a missing or broken token.
VALID_WITH_CSRF_ALONE = {
    "accounts.confirm_email",
    "accounts.reset",
    "team.join",
    "workspace.team_invitation_revoke",
    "accounts.set_first_password",
    "signer.manage",
    "signer.withdraw_signature",
    "signer.verify",
    "signer.reconfirm_withdraw",
}
STATIC = {"static": "signon.css", "public.static": "statement.css"}


@pytest.fixture
def app_config(app_config):
    # The rate limits are tested elsewhere; here they would turn most requests into
    # 429s before they reach the code under test.
    return {**app_config, "RATELIMIT_ENABLED": False}


def form_field_names() -> list[str]:
    """Every field name of every form the app defines."""
    names = {"csrf_token", "confirm", "version_id", "positions", "page"}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(n for n in dir(form) if isinstance(getattr(form, n, None), UnboundField))
    return sorted(names)


class World:
    """The prepared statement, its people and links, and the three personas."""

    def __init__(self, app, create_statement, create_user, lead):
        self.app = app
        statement, ids = signed_statement(
            app, create_statement, lead, open_call=True, live_list=True
        )
        invite_partners(app, statement, [("Pending Press", "pending@ngo.example")], by=lead)
        editor = create_user(email="editor@coalition.example")
        outsider = create_user(email="other@elsewhere.example")
        resetting = create_user(email="resetting@coalition.example")  # its reset link
        other = create_statement(owner=outsider, title="Another coalition's statement")
        with app.test_request_context():
            db.session.add(
                Membership(user_id=editor.id, statement_id=statement.id, role=Role.EDITOR)
            )
            db.session.commit()
            signature = db.session.get(Signature, ids["Article 19"])
            # Its contact confirmed already: a POST to its /c/ link has nothing to change.
            signature.contact_confirmed = signature.contact_email.lower()
            db.session.commit()
            unverified = db.session.scalars(
                select(Signature).where(
                    Signature.statement_id == statement.id,
                    Signature.state == SignatureState.UNVERIFIED,
                )
            ).first()
            invitation = db.session.scalars(
                select(Invitation).where(Invitation.statement_id == statement.id)
            ).first()
            membership = db.session.scalars(
                select(Membership).where(Membership.user_id == editor.id)
            ).one()
            # A French translation: its editor, its drop and the Languages page.
            save_translation_text(
                db.session.get(Statement, statement.id), language="fr",
                title="Libérez les Onze de Méridia", body="Nous demandons leur libération.",
                actor="fuzzer",
            )  # fmt: skip
            # An email change waiting for its link.
            db.session.get(User, resetting.id).pending_email = "moving@coalition.example"
            # A waiting team invitation, for an address without an account.
            team_invitation = TeamInvitation(
                statement_id=statement.id, email="newcomer@coalition.example",
                role=Role.VIEWER, nonce="fuzz",
            )  # fmt: skip
            db.session.add(team_invitation)
            db.session.commit()

            def path_of(link):
                return link.removeprefix(BASE_URL)

            self.tokens = {
                "/i/": make_token(Purpose.INVITE, invitation.id, invitation.nonce),
                "/m/": path_of(manage_link(signature)).removeprefix("/m/"),
                "/v/": path_of(verify_link(unverified or signature)).removeprefix("/v/"),
                "/r/": path_of(reconfirm_link(signature)).removeprefix("/r/"),
                "/c/": path_of(confirm_contact_link(signature)).removeprefix("/c/"),
                "/password/reset/": path_of(
                    reset_link(db.session.get(User, resetting.id))
                ).removeprefix("/password/reset/"),
                "/team/join/": path_of(join_link(team_invitation)).removeprefix("/team/join/"),
                "/account/email/": path_of(
                    confirm_email_link(db.session.get(User, resetting.id))
                ).removeprefix("/account/email/"),
                "/password/set/": path_of(
                    set_password_link(db.session.get(User, resetting.id))
                ).removeprefix("/password/set/"),
            }
            purpose = {"/i/": Purpose.INVITE, "/m/": Purpose.MANAGE_SIGNATURE}
            purpose |= {"/v/": Purpose.VERIFY_EMAIL, "/r/": Purpose.RECONFIRM}
            purpose |= {"/c/": Purpose.CONFIRM_CONTACT, "/password/reset/": Purpose.RESET_PASSWORD}
            purpose |= {"/password/set/": Purpose.SET_PASSWORD, "/team/join/": Purpose.JOIN_TEAM}
            purpose |= {"/account/email/": Purpose.CHANGE_EMAIL}
            # Correctly signed, naming a record no database integer can hold.
            self.huge_tokens = {p: make_token(purpose[p], 2**64, "n") for p in purpose}
            self.ids = {
                "number": "1",
                "invitation_id": str(invitation.id),
                "member_id": str(membership.id),
                "signature_id": str(signature.id),
                "user_id": str(editor.id),
            }
        self.slug, self.other_slug = statement.slug, other.slug
        self.statement, self.lead = statement, lead
        self.spare = create_user(email="spare@coalition.example").email
        self.personas = {
            "anonymous": _anonymous(app),
            "owner": self._logged_in(lead),
            "non-member": self._logged_in(outsider),
        }
        self.rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)

    def _logged_in(self, user) -> Web:
        web = Web(self.app.test_client())
        assert web.login(user).status_code == 302
        web.persona = "owner" if user.email.startswith("lead@") else "non-member"
        return web

    def real_value(self, rule, name: str) -> str:
        converter = rule._converters[name]
        if rule.endpoint in STATIC:
            return STATIC[rule.endpoint]
        if hasattr(converter, "items"):  # any(pdf, docx, ...)
            return sorted(converter.items)[0]
        if name == "slug":
            return self.slug
        if name == "token":
            return self.tokens[rule.rule[: rule.rule.index("<")]]
        if name == "action":
            return "revoke"
        if name == "day":
            return "2026-12-01"
        if name == "language":
            return "fr"
        return self.ids[name]

    def odd_values(self, rule, name: str) -> list[str]:
        converter = rule._converters[name]
        if hasattr(converter, "items"):
            return ["exe", "%00"]
        if name in self.ids:
            return ODD_INTS
        odd = [*ODD_TEXT, HUNDRED_KB]
        if name == "slug":
            odd.append(self.other_slug)
        if name == "token":
            odd += [self.huge_tokens[rule.rule[: rule.rule.index("<")]], "abc.def.ghi"]
        if name == "day":
            odd += ["9999-99-99", "0000-00-00", "2026-02-30"]
        if name == "language":
            odd += ["en", "zz", "FR", "fr-"]  # the master's own, none, a case, a dash
        return odd

    def counts(self) -> tuple:
        """The number of rows in every table, in one query."""
        with self.app.app_context():
            counts = [
                select(func.count()).select_from(table).scalar_subquery()
                for table in db.metadata.sorted_tables
            ]
            row = db.session.execute(select(*counts)).one()
            db.session.remove()
            return tuple(row)


def _path(rule, values: dict[str, str]) -> str:
    """The rule's path with each variable replaced by its value, taken as it is (so a
    value may carry percent-encoded bytes, NUL or invalid UTF-8, into the path)."""
    out = rule.rule
    for name in rule.arguments:
        out = re.sub(
            rf"<(?:[^<>:]+(?:\([^)]*\))?:)?{name}>", values[name].replace("\\", r"\\"), out
        )
    return out


def _anonymous(app) -> Web:
    web = Web(app.test_client())
    web.persona = "anonymous"
    return web


@pytest.fixture
def world(app, create_statement, create_user, dummy_user):
    return World(app, create_statement, create_user, dummy_user)


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"OPTIONS"})


def send(
    world, web: Web, method: str, path: str, *, body=None, csrf="valid", query="", problems=None
):
    """One request; asserts no 5xx and, for every table, the same number of rows
    (with `problems`, a list, notes them there instead, to report them all at once)."""
    before = world.counts()
    url = path + (f"?{query}" if query else "")
    if method == "POST":
        if isinstance(body, bytes):
            token = web.token().encode()
            raw = (b"csrf_token=" + token + b"&" if csrf == "valid" else b"") + body
            response = web.client.post(
                url, data=raw, content_type="application/x-www-form-urlencoded"
            )
        else:
            data = dict(body or {})
            if csrf == "valid":
                data["csrf_token"] = web.token()
            elif csrf == "broken":
                data["csrf_token"] = web.token()[:-3] + "\x00zz"
            response = web.client.post(url, data=data)
    else:
        response = web.client.open(url, method=method)
    response.close()  # static files answer with an open file
    where = f"{method} {url[:150]} as {web.persona}"
    found = []
    if response.status_code >= 500:
        found.append(f"{where}: {response.status_code}")
    elif world.counts() != before:
        found.append(f"{where} ({response.status_code}) changed row counts")
    if problems is None:
        assert not found, found[0]
    else:
        problems.extend(found)
    return response


def test_every_rule_answers_every_persona_without_a_server_error(world):
    """Each rule, each method, each persona, the real path values; POSTs carry a valid
    CSRF token and no other field, then every field name broken at once (NUL, 100 KB,
    2**64, a repeated key). Then each path variable in turn takes each odd value,
    as the owner (who gets furthest past the access checks)."""
    seen, problems, statuses = set(), [], {}
    for rule in world.rules:
        real = {name: world.real_value(rule, name) for name in rule.arguments}
        csrf = "broken" if rule.endpoint in VALID_WITH_CSRF_ALONE else "valid"
        for method in methods_of(rule):
            for name, web in world.personas.items():
                if rule.endpoint == "accounts.logout" and name != "anonymous":
                    continue  # logging out is a valid change of a session, not of rows
                response = send(world, web, method, _path(rule, real), csrf=csrf, problems=problems)
                statuses[rule.endpoint, method, name] = response.status_code
            if method == "POST":
                # Every field name the app knows, all at once, all broken the same way.
                for value in ("a\x00b", HUNDRED_KB, str(2**64), ["-1", "\x00"], RAW_UTF8):
                    body = value if value is RAW_UTF8 else dict.fromkeys(form_field_names(), value)
                    for web in world.personas.values():
                        if rule.endpoint == "accounts.logout" and web.persona != "anonymous":
                            continue
                        path = _path(rule, real)
                        send(world, web, method, path, body=body, csrf=csrf, problems=problems)
            for name in rule.arguments:
                for odd in world.odd_values(rule, name):
                    owner = world.personas["owner"]
                    path = _path(rule, {**real, name: odd})
                    send(world, owner, method, path, csrf=csrf, problems=problems)
        seen.add(rule.endpoint)
    assert not problems, "\n".join(problems)
    # The real values are real: the owner reaches every page but the editions (none
    # published yet), the contact purge (only once closed) and the administrators' pages.
    refused = {e for (e, m, who), code in statuses.items() if m == "GET" and who == "owner"}
    refused = {e for e in refused if statuses[e, "GET", "owner"] >= 400}
    assert refused == {
        "admin.user",  # the owner is no administrator: these answer 404
        "admin.users",
        "publication.dated_file",
        "publication.team_file",
        # The public reads the statement in no other language than its master's:
        # a translation's public page and files answer 404.
        "public.docx_in",
        "public.pdf_in",
        "public.statement_in",
        "public.text_in",
        "retention.purge_contacts_page",
    }
    assert {"healthz", "static", "public.static", "statements.diff"} <= seen


field_values = st.one_of(
    st.sampled_from(BAD_VALUES),
    st.lists(st.sampled_from(BAD_VALUES), min_size=2, max_size=3),
    # Never a valid value ("1": the master version a translation translates).
    st.text(max_size=40).filter(lambda s: s.strip().lower() not in {"yes", "y", "en", "utc", "1"}),
)
raw_bodies = st.sampled_from(
    [
        b"title=%FF%FE&body=\xff\xfe\xfd",
        b"name=\xc0\xaf&contact_email=\xed\xa0\x80@x",
        b"rows=\x00\x00&confirm=\xff",
        b"\xff\xfe\x00garbage",
        b"body=" + b"\xe2\x82" * 50_000,
    ]
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="SIGNON_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_requests_never_get_a_server_error_nor_change_rows(world, data):
    rule = data.draw(st.sampled_from(world.rules), label="rule")
    method = data.draw(st.sampled_from(methods_of(rule)), label="method")
    persona = data.draw(st.sampled_from(sorted(world.personas)), label="persona")
    if rule.endpoint == "accounts.logout":
        persona = "anonymous"
    values = {}
    for name in rule.arguments:
        choices = [world.real_value(rule, name), *world.odd_values(rule, name)]
        values[name] = data.draw(st.sampled_from(choices), label=name)
    query = urlencode(
        data.draw(
            st.dictionaries(
                st.sampled_from(["from", "to", "page", "size", "a", "next"]),
                field_values,
                max_size=3,
            ),
            label="query",
        ),
        doseq=True,
    )
    body = None
    if method == "POST":
        names = form_field_names()
        body = data.draw(
            st.one_of(
                raw_bodies, st.dictionaries(st.sampled_from(names), field_values, max_size=6)
            ),
            label="body",
        )
        if isinstance(body, dict):
            body.pop("csrf_token", None)
    csrf = data.draw(st.sampled_from(["valid", "valid", "missing", "broken"]), label="csrf")
    if rule.endpoint in VALID_WITH_CSRF_ALONE:
        csrf = data.draw(st.sampled_from(["missing", "broken"]), label="csrf")
    send(
        world,
        world.personas[persona],
        method,
        _path(rule, values),
        body=body,
        csrf=csrf,
        query=query,
    )


STATEMENT_FORM = {
    "title": "Free the journalists",
    "language": "en",
    "body": "We call for their release.",
    "lead_organisations": "Meridia Press Union",
    "note": "Second reading",
    "save": "Save",
}
BREAKS = {
    "missing": None,
    "NUL": "a\x00b",
    "repeated with NUL": ["a\x00", "b"],
    "100 KB": HUNDRED_KB,
    "300 KB": "x" * 300_000,
}
TEXT_BREAKS = ("NUL", "repeated with NUL", "100 KB")
REQUIRED_BREAKS = ("missing", *TEXT_BREAKS)
# Per form: each field and the breaks that must make the whole post refused. Not
# listed: a break that is still valid input (an optional field left out, a
# checkbox, whose any value means ticked; a 100 KB body, under the 200 KB limit).
STATEMENT_BREAKS = {
    "title": REQUIRED_BREAKS,
    "language": REQUIRED_BREAKS,
    "body": ("missing", "NUL", "repeated with NUL", "300 KB"),
    "lead_organisations": TEXT_BREAKS,
    "note": TEXT_BREAKS,
}
SIGNER_BREAKS = {
    "name": REQUIRED_BREAKS,
    "authorised": ("missing",),
    "kind": ("NUL", "100 KB"),
    **{
        field: TEXT_BREAKS
        for field in ("acronym", "country", "website", "authorised_by", "authoriser_title", "note")
    },
}


def good_forms(world) -> dict[str, tuple[str, dict, dict]]:
    """A valid post for each main form, and the breaks each field must not survive."""
    (invited,) = invite_partners(
        world.app, world.statement, [("Late Press", "late@ngo.example")], by=world.lead
    )
    signing = sign_form(name="Late Press", contact_email="late@ngo.example")
    edit = {
        **STATEMENT_FORM,
        "body": "We call for their immediate release.",
        "change_kind": "minor",
    }
    return {
        "new statement": ("/statements/new", STATEMENT_FORM, STATEMENT_BREAKS),
        "edit": (
            f"/statements/{world.slug}/edit",
            edit,
            {**STATEMENT_BREAKS, "change_kind": ("missing", "NUL", "100 KB")},
        ),
        "invited signer": (
            invited + "/sign",
            signing,
            {**SIGNER_BREAKS, "contact_email": TEXT_BREAKS},
        ),
        "open call": (
            f"/s/{world.slug}/sign",
            {**signing, "contact_email": "new@ngo.example"},
            {**SIGNER_BREAKS, "contact_email": REQUIRED_BREAKS},
        ),
        "translation": (
            f"/statements/{world.slug}/translations/fr",
            {
                "title": "Libérez les journalistes",
                "body": "Nous demandons leur libération immédiate.",
                "intro": "Signé par :",
                "note": "Relu",
                "master_version": "1",
                "save": "Save the translation",
            },
            {
                "title": REQUIRED_BREAKS,
                "body": ("missing", "NUL", "repeated with NUL", "300 KB"),
                "master_version": ("missing", "NUL", "repeated with NUL", "100 KB"),
                "intro": TEXT_BREAKS,
                "note": TEXT_BREAKS,
            },
        ),
        "add member": (
            f"/statements/{world.slug}/members",
            {"email": world.spare, "role": "editor"},
            {"email": REQUIRED_BREAKS, "role": ("NUL", "100 KB")},
        ),
    }


def test_a_valid_form_with_one_field_broken_is_refused_whole(world):
    """Each main form, valid but for one field: missing, holding NUL, repeated, overlong.
    A 4xx, never a 5xx, never a row; the valid form itself then saves (so the baseline
    is real and each refusal is the broken field's doing)."""
    problems = []
    for label, (url, form, breaks) in good_forms(world).items():
        signer = url.startswith(("/i/", "/s/"))
        web = world.personas["anonymous" if signer else "owner"]
        for field, hows in breaks.items():
            for how in hows:
                data = {k: v for k, v in form.items() if k != field}
                if BREAKS[how] is not None:
                    data[field] = BREAKS[how]
                response = send(world, web, "POST", url, body=data, problems=problems)
                if response.status_code not in (400, 409, 422):
                    problems.append(f"{label}, {field} {how}: {response.status_code}")
        before = world.counts()
        send(world, web, "POST", url, body=form, problems=[])
        if world.counts() == before:
            problems.append(f"{label}: the valid form saved nothing")
    assert not problems, "\n".join(problems)


BEYOND = [str(MAX_ID + 1), str(2**63), str(2**64), "0", "-1"]


@pytest.mark.parametrize("number", BEYOND)
def test_ids_beyond_64_bits_or_below_one_are_not_found(world, number):
    """Once an OverflowError (a 500) on SQLite for each of these beyond 64 bits, and an
    "integer out of range" on PostgreSQL beyond 2**31-1 (MAX_ID); now a 404."""
    slug, owner = world.slug, world.personas["owner"]
    base = f"/statements/{slug}"
    gets = [
        f"{base}/versions/{number}",
        f"{base}/diff?from={number}",
        f"{base}/diff?to={number}",
        f"{base}/diff?from=1&to={number}",
        f"{base}/signatures/{number}/edit",
        f"{base}/audit?page={number}",
        *(f"{base}/editions/{number}.{kind}" for kind in ("pdf", "docx", "csv")),
    ]
    posts = [
        f"{base}/signatures/{number}/edit",
        f"{base}/invitations/{number}/revoke",
        f"{base}/invitations/{number}/resend",
        f"{base}/members/{number}/role",
        f"{base}/members/{number}/remove",
        f"{base}/signatures/{number}/approve",
        f"{base}/signatures/{number}/reject",
    ]
    for url in gets:
        assert send(world, owner, "GET", url).status_code == 404, url
    for url in posts:
        assert send(world, owner, "POST", url, body={"role": "viewer"}).status_code == 404, url
    # The largest id there can be is a well-formed id that names nothing.
    assert send(world, owner, "GET", f"{base}/versions/{MAX_ID}").status_code == 404
    assert send(world, owner, "GET", f"{base}/versions/1").status_code == 200


def test_a_signed_link_naming_an_id_beyond_64_bits_is_an_invalid_link(world):
    """Only a holder of the secret key can sign one, but it was still a 500."""
    for prefix, token in world.huge_tokens.items():
        page = "/confirm" if prefix == "/r/" else ""
        method = "POST" if page else "GET"
        response = send(world, world.personas["anonymous"], method, f"{prefix}{token}{page}")
        assert 400 <= response.status_code < 500, prefix
        assert "link" in response.get_data(as_text=True).lower(), prefix


def test_diff_numbers_that_are_not_numbers_are_not_found(world):
    """from=abc once fell back to the default silently; a number there is a number."""
    owner = world.personas["owner"]
    for query in ("from=abc", "to=1.5", "from=%00", "to=%EF%BC%91"):  # the last: fullwidth 1
        url = f"/statements/{world.slug}/diff?{query}"
        assert send(world, owner, "GET", url).status_code == 404, query
    assert (
        send(world, owner, "GET", f"/statements/{world.slug}/diff?from=1&to=1").status_code == 200
    )


def test_a_nul_in_a_path_segment_is_not_found(world):
    """PostgreSQL refuses NUL in a text parameter: /s/a%00b was a 500 there, on every
    route that looks a slug up. Now the route does not match: a 404, on both databases."""
    for path in ("/s/a%00b", "/api/v1/statements/%00", "/statements/a%00b/diff", "/s/%1F.pdf"):
        for web in world.personas.values():
            assert send(world, web, "GET", path).status_code == 404, path


def test_a_nul_in_the_login_email_is_refused_not_a_server_error(world):
    web = world.personas["anonymous"]
    response = send(
        world, web, "POST", "/login", body={"email": "a\x00b@x.example", "password": "x"}
    )
    assert 400 <= response.status_code < 500
