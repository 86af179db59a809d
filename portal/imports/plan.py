"""Decisions against the database, and writing them, a chunk of rows at a time.

Housing is keyed on (collectivité, INSEE code, local id): importing the same file again
updates the housings it created. The housing table already forbids two housings of one
collectivité with the same local id (an identifiant fiscal national is unique in France), so a
row whose local id is known under another INSEE code is refused rather than duplicated, and
a local id seen twice in the file is refused the second time (the one whole-file memory:
the local ids seen so far). The principal owner (rank 1) is matched by name: the same name
updates that owner; a new name makes the previous one rank 0 ("ancien propriétaire"). An
owner is otherwise found by name (as written) and address within the collectivité.
Importing never clears "ne pas contacter", never touches a housing's follow-up status, and
never erases a value with an empty cell.

Memory stays flat: a chunk looks up only its own housings and owners, and `release` lets
the session forget them once the chunk is decided or written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, selectinload

from portal.imports.read import Row
from portal.imports.validate import Decision, decide_row, name_key
from portal.models import Housing, HousingOwner, Owner

CHUNK_SIZE = 1_000
DEFAULT_OWNER_KIND = "Particulier"  # as the Owner model's default
HOUSING_FIELDS = ("invariant", "address_lines", "kind", "living_area", "rooms_count",
                  "building_year", "vacancy_start_year", "energy_label")  # fmt: skip


class DataChanged(Exception):
    """The housings changed between the check and the write (another import ran)."""


def chunks(items: Iterable, size: int | None = None) -> Iterator[list]:
    iterator, size = iter(items), size or CHUNK_SIZE
    while chunk := list(islice(iterator, size)):
        yield chunk


class Planner:
    """Decides rows chunk by chunk for one collectivité; reads, never writes."""

    def __init__(self, session: Session, collectivite_id: int, perimeter: Iterable[str]):
        self.session, self.collectivite_id = session, collectivite_id
        self.perimeter = set(perimeter or ())
        self.seen: dict[str, int] = {}  # local id → the row it was first seen on

    def decide(self, rows: list[Row]) -> list[Decision]:
        decisions = [decide_row(row, self.perimeter) for row in rows]
        keys = {d.local_id for d in decisions if d.action != "refuse"}
        existing = housings_by_local_id(self.session, self.collectivite_id, keys)
        for decision in decisions:
            if decision.action == "refuse":
                continue
            first = self.seen.setdefault(decision.local_id, decision.row)
            housing = existing.get(decision.local_id)
            if first != decision.row:
                decision.refuse("duplicate", row=first)
            elif housing is not None and housing.insee_code != decision.insee_code:
                decision.refuse("other-insee", local_id=decision.local_id,
                                insee=housing.insee_code)  # fmt: skip
            elif housing is not None:
                decision.changes = changes(housing, decision)
                decision.action = "update" if decision.changes else "unchanged"
                decision.owner["had_address"] = bool(principal_address(housing, decision))
        release(self.session)
        return decisions


def custom_plans(session: Session) -> None:
    """On PostgreSQL, plan each chunk's look-up for its own ids. psycopg prepares a statement
    run five times, and PostgreSQL then may keep a generic plan: a scan that compares every
    row with each of the 1,000 ids, ever slower as the import's own rows fill the table
    (minutes at 100,000 rows: bench/bench_import.py). For the current transaction only."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def housings_by_local_id(session: Session, collectivite_id: int, local_ids) -> dict:
    if not local_ids:
        return {}
    custom_plans(session)
    statement = (
        select(Housing)
        .where(Housing.collectivite_id == collectivite_id, Housing.local_id.in_(local_ids))
        .options(selectinload(Housing.owners).selectinload(HousingOwner.owner))
    )
    return {h.local_id: h for h in session.scalars(statement)}


def release(session: Session) -> None:
    """Forget the chunk's housings and owners, once written (flushed) or only read; an
    object with unflushed changes is kept."""
    dirty = session.dirty
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Housing | Owner | HousingOwner) and obj not in dirty:
            session.expunge(obj)


def principal(housing: Housing) -> Owner | None:
    return next((link.owner for link in housing.owners if link.rank == 1), None)


def principal_address(housing: Housing, decision: Decision) -> list[str]:
    """The address the principal owner keeps when the row gives none (same owner only)."""
    owner = principal(housing)
    same = owner is not None and name_key(owner.full_name) == name_key(decision.owner["full_name"])
    return list(owner.address_lines or []) if same else []


def changes(housing: Housing, decision: Decision) -> list[str]:
    """What importing the row would change: the housing's fields, and its principal owner
    (another name, or a new address or kind), as `write` would write them."""
    changed = [
        name for name in HOUSING_FIELDS
        if decision.housing.get(name) not in (None, [])
        and getattr(housing, name) != decision.housing[name]
    ]  # fmt: skip
    owner = principal(housing)
    data = decision.owner
    if owner is None or name_key(owner.full_name) != name_key(data["full_name"]):
        return [*changed, "owner"]
    if data["address_lines"] and owner.address_lines != data["address_lines"]:
        changed.append("owner_address")
    if data["kind"] and owner.kind != data["kind"]:
        changed.append("owner_kind")
    return changed


