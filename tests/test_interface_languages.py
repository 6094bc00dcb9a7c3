"""A statement in French, Spanish, Russian, Kyrgyz or Arabic is run end to end and
every page, email and document its signers and the public see is scanned for
English left over: the English strings of the catalogs (their msgids), and for the
languages not written in Latin letters, any Latin word at all but the few listed
here. The statement's own text and entries are written in its language."""

from __future__ import annotations

import html as html_lib
import io
import re

import docx
import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader
from sqlalchemy import select

from signon.accounts.models import User
from signon.extensions import db
from signon.i18n import catalog_path
from signon.mail.models import OutboxMessage
from signon.statements.models import ChangeKind, Statement
from signon.workspace.editing import save_next_version

from .public_steps import close_statement, publish
from .sign_on_steps import invite_partners, open_for_signing, sign_form
from .support import Web, csrf_token_in

DATA = {
    "fr": dict(
        title="Libérez les journalistes", body="Nous demandons la libération des journalistes.",
        changed="Nous exigeons la libération immédiate des journalistes.",
        org="Reporters solidaires", person="Amélie Durand", role="directrice", country="France",
    ),
    "es": dict(
        title="Liberen a los periodistas", body="Pedimos la liberación de los periodistas.",
        changed="Exigimos la liberación inmediata de los periodistas.",
        org="Periodistas Unidos", person="Ana Pérez", role="directora", country="México",
    ),
    "ru": dict(
        title="Свободу журналистам", body="Мы требуем освободить журналистов.",
        changed="Мы требуем немедленно освободить журналистов.",
        org="Пресс-клуб", person="Айгуль Осмонова", role="директор", country="Кыргызстан",
    ),
    "ky": dict(
        title="Журналисттерге эркиндик", body="Биз журналисттерди бошотууну талап кылабыз.",
        changed="Биз журналисттерди дароо бошотууну талап кылабыз.",
        org="Басма сөз клубу", person="Айгүл Осмонова", role="директор", country="Кыргызстан",
    ),
    "ar": dict(
        title="أطلقوا سراح الصحفيين", body="نطالب بالإفراج عن الصحفيين.",
        changed="نطالب بالإفراج الفوري عن الصحفيين.",
        org="نادي الصحافة", person="ليلى حسن", role="مديرة", country="لبنان",
    ),
}  # fmt: skip
NOT_LATIN = {"ru", "ky", "ar"}
# Latin words a page in Russian, Kyrgyz or Arabic may show: names of formats and
# of the product, the time zone, the SHA-256 label, an address's parts.
LATIN_ALLOWED = {
    "signon", "sha", "pdf", "docx", "csv", "json", "markdown", "word", "europe", "paris",
    "utc", "a4", "us", "letter", "http", "https", "www", "sign", "on", "sha-",
}  # fmt: skip
# Catalog strings that may stand as they are in another language's page.
KNOWN_SAME = {"PDF", "Markdown", "PDF (A4)", "Word (DOCX)", "Data (JSON)", "Notes"}
# English words no French or Spanish sentence uses: found in a Latin-script page,
# they are English that never went through the catalogs.
ENGLISH_WORDS = {
    "the", "your", "you", "this", "and", "with", "will", "has", "have", "are", "is", "of",
    "to", "for", "not", "was", "were", "here", "there", "please",
}  # fmt: skip
ADDRESS = re.compile(r"(?:https?://|/)[^\s\"'<>]+|[\w.+-]+@[\w.-]+|\b[0-9a-f]{12,64}\b")


