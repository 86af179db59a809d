"""What an agent does with an answer: status, occupancy, précisions, notes, call-backs.

Each function takes a `QueueRow` already read through portal.backoffice.answers (so scoped
to the agent's collectivité), writes the change and an Event per change (actor: the agent,
before and after), marks the answer as seen by an agent and moves it to its queue tab.
Nothing is committed here: the caller commits once (one request, one transaction; a bulk
action, one transaction for the whole selection). Each function, once the change is known
to be allowed, begins the write transaction (portal.database.begin_write, which keeps the
one begun already): what it reads from there on (the dwelling's status, its précisions) is
read under the write lock, so two agents' changes never meet "database is locked" nor
record a stale "before".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.answers import QueueRow
from portal.database import begin_write
from portal.models import Agent, Event, HousingPrecision, Note
from portal.models.zlv import OCCUPANCIES, PRECISIONS, is_allowed_status, is_precision
from portal.precisions import Precision, suggested_precisions
from portal.queue import refresh_tab
from portal.suggestions import suggestion_for

NOTE_MAX_LENGTH = 5000
NOTE_KINDS = (
    "Note courante", "Appel entrant", "Appel sortant - relance", "Courrier entrant",
    "Courrier sortant", "Formulaire en ligne", "Mail entrant", "Mail sortant",
    "Retour indirect - via acteur terrain", "Retour poste - NPAI", "Visite - Rencontre",
)  # fmt: skip


class FollowupError(ValueError):
    """A change ZLV does not allow (the message says why, for the agent)."""


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _event(row: QueueRow, agent: Agent, kind: str, now: datetime, before, after) -> Event:
    return Event(
        collectivite_id=row.response.collectivite_id, created_at=now, actor_kind="agent",
        agent_id=agent.id, kind=kind, housing_id=row.housing.id, owner_id=row.owner.id,
        letter_id=row.letter.id, before=before, after=after,
    )  # fmt: skip


def _acted(session: Session, row: QueueRow, now: datetime) -> None:
    row.response.reviewed_at = row.response.reviewed_at or now
    session.flush()
    refresh_tab(session, row.response)


def change_status(session: Session, agent: Agent, row: QueueRow, status: str,
                  sub_status: str | None, occupancy: str | None = None,
                  now: datetime | None = None) -> list[Event]:  # fmt: skip
    """Set the dwelling's follow-up status (an allowed ZLV pair) and, if given, occupancy."""
    if not is_allowed_status(status, sub_status):
        raise FollowupError("not-allowed-pair")
    if occupancy is not None and occupancy not in OCCUPANCIES:
        raise FollowupError("unknown-occupancy")
    begin_write(session)
    now, housing, events = _now(now), row.housing, []
    if (housing.status, housing.sub_status) != (status, sub_status):
        events.append(_event(row, agent, "housing:status-updated", now,
                             {"status": housing.status, "sub_status": housing.sub_status},
                             {"status": status, "sub_status": sub_status}))  # fmt: skip
        housing.status, housing.sub_status = status, sub_status
    if occupancy is not None and occupancy != housing.occupancy:
        before, after = {"occupancy": housing.occupancy}, {"occupancy": occupancy}
        events.append(_event(row, agent, "housing:occupancy-updated", now, before, after))
        housing.occupancy = occupancy
    session.add_all(events)
    _acted(session, row, now)
    return events


