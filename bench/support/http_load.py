"""HTTP load on loopback for the benchmarks: gunicorn servers, wrk (or a Python fallback),
and the servers' CPU time per request."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"

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


# wrk ---------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


# Each request with the next cookie of a file, each thread from its own starting point.
WRK_ROTATE = """\
local cookies = {}
for line in io.lines("%s") do cookies[#cookies + 1] = line end
local counter = 0
local headers = {}
function init_rotation()
  counter = math.random(#cookies)
  for name, value in pairs(wrk.headers) do headers[name] = value end
end
function request()
  counter = counter %% #cookies + 1
  headers["Cookie"] = cookies[counter]
  return wrk.format(nil, nil, headers)
end
"""


def run_wrk(target, port, path, cookies, seconds, connections, threads, folder) -> Result:
    """`cookies`: one cookie for every request, or several taken in turn."""
    script = folder / "status.lua"
    script.write_text(WRK_SCRIPT)
    if len(cookies) > 1:
        (folder / "cookies.txt").write_text("\n".join(cookies) + "\n")
        rotation = WRK_ROTATE % (folder / "cookies.txt")
        script.write_text(
            rotation + WRK_SCRIPT.replace("not_ok = 0 end", "not_ok = 0 init_rotation() end")
        )
    header = ["-H", f"Cookie: {cookies[0]}"] if len(cookies) == 1 else []
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "--timeout", "10s", "-s", str(script), *header, f"http://{HOST}:{port}{path}",
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


def run_python(target, port, path, cookies, seconds, connections) -> Result:
    """`connections` threads, each with a keep-alive connection (reopened when the server
    closes it, as gunicorn's sync workers do after each response), for `seconds`; each
    request with the next of `cookies`."""
    latencies: list[float] = []
    not_ok: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def worker(turn: int) -> None:
        mine: list[float] = []
        bad: list[int] = []
        connection = None
        try:
            while time.perf_counter() < deadline:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                began = time.perf_counter()
                turn += 1
                connection.request("GET", path, headers={"Cookie": cookies[turn % len(cookies)]})
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

    workers = [
        threading.Thread(target=worker, args=(n * 997,), daemon=True) for n in range(connections)
    ]
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
