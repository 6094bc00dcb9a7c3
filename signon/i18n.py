"""The interface's languages and their catalogs, compiled from the .po files in
signon/translations/ when first used, so that what runs is never older than them.
Plain Python: documents rendered without Flask (`signon render`) use it too."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .languages import LANGUAGES

# English is the source language: its catalog is the msgids themselves.
INTERFACE_LANGUAGES = ("en", "fr", "es", "ru", "ky", "ar")
SOURCE_LANGUAGE = "en"
CATALOGS = Path(__file__).parent / "translations"
DOMAIN = "messages"


def interface_language(language: str | None) -> str | None:
    """The shipped interface language for a BCP 47 tag ('ru-KG' -> 'ru'), or None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in INTERFACE_LANGUAGES else None


def catalog_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str | None) -> NullTranslations:
    """The compiled catalog of an interface language; English for any other.
    `translate` and `translate_plural` read it for documents, which name their
    language; pages and mail go through Flask-Babel (signon.locale_choice)."""
    shipped = interface_language(language)
    if shipped is None or shipped == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalog_path(shipped).open("rb") as source:
        catalog = read_po(source, locale=shipped, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(language: str | None, message: str, **variables) -> str:
    """`message` in `language`, its %(name)s placeholders filled."""
    text = translations(language).ugettext(message)
    return text % variables if variables else text


def translate_plural(
    language: str | None, singular: str, plural: str, num: int, **variables
) -> str:
    """The form of `singular`/`plural` for `num` in `language` (%(num)s is `num`)."""
    variables.setdefault("num", num)
    return translations(language).ungettext(singular, plural, num) % variables


def N_(message: str) -> str:
    """Marks a string for the catalogs where it is defined; translated where shown."""
    return message


def language_name(code: str, in_language: str | None) -> str:
    """A language's name as a sentence in `in_language` says it ('Russian',
    'russe', 'русский'), from CLDR; its own name where CLDR has none."""
    try:
        name = Locale.parse(interface_language(in_language) or SOURCE_LANGUAGE).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or LANGUAGES.get(code, code)
