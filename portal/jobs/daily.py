"""The daily tasks: send the campaigns whose date is reached, then purge what is past its
retention period. The same work as `portal campaign tick` and `portal retention purge`.

With Redis, `portal worker` runs them (cron is then not needed): at its maintenance, every
10 minutes and at start, a worker past DAILY_TASKS_HOUR (France's time) claims the day with
a Redis key (SET NX: one claim a day whatever the number of workers) and enqueues
`run_daily`, which the next free worker runs. Both tasks are idempotent, so cron running
them as well does no harm.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import Flask

from portal import clock, retention
from portal.campaigns import schedule
from portal.database import begin_write
from portal.extensions import db

log = logging.getLogger(__name__)

CLAIM_KEY = "portal:daily:{day}"
CLAIM_KEEP = timedelta(days=3)  # long enough to outlive the day it names, in any zone


def run(app: Flask, now: datetime | None = None) -> dict:
    """Both tasks, inside `app`'s context; returns the counts."""
    now = now or clock.now()
    session = db.session()
    try:
        begin_write(session)
        moved = schedule.tick(session, now)
        session.commit()
        report = retention.purge(session, now, retention.Periods.from_config(app.config))
    finally:
        session.close()
    purged = {kind: report.total(kind) for kind in retention.KINDS}
    purged["rate_limit_hits"] = report.rate_limit_hits
    result = {"housings_sent": moved, "purged": purged}
    counts = {"housings_sent": moved, **{f"purged_{kind}": n for kind, n in purged.items()}}
    log.info("daily tasks done", extra={"day": clock.local_date(now).isoformat(), **counts})
    return result


def due_day(now: datetime, hour: int) -> date | None:
    """The day whose tasks are due at `now` (France's time), or None before `hour`."""
    local = now.astimezone(clock.PARIS)
    return local.date() if local.hour >= hour else None


def claim(connection, day: date, claimant: str) -> bool:
    """True for the first claimant of `day`, False for every other (all workers share it)."""
    key = CLAIM_KEY.format(day=day.isoformat())
    return bool(connection.set(key, claimant, nx=True, ex=int(CLAIM_KEEP.total_seconds())))
