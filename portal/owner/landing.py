"""Whether the letter of this browser session still opens, and what its landing shows.

The landing is the page every QR scan leads to, thousands of times an hour when a
campaign's letters arrive. It is served from the page cache (portal.pagecache) while the
rows it shows are unchanged; this module answers, in one query, whether the letter is still
usable (not revoked, not expired) and the `updated_at` stamps of those rows (letter,
campaign, collectivité, dwelling, response), which make the cache key.

The query is compiled once per database dialect and run on a raw DBAPI cursor, on a
connection of its own per worker thread (`LandingReader`): SQLAlchemy's statement execution
and the pool's checkout and return (with, on PostgreSQL, its pre-ping round trip) cost more
than the query itself on this path. The stamps are the raw values the driver returns (text
on SQLite, datetimes on PostgreSQL): they are only compared for equality.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading

from flask import current_app
from sqlalchemy import Dialect, Engine, and_, bindparam, event, func, select
from sqlalchemy.pool import StaticPool

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
        self.sql, self.positional = _compiled(engine.dialect)
        self.errors = engine.dialect.loaded_dbapi.Error
        self.shared = isinstance(engine.pool, StaticPool)
        self._local = threading.local()
        self._connections: set = set()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self.close_all)

    def fetch(self, letter_id: int) -> tuple | None:
        parameters = (letter_id,) if self.positional else {"letter_id": letter_id}
        if self.shared:
            connection = self.engine.raw_connection()
            try:
                return self._run(connection, parameters)
            finally:
                connection.close()
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return self._run(connection, parameters)
            except self.errors:
                self._discard(connection)
                if attempt == 2:
                    raise
                log.warning("landing query failed: retrying on a new connection", exc_info=True)
        raise AssertionError("unreachable")

    def _run(self, connection, parameters) -> tuple | None:
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, parameters)
            return cursor.fetchone()
        finally:
            cursor.close()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            pooled = self.engine.raw_connection()  # opened with the engine's settings
            pooled.detach()  # closed for good, never returned to the pool
            connection = pooled.dbapi_connection
            self.engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
            with self._lock:
                self._connections.add(connection)
            self._local.connection = connection
        return connection

    def _discard(self, connection) -> None:
        self._local.connection = None
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


def landing_state(letter_id: object) -> tuple | None:
    """The stamps of what the landing shows, or None when the letter does not open."""
    if not isinstance(letter_id, int):
        return None
    reader: LandingReader = current_app.extensions["landing_reader"]
    row = reader.fetch(letter_id)
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
