"""The database: one SQLAlchemy engine per app, a session per request, and the helper for
transactions that write.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy): the models and the rules engine stay importable
without Flask, and Alembic reads the same metadata. The engine lives in
`app.extensions["database"]`, so several apps (tests) never share one by accident.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import StaticPool


class Database:
    """The app's engine and a session per app context (that is, per request)."""

    def __init__(self) -> None:
        self.session = scoped_session(self._new_session, scopefunc=_app_context_id)

    def init_app(self, app: Flask) -> None:
        app.extensions["database"] = make_engine(app.config["DATABASE_URL"], app.config)

        @app.teardown_appcontext
        def remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database"]

    def _new_session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())


def make_engine(url: str, config: dict | None = None) -> Engine:
    """An engine tuned for the database behind `url` (SQLite or PostgreSQL).

    `hide_parameters`: a failed statement's error (logged, or in a traceback) shows the SQL
    but not the values bound to it: owners' phones, e-mails and notes stay out of the logs.
    """
    config = config or {}
    if url.startswith("sqlite"):
        return _sqlite_engine(url, int(config.get("DB_POOL_SIZE", 5)))
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    timeout = int(config.get("DB_STATEMENT_TIMEOUT_MS", 30_000))
    return create_engine(
        url,
        pool_size=int(config.get("DB_POOL_SIZE", 5)),
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args={"options": f"-c statement_timeout={timeout}"},
        hide_parameters=True,
    )


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict = {
        "connect_args": {"check_same_thread": False, "timeout": 5},
        "hide_parameters": True,
    }
    if in_memory:
        # One shared connection, so every session sees the same in-memory database.
        kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_size"] = pool_size
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection) -> None:
        # A write transaction takes the write lock at once (see begin_write): otherwise a
        # transaction that read first fails with "database is locked" when it writes.
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def begin_write(session: Session, *, reload: bool = True) -> None:
    """Start a transaction that will write: BEGIN IMMEDIATE on SQLite (concurrent writers
    wait for each other instead of failing), a plain transaction on PostgreSQL (where
    callers lock the rows they update). Objects read before are reloaded on access, unless
    `reload` is False: for a write that depends on nothing read before (an append-only
    row), so that the page's objects stay loaded.

    Called again inside the write transaction it began, it does nothing: service functions
    that write can each begin with it and still share their caller's transaction."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    if transaction is not None and transaction is session.info.get(_WRITING):
        return
    session.commit()
    if reload:
        session.expire_all()
    session.connection(execution_options={"sqlite_immediate": True})
    session.info[_WRITING] = session.get_transaction()


_WRITING = "portal.write_transaction"  # the session's transaction begun by begin_write
