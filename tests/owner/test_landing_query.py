"""The landing's query borrows a connection from the engine's pool and gives it back."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import event

from portal import create_app
from tests.builders import make_letter


def test_the_landing_gives_its_connection_back(app, client, opened):
    pool = app.extensions["database"].pool
    assert client.get("/mon-logement").status_code == 200
    assert pool.checkedout() == 0


def test_many_threads_share_the_pools_connections(database_url, session):
    """Under a threaded server, one-request threads must not each keep a connection."""
    _letter, token, _ = make_letter(session)
    session.commit()
    app = create_app("test", DATABASE_URL=database_url, DB_POOL_SIZE=3)
    engine = app.extensions["database"]
    seen: Counter = Counter()
    event.listen(engine, "connect", lambda *_: seen.update(["opened"]))
    event.listen(engine, "close", lambda *_: seen.update(["closed"]))
    event.listen(engine, "close_detached", lambda *_: seen.update(["closed"]))
    statuses: list[int] = []

    def one_request() -> None:
        client = app.test_client()
        client.get(f"/l/{token}")
        statuses.append(client.get("/mon-logement").status_code)

    try:
        for _ in range(10):  # 60 threads, 6 at a time
            threads = [threading.Thread(target=one_request) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert statuses == [200] * 60
        assert engine.pool.checkedout() == 0
        # The pool keeps at most DB_POOL_SIZE connections open (per-thread ones would be 60).
        assert seen["opened"] - seen["closed"] <= 3
    finally:
        engine.dispose()


def test_a_revoked_letter_is_refused_by_the_query(app, client, session, opened):
    from datetime import UTC, datetime

    from portal.owner.landing import landing_state

    engine = app.extensions["database"]
    assert landing_state(engine, opened.id) is not None
    opened.revoked_at, opened.revoked_reason = datetime.now(UTC), "npai"
    session.commit()
    assert landing_state(engine, opened.id) is None
    assert landing_state(engine, str(opened.id)) is None  # a session value of another type
