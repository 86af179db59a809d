"""A summary document laid out as an A4 PDF (fpdf2), with an embedded Latin font.

Pure: no Flask. The caller gives the words (already translated and formatted) as a list of
blocks; this module only lays them out, with the document's metadata (title, language,
author, creation date), an outline of its headings and a footer on every page.

Lines are broken here, at ordinary spaces only (U+00A0 and U+202F keep "5 000 €" and
"Pourquoi :" together), and printed with `text()`: fpdf2's `multi_cell` measures the whole
line again at every character and `cell` copies its graphics state at every call; with them
the same summary took six times longer to lay out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fpdf import FPDF, ViewerPreferences

FONT = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans-latin.ttf", "B": "DejaVuSans-Bold-latin.ttf"}
REPLACEMENT = "\ufffd"
# What the results page's download link announces ("PDF – moins de 100 ko"): a summary is
# made on demand, its exact size is not known in advance (about 50 kB with every aid).
SIZE_BOUND_KB = 100
# Points; line heights in millimetres.
BODY, SMALL, URL_SIZE = 10.5, 8, 8.5
HEADINGS = {1: (16, 8, 3), 2: (13, 6.5, 5), 3: (11, 5.6, 3.5), 4: (10.5, 5.4, 3)}
# size (points), line height, space above (mm), by level
LINE, URL_LINE = 5.2, 4.2
BULLET_INDENT = 6
LINK_COLOUR = (0, 0, 145)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `lead` introduces what follows ("Pourquoi :") and is never left alone
    at the foot of a page."""

    text: str
    strong: bool = False
    url: str | None = None
    lead: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list; an item is a text, or a (text, url) pair whose URL is printed below it."""

    items: tuple = ()


@dataclass(frozen=True)
class Summary:
    title: str
    author: str
    locale: str
    created: datetime
    blocks: list = field(default_factory=list)
    subject: str = ""
    creator: str = ""
    footer: str = ""


class _Document(FPDF):
    footer_text = ""
    known_characters: frozenset[str] = frozenset()

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=SMALL)
        self.set_text_color(80)
        self.cell(self.epw * 0.85, 4, self.footer_text)
        self.cell(self.epw * 0.15, 4, f"{self.page_no()}/{{nb}}", align="R")


def render(summary: Summary, fonts: Path) -> bytes:
    """The summary as PDF bytes; `fonts` is the folder of the TTF files (static/fonts)."""
    pdf = _Document(format="A4", unit="mm")
    for style, filename in FONT_FILES.items():
        pdf.add_font(FONT, style, str(fonts / filename))
    for font in pdf.fonts.values():
        # The glyphs' bounding boxes are already in the font: computing them again when
        # fpdf2 saves its subset took 60 % of the time of a summary.
        font.ttfont.recalcBBoxes = False
    pdf.known_characters = frozenset(map(chr, pdf.fonts[FONT.lower()].cmap)) | {"\n"}
    pdf.set_title(summary.title)
    pdf.set_lang(summary.locale)
    pdf.set_author(summary.author)
    pdf.set_subject(summary.subject)
    pdf.set_creator(summary.creator)
    pdf.set_creation_date(summary.created)
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.footer_text = _printable(summary.footer, pdf)
    pdf.add_page()
    blocks = summary.blocks
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        if isinstance(block, Heading):
            _heading(pdf, block, following)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block, following)
        elif isinstance(block, Bullets):
            _bullets(pdf, block)
        else:
            raise TypeError(f"unknown block {block!r}")
    return bytes(pdf.output())


def _heading(pdf: FPDF, heading: Heading, following) -> None:
    size, height, above = HEADINGS[heading.level]
    pdf.set_font(FONT, "B", size)
    text = _printable(heading.text, pdf)
    lines = _wrap(pdf, text, pdf.epw)
    # Never a heading alone at the foot of a page.
    if not _fits(pdf, above + height * len(lines) + _start_of(pdf, following)):
        pdf.add_page()
    elif pdf.get_y() > pdf.t_margin:
        pdf.set_y(pdf.get_y() + above)
    pdf.set_font(FONT, "B", size)
    pdf.start_section(text, level=heading.level - 1, strict=False)
    _lines(pdf, lines, height, pdf.l_margin)
    pdf.set_y(pdf.get_y() + 1)


def _paragraph(pdf: FPDF, paragraph: Paragraph, following) -> None:
    pdf.set_font(FONT, "B" if paragraph.strong else "", BODY)
    lines = _wrap(pdf, _printable(paragraph.text, pdf), pdf.epw)
    if paragraph.lead and not _fits(pdf, LINE * len(lines) + _start_of(pdf, following)):
        pdf.add_page()
    pdf.set_font(FONT, "B" if paragraph.strong else "", BODY)
    _lines(pdf, lines, LINE, pdf.l_margin, paragraph.url)
    pdf.set_y(pdf.get_y() + 1.5)


def _start_of(pdf: FPDF, block) -> float:
    """The height of what must follow a heading or a lead on the same page: a list's first
    item, a subheading with two lines under it, else two lines."""
    if isinstance(block, Bullets) and block.items:
        return _item(pdf, block.items[0])[2]
    if isinstance(block, Heading):
        _size, height, above = HEADINGS[block.level]
        return above + 2 * height + 2 * LINE
    return 2 * LINE


def _item(pdf: FPDF, item) -> tuple[list[str], list[str], float]:
    """A list item's lines, its URL's lines, and its height."""
    text, url = item if isinstance(item, tuple) else (item, None)
    width = pdf.epw - BULLET_INDENT
    pdf.set_font(FONT, "", BODY)
    lines = _wrap(pdf, _printable(text, pdf), width)
    url_lines = []
    if url:
        pdf.set_font(FONT, "", URL_SIZE)
        url_lines = _wrap(pdf, _printable(url, pdf), width)
    return lines, url_lines, LINE * len(lines) + URL_LINE * len(url_lines)


def _bullets(pdf: FPDF, bullets: Bullets) -> None:
    left = pdf.l_margin + BULLET_INDENT
    for item in bullets.items:
        lines, url_lines, height = _item(pdf, item)
        # An item is kept on one page (unless it is longer than a page).
        if not _fits(pdf, height) and height < pdf.page_break_trigger - pdf.t_margin:
            pdf.add_page()
        pdf.set_font(FONT, "", BODY)
        pdf.text(pdf.l_margin + 1.5, _baseline(pdf, pdf.get_y(), LINE), "•")
        _lines(pdf, lines, LINE, left)
        if url_lines:
            pdf.set_font(FONT, "", URL_SIZE)
            pdf.set_text_color(*LINK_COLOUR)
            _lines(pdf, url_lines, URL_LINE, left, item[1])
            pdf.set_text_color(0)
        pdf.set_y(pdf.get_y() + 0.8)
    pdf.set_y(pdf.get_y() + 1.5)


def _lines(pdf: FPDF, lines: list[str], height: float, left: float, url: str | None = None):
    """Print `lines` one under the other from the current height, in the current font."""
    for line in lines:
        if not _fits(pdf, height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.text(left, _baseline(pdf, top, height), line)
        if url:
            pdf.link(left, top, _width(pdf, line), height, url)
        pdf.set_y(top + height)


def _fits(pdf: FPDF, height: float) -> bool:
    return pdf.get_y() + height <= pdf.page_break_trigger


def _baseline(pdf: FPDF, top: float, height: float) -> float:
    return top + 0.5 * height + 0.3 * pdf.font_size  # where fpdf2's cell() puts it


def _width(pdf: FPDF, text: str) -> float:
    """Width of `text` in the current font (mm): fpdf2's own measure, without the
    per-call copies of `get_string_width`."""
    units = sum(map(pdf.current_font.cw.__getitem__, map(ord, text)))
    return units * pdf.font_size_pt * 0.001 / pdf.k


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` cut into lines no wider than `width` (mm) in the current font, at spaces and
    line breaks; a word wider than a line (an address on the web) is cut where it must."""
    space = _width(pdf, " ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = _width(pdf, word)
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append(line)
            while word_width > width:
                cut = _fitting(pdf, word, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = _width(pdf, word)
            line, line_width = word, word_width
        lines.append(line)
    return lines


def _fitting(pdf: FPDF, word: str, width: float) -> int:
    """How many of the first characters of `word` fit in `width` (at least one)."""
    total = 0.0
    for index, character in enumerate(word):
        total += _width(pdf, character)
        if total > width:
            return max(index, 1)
    return len(word)


def _printable(text: str, pdf: FPDF) -> str:
    """`text` in characters the embedded font has: composed (NFC); a character it lacks
    is replaced by its decomposition when the font has that, else by �."""
    text = unicodedata.normalize("NFC", text or "").replace("\t", " ")
    known = pdf.known_characters
    if known.issuperset(text):
        return text
    printable = []
    for character in text:
        if character in known:
            printable.append(character)
            continue
        decomposed = unicodedata.normalize("NFKD", character)
        printable.append("".join(c for c in decomposed if c in known) or REPLACEMENT)
    return "".join(printable)
