"""`portal experiments analyse --units FILE.csv --metric NAME [--control ARM] [--json]`:
the analysis of a per-unit table (the back-office's export, or a file built elsewhere with
the columns unit, arm, stratum and one 0/1 column per metric), the same report as the
back-office's analysis page. Needs no database."""

from __future__ import annotations

import json

import click

from portal.experiments.analysis import analyse
from portal.experiments.units_file import UnitsFileError, read_units

CONTROL_NAMES = ("standard", "control", "témoin")


@click.group("experiments")
def experiments() -> None:
    """Experiments on letter and page wordings."""


def _number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


def _points(value: float | None) -> str:
    return "—" if value is None else ("+" if value > 0 else "") + _number(100 * value) + " pp"


def _percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else _number(100 * value, digits) + " %"


def _interval(ci, scale=_percent) -> str:
    return "" if ci is None else f" [{scale(ci[0])} ; {scale(ci[1])}]"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0,001" if value < 0.001 else _number(value, 3)


def as_text(report: dict) -> str:
    lines = [f"Mesure : {report['metric']} — témoin : {report['control']} — "
             f"alpha : {_number(report['alpha'], 3)}", "", "Par bras :"]  # fmt: skip
    for arm in report["arms"]:
        lines.append(f"  {arm['arm']} : {arm['successes']} sur {arm['n']}, "
                     f"{_percent(arm['rate'])}{_interval(arm['ci'])}")  # fmt: skip
    lines += ["", "Comparaisons avec le témoin :"]
    for c in report["comparisons"]:
        if c["diff"] is None:
            lines.append(f"  {c['arm']} : pas encore assez de données")
            continue
        lift = "" if c["lift"] is None else \
            f" ({'+' if c['lift'] > 0 else ''}{_percent(c['lift'], 0)}" \
            f"{_interval(c['lift_ci'], lambda v: _percent(v, 0))})"  # fmt: skip
        verdict = "" if c["conclusive"] else " — non concluant"
        lines.append(f"  {c['arm']} : {_points(c['diff'])}{_interval(c['diff_ci'], _points)}"
                     f"{lift}, p = {_p(c['p_value'])}, p Holm = {_p(c['p_holm'])}"
                     f" ({c['test']}){verdict}")  # fmt: skip
    srm = report["srm"]
    lines += ["", "Répartition (SRM) : " + (
        "non calculée" if srm["p_value"] is None else
        f"p = {_p(srm['p_value'])}" + (" — DÉSÉQUILIBRE, résultats à ne pas lire"
                                        if srm["flagged"] else " — conforme"))]  # fmt: skip
    for s in report["stratified_by_arm"]:
        if s["diff"] is not None:
            lines.append(f"Estimation stratifiée (Mantel–Haenszel, {s['strata']} strates), "
                         f"{s['arm']} : {_points(s['diff'])}{_interval(s['ci'], _points)}"
                         f", p CMH = {_p(s['p_value'])}")  # fmt: skip
    for problem in report["problems"]:
        lines.append(f"Note : {problem['message']}")
    return "\n".join(lines)


@experiments.command("analyse")
@click.option(
    "--units",
    "units_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV: unit, arm, stratum, then one 0/1 column per metric.",
)
@click.option("--metric", required=True, help="The 0/1 column to analyse.")
@click.option(
    "--control",
    default=None,
    help="The control arm (default: « standard », "
    "« control » or « témoin » if the file has one, else the first arm in sorted order).",
)
@click.option("--alpha", default=0.05, show_default=True, type=click.FloatRange(0, 1,
              min_open=True, max_open=True))  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def analyse_command(units_path: str, metric: str, control: str | None, alpha: float,
                    as_json: bool) -> None:  # fmt: skip
    """Analyse a per-unit table: per arm n, successes, rate and Wilson interval; each arm
    against the control (Newcombe interval, lift, p, Holm p); SRM; stratified estimate."""
    try:
        units = read_units(units_path, metric)
        arms = sorted({unit.arm for unit in units})
        control = control or next((a for a in CONTROL_NAMES if a in arms), arms[0])
        if control not in arms:
            raise ValueError(
                f"Le bras témoin « {control} » n’est pas dans le fichier ; "
                f"bras présents : {', '.join(arms)}."
            )
        ordered = [control, *(a for a in arms if a != control)]
        report = analyse(units, metric, control=control, arms=ordered, alpha=alpha).to_json()
    except UnitsFileError as error:
        raise click.UsageError(str(error)) from None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo(as_text(report))
