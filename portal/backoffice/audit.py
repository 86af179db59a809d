"""The access log of one collectivité: who read which owner's data, and when.

Every read of owners' personal data in the back-office is written by `log_access`, the one
place that does: an answer's page ("view", one owner), a page of the queue ("list", the
owners listed) and an export ("export", the owners exported, the filter). It is committed
before the data is sent, so that a read whose page fails later still leaves its trace.

Reading it: like every back-office read, each function takes the collectivité's id first and every
query it builds is restricted to it: another collectivité's reads are never listed (and
an owner's name is only joined when the owner is the collectivité's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import and_, select, tuple_
from sqlalchemy.orm import Session

from portal.backoffice.answers import decode_cursor
from portal.bounds import MAX_BIG_ID
from portal.database import begin_write
from portal.models import AccessLog, Agent, Owner

PAGE_SIZE = 50
ACTIONS = ("view", "list", "export")


def log_access(session: Session, agent: Agent, action: str, *, owner_id: int | None = None,
               count: int = 1, detail: dict | None = None) -> AccessLog:  # fmt: skip
    """Record that `agent` read owners' personal data for their collectivité (commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access {action!r}")
    entry = AccessLog(collectivite_id=agent.collectivite_id, agent_id=agent.id, action=action,
                      owner_id=owner_id, count=count, detail=detail or {})  # fmt: skip
    # Its own write transaction, the page's objects kept loaded (the row depends on none).
    begin_write(session, reload=False)
    session.add(entry)
    session.commit()
    return entry


@dataclass
class AccessRow:
    log: AccessLog
    agent_name: str  # the agent's full name, or their e-mail when they have none
    owner_name: str | None  # None for an export (many owners) or a deleted owner


@dataclass
class AccessPage:
    rows: list[AccessRow]
    next_cursor: str | None = None


def encode_cursor(log: AccessLog) -> str:
    moment = log.created_at.astimezone(UTC)
    return f"{int(moment.timestamp() * 1_000_000)}.{log.id}"


def access_page(session: Session, collectivite_id: int, cursor: str | None = None,
                size: int = PAGE_SIZE) -> AccessPage:  # fmt: skip
    """One page of the collectivité's access log, newest first, from `cursor` on."""
    statement = (
        select(AccessLog, Agent.full_name, Agent.email, Owner.full_name)
        .join(Agent, Agent.id == AccessLog.agent_id)
        .outerjoin(Owner, and_(Owner.id == AccessLog.owner_id,
                               Owner.collectivite_id == collectivite_id))
        .where(AccessLog.collectivite_id == collectivite_id)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
    )  # fmt: skip
    after = decode_cursor(cursor, largest_id=MAX_BIG_ID)
    if after is not None:
        statement = statement.where(tuple_(AccessLog.created_at, AccessLog.id) < after)
    rows = [
        AccessRow(log, agent_name or email, owner_name)
        for log, agent_name, email, owner_name in session.execute(statement.limit(size + 1))
    ]
    page = AccessPage(rows[:size])
    if len(rows) > size:
        page.next_cursor = encode_cursor(rows[size - 1].log)
    return page
