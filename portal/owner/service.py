"""Finding and opening a letter from its QR token or typed code.

Unknown, revoked and expired letters are all "not found" to the caller, so that the owner's
pages answer the same way whatever the reason (the reason is logged, not shown).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from portal import clock
from portal.database import begin_write
from portal.letters.codes import hash_code, hash_token
from portal.models import Campaign, Letter

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 64


def find_letter_by_token(session: Session, token: str, now: datetime | None = None):
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return _usable(session, Letter.token_hash == hash_token(token), now)


def find_letter_by_code(session: Session, code: str, secret_key: str, now=None):
    """`code` is canonical (see portal.letters.codes.normalise_code)."""
    return _usable(session, Letter.code_hash == hash_code(code, secret_key), now)


LOADED = (
    joinedload(Letter.campaign).joinedload(Campaign.collectivite),
    joinedload(Letter.housing),
)


def _usable(session: Session, condition, now: datetime | None) -> Letter | None:
    """The letter matching `condition`, loaded with what its pages show, if still usable."""
    letter = session.scalar(select(Letter).options(*LOADED).where(condition))
    return letter if letter is not None and is_usable(letter, now) else None


def is_usable(letter: Letter, now: datetime | None = None) -> bool:
    return still_open(
        letter.id, letter.revoked_at, letter.revoked_reason, letter.campaign.letters_expire_at, now
    )


def still_open(letter_id, revoked_at, revoked_reason, expires_at, now) -> bool:
    now = now or clock.now()
    if revoked_at is not None:
        log.info("letter %s refused: revoked (%s)", letter_id, revoked_reason)
        return False
    if expires_at is not None and expires_at <= now:
        log.info("letter %s refused: expired on %s", letter_id, expires_at.isoformat())
        return False
    return True


def open_letter(session: Session, letter: Letter, now: datetime | None = None) -> None:
    """Record the first visit of a letter, once, whoever comes first.

    Many owners open their letters at the same moment: the write is one UPDATE in a
    transaction of its own (on SQLite, a transaction that has read cannot take the write
    lock once another has written: "database is locked")."""
    if letter.first_visit_at is not None:
        return
    begin_write(session, reload=False)  # ends the transaction that read the letter
    first_visit = update(Letter).where(Letter.id == letter.id, Letter.first_visit_at.is_(None))
    session.execute(first_visit.values(first_visit_at=now or clock.now()))
    session.commit()


def open_by_token(session: Session, token: str) -> Letter | None:
    """The letter a QR link opens, its first visit recorded; None when it opens none."""
    return _opened(session, find_letter_by_token(session, token))


def open_by_code(session: Session, code: str, secret_key: str) -> Letter | None:
    """The letter a typed code opens (`code` canonical), its first visit recorded; None
    when it opens none (unknown, revoked or expired alike)."""
    return _opened(session, find_letter_by_code(session, code, secret_key))


def _opened(session: Session, letter: Letter | None) -> Letter | None:
    if letter is not None:
        open_letter(session, letter)
    return letter


def letter_in_session(session: Session, letter_id: int | None) -> Letter | None:
    """The letter an owner opened in this browser session, if it is still usable."""
    if not isinstance(letter_id, int):
        return None
    return _usable(session, Letter.id == letter_id, None)
