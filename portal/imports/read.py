"""Files → rows: each row a `Row` (its line number in the file and its cells by field name).

Two formats, told apart by their content (an XLSX is a ZIP archive):
- ZLV's campaign export ("Télécharger les destinataires"): an XLSX whose sheet "Logements"
  has ZLV's exact headers (ZLV's housingExportController.ts); read with openpyxl in
  read-only mode, row by row.
- A CSV close to LOVAC (columns in `CSV_COLUMNS`, documented in the README): UTF-8 with or
  without BOM, or Latin-1; comma or semicolon, detected from the header line.

File-level problems (not an XLSX, no "Logements" sheet, required columns missing) raise
`ImportFileError` with a message naming what is wrong; row-level problems are left to the
plan. Extra columns are ignored, rows whose cells are all empty are skipped. A cell holding a
formula comes through as a `Formula`, so that the plan refuses its row.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIELDS = (
    "local_id", "invariant", "insee_code", "address", "kind", "living_area", "rooms_count",
    "building_year", "vacancy_start_year", "energy_label", "owner_name", "owner_kind",
    "owner_address",
)  # fmt: skip

ZLV_SHEET = "Logements"
# ZLV's header → our field. Every one of these is in ZLV's campaign export (no owner kind).
ZLV_COLUMNS = {
    "Identifiant fiscal national": "local_id",
    "Identifiant fiscal départemental": "invariant",
    "Code INSEE commune du logement": "insee_code",
    "Adresse LOVAC du logement": "address",
    "Type de logement": "kind",
    "DPE représentatif": "energy_label",
    "Surface (m²)": "living_area",
    "Nombre de pièces": "rooms_count",
    "Année de construction": "building_year",
    "Année de début de vacance": "vacancy_start_year",
    "Propriétaire destinataire principal": "owner_name",
    "Adresse LOVAC du propriétaire": "owner_address",
}
# Read when present: the owner's BAN address stands in for an empty LOVAC one.
ZLV_OPTIONAL = {"Adresse BAN du propriétaire": "owner_ban_address"}
ZLV_REQUIRED = ("Identifiant fiscal national", "Code INSEE commune du logement",
                "Propriétaire destinataire principal")  # fmt: skip

# CSV header (LOVAC's name where LOVAC has one, case-insensitive) → our field.
CSV_COLUMNS = {
    "ff_idlocal": "local_id",
    "invariant": "invariant",
    "code_insee": "insee_code",
    "adresse": "address",
    "nature": "kind",
    "ff_stoth": "living_area",
    "ff_npiece_p2": "rooms_count",
    "ff_jannath": "building_year",
    "debutvacance": "vacancy_start_year",
    "dpe": "energy_label",
    "proprietaire": "owner_name",
    "proprietaire_type": "owner_kind",
    "proprietaire_adresse": "owner_address",
}
CSV_REQUIRED = ("ff_idlocal", "code_insee", "proprietaire")

MAX_ROWS = 200_000  # more is refused: a file this long is not a collectivité's


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for a person."""


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula (never evaluated, never imported)."""

    text: str


@dataclass(frozen=True)
class Row:
    number: int  # the line in the file (the header is line 1)
    cells: dict[str, Any]


@dataclass
class Table:
    format: str  # "zlv-xlsx" or "csv"
    rows: Iterator[Row]
    ignored_columns: list[str]


def open_table(path: str | Path) -> Table:
    """The file's rows, after its header has been checked (raises `ImportFileError`)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            start = file.read(4)
    except OSError as error:
        raise ImportFileError(f"Cannot read {path.name}: {error.strerror}.") from None
    if start.startswith(b"PK"):
        return _open_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise ImportFileError(f"{path.name} is not an XLSX file (an Excel 2007+ workbook).")
    return _open_csv(path)


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(f"{path.name} is not a readable XLSX file ({error}).") from None
    except Exception as error:  # openpyxl's own InvalidFileException and friends
        raise ImportFileError(f"{path.name} is not a readable XLSX file ({error}).") from None
    if ZLV_SHEET not in workbook.sheetnames:
        names = ", ".join(f"« {n} »" for n in workbook.sheetnames)
        workbook.close()
        raise ImportFileError(
            f"{path.name} has no sheet « {ZLV_SHEET} » (ZLV's campaign export has one); "
            f"its sheets: {names}."
        )
    rows = workbook[ZLV_SHEET].iter_rows()
    try:
        header_cells = next(rows, ())
    except Exception as error:
        workbook.close()
        raise ImportFileError(f"{path.name}: the sheet cannot be read ({error}).") from None
    header = [_header_text(c.value) for c in header_cells]
    columns = ZLV_COLUMNS | ZLV_OPTIONAL
    missing = [h for h in ZLV_REQUIRED if h not in header]
    if missing:
        workbook.close()
        raise ImportFileError(_missing_message(path, missing, ZLV_SHEET))
    positions = {i: columns[h] for i, h in enumerate(header) if h in columns}
    ignored = [h for h in header if h and h not in columns]

    def generate() -> Iterator[Row]:
        try:
            yield from _rows(path, enumerate(rows, start=2), positions, _xlsx_value)
        finally:
            workbook.close()

    return Table("zlv-xlsx", generate(), ignored)


