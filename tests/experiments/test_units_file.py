"""Units files: written and read back; every problem refused with a message naming it; and
`portal experiments analyse` on such a file, as text, as JSON, and refusing bad files."""

from __future__ import annotations

import io
import json

import pytest

from portal.experiments.analysis import analyse
from portal.experiments.table import Unit
from portal.experiments.units_file import UnitsFileError, read_units, write_units

UNITS = [Unit(f"u{i}", "standard" if i % 2 else "simplified", f"campagne {i % 3} × personne",
              {"scan": int(i % 5 == 0), "diagnostic": int(i % 10 == 0)})
         for i in range(400)]  # fmt: skip


def written(units=UNITS, metrics=("scan", "diagnostic")) -> str:
    out = io.StringIO()
    write_units(units, metrics, out)
    return out.getvalue()


def test_written_then_read_gives_the_same_units():
    assert written().splitlines()[0] == "unit,arm,stratum,scan,diagnostic"
    assert read_units(io.StringIO(written()), "scan") == UNITS


def test_semicolons_and_a_bom_are_read():
    text = "\ufeff" + written().replace(",", ";")
    assert read_units(io.BytesIO(text.encode("utf-8")), "scan") == UNITS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "vide"),
        ("unit,arm,scan\nx,a,1\n", "Colonne manquante : stratum"),
        ("unit,arm,stratum\nx,a,s\n", "Aucune colonne de mesure"),
        ("unit,arm,stratum,diagnostic\nx,a,s,1\n", "« scan » n’est pas une colonne"),
        ("unit,arm,stratum,scan\nx,a,s,2\n", "Ligne 2, colonne scan : « 2 »"),
        ("unit,arm,stratum,scan\nx,a,s,oui\n", "au lieu de 0 ou 1"),
        ("unit,arm,stratum,scan\nx,a,s,1\nx,b,s,0\n", "Ligne 3 : l’unité « x » figure déjà"),
        ("unit,arm,stratum,scan\n,a,s,1\n", "colonne unit est vide"),
        ("unit,arm,stratum,scan\nx,a,s\n", "Ligne 2 : 3 colonnes au lieu de 4"),
        ("unit,arm,stratum,scan\n", "aucune ligne"),
        ("unit,arm,stratum,scan,scan\nx,a,s,1,1\n", "Colonne en double : scan"),
    ],
)
def test_bad_files_are_refused_with_the_problem_named(text, message):
    with pytest.raises(UnitsFileError, match=message):
        read_units(io.StringIO(text), "scan")


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("unit,arm,stratum,scan\né,a,s,1\n".encode("latin-1"))
    with pytest.raises(UnitsFileError, match="UTF-8"):
        read_units(path)
    with pytest.raises(UnitsFileError, match="n’existe pas"):
        read_units(tmp_path / "missing.csv")


def test_the_command_prints_the_report_and_its_json(app, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(written(), encoding="utf-8")
    runner = app.test_cli_runner()
    text = runner.invoke(args=["experiments", "analyse", "--units", str(path), "--metric", "scan"])
    assert text.exit_code == 0, text.output
    assert "témoin : standard" in text.output and "Comparaisons avec le témoin" in text.output
    result = runner.invoke(args=["experiments", "analyse", "--units", str(path),
                                 "--metric", "scan", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = analyse(UNITS, "scan", arms=["standard", "simplified"]).to_json()
    assert data == json.loads(json.dumps(expected))
    assert [a["arm"] for a in data["arms"]] == ["standard", "simplified"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("unit,arm,scan\nx,a,1\n", [], "Colonne manquante : stratum"),
        ("unit,arm,stratum,scan\nx,a,s,7\n", [], "au lieu de 0 ou 1"),
        (None, ["--control", "nobody"], "« nobody » n’est pas dans le fichier"),
    ],
)
def test_the_command_refuses_bad_files_without_a_traceback(app, tmp_path, content, args,
                                                           message):  # fmt: skip
    path = tmp_path / "units.csv"
    path.write_text(content or written(), encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["experiments", "analyse", "--units", str(path), "--metric", "scan", *args]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
