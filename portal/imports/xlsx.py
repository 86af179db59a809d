"""XLSX sheets read row by row in constant memory, on top of openpyxl's read-only parts.

openpyxl's read-only mode streams a sheet's XML, but two things grow with the rows:
- when a sheet has no <dimension> element (files written in streaming mode: openpyxl's
  write-only mode, ExcelJS's stream writer that ZLV's export uses), opening the workbook
  parses every sheet to the end to find its size: as long as reading it, before any row is
  read (`_size_from_header` stops at <sheetData> instead);
- the row elements it has parsed and cleared stay attached to <sheetData> (about 85 bytes a
  row: 8 MB per 100,000 rows, bench/bench_import.py); `sheet_rows` detaches each row once
  read.
Cells are parsed by openpyxl's own WorkSheetParser (shared or inline strings, numbers,
dates, formulas), as its ReadOnlyWorksheet does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def _size_from_header(worksheet) -> None:
    """openpyxl's ReadOnlyWorksheet._get_size, reading the sheet only up to <sheetData>
    (where <dimension> must come, if anywhere)."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    source = worksheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                (worksheet._min_column, worksheet._min_row, worksheet._max_column,
                 worksheet._max_row) = boundaries  # fmt: skip
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


class Workbook:
    """An openpyxl workbook in read-only mode, read from our own file handle (so that a
    stored upload needs no ".xlsx" in its name), closed with it. Raises ValueError when
    the file is no readable workbook."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        ReadOnlyWorksheet._get_size = _size_from_header  # see the module's docstring
        self.file = path.open("rb")
        try:
            self.book = load_workbook(self.file, read_only=True, data_only=False)
        except Exception as error:  # zipfile's, openpyxl's InvalidFileException, KeyError…
            self.file.close()
            raise ValueError(str(error)) from None
        self.sheetnames = self.book.sheetnames

    def max_row(self, sheet: str) -> int | None:
        """The sheet's last row as its <dimension> gives it (None without one)."""
        return self.book[sheet].max_row

    def rows(self, sheet: str) -> Iterator[tuple[int, dict[int, dict]]]:
        """(row number, {column index from 0: openpyxl's cell dict}) for each row present in
        the sheet's XML, in order; cells absent from the XML are absent from the dict."""
        from openpyxl.worksheet._reader import DATA_TAG, ROW_TAG, WorkSheetParser
        from openpyxl.xml.functions import iterparse

        worksheet, book = self.book[sheet], self.book
        with worksheet._get_source() as source:
            parser = WorkSheetParser(source, worksheet._shared_strings, data_only=False,
                                     epoch=book.epoch, date_formats=book._date_formats,
                                     timedelta_formats=book._timedelta_formats)  # fmt: skip
            data = None
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    if element.tag == DATA_TAG:
                        data = element
                    continue
                if element.tag != ROW_TAG:
                    continue
                number, cells = parser.parse_row(element)
                parser.row_dimensions.clear()
                if data is not None:
                    data.remove(element)  # the rows read are let go (module docstring)
                element.clear()
                yield number, {cell["column"] - 1: cell for cell in cells}

    def close(self) -> None:
        self.book.close()
        self.file.close()
