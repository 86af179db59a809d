"""The landing's one query: on a connection borrowed from the pool (what the portal does,
portal/owner/landing.py) against the same query through an ORM session (how every other
query runs), in the same run, next to the whole landing request in-process.

The landing's query may keep its fast path only while it pays: more than 10 % of the
landing's own time (issue 10's rule for speed-ups in the plumbing). The script prints the
gain and that share.

Run: .venv/bin/python bench/bench_landing_query.py [--seconds 2]
     [--postgresql-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench_landing import bench_database
from sqlalchemy.orm import Session

from portal import create_app
from portal.demo import demo_token
from portal.owner.landing import LANDING_STATE, landing_state

SECRET = secrets.token_urlsafe(32)  # the session cookies this run signs


def per_call_us(call, seconds: float) -> float:
    """The median of five timings of `call`, in microseconds per call."""
    for _ in range(200):
        call()
    rounds = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            call()
            count += 1
        rounds.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgresql-url")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        bench_database(Path(folder), SECRET, args.postgresql_url) as url,
    ):
        os.environ.update(SECRET_KEY=SECRET, DATABASE_URL=url, PORTAL_BASE_URL="http://bench")
        app = create_app("production")
        engine = app.extensions["database"]
        client = app.test_client()
        assert client.get(f"/l/{demo_token(SECRET, 0)}").status_code == 303
        with client.session_transaction() as cookie_session:
            letter_id = cookie_session["letter_id"]

        def through_the_session() -> None:
            with Session(engine) as session:
                session.connection().execute(LANDING_STATE, {"letter_id": letter_id}).one()

        def through_the_pool() -> None:
            assert landing_state(engine, letter_id) is not None

        def whole_landing() -> None:
            assert client.get("/mon-logement").status_code == 200

        pooled = per_call_us(through_the_pool, args.seconds)
        orm = per_call_us(through_the_session, args.seconds)
        landing = per_call_us(whole_landing, args.seconds)
        engine.dispose()
    print(f"database: {engine.dialect.name}")
    print(f"{'the landing query':<44}{'µs/call':>9}")
    print(f"{'through an ORM session (reference)':<44}{orm:>9.0f}")
    print(f"{'on a pooled connection (portal)':<44}{pooled:>9.0f}")
    print(f"{'whole landing request, in-process (portal)':<44}{landing:>9.0f}")
    gain = orm - pooled
    share = gain / (landing + gain)
    verdict = "pays" if share > 0.10 else "does NOT pay: remove it"
    print(f"gain {gain:.0f} µs = {share:.0%} of a landing through the session: {verdict}")


if __name__ == "__main__":
    main()
