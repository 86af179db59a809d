"""The letters drawn with ReportLab instead of fpdf2, for the benchmark's comparison only
(ReportLab is not a dependency of the portal: `pip install reportlab==5.1.0` to compare).

The same planned letters (portal.letters.letter, the same worker processes) are drawn: only
the PDF library differs. ReportLab gets its own advantage: the header every letter shares
is one form XObject, drawn by reference on each first page.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from portal.letters.layout import GREY, PAGE_HEIGHT, PAGE_WIDTH, Image, Qr, Text
from portal.letters.letter import Planner
from portal.letters.workers import planned


def render(layout, recipients, out: BinaryIO, workers: int | None = None, on_letter=None) -> int:
    planner = Planner(layout)
    document = Document(planner, layout)
    count = 0
    for recipient, pages in planned(planner, recipients, workers):
        document.letter(pages)
        count += 1
        if on_letter:
            on_letter(recipient, len(pages))
    document.output(out)
    return count


class Document:
    def __init__(self, planner: Planner, layout):
        self.buffer = io.BytesIO()
        self.fonts = {}
        for key, path in planner.fonts.files.items():
            name = f"letter-{key}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            self.fonts[key] = name
        pdf = self.pdf = canvas.Canvas(
            self.buffer, pagesize=(PAGE_WIDTH * mm, PAGE_HEIGHT * mm), pageCompression=1, lang="fr"
        )
        pdf.setTitle(layout.title)
        pdf.setAuthor(layout.sender.collectivite_name)
        self.images = {key: ImageReader(io.BytesIO(data)) for key, data in planner.images.items()}
        pdf.beginForm("header")
        self.draw(planner.header)
        pdf.endForm()

    def letter(self, pages: list[list]) -> None:
        for number, page in enumerate(pages):
            if number == 0:
                self.pdf.doForm("header")
            self.draw(page)
            self.pdf.showPage()

    def draw(self, operations) -> None:
        pdf = self.pdf
        font = None
        for operation in operations:
            kind = type(operation)
            if kind is Text:
                if (operation.font, operation.size) != font:
                    font = (operation.font, operation.size)
                    pdf.setFont(self.fonts[operation.font], operation.size)
                if operation.grey:
                    pdf.setFillGray(GREY / 255)
                y = (PAGE_HEIGHT - operation.y) * mm
                pdf.drawString(operation.x * mm, y, operation.text)
                if operation.grey:
                    pdf.setFillGray(0)
            elif kind is Image:
                y = (PAGE_HEIGHT - operation.y - operation.height) * mm
                pdf.drawImage(self.images[operation.key], operation.x * mm, y,
                              operation.width * mm, operation.height * mm, mask="auto")  # fmt: skip
            elif kind is Qr:
                self.qr(operation)

    def qr(self, qr: Qr) -> None:
        pdf = self.pdf
        pdf.saveState()
        pdf.translate(qr.x * mm, (PAGE_HEIGHT - qr.y) * mm)
        pdf.scale(qr.module * mm, -qr.module * mm)
        path = pdf.beginPath()
        for column, row, length in qr.code.runs:
            path.rect(column, row, length, 1)
        pdf.drawPath(path, stroke=0, fill=1)
        pdf.restoreState()

    def output(self, out: BinaryIO) -> None:
        self.pdf.save()
        out.write(self.buffer.getvalue())
