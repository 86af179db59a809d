"""Dates and times as French readers expect them: « 1er décembre 2026 à 22 h 40 », in the
collectivité's time zone (Réunion's agents read Réunion's time), with no-break spaces.

English pages say "1 December 2026 at 22:40". Babel's own long formats say « 1 décembre »
and « 22:40:37 +0100 »: templates use the filters registered in portal.templating instead
(`longdate`, `longdatetime`, `shortdatetime`), which a test enforces.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

NBSP = "\u00a0"
DEFAULT_ZONE = "Europe/Paris"
# Overseas departments and collectivités, by the start of their INSEE codes.
OVERSEAS_ZONES = {
    "971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
    "974": "Indian/Reunion", "975": "America/Miquelon", "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy", "978": "America/Marigot",
}  # fmt: skip


def zone_for(perimeter: list | None) -> str:
    """The time zone of a collectivité covering these INSEE codes (its first commune's)."""
    first = str(perimeter[0]) if perimeter else ""
    return OVERSEAS_ZONES.get(first[:3], DEFAULT_ZONE)


def _local(moment: date | datetime, zone: str) -> date | datetime:
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.astimezone(ZoneInfo(zone))
    return moment


def _day(day: date, locale: str, month: str) -> str:
    if locale != "fr":
        return format_date(day, f"d {month} y", locale=locale)
    first = "1er" if day.day == 1 else str(day.day)
    return NBSP.join((first, format_date(day, month, locale="fr"), str(day.year)))


def long_date(day: date | datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """« 1er décembre 2026 », "1 December 2026"."""
    return _day(_local(day, zone), locale, "MMMM")


def _time(moment: datetime, locale: str) -> str:
    if locale != "fr":
        return moment.strftime("%H:%M")
    return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"


def time_of_day(moment: datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """« 22 h 40 », "22:40"."""
    return _time(_local(moment, zone), locale)


def long_datetime(moment: datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """« 1er décembre 2026 à 22 h 40 », "1 December 2026 at 22:40"."""
    local = _local(moment, zone)
    joiner = " à " if locale == "fr" else " at "
    return _day(local, locale, "MMMM") + joiner + _time(local, locale)


def short_datetime(moment: datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """For tables: « 1er déc. 2026, 22 h 40 », "1 Dec 2026, 22:40"."""
    local = _local(moment, zone)
    return _day(local, locale, "MMM") + ", " + _time(local, locale)
