"""Whether the letter of this browser session still opens, and what its landing shows.

The landing is the page every QR scan leads to, thousands of times an hour when a
campaign's letters arrive. It is served from the page cache (portal.pagecache) while the
rows it shows are unchanged; this module answers, in one query, whether the letter is still
usable (not revoked, not expired) and the `updated_at` stamps of those rows (letter,
campaign, collectivité, dwelling, response), which make the cache key.

The query is compiled once per database dialect and run on a raw DBAPI cursor: SQLAlchemy's
statement execution costs more than the query itself on this path. The stamps are the raw
values the driver returns (text on SQLite, datetimes on PostgreSQL): they are only compared
for equality.
"""

from __future__ import annotations

import functools
import logging

from sqlalchemy import Dialect, Engine, and_, bindparam, func, select

from portal.models import Campaign, Collectivite, Housing, Letter, Response

log = logging.getLogger(__name__)

LANDING_STATE = (
    select(
        Letter.revoked_at.is_not(None),
        Letter.revoked_reason,
        and_(Campaign.letters_expire_at.is_not(None), Campaign.letters_expire_at <= func.now()),
        Letter.updated_at, Campaign.updated_at, Collectivite.updated_at, Housing.updated_at,
        Response.updated_at,
    )
    .join(Campaign, Campaign.id == Letter.campaign_id)
    .join(Collectivite, Collectivite.id == Campaign.collectivite_id)
    .join(Housing, Housing.id == Letter.housing_id)
    .outerjoin(Response, Response.letter_id == Letter.id)
    .where(Letter.id == bindparam("letter_id"))
)  # fmt: skip


@functools.lru_cache(maxsize=16)
def _compiled(dialect: Dialect) -> tuple[str, bool]:
    compiled = LANDING_STATE.compile(dialect=dialect)
    return str(compiled), compiled.positional


def landing_state(engine: Engine, letter_id: object) -> tuple | None:
    """The stamps of what the landing shows, or None when the letter does not open."""
    if not isinstance(letter_id, int):
        return None
    sql, positional = _compiled(engine.dialect)
    connection = engine.raw_connection()  # from the pool; reset (rolled back) on close
    try:
        cursor = connection.cursor()
        cursor.execute(sql, (letter_id,) if positional else {"letter_id": letter_id})
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    if row is None:
        return None
    revoked, reason, expired, *stamps = row
    if revoked:
        log.info("letter %s refused: revoked (%s)", letter_id, reason)
        return None
    if expired:
        log.info("letter %s refused: expired", letter_id)
        return None
    return tuple(stamps)