def _owner_key(name: str, address_lines: list[str]) -> tuple[str, tuple[str, ...]]:
    return (name_key(name), tuple(a.casefold() for a in address_lines))


def owner_of(decision: Decision, completions: dict[str, list[str]] | None) -> dict:
    """The owner a row writes: its cells, with the address the "Propriétaires" sheet gives
    (`completions`: name key → address) when the row has none."""
    data = dict(decision.owner)
    if not data["address_lines"] and completions:
        data["address_lines"] = completions.get(name_key(data["full_name"]), [])
    return data


def write(session: Session, collectivite_id: int, decisions: list[Decision],
          completions: dict[str, list[str]] | None = None) -> None:  # fmt: skip
    """Write a chunk of creates and updates in the caller's transaction (the caller commits
    or rolls back: all or nothing). Updates go through the ORM (a housing's owners, ranks);
    new housings, their new owners and links are inserted in bulk (INSERT … RETURNING): a
    first import of 100,000 rows is mostly these, and the write holds the database's write
    lock on SQLite. Only the housings to update are looked up again: one created since the
    check breaks the unique (collectivité, local id) and the whole import rolls back."""
    updates = {d.local_id for d in decisions if d.action == "update"}
    existing = housings_by_local_id(session, collectivite_id, updates)
    datas = [owner_of(decision, completions) for decision in decisions]
    names = {data["full_name"] for data in datas}
    custom_plans(session)
    owners = {
        _owner_key(o.full_name, o.address_lines): o
        for o in session.scalars(select(Owner).where(Owner.collectivite_id == collectivite_id,
                                                     Owner.full_name.in_(names)))
    }  # fmt: skip
    creates = []
    for decision, data in zip(decisions, datas, strict=True):
        housing = existing.get(decision.local_id)
        if housing is None:
            creates.append((decision, data))
            continue
        if housing.insee_code != decision.insee_code:
            raise DataChanged(decision.local_id)
        for name, value in decision.housing.items():
            if value not in (None, []):
                setattr(housing, name, value)
        _set_principal_owner(session, collectivite_id, housing, data, owners)
    session.flush()  # owners created for updates get their ids
    if creates:
        _insert(session, collectivite_id, creates, owners)
    session.flush()
    release(session)


def _insert(session: Session, collectivite_id: int, creates: list, owners: dict) -> None:
    """New housings, with their principal owner: found in `owners` (key → Owner), or
    inserted once for the chunk."""
    new_owners: dict[tuple, dict] = {}
    for _decision, data in creates:
        key = _owner_key(data["full_name"], data["address_lines"])
        owner = owners.get(key)
        if owner is not None:
            _refresh_owner(owner, data)
        elif key not in new_owners:
            new_owners[key] = {"collectivite_id": collectivite_id, "full_name": data["full_name"],
                               "address_lines": data["address_lines"],
                               "kind": data["kind"] or DEFAULT_OWNER_KIND}  # fmt: skip
    owner_ids = {key: owner.id for key, owner in owners.items()}
    if new_owners:
        statement = insert(Owner).returning(Owner.id, sort_by_parameter_order=True)
        ids = session.scalars(statement, list(new_owners.values())).all()
        owner_ids.update(zip(new_owners, ids, strict=True))
    rows = [
        {"collectivite_id": collectivite_id, "local_id": decision.local_id,
         "insee_code": decision.insee_code, **decision.housing}
        for decision, _data in creates
    ]  # fmt: skip
    statement = insert(Housing).returning(Housing.id, sort_by_parameter_order=True)
    housing_ids = session.scalars(statement, rows).all()
    links = [
        {"housing_id": housing_id, "rank": 1,
         "owner_id": owner_ids[_owner_key(data["full_name"], data["address_lines"])]}
        for housing_id, (_decision, data) in zip(housing_ids, creates, strict=True)
    ]  # fmt: skip
    session.execute(insert(HousingOwner), links)


def _refresh_owner(owner: Owner, data: dict) -> None:
    """An owner found again: its address and kind as the row gives them (never
    do_not_contact: an import does not decide who may be written to)."""
    if data["address_lines"] and owner.address_lines != data["address_lines"]:
        owner.address_lines = data["address_lines"]
    if data["kind"] and owner.kind != data["kind"]:
        owner.kind = data["kind"]


def _set_principal_owner(session, collectivite_id, housing, data, owners) -> None:
    links = list(housing.owners) if housing.id is not None else []
    current = next((link for link in links if link.rank == 1), None)
    name = data["full_name"]
    if current is not None and name_key(current.owner.full_name) == name_key(name):
        owner = current.owner
    else:
        key = _owner_key(name, data["address_lines"])
        owner = owners.get(key)
        if owner is None:
            owner = Owner(collectivite_id=collectivite_id, full_name=name,
                          address_lines=data["address_lines"])  # fmt: skip
            session.add(owner)
            owners[key] = owner
        if current is not None:
            current.rank = 0  # ZLV's "ancien propriétaire"
        link = next((x for x in links if x.owner is owner), None)
        if link is None:
            session.add(HousingOwner(housing=housing, owner=owner, rank=1))
        else:
            link.rank = 1
    _refresh_owner(owner, data)
