"""Shared fixtures: one migrated database per run (SQLite file, or a fresh PostgreSQL
database when TEST_DATABASE_URL is set), emptied after each test, and a test client
whose every HTML page goes through the page-quality checks."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.commands.database import upgrade
from portal.models import Base
from tests.page_quality import check_page

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@contextmanager
def fresh_database(tmp_path_factory):
    """An empty database for this run, dropped afterwards."""
    if not POSTGRES_URL:
        path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex}.sqlite3"
        yield f"sqlite:///{path}"
        return
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _light_password_hashing():
    """argon2id with small parameters in tests: the same code paths, a fraction of the cost
    (the production parameters take about 0.4 s a hash on a two-core machine)."""
    from argon2 import PasswordHasher

    from portal import passwords

    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", light)
        patch.setattr(passwords, "_DUMMY_HASH", light.hash("not-a-real-password"))
        yield


@pytest.fixture(autouse=True, scope="session")
def _development_key_elsewhere(tmp_path_factory):
    """A development config made by a test keeps its generated key out of instance/."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("instance") / "secret_key"
        patch.setenv("SECRET_KEY_FILE", str(path))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("test", DATABASE_URL=database_url)
    yield app
    app.extensions["database"].dispose()


@pytest.fixture(autouse=True)
def _empty_database(request):
    """Tests that touched the database leave it empty."""
    yield
    if "app" not in request.fixturenames:
        return
    with request.getfixturevalue("app").extensions["database"].begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(app):
    """A database session of the test's own (not the request-scoped one)."""
    with Session(app.extensions["database"], expire_on_commit=False) as session:
        yield session


class PageClient:
    """Flask's test client; every HTML response is checked by tests/page_quality.py."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def open(self, *args, checks_off: dict[str, str] | None = None, **kwargs):
        response = self.client.open(*args, **kwargs)
        # (The test client's responses always look streamed: `is_streamed` must not gate this.)
        if response.mimetype == "text/html":
            problems = check_page(
                response.get_data(as_text=True),
                response.headers.get("Content-Security-Policy"),
                checks_off,
            )
            assert not problems, f"{response.request.path}: " + "; ".join(problems)
        return response

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)


@pytest.fixture
def client(app):
    return PageClient(app.test_client())


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on `path` (it lives in the session)."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email: str, password: str | None = None, next_path: str | None = None):
    """Sign in to the back-office with the password (TOTP is off in the test config; an
    agent who enrolled is then sent to /gestion/connexion/code: see tests/builders.py
    `totp_code`). Returns the response to the password form."""
    from tests.builders import PASSWORD

    path = "/gestion/connexion" + (f"?next={next_path}" if next_path else "")
    token = csrf_token(client, path)
    return client.post(
        path, data={"email": email, "password": password or PASSWORD, "csrf_token": token}
    )
