"""The back-office queue with a million answers: each tab, page 2 and each filter, timed.

Fills a database with `--answers` owners' answers spread over `--collectivites` (1,000
each by default: the dwelling, its owner, the letter, the answers, the aids the owner saw,
a call-back request for some), with Core bulk inserts on SQLite and COPY on PostgreSQL,
then ANALYZE. Then, for `--samples` random collectivités per scenario, times
`portal.backoffice.answers.queue_page()` in-process (the rows and the tab counts, ORM
objects included) and, for `--page-samples` of them, the real page `/gestion/reponses`
through Flask's test client with a signed-in agent (form, queries and rendering).
Both databases run the same scenarios in the same run.
Target (issue 5): p95 ≤ 100 ms on PostgreSQL for every scenario.

Filling a million answers takes minutes (the figure is printed); `--keep` keeps the filled
database (PostgreSQL database `portal_bench_queue_<answers>_<collectivites>`, SQLite file
of the same name in the temporary folder) and reuses it on the next run with `--keep`.
Run: .venv/bin/python bench/bench_queue.py [--database sqlite|postgresql|both]
     [--answers 1000000] [--collectivites 1000] [--samples 200] [--page-samples 50] [--keep]
     [--explain] [--postgresql-url postgresql://postgres@127.0.0.1:5432/postgres]
Quick run: --answers 20000 --collectivites 20 --samples 50 --page-samples 10
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import create_app
from portal.backoffice.answers import QueueFilter, queue_page, tab_counts
from portal.commands.database import upgrade
from portal.extensions import make_engine
from portal.models import Base
from portal.models.base import UTCDateTime
from portal.passwords import hash_password
from portal.queue import search_text
from portal.rules import load_content

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0
END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # the latest return; a year of returns before
TABS = (("new", 50), ("callback", 15), ("follow-up", 25), ("closed", 10))  # percent
SITUATIONS = {"vacant": 40, "rented": 12, "occupied": 8, "secondary_home": 6, "for_sale": 10,
              "sold": 8, "works_in_progress": 12, "not_owner": 4}  # fmt: skip
# How often each aid is among those an owner saw (the common ones and the rare ones).
AID_WEIGHTS = {"anah-travaux-bailleur": 30, "loc-avantages": 25, "france-renov-conseil": 25,
               "maprimerenov-ampleur": 15, "intermediation-locative": 12, "deficit-foncier": 10,
               "vente-accompagnee": 8, "conseil-succession-indivision": 6,
               "prime-sortie-vacance": 5, "bail-rehabilitation": 3,
               "occupation-temporaire": 2, "visale": 2}  # fmt: skip
FIRST_NAMES = ("Hélène", "Jean", "Marie", "Élodie", "François", "Anaïs", "Gérard", "Céline",
               "Michel", "Zoé", "Joël", "Inès", "Noël", "Chloé", "Raphaël", "Maëlle", "Jérôme",
               "Agnès", "André", "Léa", "Benoît", "Thérèse", "Loïc", "Sébastien", "Nathalie",
               "Pierre", "Sylvie", "Éric", "Josiane", "Mathéo")  # fmt: skip
LAST_NAMES = ("Dupré", "Lefèvre", "Martin", "Bernard", "Thébault", "Moreau", "Gaël", "Rousseau",
              "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Chevalier",
              "Robin", "Masson", "Sanchez", "Müller", "Nguyen", "Boyer", "Denis", "Garnier",
              "Faure", "André", "Mercier", "Blanc", "Guérin", "Boucher", "Lemoine", "Perrin",
              "Morel", "Giraud", "Marchand", "D’Arc", "Brunet", "Roux", "Vincent", "Leclerc",
              "Bouvier", "Hébert", "Colin", "Picard", "Roger", "Lacroix", "Aubert", "Barbier",
              "Arnaud", "Caron", "Meunier")  # fmt: skip
STREETS = ("rue de l’Église", "avenue Jean-Jaurès", "rue du Moulin", "place de la Mairie",
           "chemin des Écoliers", "rue Pasteur", "rue Victor-Hugo", "impasse des Tilleuls",
           "boulevard Gambetta", "rue de la Forêt", "allée des Châtaigniers", "rue d’Arès",
           "route de Château-Thierry", "quai Saint-Éloi", "rue du Général-de-Gaulle")  # fmt: skip
TOWNS = ("Saint-Étienne-du-Bois", "Bourg-la-Forêt", "Villeneuve-sur-Lère", "Mézières",
         "Castelnau-d’Aude", "Les Échelles", "Montréal-les-Sources", "Aÿ-sur-Marne")  # fmt: skip


# ---------------------------------------------------------------------------- the data


def communes(collectivite: int) -> list[str]:
    """2 to 6 INSEE codes per collectivité, the first one its main town."""
    return [f"{10000 + collectivite * 8 + j}" for j in range(2 + collectivite % 5)]


def campaigns(collectivite: int) -> list[int]:
    return [3 * (collectivite - 1) + k for k in (1, 2, 3)]


@cache
def _cumulated(weights: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [value for value, _ in weights], list(accumulate(weight for _, weight in weights))


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    values, cumulated = _cumulated(tuple(weights.items()))
    return values[bisect(cumulated, rng.random() * cumulated[-1])]


@lru_cache(maxsize=100_000)
def plain(part: str) -> str:
    """portal.queue.search_text of one part (the search text joins its parts' with spaces)."""
    return search_text(part)


@dataclass
class Generator:
    """The rows of each table for one collectivité at a time (ids are given, not returned)."""

    rng: random.Random
    content: object
    per_collectivite: list[int]
    password_hash: str
    next_id: int = 1

    def collectivite(self, c: int) -> dict[str, list[dict]]:
        rng, codes, created = self.rng, communes(c), END - timedelta(days=500)
        rows: dict[str, list[dict]] = {name: [] for name in FILL_ORDER}
        rows["collectivite"].append(dict(
            id=c, name=f"Communauté bench n°{c}", siren=f"{300000000 + c:09d}", kind="CC",
            perimeter=codes, contact_points=[], settings={}, created_at=created,
            updated_at=created))  # fmt: skip
        rows["agent"].append(dict(
            id=c, collectivite_id=c, email=f"agent{c}@bench.example", full_name=f"Agent {c}",
            password_hash=self.password_hash, role="agent", is_active=True,
            created_at=created, updated_at=created))  # fmt: skip
        for k, campaign in enumerate(campaigns(c)):
            sent = (END - timedelta(days=365 - 120 * k)).date()
            rows["campaign"].append(dict(
                id=campaign, collectivite_id=c, title=f"Campagne {sent:%B %Y} – vague {k + 1}",
                description="", status="in-progress", sent_at=sent, created_at=created,
                updated_at=created))  # fmt: skip
        town_weights = [4, 2] + [1] * (len(codes) - 2)
        for _ in range(self.per_collectivite[c - 1]):
            self.answer(c, rng.choices(codes, town_weights)[0], rows)
        return rows

    def answer(self, c: int, insee: str, rows: dict[str, list[dict]]) -> None:
        rng, i = self.rng, self.next_id
        self.next_id += 1
        tab = rng.choices([t for t, _ in TABS], [w for _, w in TABS])[0]
        returned = END - timedelta(seconds=rng.randrange(365 * 86400), microseconds=i % 10**6)
        first = returned - timedelta(seconds=rng.randrange(30 * 86400))
        reviewed = returned + timedelta(hours=rng.randrange(1, 480)) if tab in (
            "follow-up", "closed") else None  # fmt: skip
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        town = TOWNS[int(insee) % len(TOWNS)]
        address = [f"{rng.randrange(1, 120)} {rng.choice(STREETS)}", f"{insee} {town}"]
        status = {
            "new": "first-contact",
            "callback": "first-contact",
            "follow-up": "in-progress",
        }.get(tab) or rng.choice(("completed", "blocked"))
        answers = {"situation": weighted(rng, SITUATIONS)}
        for question in self.content.questions.values():
            if question.id != "situation" and question.options and rng.random() < 0.6:
                values = [option.value for option in question.options]
                answers[question.id] = (
                    rng.sample(values, rng.randrange(0, 3))
                    if question.type == "checkboxes"
                    else rng.choice(values)
                )
        stamps = {"created_at": first, "updated_at": reviewed or returned}
        rows["owner"].append(dict(
            id=i, collectivite_id=c, full_name=name, kind="Particulier", address_lines=[
                f"{rng.randrange(1, 90)} {rng.choice(STREETS)}", "75011 Paris"],
            do_not_contact=False, **stamps))  # fmt: skip
        rows["housing"].append(dict(
            id=i, collectivite_id=c, local_id=f"{insee}{i:07d}", address_lines=address,
            insee_code=insee, kind=rng.choice(("APPART", "MAISON")), occupancy="V",
            energy_label=rng.choice("ABCDEFG"), vacancy_start_year=rng.randrange(2005, 2025),
            status=status, **stamps))  # fmt: skip
        rows["housing_owner"].append(dict(housing_id=i, owner_id=i, rank=1))
        rows["letter"].append(dict(
            id=i, collectivite_id=c, campaign_id=rng.choice(campaigns(c)), housing_id=i,
            owner_id=i, token_hash=hashlib.sha256(b"t%d" % i).hexdigest(),
            code_hash=hashlib.sha256(b"c%d" % i).hexdigest(), sent_at=first.date(),
            first_visit_at=first, **stamps))  # fmt: skip
        rows["response"].append(dict(
            id=i, collectivite_id=c, letter_id=i, answers=answers,
            content_version=self.content.version, progress=100,
            submitted_at=returned if rng.random() < 0.9 else None, queue_tab=tab,
            last_return_at=returned, reviewed_at=reviewed,
            search_text=" ".join(map(plain, (name, *address)))[:600], **stamps))  # fmt: skip
        seen = set()
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 3, 4))):
            seen.add(weighted(rng, AID_WEIGHTS))
        rows["response_recommendation"].extend(
            dict(response_id=i, aid_slug=slug, rank=rank) for rank, slug in enumerate(seen)
        )
        if tab == "callback" or (reviewed and rng.random() < 0.15):
            rows["callback_request"].append(dict(
                id=i, collectivite_id=c, letter_id=i, phone=f"06{i % 10**8:08d}",
                moments=["morning"], note="", consent_at=returned, handled_at=reviewed,
                **stamps))  # fmt: skip


