"""Our amounts beside Mes Aides Réno's, for a few landlord situations.

The situations are in bench/mes_aides_reno_situations.json; MAR's side comes from its
Publicodes model, vendored in tests/fixtures/mesaidesreno/ and run by
bench/mes_aides_reno.mjs (Node, npm's `publicodes` and `yaml`: `npm ci` first). Prints a
Markdown table: situation, aid, our amount, MAR's, the difference, and why. The note of
differences is bench/mes_aides_reno.md; tests/rules/test_mes_aides_reno.py asserts the rows
marked `agree`.

Run: .venv/bin/python bench/compare_mes_aides_reno.py [path/to/guidance_content]
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from portal.rules import evaluate, load_content, validate_answers, validate_context  # noqa: E402

SITUATIONS = ROOT / "bench" / "mes_aides_reno_situations.json"
SCRIPT = ROOT / "bench" / "mes_aides_reno.mjs"
NEEDED = ("publicodes", "yaml")


def spec() -> dict:
    return json.loads(SITUATIONS.read_text(encoding="utf-8"))


def node_missing() -> str | None:
    """Why MAR's model cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    absent = [name for name in NEEDED if not (ROOT / "node_modules" / name).is_dir()]
    if absent:
        return f"npm packages {', '.join(absent)} are not installed (npm ci)"
    return None


def mar_results() -> dict:
    """Run MAR's model on every situation: {"model": {...}, "results": {id: {rule: …}}}."""
    done = subprocess.run(
        ["node", str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def our_amounts(content, data: dict) -> dict:
    """{situation id: {aid slug: (status, amount or None)}} with our engine."""
    as_of = dt.date.fromisoformat(data["as_of"])
    base = data["ours_base"]
    found = {}
    for situation in data["situations"]:
        ours = situation["ours"]
        answers = validate_answers(content, {**base["answers"], **ours.get("answers", {})})
        context = validate_context(content, {**base["context"], **ours.get("context", {})})
        evaluation = evaluate(content, answers, context, as_of)
        found[situation["id"]] = {
            r.slug: (r.status, r.amount) for r in evaluation.recommendations
        }  # fmt: skip
    return found


def rows(content, data: dict, mar: dict) -> list[dict]:
    """One row per comparison: ours and MAR's amounts (None when that side has none)."""
    as_of = dt.date.fromisoformat(data["as_of"])
    ours_by_situation = our_amounts(content, data)
    table = []
    for situation in data["situations"]:
        ours_here, mar_here = ours_by_situation[situation["id"]], mar["results"][situation["id"]]
        for compare in situation["compare"]:
            side = compare["ours"]
            # Our aid's status, when the row names one of our aids (slug).
            slug = side.get("aid", side.get("of", compare["aid"]))
            status = ours_here.get(slug, (None, None))[0]
            names = [side["parameter"]] if "parameter" in side else side.get("parameters", [])
            present = all(name in content.parameters for name in names)
            if "aid" in side:
                present = side["aid"] in ours_here
            if not present and not side.get("optional"):
                raise KeyError(f"{situation['id']}: {side} is not in our content")
            ours = None
            if not present:
                pass
            elif "aid" in side:
                ours = ours_here[side["aid"]][1] if status != "not_applicable" else None
            elif names:
                ours = sum(content.parameter(name, as_of) for name in names)
                ours *= side.get("times", 1)
            rules = compare["mar"] if isinstance(compare["mar"], list) else [compare["mar"]]
            values = [mar_here[rule]["value"] for rule in rules if rule is not None]
            numbers = [value for value in values if isinstance(value, (int, float))]
            theirs = sum(numbers) if numbers else None
            table.append(
                {
                    "situation": situation["id"],
                    "label": situation["label"],
                    "aid": compare["aid"],
                    "mar_rule": " + ".join(r for r in rules if r) or None,
                    "status": status,
                    "ours": ours,
                    "mar": theirs,
                    "present": present,
                    "agree": compare["agree"] is True
                    or (compare["agree"] == "when_present" and present),
                    "why": compare["why"],
                }
            )
    return table


def euros(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} €".replace(",", "\u202f")


def markdown(table: list[dict], model: dict) -> str:
    lines = [
        f"MAR: {model['name']}, commit {model['commit'][:8]} ({model['commit_date']}); "
        f"our content: guidance_content/ (see the as_of date in {SITUATIONS.name}).",
        "",
        "| Situation | Aide (règle MAR) | Nous | MAR | Écart | Pourquoi |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in table:
        gap = "—"
        if row["ours"] is not None and row["mar"] is not None:
            gap = euros(row["ours"] - row["mar"]) if round(row["ours"] - row["mar"]) else "0"
        mark = "✔ " if row["agree"] else ""
        rule = f" ({row['mar_rule']})" if row["mar_rule"] else ""
        ours = euros(row["ours"])
        if row["status"] not in (None, "applicable"):
            ours += f" ({row['status']})"
        lines.append(
            f"| {row['label']} | {row['aid']}{rule} | {ours} | "
            f"{euros(row['mar'])} | {gap} | {mark}{row['why']} |"
        )
    return "\n".join(lines)


def main() -> int:
    reason = node_missing()
    if reason:
        print(f"Mes Aides Réno comparison skipped: {reason}")
        return 0
    data, mar = spec(), mar_results()
    # Another content tree may be given, e.g. a branch's worktree: path/to/guidance_content.
    content = load_content(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "guidance_content")
    print(markdown(rows(content, data, mar), mar["model"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
