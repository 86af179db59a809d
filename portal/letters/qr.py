"""A letter's QR code as rectangles, to be drawn as vector paths (never a bitmap).

segno encodes it: error correction M, the mask chosen by the standard's penalty rules
(ISO/IEC 18004 7.8.3). segno scores the eight masks cell by cell in Python: two thirds of
the time of a whole letter. `qr_matrix()` asks segno for the symbol with mask 0, scores
the eight masks itself with the whole symbol as one integer (a bit per module, row after
row), and finishes the chosen one with segno's own format information: the same symbol as
`segno.make()`, module for module (tests/letters/test_qr.py compares them), in a third of
the time.

Each row's dark modules are then merged into horizontal runs: a third of the rectangles
one per module would need.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import segno
from segno import encoder

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004 asks for 4)
_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))
_DARK_RUN = re.compile(rb"\x01+")
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


class QrRuns(NamedTuple):
    size: int  # modules per side, without the quiet zone
    runs: tuple[tuple[int, int, int], ...]  # (column, row, length) of dark modules


def qr_runs(text: str) -> QrRuns:
    matrix = qr_matrix(text)
    runs = tuple(
        (run.start(), row, run.end() - run.start())
        for row, modules in enumerate(matrix)
        for run in _DARK_RUN.finditer(modules)
    )
    return QrRuns(len(matrix), runs)


def qr_matrix(text: str) -> list[bytes]:
    """The modules of `text`'s QR code (1 = dark), rows from the top."""
    first = segno.make(text, error="m", micro=False, mask=0)
    version, error = first._version, first._error
    if version >= 7:  # a base address too long for the fast path: segno all the way
        return [bytes(row) for row in segno.make(text, error="m", micro=False).matrix]
    parts = _parts(version)
    # The symbol before masking, as segno scores it: codewords in the encoding region,
    # function patterns elsewhere, format areas still blank.
    symbol = _int(b"".join(first.matrix))
    unmasked = parts.patterns | ((symbol ^ parts.masks[0]) & parts.region)
    scores = [_penalty(unmasked ^ mask, parts) for mask in parts.masks]
    best = scores.index(min(scores))
    if best == 0:
        return [bytes(row) for row in first.matrix]
    matrix = tuple(map(bytearray, _rows(unmasked ^ parts.masks[best], parts.size)))
    encoder.add_format_info(matrix, version, error, best)
    return [bytes(row) for row in matrix]


class _Parts(NamedTuple):
    """A version's constants, as symbol integers (the first module the most significant)."""

    size: int
    region: int  # the encoding region: what masks change
    patterns: int  # the dark modules of the function patterns
    masks: tuple[int, ...]  # each mask, over the encoding region
    run_ends: int  # modules with four more on their left in the same row
    block_corners: int  # modules with a neighbour on their left and one above


@lru_cache(maxsize=8)
def _parts(version: int) -> _Parts:
    size = encoder.calc_matrix_size(version)
    base = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(base, size, size)
    encoder.add_alignment_patterns(base, size, size)

    def symbol(condition) -> int:
        return _int(bytes(bool(condition(i, j)) for i in range(size) for j in range(size)))

    region = symbol(lambda i, j: base[i][j] == 2)
    masks = tuple(region & symbol(pattern) for pattern in encoder.get_data_mask_functions(False))
    return _Parts(size, region, symbol(lambda i, j: base[i][j] == 1), masks,
                  symbol(lambda i, j: j >= 4), symbol(lambda i, j: i >= 1 and j >= 1))  # fmt: skip


def _int(modules: bytes) -> int:
    return int(modules.translate(_TO_DIGITS), 2)


def _rows(symbol: int, size: int) -> list[bytes]:
    modules = format(symbol, f"0{size * size}b").encode().translate(_FROM_DIGITS)
    return [modules[start : start + size] for start in range(0, size * size, size)]


def _penalty(symbol: int, parts: _Parts) -> int:
    """segno's `mask_scores` (N1 + N2 + N3 + N4), each rule on the whole symbol at once."""
    size = parts.size
    everything = (1 << (size * size)) - 1
    rows = _rows(symbol, size)
    modules = b"".join(rows)
    columns = [modules[column::size] for column in range(size)]
    by_columns = _int(b"".join(columns))
    n1 = 0  # a run of L ≥ 5 modules of one colour in a row or column: L - 2
    for line in (symbol, everything ^ symbol, by_columns, everything ^ by_columns):
        fives = line & line >> 1 & line >> 2 & line >> 3 & line >> 4 & parts.run_ends
        n1 += fives.bit_count() + 2 * (fives & ~(fives << 1)).bit_count()
    left, up, corner = symbol >> 1, symbol >> size, symbol >> (size + 1)
    dark = symbol & left & up & corner
    light = ~(symbol | left | up | corner)
    n2 = 3 * ((dark | light) & parts.block_corners).bit_count()  # 2 × 2 of one colour: 3
    n3 = sum(_finder_like(line, size) for line in rows) + sum(
        _finder_like(line, size) for line in columns
    )
    dark_share = float(symbol.bit_count()) / (size**2)
    n4 = 10 * int(abs(dark_share * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _finder_like(line: bytes, size: int) -> int:
    """segno's N3 on one row or column: 1:1:3:1:1 with 4 light modules on one side."""
    count = 0
    index = line.find(_FINDER_LIKE)
    while index != -1:
        offset = index + 7
        if (
            index in (0, size - 7)
            or not any(line[max(index - 4, 0) : index])
            or not any(line[offset : offset + 4])
        ):
            count += 40
        else:
            offset = index + 4
        index = line.find(_FINDER_LIKE, offset)
    return count
