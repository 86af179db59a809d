"""Throughput of the owner's landing over HTTP, against a bare Flask app in the same run.

Both apps run under gunicorn on loopback with the same sync workers and no access log; a
load tool (wrk, or a Python fallback) requests `/mon-logement` with owners' session
cookies, in two scenarios: one owner coming back to their landing again and again, and
`--owners` owners of one campaign (5,000 by default) in turn, as when a campaign's letters
arrive (each owner's page is then the campaign's page with their own address filled in:
portal/pagecache.py). The bare app returns the bytes the portal's landing returned, from a
constant, so
the ratio is what the portal adds per request over HTTP: Flask's signed session cookie,
the query that checks the letter still opens and reads the stamps of what the page shows
(on a connection borrowed from the pool: portal/owner/landing.py), the page cache lookup
and nonce substitution (portal/pagecache.py: the page is rendered once, then again only
when what it shows changes), CSP and the other security headers, CSRF and rate-limit hooks.

The load tool and the servers share the machine's cores (2 on the reference machine), so
the figures are lower than on a dedicated server and the ratio is the figure to compare.
The servers' CPU time per request (user + system, from /proc, all gunicorn processes) is
printed too: it does not depend on how the load tool shares the cores.
Target: the landing serves at least 45 % of the bare app's requests per second.

Run: .venv/bin/python bench/bench_landing.py [--seconds 10] [--workers N] [--connections 32]
     [--postgresql-url postgresql://postgres@127.0.0.1:5432/postgres]
wrk is preferred (apt-get install wrk); without it a slower Python load generator is used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

from sqlalchemy import create_engine, make_url, select
from sqlalchemy.orm import Session
from support.http_load import (
    HOST,
    BenchmarkError,
    Result,
    free_port,
    get,
    run_python,
    run_wrk,
    server_cpu_seconds,
    start_gunicorn,
    stop,
    wait_until_up,
)

from portal.commands.database import upgrade
from portal.database import make_engine
from portal.demo import HOUSINGS, demo_token, load_demo
from portal.letters.codes import hash_token, new_token
from portal.models import Campaign, Housing, HousingOwner, Letter, Owner

PATH = "/mon-logement"
COOKIE_NAME = "portal_session"
TARGET_RATIO = 0.45
DEMO_ADDRESS = HOUSINGS[0][1][0]  # "12 rue des Tilleuls": the first demo letter's dwelling

BARE_APP = '''\
"""A bare Flask app returning the portal landing's bytes from a constant."""
from pathlib import Path

from flask import Flask

BODY = Path(__file__).with_name("landing.html").read_bytes()
app = Flask("bare")


@app.get("/mon-logement")
def page():
    return BODY, 200, {"Content-Type": "text/html; charset=utf-8"}
