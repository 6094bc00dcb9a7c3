"""Times as a statement's team reads them: in the statement's own time zone, named.

Timestamps are stored in UTC. The team of a coalition in Bishkek reads
"1 Dec 2026, 20:05 (Asia/Bishkek)", never a bare UTC time nor an abbreviation
such as "+06" that names no place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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


def team_time(value: datetime | None, time_zone: str | None) -> str:
    """'1 Dec 2026, 20:05 (Asia/Bishkek)': the time in the statement's zone, which
    is named; '' for no time."""
    if value is None:
        return ""
    return zone_time(value, zone_of(time_zone))


def zone_time(value: datetime, zone: tzinfo) -> str:
    """team_time for a zone already looked up (the audit trail formats many rows)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(zone):%-d %b %Y, %H:%M} ({zone_name(zone)})"
