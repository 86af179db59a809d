"""Letter tokens (in the QR code) and typed codes (printed for owners who cannot scan).

- The QR token is 22 URL-safe characters (132 bits of randomness); only its SHA-256 is
  stored, so a database leak does not reveal working links.
- The typed code is 12 Crockford base32 characters (60 bits) plus one check character
  (Luhn mod 32), printed in groups of four: `7KQ2-M9XD-4HTA-R`. Typing is forgiving:
  case, spaces and hyphens are ignored, and I/L read as 1, O as 0. A typo is caught by
  the check character before any lookup. Only a keyed hash (HMAC-SHA-256) is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 12
_VALUES = {char: index for index, char in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class CodeError(ValueError):
    """A typed code that cannot be right: wrong characters, wrong length, bad check."""


def new_token() -> str:
    return secrets.token_urlsafe(17)[:22]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_character(body: str) -> str:
    """Luhn mod 32 over the Crockford values: catches every single-character typo and
    every swap of two neighbours except 0↔Z (Luhn's one blind spot, as 0↔9 in base 10)."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * _VALUES[char]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    """A fresh code, without separators (12 characters + check character)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return body + check_character(body)


def format_code(code: str) -> str:
    """Groups of four, as printed on the letter."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: str) -> str:
    """The canonical code from what an owner typed, or CodeError saying why not."""
    cleaned = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH + 1:
        raise CodeError("length")
    if any(char not in _VALUES for char in cleaned):
        raise CodeError("characters")
    if check_character(cleaned[:-1]) != cleaned[-1]:
        raise CodeError("check")
    return cleaned


def hash_code(code: str, secret_key: str) -> str:
    """Keyed hash of a canonical code. The key derives from SECRET_KEY: rotating the
    secret invalidates typed codes (QR tokens keep working)."""
    key = hashlib.sha256(b"letter-code:" + secret_key.encode()).digest()
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()