'''


def session_cookie(port: int, token: str) -> str:
    """Exchange the letter token for the session cookie, as the QR link does."""
    status, headers, _ = get(port, f"/l/{token}")
    if status != 303 or headers.get("Location", "").rsplit("/", 1)[-1] != PATH.lstrip("/"):
        raise BenchmarkError(f"/l/<token> answered {status} {headers.get('Location')!r}")
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    if COOKIE_NAME not in cookie:
        raise BenchmarkError(f"/l/<token> set no {COOKIE_NAME} cookie")
    return f"{COOKIE_NAME}={cookie[COOKIE_NAME].value}"


def landing_bytes(port: int, cookie: str, address: str = DEMO_ADDRESS) -> bytes:
    """The landing's bytes for this cookie, checked to be the page of this address."""
    status, headers, body = get(port, PATH, cookie)
    if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
        raise BenchmarkError(f"{PATH} answered {status} {headers.get('Content-Type')}")
    if f"<strong>{address}".encode() not in body:
        raise BenchmarkError(f"{PATH} does not show the address {address!r}")
    return body


@contextlib.contextmanager
def bench_database(folder: Path, secret: str, postgresql_url: str | None) -> Iterator[str]:
    """A database with the demo data: SQLite in `folder`, or a PostgreSQL database of its
    own on the server of `postgresql_url`, dropped afterwards."""
    if postgresql_url is None:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        load_demo_data(url, secret)
        yield url
        return
    server = make_url(postgresql_url).set(drivername="postgresql+psycopg")
    name = f"portal_bench_landing_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        load_demo_data(url, secret)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def add_owners(url: str, count: int) -> list[str]:
    """`count` more letters of the demo campaign, each with its dwelling and owner: their
    letter tokens (in clear, as printed in the QR codes)."""
    tokens = [new_token() for _ in range(count)]
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            campaign = session.scalars(select(Campaign)).one()
            collectivite = campaign.collectivite
            for n, token in enumerate(tokens):
                lines = [f"{n + 1} rue des Essais", "58000 Démoville"]
                housing = Housing(
                    collectivite=collectivite,
                    local_id=f"58999{n:07d}",
                    address_lines=lines,
                    insee_code="58999",
                    status="waiting",
                )
                owner = Owner(collectivite=collectivite, full_name=f"Propriétaire {n + 1}")
                session.add_all([housing, owner, HousingOwner(housing=housing, owner=owner)])
                session.add(
                    Letter(
                        collectivite=collectivite,
                        campaign=campaign,
                        housing=housing,
                        owner=owner,
                        token_hash=hash_token(token),
                        code_hash=f"bench-{n}",
                        sent_at=campaign.sent_at,
                    )
                )
            session.commit()
    finally:
        engine.dispose()
    return tokens  # fmt: skip


def load_demo_data(url: str, secret: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load_demo(session, secret)
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="load per target (default 10)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--owners", type=int, default=5000, help="the second scenario's owners (default 5,000)"
    )
    parser.add_argument(
        "--postgresql-url",
        help="run the portal on a fresh database of this PostgreSQL server (default: SQLite), "
        "e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()

    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
        if tool == "python":
            print("wrk not found: install it with `apt-get install wrk` for sounder figures;")
            print("using the Python load generator (slower: it competes for the same cores).")
    elif tool == "wrk" and not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2

    load_average = os.getloadavg()[0]  # other work on the machine skews the figures
    secret = secrets.token_urlsafe(48)
    processes: list[subprocess.Popen] = []
    with (
        contextlib.ExitStack() as stack,
        tempfile.TemporaryDirectory(prefix="bench_landing_") as name,
    ):
        folder = Path(name)
        (folder / "gunicorn_empty.conf.py").write_text("")
        url = stack.enter_context(bench_database(folder, secret, args.postgresql_url))
        owner_tokens = add_owners(url, args.owners)
        portal_port, bare_port = free_port(), free_port()
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        portal_env = base_env | {
            "PORTAL_ENV": "production",
            "SECRET_KEY": secret,
            "DATABASE_URL": url,
            "PORTAL_BASE_URL": f"http://{HOST}:{portal_port}",
            "SESSION_COOKIE_SECURE": "false",
        }
        try:
            portal = start_gunicorn(
                "portal:create_app()", portal_port, args.workers, folder, portal_env
            )
            processes.append(portal)
            wait_until_up(portal, portal_port)
            cookie = session_cookie(portal_port, demo_token(secret, 0))
            body = landing_bytes(portal_port, cookie)
            with ThreadPoolExecutor(8) as pool:  # as each owner's QR code would
                owner_cookies = list(
                    pool.map(lambda token: session_cookie(portal_port, token), owner_tokens)
                )

            (folder / "landing.html").write_bytes(body)
            (folder / "bare_app.py").write_text(BARE_APP)
            bare = start_gunicorn("bare_app:app", bare_port, args.workers, folder, base_env)
            processes.append(bare)
            wait_until_up(bare, bare_port)
            status, _, bare_body = get(bare_port, PATH, cookie)
            if status != 200 or bare_body != body:
                raise BenchmarkError(f"the bare app answered {status}, or other bytes")

            def load(target: str, port: int, cookies: list[str], seconds: int) -> Result:
                for process in processes:
                    if process.poll() is not None:
                        raise BenchmarkError(f"gunicorn {process.args[3]} exited early")
                server = portal if port == portal_port else bare
                before = server_cpu_seconds(server)
                if tool == "wrk":
                    result = run_wrk(target, port, PATH, cookies, seconds, args.connections,
                                     args.threads, folder)  # fmt: skip
                else:
                    result = run_python(target, port, PATH, cookies, seconds, args.connections)
                after = server_cpu_seconds(server)
                if before is not None and after is not None:
                    result.cpu_us = (after - before) / result.requests * 1e6
                return result

            warm_up = max(1, args.seconds // 5)
            load("bare Flask (warm-up)", bare_port, [cookie], warm_up)
            load("portal (warm-up)", portal_port, [cookie], warm_up)
            one = "one owner, again and again"
            many = f"{args.owners:,} owners of a campaign, in turn"
            scenarios = {
                one: (load("bare Flask, same bytes", bare_port, [cookie], args.seconds),
                      load(f"portal {PATH}", portal_port, [cookie], args.seconds)),
                many: (load("bare Flask, same bytes", bare_port, owner_cookies, args.seconds),
                       load(f"portal {PATH}", portal_port, owner_cookies, args.seconds)),
            }  # fmt: skip
            landing_bytes(portal_port, cookie)  # still the real pages after the run
            for n in (0, args.owners // 2, args.owners - 1):
                landing_bytes(portal_port, owner_cookies[n], f"{n + 1} rue des Essais")
        except (BenchmarkError, OSError, http.client.HTTPException) as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            for process in processes:
                stop(process)
    report(args, tool, len(body), load_average, scenarios)
    return 0


def report(args, tool: str, size: int, load_average: float, scenarios: dict) -> None:
    print(
        f"gunicorn sync, {args.workers} workers per app; {tool}"
        + (f" -t{args.threads}" if tool == "wrk" else "")
        + f", {args.connections} connections, {args.seconds} s per target, loopback; "
        f"{os.cpu_count()} cores shared by the load tool and the servers; "
        f"page {size} bytes; {'PostgreSQL' if args.postgresql_url else 'SQLite'}; "
        f"load average before the run {load_average:.1f}"
    )

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    verdicts = []
    for scenario, (baseline, landing) in scenarios.items():
        ratio = landing.requests_per_second / baseline.requests_per_second
        print(f"\n{scenario}")
        print(f"{'target':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}"
              f"{'CPU µs/req':>12}")  # fmt: skip
        for result, share in ((baseline, "100 %"), (landing, f"{ratio:.0%}")):
            cpu = "-" if result.cpu_us is None else f"{result.cpu_us:.0f}"
            print(
                f"{result.target:<26}{result.requests_per_second:>9.0f}"
                f"{ms(result.p50_ms):>9}{ms(result.p99_ms):>9}{share:>9}{cpu:>12}"
            )
        verdicts.append(f"{scenario}: {'met' if ratio >= TARGET_RATIO else 'NOT met'} "
                        f"({ratio:.0%})")  # fmt: skip
    print(f"\ntarget: the landing at >= {TARGET_RATIO:.0%} of the bare app; " + "; ".join(verdicts))


if __name__ == "__main__":
    sys.exit(main())
