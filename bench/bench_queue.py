"""The back-office queue with a million answers: each tab, page 2 and each filter, timed.

Fills a database with `--answers` owners' answers spread over `--collectivites` (1,000
each by default: the dwelling, its owner, the letter, the answers, the aids the owner saw,
a call-back request for some; see bench/support/queue_data.py), with executemany on SQLite
and COPY on PostgreSQL, then ANALYZE. Then, for `--samples` random collectivités per
scenario, times `portal.backoffice.answers.queue_page()` in-process (the rows and the tab
counts, ORM objects included) and, for `--page-samples` of them, the real page
`/gestion/reponses` through Flask's test client with a signed-in agent (form, queries,
rendering). Both databases run the same scenarios in the same run. Prints p50, p95 and max
wall-clock milliseconds, and the mean CPU milliseconds per call (this process plus the
PostgreSQL server's processes): on a shared machine the wall clock includes waiting for a
core, the CPU is what a call costs on an idle one. The load average is printed with them.
Target (issue 5): p95 ≤ 100 ms on PostgreSQL for every scenario.

Filling takes minutes (the figure is printed): a million answers took 4–5 min on SQLite
and 5–6 min on PostgreSQL on the 2-core reference machine at a load of 1–2, 25 min each
when filled side by side at a load of 9; the SQLite file is 1.7 GB, the PostgreSQL
database 2.1 GB.
`--keep` keeps the filled database (PostgreSQL database
`portal_bench_queue_<answers>_<collectivites>`, SQLite file of the same name in the
temporary folder) and reuses it on the next run with `--keep`; `--fill-only` just fills.
Run: .venv/bin/python bench/bench_queue.py [--database sqlite|postgresql|both]
     [--answers 1000000] [--collectivites 1000] [--samples 200] [--page-samples 50]
     [--keep] [--fill-only] [--explain]
     [--postgresql-url postgresql://postgres@127.0.0.1:5432/postgres]
(or `make bench-queue ARGS="…"`). Quick run: --answers 20000 --collectivites 20 --samples 50
--page-samples 10. One big collectivité: --answers 50000 --collectivites 1.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.queue_data import (
    AID_WEIGHTS,
    END,
    LAST_NAMES,
    PASSWORD,
    SITUATIONS,
    TABS,
    campaigns,
    communes,
    database,
    server_answers,
    size_of,
)

from portal import create_app
from portal.backoffice.answers import QueueFilter, queue_page, tab_counts
from portal.database import make_engine
from portal.queue import search_text

TARGET_MS = 100.0


# ---------------------------------------------------------------------------- scenarios


def scenarios(rng: random.Random) -> dict[str, Callable[[int], QueueFilter]]:
    """Scenario name → the filter it asks of collectivité `c` (chosen at random)."""

    def window(_c):
        since = (END - timedelta(days=rng.randrange(30, 365))).date()
        return QueueFilter(since=since, until=since + timedelta(days=30))

    def fragment(_c):
        word = search_text(rng.choice(LAST_NAMES)).split()[-1]
        return QueueFilter(search=word[: rng.randrange(4, 7)])

    tabs = {f"tab {tab}": (lambda _c, tab=tab: QueueFilter(tab=tab)) for tab, _ in TABS}
    return tabs | {
        "tab new, page 2": lambda _c: QueueFilter(),
        "campaign": lambda c: QueueFilter(campaign_id=rng.choice(campaigns(c))),
        "commune": lambda c: QueueFilter(insee_code=rng.choice(communes(c))),
        "aid": lambda _c: QueueFilter(aid_slug=rng.choice(list(AID_WEIGHTS))),
        "situation": lambda _c: QueueFilter(situation=rng.choice(list(SITUATIONS))),
        "callback yes": lambda _c: QueueFilter(callback=True),
        # The sort an agent can pick (issue 15): call-backs first, then the newest return.
        "tab follow-up, call-backs first": lambda _c: QueueFilter(tab="follow-up",
                                                                 order="callback"),
        "date range (30 days)": window,
        "search (name fragment)": fragment,
    }


def query_args(where: QueueFilter, cursor: str | None) -> dict[str, str]:
    args = {"onglet": where.tab, "apres": cursor, "campaign": where.campaign_id,
            "commune": where.insee_code, "aid": where.aid_slug, "situation": where.situation,
            "callback": {True: "oui", False: "non"}.get(where.callback), "since": where.since,
            "until": where.until, "q": where.search,
            "order": None if where.order == "return" else where.order}  # fmt: skip
    return {key: str(value) for key, value in args.items() if value is not None}


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], max(samples)


@dataclass
class Result:
    scenario: str
    layer: str  # "queue_page()", "tab_counts()" or "page"
    samples: list[float]  # milliseconds, wall clock
    cpu: list[float]  # milliseconds of CPU, this process and the database server's

    def row(self) -> str:
        figures = (*percentiles(self.samples), statistics.mean(self.cpu))
        label = f"{self.layer}: {self.scenario}"
        return f"{label:<44}{len(self.samples):>5}" + "".join(f"{f:>9.1f}" for f in figures)


class Meter:
    """Wall-clock and CPU time of calls. The CPU counts this process's and, for PostgreSQL
    on this machine, the server processes of the engine's connections (/proc, in ticks of
    10 ms: exact only on average): what a call would take on an idle machine."""

    def __init__(self, engine: sa.Engine):
        self.backends: set[int] = set()
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        if engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect", self.connected)
            engine.dispose()  # connections made from now on are seen

    def connected(self, dbapi_connection, _record) -> None:
        pid = dbapi_connection.info.backend_pid
        if Path(f"/proc/{pid}/comm").exists():
            self.backends.add(pid)

    def cpu(self) -> float:
        total = time.process_time()
        for pid in self.backends:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a connection closed since
            total += (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime
        return total

    def __call__(self, function, *args, **kwargs) -> tuple[float, float, object]:
        """Milliseconds taken by the call, CPU milliseconds, and what it returned."""
        cpu, start = self.cpu(), time.perf_counter()
        result = function(*args, **kwargs)
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, (self.cpu() - cpu) * 1000, result


def run_scenarios(url: str, args, collectivites: int) -> list[Result]:
    app = create_app("test", DATABASE_URL=url)
    engine, rng = app.extensions["database"], random.Random(args.seed + 1)
    results, timed, clients = [], Meter(engine), {}
    for name, make in scenarios(rng).items():
        in_process, pages = Result(name, "queue_page()", [], []), Result(name, "page", [], [])
        for n in range(args.samples + 3):  # the first 3 warm up (untimed)
            c = rng.randrange(1, collectivites + 1)
            where, cursor = make(c), None
            with Session(engine) as session:
                if name.endswith("page 2"):
                    cursor = queue_page(session, c, where).next_cursor
                    session.expunge_all()
                elapsed, cpu, _page = timed(queue_page, session, c, where, cursor)
            if n >= 3:
                in_process.samples.append(elapsed)
                in_process.cpu.append(cpu)
            if n >= args.page_samples + 3:
                continue
            client = clients.get(c) or clients.setdefault(c, signed_in(app, c))
            elapsed, cpu, response = timed(client.get, "/gestion/reponses",
                                           query_string=query_args(where, cursor))  # fmt: skip
            assert response.status_code == 200, (name, response.status_code)
            if n >= 3:
                pages.samples.append(elapsed)
                pages.cpu.append(cpu)
        results += [in_process, pages] if pages.samples else [in_process]
    counts = Result("no filter", "tab_counts()", [], [])
    for _ in range(args.samples):
        c = rng.randrange(1, collectivites + 1)
        with Session(engine) as session:
            elapsed, cpu, _counts = timed(tab_counts, session, c, QueueFilter())
        counts.samples.append(elapsed)
        counts.cpu.append(cpu)
    results.append(counts)
    if args.explain:
        explain(engine, rng, collectivites)
    engine.dispose()
    return results


def signed_in(app, c: int):
    """A test client signed in through the login form as collectivité `c`'s agent."""
    client = app.test_client()
    form = client.get("/gestion/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post("/gestion/connexion", data={
        "email": f"agent{c}@bench.example", "password": PASSWORD, "csrf_token": token})  # fmt: skip
    assert response.status_code == 303, response.status_code
    return client