def _rows(path: Path, numbered, positions: dict[int, str], to_value) -> Iterator[Row]:
    """The file's rows, as (row number, cells) pairs, with the cells of the columns read."""
    for number, cells in numbered:
        if number > MAX_ROWS + 1:
            raise ImportFileError(f"{path.name} has more than {MAX_ROWS} rows.")
        values = {positions[i]: to_value(cell) for i, cell in enumerate(cells) if i in positions}
        row = _row(number, values)
        if row is not None:
            yield row


def _xlsx_value(cell) -> Any:
    value = cell.value
    is_formula = getattr(cell, "data_type", None) == "f"
    if is_formula or (isinstance(value, str) and value.startswith("=")):
        return Formula(str(value))
    return value


def _open_csv(path: Path) -> Table:
    encoding = _detect_encoding(path)
    file = path.open(encoding=encoding, newline="")
    first = file.readline()
    if not first.strip():
        file.close()
        raise ImportFileError(f"{path.name} is empty or has no header line.")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    file.seek(0)
    reader = csv.reader(file, delimiter=delimiter)
    header = [_header_text(h).lower() for h in next(reader)]
    missing = [h for h in CSV_REQUIRED if h not in header]
    if missing:
        file.close()
        raise ImportFileError(_missing_message(path, missing))
    positions = {i: CSV_COLUMNS[h] for i, h in enumerate(header) if h in CSV_COLUMNS}
    ignored = [h for h in header if h and h not in CSV_COLUMNS]

    def generate() -> Iterator[Row]:
        numbered = ((reader.line_num, cells) for cells in reader)  # the line each row ends on
        try:
            yield from _rows(path, numbered, positions, _csv_value)
        except csv.Error as error:
            raise ImportFileError(f"{path.name}, line {reader.line_num}: {error}.") from None
        finally:
            file.close()

    return Table("csv", generate(), ignored)


def _detect_encoding(path: Path) -> str:
    """UTF-8 ("utf-8-sig": with or without BOM) when the whole file decodes so, else Latin-1.
    Read in chunks: a large file is never held in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig"


def _csv_value(text: str) -> Any:
    text = text.strip()
    if text.startswith(("=", "@")) or (text[:1] in "+-" and text[1:2].isalpha()):
        return Formula(text)
    return text


def _header_text(value: Any) -> str:
    return str(value).strip().lstrip("\ufeff") if value is not None else ""


def _row(number: int, values: dict[str, Any]) -> Row | None:
    """The row, or None when every cell we read is empty."""
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
        return None
    return Row(number, values)


def _missing_message(path: Path, missing: list[str], sheet: str | None = None) -> str:
    where = f"{path.name}, sheet « {sheet} »" if sheet else path.name
    names = ", ".join(f"« {m} »" for m in missing)
    return f"{where}: required column(s) missing: {names}."
