"""Time and memory to print a campaign: 10,000 letters in one PDF, fpdf2 (the portal's)
and ReportLab side by side, with the same planned letters.

Realistic letters (bench/support/letters_data.py): a logo, two signature images, a body of
about 250 words with merge fields, a QR code and a typed code each. Each library runs in a
fresh process, so that its peak resident memory is its own: "main" is the process that
draws and writes the PDF, "workers" the largest of the processes that plan the letters
(merge, line breaks, QR codes). ReportLab is optional (`pip install reportlab==5.1.0`).

Run: .venv/bin/python bench/bench_letters.py [--letters 10000] [--workers N] [--only fpdf2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIBRARIES = ("fpdf2", "reportlab")


def child(library: str, letters: int, workers: int | None, path: Path) -> dict:
    from support import letters_data

    layout = letters_data.layout()
    recipients = letters_data.recipients(letters)  # a generator, as a database query
    pages = []
    start = time.perf_counter()
    with path.open("wb") as out:
        if library == "fpdf2":
            from portal.letters.pdf import render
        else:
            from support.letters_reportlab import render
        count = render(layout, recipients, out, workers=workers,
                       on_letter=lambda _recipient, n: pages.append(n))  # fmt: skip
    seconds = time.perf_counter() - start
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))  # fmt: skip
    return {
        "library": library, "letters": count, "pages": sum(pages), "seconds": seconds,
        "cpu_main": own.ru_utime + own.ru_stime,
        "cpu_workers": children.ru_utime + children.ru_stime,
        "rss_main_mb": own.ru_maxrss / 1024, "rss_workers_mb": children.ru_maxrss / 1024,
        "size_mb": path.stat().st_size / 1e6,
    }  # fmt: skip


def run(library: str, letters: int, workers: str) -> dict | None:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--child", library, "--letters", str(letters),
                   "--workers", workers, "--out", str(Path(folder) / "letters.pdf")]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        if "No module named 'reportlab'" in result.stderr:
            print(f"{library}: not installed, skipped (pip install reportlab==5.1.0)")
            return None
        sys.exit(f"{library} failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", default="auto", help="planning processes: auto, 0, 1, 2…")
    parser.add_argument("--only", choices=LIBRARIES)
    parser.add_argument("--child", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(Path(__file__).parent))
        workers = None if args.workers == "auto" else int(args.workers)
        print(json.dumps(child(args.child, args.letters, workers, Path(args.out))))
        return
    cores = len(os.sched_getaffinity(0))
    print(f"{args.letters} letters, workers: {args.workers}, {cores} cores, load "
          f"{os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    print(f"{'library':<11}{'wall s':>8}{'CPU main':>10}{'CPU workers':>13}"
          f"{'RSS main MB':>13}{'RSS worker MB':>15}{'pages':>7}{'PDF MB':>8}")  # fmt: skip
    for library in [args.only] if args.only else LIBRARIES:
        figures = run(library, args.letters, args.workers)
        if figures:
            print(f"{library:<11}{figures['seconds']:>8.1f}{figures['cpu_main']:>10.1f}"
                  f"{figures['cpu_workers']:>13.1f}{figures['rss_main_mb']:>13.0f}"
                  f"{figures['rss_workers_mb']:>15.0f}{figures['pages']:>7}"
                  f"{figures['size_mb']:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