def followup_version(session: Session, row: QueueRow) -> str:
    """A fingerprint of what an agent's form on the answer's page was filled against: the
    dwelling's status, sub-status, occupancy and précisions, and the owner's latest return
    and answer change. A form sent with another one is stale: someone changed the answer
    or its follow-up meanwhile, and the agent must see the change before saving theirs."""
    housing, response = row.housing, row.response
    state = [
        housing.status, housing.sub_status, housing.occupancy,
        sorted(precisions_of(session, housing.id)),
        *(str(moment) for moment in (response.last_return_at, response.answers_changed_at)),
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


def precisions_of(session: Session, housing_id: int) -> set[Precision]:
    rows = session.execute(
        select(HousingPrecision.category, HousingPrecision.label)
        .where(HousingPrecision.housing_id == housing_id)
    )  # fmt: skip
    return {(category, label) for category, label in rows}


def set_precisions(
    session: Session, agent: Agent, row: QueueRow, wanted: Iterable[Precision],
    detach_others: bool = True, now: datetime | None = None,
) -> list[Event]:  # fmt: skip
    """Attach the `wanted` précisions (and, with `detach_others`, detach the rest)."""
    wanted = set(wanted)
    for category, label in wanted:
        if not is_precision(category, label):
            raise FollowupError("unknown-precision")
    for category, (family, _labels) in PRECISIONS.items():
        if family == "evolutions" and len([p for p in wanted if p[0] == category]) > 1:
            raise FollowupError("one-evolution-per-category")
    begin_write(session)
    now, housing = _now(now), row.housing
    current = precisions_of(session, housing.id)
    events = []
    for category, label in sorted(wanted - current):
        session.add(HousingPrecision(housing_id=housing.id, category=category, label=label,
                                     collectivite_id=housing.collectivite_id, agent_id=agent.id,
                                     attached_at=now))  # fmt: skip
        events.append(_event(row, agent, "housing:precision-attached", now, None,
                             {"category": category, "label": label}))  # fmt: skip
    for category, label in sorted(current - wanted) if detach_others else ():
        session.execute(
            HousingPrecision.__table__.delete().where(
                HousingPrecision.housing_id == housing.id,
                HousingPrecision.category == category, HousingPrecision.label == label,
            )
        )  # fmt: skip
        events.append(_event(row, agent, "housing:precision-detached", now,
                             {"category": category, "label": label}, None))  # fmt: skip
    session.add_all(events)
    _acted(session, row, now)
    return events


def add_note(session: Session, agent: Agent, row: QueueRow, content: str,
             kind: str = "Note courante", now: datetime | None = None) -> Note:  # fmt: skip
    content = (content or "").strip()
    if not content:
        raise FollowupError("empty-note")
    if len(content) > NOTE_MAX_LENGTH:
        raise FollowupError("note-too-long")
    if kind not in NOTE_KINDS:
        raise FollowupError("unknown-note-kind")
    begin_write(session)
    now = _now(now)
    note = Note(collectivite_id=row.response.collectivite_id, housing_id=row.housing.id,
                agent_id=agent.id, kind=kind, content=content, created_at=now)  # fmt: skip
    session.add(note)
    session.add(_event(row, agent, "housing:note-created", now, None, {"kind": kind}))
    _acted(session, row, now)
    return note


def mark_callback_done(session: Session, agent: Agent, row: QueueRow,
                       now: datetime | None = None) -> bool:  # fmt: skip
    """Record that the owner was called back; False if there was nothing to do."""
    begin_write(session)
    if row.callback is None or row.callback.handled_at is not None:
        return False
    now = _now(now)
    row.callback.handled_at = now
    session.add(_event(row, agent, "callback:handled", now, {"handled": False}, {"handled": True}))
    _acted(session, row, now)
    return True


def suggestion(row: QueueRow, mapping: dict) -> dict | None:
    """What the owner's answers suggest: status, sub-status, occupancy, précisions."""
    answers = row.response.answers
    suggested = suggestion_for(answers)
    seen = [r.aid_slug for r in row.response.recommendations]
    precisions = suggested_precisions(mapping, answers, seen)
    if suggested is None and not precisions:
        return None
    return {
        "status": suggested.status if suggested else None,
        "sub_status": suggested.sub_status if suggested else None,
        "occupancy": suggested.occupancy if suggested else None,
        "needs_review": suggested.needs_review if suggested else False,
        "precisions": precisions,
    }


def confirm_suggestion(session: Session, agent: Agent, row: QueueRow, mapping: dict,
                       now: datetime | None = None) -> list[Event]:  # fmt: skip
    """Apply what the owner's answers suggest, in one click (précisions are added to the
    ones already there, never removed)."""
    suggested = suggestion(row, mapping)
    if suggested is None:
        return []
    now, events = _now(now), []
    if suggested["status"]:
        events += change_status(session, agent, row, suggested["status"],
                                suggested["sub_status"], suggested["occupancy"], now)  # fmt: skip
    if suggested["precisions"]:
        events += set_precisions(session, agent, row, suggested["precisions"],
                                 detach_others=False, now=now)  # fmt: skip
    return events
