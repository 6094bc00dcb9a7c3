"""The agreed order: the list prints in the order the coalition agreed, not the order
people happened to sign in. Invitations take their line's place in the pasted list,
partners take their invitation's place whenever they sign, later signatures go to
the end, and the team rearranges the list on the Signatures page without JavaScript.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.publication.models import Edition
from signon.signatures.models import Invitation, Signature
from signon.statements.models import Statement

from .mail_support import outbox, sign_through_link
from .mailbox import links_in
from .public_steps import close_statement, list_items, logged_in, publish
from .sign_on_steps import BASE_URL, invite, open_statement, partner, sign_form
from .support import Web, input_value
from .test_accounts import accept_invitation
from .test_concurrent_sign_ons import Browser, live_server, post_all_at_once  # noqa: F401 (a fixture)

# The order the coalition agreed: lead authors first, then partners; not alphabetical.
AGREED = [
    ("Civil Rights Defenders", "crd@crd.example"),
    ("Norwegian Helsinki Committee", "nhc@nhc.example"),
    ("Article 19", "a19@a19.example"),
    ("Zeta Press Union", "zpu@zeta.example"),
    ("Bir Duino", "bd@birduino.example"),
]


def pasted(partners) -> str:
    return "\n".join(f"{name}, {email}" for name, email in partners)


@pytest.fixture
def lead(app, dummy_user, dummy_statement) -> Web:
    """The owner, logged in, the statement open with its list printed as listed."""
    web = logged_in(app, dummy_user)
    open_statement(
        web,
        dummy_statement.slug,
        deadline="2099-06-30T18:00",
        signatory_order="as-listed",
        open_call="y",
    )
    return web


def emailed_links(app) -> dict[str, str]:
    """Each invited address and the link its invitation email carries."""
    return {
        message.to_address: next(
            link for link in re.findall(r"https?://\S+", message.text_body) if "/i/" in link
        )
        for message in outbox(app, kind="invitation")
    }


def sign(app, link: str, name: str, email: str):
    response = sign_through_link(
        app.test_client(), link, name=name, acronym="", contact_email=email
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def signatures_page(web, statement, status: int = 200) -> str:
    response = web.get(f"/statements/{statement.slug}/signatures")
    assert response.status_code == status
    return response.get_data(as_text=True)


def final_list(page: str) -> list[str]:
    """The preview "The final list, as it will print", entry by entry."""
    return list_items(page.split('id="final-heading"', 1)[1])


def table_order(page: str) -> list[str]:
    """The names of the Signatures table's rows, top to bottom."""
    return [
        name.strip()
        for name in re.findall(
            r'<tr id="signature-\d+">\s*<td[^>]*>.*?<td><span class="printed-line">([^<(,]+)',
            page,
            re.S,
        )
    ]


def order_form(page: str) -> dict[str, str]:
    """The order form as the page fills it in: its revision and every row's position."""
    data = {"revision": input_value(page, "revision")}
    for signature_id, value in re.findall(r'name="position-(\d+)" value="([^"]*)"', page):
        data[f"position-{signature_id}"] = value
    return data


def ids(app, statement) -> dict[str, int]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(Signature.name, Signature.id).where(Signature.statement_id == statement.id)
            ).all()
        )


def saved_order(app, statement) -> dict:
    """Everything an order form may change: positions, the setting, the revision,
    and the audit rows of reorders."""
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        return {
            "signatures": db.session.execute(
                select(Signature.id, Signature.position)
                .where(Signature.statement_id == statement.id)
                .order_by(Signature.id)
            ).all(),
            "invitations": db.session.execute(
                select(Invitation.id, Invitation.position)
                .where(Invitation.statement_id == statement.id)
                .order_by(Invitation.id)
            ).all(),
            "ordering": record.signatory_order.value,
            "revision": record.list_revision,
            "reorders": db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "list reordered")
            ),
        }


def every_position(app, statement) -> list[int]:
    """One position per entry: each invitation, and each signature not from one."""
    with app.app_context():
        invitations = db.session.scalars(
            select(Invitation.position).where(Invitation.statement_id == statement.id)
        ).all()
        others = db.session.scalars(
            select(Signature.position).where(
                Signature.statement_id == statement.id, Signature.invitation_id.is_(None)
            )
        ).all()
        return [*invitations, *others]


