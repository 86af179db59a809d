"""`portal import FILE --collectivite SIREN [--dry-run] [--report CSV]`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Housing, Owner
from tests.builders import make_collectivite
from tests.imports.files import ZLV_HEADERS, csv_file, zlv_export, zlv_row

LINES = [
    "581940000001,1940001234,58194,12 rue des Tilleuls,MAISON,84,4,1932,2019,F,Dupont Jeanne,"
    "Particulier,3 av de la Gare",
    "581940000002,,58194,1 place Carnot,APPART,,,,,,,,",
    ",,58194,sans identifiant,MAISON,,,,,,Martin,,",
]


@pytest.fixture
def siren(session):
    collectivite = make_collectivite(session)
    session.commit()
    return collectivite.siren


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_preview_writes_nothing(app, session, siren, tmp_path):
    path = csv_file(tmp_path / "f.csv", LINES, delimiter=";", encoding="latin-1")
    result = app.test_cli_runner().invoke(
        args=["import", str(path), "--collectivite", siren, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "1 to create, 0 to update, 0 unchanged, 2 refused." in result.output
    assert "row 3: refused: unreadable" not in result.output
    assert "row 3: refused: missing owner name" in result.output
    assert "row 4: refused: missing local id" in result.output
    assert "Nothing written" in result.output
    assert count(session, Housing) == 0


def test_confirm_writes_and_reimport_updates(app, session, siren, tmp_path):
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row(), zlv_row("581940000002")])
    runner = app.test_cli_runner()
    args = ["import", str(path), "--collectivite", siren]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged, 0 refused" in first.output
    second = runner.invoke(args=args)
    assert "0 created, 0 updated, 2 unchanged, 0 refused" in second.output
    assert (count(session, Housing), count(session, Owner)) == (2, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.xlsx", b"PK\x03\x04garbage", "is not a readable XLSX workbook"),
        ("e.xlsx", b"ff_idlocal,code_insee\n", "is not an XLSX workbook"),
        ("e.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003 format (.xls)"),
        ("f.csv", b"", "empty"),
        ("f.csv", b"ff_idlocal,code_insee,proprietaire\n", "no housing row"),
        ("f.csv", b"invariant;adresse\n1;2\n", "« ff_idlocal »"),
    ],
)
def test_bad_files_are_refused_clearly(app, session, siren, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["import", str(path), "--collectivite", siren])
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert count(session, Housing) == 0


def test_missing_zlv_columns_are_named(app, siren, tmp_path):
    headers = [h for h in ZLV_HEADERS if h != "Propriétaire destinataire principal"]
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row()], headers=headers)
    result = app.test_cli_runner().invoke(args=["import", str(path), "--collectivite", siren])
    assert result.exit_code == 1
    assert "« Propriétaire destinataire principal »" in result.output


def test_unknown_collectivite(app, tmp_path):
    path = csv_file(tmp_path / "f.csv", LINES)
    result = app.test_cli_runner().invoke(args=["import", str(path), "--collectivite", "1"])
    assert result.exit_code == 2
    assert "no collectivité with SIREN 1" in result.output


def test_nothing_half_written_when_a_write_fails(app, session, siren, tmp_path, monkeypatch):
    from portal.imports import plan

    real = plan.owner_of

    def failing(decision, completions):
        if decision.owner["full_name"] == "FAIL":
            raise RuntimeError("disk full")
        return real(decision, completions)

    monkeypatch.setattr(plan, "owner_of", failing)
    rows = [zlv_row(), zlv_row("581940000002", **{"Propriétaire destinataire principal": "FAIL"})]
    path = zlv_export(tmp_path / "e.xlsx", rows)
    result = app.test_cli_runner().invoke(args=["import", str(path), "--collectivite", siren])
    assert result.exit_code != 0
    assert count(session, Housing) == 0


def test_progress_lines_and_the_report(app, session, siren, tmp_path, monkeypatch):
    from portal.commands import imports as command

    monkeypatch.setattr(command, "PROGRESS_EVERY", 2)
    rows = [zlv_row(f"58194000000{n}") for n in range(1, 5)]
    rows.append(zlv_row("581940000009", **{"Surface (m²)": "=1+1"}))
    path = zlv_export(tmp_path / "e.xlsx", rows)
    report = tmp_path / "report.csv"
    result = app.test_cli_runner().invoke(
        args=["import", str(path), "--collectivite", siren, "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "  … 4 rows written of 4" in result.output
    assert "Imported into" in result.output and "4 created" in result.output
    lines = report.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == "row;action;local id;INSEE code;detail"
    assert lines[-1] == "6;refused;;;formula in surface (paste the values instead of the formulas)"
    assert count(session, Housing) == 4


def test_control_characters_in_a_file_are_dropped_not_fatal(app, session, siren, tmp_path):
    """A NUL (which PostgreSQL refuses in text), an escape sequence or a bidirectional
    override in a cell: dropped from the text, the row imported."""
    line = ("581940000001,1940001234,58194,12 rue\x00 des Tilleuls,MAISON,84,4,1932,2019,F,"
            "Dupont\u202e Jeanne,Particulier,3 av\x1b[31m de la Gare")  # fmt: skip
    path = csv_file(tmp_path / "f.csv", [line])
    result = app.test_cli_runner().invoke(args=["import", str(path), "--collectivite", siren])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    session.expire_all()
    owner, housing = session.scalar(select(Owner)), session.scalar(select(Housing))
    assert owner.full_name == "Dupont Jeanne"
    assert owner.address_lines == ["3 av[31m de la Gare"]
    assert housing.address == "12 rue des Tilleuls"
