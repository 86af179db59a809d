"""Checking and re-encoding a logo uploaded by an admin.

Only PNG and JPEG, at most 500 kB: the file must start like one (its first bytes, not its
name or the type the browser claims) and Pillow must decode it as that format. The image
is then drawn again into a new file of the same format, at most `MAX_SIDE` pixels a side,
from its pixels only, so nothing else the file carried goes through: no metadata (EXIF
with a GPS position, comments, colour profiles), no data after the image, no extra frame.
SVG is refused: it is a document that can carry scripts and outside references.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps

MAX_BYTES = 500 * 1024
MAX_SIDE = 800  # pixels; the header shows a logo a few rem high
MAX_PIXELS = 20_000_000  # refused before decoding (a small file can expand enormously)
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


class LogoError(ValueError):
    """Why the file is refused: "too-large", "not-png-or-jpeg" or "unreadable"."""


@dataclass(frozen=True)
class Logo:
    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def version(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]


def read_logo(stream: BinaryIO) -> Logo:
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise LogoError("too-large")
    kind = next((name for magic, name in SIGNATURES.items() if raw.startswith(magic)), None)
    if kind is None:
        raise LogoError("not-png-or-jpeg")
    try:
        with Image.open(io.BytesIO(raw), formats=[kind]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise LogoError("unreadable")
            image.load()
            pixels = _pixels_only(ImageOps.exif_transpose(image) or image, kind)
    except LogoError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise LogoError("unreadable") from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "PNG":
        pixels.save(out, format="PNG", optimize=True)
    else:
        pixels.save(out, format="JPEG", quality=88, optimize=True)
    return Logo(out.getvalue(), MEDIA_TYPES[kind], *pixels.size)


def _pixels_only(image: Image.Image, kind: str) -> Image.Image:
    """A new image made of the pixels alone (no `info`: no metadata can follow)."""
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if transparent and kind == "PNG" else "RGB"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())