def sign_through_the_open_call(app, web, statement, name: str, email: str) -> None:
    """A visitor signs the public form, confirms their address, the team approves."""
    visitor = partner(app, f"/s/{statement.slug}/sign")
    response = visitor.post(
        f"/s/{statement.slug}/sign",
        sign_form(name=name, contact_email=email, acronym="", country="", website=""),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    (message,) = [m for m in outbox(app, kind="verify_email") if m.to_address == email]
    verify = next(u for u in re.findall(r"https?://\S+", message.text_body) if "/v/" in u)
    confirmer = partner(app, verify.removeprefix(BASE_URL))
    assert confirmer.post(verify.removeprefix(BASE_URL)).status_code == 303
    approved = web.post(
        f"/statements/{statement.slug}/signatures/{ids(app, statement)[name]}/approve"
    )
    assert approved.status_code == 302


def arranged(app, web, statement, *names: str) -> dict[str, str]:
    """The order form with the named entries at positions 1, 2, 3 …"""
    page = signatures_page(web, statement)
    data = order_form(page)
    by_name = ids(app, statement)
    for place, name in enumerate(names, start=1):
        data[f"position-{by_name[name]}"] = str(place)
    return data


def save_order(web, statement, data: dict):
    return web.post(f"/statements/{statement.slug}/signatures/order", data)


# Invitations and signatures take their places


def test_partners_who_sign_in_another_order_print_in_the_agreed_order(
    app, lead, dummy_statement, mail_via_smtp, send_outbox
):
    assert invite(lead, dummy_statement.slug, pasted(AGREED)).status_code == 302
    send_outbox()
    messages = mail_via_smtp.wait_for(len(AGREED))
    links = {
        message["To"]: next(u for u in links_in(message) if "/i/" in u) for message in messages
    }

    for name, email in reversed(AGREED):  # the last of the list answers first
        sign(app, links[email], name, email)

    page = signatures_page(lead, dummy_statement)
    names = [name for name, _ in AGREED]
    assert final_list(page) == names
    assert table_order(page) == names
    assert sorted(every_position(app, dummy_statement)) == [1, 2, 3, 4, 5]


def test_a_second_list_goes_after_the_first_and_the_open_call_after_both(
    app, lead, dummy_statement
):
    invite(lead, dummy_statement.slug, pasted(AGREED[:3]))
    # Nobody of the first list has signed yet when a visitor signs the open call.
    sign_through_the_open_call(app, lead, dummy_statement, "Early Visitor", "ev@visitor.example")
    invite(lead, dummy_statement.slug, pasted(AGREED[3:]))
    links = emailed_links(app)
    for name, email in [AGREED[4], AGREED[0], AGREED[3], AGREED[2], AGREED[1]]:
        sign(app, links[email], name, email)
    sign_through_the_open_call(app, lead, dummy_statement, "Late Visitor", "lv@visitor.example")

    assert final_list(signatures_page(lead, dummy_statement)) == [
        *[name for name, _ in AGREED[:3]],
        "Early Visitor",
        *[name for name, _ in AGREED[3:]],
        "Late Visitor",
    ]
    positions = every_position(app, dummy_statement)
    assert sorted(positions) == list(range(1, 8))


def test_a_withdrawn_partner_who_signs_again_keeps_their_place(app, lead, dummy_statement):
    invite(lead, dummy_statement.slug, pasted(AGREED[:3]))
    links = emailed_links(app)
    for name, email in AGREED[:3]:
        sign(app, links[email], name, email)
    from .public_steps import withdraw_signature

    withdraw_signature(app, ids(app, dummy_statement)["Civil Rights Defenders"])
    assert final_list(signatures_page(lead, dummy_statement))[0] == "Norwegian Helsinki Committee"

    sign(app, links["crd@crd.example"], "Civil Rights Defenders", "crd@crd.example")

    assert final_list(signatures_page(lead, dummy_statement)) == [n for n, _ in AGREED[:3]]


# The team rearranges the list


@pytest.fixture
def signed(app, lead, dummy_statement):
    """Three partners of the agreed list signed; a fourth was invited, not yet signed."""
    invite(lead, dummy_statement.slug, pasted(AGREED[:4]))
    links = emailed_links(app)
    for name, email in AGREED[:3]:
        sign(app, links[email], name, email)
    return links


def test_owner_types_positions_and_the_preview_shows_the_new_order(
    app, lead, dummy_statement, signed
):
    data = arranged(app, lead, dummy_statement, "Article 19", "Civil Rights Defenders")
    data[f"position-{ids(app, dummy_statement)['Norwegian Helsinki Committee']}"] = "3"

    response = save_order(lead, dummy_statement, data)

    assert response.status_code == 302
    assert response.location.endswith("/signatures#order-form")
    page = lead.get(response.location).get_data(as_text=True)
    assert "Order saved." in page
    expected = ["Article 19", "Civil Rights Defenders", "Norwegian Helsinki Committee"]
    assert final_list(page) == expected
    assert table_order(page) == expected
    by_name = ids(app, dummy_statement)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "list reordered"))
        assert event.actor == "Lena Lead <lead@coalition.example>"
        assert event.detail["order"] == [by_name[name] for name in expected]


