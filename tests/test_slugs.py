"""A statement's address comes from its title in any script: Cyrillic, Greek and
Arabic titles come out transliterated, never empty, and never cut mid-word."""

from __future__ import annotations

import pytest

from signon.statements.service import SLUG_MAX, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Кыргызстан: прекратить преследование Kloop", "kyrgyzstan-prekratit-presledovanie-kloop"),
        ("Ελευθερία του Τύπου", "eleutheria-tou-tupou"),
        ("Free the journalists of Meridia!", "free-the-journalists-of-meridia"),
        ("Öffentliche Erklärung: Pressefreiheit", "offentliche-erklarung-pressefreiheit"),
        ("Азаттыкка эркиндик", "azattykka-erkindik"),
    ],
)
def test_titles_in_other_scripts_give_readable_slugs(title, slug):
    assert slugify(title) == slug


def test_an_arabic_title_gives_a_transliterated_slug():
    slug = slugify("أوقفوا الحملة على الصحفيين")
    assert slug and slug.isascii() and slug != "statement"


def test_a_title_without_letters_still_gives_a_slug():
    assert slugify("!!! ??? ---") == "statement"


def test_a_long_title_is_cut_at_a_word():
    slug = slugify("Кыргызстан " * 40)
    assert len(slug) <= SLUG_MAX and not slug.endswith("-")
    assert all(word == "kyrgyzstan" for word in slug.split("-"))


def test_a_cyrillic_statement_gets_its_transliterated_address(web, dummy_user):
    web.login(dummy_user)
    created = web.post(
        "/statements/new",
        {"title": "Кыргызстан: свободу журналистам", "language": "ru", "body": "Текст."},
    )
    assert created.status_code == 302
    assert created.headers["Location"].endswith("/statements/kyrgyzstan-svobodu-zhurnalistam")