FILL_ORDER = ("collectivite", "agent", "campaign", "owner", "housing", "housing_owner",
              "letter", "response", "response_recommendation", "callback_request")  # fmt: skip


def sqlite_value(column: sa.Column) -> Callable | None:
    """How SQLAlchemy stores the column's values in SQLite (its bind processors are slow)."""
    if isinstance(column.type, sa.JSON):
        return json.dumps
    if isinstance(column.type, UTCDateTime):  # values already in UTC
        return lambda v: v and v.replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(column.type, sa.Date):
        return lambda v: v and v.isoformat()
    return None


def write_sqlite(connection: sa.Connection, rows: dict[str, list[dict]]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    for name in FILL_ORDER:
        if not rows[name]:
            continue
        table, columns = Base.metadata.tables[name], list(rows[name][0])
        convert = [(c, sqlite_value(table.c[c])) for c in columns]
        places = ", ".join("?" * len(columns))
        cursor.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({places})",  # noqa: S608
            [tuple(f(row[c]) if f else row[c] for c, f in convert) for row in rows[name]],
        )


def write_postgresql(connection: sa.Connection, rows: dict[str, list[dict]]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    for name in FILL_ORDER:
        if not rows[name]:
            continue
        table, columns = Base.metadata.tables[name], list(rows[name][0])
        json_columns = {c for c in columns if isinstance(table.c[c].type, sa.JSON)}
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows[name]:
                copy.write_row([json.dumps(row[c]) if c in json_columns else row[c]
                                for c in columns])  # fmt: skip


def fill(url: str, answers: int, collectivites: int, seed: int) -> None:
    engine = make_engine(url)
    postgresql = engine.dialect.name == "postgresql"
    base, extra = divmod(answers, collectivites)
    generator = Generator(random.Random(seed), load_content(ROOT / "guidance_content"),
                          [base + (c < extra) for c in range(collectivites)],
                          hash_password("bench-queue-password"))  # fmt: skip
    write = write_postgresql if postgresql else write_sqlite
    start, batch = time.perf_counter(), max(1, 50_000 // max(base, 1))
    for first in range(1, collectivites + 1, batch):
        rows: dict[str, list[dict]] = {name: [] for name in FILL_ORDER}
        for c in range(first, min(first + batch, collectivites + 1)):
            for name, more in generator.collectivite(c).items():
                rows[name].extend(more)
        with engine.begin() as connection:
            if not postgresql:
                connection.exec_driver_sql("PRAGMA cache_size=-400000")
            write(connection, rows)
        done = generator.next_id - 1
        print(f"  {done:>9,} answers  {time.perf_counter() - start:6.0f} s", end="\r", flush=True)
    print()
    if postgresql:
        analyze_postgresql(engine)
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def analyze_postgresql(engine: sa.Engine) -> None:
    """Sequences after the given ids, and what autovacuum would have done by now."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for name in ("collectivite", "agent", "campaign", "owner", "housing", "letter",
                     "response", "callback_request"):  # fmt: skip
            last = f"SELECT max(id) FROM {name}"  # noqa: S608 (our table names)
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), ({last}))"
            )
        connection.exec_driver_sql("VACUUM (ANALYZE)")


# ---------------------------------------------------------------------------- databases


def filled(url: str, answers: int, collectivites: int) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            counted = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM response), (SELECT count(*) FROM collectivite)"
            ).one()  # fmt: skip
        return tuple(counted) == (answers, collectivites)
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


@contextmanager
def database(kind: str, args) -> Iterator[tuple[str, float | None]]:
    """The database's URL and its fill time (None when a kept one is reused)."""
    name = f"portal_bench_queue_{args.answers}_{args.collectivites}"
    if not args.keep:
        name += f"_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        url, drop = (
            f"sqlite:///{path}",
            lambda: [
                Path(f"{path}{suffix}").unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")
            ],
        )
        create = drop
    else:
        server = sa.make_url(args.postgresql_url).set(drivername="postgresql+psycopg")
        url = server.set(database=name).render_as_string(hide_password=False)
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")

        def drop():
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        def create():
            drop()
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    seconds = None
    if not (args.keep and filled(url, args.answers, args.collectivites)):
        create()
        upgrade(url)
        print(f"filling {url} ({args.answers:,} answers, {args.collectivites:,} collectivités)")
        start = time.perf_counter()
        fill(url, args.answers, args.collectivites, args.seed)
        seconds = time.perf_counter() - start
    else:
        upgrade(url)  # a kept database gets the indexes added since
        if kind == "postgresql":
            with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.exec_driver_sql("ANALYZE")
    try:
        yield url, seconds
    finally:
        if not args.keep:
            drop()


def size_of(url: str) -> str:
    if url.startswith("sqlite"):
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
    else:
        with sa.create_engine(url).connect() as connection:
            query = "SELECT pg_database_size(current_database())"
            size = connection.exec_driver_sql(query).one()[0]
    return f"{size / 1e9:.1f} GB"


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
        "date range (30 days)": window,
        "search (name fragment)": fragment,
    }


def query_args(where: QueueFilter, cursor: str | None) -> dict[str, str]:
    args = {"onglet": where.tab, "apres": cursor, "campaign": where.campaign_id,
            "commune": where.insee_code, "aid": where.aid_slug, "situation": where.situation,
            "callback": {True: "oui", False: "non"}.get(where.callback), "since": where.since,
            "until": where.until, "q": where.search}  # fmt: skip
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
    client, results, timed = app.test_client(), [], Meter(engine)
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
            with client.session_transaction() as cookie:
                cookie["agent_id"] = c  # the collectivité's agent has its id
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


def server_answers(url: str) -> bool:
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
