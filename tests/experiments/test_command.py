"""`portal experiments analyse` on a units file: the readable report, its JSON, and bad files
refused with their message on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.experiments.analysis import analyse
from portal.experiments.table import Unit
from portal.experiments.units_file import write_units

NBSP, NNBSP = "\u00a0", "\u202f"

# Newcombe (1998), example (a): 56/70 against 48/80, in one stratum.
NEWCOMBE = [Unit(f"t{i}", "T", "c1", {"scan": int(i < 56)}) for i in range(70)] + [
    Unit(f"c{i}", "C", "c1", {"scan": int(i < 48)}) for i in range(80)
]
THREE_ARMS = [
    Unit(f"u{i}", ("standard", "simplified", "social-norm")[i % 3], f"c{i % 2}",
         {"scan": int(i % 7 == 0), "diagnostic": int(i % 21 == 0)})
    for i in range(900)
]  # fmt: skip


def units_file(tmp_path: Path, units=NEWCOMBE, metrics=("scan",)) -> str:
    path = tmp_path / "units.csv"
    with path.open("w", encoding="utf-8") as stream:
        write_units(units, metrics, stream)
    return str(path)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["experiments", "analyse", *args])


def test_the_readable_report(app, tmp_path):
    result = run(app, "--units", units_file(tmp_path), "--metric", "scan", "--control", "C")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Mesure{NBSP}: scan — témoin{NBSP}: C — alpha{NBSP}: 0,05"
    assert f"  C{NBSP}: 48 sur 80, 60,0{NBSP}% [49,0{NBSP}%{NNBSP}; 70,0{NBSP}%]" in lines
    # Reference §5.1's display; the lift's interval is the log risk ratio's, minus 1.
    assert (f"  T{NBSP}: +20,0{NBSP}pp [5,2{NNBSP}; 33,4] (+33{NBSP}% [8{NBSP}%{NNBSP}; "
            f"65{NBSP}%]), p = 0,008 (test z)") in lines  # fmt: skip
    assert f"Contrôle de répartition (khi-deux){NBSP}: p = 0,41 — conforme" in lines
    assert (f"Estimation stratifiée (Mantel–Haenszel), T{NBSP}: +20,0{NBSP}pp "
            f"[5,8{NNBSP}; 34,2] sur 1 strate") in lines  # fmt: skip
    assert f"Note{NBSP}: Une seule strate utilisable{NBSP}: l’estimation stratifiée est la " \
        "différence simple." in lines  # fmt: skip


def test_several_arms_show_holm_and_an_inconclusive_result(app, tmp_path):
    path = units_file(tmp_path, THREE_ARMS, ("scan", "diagnostic"))
    result = run(app, "--units", path, "--metric", "scan")
    assert result.exit_code == 0, result.output
    assert f"témoin{NBSP}: standard" in result.output  # the portal's control wording
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Comparaisons"))
    comparisons = lines[start + 1 : start + 3]
    assert [line.split(NBSP)[0] for line in comparisons] == ["  simplified", "  social-norm"]
    assert len(comparisons) == 2
    for line in comparisons:
        assert ", p Holm = " in line and line.endswith(" — non concluant")


def test_the_json_report_is_report_to_json(app, tmp_path):
    path = units_file(tmp_path, THREE_ARMS, ("scan", "diagnostic"))
    result = run(app, "--units", path, "--metric", "diagnostic", "--alpha", "0.1", "--json")
    assert result.exit_code == 0, result.output
    expected = analyse(THREE_ARMS, "diagnostic", alpha=0.1,
                       arms=["standard", "simplified", "social-norm"]).to_json()  # fmt: skip
    assert json.loads(result.output) == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("unit,arm,scan\nx,a,1\n", [], f"Colonne manquante{NBSP}: stratum"),
        ("unit,arm,stratum,scan\nx,a,s,7\n", [], f"Ligne 2, colonne scan{NBSP}: «{NBSP}7"),
        ("", [], "Le fichier est vide."),
        ("unit,arm,stratum,diagnostic\nx,a,s,1\n", [], "colonnes de mesure présentes"),
        (None, ["--control", "nobody"], f"Le bras témoin «{NBSP}nobody{NBSP}» n’est pas dans le "
         f"fichier{NNBSP}; bras présents{NBSP}: C, T."),
    ],
)  # fmt: skip
def test_bad_files_exit_2_with_the_message(app, tmp_path, content, args, message):
    path = tmp_path / "units.csv"
    if content is None:
        path = Path(units_file(tmp_path))
    else:
        path.write_text(content, encoding="utf-8")
    result = run(app, "--units", str(path), "--metric", "scan", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_file_is_named(app, tmp_path):
    result = run(app, "--units", str(tmp_path / "absent.csv"), "--metric", "scan")
    assert result.exit_code == 2
    assert f"Le fichier {tmp_path / 'absent.csv'} n’existe pas." in result.stderr


def test_the_command_needs_no_database(tmp_path):
    """The installed `portal` command, with a database that does not exist (nor is made)."""
    portal = Path(sys.executable).with_name("portal")
    database = tmp_path / "never.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(  # noqa: S603 (our own installed command)
        [str(portal), "experiments", "analyse", "--units", units_file(tmp_path),
         "--metric", "scan", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["comparisons"][0]["diff"] == pytest.approx(0.2)
    assert not database.exists()
