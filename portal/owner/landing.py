"""Whether the letter of this browser session still opens, and what its landing shows.

The landing is the page every QR scan leads to, thousands of times an hour when a
campaign's letters arrive. It is served from the page cache (portal.pagecache): the page
of every letter of a campaign is the same in a given language but for the owner's own
facts (the dwelling's address, the date of their answer), so one rendering serves them
all. This module answers, in one query, whether the letter is still usable (not revoked,
not expired), what makes the shape of its page (the collectivité and campaign with their
`updated_at` stamps, where the owner stands: not started, started, submitted) and the
owner's own facts, filled in on each request.

The one speed-up here: the query runs on a connection borrowed from SQLAlchemy's pool
(`engine.raw_connection()`, given back at once) with its text compiled once per dialect,
rather than through the request's ORM session. Measured by `bench/bench_landing_query.py`
(in-process, same run, 2026-12-02): on SQLite 30 µs instead of 221 µs, a landing of 618 µs
in all (the gain: 24 % of a landing through the session); on PostgreSQL, in autocommit,
601 µs instead of 2,550 µs (57 %). The connections are the pool's: bounded by DB_POOL_SIZE
and its overflow, closed by `engine.dispose()`, whatever the number of threads.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Dialect, Engine, Text, and_, bindparam, cast, func, literal_column, select

from portal.experiments.exposure import running_exists
from portal.models import Campaign, Collectivite, Housing, Letter, Response

log = logging.getLogger(__name__)


LANDING_STATE = (
    select(
        Letter.revoked_at.is_not(None),
        Letter.revoked_reason,
        and_(Campaign.letters_expire_at.is_not(None), Campaign.letters_expire_at <= func.now()),
        # A running experiment on the landing's texts (portal.experiments.exposure).
        running_exists("landing", Letter.campaign_id, Letter.collectivite_id),
        Collectivite.id, Collectivite.updated_at, Campaign.id, Campaign.updated_at,
        # Answers saved: an exit without answers leaves "{}" (the same text on both databases).
        func.coalesce(func.length(cast(Response.answers, Text)), literal_column("0"))
        > literal_column("2"),
        Housing.address_lines, Response.submitted_at,
    )
    .join(Campaign, Campaign.id == Letter.campaign_id)
    .join(Collectivite, Collectivite.id == Campaign.collectivite_id)
    .join(Housing, Housing.id == Letter.housing_id)
    .outerjoin(Response, Response.letter_id == Letter.id)
    .where(Letter.id == bindparam("letter_id"))
)  # fmt: skip


class PageShape(NamedTuple):
    """What the landing of a letter shares with every letter of its campaign in the same
    language: the page cache's key is made of these fields and the language, nothing else."""

    collectivite_id: int
    collectivite_updated_at: datetime
    campaign_id: int
    campaign_updated_at: datetime
    progress: str  # "new", "started" (answers saved) or "submitted"


class LandingState(NamedTuple):
    """A letter's landing: its page's shape and the owner's own facts."""

    shape: PageShape
    address: str
    submitted_at: datetime | None
    experimenting: bool = False  # a page experiment runs on the landing of this letter


@functools.lru_cache(maxsize=8)
def _compiled(dialect: Dialect) -> tuple[str, bool, tuple]:
    """The query's text, its parameter style, and the result processors of its last two
    columns (the address lines and the submission date: the others are flags, ids and
    stamps that are only compared for equality)."""
    compiled = LANDING_STATE.compile(dialect=dialect)
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
        for column in LANDING_STATE.selected_columns[-2:]
    )
    return str(compiled), compiled.positional, processors


def _fetch(engine: Engine, letter_id: int) -> tuple | None:
    """The query's row for this letter, on a connection borrowed from the pool.

    On PostgreSQL the query runs in autocommit: one round trip, where a transaction would
    add a BEGIN before it and a ROLLBACK when the pool takes the connection back (psycopg
    sends none when no transaction is open). SQLite's connections never begin one here."""
    sql, positional, _ = _compiled(engine.dialect)
    pooled = engine.raw_connection()
    connection = pooled.dbapi_connection
    autocommit = engine.dialect.name == "postgresql"
    try:
        if autocommit:
            connection.autocommit = True
        cursor = connection.cursor()
        try:
            cursor.execute(sql, (letter_id,) if positional else {"letter_id": letter_id})
            rows = cursor.fetchall()  # to the end: SQLite then ends the statement's read
        finally:
            cursor.close()
    finally:
        if autocommit and not connection.closed:
            connection.autocommit = False
        pooled.close()  # back to the pool
    return rows[0] if rows else None


def landing_state(engine: Engine, letter_id: object) -> LandingState | None:
    """What the landing shows of this letter, or None when the letter does not open."""
    if not isinstance(letter_id, int):
        return None
    row = _fetch(engine, letter_id)
    if row is None:
        return None
    revoked, reason, expired, experimenting, *stamps, answered, address_lines, submitted_at = row
    if revoked:
        log.info("letter %s refused: revoked (%s)", letter_id, reason)
        return None
    if expired:
        log.info("letter %s refused: expired", letter_id)
        return None
    to_lines, to_datetime = _compiled(engine.dialect)[2]
    progress = "submitted" if submitted_at else "started" if answered else "new"
    return LandingState(
        shape=PageShape(*stamps, progress),
        address=", ".join(to_lines(address_lines) or ()) if address_lines else "",
        submitted_at=to_datetime(submitted_at) if submitted_at else None,
        experimenting=bool(experimenting),
    )
