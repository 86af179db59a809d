"""Importing housings: wall-clock and peak memory of the preview and of the import, for a
ZLV campaign export of 100,000 rows (XLSX, ZLV's headers and its "Propriétaires" sheet) and
the same rows as CSV, with a 10,000-row file in the same run as the reference: memory
should stay flat as the rows grow tenfold (portal/imports/run.py).

    .venv/bin/python bench/bench_import.py
    .venv/bin/python bench/bench_import.py --database-url postgresql://postgres@127.0.0.1:5432/test

The files are built once into /tmp/bench_import/ (kept: building the XLSX takes a minute).
Each measurement runs in a process of its own: "peak MB" is the process's highest resident
memory while the import runs (sampled every 20 ms), "app MB" the memory before it started
(the app loaded), so the difference is the import's own. SQLite: a scratch file. PostgreSQL: a
database of its own created on the server of --database-url and dropped afterwards (the
database named in the URL is never touched). Every measurement imports into a collectivité
of its own; "re-import" imports the 100,000-row XLSX a second time (every housing found,
compared, left unchanged or updated).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES = Path(tempfile.gettempdir()) / "bench_import"
PERIMETER = [f"58{n:03d}" for n in range(100, 140)]
SECRET = "bench-import-secret-key-0123456789abcdef"  # noqa: S105 (a scratch database)


def build_rows(count: int):
    """ZLV's housing rows by header: a shared owner every fifth housing, 1 % refused (an
    INSEE code outside the perimeter, a text that is no year)."""
    from tests.imports.files import zlv_row

    rng = random.Random(count)
    for n in range(1, count + 1):
        owner = n - n % 5 if n % 5 else n
        values = {
            "Code INSEE commune du logement": PERIMETER[n % len(PERIMETER)],
            "Adresse LOVAC du logement": f"{n % 300} RUE DES ESSAIS\n58000 NEVERS",
            "Type de logement": "Maison" if n % 3 else "Appartement",
            "Surface (m²)": rng.randint(15, 200),
            "Nombre de pièces": rng.randint(1, 8),
            "Année de construction": rng.randint(1850, 2010),
            "Année de début de vacance": rng.randint(2005, 2023),
            "DPE représentatif": "ABCDEFG"[n % 7],
            "Propriétaire destinataire principal": f"PROPRIETAIRE NUMERO {owner}",
            "Adresse LOVAC du propriétaire": f"{owner % 90} AV DE LA GARE\n44000 NANTES",
        }
        if n % 100 == 7:
            values["Code INSEE commune du logement"] = "75056"
        if n % 100 == 51:
            values["Année de début de vacance"] = "depuis longtemps"
        yield zlv_row(f"58{n:010d}", **values)


def build_files(count: int) -> tuple[Path, Path]:
    """zlv-<count>.xlsx (openpyxl, write-only) and lovac-<count>.csv, built once."""
    import csv

    from openpyxl import Workbook

    from tests.imports.files import ZLV_HEADERS, ZLV_OWNER_HEADERS

    FILES.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = FILES / f"zlv-{count}.xlsx", FILES / f"lovac-{count}.csv"
    if not xlsx.exists():
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        housings = workbook.create_sheet("Logements")
        owners = workbook.create_sheet("Propriétaires")
        housings.append(ZLV_HEADERS)
        owners.append(ZLV_OWNER_HEADERS)
        for row in build_rows(count):
            housings.append([row.get(h) for h in ZLV_HEADERS])
            owners.append([row.get(h) for h in ZLV_OWNER_HEADERS])
        workbook.save(xlsx)
        print(f"  built {xlsx} in {time.perf_counter() - started:.0f} s", flush=True)
    if not csv_path.exists():
        columns = {"ff_idlocal": "Identifiant fiscal national",
                   "code_insee": "Code INSEE commune du logement",
                   "adresse": "Adresse LOVAC du logement", "nature": "Type de logement",
                   "ff_stoth": "Surface (m²)", "ff_npiece_p2": "Nombre de pièces",
                   "ff_jannath": "Année de construction",
                   "debutvacance": "Année de début de vacance", "dpe": "DPE représentatif",
                   "proprietaire": "Propriétaire destinataire principal",
                   "proprietaire_adresse": "Adresse LOVAC du propriétaire"}  # fmt: skip
        with csv_path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(columns)
            for row in build_rows(count):
                kind = row["Type de logement"]
                row["Type de logement"] = "APPART" if kind == "Appartement" else "MAISON"
                writer.writerow([row.get(h) for h in columns.values()])
    return xlsx, csv_path


@contextmanager
def database(url: str | None):
    """A migrated scratch database: SQLite in a temporary folder, or a PostgreSQL database
    of its own on the server of `url`, dropped afterwards."""
    from sqlalchemy import create_engine, make_url

    from portal.commands.database import upgrade

    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            scratch = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            upgrade(scratch)
            yield scratch
        return
    server = make_url(url).set(drivername="postgresql+psycopg")
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        scratch = server.set(database=name).render_as_string(hide_password=False)
        upgrade(scratch)
        yield scratch
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class RssSampler(threading.Thread):
    """The process's resident memory, read from /proc every 20 ms: its highest value while
    the import runs (ru_maxrss would also count the app's start, which may peak higher)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.running = rss_mb(), True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.peak, rss_mb())


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str, path: str, url: str, siren: str) -> None:
    """One measurement, in this process: prints a JSON line."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET)
    from flask_babel import force_locale
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from portal import create_app
    from portal.imports.run import apply, preview
    from portal.models import Collectivite

    app = create_app("development", DATABASE_URL=url)
    with app.app_context(), force_locale("fr"), Session(app.extensions["database"]) as session:
        collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == siren))
        if collectivite is None:
            collectivite = Collectivite(name=f"Bench {siren}", siren=siren, kind="CA",
                                        perimeter=PERIMETER)  # fmt: skip
            session.add(collectivite)
            session.commit()
        gc.collect()
        before = rss_mb()
        sampler = RssSampler()
        sampler.start()
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as report:
            if mode == "preview":
                summary = preview(session, collectivite, Path(path), report=report)
            else:
                summary = apply(session, collectivite, Path(path), report=report)
                session.commit()
        seconds = time.perf_counter() - started
        peak = sampler.stop()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "app_mb": before,
                      "counts": summary.counts, "error": summary.file_error}))  # fmt: skip


def measure(mode: str, path: Path, url: str, siren: str) -> dict:
    command = [sys.executable, __file__, "--child", mode, str(path), "--database-url", url,
               "--siren", siren]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def run(url: str | None, rows: int, reference: int) -> None:
    small_xlsx, small_csv = build_files(reference)
    big_xlsx, big_csv = build_files(rows)
    label = "PostgreSQL" if url else "SQLite"
    with database(url) as scratch:
        print(f"\n== {label}")
        print(f"{'file':<22} {'step':<10} {'rows':>8} {'seconds':>8} {'rows/s':>8} "
              f"{'peak MB':>8} {'app MB':>7}  counts")  # fmt: skip
        sirens = iter(range(210000001, 210000100))
        plan = [(small_xlsx, reference), (big_xlsx, rows), (small_csv, reference),
                (big_csv, rows)]  # fmt: skip
        for path, count in plan:
            siren = str(next(sirens))
            steps = ["preview", "apply"] + (["re-import"] if path == big_xlsx else [])
            for step in steps:
                result = measure("apply" if step == "re-import" else step, path, scratch, siren)
                if result["error"]:
                    raise SystemExit(f"{path.name}: {result['error']}")
                counts = result["counts"]
                print(f"{path.name:<22} {step:<10} {count:>8} {result['seconds']:>8.1f} "
                      f"{count / result['seconds']:>8.0f} {result['peak_mb']:>8.0f} "
                      f"{result['app_mb']:>7.0f}  {counts['create']} c, {counts['update']} u, "
                      f"{counts['unchanged']} =, {counts['refuse']} r", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server (a database is created)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=10_000)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--siren", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.database_url, args.siren)
        return
    run(None, args.rows, args.reference)
    if args.database_url:
        run(args.database_url, args.rows, args.reference)


if __name__ == "__main__":
    main()
