"""The queue's answers as a spreadsheet (CSV or XLSX): the file formats.

The columns and what goes in them (Zéro Logement Vacant's "Logements" columns, then the
portal's own) are in `portal.backoffice.export_columns`; this module writes them.

Spreadsheet formula injection (OWASP ASVS 1.2.10, CSV injection): every text
cell of both formats, headers included, goes through `neutralised`, which drops the control
characters a spreadsheet cannot hold and puts an apostrophe before a text starting with
= + - @, a tab or a carriage return. French phone numbers are written in national form
("06 12 34 56 78"): no leading "+", so no apostrophe, and the spaces keep Excel from turning
them into a number without its 0; a foreign number keeps its "+" and gets the apostrophe.
Numbers (surface, rooms, years) are numbers, never neutralised; dates are the collectivité's
wall-clock time.

The CSV is UTF-8 with a byte order mark, separated by ";" (French Excel), quoted as RFC 4180
says, and produced row by row. The XLSX is written by openpyxl in write-only mode to a
spooled temporary file (memory up to 8 MB, disk beyond), every text cell typed as a string,
so that openpyxl never writes one as a formula. Its one sheet is named as ZLV names it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from tempfile import SpooledTemporaryFile
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portal import clock
from portal.backoffice.export_columns import Cell
from portal.bounds import without_control_characters

PARIS = ZoneInfo("Europe/Paris")
SHEET = "Logements"  # ZLV's sheet name

# What may start a formula (=, +, -, @) or hide one after a tab or a carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralised(text: str) -> str:
    """The text as a spreadsheet cell must hold it: without control characters, and with an
    apostrophe in front when a spreadsheet could read it as a formula. The one place both
    formats go through."""
    text = without_control_characters(text)  # XML 1.0 cannot carry them, nor should a CSV
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- CSV ---------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def csv_chunks(headers: list[str], rows: Iterable[list[Cell]], every: int = 100
               ) -> Iterator[bytes]:  # fmt: skip
    """The CSV file, a few rows at a time: UTF-8 with a BOM, ";", RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)  # fmt: skip
    writer.writerow([_csv_text(header) for header in headers])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % every == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_cell(sheet, value: Cell):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    cell = WriteOnlyCell(sheet, value=neutralised(str(value)))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell


def xlsx_file(headers: list[str], rows: Iterable[list[Cell]]) -> SpooledTemporaryFile:
    """The XLSX file, rewound, in a spooled temporary file (the caller closes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    spool = SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by file_chunks)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes, a piece at a time, closing it at the end."""
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


def exported_at() -> datetime:
    return clock.now().astimezone(PARIS)
