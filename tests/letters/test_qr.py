"""The QR code: segno's symbol, module for module, whatever the address; runs cover it."""

from __future__ import annotations

import random
import string

import pytest
import segno

from portal.letters.codes import new_token
from portal.letters.qr import qr_matrix, qr_runs

BASES = ["https://portail.example.fr", "http://127.0.0.1:5000",
         "https://logements-vacants.communaute-agglomeration-demoville.example.fr",
         "https://" + "tres-long." * 12 + "example.fr"]  # fmt: skip


@pytest.mark.parametrize("base", BASES)
def test_the_fast_mask_choice_gives_segnos_symbol(base):
    """segno scores the eight masks in Python, cell by cell; qr_matrix scores them on whole
    rows: the mask chosen, hence the symbol, must be the same."""
    rng = random.Random(base)
    masks = set()
    for _ in range(60):
        token = "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=22))
        text = f"{base}/l/{token}"
        expected = segno.make(text, error="m", micro=False)
        masks.add(expected.mask)
        assert qr_matrix(text) == [bytes(row) for row in expected.matrix], text
    for _ in range(25):  # other texts, other versions
        text = "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 120)))
        expected = segno.make(text, error="m", micro=False)
        assert qr_matrix(text) == [bytes(row) for row in expected.matrix]
    assert len(masks) >= 4  # the comparison went through several masks (the seed is fixed)


def test_runs_cover_exactly_the_dark_modules():
    text = f"https://portail.example.fr/l/{new_token()}"
    matrix = qr_matrix(text)
    code = qr_runs(text)
    assert code.size == len(matrix)
    drawn = {(column + step, row) for column, row, length in code.runs for step in range(length)}
    dark = {(column, row) for row, line in enumerate(matrix) for column, v in enumerate(line) if v}
    assert drawn == dark
