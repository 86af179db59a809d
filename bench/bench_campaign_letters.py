"""A campaign's letters end to end, as an agent gets them: the letters job on a database of
10,000 housings (codes issued, letters read in chunks, the PDF drawn, PDF and CSV stored),
then the reprint (same codes, nothing issued), beside the PDF alone drawn from the same
letters without the database (the reference: what the job adds is the difference).

Each step runs in a fresh process so that its peak resident memory is its own. The issue's
bound: 10,000 letters in 60 s and 500 MB on this 2-core machine.

Run: .venv/bin/python bench/bench_campaign_letters.py [--letters 10000]
     [--database-url postgresql://postgres@127.0.0.1:5432/bench_letters] (a database of its
     own: it is emptied and filled; never the shared `test` database)
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
SECRET = "bench-secret-key-0123456789abcdef0123456789"  # noqa: S105 (a benchmark's)


def app_for(url: str):
    from portal import create_app
    from portal.config import TestConfig

    config = TestConfig()
    config.DATABASE_URL, config.SECRET_KEY = url, SECRET
    config.JOBS_RUNNER = "inline"
    return create_app(config)


def seed(url: str, letters: int) -> int:
    """The collectivité, its logo and signatures, `letters` housings with their principal
    owner, and a campaign of them all; returns the campaign's id."""
    from sqlalchemy.orm import Session
    from support import letters_data

    from portal.campaigns.build import create_campaign
    from portal.models import (
        Collectivite,
        CollectiviteLogo,
        Housing,
        HousingOwner,
        Owner,
        SignatureImage,
    )

    app = app_for(url)
    with app.app_context(), Session(app.extensions["database"]) as session:
        town = Collectivite(
            name="Commune de Nevers",
            short_name="Nevers",
            siren="215801946",
            kind="COM",
            perimeter=["58194"],
            settings={
                "signatories": [
                    {"name": "Marie Dupont", "role": "Maire"},
                    {"name": "Jean Roy", "role": "Adjoint"},
                ]
            },
        )
        session.add(town)
        session.flush()
        session.add(
            CollectiviteLogo(
                collectivite_id=town.id,
                media_type="image/png",
                data=letters_data.logo(),
                version="bench",
                width=600,
                height=240,
            )
        )
        for position, kind in ((1, "PNG"), (2, "JPEG")):
            session.add(
                SignatureImage(
                    collectivite_id=town.id,
                    position=position,
                    media_type=f"image/{kind.lower()}",
                    data=letters_data.signature(position, kind),
                    width=500,
                    height=180,
                )
            )
        sample = list(letters_data.recipients(letters))
        housings = [
            {
                "collectivite_id": town.id,
                "local_id": f"58{n:010d}",
                "insee_code": "58194",
                "address_lines": [f"{n} rue des Tilleuls", "58000 NEVERS"],
                "kind": "MAISON",
                "living_area": 90,
                "rooms_count": 4,
                "building_year": 1930,
                "vacancy_start_year": 2019,
                "energy_label": "F",
            }
            for n in range(letters)
        ]
        owners = [
            {
                "collectivite_id": town.id,
                "full_name": r.owner_name,
                "address_lines": list(r.address_lines),
            }
            for r in sample
        ]
        housing_ids = session.scalars(
            Housing.__table__.insert().returning(Housing.id), housings
        ).all()
        owner_ids = session.scalars(Owner.__table__.insert().returning(Owner.id), owners).all()
        session.execute(
            HousingOwner.__table__.insert(),
            [
                {"housing_id": h, "owner_id": o, "rank": 1}
                for h, o in zip(housing_ids, owner_ids, strict=True)
            ],
        )
        built = create_campaign(session, town.id, None, "Vacants 2026", "", None, housing_ids)
        session.commit()
        return built.campaign.id


def job(url: str, campaign_id: int) -> dict:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from portal import jobs
    from portal.models import Job, JobFile

    app = app_for(url)
    with app.app_context():
        with Session(app.extensions["database"]) as session:
            found = Job(collectivite_id=1, kind="letters", campaign_id=campaign_id)
            session.add(found)
            session.commit()
            job_id = found.id
        start = time.perf_counter()
        state = jobs.run(app, job_id)
        seconds = time.perf_counter() - start
        with Session(app.extensions["database"]) as session:
            size = session.scalar(
                select(JobFile.size).where(JobFile.job_id == job_id, JobFile.role == "pdf")
            )
    return {"state": state, "seconds": seconds, "size_mb": (size or 0) / 1e6}


def reference(letters: int) -> dict:
    from support import letters_data

    from portal.letters.pdf import render

    start = time.perf_counter()
    count = render(letters_data.layout(), letters_data.recipients(letters), io.BytesIO())
    return {"state": f"{count} letters", "seconds": time.perf_counter() - start, "size_mb": 0}


def child(step: str, url: str, letters: int, campaign_id: int) -> dict:
    result = {
        "seed": lambda: {
            "campaign_id": seed(url, letters),
            "seconds": 0,
            "state": "-",
            "size_mb": 0,
        },
        "job": lambda: job(url, campaign_id),
        "reference": lambda: reference(letters),
    }[step]()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return result | {"rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime}


def run_child(step: str, url: str, letters: int, campaign_id: int = 0) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--database-url",
        url,
        "--letters",
        str(letters),
        "--campaign",
        str(campaign_id),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--database-url")
    parser.add_argument("--child")
    parser.add_argument("--campaign", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.database_url, args.letters, args.campaign)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        from support.databases import reset

        reset(url)
        campaign_id = run_child("seed", url, args.letters)["campaign_id"]
        rows = [
            ("letters job, first printing", run_child("job", url, args.letters, campaign_id)),
            ("letters job, reprint", run_child("job", url, args.letters, campaign_id)),
            ("PDF alone (reference)", run_child("reference", url, args.letters)),
        ]
    print(f"{args.letters:,} letters, {url.split(':')[0]}")
    print(f"{'step':32} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'PDF MB':>8}")
    for name, row in rows:
        print(
            f"{name:32} {row['seconds']:8.1f} {row['cpu']:8.1f} {row['rss_mb']:12.0f} "
            f"{row['size_mb']:8.1f}  {row['state']}"
        )


if __name__ == "__main__":
    main()
