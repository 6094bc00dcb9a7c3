"""Times as a statement's team reads them: in the statement's own time zone, named.

Timestamps are stored in UTC. The team of a coalition in Bishkek reads
"1 Dec 2026, 20:05 (Asia/Bishkek)", never a bare UTC time nor an abbreviation
such as "+06" that names no place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_skeleton, get_datetime_format

from .i18n import interface_language

# English dates read the international way, day before month ('5 June 2026'),
# as coalitions write them; every other language follows its CLDR locale.
DATE_LOCALES = {"en": "en_GB"}


def zone_of(time_zone: str | None) -> tzinfo:
    """The IANA zone of that name, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(zone: tzinfo) -> str:
    """The IANA name of a zone ('Asia/Bishkek'); 'UTC' for UTC."""
    return getattr(zone, "key", None) or "UTC"


def in_zone(value: datetime, time_zone: str | None) -> datetime:
    """A stored (UTC) timestamp in the statement's zone; a naive one is read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(time_zone))


def local_day(value: datetime, time_zone: str | None) -> date:
    """The calendar day a UTC timestamp falls on in the statement's zone."""
    return in_zone(value, time_zone).date()


def babel_locale(language: str | None) -> str:
    """The Babel locale an interface language writes dates and lists in."""
    shipped = interface_language(language) or "en"
    return DATE_LOCALES.get(shipped, shipped)


def _day_and_time(value: datetime, language: str | None, day_skeleton: str, width: str) -> str:
    locale = babel_locale(language)
    # CLDR quotes literal text ('at'); '' is a quote itself.
    quoted = get_datetime_format(width, locale=locale).replace("''", "\0")
    pattern = quoted.replace("'", "").replace("\0", "'")
    day = format_skeleton(day_skeleton, value, locale=locale)
    return pattern.replace("{1}", day).replace("{0}", format_skeleton("Hm", value, locale=locale))


def long_day(day: date, language: str | None) -> str:
    """'5 June 2026', '5 juin 2026', '5 июня 2026 г.': a day in words."""
    return format_date(day, "long", locale=babel_locale(language))


def long_time(value: datetime, language: str | None) -> str:
    """'5 June 2026, 18:00' in the zone `value` carries (no zone named)."""
    return _day_and_time(value, language, "yMMMMd", "long")


def team_time(value: datetime | None, time_zone: str | None, language: str | None = "en") -> str:
    """'1 Dec 2026, 20:05 (Asia/Bishkek)': the time in the statement's zone, which
    is named; '' for no time."""
    if value is None:
        return ""
    return zone_time(value, zone_of(time_zone), language)


def zone_time(value: datetime, zone: tzinfo, language: str | None = "en") -> str:
    """team_time for a zone already looked up (the audit trail formats many rows)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = _day_and_time(value.astimezone(zone), language, "yMMMd", "medium")
    return f"{local} ({zone_name(zone)})"
