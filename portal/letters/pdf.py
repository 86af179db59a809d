"""A campaign's letters as one A4 PDF, one letter (one or more pages) per recipient.

Pure: no Flask, no database. The caller gives the layout (sender, signatories, the subject
and body templates with their merge fields) and the recipients, as an iterable that may be
long; `render()` writes the PDF to a binary file and says how many letters it holds.

Planning a letter (merge, line breaks, the QR code) is `portal.letters.letter`'s, in
worker processes for a large campaign on a machine with cores to spare
(`portal.letters.workers`); drawing is fpdf2's, in this process. fpdf2 was chosen against
ReportLab by `bench/bench_letters.py`: 10,000 letters on two cores shared with other work
took 41 to 50 s, 35 s of CPU and 222 MB with fpdf2; 95 to 102 s, 72 s and 273 MB with
ReportLab drawing the same planned letters (even with its header as one form XObject).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from fpdf import FPDF, ViewerPreferences

from portal.letters.inputs import Layout, Recipient, Sender, Signatory
from portal.letters.layout import GREY, PAGE_HEIGHT, Fonts, Image, Qr, Text
from portal.letters.letter import Planner
from portal.letters.workers import planned

__all__ = ["Layout", "Recipient", "Sender", "Signatory", "render"]

PROGRESS_EVERY = 100  # letters between two calls of `progress`


def render(
    layout: Layout,
    recipients: Iterable[Recipient],
    out: BinaryIO,
    progress: Callable[[int], None] | None = None,
    *,
    on_letter: Callable[[Recipient, int], None] | None = None,
    workers: int | None = None,
    fonts: Path | None = None,
    variants: Mapping[str, Layout] | None = None,
) -> int:
    """Write the letters to `out` and return their number.

    `progress(n)` is called every 100 letters and at the end; `on_letter(recipient, pages)`
    after each letter (the recipients CSV notes the page counts). `workers`: processes that
    plan letters (None: chosen from the machine, 0: none). The template must pass
    `merge.check()`: else TemplateError, before anything is written. `variants`: other
    wordings (the same sender, logo and signatories), by name; a recipient whose `variant`
    names one prints it (such a campaign is planned in this process).
    """
    planner = Planner(layout, Fonts(fonts) if fonts else None)
    document = Document(planner, layout)
    count = 0
    if variants:
        planners = {name: Planner(other, planner.fonts) for name, other in variants.items()}
        letters = ((r, planners.get(r.variant, planner).plan(r)) for r in recipients)
    else:
        letters = planned(planner, recipients, workers)
    for recipient, pages in letters:
        document.letter(pages)
        count += 1
        if on_letter:
            on_letter(recipient, len(pages))
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress and count % PROGRESS_EVERY:
        progress(count)
    document.output(out)
    return count


class Document:
    """The fpdf2 document the letters are drawn in."""

    def __init__(self, planner: Planner, layout: Layout):
        self.planner = planner
        pdf = self.pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        self.font_names = {}
        for key, path in planner.fonts.files.items():
            pdf.add_font(f"letter-{key}", "", str(path))
            self.font_names[key] = f"letter-{key}"
        for font in pdf.fonts.values():
            font.ttfont.recalcBBoxes = False  # already right in the files: saves time
        pdf.set_title(layout.title or layout.sender.collectivite_name)
        pdf.set_lang("fr")
        pdf.set_author(layout.sender.collectivite_name)
        pdf.set_creator("Portail propriétaires")
        pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.images = {key: io.BytesIO(data) for key, data in planner.images.items()}
        self.font = None
        self.encoded: dict[tuple[str, str], str] = {}

    def letter(self, pages: list[list]) -> None:
        for number, page in enumerate(pages):
            self.pdf.add_page()
            self.font = None
            if number == 0:
                self.draw(self.planner.header)
            self.draw(page)

    def draw(self, operations: list) -> None:
        pdf = self.pdf
        for operation in operations:
            kind = type(operation)
            if kind is Text:
                font = (operation.font, operation.size)
                if font != self.font:
                    pdf.set_font(self.font_names[operation.font], size=operation.size)
                    self.font = font
                self.text(operation)
            elif kind is Image:
                image = self.images[operation.key]
                x, y, w, h = operation.x, operation.y, operation.width, operation.height
                pdf.image(image, x, y, w, h)
            elif kind is Qr:
                self.qr(operation)

    def text(self, text: Text) -> None:
        """fpdf2's `text()`, each line's encoding in the font's subset remembered: most lines
        are the same in every letter of a campaign (a fifth of the drawing time saved)."""
        pdf = self.pdf
        if not pdf.current_font_is_set_on_page:
            pdf._out(pdf._set_font_for_page(pdf.current_font, pdf.font_size_pt))
        key = (text.font, text.text)
        encoded = self.encoded.get(key)
        if encoded is None:
            if len(self.encoded) > 4096:  # the lines of one letter only are not worth keeping
                self.encoded.clear()
            encoded = self.encoded[key] = pdf.current_font.encode_text(text.text)
        k = pdf.k
        line = f"BT {text.x * k:.2f} {(PAGE_HEIGHT - text.y) * k:.2f} Td {encoded} ET"
        pdf._out(f"q {GREY / 255:.3f} g {line} Q" if text.grey else line)

    def qr(self, qr: Qr) -> None:
        """The QR code as one filled path of rectangles, in module units (fpdf2 has no
        public call for a path this size that is not an object per rectangle)."""
        k = self.pdf.k
        scale = qr.module * k
        rectangles = " ".join(
            f"{column} {row} {length} 1 re" for column, row, length in qr.code.runs
        )
        origin = f"{qr.x * k:.2f} {(PAGE_HEIGHT - qr.y) * k:.2f}"
        self.pdf._out(f"q 0 g {scale:.4f} 0 0 {-scale:.4f} {origin} cm {rectangles} f Q")

    def output(self, out: BinaryIO) -> None:
        out.write(self.pdf.output())
