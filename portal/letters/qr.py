"""A letter's QR code as rectangles, to be drawn as vector paths (never a bitmap).

segno encodes it: error correction M, the mask chosen by the standard's penalty rules
(ISO/IEC 18004 7.8.3). segno scores the eight masks cell by cell in Python, three quarters
of the time of a whole letter; `qr_matrix()` asks segno for the symbol with mask 0, scores
the eight masks itself on whole rows (bytes, regular expressions, integers as bit rows),
and finishes the chosen one with segno's own format information: the same symbol as
`segno.make()`, module for module (tests/letters/test_qr.py compares them), in less than
half the time.

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
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


class QrRuns(NamedTuple):
    size: int  # modules per side, without the quiet zone
    runs: tuple[tuple[int, int, int], ...]  # (column, row, length) of dark modules


def qr_runs(text: str) -> QrRuns:
    matrix = qr_matrix(text)
    runs = []
    for row, modules in enumerate(matrix):
        start = None
        for column, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((start, row, column - start))
                start = None
    return QrRuns(len(matrix), tuple(runs))


def qr_matrix(text: str) -> list[bytes]:
    """The modules of `text`'s QR code (1 = dark), rows from the top."""
    first = segno.make(text, error="m", micro=False, mask=0)
    version, error = first._version, first._error
    if version >= 7:  # a base address too long for the fast path: segno all the way
        return [bytes(row) for row in segno.make(text, error="m", micro=False).matrix]
    region, patterns, masks = _symbol_parts(version)
    size = len(region)
    # The symbol before masking, as segno scores it: codewords in the encoding region,
    # function patterns elsewhere, format areas still blank.
    unmasked = [
        patterns[i] | ((_int(row) ^ masks[0][i]) & region[i]) for i, row in enumerate(first.matrix)
    ]
    scores = [_penalty(_rows(unmasked, mask, size), size) for mask in masks]
    best = scores.index(min(scores))
    if best == 0:
        return [bytes(row) for row in first.matrix]
    matrix = tuple(bytearray(row) for row in _rows(unmasked, masks[best], size))
    encoder.add_format_info(matrix, version, error, best)
    return [bytes(row) for row in matrix]


@lru_cache(maxsize=8)
def _symbol_parts(version: int):
    """For a version: the encoding region and the function patterns as row integers (one
    bit per module, the first module the most significant), and each mask over the
    region."""
    size = encoder.calc_matrix_size(version)
    base = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(base, size, size)
    encoder.add_alignment_patterns(base, size, size)
    region = [_int(bytes(cell == 2 for cell in row)) for row in base]
    masks = [
        [region[i] & _int(bytes(bool(pattern(i, j)) for j in range(size))) for i in range(size)]
        for pattern in encoder.get_data_mask_functions(False)
    ]
    function_patterns = [_int(bytes(cell == 1 for cell in row)) for row in base]
    return region, function_patterns, masks


def _int(row: bytes) -> int:
    return int(row.translate(_TO_DIGITS), 2)


def _rows(unmasked: list[int], mask: list[int], size: int) -> list[bytes]:
    return [
        format(row ^ bits, f"0{size}b").encode().translate(_FROM_DIGITS)
        for row, bits in zip(unmasked, mask, strict=True)
    ]


_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


def _penalty(rows: list[bytes], size: int) -> int:
    """segno's `mask_scores` (N1 + N2 + N3 + N4), on whole rows and columns."""
    columns = [bytes(column) for column in zip(*rows, strict=True)]
    lines = b"\x02".join(rows) + b"\x02" + b"\x02".join(columns)
    runs = _RUN.findall(lines)  # each run of 5 or more scores its length minus 2
    n1 = len(b"".join(runs)) - 2 * len(runs)
    n2 = 0
    inner = (1 << (size - 1)) - 1  # every module but the first has a left neighbour
    previous = None
    for row in rows:
        bits = _int(row)
        if previous is not None:
            dark = previous & bits & (previous >> 1) & (bits >> 1)
            light = ~(previous | bits | (previous >> 1) | (bits >> 1)) & inner
            n2 += 3 * ((dark | light) & inner).bit_count()
        previous = bits
    n3 = sum(_finder_like(line, size) for line in rows) + sum(
        _finder_like(line, size) for line in columns
    )
    dark_share = float(sum(row.count(1) for row in rows)) / (size**2)
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
