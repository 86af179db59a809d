"""The queue benchmark's data: realistic answers of many collectivités, bulk-inserted
(executemany on SQLite, COPY on PostgreSQL), and the databases that hold them.

Ids are given, not returned: a collectivité's agent has its id, its campaigns and INSEE
codes derive from it (see `campaigns`, `communes`), so a kept database can be reused.
"""

from __future__ import annotations

import hashlib
import json
import random
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

from portal.commands.database import upgrade
from portal.database import make_engine
from portal.models import Base
from portal.models.base import UTCDateTime
from portal.passwords import hash_password
from portal.queue import search_text
from portal.rules import load_content

ROOT = Path(__file__).resolve().parents[2]
END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # the latest return; a year of returns before
PASSWORD = "bench-queue-password"  # noqa: S105 (throw-away agents agent{c}@bench.example)
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
                          hash_password(PASSWORD))  # fmt: skip
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


def server_answers(url: str) -> bool:
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()
