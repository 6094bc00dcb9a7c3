"""Issue 15's story: a Russian-master statement with English and Kyrgyz
translations; partners sign in English, Russian and Kyrgyz from real emails; a
minor master change keeps everyone listed; a substantive one puts both
translations out of date; the English one is updated, its reader confirms in
English, the Russian reader withdraws; the Kyrgyz one is dropped before
publication; the published list names exactly the right signers. And the bad
input: a translation of a version that does not exist, a signing link for a
language that is out of date."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from signon.accounts.models import User
from signon.extensions import db
from signon.publication.service import PublicationError
from signon.publication.service import publish as publish_statement
from signon.signatures.models import Signature, SignatureState
from signon.statements.models import ChangeKind, Statement
from signon.statements.translation_models import TranslationVersion
from signon.statements.translations import TranslationError, language_states, save_translation
from signon.workspace.editing import save_next_version
from signon.workspace.translating import drop_translation_text, save_translation_text

from .mailbox import links_in, text_of
from .public_steps import close_statement
from .sign_on_steps import invite, open_for_signing, sign_form
from .support import Web, csrf_token_in

RU = ("Свободу журналистам", "Мы требуем освободить журналистов.")
EN = ("Free the journalists", "We demand the release of the journalists.")
KY = ("Журналисттерге эркиндик", "Биз журналисттерди бошотууну талап кылабыз.")
RU_NAME = "Сеть свободы прессы"  # the English partner's name, as it gives it in Russian
PARTNERS = {
    "en": ("Press Freedom Network", "en@ngo.example"),
    "ru": ("Пресс-клуб", "ru@ngo.example"),
    "ky": ("Басма сөз клубу", "ky@ngo.example"),
}


def translate(app, statement, language, title, body, user):
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        version, asked = save_translation_text(
            record, language=language, title=title, body=body,
            actor=db.session.get(User, user.id),
        )  # fmt: skip
        db.session.commit()
        return version.number, asked


def change_master(app, statement, body, kind, user):
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        save_next_version(
            record, title=RU[0], body=body, author=db.session.get(User, user.id),
            actor=db.session.get(User, user.id), note="", kind=kind,
        )  # fmt: skip
        db.session.commit()


def listed(lead: Web, slug: str) -> list[str]:
    data = lead.get(f"/statements/{slug}/preview.json").get_json()
    return sorted(entry["name"] for entry in data["signatories"])


def states(app, statement) -> dict[str, str]:
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        return {
            s.language: "dropped" if s.dropped else "current" if s.current else "out of date"
            for s in language_states(record)
            if not s.master
        }


def mail_to(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if m["To"] == address]


@pytest.fixture
def story(app, web, create_statement, dummy_user, mail_via_smtp, send_outbox):
    statement = create_statement(title=RU[0], body=RU[1], language="ru")
    translate(app, statement, "en", *EN, dummy_user)
    translate(app, statement, "ky", *KY, dummy_user)
    open_for_signing(app, statement)
    web.login(dummy_user)
    rows = "".join(f"{org}, {email}, , {code}\n" for code, (org, email) in PARTNERS.items())
    assert invite(web, statement.slug, rows).status_code == 302
    assert send_outbox().sent == 3
    mail_via_smtp.wait_for(3)
    return statement


def test_partners_sign_in_their_language_and_consent_follows_each_text(
    app, web, story, dummy_user, mail_via_smtp, send_outbox
):
    statement, slug = story, story.slug
    subjects = {
        code: mail_to(mail_via_smtp, email)[0]["Subject"] for code, (_o, email) in PARTNERS.items()
    }
    assert subjects["en"] == f"Invitation to sign: {EN[0]}" or subjects["en"].startswith(
        "Invitation to sign"
    )
    assert subjects["ru"].startswith("Приглашение подписать")
    assert re.search("[а-яөүң]", subjects["ky"]) and not subjects["ky"].startswith("Приглашение")

    # Each partner follows the link out of their email and signs the text in their language.
    for code, (organisation, email) in PARTNERS.items():
        link = links_in(mail_to(mail_via_smtp, email)[0])[0].removeprefix("http://signon.test")
        signer = Web(app.test_client())
        page = signer.client.get(f"{link}/sign")
        body = page.get_data(as_text=True)
        text = {"en": EN, "ru": RU, "ky": KY}[code][1]
        assert text in body, code
        # The English partner gives its name in Russian too, for the Russian documents.
        other = f"ru: {RU_NAME}" if code == "en" else ""
        response = signer.client.post(
            f"{link}/sign?text={code}",
            data={**sign_form(name=organisation, contact_email=email), "other_names": other,
                  "csrf_token": csrf_token_in(body)},
        )  # fmt: skip
        assert response.status_code == 303, response.get_data(as_text=True)[:500]

    with app.app_context():
        signatures = {s.contact_email: s for s in db.session.scalars(select(Signature))}
        english = signatures["en@ngo.example"]
        assert english.translation_version.translation.language == "en"
        assert english.translation_sha256 == english.translation_version.sha256
        assert english.version.number == 1 and english.text_sha256 == english.version.sha256
        russian = signatures["ru@ngo.example"]
        assert russian.translation_version is None and russian.translation_sha256 == ""
    # The statement's own documents (JSON included) print the name given in Russian.
    everyone = sorted([RU_NAME, *(org for code, (org, _e) in PARTNERS.items() if code != "en")])
    assert listed(web, slug) == everyone

    # A minor master change: every translation stays current, everyone stays listed.
    change_master(app, statement, RU[1] + " Сейчас.", ChangeKind.MINOR, dummy_user)
    assert states(app, statement) == {"en": "current", "ky": "current"}
    assert listed(web, slug) == everyone

    # A substantive one: both translations out of date; the Russian reader is asked,
    # the others wait for their translation; nobody is listed.
    send_outbox()
    before = len(mail_via_smtp.messages)
    change_master(app, statement, "Мы требуем немедленно освободить всех журналистов.",
                  ChangeKind.SUBSTANTIVE, dummy_user)  # fmt: skip
    assert states(app, statement) == {"en": "out of date", "ky": "out of date"}
    assert listed(web, slug) == []
    team_page = web.get(f"/statements/{slug}/signatures").get_data(as_text=True)
    assert "Waiting for the English translation to be updated" in team_page
    assert "Waiting for the Kyrgyz translation to be updated" in team_page
    assert "read in English, translation v1" in team_page
    assert send_outbox().sent == 1
    [asked] = mail_via_smtp.wait_for(before + 1)[before:]
    assert asked["To"] == "ru@ngo.example"

    # The English translation catches up: it counts as substantive for its reader,
    # who is asked in English, with the English changes.
    number, emailed = translate(
        app, statement, "en", EN[0], "We demand the immediate release of all journalists.",
        dummy_user,
    )  # fmt: skip
    assert (number, emailed) == (2, 1)
    assert states(app, statement) == {"en": "current", "ky": "out of date"}
    assert send_outbox().sent == 1
    english_mail = mail_via_smtp.wait_for(before + 2)[-1]
    assert english_mail["To"] == "en@ngo.example"
    assert "immediate" in text_of(english_mail) and "The organisers" in text_of(english_mail)
    # The title as the reader reads it, and no Russian: the whole email is in English.
    assert EN[0] in english_mail["Subject"] and re.search("[а-я]", text_of(english_mail)) is None

    # The English reader confirms from the link in that email.
    reconfirm = next(u for u in links_in(english_mail) if "/r/" in u).removeprefix(
        "http://signon.test"
    )
    reader = Web(app.test_client())
    page = reader.client.get(reconfirm).get_data(as_text=True)
    assert "We demand the immediate release of all journalists." in page
    shown = re.search(r'name="version_id" value="(\d+)"', page).group(1)
    confirmed = reader.client.post(
        f"{reconfirm}/confirm", data={"csrf_token": csrf_token_in(page), "version_id": shown}
    )
    assert confirmed.status_code == 303
    assert listed(web, slug) == [RU_NAME]

    # The Russian reader withdraws from theirs.
    russian_link = next(u for u in links_in(asked) if "/r/" in u).removeprefix("http://signon.test")
    page = reader.client.get(russian_link).get_data(as_text=True)
    withdrawn = reader.client.post(
        f"{russian_link}/withdraw", data={"csrf_token": csrf_token_in(page)}
    )
    assert withdrawn.status_code == 303

    # Publishing waits for the Kyrgyz translation, until it is dropped.
    close_statement(app, statement)
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        with pytest.raises(PublicationError, match=r"Кыргызча|out of date"):
            publish_statement(record, "Lena Lead")
        db.session.rollback()
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        drop_translation_text(record, "ky", actor=db.session.get(User, dummy_user.id))
        publish_statement(record, "Lena Lead")
        db.session.commit()
    with web.client.get(f"/s/{slug}.pdf") as response:  # a file response: closed here
        pdf = response.get_data()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # The Russian PDF prints the name the signer gave in Russian.
    assert RU_NAME in text and "Press Freedom Network" not in text
    assert "Пресс-клуб" not in text and "Басма" not in text
    with app.app_context():
        waiting = db.session.scalar(
            select(Signature).where(Signature.contact_email == "ky@ngo.example")
        )
        assert waiting.state is SignatureState.SIGNED  # signed, waiting, not listed

    # The edition froze the current translation: the English page and files list the
    # same name, in English; the dropped Kyrgyz one is not published.
    page = web.client.get(f"/s/{slug}/en").get_data(as_text=True)
    assert '<html lang="en"' in page and "We demand the immediate release" in page
    assert "A translation from Russian; the Russian text is authoritative." in page
    redirected = web.client.get(f"/s/{slug}/ru")
    assert redirected.status_code == 301 and redirected.location.endswith(f"/s/{slug}")
    assert f'hreflang="ru" href="http://signon.test/s/{slug}"' in page
    assert f'hreflang="x-default" href="http://signon.test/s/{slug}"' in page
    assert "Press Freedom Network" in page and "Пресс-клуб" not in page
    with web.client.get(f"/s/{slug}/en.pdf") as response:
        english = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages
        )
    assert "Free the journalists" in english and "Press Freedom Network" in english
    assert "This statement is signed by the following organisations:" in english
    assert "page 1 of 1" in english and "Пресс-клуб" not in english
    with web.client.get(f"/s/{slug}/en.docx") as response:
        assert response.status_code == 200
    assert web.client.get(f"/s/{slug}/ky").status_code == 404
    assert web.client.get(f"/s/{slug}/ky.pdf").status_code == 404
    languages = web.client.get(f"/api/v1/statements/{slug}").get_json()["languages"]
    assert {entry["language"]: entry["status"] for entry in languages} == {
        "ru": "master", "en": "current", "ky": "dropped",
    }  # fmt: skip


def test_a_translation_of_a_version_that_does_not_exist_saves_nothing(app, story):
    with app.test_request_context():
        record = db.session.get(Statement, story.id)
        before = db.session.scalar(select(func.count()).select_from(TranslationVersion))
        with pytest.raises(TranslationError, match="Version 7 of the text does not exist"):
            save_translation(record, language="fr", title="Libérez", body="Texte.", master_number=7)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(TranslationVersion)) == before


def test_a_link_to_a_language_that_is_out_of_date_signs_nothing(
    app, web, story, dummy_user, mail_via_smtp
):
    change_master(app, story, "Новый текст заявления.", ChangeKind.SUBSTANTIVE, dummy_user)
    email = "ky@ngo.example"
    link = links_in(mail_to(mail_via_smtp, email)[0])[0].removeprefix("http://signon.test")
    signer = Web(app.test_client())
    page = signer.client.get(f"{link}/sign").get_data(as_text=True)
    assert "Новый текст заявления." in page  # the master, offered meanwhile
    refused = signer.client.post(
        f"{link}/sign?text=ky",
        data={**sign_form(name="Басма сөз клубу", contact_email=email),
              "csrf_token": csrf_token_in(page)},
    )  # fmt: skip
    assert refused.status_code == 409
    assert "Кыргызча" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_name_in_another_language_that_is_not_one_is_refused_whole(app, story, mail_via_smtp):
    email = "en@ngo.example"
    link = links_in(mail_to(mail_via_smtp, email)[0])[0].removeprefix("http://signon.test")
    signer = Web(app.test_client())
    page = signer.client.get(f"{link}/sign").get_data(as_text=True)
    assert 'name="other_names"' in page  # offered: the statement has translations
    refused = signer.client.post(
        f"{link}/sign?text=en",
        data={**sign_form(name="Press Freedom Network", contact_email=email),
              "other_names": "ru: Сеть\nxx Network", "csrf_token": csrf_token_in(page)},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "Line 2: write a language code, a colon and the name" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
