"""Issuing, reprinting and revoking a letter's QR token and typed code.

A letter gets a random seed when it is first printed. Its token and code derive from that
seed with keys made from SECRET_KEY (HMAC-SHA-256), and only their hashes are stored: a
copy of the database alone opens no letter, while printing the campaign again gives every
owner the same codes (printers fail, agents reprint). Revoking stops the link and the code
at once (the landing refuses a revoked letter); re-issuing draws a new seed, so the old
letter stays dead and the new one prints new codes.

If SECRET_KEY has changed since a letter was issued, its codes can no longer be derived:
`codes_of` raises `SeedMismatch` and the caller re-issues instead of printing codes that
would not open anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from portal.letters.codes import ALPHABET, CODE_LENGTH, check_character, hash_code, hash_token
from portal.models import Letter

REVOCATION_REASONS = ("npai", "agent")  # "N’habite pas à l’adresse indiquée", agent's choice


class SeedMismatch(RuntimeError):
    """The stored hashes do not match what the seed gives with today's SECRET_KEY."""


@dataclass(frozen=True)
class Codes:
    token: str  # in the QR code: /l/<token>
    code: str  # typed, 13 characters without separators


def _key(secret_key: str, purpose: str) -> bytes:
    return hashlib.sha256(f"letter-{purpose}:".encode() + secret_key.encode()).digest()


def derive(seed: str, secret_key: str) -> Codes:
    token_mac = hmac.new(_key(secret_key, "token"), seed.encode(), hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(token_mac).decode()[:22]  # 132 bits, as new_token()
    code_mac = hmac.new(_key(secret_key, "code"), seed.encode(), hashlib.sha256).digest()
    body = "".join(ALPHABET[byte % 32] for byte in code_mac[:CODE_LENGTH])  # 60 bits
    return Codes(token, body + check_character(body))


def issue(letter: Letter, secret_key: str) -> Codes:
    """Give the letter a fresh seed and store the hashes of its new codes."""
    letter.seed = secrets.token_hex(16)
    codes = derive(letter.seed, secret_key)
    letter.token_hash = hash_token(codes.token)
    letter.code_hash = hash_code(codes.code, secret_key)
    return codes


def codes_of(letter: Letter, secret_key: str) -> Codes:
    """The codes printed on this letter, issuing them on its first printing."""
    if letter.seed is None:
        return issue(letter, secret_key)
    codes = derive(letter.seed, secret_key)
    if letter.token_hash != hash_token(codes.token):
        raise SeedMismatch(f"letter {letter.id}")
    return codes


def revoke(letter: Letter, reason: str, now: datetime) -> bool:
    """Stop the letter's link and code. False if it was already revoked."""
    if reason not in REVOCATION_REASONS:
        raise ValueError(reason)
    if letter.revoked_at is not None:
        return False
    letter.revoked_at, letter.revoked_reason = now, reason
    return True


def reissue(letter: Letter, secret_key: str) -> Codes:
    """A new letter for the same owner and dwelling: new codes, the old ones stay dead."""
    letter.issue += 1
    letter.revoked_at = letter.revoked_reason = None
    return issue(letter, secret_key)