def visible(html: str) -> str:
    """The text a reader sees or hears: text nodes and labelled attributes."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    # The switcher names each language in that language, on purpose.
    html = re.sub(r'(?is)<nav class="languages".*?</nav>', " ", html)
    said = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html) + " " + " ".join(said)
    return " ".join(html_lib.unescape(text).split())


def english_fragments(language: str) -> list[str]:
    """Pieces of the catalog's English strings (split at placeholders and tags) long
    enough to mean something: two words or more."""
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    pieces = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in KNOWN_SAME or msgid in strings:
                continue
            for piece in re.split(r"%\(\w+\)[sd]|<[^>]+>|\n", msgid):
                piece = " ".join(piece.split()).strip(" .,:;()“”\"'")
                if len(piece.split()) >= 2 and len(piece) >= 8:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def leftovers(text: str, language: str, fragments: list[str]) -> list[str]:
    text = " ".join(text.split())
    found = [piece for piece in fragments if piece in text]
    words = re.findall(r"[^\W\d_]+", ADDRESS.sub(" ", text))
    found += [word for word in words if word.casefold() in ENGLISH_WORDS]
    if language in NOT_LATIN:
        words = re.findall(r"[A-Za-z][A-Za-z'’-]+", ADDRESS.sub(" ", text))
        found += [w for w in words if w.casefold() not in LATIN_ALLOWED]
    return found


def mails(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def link(message: OutboxMessage, prefix: str) -> str:
    match = re.search(rf"http://signon\.test({prefix}[^\s]+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


@pytest.mark.parametrize("language", sorted(DATA))
def test_no_english_in_front_of_signers_or_in_the_documents(
    app, create_statement, dummy_user, language
):
    data = dict(DATA[language])
    for key in ("body", "changed"):  # a footnote: its way back to the text is labelled
        data[key] += f"[^1]\n\n[^1]: {data['country']}."
    fragments = english_fragments(language)
    seen: dict[str, str] = {}
    statement = create_statement(title=data["title"], body=data["body"], language=language)
    open_for_signing(app, statement, open_call=True, intro="")
    [invitation] = invite_partners(app, statement, [(data["org"], "p@ngo.example")], by=dummy_user)
    entry = sign_form(
        name=data["org"], acronym="", country=data["country"], website=None,
        authorised_by=data["person"], authoriser_title=data["role"],
        contact_email="p@ngo.example",
    )  # fmt: skip
    signer = Web(app.test_client())

    def page(path, *, status=200, name=None, **kwargs):
        response = signer.client.get(path, **kwargs)
        assert response.status_code == status, (path, response.status_code)
        body = response.get_data(as_text=True)
        html = re.search(r"<html [^>]*>", body).group(0)
        assert f'lang="{language}"' in html, (path, html)
        assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in html, (path, html)
        seen[name or path] = visible(body)
        return body

    def post(path, form: dict, *, status=303):
        token = csrf_token_in(signer.client.get(path).get_data(as_text=True))
        response = signer.client.post(path, data={**form, "csrf_token": token})
        assert response.status_code == status, (path, response.get_data(as_text=True)[:300])
        return response

    page(invitation, name="landing")
    page(f"{invitation}/sign", name="sign")
    refused = post(f"{invitation}/sign", {"name": ""}, status=400)
    seen["sign with errors"] = visible(refused.get_data(as_text=True))
    post(f"{invitation}/sign", entry)
    page(f"{invitation}/signed", name="thank you")
    [confirmation] = mails(app, "confirmation")
    manage = link(confirmation, "/m/")
    page(manage, name="manage")

    with app.test_request_context():  # a substantive change: the signer is asked again
        record = db.session.get(Statement, statement.id)
        save_next_version(
            record, title=record.title, body=data["changed"],
            author=db.session.get(User, dummy_user.id), actor="lead", note="",
            kind=ChangeKind.SUBSTANTIVE,
        )  # fmt: skip
        db.session.commit()
    [reconfirm] = mails(app, "reconfirm")
    page(link(reconfirm, "/r/"), name="re-confirm")

    page(f"{manage}/withdraw", name="withdraw")
    post(f"{manage}/withdraw", {})
    page(f"{manage}/withdrawn", name="withdrawn")

    open_call = f"/s/{statement.slug}/sign"
    page(open_call, name="open call")
    other = {**entry, "name": data["person"], "kind": "individual", "contact_email": "o@x.example"}
    post(open_call, other)
    page(f"{open_call}/check-email", name="check your email")
    [verify] = mails(app, "verify_email")
    page(link(verify, "/v/"), name="verify")
    headers = {"Accept-Language": language}
    page("/i/not-a-real-link", status=400, name="bad link", headers=headers)

    for message in _all_mail(app):
        seen[f"mail {message.kind}: subject"] = message.subject
        seen[f"mail {message.kind}: text"] = message.text_body
        seen[f"mail {message.kind}: html"] = visible(message.html_body)

    # Signed again from the invitation, then closed and published: the documents.
    post(f"{invitation}/sign", entry)
    close_statement(app, statement)
    publish(app, statement)
    slug = statement.slug
    page(f"/s/{slug}", name="public page")

    def download(path) -> bytes:
        with signer.client.get(path) as response:  # a file response: closed here
            assert response.status_code == 200, path
            return response.get_data()

    pdf = download(f"/s/{slug}.pdf")
    seen["PDF"] = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    word = docx.Document(io.BytesIO(download(f"/s/{slug}.docx")))
    parts = [p.text for p in word.paragraphs]
    for section in word.sections:
        parts += [p.text for p in section.footer.paragraphs + section.first_page_footer.paragraphs]
    seen["DOCX"] = " ".join(parts)
    for kind in ("md", "txt", "csv"):
        seen[kind] = download(f"/s/{slug}.{kind}").decode("utf-8")

    assert data["changed"].split("[^1]")[0] in seen["public page"]
    problems = {}
    for name, text in seen.items():
        # The lead's own name (data) introduces the invitation.
        found = leftovers(text.replace(dummy_user.name, " "), language, fragments)
        if found:
            problems[name] = found
    assert not problems, problems


def _all_mail(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(rows)


def _lang(body: str) -> str:
    return re.search(r'<html lang="([^"]+)"', body).group(1)


def test_a_signer_page_speaks_the_statements_language_and_the_switcher_keeps_the_page(
    app, create_statement, dummy_user
):
    statement = create_statement(title="Свободу журналистам", body="Текст.", language="ru")
    open_for_signing(app, statement)
    [invitation] = invite_partners(app, statement, [("Пресс-клуб", "p@ngo.example")], by=dummy_user)
    signer = app.test_client()
    first = signer.get(f"{invitation}/sign", headers={"Accept-Language": "en"})
    body = first.get_data(as_text=True)
    assert _lang(body) == "ru" and 'dir="ltr"' in body
    assert "signon_language" not in first.headers.get("Set-Cookie", "")
    # The switcher: this very page in each language, as plain links.
    for code in ("en", "fr", "es", "ru", "ky", "ar"):
        assert f'href="?lang={code}"' in body or code == "ru"
    assert 'aria-current="true" lang="ru"' in body

    switched = signer.get(f"{invitation}/sign?lang=ar")
    assert _lang(switched.get_data(as_text=True)) == "ar"
    assert 'dir="rtl"' in switched.get_data(as_text=True)
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("signon_language=ar;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Remembered: the next page, without ?lang, stays in Arabic.
    later = signer.get(invitation).get_data(as_text=True)
    assert _lang(later) == "ar" and 'dir="rtl"' in later


def test_an_unknown_language_is_ignored(app, create_statement, dummy_user):
    statement = create_statement(title="Libérez-les", body="Texte.", language="fr")
    open_for_signing(app, statement)
    [invitation] = invite_partners(app, statement, [("Org", "p@ngo.example")], by=dummy_user)
    response = app.test_client().get(f"{invitation}?lang=xx")
    assert response.status_code == 200
    assert _lang(response.get_data(as_text=True)) == "fr"
    assert "signon_language" not in response.headers.get("Set-Cookie", "")


def test_team_pages_follow_accept_language(app):
    client = app.test_client()
    for header, expected in (("ru-RU,ru;q=0.9,en;q=0.5", "ru"), ("ar", "ar"), ("de", "en")):
        body = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert _lang(body) == expected, header
    assert 'dir="rtl"' in client.get("/login", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )


def test_the_public_page_and_mail_follow_the_statement_not_the_visitor(
    app, create_statement, dummy_user
):
    statement = create_statement(title="Свободу журналистам", body="Текст.", language="ru")
    open_for_signing(app, statement, intro="")
    invite_partners(app, statement, [("Пресс-клуб", "p@ngo.example")], by=dummy_user)
    [invitation] = mails(app, "invitation")
    assert '<html lang="ru"' in invitation.html_body
    client = app.test_client()
    client.set_cookie("signon_language", "ar")
    preview = Web(client)
    preview.login(dummy_user)
    body = preview.client.get(f"/statements/{statement.slug}/preview").get_data(as_text=True)
    assert _lang(body) == "ru" and 'dir="ltr"' in body


def test_the_open_form_leaves_the_intro_to_the_statements_language(
    app, web, create_statement, dummy_user
):
    statement = create_statement(title="Свободу журналистам", body="Текст.", language="ru")
    web.login(dummy_user)
    page = web.get(f"/statements/{statement.slug}/open").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="signatories_intro"[^>]*>', page).group(0)
    assert 'value=""' in field or "value=" not in field, field
    response = web.post(
        f"/statements/{statement.slug}/open",
        {"time_zone": "Asia/Bishkek", "signatories_intro": "", "signatory_order": "alphabetical",
         "link_grace_hours": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Statement, statement.id).signatories_intro == ""
    preview = web.get(f"/statements/{statement.slug}/preview").get_data(as_text=True)
    assert "Это заявление подписали следующие организации:" not in preview  # nobody yet
    signatures = web.get(f"/statements/{statement.slug}/signatures").get_data(as_text=True)
    assert "This statement is signed by" not in signatures


def test_mail_for_a_statement_in_a_language_without_catalog_is_english(
    app, create_statement, dummy_user
):
    with app.app_context():
        db.session.get(User, dummy_user.id).language = "ru"  # the sender reads Russian
        db.session.commit()
    statement = create_statement(title="Freiheit für Journalisten", body="Text.", language="de")
    open_for_signing(app, statement)
    invite_partners(app, statement, [("Presseclub", "p@ngo.example")], by=dummy_user)
    [invitation] = mails(app, "invitation")
    assert '<html lang="en"' in invitation.html_body
    assert invitation.subject == "Invitation to sign: Freiheit für Journalisten"


def test_the_check_email_page_tells_nothing_of_a_hidden_statement(app, create_statement):
    draft = create_statement(title="Секретный черновик", body="Текст.", language="ru")
    client = app.test_client()
    answers = [
        client.get(f"/s/{slug}/sign/check-email", headers={"Accept-Language": "en"})
        for slug in (draft.slug, "no-such-statement")
    ]
    assert answers[0].get_data() == answers[1].get_data()
    assert _lang(answers[0].get_data(as_text=True)) == "en"
