"""Rows → a plan (what each row would create, update or refuse, and why) → the database.

Housing is keyed on (collectivité, INSEE code, local id): importing the same file again
updates the housings it created. The housing table already forbids two housings of one
collectivité with the same local id (an identifiant fiscal national is unique in France), so a
row whose local id is known under another INSEE code is refused rather than duplicated.
The principal owner (rank 1) is matched by name: the same name updates that owner; a new
name makes the previous one rank 0 ("ancien propriétaire"). An owner is otherwise found by
name and address within the collectivité. Importing never clears "ne pas contacter", never
touches a housing's follow-up status, and never erases a value with an empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.imports.read import Formula, Row
from portal.models import Collectivite, Housing, HousingOwner, Owner
from portal.models.zlv import ENERGY_LABELS

INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# 2019, 2019-03-01 (a time may follow), 01/03/2019.
YEAR = re.compile(r"(\d{4})(?:\.0)?|(\d{4})-\d{1,2}-\d{1,2}(?:[ T].*)?|\d{1,2}/\d{1,2}/(\d{4})")
KINDS = {"APPART": "APPART", "APPARTEMENT": "APPART", "MAISON": "MAISON"}
HOUSING_FIELDS = ("invariant", "address_lines", "kind", "living_area", "rooms_count",
                  "building_year", "vacancy_start_year", "energy_label")  # fmt: skip
LABELS = {
    "local_id": "local id", "invariant": "invariant", "insee_code": "INSEE code",
    "address": "address", "kind": "kind", "living_area": "surface", "rooms_count": "rooms",
    "building_year": "build year", "vacancy_start_year": "vacancy start year",
    "energy_label": "energy label", "owner_name": "owner name", "owner_kind": "owner kind",
    "owner_address": "owner address", "owner_ban_address": "owner BAN address",
}  # fmt: skip


@dataclass
class Decision:
    row: int
    action: str  # "create", "update", "unchanged" or "refuse"
    local_id: str | None = None
    insee_code: str | None = None
    reasons: list[str] = field(default_factory=list)  # why refused
    changes: list[str] = field(default_factory=list)  # what an update changes
    housing: dict[str, Any] = field(default_factory=dict)
    owner: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    decisions: list[Decision] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for d in self.decisions if d.action == action)

    @property
    def refused(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == "refuse"]


def make_plan(session: Session, collectivite: Collectivite, rows: Iterable[Row]) -> Plan:
    """What importing `rows` into `collectivite` would do; reads, never writes."""
    existing = {
        h.local_id: h
        for h in session.scalars(select(Housing).where(Housing.collectivite_id == collectivite.id))
    }
    seen: dict[tuple[str, str], int] = {}
    perimeter = set(collectivite.perimeter or ())
    plan = Plan()
    for row in rows:
        decision = _decide(row, perimeter)
        if decision.action != "refuse":
            key = (decision.insee_code, decision.local_id)
            housing = existing.get(decision.local_id)
            if key in seen:
                decision.reasons.append(f"same housing as row {seen[key]}")
            elif housing is not None and housing.insee_code != decision.insee_code:
                decision.reasons.append(
                    f"local id {decision.local_id} is already imported with INSEE code "
                    f"{housing.insee_code}"
                )
            elif housing is not None:
                decision.changes = _changes(housing, decision)
                decision.action = "update" if decision.changes else "unchanged"
            seen.setdefault(key, row.number)
            if decision.reasons:
                decision.action = "refuse"
        plan.decisions.append(decision)
    return plan


def _decide(row: Row, perimeter: set[str]) -> Decision:
    cells = row.cells
    decision = Decision(row.number, "create")
    reasons = decision.reasons
    formulas = [LABELS[k] for k, v in cells.items() if isinstance(v, Formula)]
    if formulas:
        reasons.append("formula in " + ", ".join(formulas))
        decision.action = "refuse"
        return decision

    local_id = _text(cells.get("local_id"), integer=True)
    if not local_id:
        reasons.append("missing local id")
    elif len(local_id) > 12:
        reasons.append(f"local id {local_id!r} longer than 12 characters")
    decision.local_id = local_id

    raw_insee = cells.get("insee_code")
    insee = _text(raw_insee, integer=True)
    if isinstance(raw_insee, int | float) and len(insee) == 4:  # a number lost its leading 0
        insee = "0" + insee
    if not insee:
        reasons.append("missing INSEE code")
    elif not INSEE_CODE.match(insee.upper()):
        reasons.append(f"invalid INSEE code {insee!r} (5 characters, e.g. 58194 or 2A004)")
    elif perimeter and insee.upper() not in perimeter:
        reasons.append(f"INSEE code {insee} is outside the collectivité's perimeter")
    decision.insee_code = insee.upper() if insee else None

    housing = decision.housing
    housing["invariant"] = _text(cells.get("invariant"), integer=True) or None
    if housing["invariant"] and len(housing["invariant"]) > 20:
        reasons.append("invariant longer than 20 characters")
    housing["address_lines"] = _lines(cells.get("address"))
    kind = _text(cells.get("kind"))
    housing["kind"] = KINDS.get(kind.upper()) if kind else None
    if kind and housing["kind"] is None:
        reasons.append(f"unknown kind {kind!r} (APPART or MAISON)")
    for name in ("living_area", "rooms_count"):
        housing[name] = _number(cells.get(name), name, reasons)
    for name in ("building_year", "vacancy_start_year"):
        housing[name] = _year(cells.get(name), name, reasons)
    label = _text(cells.get("energy_label")).upper()
    housing["energy_label"] = label or None
    if label and label not in ENERGY_LABELS:
        reasons.append(f"unknown energy label {label!r} (A to G)")

    owner = decision.owner
    owner["full_name"] = _text(cells.get("owner_name"))
    if not owner["full_name"]:
        reasons.append("missing owner name")
    elif len(owner["full_name"]) > 300:
        reasons.append("owner name longer than 300 characters")
    owner["kind"] = _text(cells.get("owner_kind")) or None
    if owner["kind"] and len(owner["kind"]) > 80:
        reasons.append("owner kind longer than 80 characters")
    owner["address_lines"] = _lines(cells.get("owner_address")) or _lines(
        cells.get("owner_ban_address")
    )
    if reasons:
        decision.action = "refuse"
    return decision


def _changes(housing: Housing, decision: Decision) -> list[str]:
    """What importing the row would change: the housing's fields, and its principal owner
    (another name, or a new address or kind), as `apply` would write them."""
    changed = [
        name for name in HOUSING_FIELDS
        if decision.housing.get(name) not in (None, [])
        and getattr(housing, name) != decision.housing[name]
    ]  # fmt: skip
    principal = next((link.owner for link in housing.owners if link.rank == 1), None)
    owner = decision.owner
    if principal is None or _name_key(principal.full_name) != _name_key(owner["full_name"]):
        return [*changed, "owner"]
    if owner["address_lines"] and principal.address_lines != owner["address_lines"]:
        changed.append("owner address")
    if owner["kind"] and principal.kind != owner["kind"]:
        changed.append("owner kind")
    return changed


def _text(value: Any, integer: bool = False) -> str:
    if value is None:
        return ""
    if integer and isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _lines(value: Any) -> list[str]:
    """A multi-line cell (ZLV joins address lines with a line break) as its lines."""
    text = _text(value)
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def _number(value: Any, name: str, reasons: list[str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        reasons.append(f"unreadable {LABELS[name]} {value!r}")
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
        text = text.removesuffix("m²").removesuffix("m2")
        try:
            number = float(text)
        except ValueError:
            reasons.append(f"unreadable {LABELS[name]} {value!r} (a number)")
            return None
    if not 0 <= number < 100_000:
        reasons.append(f"{LABELS[name]} {value!r} out of range")
        return None
    return round(number)


def _year(value: Any, name: str, reasons: list[str]) -> int | None:
    """A year from a number, a date cell or a date written as text (2019, 2019-03-01,
    01/03/2019)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            reasons.append(f"unreadable {LABELS[name]} {value!r} (a year or a date)")
            return None
        year = int(value)
    else:
        text = str(value).strip()
        match = YEAR.fullmatch(text)
        if not match:
            reasons.append(f"unreadable {LABELS[name]} {value!r} (a year or a date)")
            return None
        year = int(next(g for g in match.groups() if g))
    if not 1000 <= year <= 2100:
        reasons.append(f"{LABELS[name]} {value!r} out of range")
        return None
    return year