def explain(engine: sa.Engine, rng: random.Random, collectivites: int) -> None:
    """The plans of the queries queue_page() runs, one random collectivité per scenario."""
    captured = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        captured.append((statement, parameters))

    prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql"
              else "EXPLAIN QUERY PLAN ")  # fmt: skip
    for name, make in scenarios(rng).items():
        c = rng.randrange(1, collectivites + 1)
        with Session(engine) as session:
            where = make(c)
            cursor = queue_page(session, c, where).next_cursor if "page 2" in name else None
            sa.event.listen(engine, "before_cursor_execute", capture)
            try:
                queue_page(session, c, where, cursor)
            finally:
                sa.event.remove(engine, "before_cursor_execute", capture)
            print(f"\n-- {name} (collectivité {c})")
            for statement, parameters in captured:
                plan = session.connection().exec_driver_sql(prefix + statement, parameters)
                print("\n".join("   " + " ".join(str(v) for v in row) for row in plan))
            captured.clear()


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--collectivites", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--page-samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep and reuse the filled database")
    parser.add_argument("--fill-only", action="store_true", help="fill (and keep), time nothing")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--postgresql-url",
                        default="postgresql://postgres@127.0.0.1:5432/postgres")  # fmt: skip
    args = parser.parse_args()
    args.keep = args.keep or args.fill_only
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds and not server_answers(args.postgresql_url):
        print(f"PostgreSQL does not answer at {args.postgresql_url}", file=sys.stderr)
        if args.database == "postgresql":
            sys.exit(1)
        kinds.remove("postgresql")
    everything = {}
    for kind in kinds:
        with database(kind, args) as (url, seconds):
            print(f"\n== {kind}: {args.answers:,} answers, {args.collectivites:,} collectivités, "
                  f"{size_of(url)}; " + (f"filled in {seconds:.0f} s" if seconds is not None
                                          else "kept database reused"))  # fmt: skip
            print(f"collectivité 1's tabs: {tab_distribution(url)}")
            if args.fill_only:
                continue
            before = os.getloadavg()
            results = run_scenarios(url, args, args.collectivites)
            print(f"load average (1, 5, 15 min) before {load(before)}, after {load()}; "
                  f"{os.cpu_count()} cores")  # fmt: skip
            print("ms (cpu: mean CPU per call, this process and the PostgreSQL server's)")
            print(f"{'':<44}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}{'cpu':>9}")
            for result in results:
                print(result.row())
            everything[kind] = results
    if "postgresql" in everything:
        report(everything)
    print(f"load average at the end: {load()}")


