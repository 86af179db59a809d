"""Time to make an owner's PDF summary, against the HTML results page in the same run.

The first demo letter answers a diagnostic that shows most aids (about ten, each with its
reasons, obligations, contacts and dated sources); both pages are then fetched in-process,
and the PDF's layout alone (fpdf2, fonts included) is timed apart from the words.
Run: .venv/bin/python bench/bench_summary_pdf.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, g
from pypdf import PdfReader
from support.databases import migrated_sqlite

from portal import create_app
from portal.demo import demo_token, load_demo
from portal.extensions import db
from portal.guidance import current_content
from portal.owner.journey import evaluation_for, record_owner_return, save_answer
from portal.owner.service import find_letter_by_token
from portal.owner.summary import summary_for
from portal.owner.summary_pdf import render

ANSWERS = {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
           "intention": "rent", "blockers": ["fear_unpaid_rent", "distance"],
           "works_level": "heavy", "energy_label": "F", "accepts_rent_cap": "yes",
           "owner_income_band": "modest"}  # fmt: skip


def timed(action, repeat: int) -> str:
    """Median and fastest time of `action`, in milliseconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return f"{statistics.median(timings) * 1000:>10.1f}{min(timings) * 1000:>9.1f}"


def answered_letter(app, token: str):
    with app.app_context():
        session, content = db.session(), current_content()
        letter = find_letter_by_token(session, token)
        evaluation = evaluation_for(content, letter, {})
        while evaluation.next_question:
            question = evaluation.next_question
            _, evaluation = save_answer(session, letter, content, question, ANSWERS[question])
        record_owner_return(session, letter, content, "submitted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with migrated_sqlite() as url:
        app = create_app("test", DATABASE_URL=url)
        with app.app_context():
            load_demo(db.session(), app.config["SECRET_KEY"])
        token = demo_token(app.config["SECRET_KEY"], 0)
        answered_letter(app, token)
        client = app.test_client()
        client.get(f"/l/{token}")
        pdf = client.get("/resultats/resume.pdf")
        assert pdf.status_code == 200, pdf.status_code
        pages = len(PdfReader(io.BytesIO(pdf.data)).pages)
        print(f"summary: {pages} pages, {len(pdf.data) / 1000:.0f} kB")
        print(f"{'what':<38}{'median ms':>10}{'min ms':>9}")
        for label, path in (("results page (HTML)", "/resultats"),
                            ("summary (PDF), whole request", "/resultats/resume.pdf")):  # fmt: skip
            print(f"{label:<38}{timed(lambda p=path: client.get(p), args.repeat)}")
        with app.test_request_context():
            content = current_content()
            g.letter = find_letter_by_token(db.session(), token)
            evaluation = evaluation_for(content, g.letter, ANSWERS)
            base = current_app.config["PORTAL_BASE_URL"]
            now = datetime.now(UTC)
            summary = summary_for(g.letter, content, evaluation, "fr", now, base)
            fonts = Path(app.static_folder) / "fonts"
            layout = timed(lambda: render(summary, fonts), args.repeat)
            print(f"{'of which the layout (fpdf2)':<38}{layout}")


if __name__ == "__main__":
    main()
