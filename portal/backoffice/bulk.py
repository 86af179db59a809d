"""What an agent does to several answers at once: the same status, the same précision.

The answers are read through `queue_rows(..., ids=...)`, so scoped to the agent's
collectivité: an id of another collectivité's answer is simply not found, like an unknown
one, and then nothing is done at all (`UnknownAnswers`). Each answer goes through the same
function as on its own page (portal.backoffice.followup), writing its own Events. Nothing is
committed here: the caller commits the whole selection at once, or rolls it all back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.answers import QueueFilter, QueueRow, queue_rows
from portal.backoffice.followup import (
    FollowupError,
    change_status,
    precisions_of,
    set_precisions,
)
from portal.database import begin_write
from portal.models import Agent, Event
from portal.models.zlv import PRECISIONS, is_precision
from portal.precisions import Precision

MAX_SELECTION = 500  # answers in one bulk action (a queue page shows 50)


class UnknownAnswers(LookupError):
    """Some of the chosen answers are not the collectivité's (or do not exist)."""


def selected_rows(session: Session, collectivite_id: int, ids: list[int]) -> list[QueueRow]:
    """The chosen answers, in any tab; all of them or `UnknownAnswers`."""
    wanted = set(ids)
    if not wanted or len(wanted) > MAX_SELECTION:
        raise ValueError("a selection has 1 to MAX_SELECTION answers")
    rows = list(queue_rows(session, collectivite_id, QueueFilter(tab=None), ids=sorted(wanted)))
    if {row.response.id for row in rows} != wanted:
        raise UnknownAnswers(sorted(wanted - {row.response.id for row in rows}))
    return rows


def change_status_of(session: Session, agent: Agent, rows: list[QueueRow], status: str,
                     sub_status: str | None, occupancy: str | None = None,
                     now: datetime | None = None) -> list[Event]:  # fmt: skip
    """The same status / sub-status (and occupancy) for every chosen answer's dwelling."""
    now, events = now or clock.now(), []
    for row in rows:
        events += change_status(session, agent, row, status, sub_status, occupancy, now)
    return events


def attach_precision_to(
    session: Session, agent: Agent, rows: list[QueueRow], precision: Precision,
    now: datetime | None = None,
) -> list[Event]:  # fmt: skip
    """Attach one précision to every chosen answer's dwelling, keeping the others; an
    évolution replaces the dwelling's évolution of the same category (one each in ZLV)."""
    category, label = precision
    if not is_precision(category, label):
        raise FollowupError("unknown-precision")
    begin_write(session)  # the précisions kept are read under the write lock
    now, events = now or clock.now(), []
    for row in rows:
        if PRECISIONS[category][0] == "evolutions":
            kept = {p for p in precisions_of(session, row.housing.id) if p[0] != category}
            events += set_precisions(session, agent, row, kept | {precision}, now=now)
        else:
            events += set_precisions(session, agent, row, {precision}, detach_others=False,
                                     now=now)  # fmt: skip
    return events
