"""Where everything goes on a letter: pure geometry, no PDF library.

The drawing operations (text at a baseline, an image, a QR code) in millimetres from the
page's top left corner, the embedded fonts' widths and line breaking, and the positions;
`portal.letters.letter.Planner` lays letters out with them, `portal.letters.pdf` draws.

The recipient's address goes where a DL window envelope shows it. A DL envelope is
220 × 110 mm; its usual French window is 100 × 45 mm, 20 mm from the right edge and 15 mm
from the bottom (envelope makers' listings; the Swiss SN 010130 sheet on studylibfr.com
gives the same 100 × 45 window 12 mm from the right, 21 mm from the bottom for C6/5): x
100–200 mm, y 50–95 mm from the envelope's top left. The A4 folded in three is 210 × 99 mm
and moves inside by up to 10 mm sideways and 11 mm up and down, so what is always in the
window is x 100–190, y 50–84 on the sheet; with 3 mm of clearance on each side (as USPS
Publication 25, 3-9, asks of window envelopes): x 103–187, y 53–81. The block is drawn
there, at 104 mm from the left and 53 mm from the top, which also matches the usual French
advice for window envelopes (an 85 × 33 mm box 110 mm from the left and 55 mm from the top:
edics.fr, "Rédiger vos adresses"). Nothing else reaches x > 88 between y 38 and 98 (the
window, the sheet shifted 10 mm left, starts at x 90). Lines: NF Z10-011 as La Poste sums
it up (laposte.fr/sna, article 148), see portal.letters.address.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

from fontTools.ttLib import TTFont
from PIL import Image as PillowImage

from portal.dates import long_date
from portal.letters.qr import QrRuns

FONTS_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT_FILES = {
    "regular": "DejaVuSans-latin.ttf",
    "bold": "DejaVuSans-Bold-latin.ttf",
    "mono": "DejaVuSansMono-Bold-ascii.ttf",
}
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
LEFT, RIGHT, CONTINUATION_TOP, BOTTOM = 20, 190, 22, 287
LOGO = (20, 12, 50, 22)  # x, y, largest width, largest height
SENDER = (20, 38, 66, 94)  # x, top, width, lowest bottom: left of any window position
ADDRESS = (104, 53, 83, 81)  # x, top, width, lowest bottom: inside the window (above)
ADDRESS_SIZES = (10, 9.5, 9, 8.5, 8)  # points: the first at which every line fits
DATE_TOP, SUBJECT_TOP = 20, 97  # the date above the window, the subject below it
BODY, BODY_LINE, PARAGRAPH_GAP, BULLET_INDENT = 10, 4.4, 1.8, 5
TIGHTER = (4.2, 1.4)  # line height and paragraph gap tried when a letter spills over
KEEP_TOGETHER = 4  # a paragraph this short is never split across pages
QR_SIZE, QR_GAP = 28, 3.5  # mm: the symbol (≥ 25 mm for old phones), white above and below
CODE_SIZE, PORTAL_SIZE = 18, 11  # points
SIGNATURE = (45, 14)  # largest width and height of a signature image
SIGNATORY_COLUMNS, SIGNATORIES_GAP = {1: (115,), 2: (20, 115)}, 3
GREY = 90
# The letter's fixed wording, as Zéro Logement Vacant prints it.
SUBJECT_LABEL, PHONE_LABEL = "Objet\u00a0: ", "Tél.\u00a0"
PLACE_AND_DATE, DATE_ONLY = "À {place}, le {date}", "Le {date}"


class Text(NamedTuple):
    x: float
    y: float  # baseline
    font: str
    size: float
    text: str
    grey: bool = False


class Image(NamedTuple):
    key: str
    x: float
    y: float
    width: float
    height: float


class Qr(NamedTuple):
    x: float
    y: float
    module: float  # mm
    code: QrRuns


class Fonts:
    """Advance widths of the embedded fonts (1/1000 em), read once."""

    def __init__(self, folder: Path = FONTS_DIR):
        self.files = {key: folder / name for key, name in FONT_FILES.items()}
        self.widths: dict[str, dict[str, int]] = {}
        for key, path in self.files.items():
            font = TTFont(path, lazy=True)
            scale, metrics = 1000 / font["head"].unitsPerEm, font["hmtx"].metrics
            self.widths[key] = {
                chr(code): round(metrics[glyph][0] * scale)
                for code, glyph in font.getBestCmap().items()
            }
        self.known = frozenset(self.widths["regular"]) | {"\n"}

    def width(self, text: str, font: str, size: float) -> float:
        """Width of `text` in mm."""
        widths = self.widths[font]
        return sum(map(widths.get, text, [600] * len(text))) * size * 0.000352778

    def printable(self, text: str, font: str = "regular") -> str:
        """`text` in characters the font has (NFC; else its decomposition, else �)."""
        text = unicodedata.normalize("NFC", text).replace("\t", " ")
        known = self.widths[font]
        if all(character in known for character in text):
            return text
        return "".join(
            character if character in known
            else "".join(c for c in unicodedata.normalize("NFKD", character) if c in known)
            or ("\ufffd" if "\ufffd" in known else "?")
            for character in text
        )  # fmt: skip

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        """`text` cut into lines no wider than `width` mm, at ordinary spaces (U+00A0 and
        U+202F hold "5 000 €" and "Objet :" together); a longer word is cut."""
        widths, scale = self.widths[font], size * 0.000352778
        space = widths[" "] * scale
        lines: list[str] = []
        line, used = "", 0.0
        for word in text.split(" "):
            if not word:
                continue
            word_width = sum(map(widths.get, word, [600] * len(word))) * scale
            if line and used + space + word_width <= width:
                line, used = f"{line} {word}", used + space + word_width
                continue
            if line:
                lines.append(line)
            while word_width > width:
                cut = self._fitting(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = self.width(word, font, size)
            line, used = word, word_width
        if line or not lines:
            lines.append(line)
        return lines

    def _fitting(self, word: str, font: str, size: float, width: float) -> int:
        """How many of the first characters of `word` fit in `width` (at least one)."""
        total = 0.0
        for index, character in enumerate(word):
            total += self.width(character, font, size)
            if total > width:
                return max(index, 1)
        return len(word)


def baseline(top: float, line: float, size: float) -> float:
    return top + 0.5 * line + 0.3 * size * 0.352778


def french_date(day: date) -> str:
    """« 2 décembre 2026 », « 1er mai 2026 »."""
    return long_date(day, "fr")


def image_box(data: bytes, largest_width: float, largest_height: float) -> tuple[float, float]:
    """The size (mm) of an image fitted in a box, its proportions kept."""
    with PillowImage.open(io.BytesIO(data)) as image:
        pixels_wide, pixels_high = image.size
    scale = min(largest_width / pixels_wide, largest_height / pixels_high)
    return pixels_wide * scale, pixels_high * scale
