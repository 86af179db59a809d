"""Reading the owners' answers of one collectivité: the queue, its filters, one answer.

Every function takes the collectivité's id first and every query it builds is restricted to
it, so that no view can read another collectivité's answers by building its own query.
A foreign or unknown id gives None (the views answer 404 either way).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, distinct, exists, func, select, tuple_, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from portal import clock
from portal.bounds import MAX_ID, parse_id
from portal.database import begin_write
from portal.models import (
    Agent,
    Campaign,
    Housing,
    Letter,
    Note,
    Owner,
    Response,
    ResponseRecommendation,
)
from portal.models.contact import CallbackRequest
from portal.models.response import QUEUE_TABS
from portal.queue import search_text

PAGE_SIZE = 50
ORDERS = ("return", "callback")
# 1 when the owner asked to be called back (done or not): the "callback" order's first key.
CALLBACK_ASKED = case((CallbackRequest.id.is_not(None), 1), else_=0)


@dataclass(frozen=True)
class QueueFilter:
    """What the agent asked the queue for (all optional but the tab)."""

    tab: str | None = "new"  # None: every tab (exports, bulk selection)
    campaign_id: int | None = None
    insee_code: str | None = None
    aid_slug: str | None = None  # among the recommendations the owner saw
    situation: str | None = None  # the declared situation (answer to "situation")
    callback: bool | None = None  # asked to be called back (whether or not done)
    since: date | None = None  # latest return on or after this day (Europe/Paris)
    until: date | None = None  # … on or before this day
    search: str | None = None  # in the owner's name and the dwelling's address
    order: str = "return"  # "return": latest return first; "callback": call-backs first

    def __post_init__(self) -> None:
        if self.tab is not None and self.tab not in QUEUE_TABS:
            raise ValueError(f"unknown tab {self.tab!r}")
        if self.order not in ORDERS:
            raise ValueError(f"unknown order {self.order!r}")


@dataclass
class QueueRow:
    response: Response
    letter: Letter
    housing: Housing
    owner: Owner
    callback: CallbackRequest | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    counts: dict[str, int]  # per tab, under the same filter
    next_cursor: str | None = None
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = sum(self.counts.values())


def _day_start(day: date) -> datetime:
    """Midnight in Paris, in UTC (the agent's days are French days)."""
    return datetime.combine(day, time(), ZoneInfo("Europe/Paris")).astimezone(UTC)


def _filtered(statement: Select, collectivite_id: int, where: QueueFilter) -> Select:
    """`statement` narrowed to the filter (it must join Letter for a campaign, and Letter
    and Housing for a commune; the other filters read Response and its own tables)."""
    statement = statement.where(
        Response.collectivite_id == collectivite_id, Response.queue_tab.is_not(None)
    )
    if where.campaign_id is not None:
        statement = statement.where(Letter.campaign_id == where.campaign_id)
    if where.insee_code:
        statement = statement.where(Housing.insee_code == where.insee_code)
    if where.aid_slug:
        statement = statement.where(
            exists().where(
                ResponseRecommendation.response_id == Response.id,
                ResponseRecommendation.aid_slug == where.aid_slug,
            )
        )
    if where.situation:
        statement = statement.where(Response.answers["situation"].as_string() == where.situation)
    if where.callback is not None:
        request = aliased(CallbackRequest)  # the rows' query joins CallbackRequest too
        asked = exists().where(request.letter_id == Response.letter_id)
        statement = statement.where(asked if where.callback else ~asked)
    if where.since:
        statement = statement.where(Response.last_return_at >= _day_start(where.since))
    if where.until:
        statement = statement.where(
            Response.last_return_at < _day_start(where.until + timedelta(days=1))
        )
    words = search_text(where.search or "").split()
    for word in words[:8]:
        statement = statement.where(Response.search_text.contains(word, autoescape=True))
    return statement


def _joined(statement: Select) -> Select:
    return (
        statement.join(Letter, Letter.id == Response.letter_id)
        .join(Housing, Housing.id == Letter.housing_id)
        .join(Owner, Owner.id == Letter.owner_id)
    )


def _rows_statement(collectivite_id: int, where: QueueFilter) -> Select:
    statement = _joined(select(Response, Letter, Housing, Owner, CallbackRequest)).outerjoin(
        CallbackRequest, CallbackRequest.letter_id == Response.letter_id
    )
    statement = _filtered(statement, collectivite_id, where)
    if where.tab is not None:
        statement = statement.where(Response.queue_tab == where.tab)
    newest = (Response.last_return_at.desc(), Response.id.desc())
    if where.order == "callback":
        return statement.order_by(CALLBACK_ASKED.desc(), *newest)
    return statement.order_by(*newest)


def tab_counts(session: Session, collectivite_id: int, where: QueueFilter) -> dict[str, int]:
    """Answers per tab under the filter. Joins the letter and the dwelling only when a
    filter needs them (campaign, commune): otherwise the count reads `ix_response_queue`
    alone (measured with bench/bench_queue.py: 120 ms → ~20 ms for 50,000 answers)."""
    statement = select(Response.queue_tab, func.count())
    if where.campaign_id is not None or where.insee_code:
        statement = statement.join(Letter, Letter.id == Response.letter_id)
    if where.insee_code:
        statement = statement.join(Housing, Housing.id == Letter.housing_id)
    statement = _filtered(statement, collectivite_id, where).group_by(Response.queue_tab)
    counts = dict.fromkeys(QUEUE_TABS, 0)
    counts.update({tab: count for tab, count in session.execute(statement)})
    return counts


def new_answers_count(session: Session, collectivite_id: int) -> int:
    """The count of the queue's "Nouvelles" tab without a filter (the back-office
    navigation's badge): one count on `ix_response_queue`, this collectivité's only."""
    statement = select(func.count()).where(
        Response.collectivite_id == collectivite_id, Response.queue_tab == "new"
    )
    return session.scalar(statement) or 0


def encode_cursor(row: QueueRow, order: str = "return") -> str:
    moment = row.response.last_return_at.astimezone(UTC)
    position = f"{int(moment.timestamp() * 1_000_000)}.{row.response.id}"
    return f"{int(row.callback is not None)}.{position}" if order == "callback" else position


def decode_cursor(cursor: str | None, order: str = "return",
                  largest_id: int = MAX_ID) -> tuple | None:  # fmt: skip
    """The position after which the next page starts: (moment, id), or (asked, moment, id)
    in the "callback" order; None for a missing or bad cursor (an id beyond `largest_id`,
    what the table's key can hold, among them)."""
    try:
        parts = (cursor or "").split(".")
        asked = ()
        if order == "callback":
            flag, *parts = parts
            if flag not in ("0", "1"):
                return None
            asked = (int(flag),)
        micros, response_id = parts
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        after = parse_id(response_id, largest_id)
        return None if after is None else (*asked, moment, after)
    except (ValueError, OverflowError, OSError):
        return None


def queue_page(
    session: Session, collectivite_id: int, where: QueueFilter, cursor: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:  # fmt: skip
    """One page of the queue, newest return first, from `cursor` on (keyset pagination)."""
    statement = _rows_statement(collectivite_id, where)
    after = decode_cursor(cursor, where.order)
    if after is not None:
        keys = (Response.last_return_at, Response.id)
        if where.order == "callback":
            keys = (CALLBACK_ASKED, *keys)
        statement = statement.where(tuple_(*keys) < after)
    rows = [QueueRow(*row) for row in session.execute(statement.limit(size + 1))]
    page = QueuePage(rows[:size], tab_counts(session, collectivite_id, where))
    if len(rows) > size:
        page.next_cursor = encode_cursor(rows[size - 1], where.order)
    return page


def queue_rows(
    session: Session, collectivite_id: int, where: QueueFilter, ids: list[int] | None = None
) -> Iterator[QueueRow]:
    """Every row of the filter (or, with `ids`, of these responses within the filter),
    streamed in batches: for exports and bulk actions."""
    statement = _rows_statement(collectivite_id, where)
    if ids is not None:
        statement = statement.where(Response.id.in_(ids))
    for row in session.execute(statement.execution_options(yield_per=500)):
        yield QueueRow(*row)


def owner_count(
    session: Session, collectivite_id: int, where: QueueFilter, ids: list[int] | None = None
) -> int:
    """How many distinct owners `queue_rows` would give (what an export logs)."""
    counted = select(func.count(distinct(Owner.id))).select_from(Response)
    statement = _filtered(_joined(counted), collectivite_id, where)
    if where.tab is not None:
        statement = statement.where(Response.queue_tab == where.tab)
    if ids is not None:
        statement = statement.where(Response.id.in_(ids))
    return session.scalar(statement) or 0


def answer(session: Session, collectivite_id: int, response_id: int) -> QueueRow | None:
    """One answer of the collectivité's queue, with its letter, dwelling, owner, call-back."""
    statement = _rows_statement(collectivite_id, QueueFilter(tab=None)).where(
        Response.id == response_id
    )
    row = session.execute(statement).first()
    return QueueRow(*row) if row is not None else None


def campaign_choices(session: Session, collectivite_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Campaign.id, Campaign.title)
        .where(Campaign.collectivite_id == collectivite_id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    )
    return [(campaign_id, title) for campaign_id, title in rows]


def commune_choices(session: Session, collectivite_id: int) -> list[str]:
    """The INSEE codes of the communes where the collectivité has answers."""
    return list(
        session.scalars(
            select(Housing.insee_code)
            .where(Housing.collectivite_id == collectivite_id)
            .distinct()
            .order_by(Housing.insee_code)
        )
    )


@dataclass
class NoteRow:
    note: Note
    author: str | None  # the agent's full name (their e-mail when they have none); None: gone


def housing_notes(session: Session, collectivite_id: int, housing_id: int) -> list[NoteRow]:
    """The dwelling's notes, newest first, each with its author's name (one query)."""
    rows = session.execute(
        select(Note, Agent.full_name, Agent.email)
        .outerjoin(Agent, and_(Agent.id == Note.agent_id,
                               Agent.collectivite_id == collectivite_id))
        .where(Note.collectivite_id == collectivite_id, Note.housing_id == housing_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )  # fmt: skip
    return [NoteRow(note, (name or "").strip() or email) for note, name, email in rows]


def mark_opened(session: Session, collectivite_id: int, response: Response,
                now: datetime | None = None) -> None:  # fmt: skip
    """Record that an agent opened the answer (the queue marks answers the owner changed
    since). The caller commits. `updated_at` is left alone: reading changes nothing."""
    if response.collectivite_id != collectivite_id:
        raise ValueError("another collectivité's answer")
    now = now or clock.now()
    begin_write(session, reload=False)
    session.execute(
        update(Response)
        .where(Response.id == response.id, Response.collectivite_id == collectivite_id)
        .values(opened_at=now, updated_at=Response.updated_at)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(response, "opened_at", now)
