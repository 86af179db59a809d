"""Letters' codes: issued at the first printing, the same at every reprint, revocable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.letters import issue
from portal.letters.codes import format_code, hash_code, hash_token, normalise_code
from portal.models import Letter
from tests.builders import SECRET_KEY


def _letter() -> Letter:
    return Letter(id=1, issue=1)


def test_first_printing_issues_codes_and_stores_only_hashes():
    letter = _letter()
    codes = issue.codes_of(letter, SECRET_KEY)
    assert len(codes.token) == 22
    assert normalise_code(format_code(codes.code)) == codes.code  # check character valid
    assert letter.token_hash == hash_token(codes.token)
    assert letter.code_hash == hash_code(codes.code, SECRET_KEY)
    stored = f"{letter.seed}{letter.token_hash}{letter.code_hash}"
    assert codes.token not in stored and codes.code not in stored


def test_reprint_gives_the_same_codes():
    letter = _letter()
    first = issue.codes_of(letter, SECRET_KEY)
    assert issue.codes_of(letter, SECRET_KEY) == first


def test_another_key_cannot_reprint():
    letter = _letter()
    issue.codes_of(letter, SECRET_KEY)
    with pytest.raises(issue.SeedMismatch):
        issue.codes_of(letter, SECRET_KEY + "-rotated")


def test_revoke_then_reissue_gives_new_codes():
    letter = _letter()
    first = issue.codes_of(letter, SECRET_KEY)
    now = datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert issue.revoke(letter, "npai", now)
    assert not issue.revoke(letter, "npai", now)  # already revoked
    assert (letter.revoked_at, letter.revoked_reason) == (now, "npai")

    second = issue.reissue(letter, SECRET_KEY)
    assert second.token != first.token and second.code != first.code
    assert letter.token_hash == hash_token(second.token)
    assert (letter.issue, letter.revoked_at) == (2, None)
    with pytest.raises(ValueError):
        issue.revoke(letter, "because", now)
