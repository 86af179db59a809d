"""The landing's query runs on a connection of its own per thread (portal.owner.landing)."""

from __future__ import annotations

import threading

import pytest

from portal import create_app
from portal.models import Base
from portal.owner.landing import landing_state
from tests.builders import make_letter


def this_threads_connection(app):
    return app.extensions["landing_reader"]._local.kept[0]


def in_transaction(app, connection) -> bool:
    if app.extensions["database"].dialect.name == "sqlite":
        return connection.in_transaction
    import psycopg

    return connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_the_landing_connection_is_kept_and_holds_no_transaction(app, client, opened):
    assert client.get("/mon-logement").status_code == 200
    connection = this_threads_connection(app)
    assert not in_transaction(app, connection)
    assert client.get("/mon-logement").status_code == 200
    assert this_threads_connection(app) is connection  # not one per request


def test_a_broken_connection_is_replaced(app, client, opened):
    assert client.get("/mon-logement").status_code == 200
    broken = this_threads_connection(app)
    broken.close()  # as a database restart would
    assert client.get("/mon-logement").status_code == 200
    assert this_threads_connection(app) is not broken


def test_each_thread_has_its_own_connection(app, opened):
    def landing_status(results: list) -> None:
        with app.test_client() as other:
            with other.session_transaction() as cookie_session:
                cookie_session["letter_id"] = opened.id
            results.append(other.get("/mon-logement").status_code)
            results.append(this_threads_connection(app))

    first: list = []
    second: list = []
    for results in (first, second):
        thread = threading.Thread(target=landing_status, args=(results,))
        thread.start()
        thread.join()
    assert first[0] == second[0] == 200
    assert first[1] is not second[1]


def test_disposing_the_engine_closes_the_connections(database_url, session):
    _letter, token, _ = make_letter(session)
    session.commit()
    app = create_app("test", DATABASE_URL=database_url)
    client = app.test_client()
    client.get(f"/l/{token}")
    assert client.get("/mon-logement").status_code == 200
    reader = app.extensions["landing_reader"]
    assert len(reader._connections) == 1
    app.extensions["database"].dispose()
    assert reader._connections == set()
    assert client.get("/mon-logement").status_code == 200  # a new one, opened on demand
    app.extensions["database"].dispose()


def test_an_in_memory_database_is_read_through_the_pool():
    app = create_app("test", DATABASE_URL="sqlite://")
    engine = app.extensions["database"]
    Base.metadata.create_all(engine)  # in the one in-memory database the pool shares
    assert app.extensions["landing_reader"].shared
    with app.app_context():
        assert landing_state(12345) is None  # read there: another connection has no tables
    engine.dispose()


def test_the_landing_query_leaves_no_read_open(app, client, session, opened):
    """A read left open would keep SQLite's write-ahead log from being checkpointed."""
    if app.extensions["database"].dialect.name != "sqlite":
        pytest.skip("PostgreSQL: see the transaction test above")
    assert client.get("/mon-logement").status_code == 200
    opened.collectivite.name = "Autre nom"  # something in the log
    session.commit()
    with app.extensions["database"].connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    assert busy == 0
