"""The recipients file for a mailing house: one row per letter, in the PDF's order.

CSV as French spreadsheets open it without asking: UTF-8 with a byte order mark, semicolons.
The address lines are those printed in the envelope's window (`portal.letters.address`),
line 1 the addressee; `pages` and `première page` say where each letter starts in the PDF
(a letter may run to two pages). A cell that a spreadsheet would take for a formula
(= + - @ at its start) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
from typing import TextIO

from portal.letters.address import MAX_LINES, postal_block

HEADERS = ["référence", "nom", *(f"adresse ligne {n}" for n in range(1, MAX_LINES + 1)),
           "pages", "première page"]  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RecipientsCsv:
    """Rows written as letters are laid out: pass `add` as `render(..., on_letter=add)`."""

    def __init__(self, out: TextIO):
        """`out`: a text file opened with newline="" (the csv module's line endings)."""
        out.write("\ufeff")
        self.writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        self.writer.writerow(HEADERS)
        self.count, self.next_page = 0, 1

    def add(self, recipient, pages: int) -> None:
        self.count += 1
        lines = postal_block(recipient.owner_name, recipient.address_lines).lines
        lines = (lines + [""] * MAX_LINES)[:MAX_LINES]
        reference = recipient.reference or str(self.count)
        row = [reference, recipient.owner_name, *lines, pages, self.next_page]
        self.writer.writerow([_safe(cell) for cell in row])
        self.next_page += pages


def _safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell
