"""One row on its own: its cells read into a housing and a principal owner, or the reasons
it cannot be imported. Pure: no database, no Flask; the database is asked in plan.py.

A reason is a `Reason(code, params)` (e.g. `Reason("missing", {"field": "local_id"})`):
portal/imports/messages.py turns it into words in the reader's language, the same for
the page, the CLI and the downloadable report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from portal.bounds import without_control_characters
from portal.imports.read import Formula, Row
from portal.models.zlv import ENERGY_LABELS

INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# 2019, 2019-03-01 (a time may follow), 01/03/2019.
YEAR = re.compile(r"(\d{4})(?:\.0)?|(\d{4})-\d{1,2}-\d{1,2}(?:[ T].*)?|\d{1,2}/\d{1,2}/(\d{4})")
KINDS = {"APPART": "APPART", "APPARTEMENT": "APPART", "MAISON": "MAISON"}
# The longest values the database keeps (portal/models/housing.py).
MAX_LENGTHS = {"local_id": 12, "invariant": 20, "owner_name": 300, "owner_kind": 80}


class Reason(NamedTuple):
    """Why a row is refused: a code of portal/imports/messages.py and its parameters (JSON:
    stored in the job's result, shown later in the agent's language)."""

    code: str
    params: dict


@dataclass
class Decision:
    row: int
    action: str  # "create", "update", "unchanged" or "refuse"
    local_id: str | None = None
    insee_code: str | None = None
    reasons: list[Reason] = field(default_factory=list)  # why refused
    changes: list[str] = field(default_factory=list)  # what an update changes
    housing: dict[str, Any] = field(default_factory=dict)
    owner: dict[str, Any] = field(default_factory=dict)

    def refuse(self, code: str, **params) -> None:
        self.reasons.append(Reason(code, params))
        self.action = "refuse"


def decide_row(row: Row, perimeter: set[str]) -> Decision:
    """The row's housing and owner, or its reasons for refusal (all of them at once)."""
    cells = row.cells
    decision = Decision(row.number, "create")
    formulas = [k for k, v in cells.items() if isinstance(v, Formula)]
    if formulas:
        decision.refuse("formula", fields=formulas)
        return decision

    local_id = _text(cells.get("local_id"), integer=True)
    if not local_id:
        decision.refuse("missing", field="local_id")
    elif len(local_id) > MAX_LENGTHS["local_id"]:
        decision.refuse("too-long", field="local_id", value=local_id[:40], max=12)
    decision.local_id = local_id or None

    raw_insee = cells.get("insee_code")
    insee = _text(raw_insee, integer=True).upper()
    if isinstance(raw_insee, int | float) and len(insee) == 4:  # a number lost its leading 0
        insee = "0" + insee
    if not insee:
        decision.refuse("missing", field="insee_code")
    elif not INSEE_CODE.match(insee):
        decision.refuse("invalid-insee", value=insee[:40])
    elif perimeter and insee not in perimeter:
        decision.refuse("outside-perimeter", value=insee)
    decision.insee_code = insee or None

    _housing(cells, decision)
    _owner(cells, decision)
    return decision


def _housing(cells: dict, decision: Decision) -> None:
    housing = decision.housing
    housing["invariant"] = _text(cells.get("invariant"), integer=True) or None
    if housing["invariant"] and len(housing["invariant"]) > MAX_LENGTHS["invariant"]:
        decision.refuse("too-long", field="invariant", value=housing["invariant"][:40], max=20)
    housing["address_lines"] = lines(cells.get("address"))
    kind = _text(cells.get("kind"))
    housing["kind"] = KINDS.get(kind.upper()) if kind else None
    if kind and housing["kind"] is None:
        decision.refuse("unknown-kind", value=kind[:40])
    for name in ("living_area", "rooms_count"):
        housing[name] = _number(cells.get(name), name, decision)
    for name in ("building_year", "vacancy_start_year"):
        housing[name] = _year(cells.get(name), name, decision)
    label = _text(cells.get("energy_label")).upper()
    housing["energy_label"] = label or None
    if label and label not in ENERGY_LABELS:
        decision.refuse("unknown-energy-label", value=label[:40])


def _owner(cells: dict, decision: Decision) -> None:
    owner = decision.owner
    owner["full_name"] = " ".join(_text(cells.get("owner_name")).split())
    if not owner["full_name"]:
        decision.refuse("missing", field="owner_name")
    elif len(owner["full_name"]) > MAX_LENGTHS["owner_name"]:
        decision.refuse("too-long", field="owner_name", value=owner["full_name"][:40], max=300)
    owner["kind"] = _text(cells.get("owner_kind")) or None
    if owner["kind"] and len(owner["kind"]) > MAX_LENGTHS["owner_kind"]:
        decision.refuse("too-long", field="owner_kind", value=owner["kind"][:40], max=80)
    owner["address_lines"] = lines(cells.get("owner_address")) or lines(
        cells.get("owner_ban_address")
    )


def name_key(name: str) -> str:
    """An owner's name as compared: spaces squeezed, case folded."""
    return " ".join(name.split()).casefold()


def _text(value: Any, integer: bool = False) -> str:
    if value is None:
        return ""
    if integer and isinstance(value, float) and value.is_integer():
        value = int(value)
    return without_control_characters(str(value)).strip()


def lines(value: Any) -> list[str]:
    """A multi-line cell (ZLV joins address lines with a line break) as its lines."""
    text = _text(value)
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def _shown(value: Any) -> str:
    return str(value)[:40]


def _number(value: Any, name: str, decision: Decision) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        decision.refuse("unreadable-number", field=name, value=_shown(value))
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
        text = text.removesuffix("m²").removesuffix("m2")
        try:
            number = float(text)
        except ValueError:
            decision.refuse("unreadable-number", field=name, value=_shown(value))
            return None
    if not 0 <= number < 100_000:
        decision.refuse("out-of-range", field=name, value=_shown(value))
        return None
    return round(number)


def _year(value: Any, name: str, decision: Decision) -> int | None:
    """A year from a number, a date cell or a date written as text (2019, 2019-03-01,
    01/03/2019)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            decision.refuse("unreadable-year", field=name, value=_shown(value))
            return None
        year = int(value)
    else:
        match = YEAR.fullmatch(str(value).strip())
        if not match:
            decision.refuse("unreadable-year", field=name, value=_shown(value))
            return None
        year = int(next(g for g in match.groups() if g))
    if not 1000 <= year <= 2100:
        decision.refuse("out-of-range", field=name, value=_shown(value))
        return None
    return year