def apply(session: Session, collectivite: Collectivite, plan: Plan) -> None:
    """Write the plan's creates and updates in the caller's transaction (the caller
    commits, or rolls back: all or nothing). Refused rows are left out."""
    housings = {
        h.local_id: h
        for h in session.scalars(select(Housing).where(Housing.collectivite_id == collectivite.id))
    }
    owners: dict[tuple[str, tuple[str, ...]], Owner] = {
        _owner_key(o.full_name, o.address_lines): o
        for o in session.scalars(select(Owner).where(Owner.collectivite_id == collectivite.id))
    }
    for decision in plan.decisions:
        if decision.action in ("refuse", "unchanged"):
            continue
        housing = housings.get(decision.local_id)
        if housing is None:
            housing = Housing(collectivite=collectivite, local_id=decision.local_id,
                              insee_code=decision.insee_code)  # fmt: skip
            session.add(housing)
            housings[decision.local_id] = housing
        for name, value in decision.housing.items():
            if value not in (None, []):
                setattr(housing, name, value)
        _set_principal_owner(session, collectivite, housing, decision.owner, owners)
    session.flush()


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _owner_key(name: str, address_lines: list[str]) -> tuple[str, tuple[str, ...]]:
    return (_name_key(name), tuple(a.casefold() for a in address_lines))


def _set_principal_owner(session, collectivite, housing, data, owners) -> None:
    links = list(housing.owners) if housing.id is not None else []
    principal = next((link for link in links if link.rank == 1), None)
    name = data["full_name"]
    if principal is not None and _name_key(principal.owner.full_name) == _name_key(name):
        owner = principal.owner
    else:
        key = _owner_key(name, data["address_lines"])
        owner = owners.get(key)
        if owner is None:
            owner = Owner(collectivite=collectivite, full_name=name,
                          address_lines=data["address_lines"])  # fmt: skip
            session.add(owner)
            owners[key] = owner
        if principal is not None:
            principal.rank = 0  # ZLV's "ancien propriétaire"
        link = next((x for x in links if x.owner is owner), None)
        if link is None:
            session.add(HousingOwner(housing=housing, owner=owner, rank=1))
        else:
            link.rank = 1
    # Never do_not_contact: an import does not decide who may be written to.
    if data["address_lines"]:
        owner.address_lines = data["address_lines"]
    if data["kind"]:
        owner.kind = data["kind"]
