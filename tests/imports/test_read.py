"""portal.imports.read: files → rows, and clear refusals of files that cannot be read."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import Workbook

from portal.imports.read import Formula, ImportFileError, open_table
from tests.imports.files import ZLV_HEADERS, csv_file, zlv_export, zlv_row

LINE = (
    "581940000001,1940001234,58194,12 rue des Tilleuls,MAISON,84,4,1932,2019,F,Dupont Jeanne,"
    "Particulier,3 av de la Gare"
)


def test_zlv_export_gives_its_rows_by_field(tmp_path):
    path = zlv_export(tmp_path / "export.xlsx", [zlv_row(), zlv_row("581940000002")])
    table = open_table(path)
    rows = list(table.rows)
    assert table.format == "zlv-xlsx"
    assert [r.number for r in rows] == [2, 3]
    cells = rows[0].cells
    assert cells["local_id"] == "581940000001"
    assert cells["insee_code"] == "58194"
    assert cells["owner_name"] == "DUPONT JEANNE"
    assert cells["address"] == "12 RUE DES TILLEULS\n58000 NEVERS"
    assert "Statut" in table.ignored_columns  # extra columns are ignored


def test_zlv_export_skips_empty_rows_and_marks_formulas(tmp_path):
    rows = [zlv_row(), {}, zlv_row("581940000002", **{"Surface (m²)": "=A2*2"})]
    table = open_table(zlv_export(tmp_path / "export.xlsx", rows))
    read = list(table.rows)
    assert [r.number for r in read] == [2, 4]
    assert read[1].cells["living_area"] == Formula("=A2*2")


def test_zlv_export_missing_columns_are_named(tmp_path):
    headers = [h for h in ZLV_HEADERS if h != "Code INSEE commune du logement"]
    path = zlv_export(tmp_path / "export.xlsx", [zlv_row()], headers=headers)
    with pytest.raises(ImportFileError) as raised:
        open_table(path)
    assert raised.value.code == "missing-columns"
    assert raised.value.params["columns"] == "« Code INSEE commune du logement »"
    assert raised.value.params["sheet"] == "Logements"


def test_a_workbook_without_the_logements_sheet_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.title = "Feuil1"
    workbook.save(tmp_path / "other.xlsx")
    with pytest.raises(ImportFileError) as raised:
        open_table(tmp_path / "other.xlsx")
    assert (raised.value.code, raised.value.params["sheets"]) == ("no-sheet", "« Feuil1 »")


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"PK\x03\x04 not really a zip", "bad-xlsx"), (b"hello, world\n", "not-xlsx"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old Excel", "xls"), (b"", "empty")],
)  # fmt: skip
def test_an_xlsx_that_is_not_one_is_refused(tmp_path, content, code):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as raised:
        open_table(path)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("latin-1", ";"), ("latin-1", ",")],
)
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    line = LINE.replace("Dupont Jeanne", "Hélène Légaré")
    path = csv_file(tmp_path / "f.csv", [line, ""], delimiter=delimiter, encoding=encoding)
    rows = list(open_table(path).rows)
    assert len(rows) == 1  # the empty line is skipped
    assert rows[0].cells["owner_name"] == "Hélène Légaré"
    assert rows[0].cells["local_id"] == "581940000001"


def test_csv_headers_are_case_insensitive_and_extra_columns_ignored(tmp_path):
    from tests.imports.files import CSV_HEADER

    path = csv_file(tmp_path / "f.csv", [LINE + ",x"], header=CSV_HEADER.upper() + ",autre")
    table = open_table(path)
    assert next(table.rows).cells["insee_code"] == "58194"
    assert table.ignored_columns == ["autre"]


def test_csv_missing_columns_are_named(tmp_path):
    path = csv_file(tmp_path / "f.csv", ["1,2"], header="invariant,adresse")
    with pytest.raises(ImportFileError) as raised:
        open_table(path)
    assert raised.value.params["columns"] == "« ff_idlocal », « code_insee », « proprietaire »"


def test_csv_formulas_are_marked(tmp_path):
    line = LINE.replace("Dupont Jeanne", '=HYPERLINK("http://x")')
    row = next(open_table(csv_file(tmp_path / "f.csv", [line])).rows)
    assert isinstance(row.cells["owner_name"], Formula)


def test_empty_csv_is_refused(tmp_path):
    (tmp_path / "f.csv").write_bytes(b"")
    with pytest.raises(ImportFileError) as raised:
        open_table(tmp_path / "f.csv")
    assert raised.value.code == "empty"


def test_dates_stay_values(tmp_path):
    row = zlv_row(**{"Année de début de vacance": datetime(2018, 5, 1)})
    cells = next(open_table(zlv_export(tmp_path / "e.xlsx", [row])).rows).cells
    assert cells["vacancy_start_year"] == datetime(2018, 5, 1)


def test_the_number_of_rows_is_announced(tmp_path):
    rows = [zlv_row(f"58194000000{i}") for i in range(3)]
    assert open_table(zlv_export(tmp_path / "e.xlsx", rows)).total == 3
    assert open_table(csv_file(tmp_path / "f.csv", [LINE, LINE])).total == 2


def test_the_owner_sheet_is_read_by_its_headers(tmp_path):
    from portal.imports.read import open_owner_sheet

    path = zlv_export(tmp_path / "e.xlsx", [zlv_row()])
    assert open_table(path).owner_sheet is True
    (row,) = open_owner_sheet(path)
    assert row.cells["owner_name"] == "DUPONT JEANNE"
    assert row.cells["owner_address"] == "3 AV DE LA GARE\n44000 NANTES"
    assert row.cells["owner_postal_code"] == "44000"


def test_a_table_closed_unread_closes_its_file(tmp_path):
    table = open_table(csv_file(tmp_path / "f.csv", [LINE]))
    table.close()
    assert table.closer.__self__.closed


def test_csv_rows_are_records_numbered_as_a_spreadsheet_shows_them(tmp_path):
    lines = ['581940000001,,58194,"12 rue des Tilleuls\n58000 Nevers",,,,,,,Dupont,,',
             "581940000002,,58194,1 place Carnot,,,,,,,Martin,,"]  # fmt: skip
    table = open_table(csv_file(tmp_path / "f.csv", lines))
    assert table.total == 2
    assert [row.number for row in table.rows] == [2, 3]


def test_xlsx_rows_keep_their_numbers_in_the_sheet(tmp_path):
    rows = [zlv_row(), {}, {}, zlv_row("581940000002")]
    assert [r.number for r in open_table(zlv_export(tmp_path / "e.xlsx", rows)).rows] == [2, 5]
