"""The account's interface language, chosen on the account page: the team pages
speak it; "" (the same as my browser) goes back to Accept-Language; anything else
is refused. The tests read the pages' lang and dir attributes, and the confirmation
in the Russian catalog."""

from __future__ import annotations

import re

import pytest

from signon.accounts.models import User
from signon.extensions import db
from signon.i18n import INTERFACE_LANGUAGES
from signon.languages import LANGUAGES

from .support import csrf_token_in


def language_of(app, user) -> str:
    with app.app_context():
        return db.session.get(User, user.id).language


def page_language(response) -> tuple[str, str]:
    """(lang, dir) of a page's <html> element."""
    match = re.search(r'<html lang="([^"]*)" dir="([^"]*)"', response.get_data(as_text=True))
    assert match, "no <html lang dir> in the page"
    return match.group(1), match.group(2)


def choose(web, language: str):
    return web.post("/account/language", {"language": language})


@pytest.fixture
def lena(web, dummy_user, dummy_statement):
    """Lena, logged in, on the team of a statement (so the team pages have content)."""
    assert web.login(dummy_user).status_code == 302
    return dummy_user


def test_the_account_page_offers_each_interface_language_in_its_own_name(web, lena):
    page = web.get("/account").get_data(as_text=True)

    select = re.search(r'<select[^>]*name="language".*?</select>', page, re.S)
    assert select, "no language select on the account page"
    options = re.findall(r'<option([^>]*)value="([^"]*)"([^>]*)>([^<]*)</option>', select.group(0))
    assert [value for _, value, _, _ in options] == ["", *INTERFACE_LANGUAGES]
    for before, value, after, label in options[1:]:
        assert label == LANGUAGES[value]
        assert f'lang="{value}"' in before + after
    assert "Русский" in select.group(0) and "العربية" in select.group(0)
    # Nothing chosen yet: the browser's language is the one selected.
    assert "selected" in options[0][0] + options[0][2]


@pytest.mark.parametrize(("language", "direction"), [("ru", "ltr"), ("ar", "rtl"), ("ky", "ltr")])
def test_saving_a_language_changes_the_language_of_the_team_pages(
    app, web, lena, dummy_statement, language, direction
):
    before = web.get("/", headers={"Accept-Language": "fr"})
    assert page_language(before) == ("fr", "ltr")

    response = choose(web, language)

    assert response.status_code == 303
    assert response.location == "/account"
    assert language_of(app, lena) == language
    # The account's choice wins over the browser's, on every team page.
    for path in ("/", "/account", f"/statements/{dummy_statement.slug}"):
        page = web.get(path, headers={"Accept-Language": "fr"})
        assert page.status_code == 200, path
        assert page_language(page) == (language, direction), path


def test_the_confirmation_is_flashed_on_the_account_page_in_the_new_language(web, lena):
    response = web.client.post(
        "/account/language",
        data={"language": "ar", "csrf_token": web.token()},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert response.request.path == "/account"
    assert page_language(response) == ("ar", "rtl")
    page = response.get_data(as_text=True)
    assert 'class="flash flash-success"' in page
    assert re.search(
        r'<option[^>]*value="ar"[^>]*selected|<option[^>]*selected[^>]*value="ar"', page
    )


def test_the_same_as_my_browser_goes_back_to_accept_language(app, web, lena):
    assert choose(web, "ru").status_code == 303
    assert page_language(web.get("/", headers={"Accept-Language": "fr"})) == ("ru", "ltr")

    response = choose(web, "")

    assert response.status_code == 303
    assert response.location == "/account"
    assert language_of(app, lena) == ""
    assert page_language(web.get("/", headers={"Accept-Language": "fr"})) == ("fr", "ltr")
    assert page_language(web.get("/", headers={"Accept-Language": "ar, en;q=0.5"})) == (
        "ar",
        "rtl",
    )
    assert page_language(web.get("/", headers={"Accept-Language": "de"})) == ("en", "ltr")


@pytest.mark.parametrize(
    "value",
    [
        "de",  # a language statements can be written in, but not one of the interface
        "xx",
        "RU",
        "ru-RU",
        " ru",
        "ru\x00",
        "a" * 200,
    ],
)
def test_a_language_not_in_the_list_is_a_400_and_nothing_is_saved(app, web, lena, value):
    assert choose(web, "ru").status_code == 303

    response = choose(web, value)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # The account page again, the field marked in error with a message.
    assert 'id="language-error"' in page
    assert 'aria-invalid="true"' in page
    assert language_of(app, lena) == "ru"


def test_a_missing_language_is_a_400_and_nothing_is_saved(app, web, lena):
    assert choose(web, "ky").status_code == 303

    response = web.post("/account/language", {})

    assert response.status_code == 400
    assert language_of(app, lena) == "ky"


def test_choosing_needs_the_form_token(app, web, lena):
    response = web.post("/account/language", {"language": "ru"}, csrf=False)

    assert response.status_code == 400
    assert language_of(app, lena) == ""


def test_choosing_needs_an_account(app, client, dummy_user):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/account/language", data={"language": "ru", "csrf_token": csrf_token_in(page)}
    )

    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert language_of(app, dummy_user) == ""


def test_a_language_query_still_overrides_the_account_for_one_page(app, web, lena):
    assert choose(web, "ru").status_code == 303

    assert page_language(web.get("/?lang=ar")) == ("ar", "rtl")
    assert language_of(app, lena) == "ru"


def test_the_confirmation_is_already_in_the_language_just_chosen(web, lena):
    assert choose(web, "ru").status_code == 303
    flashed = re.findall(
        r'<p class="flash flash-success">([^<]*)</p>', web.get("/account").get_data(as_text=True)
    )
    assert flashed == ["Язык интерфейса сохранён: Русский."], flashed

    assert choose(web, "").status_code == 303
    page = web.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    flashed = re.findall(r'<p class="flash flash-success">([^<]*)</p>', page)
    assert flashed == ["The interface now follows your browser&#39;s language."], flashed