def load(averages: tuple[float, ...] | None = None) -> str:
    return " ".join(f"{value:.2f}" for value in averages or os.getloadavg())


def tab_distribution(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        counts = tab_counts(session, 1, QueueFilter())
    engine.dispose()
    return ", ".join(f"{tab} {count}" for tab, count in counts.items())


def report(everything: dict[str, list[Result]]) -> None:
    print(f"\n== p95 and mean CPU in ms; target p95 ≤ {TARGET_MS:.0f} ms on PostgreSQL")
    kinds = list(everything)
    print(f"{'':<44}" + "".join(f"{kind + ' p95':>16}{'cpu':>7}" for kind in kinds))
    figures = {(kind, r.layer, r.scenario): (percentiles(r.samples)[1], statistics.mean(r.cpu))
               for kind, results in everything.items() for r in results}  # fmt: skip
    missed = []
    for result in everything["postgresql"]:
        label, key = f"{result.layer}: {result.scenario}", (result.layer, result.scenario)
        print(f"{label:<44}" + "".join(
            f"{figures[(kind, *key)][0]:>16.1f}{figures[(kind, *key)][1]:>7.1f}"
            for kind in kinds))  # fmt: skip
        if figures[("postgresql", *key)][0] > TARGET_MS:
            missed.append(label)
    print("target met on PostgreSQL" if not missed else f"target MISSED: {', '.join(missed)}")


if __name__ == "__main__":
    main()
