"""Reading one collectivité's housings: the "Logements" list, its filters and counts, and
the housings a campaign is built from.

Every function takes the collectivité's id first and every query it builds is restricted to
it. The list is made for 100,000 housings per collectivité: the counts are one query, a page
is LIMIT/OFFSET in the order of the (collectivite_id, local_id) unique index, and the page's
owners and campaign counts are read for its 50 housings only. The filters are plain
comparisons on housing columns (and EXISTS on the letters' housing index), so that the
database can use its indexes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from portal.models import Housing, HousingOwner, Letter, Owner

PAGE_SIZE = 50
CHUNK = 500  # ids per IN (…) list


@dataclass(frozen=True)
class HousingFilter:
    """What the agent asked the list for; empty means "any"."""

    insee_code: str | None = None
    # Vacancy start years, as (first, last) ranges (None: open), any of which matches.
    vacancy_years: tuple[tuple[int | None, int | None], ...] = ()
    kinds: tuple[str, ...] = ()  # APPART, MAISON
    energy_labels: tuple[str, ...] = ()  # A–G
    statuses: tuple[str, ...] = ()  # ZLV status ids
    in_campaign: bool | None = None  # has at least one letter (or none)


@dataclass(frozen=True)
class Counts:
    housings: int
    owners: int  # distinct principal owners of those housings


@dataclass
class HousingRow:
    housing: Housing
    owner_id: int | None  # the principal owner (rank 1), None when unknown
    owner_name: str | None
    do_not_contact: bool
    campaigns: int


@dataclass
class HousingPage:
    rows: list[HousingRow]
    counts: Counts
    number: int  # 1-based, within 1..pages
    pages: int  # at least 1


def _conditions(collectivite_id: int, where: HousingFilter) -> list:
    conditions = [Housing.collectivite_id == collectivite_id]
    if where.insee_code:
        conditions.append(Housing.insee_code == where.insee_code)
    if where.vacancy_years:
        ranges = []
        for first, last in where.vacancy_years:
            bounds = [Housing.vacancy_start_year.is_not(None)]
            if first is not None:
                bounds.append(Housing.vacancy_start_year >= first)
            if last is not None:
                bounds.append(Housing.vacancy_start_year <= last)
            ranges.append(and_(*bounds))
        conditions.append(or_(*ranges))
    if where.kinds:
        conditions.append(Housing.kind.in_(where.kinds))
    if where.energy_labels:
        conditions.append(Housing.energy_label.in_(where.energy_labels))
    if where.statuses:
        conditions.append(Housing.status.in_(where.statuses))
    if where.in_campaign is not None:
        lettered = exists().where(Letter.housing_id == Housing.id)
        conditions.append(lettered if where.in_campaign else ~lettered)
    return conditions


def _principal_owner():
    return and_(HousingOwner.housing_id == Housing.id, HousingOwner.rank == 1)


def counts(session: Session, collectivite_id: int, where: HousingFilter) -> Counts:
    """How many housings match, and how many distinct principal owners they have (one query)."""
    housings, owners = session.execute(
        select(func.count(Housing.id.distinct()), func.count(HousingOwner.owner_id.distinct()))
        .select_from(Housing)
        .outerjoin(HousingOwner, _principal_owner())
        .where(*_conditions(collectivite_id, where))
    ).one()
    return Counts(housings or 0, owners or 0)


def housing_page(session: Session, collectivite_id: int, where: HousingFilter,
                 number: int = 1, size: int = PAGE_SIZE) -> HousingPage:  # fmt: skip
    """One page of the matching housings, by local id; a page past the end gives the last."""
    total = counts(session, collectivite_id, where)
    pages = max(1, -(-total.housings // size))
    number = min(max(1, number), pages)
    housings = session.scalars(
        select(Housing)
        .where(*_conditions(collectivite_id, where))
        .order_by(Housing.local_id, Housing.id)
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    ids = [housing.id for housing in housings]
    owners = _principal_owners(session, collectivite_id, ids)
    campaigns = _campaign_counts(session, collectivite_id, ids)
    rows = [
        HousingRow(
            housing, *owners.get(housing.id, (None, None, False)), campaigns.get(housing.id, 0)
        )
        for housing in housings
    ]
    return HousingPage(rows, total, number, pages)


def _principal_owners(session: Session, collectivite_id: int,
                      ids: list[int]) -> dict[int, tuple[int, str, bool]]:  # fmt: skip
    """housing id → (principal owner's id, name, do not contact), the first by owner id (as
    portal.campaigns.build chooses). Two indexed steps, not a join: see `recipients` there."""
    links = session.execute(
        select(HousingOwner.housing_id, HousingOwner.owner_id)
        .where(HousingOwner.housing_id.in_(ids), HousingOwner.rank == 1)
    ).all() if ids else []  # fmt: skip
    if not links:
        return {}
    owners = {
        owner_id: (owner_id, name, do_not_contact)
        for owner_id, name, do_not_contact in session.execute(
            select(Owner.id, Owner.full_name, Owner.do_not_contact).where(
                Owner.collectivite_id == collectivite_id,
                Owner.id.in_(sorted({owner_id for _, owner_id in links})))
        )
    }  # fmt: skip
    found: dict[int, tuple[int, str, bool]] = {}
    for housing_id, owner_id in sorted(links):
        if owner_id in owners:
            found.setdefault(housing_id, owners[owner_id])
    return found


def _campaign_counts(session: Session, collectivite_id: int, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Letter.housing_id, func.count(Letter.campaign_id.distinct()))
        .where(Letter.housing_id.in_(ids), Letter.collectivite_id == collectivite_id)
        .group_by(Letter.housing_id)
    )
    return {housing_id: count for housing_id, count in rows}


def matching_ids(session: Session, collectivite_id: int, where: HousingFilter) -> list[int]:
    """The ids of every matching housing ("tous les logements filtrés")."""
    return list(session.scalars(select(Housing.id).where(*_conditions(collectivite_id, where))))


def known_ids(session: Session, collectivite_id: int, ids: Iterable[int]) -> set[int]:
    """Those of `ids` that are this collectivité's housings."""
    wanted, known = sorted(set(ids)), set()
    for start in range(0, len(wanted), CHUNK):
        known.update(session.scalars(
            select(Housing.id).where(Housing.collectivite_id == collectivite_id,
                                     Housing.id.in_(wanted[start : start + CHUNK]))
        ))  # fmt: skip
    return known


def communes(session: Session, collectivite_id: int) -> list[str]:
    """The INSEE codes of the communes of the collectivité's housings."""
    return list(session.scalars(
        select(Housing.insee_code).where(Housing.collectivite_id == collectivite_id)
        .distinct().order_by(Housing.insee_code)
    ))  # fmt: skip
