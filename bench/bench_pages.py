"""Throughput of the portal's pages, in-process, against a bare Flask app in the same run.

The bare app returns the same HTML bytes from a constant, so the ratio is the cost of what
the portal adds per request: session, CSRF, i18n, template rendering, security headers.
The owner's landing is measured twice, with its page cache (portal/pagecache.py) and
without it (PAGE_CACHE_SIZE=0), to show what the cache pays.
Run: .venv/bin/python bench/bench_pages.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from flask import Flask
from sqlalchemy.orm import Session
from support.databases import migrated_sqlite

from portal import create_app
from portal.demo import demo_token, load_demo


def requests_per_second(client, path: str, seconds: float) -> tuple[float, float]:
    """Requests per second over `seconds`, and the median latency in milliseconds."""
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        response = client.get(path)
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return len(latencies) / sum(latencies), statistics.median(latencies) * 1000


def bare_app(body: bytes) -> Flask:
    bare = Flask("bare")

    @bare.get("/")
    def page():
        return body, 200, {"Content-Type": "text/html; charset=utf-8"}

    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with migrated_sqlite() as url:
        portal = create_app("test", DATABASE_URL=url).test_client()
        body = portal.get("/").get_data()
        baseline, baseline_ms = requests_per_second(bare_app(body).test_client(), "/", args.seconds)
        print(f"{'page':<24}{'req/s':>10}{'median ms':>11}{'vs bare':>9}")
        print(f"{'bare Flask, same bytes':<24}{baseline:>10.0f}{baseline_ms:>11.2f}{'100 %':>9}")
        for path in ("/", "/accessibilite", "/code", "/healthz"):
            rate, median_ms = requests_per_second(portal, path, args.seconds)
            print(f"{path:<24}{rate:>10.0f}{median_ms:>11.2f}{rate / baseline:>8.0%}")
        for label, cache_size in (("landing, cached", 2000), ("landing, no cache", 0)):
            owner = owner_client(url, cache_size)
            rate, median_ms = requests_per_second(owner, "/mon-logement", args.seconds)
            print(f"{label:<24}{rate:>10.0f}{median_ms:>11.2f}{rate / baseline:>8.0%}")


def owner_client(url: str, cache_size: int):
    """A client holding the session of the first demo letter, on an app whose page cache
    keeps `cache_size` pages."""
    app = create_app("test", DATABASE_URL=url, PAGE_CACHE_SIZE=cache_size)
    with Session(app.extensions["database"]) as session:
        load_demo(session, app.config["SECRET_KEY"])
    client = app.test_client()
    assert client.get(f"/l/{demo_token(app.config['SECRET_KEY'], 0)}").status_code == 303
    return client


if __name__ == "__main__":
    main()
