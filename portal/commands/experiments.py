"""`portal experiments analyse --units FILE.csv --metric NAME [--control ARM] [--json]`:
the analysis of a per-unit table (the back-office's export, or a file built elsewhere with
the columns unit, arm, stratum and one 0/1 column per metric), the same report as the
back-office's analysis page. Needs no database."""

from __future__ import annotations

import json

import click
from babel.numbers import format_decimal

from portal.experiments.analysis import analyse
from portal.experiments.units_file import read_units

CONTROL_NAMES = ("standard", "control", "témoin")
NBSP, NNBSP = "\u00a0", "\u202f"  # before « : », « % » and « pp »; before « ; »
TESTS = {"z": "test z", "fisher": "test exact de Fisher"}


class BadInput(click.ClickException):
    """A units file or an option that cannot be analysed: its message on stderr, exit 2
    (as click's usage errors), no traceback."""

    exit_code = 2


@click.group("experiments")
def experiments() -> None:
    """Experiments on letter and page wordings."""


def _number(value: float, digits: int = 1) -> str:
    """French: decimal comma, narrow no-break space between thousands, true minus sign."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale="fr").replace("-", "−")


def _signed(value: float, digits: int) -> str:
    text = _number(value, digits)
    return text if text.startswith("−") or text.strip("0,") == "" else "+" + text


def _range(ci, scale) -> str:
    return "" if ci is None else f" [{scale(ci[0])}{NNBSP}; {scale(ci[1])}]"


def _percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{_number(100 * value, digits)}{NBSP}%"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return f"<{NBSP}0,001"
    return f"{value:.2g}".replace(".", ",")


def _comparison(c: dict, several: bool) -> str:
    """« +1,4 pp [0,3 ; 2,5] (+9 % [2 % ; 16 %]), p = 0,01 », reference §5.1."""
    if c["diff"] is None:
        return "pas encore assez de données"
    text = f"{_signed(100 * c['diff'], 1)}{NBSP}pp" + _range(
        c["diff_ci"], lambda v: _number(100 * v, 1)
    )
    if c["lift"] is not None:
        text += (
            f" ({_signed(100 * c['lift'], 0)}{NBSP}%"
            + _range(c["lift_ci"], lambda v: _percent(v, 0))
            + ")"
        )
    text += f", p = {_p(c['p_value'])}"
    if several:
        text += f", p Holm = {_p(c['p_holm'])}"
    text += f" ({TESTS.get(c['test'], c['test'])})"
    return text + ("" if c["conclusive"] else " — non concluant")


def as_text(report: dict) -> str:
    """The report as the back-office page reads it, in plain French text."""
    colon = f"{NBSP}:"
    level = _number(100 * (1 - report["alpha"]), 0 if (100 * report["alpha"]).is_integer()
                    else 1)  # fmt: skip
    alpha = format_decimal(report["alpha"], locale="fr")
    lines = [
        f"Mesure{colon} {report['metric']} — témoin{colon} {report['control']} — "
        f"alpha{colon} {alpha}",
        "",
        f"Par bras (taux, intervalle de confiance à {level}{NBSP}% de Wilson){colon}",
    ]
    for arm in report["arms"]:
        lines.append(f"  {arm['arm']}{colon} {_number(arm['successes'], 0)} sur "
                     f"{_number(arm['n'], 0)}, {_percent(arm['rate'])}"
                     f"{_range(arm['ci'], _percent)}")  # fmt: skip
    several = len(report["comparisons"]) > 1
    lines += ["", f"Comparaisons avec le témoin (différence en points, intervalle de "
                  f"Newcombe{NNBSP}; hausse relative){colon}"]  # fmt: skip
    for c in report["comparisons"]:
        lines.append(f"  {c['arm']}{colon} {_comparison(c, several)}")
    srm = report["srm"]
    if srm["p_value"] is None:
        verdict = "non calculé"
    else:
        verdict = f"p = {_p(srm['p_value'])} — " + (
            f"DÉSÉQUILIBRE{colon} les résultats ne sont pas fiables" if srm["flagged"]
            else "conforme")  # fmt: skip
    lines += ["", f"Contrôle de répartition (khi-deux){colon} {verdict}"]
    for s in report["stratified_by_arm"]:
        head = f"Estimation stratifiée (Mantel–Haenszel), {s['arm']}{colon} "
        if s["diff"] is None:
            lines.append(head + "non calculable")
            continue
        strata = f" sur {s['strata']} strate{'s' if s['strata'] > 1 else ''}"
        cmh = "" if s["p_value"] is None else f", p CMH = {_p(s['p_value'])}"
        interval = _range(s["ci"], lambda v: _number(100 * v, 1))
        lines.append(f"{head}{_signed(100 * s['diff'], 1)}{NBSP}pp{interval}{strata}{cmh}")
    if report["problems"]:
        lines.append("")
    for problem in report["problems"]:
        lines.append(f"Note{colon} {problem['message']}")
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
    help="The control arm (default: « standard », "
    "« control » or « témoin » if the file has one, else the first arm in sorted order).",
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
                f"Le bras témoin «{NBSP}{control}{NBSP}» n’est pas dans le fichier{NNBSP}; "
                f"bras présents{NBSP}: {', '.join(arms)}."
            )
        ordered = [control, *(a for a in arms if a != control)]
        report = analyse(units, metric, control=control, arms=ordered, alpha=alpha).to_json()
    except ValueError as error:  # UnitsFileError is one
        raise BadInput(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo(as_text(report))
