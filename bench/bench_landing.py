"""Throughput of the owner's landing over HTTP, against a bare Flask app in the same run.

Both apps run under gunicorn on loopback with the same sync workers and no access log; a
load tool (wrk, or a Python fallback) requests `/mon-logement` with the owner's session
cookie. The bare app returns the bytes the portal's landing returned, from a constant, so
the ratio is what the portal adds per request over HTTP: the signed session cookie (its
signature checked once per worker, its age on every request), the query that checks the
letter still opens and reads the stamps of what the page shows (on a connection of the
worker's own: portal/owner/landing.py), the page cache lookup and nonce substitution
(portal/pagecache.py: the page is rendered once, then again only when what it shows
changes), CSP and the other security headers, CSRF and rate-limit hooks.

The load tool and the servers share the machine's cores (2 on the reference machine), so
the figures are lower than on a dedicated server and the ratio is the figure to compare.
The servers' CPU time per request (user + system, from /proc, all gunicorn processes) is
printed too: it does not depend on how the load tool shares the cores.
Target: the landing serves at least 60 % of the bare app's requests per second.

Run: .venv/bin/python bench/bench_landing.py [--seconds 10] [--workers N] [--connections 32]
     [--postgresql-url postgresql://postgres@127.0.0.1:5432/postgres]
wrk is preferred (apt-get install wrk); without it a slower Python load generator is used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from sqlalchemy import create_engine, make_url
from sqlalchemy.orm import Session

from portal.commands.database import upgrade
from portal.demo import HOUSINGS, demo_token, load_demo
from portal.extensions import make_engine

HOST = "127.0.0.1"
PATH = "/mon-logement"
COOKIE_NAME = "portal_session"
TARGET_RATIO = 0.60
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

# Counts responses whose status is not exactly 200 (wrk's own counter lets 3xx through).
WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("Responses not 200: %d\\n", total))
end
"""


class BenchmarkError(RuntimeError):
    """The run did not measure what it claims to (an error page, a failed request…)."""


@dataclass
class Result:
    target: str
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    cpu_us: float | None = None  # the server's CPU time per request


def server_cpu_seconds(process: subprocess.Popen) -> float | None:
    """User + system CPU seconds of gunicorn and its workers so far (None without /proc)."""
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
        total = 0
        for pid in [process.pid, *map(int, children.split())]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def start_gunicorn(app: str, port: int, workers: int, folder: Path, env: dict) -> subprocess.Popen:
    """gunicorn in its own process group (so that it can be stopped with its workers)."""
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--config", str(folder / "gunicorn_empty.conf.py"),  # ignore any ./gunicorn.conf.py
        "--log-level", "warning",  # no --access-logfile: access log off
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=folder, env=env, start_new_session=True)


