"""Dates as French readers expect them (« 1er décembre 2026 à 22 h 40 »), in the
collectivité's time zone, and no template falling back on Babel's « 1 décembre »."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.dates import long_date, long_datetime, short_datetime, time_of_day, zone_for

NBSP = "\u00a0"
EVENING = datetime(2026, 12, 1, 21, 40, 37, tzinfo=UTC)  # 22:40 in Paris


@pytest.mark.parametrize(("moment", "locale", "expected"), [
    (date(2026, 12, 1), "fr", f"1er{NBSP}décembre{NBSP}2026"),
    (date(2026, 12, 2), "fr", f"2{NBSP}décembre{NBSP}2026"),
    (date(2026, 12, 1), "en", "1 December 2026"),
    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "fr", f"1er{NBSP}janvier{NBSP}2027"),  # Paris
])  # fmt: skip
def test_long_dates(moment, locale, expected):
    assert long_date(moment, locale) == expected


def test_times_are_written_the_french_way_without_seconds_or_offset():
    assert long_datetime(EVENING, "fr") == f"1er{NBSP}décembre{NBSP}2026 à 22{NBSP}h{NBSP}40"
    assert long_datetime(EVENING, "en") == "1 December 2026 at 22:40"
    assert short_datetime(EVENING, "fr") == f"1er{NBSP}déc.{NBSP}2026, 22{NBSP}h{NBSP}40"
    assert time_of_day(datetime(2026, 5, 4, 7, 5, tzinfo=UTC), "fr") == f"9{NBSP}h{NBSP}05"


def test_an_overseas_collectivite_reads_its_own_time():
    assert zone_for(["97411"]) == "Indian/Reunion"
    assert zone_for(["97209"]) == "America/Martinique"
    assert zone_for(["58194"]) == zone_for([]) == "Europe/Paris"
    reunion = long_datetime(EVENING, "fr", zone_for(["97411"]))
    assert reunion == f"2{NBSP}décembre{NBSP}2026 à 1{NBSP}h{NBSP}40"


TEMPLATES = Path(__file__).parent.parent / "templates"
# Babel's own formats: « 1 décembre 2026 », « 22:40:37 +0100 », « 01/12/2026 22:40 ».
BABEL_FORMATS = re.compile(r"""(date|datetime|time)format\(\s*["'](short|medium|long|full)["']""")


def test_no_template_writes_a_date_with_babels_named_formats():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.*")
        for match in BABEL_FORMATS.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []
