"""Extension singletons, created uninitialised and bound to an app in `create_app`."""

from __future__ import annotations

import copy
import functools
import hashlib
import time

import flask
from flask import Flask, current_app, request
from flask.globals import app_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import Babel
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import StaticPool
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.http import parse_cookie
from werkzeug.utils import cached_property


class Database:
    """One SQLAlchemy engine per app and a session per app context (that is, per request).

    Plain SQLAlchemy 2 (no Flask-SQLAlchemy): the models and the rules engine stay
    importable without Flask, and Alembic reads the same metadata. The engine lives in
    `app.extensions["database"]`, so several apps (tests) never share one by accident.
    """

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
    """An engine tuned for the database behind `url` (SQLite or PostgreSQL)."""
    config = config or {}
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    timeout = int(config.get("DB_STATEMENT_TIMEOUT_MS", 30_000))
    return create_engine(
        url,
        pool_size=int(config.get("DB_POOL_SIZE", 5)),
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args={"options": f"-c statement_timeout={timeout}"},
    )


def _sqlite_engine(url: str) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 5}}
    if in_memory:
        # One shared connection, so every session sees the same in-memory database.
        kwargs["poolclass"] = StaticPool
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


class CSRF(CSRFProtect):
    """Flask-WTF's CSRF protection, looking at the method first: Flask-WTF looks up the
    exempt views and blueprints before the method, on every request, GETs included."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            super().protect(apply_exemptions)


db = Database()
csrf = CSRF()
mail = Mail()
babel = Babel()


def begin_write(session: Session) -> None:
    """Start a transaction that will write: BEGIN IMMEDIATE on SQLite (concurrent writers
    wait for each other instead of failing), a plain transaction on PostgreSQL (where
    callers lock the rows they update). Objects read before are reloaded on access."""
    session.commit()
    session.expire_all()
    session.connection(execution_options={"sqlite_immediate": True})


class Request(flask.Request):
    """Flask's request, its cookies parsed once per worker for a given Cookie header (an
    immutable mapping, shared safely): an owner's browser sends the same header with every
    request, and parsing it cost more than the rest of the session's work."""

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        header = self.environ.get("HTTP_COOKIE", "")
        if len(header) > MAX_REMEMBERED_COOKIE_HEADER:  # never ours: no memory to spare
            return parse_cookie(header, cls=self.dict_storage_class)
        return _parsed_cookies(header, self.dict_storage_class)


MAX_REMEMBERED_COOKIE_HEADER = 1024  # ours is ~150 characters; at most ~10 MB remembered


@functools.lru_cache(maxsize=10_000)
def _parsed_cookies(header: str, storage: type) -> ImmutableMultiDict[str, str]:
    return parse_cookie(header, cls=storage)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, cheaper for pages served thousands of times (the
    landing): the serializer is built once per key rather than on every request, and a
    cookie already verified by this worker is not verified again.

    Verified cookies are remembered in a bounded LRU map from the cookie's exact text to its
    data and signing time: the text carries its own signature, so the same text always
    verifies the same way under the same keys. The age limit is checked on every request,
    and each request gets its own copy of the data.
    """

    # Flask's own is a Python function wrapping hashlib.sha1 (for FIPS builds, where SHA-1 may
    # be missing at import time), which sends the hmac module down its pure-Python path; the
    # builtin takes OpenSSL's. Same HMAC-SHA1, same signatures.
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = _verified_cookie(serializer, value)
        except BadSignature:
            return self.session_class()
        age = int(time.time()) - signed_at
        if not 0 <= age <= app.permanent_session_lifetime.total_seconds():
            return self.session_class()  # as itsdangerous's max_age: expired, or from the future
        return self.session_class(_copied(data))

    def save_session(self, app: Flask, session, response) -> None:
        if session.modified or (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            super().save_session(app, session, response)
        elif session.accessed:  # nothing to write: only say that the page read the cookie
            _vary_on_cookie(response)


_SCALARS = (str, int, float, bool, type(None))


def _copied(data: dict) -> dict:
    """A copy a request may change freely (deep when some value is itself mutable)."""
    if all(isinstance(value, _SCALARS) for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)


def _vary_on_cookie(response) -> None:
    """`Vary: Cookie` (werkzeug's `response.vary.add` parses the header first)."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


@functools.lru_cache(maxsize=10_000)
def _verified_cookie(serializer, value: str) -> tuple[dict, int]:
    """The data of a session cookie and when it was signed; BadSignature (never cached)
    when it does not verify."""
    data, signed_at = serializer.loads(value, return_timestamp=True)
    return data, int(signed_at.timestamp())


def session() -> Session:
    """The current request's database session."""
    return db.session()