def wait_until_up(process: subprocess.Popen, port: int, timeout: float = 120.0) -> None:
    """Until a worker answers HTTP (the socket accepts before the workers have booted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                return
            finally:
                connection.close()
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise BenchmarkError(f"gunicorn on port {port} did not start within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def session_cookie(port: int, token: str) -> str:
    """Exchange the letter token for the session cookie, as the QR link does."""
    status, headers, _ = get(port, f"/l/{token}")
    if status != 303 or headers.get("Location", "").rsplit("/", 1)[-1] != PATH.lstrip("/"):
        raise BenchmarkError(f"/l/<token> answered {status} {headers.get('Location')!r}")
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    if COOKIE_NAME not in cookie:
        raise BenchmarkError(f"/l/<token> set no {COOKIE_NAME} cookie")
    return f"{COOKIE_NAME}={cookie[COOKIE_NAME].value}"


def landing_bytes(port: int, cookie: str) -> bytes:
    status, headers, body = get(port, PATH, cookie)
    if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
        raise BenchmarkError(f"{PATH} answered {status} {headers.get('Content-Type')}")
    if DEMO_ADDRESS.encode() not in body:
        raise BenchmarkError(f"{PATH} does not show the demo address {DEMO_ADDRESS!r}")
    return body


# wrk ---------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(target, port, cookie, seconds, connections, threads, folder) -> Result:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "--timeout", "10s", "-s", str(folder / "status.lua"),
        "-H", f"Cookie: {cookie}", f"http://{HOST}:{port}{PATH}",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    out = run.stdout
    if run.returncode != 0:
        raise BenchmarkError(f"wrk failed on {target}: {run.stderr or out}")
    problems = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        problems.append(f"{match[1]} non-2xx/3xx responses")
    if (match := re.search(r"Responses not 200: (\d+)", out)) is None or int(match[1]):
        problems.append(f"{match[1] if match else '?'} responses not 200")
    socket_errors = re.search(r"Socket errors: connect \d+, read \d+, write \d+, timeout \d+", out)
    if socket_errors and any(int(n) for n in re.findall(r"\d+", socket_errors[0])):
        problems.append(socket_errors[0])
    if problems:
        raise BenchmarkError(f"{target}: " + "; ".join(problems) + f"\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rate is None or total is None or int(total[1]) == 0:
        raise BenchmarkError(f"could not read wrk's output for {target}:\n{out}")

    def percentile(name: str) -> float | None:
        match = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        return float(match[1]) * UNITS_MS[match[2]] if match else None

    return Result(target, float(rate[1]), percentile("50"), percentile("99"), int(total[1]))


# Python fallback ---------------------------------------------------------------------------


def run_python(target, port, cookie, seconds, connections) -> Result:
    """`connections` threads, each with a keep-alive connection (reopened when the server
    closes it, as gunicorn's sync workers do after each response), for `seconds`."""
    latencies: list[float] = []
    not_ok: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        mine: list[float] = []
        bad: list[int] = []
        connection = None
        try:
            while time.perf_counter() < deadline:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                began = time.perf_counter()
                connection.request("GET", PATH, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    bad.append(response.status)
                if response.will_close:
                    connection.close()
                    connection = None
        except (OSError, http.client.HTTPException) as error:
            with lock:
                errors.append(repr(error))
        finally:
            if connection is not None:
                connection.close()
            with lock:
                latencies.extend(mine)
                not_ok.extend(bad)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - start
    if errors or not_ok or not latencies:
        raise BenchmarkError(
            f"{target}: {len(not_ok)} responses not 200 {sorted(set(not_ok))}, "
            f"{len(errors)} connection errors {errors[:3]}"
        )
    cuts = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / elapsed
    return Result(target, rate, cuts[49] * 1000, cuts[98] * 1000, len(latencies))


# -------------------------------------------------------------------------------------------


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
        (folder / "status.lua").write_text(WRK_SCRIPT)
        url = stack.enter_context(bench_database(folder, secret, args.postgresql_url))
        token = demo_token(secret, 0)
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
            cookie = session_cookie(portal_port, token)
            body = landing_bytes(portal_port, cookie)

            (folder / "landing.html").write_bytes(body)
            (folder / "bare_app.py").write_text(BARE_APP)
            bare = start_gunicorn("bare_app:app", bare_port, args.workers, folder, base_env)
            processes.append(bare)
            wait_until_up(bare, bare_port)
            status, _, bare_body = get(bare_port, PATH, cookie)
            if status != 200 or bare_body != body:
                raise BenchmarkError(f"the bare app answered {status}, or other bytes")

            def load(target: str, port: int, seconds: int) -> Result:
                for process in processes:
                    if process.poll() is not None:
                        raise BenchmarkError(f"gunicorn {process.args[3]} exited early")
                server = portal if port == portal_port else bare
                before = server_cpu_seconds(server)
                if tool == "wrk":
                    result = run_wrk(
                        target, port, cookie, seconds, args.connections, args.threads, folder
                    )
                else:
                    result = run_python(target, port, cookie, seconds, args.connections)
                after = server_cpu_seconds(server)
                if before is not None and after is not None:
                    result.cpu_us = (after - before) / result.requests * 1e6
                return result

            warm_up = max(1, args.seconds // 5)
            load("bare Flask (warm-up)", bare_port, warm_up)
            load("portal (warm-up)", portal_port, warm_up)
            baseline = load("bare Flask, same bytes", bare_port, args.seconds)
            landing = load(f"portal {PATH}", portal_port, args.seconds)
            landing_bytes(portal_port, cookie)  # still the real page after the run
        except (BenchmarkError, OSError, http.client.HTTPException) as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            for process in processes:
                stop(process)

    ratio = landing.requests_per_second / baseline.requests_per_second
    print(
        f"gunicorn sync, {args.workers} workers per app; {tool}"
        + (f" -t{args.threads}" if tool == "wrk" else "")
        + f", {args.connections} connections, {args.seconds} s per target, loopback; "
        f"{os.cpu_count()} cores shared by the load tool and the servers; "
        f"page {len(body)} bytes; {'PostgreSQL' if args.postgresql_url else 'SQLite'}; "
        f"load average before the run {load_average:.1f}"
    )
    print(f"{'target':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}{'CPU µs/req':>12}")

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for result, share in ((baseline, "100 %"), (landing, f"{ratio:.0%}")):
        cpu = "-" if result.cpu_us is None else f"{result.cpu_us:.0f}"
        print(
            f"{result.target:<26}{result.requests_per_second:>9.0f}"
            f"{ms(result.p50_ms):>9}{ms(result.p99_ms):>9}{share:>9}{cpu:>12}"
        )
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"target: the landing at >= {TARGET_RATIO:.0%} of the bare app: {verdict} ({ratio:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
