"""The portal's public figures (/stats): aggregates over every collectivité, no personal
data, small counts suppressed.

Definitions, the same as the back-office's:
- letters sent: letters of campaigns whose send date has passed, not revoked;
- letters opened: of those, opened on the portal (QR code or typed code);
- diagnostics: diagnostics sent by owners; call-back requests: owners asking to be called;
- recommendations: the aids and solutions shown to owners who sent their diagnostic, by kind;
- satisfaction: answers to « Ce service vous a-t-il été utile ? ».

Statistical disclosure control: a count under 11 is published as « moins de 11 », and a
rate is published only when both its numerator and its denominator reach 11. Where a total
is published beside its parts (months, collectivités), a single suppressed part could be
recovered by subtraction: the smallest other non-zero part is then suppressed too
(complementary suppression). A figure that cannot be computed is None (« Indisponible »), never 0.
Collectivités that asked not to be named (settings["stats"]["named"] false) are counted in
the totals and grouped in one line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    CallbackRequest,
    Campaign,
    Collectivite,
    Letter,
    Response,
    ResponseRecommendation,
)

THRESHOLD = 11
MONTHS = 12


@dataclass(frozen=True)
class Count:
    value: int | None  # None: not available
    suppressed: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.value


def count(value: int | None) -> Count:
    """A true zero is published (it tells of nobody); 1 to 10 are not."""
    return Count(value, value is not None and 0 < value < THRESHOLD)


def rate(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    if 0 < numerator < THRESHOLD or denominator < THRESHOLD:
        return None
    return numerator / denominator


def protect(values: list[int]) -> list[Count]:
    """Counts published beside their total: under 11 suppressed, and when exactly one part
    is suppressed, the smallest other part too, so that no subtraction recovers it."""
    cells = [count(v) for v in values]
    hidden = [i for i, c in enumerate(cells) if c.suppressed]
    if len(hidden) == 1:
        others = [i for i, c in enumerate(cells) if not c.suppressed and values[i] > 0]
        if others:
            smallest = min(others, key=lambda i: values[i])
            cells[smallest] = Count(values[smallest], True)
    return cells


@dataclass
class Row:
    label: str | None  # None: the collectivités not named, together
    letters: Count
    scans: Count
    scan_rate: float | None
    diagnostics: Count


@dataclass
class Stats:
    letters: Count
    scans: Count
    scan_rate: float | None
    diagnostics: Count
    callbacks: Count
    useful_yes: Count
    useful_no: Count
    useful_rate: float | None
    months: list[date] = field(default_factory=list)
    monthly: dict[str, list[Count]] = field(default_factory=dict)  # series → one per month
    recommendations: list[tuple[str, Count]] = field(default_factory=list)  # kind → count
    collectivites: list[Row] = field(default_factory=list)


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.month - 1 - back, 12)
        months.append(date(first.year + year, month + 1, 1))
    return months


def _by_month(values, months: list[date]) -> list[int]:
    """Counts of dates (or datetimes) per month of `months`."""
    found = Counter((value.year, value.month) for value in values if value is not None)
    return [found.get((m.year, m.month), 0) for m in months]


def figures(session: Session, today: date, aid_kinds: dict[str, str]) -> Stats:
    """Every public figure as of `today`; `aid_kinds`: aid slug → its kind (content)."""
    sent = (Letter.revoked_at.is_(None), Campaign.sent_at.is_not(None), Campaign.sent_at <= today)
    letters, scans = session.execute(
        select(func.count(Letter.id), func.count(Letter.first_visit_at))
        .join(Campaign, Campaign.id == Letter.campaign_id).where(*sent)
    ).one()  # fmt: skip
    diagnostics = session.scalar(select(func.count(Response.id))
                                 .where(Response.submitted_at.is_not(None))) or 0  # fmt: skip
    callbacks = session.scalar(select(func.count(CallbackRequest.id))) or 0
    useful = dict(session.execute(
        select(Response.useful, func.count(Response.id)).where(Response.useful.is_not(None))
        .group_by(Response.useful)
    ).all())  # fmt: skip
    yes, no = useful.get(True, 0), useful.get(False, 0)
    months = _months(today)
    since = months[0]
    start = datetime.combine(since, time.min, UTC)  # the window's first instant
    monthly_letters = dict(session.execute(
        select(Campaign.sent_at, func.count(Letter.id))
        .join(Letter, Letter.campaign_id == Campaign.id)
        .where(*sent, Campaign.sent_at >= since).group_by(Campaign.sent_at)
    ).all())  # fmt: skip
    letters_per_month = _by_month(
        (day for day, n in monthly_letters.items() for _ in range(n)), months
    )
    stats = Stats(
        letters=count(letters), scans=count(scans), scan_rate=rate(scans, letters),
        diagnostics=count(diagnostics), callbacks=count(callbacks),
        useful_yes=count(yes), useful_no=count(no), useful_rate=rate(yes, yes + no),
        months=months,
    )  # fmt: skip
    stats.monthly = {
        "letters": protect(letters_per_month),
        "scans": protect(_by_month(session.scalars(
            select(Letter.first_visit_at).where(Letter.first_visit_at >= start)), months)),
        "diagnostics": protect(_by_month(session.scalars(
            select(Response.submitted_at).where(Response.submitted_at >= start)), months)),
        "callbacks": protect(_by_month(session.scalars(
            select(CallbackRequest.consent_at).where(CallbackRequest.consent_at >= start)),
            months)),
    }  # fmt: skip
    shown = Counter()
    for slug, n in session.execute(
        select(ResponseRecommendation.aid_slug, func.count())
        .join(Response, Response.id == ResponseRecommendation.response_id)
        .where(Response.submitted_at.is_not(None)).group_by(ResponseRecommendation.aid_slug)
    ):  # fmt: skip
        shown[aid_kinds.get(slug, "local")] += n
    kinds = sorted(shown, key=lambda k: -shown[k])
    stats.recommendations = list(zip(kinds, protect([shown[k] for k in kinds]), strict=True))
    stats.collectivites = _per_collectivite(session, today)
    return stats


def _per_collectivite(session: Session, today: date) -> list[Row]:
    sent = (Letter.revoked_at.is_(None), Campaign.sent_at.is_not(None), Campaign.sent_at <= today)
    rows = session.execute(
        select(Collectivite.id, Collectivite.name, Collectivite.settings, func.count(Letter.id),
               func.count(Letter.first_visit_at))
        .join(Campaign, Campaign.collectivite_id == Collectivite.id)
        .join(Letter, Letter.campaign_id == Campaign.id).where(*sent)
        .group_by(Collectivite.id, Collectivite.name, Collectivite.settings)
        .order_by(Collectivite.name, Collectivite.id)
    ).all()  # fmt: skip
    answered = dict(session.execute(
        select(Response.collectivite_id, func.count(Response.id))
        .where(Response.submitted_at.is_not(None)).group_by(Response.collectivite_id)
    ).all())  # fmt: skip
    named, others = [], [0, 0, 0]
    for collectivite_id, name, settings, letters, scans in rows:
        diagnostics = answered.get(collectivite_id, 0)
        if named_in_stats(settings):
            named.append((name, letters, scans, diagnostics))
        else:
            others = [others[0] + letters, others[1] + scans, others[2] + diagnostics]
    if any(others):
        named.append((None, *others))
    columns = [protect([row[i] for row in named]) for i in (1, 2, 3)]
    return [
        Row(row[0], columns[0][i], columns[1][i],
            None if columns[0][i].suppressed or columns[1][i].suppressed else rate(row[2], row[1]),
            columns[2][i])
        for i, row in enumerate(named)
    ]  # fmt: skip


def named_in_stats(settings: dict | None) -> bool:
    """Whether the collectivité lets /stats show its name (its admins decide; default yes)."""
    return bool(((settings or {}).get("stats") or {}).get("named", True))
