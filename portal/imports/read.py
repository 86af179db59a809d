"""Files → rows: each row a `Row` (its line number in the file and its cells by field name).

Two formats, told apart by their content (an XLSX is a ZIP archive):
- ZLV's campaign export ("Télécharger les destinataires"): an XLSX whose sheet "Logements"
  has ZLV's exact headers (ZLV's housingExportController.ts); read with openpyxl in
  read-only mode, row by row.
- A CSV close to LOVAC (columns in `CSV_COLUMNS`, documented in the README): UTF-8 with or
  without BOM, or Latin-1; comma or semicolon, detected from the header line.

When the XLSX also has ZLV's sheet "Propriétaires", `open_owner_sheet` reads it (after
the housings: see portal/imports/run.py for what it completes).

File-level problems (not an XLSX, no "Logements" sheet, required columns missing) raise
`ImportFileError` with a code naming what is wrong (worded by messages.py); row-level
problems are left to validate.py and plan.py. Extra columns are ignored, rows whose cells
are all empty are skipped. A cell holding a formula comes through as a `Formula`, so that
its row is refused.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.imports.xlsx import Workbook

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
# ZLV's second sheet: one row per owner, the owner columns of "Logements" without
# "Localisation du propriétaire" (ZLV's campaign export). No housing key, no owner kind.
ZLV_OWNER_SHEET = "Propriétaires"
ZLV_OWNER_COLUMNS = {
    "Propriétaire destinataire principal": "owner_name",
    "Adresse LOVAC du propriétaire": "owner_address",
    "Adresse BAN du propriétaire": "owner_ban_address",
    "Numéro": "owner_street_number",
    "Voie": "owner_street",
    "Code postal": "owner_postal_code",
    "Commune": "owner_city",
    "Complément d’adresse du propriétaire": "owner_additional_address",
}
ZLV_OWNER_REQUIRED = ("Propriétaire destinataire principal",)

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
    """The file as a whole cannot be read: `code` says why (portal/imports/messages.py
    words it for a person), `params` the details (the file's name, the missing columns)."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params


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
    total: int | None = None  # the rows announced by the file (empty ones included), if known
    owner_sheet: bool = False  # an XLSX with ZLV's "Propriétaires" sheet (open_owner_sheet)
    closer: Callable[[], None] | None = None

    def close(self) -> None:
        """Close the file when its rows are not read to the end (reading them closes it)."""
        self.rows.close()
        if self.closer is not None:
            self.closer()


def open_table(path: str | Path, name: str | None = None) -> Table:
    """The file's rows, after its header has been checked (raises `ImportFileError`).
    `name`: the file's name as its owner knows it (an upload is stored under another)."""
    path = Path(path)
    name = name or path.name
    try:
        with path.open("rb") as file:
            start = file.read(4)
    except OSError:
        raise ImportFileError("unreadable", name=name) from None
    if not start:
        raise ImportFileError("empty", name=name)
    if start.startswith(b"PK"):
        return _open_xlsx(path, name)
    if start == b"\xd0\xcf\x11\xe0":  # the Excel 97-2003 format (.xls)
        raise ImportFileError("xls", name=name)
    if Path(name).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise ImportFileError("not-xlsx", name=name)
    return _open_csv(path, name)


def _workbook(path: Path, name: str) -> Workbook:
    try:
        return Workbook(path)
    except ValueError:
        raise ImportFileError("bad-xlsx", name=name) from None


def _sheet_rows(path: Path, name: str, sheet: str, columns: dict[str, str],
                required: tuple[str, ...]):  # fmt: skip
    """(workbook, numbered rows, positions, ignored headers) of a sheet whose header holds
    the `required` columns."""
    workbook = _workbook(path, name)
    if sheet not in workbook.sheetnames:
        names = ", ".join(f"«\u00a0{n}\u00a0»" for n in workbook.sheetnames)
        workbook.close()
        raise ImportFileError("no-sheet", name=name, sheet=sheet, sheets=names)
    rows = workbook.rows(sheet)
    try:
        _number, header_cells = next(rows, (1, {}))
    except Exception:
        workbook.close()
        raise ImportFileError("bad-sheet", name=name, sheet=sheet) from None
    width = max(header_cells, default=-1) + 1
    header = [_header_text(header_cells[i]["value"]) if i in header_cells else ""
              for i in range(width)]  # fmt: skip
    missing = [h for h in required if h not in header]
    if missing:
        workbook.close()
        raise ImportFileError("missing-columns", name=name, sheet=sheet,
                              columns=", ".join(f"«\u00a0{m}\u00a0»" for m in missing))  # fmt: skip
    positions = {i: columns[h] for i, h in enumerate(header) if h in columns}
    ignored = [h for h in header if h and h not in columns]
    return workbook, rows, positions, ignored, workbook.max_row(sheet)


def _open_xlsx(path: Path, name: str) -> Table:
    workbook, numbered, positions, ignored, max_row = _sheet_rows(
        path, name, ZLV_SHEET, ZLV_COLUMNS | ZLV_OPTIONAL, ZLV_REQUIRED
    )
    has_owners = ZLV_OWNER_SHEET in workbook.sheetnames

    def generate() -> Iterator[Row]:
        try:
            yield from _rows(name, numbered, positions, _xlsx_value, ZLV_SHEET)
        finally:
            workbook.close()

    total = max_row - 1 if isinstance(max_row, int) and max_row > 1 else None
    return Table("zlv-xlsx", generate(), ignored, total, has_owners, workbook.close)


def open_owner_sheet(path: str | Path, name: str | None = None) -> Iterator[Row]:
    """The rows of ZLV's "Propriétaires" sheet (one per owner; the same owner columns as
    "Logements", with no housing key and no owner kind): fields owner_name,
    owner_address, owner_ban_address, owner_street_number, owner_street,
    owner_postal_code, owner_city, owner_additional_address."""
    path = Path(path)
    name = name or path.name
    workbook, numbered, positions, _ignored, _max = _sheet_rows(
        path, name, ZLV_OWNER_SHEET, ZLV_OWNER_COLUMNS, ZLV_OWNER_REQUIRED
    )
    try:
        yield from _rows(name, numbered, positions, _xlsx_value, ZLV_OWNER_SHEET)
    finally:
        workbook.close()


def _rows(name: str, numbered, positions: dict[int, str], to_value,
          sheet: str | None = None) -> Iterator[Row]:  # fmt: skip
    """The file's rows, from (row number, cells) pairs (cells: a list, or a dict by column
    index), with the cells of the columns read."""
    try:
        for count, (number, cells) in enumerate(numbered, start=1):
            if count > MAX_ROWS:
                raise ImportFileError("too-many-rows", name=name, max=MAX_ROWS)
            items = cells.items() if isinstance(cells, dict) else enumerate(cells)
            values = {positions[i]: to_value(c) for i, c in items if i in positions}
            row = _row(number, values)
            if row is not None:
                yield row
    except (ImportFileError, GeneratorExit):
        raise
    except csv.Error as error:
        raise ImportFileError("bad-csv", name=name, error=str(error)) from None
    except Exception:  # a damaged sheet: openpyxl's XML parser, zipfile
        if sheet is None:
            raise
        raise ImportFileError("bad-sheet", name=name, sheet=sheet) from None


def _xlsx_value(cell: dict) -> Any:
    value = cell["value"]
    if cell["data_type"] == "f" or (isinstance(value, str) and value.startswith("=")):
        return Formula(str(value))
    return value


def _open_csv(path: Path, name: str) -> Table:
    encoding = _detect_encoding(path)
    file = path.open(encoding=encoding, newline="")
    first = file.readline()
    if not first.strip():
        file.close()
        raise ImportFileError("empty", name=name)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    total = _count_records(file, delimiter)
    file.seek(0)
    reader = csv.reader(file, delimiter=delimiter)
    header = [_header_text(h).lower() for h in next(reader)]
    missing = [h for h in CSV_REQUIRED if h not in header]
    if missing:
        file.close()
        raise ImportFileError("missing-columns", name=name, sheet=None,
                              columns=", ".join(f"«\u00a0{m}\u00a0»" for m in missing))  # fmt: skip
    positions = {i: CSV_COLUMNS[h] for i, h in enumerate(header) if h in CSV_COLUMNS}
    ignored = [h for h in header if h and h not in CSV_COLUMNS]

    def generate() -> Iterator[Row]:
        # Numbered as a spreadsheet shows them: the header is row 1 (a cell may hold line
        # breaks: a row is a record, not a line of the file).
        try:
            yield from _rows(name, enumerate(reader, start=2), positions, _csv_value)
        except ImportFileError as error:
            if error.code == "bad-csv":
                error.params["line"] = reader.line_num
            raise
        finally:
            file.close()

    return Table("csv", generate(), ignored, total, closer=file.close)


def _count_records(file, delimiter: str) -> int | None:
    """The records after the header (None if the file is malformed: reading it says where)."""
    file.seek(0)
    try:
        return max(sum(1 for _ in csv.reader(file, delimiter=delimiter)) - 1, 0)
    except csv.Error:
        return None


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
