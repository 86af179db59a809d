"""The mailing house's file: one row per letter, as French spreadsheets open it."""

from __future__ import annotations

import csv
import io

from portal.letters.pdf import render
from portal.letters.recipients import HEADERS, RecipientsCsv
from tests.letters.samples import layout, recipient


def test_one_row_per_letter_with_its_pages_and_where_it_starts():
    long_body = "\n\n".join(["Une phrase assez longue pour remplir la page. " * 12] * 12)
    recipients = [
        recipient(1),
        recipient(2, owner_name="=HYPERLINK(\"x\")", reference=""),
        recipient(3, address_lines=("APPARTEMENT 4", "12 AVENUE DU MARECHAL DE LATTRE DE "
                                    "TASSIGNY", "58000 NEVERS", "FRANCE")),
    ]  # fmt: skip
    text = io.StringIO(newline="")
    rows = RecipientsCsv(text)
    render(layout(body=long_body + "\n\n{{letter.qrCode}}"), recipients, io.BytesIO(),
           on_letter=rows.add)  # fmt: skip
    content = text.getvalue()
    assert content.startswith("\ufeffréférence;nom;adresse ligne 1;")
    table = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert table[0] == HEADERS
    assert HEADERS[-2:] == ["pages", "première page"]
    assert len(table) == 4 and all(len(row) == len(HEADERS) for row in table)
    first, second, third = table[1:]
    assert first[:5] == ["L0001", "Jeanne Martin 1", "Jeanne Martin 1", "1 rue des Tilleuls",
                         "58000 DEMOVILLE"]  # fmt: skip
    pages = int(first[-2])
    assert pages >= 2 and first[-1] == "1"
    assert second[0] == "2" and second[1] == '\'=HYPERLINK("x")'  # no formula in a spreadsheet
    assert second[-1] == str(1 + pages)
    assert third[2:8] == ["Jeanne Martin 3", "APPARTEMENT 4", "12 AV DU MAL DE LATTRE DE TASSIGNY",
                          "58000 NEVERS", "", ""]  # fmt: skip
    assert content.count("\r\n") == 4
