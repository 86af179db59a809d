"""One letter planned as pages of drawing operations (see `portal.letters.layout`).

`Planner` is built once per campaign and is picklable, so that worker processes can plan
letters while the main process draws them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portal.letters import merge
from portal.letters.address import postal_block
from portal.letters.codes import format_code
from portal.letters.layout import (
    ADDRESS,
    ADDRESS_SIZES,
    BODY,
    BODY_LINE,
    BOTTOM,
    BULLET_INDENT,
    CODE_SIZE,
    CONTINUATION_TOP,
    DATE_ONLY,
    DATE_TOP,
    KEEP_TOGETHER,
    LEFT,
    LOGO,
    PAGE_HEIGHT,
    PARAGRAPH_GAP,
    PHONE_LABEL,
    PLACE_AND_DATE,
    PORTAL_SIZE,
    QR_GAP,
    QR_SIZE,
    RIGHT,
    SENDER,
    SIGNATORIES_GAP,
    SIGNATORY_COLUMNS,
    SIGNATURE,
    SUBJECT_LABEL,
    SUBJECT_TOP,
    TIGHTER,
    Fonts,
    Image,
    Qr,
    Text,
    baseline,
    french_date,
    image_box,
)
from portal.letters.qr import QrRuns, qr_runs

if TYPE_CHECKING:
    from portal.letters.inputs import Layout, Recipient

WIDTH = RIGHT - LEFT
Row = tuple[float, str, bool]  # indent (mm), text, starts with a bullet


class Planner:
    def __init__(self, layout: Layout, fonts: Fonts | None = None):
        unknown = merge.check(layout.subject) + merge.check(layout.body)
        if unknown:
            raise merge.TemplateError("unknown_fields", ", ".join(dict.fromkeys(unknown)))
        self.fonts = fonts or Fonts()
        self.base_url = layout.base_url.rstrip("/")
        self.portal_address = re.sub(r"^[a-z]+://", "", self.base_url) + "/code"
        self.images: dict[str, bytes] = {}
        self.header = self._header(layout)
        self.subject = merge.french_typography(layout.subject)
        self.body = []
        for paragraph in merge.paragraphs(merge.french_typography(layout.body)):
            if merge.is_qr_paragraph(paragraph):
                self.body.append(None)
            elif set(merge.fields_in(paragraph)) - {merge.PORTAL_ADDRESS}:
                self.body.append(paragraph)
            else:  # the same in every letter: wrapped once
                self.body.append(self._rows(merge.fill(paragraph, self._shared_values())))
        if None not in self.body:
            self.body.append(None)  # a letter always carries its QR code
        self.signatories, self.signatories_height = self._signatories(layout)

    # What every letter shares.

    def _shared_values(self) -> dict:
        return {merge.PORTAL_ADDRESS: self.portal_address}

    def _header(self, layout: Layout) -> list:
        ops: list = []
        if layout.logo:
            self.images["logo"] = layout.logo
            width, height = image_box(layout.logo, LOGO[2], LOGO[3])
            ops.append(Image("logo", LOGO[0], LOGO[1], width, height))
        sender, (x, top, width, bottom) = layout.sender, SENDER
        lines = [("bold", 9.5, sender.collectivite_name), ("regular", 8.5, sender.service),
                 ("regular", 8.5, sender.name),
                 *(("regular", 8.5, line) for line in sender.address_lines),
                 ("regular", 8.5, sender.email),
                 ("regular", 8.5, sender.phone and PHONE_LABEL + sender.phone)]  # fmt: skip
        for font, size, text in lines:
            for line in self.fonts.wrap(self._printable(text, font), font, size, width):
                if line and top + 3.9 <= bottom:
                    ops.append(Text(x, baseline(top, 3.9, size), font, size, line))
                    top += 3.9
        place = " ".join(layout.written_from.split())
        when = french_date(layout.written_at)
        line = (PLACE_AND_DATE if place else DATE_ONLY).format(place=place, date=when)
        top = DATE_TOP
        for text in self.fonts.wrap(self._printable(line), "regular", BODY, RIGHT - ADDRESS[0]):
            ops.append(Text(ADDRESS[0], baseline(top, 5, BODY), "regular", BODY, text))
            top += 5
        return ops

    def _signatories(self, layout: Layout) -> tuple[list, float]:
        signatories = layout.signatories[:2]
        ops: list = []
        height = 0.0
        for index, (signatory, x) in enumerate(
            zip(signatories, SIGNATORY_COLUMNS.get(len(signatories), ()), strict=False)
        ):
            top = 0.0
            for line in self.fonts.wrap(self._printable(signatory.role), "regular", BODY, 70):
                ops.append(Text(x, baseline(top, BODY_LINE, BODY), "regular", BODY, line))
                top += BODY_LINE
            if signatory.image:
                key = f"signature{index}"
                self.images[key] = signatory.image
                width, image_height = image_box(signatory.image, *SIGNATURE)
                ops.append(Image(key, x, top + 0.5, width, image_height))
            top += SIGNATURE[1] + 1.5
            name = self._printable(signatory.name, "bold")
            ops.append(Text(x, baseline(top, BODY_LINE, BODY), "bold", BODY, name))
            height = max(height, top + BODY_LINE)
        return ops, height

    def _printable(self, text: str, font: str = "regular") -> str:
        return self.fonts.printable(" ".join((text or "").split()), font)

    def _rows(self, paragraph: str) -> list[Row]:
        rows: list[Row] = []
        for line in paragraph.split("\n"):
            line = self._printable(line)
            bullet = line[:2] in ("- ", "• ")
            indent = BULLET_INDENT if bullet else 0
            for number, text in enumerate(
                self.fonts.wrap(line[2:] if bullet else line, "regular", BODY, WIDTH - indent)
            ):
                rows.append((indent, text, bullet and number == 0))
        return rows

    # One letter.

    def values(self, recipient: Recipient) -> dict:
        code = recipient.code if "-" in recipient.code else format_code(recipient.code)
        return {"owner.fullName": recipient.owner_name, **recipient.values,
                merge.CODE: code, **self._shared_values()}  # fmt: skip

    def plan(self, recipient: Recipient) -> list[list]:
        """The letter's pages; the first page also carries `self.header`. A letter that
        spills onto another page is laid out again with tighter spacing, kept if shorter."""
        code = qr_runs(f"{self.base_url}/l/{recipient.token}")
        pages = self._pages(recipient, code, BODY_LINE, PARAGRAPH_GAP)
        if len(pages) > 1:
            tighter = self._pages(recipient, code, *TIGHTER)
            pages = tighter if len(tighter) < len(pages) else pages
        if len(pages) > 1:
            self._number(pages, recipient)
        return pages

    def _pages(self, recipient: Recipient, code: QrRuns, line: float, gap: float) -> list:
        values = self.values(recipient)
        page = self._address(recipient)
        pages = [page]
        subject = self._printable(SUBJECT_LABEL + merge.fill(self.subject, values), "bold")
        top = SUBJECT_TOP
        for text in self.fonts.wrap(subject, "bold", 10.5, WIDTH):
            page.append(Text(LEFT, baseline(top, 5, 10.5), "bold", 10.5, text))
            top += 5
        top += 3
        last = len(self.body) - 1
        for index, item in enumerate(self.body):
            if item is None:
                height = QR_SIZE + 2 * QR_GAP
                if top + height > BOTTOM:
                    page, top = self._new_page(pages)
                page += self._qr_block(code, values, top + QR_GAP)
                top += height
                continue
            rows = item if isinstance(item, list) else self._rows(merge.fill(item, values))
            after = self.signatories_height + SIGNATORIES_GAP if index == last else 0
            page, top = self._paragraph(pages, page, top, rows, after, line)
            top += gap
        if self.signatories:
            if top + SIGNATORIES_GAP + self.signatories_height > BOTTOM:
                page, top = self._new_page(pages)
            top += SIGNATORIES_GAP
            page += [op._replace(y=op.y + top) for op in self.signatories]
        return pages

    def _address(self, recipient: Recipient) -> list:
        lines = [self._printable(line) for line in postal_block(
            recipient.owner_name, recipient.address_lines).lines]  # fmt: skip
        x, top, width, bottom = ADDRESS
        for size in ADDRESS_SIZES:
            if max((self.fonts.width(line, "regular", size) for line in lines), default=0) <= width:
                break
        lines = [self.fonts.wrap(line, "regular", size, width)[0] for line in lines]
        line_height = min(size * 0.45, (bottom - top) / max(len(lines), 1))
        return [
            Text(x, baseline(top + number * line_height, line_height, size), "regular", size, line)
            for number, line in enumerate(lines)
        ]

    def _paragraph(self, pages, page, top, rows: list[Row], after: float, line: float):
        """Rows flowing down the page, then onto new pages; a short paragraph (or the last
        one with the signatures after it) moves whole to the next page rather than split,
        and a long one leaves no line alone at the foot of a page."""
        fitting = int((BOTTOM - top) // line)
        together = len(rows) <= KEEP_TOGETHER
        short = fitting < len(rows) or (after and top + len(rows) * line + after > BOTTOM)
        if short and (together or fitting < 2) and top > CONTINUATION_TOP + line:
            page, top = self._new_page(pages)
        for number, (indent, text, bullet) in enumerate(rows):
            if top + line > BOTTOM or (
                number and len(rows) - number == 1 and top + line > BOTTOM - line
            ):
                page, top = self._new_page(pages)
            line_baseline = baseline(top, line, BODY)
            if bullet:
                page.append(Text(LEFT + 1, line_baseline, "regular", BODY, "•"))
            page.append(Text(LEFT + indent, line_baseline, "regular", BODY, text))
            top += line
        return page, top

    def _new_page(self, pages: list) -> tuple[list, float]:
        pages.append([])
        return pages[-1], CONTINUATION_TOP

    def _qr_block(self, code: QrRuns, values: dict, top: float) -> list:
        x = LEFT + QR_SIZE + 8
        return [
            Qr(LEFT, top, QR_SIZE / code.size, code),
            Text(x, top + 12, "mono", CODE_SIZE, values[merge.CODE]),
            Text(x, top + 20, "regular", PORTAL_SIZE, self._printable(self.portal_address)),
        ]

    def _number(self, pages: list, recipient: Recipient) -> None:
        """On a letter of several pages: "2/3" at the foot of each, and the owner's name at
        the head of the following ones (so that sheets put back together stay together)."""
        name = self._printable(recipient.owner_name)
        for number, page in enumerate(pages, 1):
            mark = f"{number}/{len(pages)}"
            size = 8
            right = RIGHT - self.fonts.width(mark, "regular", size)
            page.append(Text(right, PAGE_HEIGHT - 7, "regular", size, mark, grey=True))
            if number > 1:
                page.insert(0, Text(LEFT, 14, "regular", size, name, grey=True))
