"""Whether the letter of this browser session still opens, and what its landing shows.

The landing is the page every QR scan leads to, thousands of times an hour when a
campaign's letters arrive. It is served from the page cache (portal.pagecache): the page
of every letter of a campaign is the same in a given language but for the owner's own
facts (the dwelling's address, the date of their answer), so one rendering serves them
all. This module answers, in one query, whether the letter is still usable (not revoked,
not expired), what makes the shape of its page (the campaign and collectivité with their
`updated_at` stamps, where the owner stands: not started, started, submitted) and the
owner's own facts, filled in on each request.

The query is compiled once per database dialect and run on a raw DBAPI cursor, on a
connection of its own per worker thread (`LandingReader`): SQLAlchemy's statement execution
and the pool's checkout and return (with, on PostgreSQL, its pre-ping round trip) cost more
than the query itself on this path. The address lines and the submission date go through
their SQLAlchemy types' result processors, as an ORM query's would; the other columns are
flags, ids, and stamps that are only compared for equality.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import (
    Dialect,
    Engine,
    Text,
    and_,
    bindparam,
    cast,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.pool import StaticPool

from portal.models import Campaign, Collectivite, Housing, Letter, Response

log = logging.getLogger(__name__)

LANDING_STATE = (
    select(
        Letter.revoked_at.is_not(None),
        Letter.revoked_reason,
        and_(Campaign.letters_expire_at.is_not(None), Campaign.letters_expire_at <= func.now()),
        Campaign.id, Campaign.updated_at, Collectivite.id, Collectivite.updated_at,
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


class LandingState(NamedTuple):
    """A letter's landing: `shape` (what its page shares with every letter of the campaign
    in the same language and at the same stage) and the owner's own facts."""

    shape: tuple
    progress: str  # "new", "started" (answers saved) or "submitted"
    address: str
    submitted_at: datetime | None


@functools.lru_cache(maxsize=16)
def _compiled(dialect: Dialect) -> tuple[str, bool, tuple]:
    """The query's text, its parameter style, and the result processors of its last two
    columns (the address lines and the submission date: the others are flags, and stamps
    that are only compared)."""
    compiled = LANDING_STATE.compile(dialect=dialect)
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
        for column in LANDING_STATE.selected_columns[-2:]
    )
    return str(compiled), compiled.positional, processors


class LandingReader:
    """Runs the landing's query on one connection per thread, kept outside the pool.

    Each connection is detached from the engine's pool and set to autocommit, so it never
    holds a transaction (nor, on SQLite, a read snapshot) between requests. A connection
    that fails is closed and replaced, and the query tried once more; the engine's
    `dispose()` closes them all. An in-memory SQLite database has one connection, shared
    through the pool: it is borrowed from the pool for each query.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sql, self.positional, self.processors = _compiled(engine.dialect)
        self.errors = engine.dialect.loaded_dbapi.Error
        self.shared = isinstance(engine.pool, StaticPool)
        self._local = threading.local()
        self._connections: set = set()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self.close_all)

    def fetch(self, letter_id: int) -> tuple | None:
        """The query's row for this letter, as the driver returns it."""
        parameters = (letter_id,) if self.positional else {"letter_id": letter_id}
        if self.shared:
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                try:
                    return self._run(cursor, parameters)
                finally:
                    cursor.close()
            finally:
                connection.close()
        for attempt in (1, 2):
            connection, cursor = self._connection()
            try:
                return self._run(cursor, parameters)
            except self.errors:
                self._discard(connection)
                if attempt == 2:
                    raise
                log.warning("landing query failed: retrying on a new connection", exc_info=True)
        raise AssertionError("unreachable")

    def _run(self, cursor, parameters) -> tuple | None:
        cursor.execute(self.sql, parameters)
        rows = cursor.fetchall()  # to the end: SQLite then ends the statement's read
        return rows[0] if rows else None

    def _connection(self) -> tuple:
        """This thread's connection and its cursor (kept: a cursor is reusable)."""
        kept = getattr(self._local, "kept", None)
        if kept is None:
            pooled = self.engine.raw_connection()  # opened with the engine's settings
            pooled.detach()  # closed for good, never returned to the pool
            connection = pooled.dbapi_connection
            self.engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
            with self._lock:
                self._connections.add(connection)
            kept = self._local.kept = (connection, connection.cursor())
        return kept

    def _discard(self, connection) -> None:
        self._local.kept = None
        with self._lock:
            self._connections.discard(connection)
        with contextlib.suppress(self.errors):
            connection.close()

    def close_all(self, _engine: Engine | None = None) -> None:
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(self.errors):
                connection.close()
        self._local = threading.local()


def landing_state(letter_id: object) -> LandingState | None:
    """What the landing shows of this letter, or None when the letter does not open."""
    if not isinstance(letter_id, int):
        return None
    reader: LandingReader = current_app.extensions["landing_reader"]
    row = reader.fetch(letter_id)
    if row is None:
        return None
    revoked, reason, expired, *shape, answered, address_lines, submitted_at = row
    to_lines, to_datetime = reader.processors
    if revoked:
        log.info("letter %s refused: revoked (%s)", letter_id, reason)
        return None
    if expired:
        log.info("letter %s refused: expired", letter_id)
        return None
    progress = "submitted" if submitted_at else "started" if answered else "new"
    return LandingState(
        shape=(*shape, progress),
        progress=progress,
        address=", ".join(to_lines(address_lines)) if address_lines else "",
        submitted_at=to_datetime(submitted_at) if submitted_at else None,
    )
