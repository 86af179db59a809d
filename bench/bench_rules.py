"""Full evaluations per second of the rules engine, on one core.

One evaluation = every aid of guidance_content/ for one situation, with its trace, missing
inputs and next question (what the API does before turning it into words). Situations
rotate through the content's own examples so that every branch is exercised.
Also times `present` (the same evaluation put into words, French), the API's full work.
Target (issue 3): ≥ 7,000 evaluations per second.
Run: .venv/bin/python bench/bench_rules.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

from portal.rules import evaluate, load_content, present, validate_answers, validate_context

ROOT = Path(__file__).resolve().parent.parent


def situations(content):
    prepared = []
    for example in content.examples:
        answers = validate_answers(content, example.get("answers") or {})
        context = validate_context(content, example.get("context") or {})
        local = content.locals.get(str(example.get("local"))) if example.get("local") else None
        prepared.append((answers, context, example.get("as_of") or dt.date(2026, 11, 23), local))
    return prepared


def rate(function, cases, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for case in cases:
            function(case)
        done += len(cases)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    start = time.perf_counter()
    content = load_content(ROOT / "guidance_content")
    load_ms = (time.perf_counter() - start) * 1000
    cases = situations(content)
    print(
        f"content {content.version}: {len(content.aids)} aids, {len(content.questions)} "
        f"questions, {len(cases)} situations; loaded and validated in {load_ms:.0f} ms"
    )

    def evaluation(case):
        return evaluate(content, *case)

    def with_words(case):
        return present(evaluate(content, *case), content, "fr")

    for name, function in (("evaluate", evaluation), ("evaluate + present (fr)", with_words)):
        per_second = rate(function, cases, args.seconds)
        print(f"{name:<26}{per_second:>10,.0f} evaluations/s {1e6 / per_second:>8.1f} µs each")
    publicodes()


def publicodes() -> None:
    """The same kind of work in Publicodes 1.10.1 (npm devDependency), in the same run."""
    script = ROOT / "bench" / "publicodes_ten_aids.mjs"
    if not (ROOT / "node_modules" / "publicodes").is_dir() or shutil.which("node") is None:
        print("publicodes: not installed (npm ci), comparison skipped")
        return
    command = ["taskset", "-c", "0", "node", str(script), "3"]
    if shutil.which("taskset") is None:
        command = command[3:]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