def test_a_partner_who_signs_after_a_reorder_keeps_their_place_among_the_others(
    app, lead, dummy_statement
):
    invite(lead, dummy_statement.slug, pasted(AGREED[:4]))
    links = emailed_links(app)
    for name, email in [AGREED[0], AGREED[1], AGREED[3]]:  # Article 19 (3rd) not yet
        sign(app, links[email], name, email)
    # The team puts Zeta Press Union first; Article 19's place stays between the others.
    data = arranged(
        app,
        lead,
        dummy_statement,
        "Zeta Press Union",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    )
    assert save_order(lead, dummy_statement, data).status_code == 302

    sign(app, links["a19@a19.example"], "Article 19", "a19@a19.example")

    assert final_list(signatures_page(lead, dummy_statement)) == [
        "Zeta Press Union",
        "Civil Rights Defenders",
        "Article 19",
        "Norwegian Helsinki Committee",
    ]
    assert sorted(every_position(app, dummy_statement)) == [1, 2, 3, 4]


def test_editor_moves_an_entry_up_with_its_arrow(app, lead, dummy_statement, signed, create_user):
    editor = create_user(email="ed@coalition.example", name="Ed Editor")
    members = lead.get(f"/statements/{dummy_statement.slug}/members")
    assert members.status_code == 200
    lead.post(
        f"/statements/{dummy_statement.slug}/members", {"email": editor.email, "role": "editor"}
    )
    web = logged_in(app, editor)
    assert accept_invitation(app, dummy_statement, editor.email, web) == 302
    page = signatures_page(web, dummy_statement)
    article = ids(app, dummy_statement)["Article 19"]
    assert f'name="move" value="up-{article}"' in page
    first = ids(app, dummy_statement)["Civil Rights Defenders"]
    assert f'value="up-{first}"' not in page  # the first entry has no way up

    response = save_order(web, dummy_statement, {**order_form(page), "move": f"up-{article}"})

    assert response.status_code == 302
    assert response.location.endswith(f"/signatures#signature-{article}")
    assert final_list(signatures_page(web, dummy_statement)) == [
        "Civil Rights Defenders",
        "Article 19",
        "Norwegian Helsinki Committee",
    ]


def test_an_arrow_keeps_the_positions_typed_before_it(app, lead, dummy_statement, signed):
    data = arranged(
        app,
        lead,
        dummy_statement,
        "Norwegian Helsinki Committee",
        "Civil Rights Defenders",
        "Article 19",
    )
    data["move"] = f"down-{ids(app, dummy_statement)['Norwegian Helsinki Committee']}"

    assert save_order(lead, dummy_statement, data).status_code == 302

    assert final_list(signatures_page(lead, dummy_statement)) == [
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
        "Article 19",
    ]


def test_saving_the_same_order_changes_nothing(app, lead, dummy_statement, signed):
    before = saved_order(app, dummy_statement)

    response = save_order(lead, dummy_statement, order_form(signatures_page(lead, dummy_statement)))

    assert response.status_code == 302
    assert "The order is unchanged." in lead.get(response.location).get_data(as_text=True)
    assert saved_order(app, dummy_statement) == before


def test_an_alphabetical_list_says_the_order_needs_as_listed_and_saving_switches_it(
    app, web, dummy_user, dummy_statement
):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, signatory_order="alphabetical")
    invite(web, dummy_statement.slug, pasted(AGREED[:3]))
    links = emailed_links(app)
    for name, email in AGREED[:3]:
        sign(app, links[email], name, email)
    page = signatures_page(web, dummy_statement)
    assert final_list(page) == [
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    ]
    assert table_order(page) == [name for name, _ in AGREED[:3]]
    assert "The list prints in alphabetical order" in page
    assert "a manual order applies only with “As listed”" in page
    assert "Saving an order switches the list to “As listed”." in page

    response = save_order(web, dummy_statement, order_form(page))  # the agreed order as is

    assert response.status_code == 302
    page = web.get(response.location).get_data(as_text=True)
    assert (
        "The list now prints in this order (“As listed”); it printed in alphabetical order." in page
    )
    assert final_list(page) == [name for name, _ in AGREED[:3]]
    assert "a manual order applies only" not in page
    with app.app_context():
        assert db.session.get(Statement, dummy_statement.id).signatory_order.value == "as-listed"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "list reordered"))
        assert event.detail["ordering"] == {"before": "alphabetical", "after": "as-listed"}


# Bad order forms: a clear message, a 4xx, nothing saved


def _out_of_range(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "4"
    return "Position 4 for “Article 19” is out of range: use a number from 1 to 3."


def _huge(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "9" * 5000
    return "for “Article 19” is out of range: use a number from 1 to 3."


def _zero(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "0"
    return "Position 0 for “Article 19” is out of range: use a number from 1 to 3."


def _duplicate(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "1"
    return "“Civil Rights Defenders” and “Article 19” both have position 1."


def _missing(ids_, data):
    del data[f"position-{ids_['Article 19']}"]
    return "The order leaves out “Article 19”."


def _words(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "two"
    return "The position of “Article 19” is not a whole number. Use a number from 1 to 3."


def _fraction(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "1.5"
    return "The position of “Article 19” is not a whole number."


def _negative(ids_, data):
    data[f"position-{ids_['Article 19']}"] = "-1"
    return "The position of “Article 19” is not a whole number."


def _empty(ids_, data):
    data[f"position-{ids_['Article 19']}"] = ""
    return "The position of “Article 19” is not a whole number."


def _not_an_id(ids_, data):
    data["position-abc"] = "4"
    return "The order form names an entry that is not on this list."


def _revision_missing(ids_, data):
    del data["revision"]
    return "The order form is incomplete."


def _unknown_move(ids_, data):
    data["move"] = "sideways-1"
    return "The order form asked for a move it does not know."


BAD_FORMS = [
    _out_of_range, _huge, _zero, _duplicate, _missing, _words, _fraction, _negative, _empty,
    _not_an_id, _revision_missing, _unknown_move,
]  # fmt: skip


@pytest.mark.parametrize("spoil", BAD_FORMS, ids=lambda f: f.__name__.strip("_"))
def test_a_bad_order_form_is_refused_with_a_clear_message(
    app, lead, dummy_statement, signed, spoil
):
    data = order_form(signatures_page(lead, dummy_statement))
    message = spoil(ids(app, dummy_statement), data)
    before = saved_order(app, dummy_statement)

    response = save_order(lead, dummy_statement, data)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The order was not saved." in page
    assert message in page.replace("&#34;", '"')
    assert saved_order(app, dummy_statement) == before


def test_a_position_typed_wrong_stays_in_its_box_to_be_corrected(
    app, lead, dummy_statement, signed
):
    data = order_form(signatures_page(lead, dummy_statement))
    article = ids(app, dummy_statement)["Article 19"]
    data[f"position-{article}"] = "7"

    page = save_order(lead, dummy_statement, data).get_data(as_text=True)

    assert f'name="position-{article}" value="7"' in page


def test_an_entry_of_another_statement_is_refused(
    app, lead, dummy_statement, signed, create_statement, dummy_user
):
    from .sign_on_steps import invite_partners, open_for_signing

    other = create_statement(title="Protect the river defenders")
    open_for_signing(app, other)
    (path,) = invite_partners(app, other, [("River Watch", "rw@river.example")], by=dummy_user)
    signer = partner(app, path + "/sign")
    signer.post(path + "/sign", sign_form(name="River Watch", contact_email="rw@river.example"))
    foreign = ids(app, other)["River Watch"]
    data = order_form(signatures_page(lead, dummy_statement))
    data[f"position-{foreign}"] = "4"
    before, other_before = saved_order(app, dummy_statement), saved_order(app, other)

    response = save_order(lead, dummy_statement, data)

    assert response.status_code == 400
    assert "The order names an entry that is not on this list." in response.get_data(as_text=True)
    assert saved_order(app, dummy_statement) == before
    assert saved_order(app, other) == other_before
    # Nor can an arrow move it.
    data = order_form(signatures_page(lead, dummy_statement))
    response = save_order(lead, dummy_statement, {**data, "move": f"up-{foreign}"})
    assert response.status_code == 400
    assert saved_order(app, other) == other_before


def test_an_order_form_for_a_list_that_changed_meanwhile_saves_nothing(
    app, lead, dummy_statement, signed
):
    page = signatures_page(lead, dummy_statement)
    data = arranged(
        app,
        lead,
        dummy_statement,
        "Article 19",
        "Norwegian Helsinki Committee",
        "Civil Rights Defenders",
    )
    data["revision"] = input_value(page, "revision")
    sign(app, signed["zpu@zeta.example"], "Zeta Press Union", "zpu@zeta.example")  # meanwhile
    before = saved_order(app, dummy_statement)

    response = save_order(lead, dummy_statement, data)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The order was not saved." in page
    assert "The list changed after you opened this page" in page
    assert saved_order(app, dummy_statement) == before
    # The page shows the list as it is now, ready to be arranged again.
    assert table_order(page) == [name for name, _ in AGREED[:4]]
    assert input_value(page, "revision") == str(before["revision"])


def test_two_members_arranging_at_once_the_second_is_told(
    app, lead, dummy_statement, signed, create_user
):
    colleague = create_user(email="co@coalition.example", name="Co Owner")
    lead.post(
        f"/statements/{dummy_statement.slug}/members", {"email": colleague.email, "role": "editor"}
    )
    other = logged_in(app, colleague)
    assert accept_invitation(app, dummy_statement, colleague.email, other) == 302
    theirs = arranged(
        app,
        other,
        dummy_statement,
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    )
    mine = arranged(
        app,
        lead,
        dummy_statement,
        "Norwegian Helsinki Committee",
        "Article 19",
        "Civil Rights Defenders",
    )

    assert save_order(other, dummy_statement, theirs).status_code == 302
    response = save_order(lead, dummy_statement, mine)

    assert response.status_code == 409
    assert final_list(signatures_page(lead, dummy_statement)) == [
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    ]


def test_viewers_see_the_order_but_cannot_change_it(
    app, lead, dummy_statement, signed, create_user
):
    viewer = create_user(email="vi@comms.example", name="Vi Viewer")
    lead.post(
        f"/statements/{dummy_statement.slug}/members", {"email": viewer.email, "role": "viewer"}
    )
    web = logged_in(app, viewer)
    assert accept_invitation(app, dummy_statement, viewer.email, web) == 302

    page = signatures_page(web, dummy_statement)

    assert table_order(page) == [name for name, _ in AGREED[:3]]
    assert re.findall(r'<td class="order-cell" data-label="Position">\s*(\d+)\s*</td>', page) == [
        "1",
        "2",
        "3",
    ]
    assert 'name="position-' not in page
    assert "Save order" not in page
    data = arranged(
        app,
        lead,
        dummy_statement,
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    )
    before = saved_order(app, dummy_statement)
    response = save_order(web, dummy_statement, data)
    assert response.status_code == 403
    assert saved_order(app, dummy_statement) == before


# After publication


def test_a_new_order_after_publication_makes_the_next_edition(app, lead, dummy_statement, signed):
    close_statement(app, dummy_statement)
    publish(app, dummy_statement)
    data = arranged(
        app,
        lead,
        dummy_statement,
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    )

    response = save_order(lead, dummy_statement, data)

    assert response.status_code == 302
    assert "The published list has a new edition (2)." in lead.get(response.location).get_data(
        as_text=True
    )
    with app.app_context():
        editions = db.session.scalars(select(Edition).order_by(Edition.number)).all()
        assert [e.reason for e in editions] == ["published", "list updated: list reordered"]
    public = app.test_client()
    assert list_items(public.get(f"/s/{dummy_statement.slug}").get_data(as_text=True)) == [
        "Article 19",
        "Civil Rights Defenders",
        "Norwegian Helsinki Committee",
    ]
    with public.get(f"/s/{dummy_statement.slug}.pdf") as pdf:  # closes the file it sends
        assert pdf.status_code == 200
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = " ".join(text.split())
    names = ("Article 19", "Civil Rights Defenders", "Norwegian Helsinki Committee")
    spots = [text.index(name) for name in names]
    assert spots == sorted(spots)


# At the same moment


@pytest.fixture
def app_config(app_config):
    # Every visitor below comes from 127.0.0.1: the public form's per-address limit
    # would otherwise stop them long before they are through.
    return {**app_config, "RATELIMIT_PUBLIC_FORM": "1000 per hour"}


def test_visitors_signing_at_the_same_moment_each_get_their_own_place(
    app, lead, dummy_statement, request
):
    port = request.getfixturevalue("live_server")  # the app served, one thread per request
    invite(lead, dummy_statement.slug, pasted(AGREED[:2]))
    path = f"/s/{dummy_statement.slug}/sign"
    browsers = [Browser(port) for _ in range(10)]
    for browser in browsers:
        browser.open_form(path)

    results = post_all_at_once(
        [
            lambda b=browser, n=n: b.sign(
                path, name=f"Visitor {n}", contact_email=f"visitor{n}@visitors.example"
            )
            for n, browser in enumerate(browsers)
        ]
    )

    assert [status for status, _ in results] == [303] * 10
    positions = every_position(app, dummy_statement)
    assert sorted(positions) == list(range(1, 13))  # the two invitations first, then one each
