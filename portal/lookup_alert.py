"""A global alert on spikes of failed owner lookups (security reference, §3.4).

Why: the per-address limits of portal.ratelimit (by default 10 failures per 15 minutes and
30 per hour) cap what one address can guess, but a botnet spreads its guesses over
thousands of addresses, each under its limits. Only the total gives it away, so this module
counts every failed lookup (a QR link or a typed code that opens no letter, as counted by
the limiter), all addresses together, per hour (UTC), and raises an alert when an hour goes
far beyond the usual.

The usual, or baseline, is the mean number of failures per hour over the
`LOOKUP_ALERT_BASELINE_HOURS` hours before the current one (168: a whole week, so evenings,
week-ends and a campaign's first days are inside it). Hours without a failure count as zero.
Hours that raised an alert are left out: an attack that goes on does not become the new
normal, it keeps alerting (once an hour).

The floor: a quiet portal fails a few lookups an hour (typos), and 5 × 2 = 10 failures would
alert every evening. The threshold is `LOOKUP_ALERT_FACTOR` (5) × max(baseline,
`LOOKUP_ALERT_MIN_PER_HOUR` (50)), so nothing alerts under 250 failures an hour by default.
That blind spot is harmless: an attacker held under 250 guesses an hour for a whole 90-day
campaign makes 540,000 guesses, which against 100,000 live 12-character codes (60 bits)
finds about 5 × 10⁻⁸ codes (guesses × codes / 32¹², §3.3). The alert fires when the
current hour's count goes over the threshold, as soon as it does (not at the end of the
hour).

When it fires: one WARNING in the log (counts and the hour only, never an address, a token
or a code) and one e-mail, in French, queued in the outbox (`portal outbox send`) to
`SECURITY_ALERT_EMAIL`. One per hour, however many workers see the crossing: the mark "alert
raised for this hour" is atomic (a conditional UPDATE of the hour's row in the database,
SET NX in Redis) and only the worker that sets it logs and writes the e-mail. Without
SECURITY_ALERT_EMAIL, the alert is only logged (and each worker says so once).

Where the counts live, shared by all workers, in the same store as the per-address limits:
- database (no REDIS_URL): table `lookup_failure_hour`, one row per hour, incremented by an
  upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING: atomic on SQLite and PostgreSQL) in
  the transaction that records the failure; rows older than the baseline window are
  deleted (by each worker, once an hour);
- Redis (REDIS_URL): INCR of one key per hour under RATE_LIMIT_KEY_PREFIX, with an expiry
  just beyond the baseline window (Redis purges them).

Cost: failures only (a success never touches the counter), one statement or one Redis round
trip per failure; each worker reads the baseline once an hour (past hours no longer change)
and tries the alert mark at most once an hour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from flask_babel import force_locale, format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import Insert, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.config import ConfigurationError
from portal.database import begin_write
from portal.dates import long_date
from portal.extensions import db
from portal.i18n import current_language
from portal.models import LookupFailureHour
from portal.outbox import queue_mail

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
KEEP_AT_LEAST = timedelta(hours=24)  # what `portal security lookups` shows


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour that holds `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class HourCount:
    hour_start: datetime
    failures: int
    alerted: bool


@dataclass(frozen=True)
class Baseline:
    per_hour: float  # mean failures per hour over the window, alerted hours left out
    hours: int  # the window, in hours
    floor: int
    factor: int

    @property
    def threshold(self) -> float:
        """More failures than this in one hour raise the alert."""
        return self.factor * max(self.per_hour, self.floor)


def init_lookup_alert(app: Flask, redis_url: str | None, prefix: str) -> LookupAlert:
    settings = {}
    for name, minimum in (("LOOKUP_ALERT_FACTOR", 2), ("LOOKUP_ALERT_MIN_PER_HOUR", 1),
                          ("LOOKUP_ALERT_BASELINE_HOURS", 1)):  # fmt: skip
        value = app.config.get(name)
        if not isinstance(value, int) or value < minimum:
            raise ConfigurationError(f"{name} must be a whole number of at least {minimum}.")
        settings[name] = value
    window = timedelta(hours=settings["LOOKUP_ALERT_BASELINE_HOURS"])
    keep = max(window, KEEP_AT_LEAST)
    hours = RedisHours(redis_url, prefix, keep) if redis_url else DatabaseHours(keep)
    return LookupAlert(hours, settings["LOOKUP_ALERT_FACTOR"],
                       settings["LOOKUP_ALERT_MIN_PER_HOUR"], window)  # fmt: skip


def current_alert() -> LookupAlert:
    return current_app.extensions["lookup_alert"]


class LookupAlert:
    """Counts failed lookups per hour and raises the alert; one per app (that is, worker)."""

    def __init__(self, hours: DatabaseHours | RedisHours, factor: int, floor: int,
                 window: timedelta) -> None:  # fmt: skip
        self.hours = hours
        self.factor = factor
        self.floor = floor
        self.window = window
        self._baseline: tuple[datetime, Baseline] | None = None
        self._mark_tried_for: datetime | None = None
        self._said_no_recipient = False

    # The hot path: one failure.

    def count(self, moment: datetime) -> tuple[datetime, int]:
        """Add one failure to the hour of `moment`, in the caller's transaction (the
        database store commits it with the per-address hit). Returns (moment, the hour's
        count so far)."""
        return moment, self.hours.add(hour_of(moment))

    def check(self, moment: datetime, failures: int) -> None:
        """Raise the alert if `failures` so far in the hour of `moment` is over the
        threshold and no worker has raised it yet for that hour."""
        hour = hour_of(moment)
        if self._mark_tried_for == hour:
            return
        baseline = self.baseline(hour)
        if failures <= baseline.threshold:
            return
        self._mark_tried_for = hour
        self.hours.mark_alerted(hour, moment, lambda: self._raise(hour, failures, baseline))

    # Reading.

    def baseline(self, hour: datetime) -> Baseline:
        """The baseline for the hour starting at `hour` (read once an hour per worker, when
        old hours are also purged)."""
        if self._baseline is not None and self._baseline[0] == hour:
            return self._baseline[1]
        counts = self.hours.between(hour - self.window, hour)
        quiet = [count.failures for count in counts if not count.alerted]
        hours = round(self.window / HOUR)
        alerted = len(counts) - len(quiet)
        mean = sum(quiet) / (hours - alerted) if hours > alerted else 0.0
        baseline = Baseline(mean, hours, self.floor, self.factor)
        self.hours.purge(before=hour - self.hours.keep)
        self._baseline = (hour, baseline)
        return baseline

    def last_hours(self, moment: datetime, hours: int) -> list[HourCount]:
        """Every hour of the last `hours` up to the one holding `moment`, oldest first."""
        end = hour_of(moment) + HOUR
        start = end - hours * HOUR
        found = {count.hour_start: count for count in self.hours.between(start, end)}
        return [found.get(start + n * HOUR, HourCount(start + n * HOUR, 0, False))
                for n in range(hours)]  # fmt: skip

    # The alert.

    def _raise(self, hour: datetime, failures: int, baseline: Baseline) -> None:
        """Called once per hour, by the worker that set the mark, in its transaction."""
        log.warning(
            "lookup alert: %s failed lookups (all addresses) in the hour from %s UTC, over "
            "the threshold of %.1f (baseline %.1f per hour over %s hours, floor %s, "
            "factor %s)",
            failures, hour.strftime("%Y-%m-%d %H:%M"), baseline.threshold,
            baseline.per_hour, baseline.hours, baseline.floor, baseline.factor,
        )  # fmt: skip
        recipient = current_app.config.get("SECURITY_ALERT_EMAIL")
        if not recipient:
            if not self._said_no_recipient:
                log.warning("lookup alert: SECURITY_ALERT_EMAIL is not set, alerts are only "
                            "logged")  # fmt: skip
                self._said_no_recipient = True
            return
        subject, body = alert_mail(hour, failures, baseline)
        queue_mail(db.session(), recipient, subject, body)


def alert_mail(hour: datetime, failures: int, baseline: Baseline) -> tuple[str, str]:
    """The alert e-mail (subject, body), in the portal's default language (French)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        numbers = {
            "failures": format_decimal(failures),
            "baseline": format_decimal(baseline.per_hour, "#,##0.#"),
            "threshold": format_decimal(baseline.threshold, "#,##0.#"),
            "floor": format_decimal(baseline.floor),
            "factor": baseline.factor,
            "hours": baseline.hours,
        }
        when = {
            "day": format_datetime(hour, "EEEE") + " " + long_date(hour, current_language()),
            "start": format_datetime(hour, "HH:mm"),
            "end": format_datetime(hour + HOUR, "HH:mm"),
            "portal": current_app.config["PORTAL_BASE_URL"],
        }
        subject = _("Alerte de sécurité : %(failures)s liens ou codes refusés en une heure",
                    **numbers)  # fmt: skip
        paragraphs = [
            _("Bonjour,"),
            _("Le portail %(portal)s a refusé %(failures)s liens de QR code ou codes saisis le "
              "%(day)s entre %(start)s et %(end)s (heure de Paris), toutes adresses "
              "confondues.", **numbers, **when),
            _("D’habitude, il en refuse %(baseline)s par heure (moyenne des %(hours)s heures "
              "précédentes). Le seuil d’alerte est de %(threshold)s par heure : %(factor)s "
              "fois cette moyenne, ou %(factor)s fois %(floor)s si elle est plus basse.",
              **numbers),
            _("Beaucoup d’adresses qui essaient chacune quelques codes peuvent être une "
              "tentative de deviner les codes des courriers : chaque adresse reste sous sa "
              "limite, seul le total le montre."),
            _("Que faire :"),
            _("– consultez les journaux du portail et du proxy pour cette heure (messages "
              "« rate limit » et « lookup alert ») : d’où viennent les requêtes, vers /l/… "
              "ou vers /code ;"),
            _("– si un envoi de courriers n’explique pas cet afflux, abaissez les limites par "
              "adresse (variable CODE_FAILURE_LIMITS) ou bloquez au proxy les plages "
              "d’adresses en cause ;"),
            _("– suivez l’évolution heure par heure avec la commande « portal security "
              "lookups »."),
            _("Vous ne recevrez pas d’autre message pour cette heure. Ce message est envoyé "
              "automatiquement : merci de ne pas y répondre."),
        ]  # fmt: skip
    return subject, "\n\n".join(paragraphs) + "\n"


class DatabaseHours:
    """Hourly counts in the `lookup_failure_hour` table (the database store)."""

    def __init__(self, keep: timedelta) -> None:
        self.keep = keep
        self._upserts: dict[str, Insert] = {}

    def add(self, hour: datetime) -> int:
        """One more failure in `hour`; the count so far. Not committed: the caller does."""
        session = db.session()
        dialect = session.get_bind().dialect.name
        upsert = self._upserts.get(dialect)
        if upsert is None:  # built once: a Core statement, cheaper than the ORM's DML
            table = LookupFailureHour.__table__
            insert = (postgresql if dialect == "postgresql" else sqlite).insert
            upsert = self._upserts[dialect] = (
                insert(table)
                .values(hour_start=bindparam("hour"), failures=1)
                .on_conflict_do_update(index_elements=[table.c.hour_start],
                                       set_={"failures": table.c.failures + 1})
                .returning(table.c.failures)
            )  # fmt: skip
        return session.execute(upsert, {"hour": hour}).scalar_one()

    def between(self, start: datetime, end: datetime) -> list[HourCount]:
        rows = db.session().execute(
            select(LookupFailureHour.hour_start, LookupFailureHour.failures,
                   LookupFailureHour.alerted_at)
            .where(LookupFailureHour.hour_start >= start, LookupFailureHour.hour_start < end)
            .order_by(LookupFailureHour.hour_start)
        )  # fmt: skip
        return [HourCount(hour, failures, alerted is not None) for hour, failures, alerted in rows]

    def mark_alerted(self, hour: datetime, moment: datetime, then: Callable[[], None]) -> bool:
        """Set the hour's mark unless a worker already has; if set, run `then` (which
        queues the e-mail) in the same transaction. True for the one worker that set it."""
        session = db.session()
        begin_write(session)
        marked = session.execute(
            update(LookupFailureHour)
            .where(LookupFailureHour.hour_start == hour, LookupFailureHour.alerted_at.is_(None))
            .values(alerted_at=moment)
            .execution_options(synchronize_session=False)
        ).rowcount
        if marked != 1:
            session.rollback()
            return False
        then()
        session.commit()
        return True

    def purge(self, before: datetime) -> None:
        session = db.session()
        begin_write(session, reload=False)  # not in the request's read transaction
        session.execute(delete(LookupFailureHour).where(LookupFailureHour.hour_start < before))
        session.commit()


class RedisHours:
    """Hourly counts in Redis: `<prefix>:lookup-failures:<hour>` and `<prefix>:lookup-alert:
    <hour>`, expiring once out of the baseline window."""

    def __init__(self, url: str, prefix: str, keep: timedelta) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.prefix = prefix
        self.keep = keep
        self.ttl = int((keep + 2 * HOUR).total_seconds())

    def key(self, kind: str, hour: datetime) -> str:
        return f"{self.prefix}:lookup-{kind}:{hour:%Y-%m-%dT%H}"

    def add(self, hour: datetime) -> int:
        key = self.key("failures", hour)
        pipeline = self.redis.pipeline(transaction=True)  # one round trip, never without TTL
        pipeline.incr(key)
        pipeline.expire(key, self.ttl)
        failures, _expiry_set = pipeline.execute()
        return int(failures)

    def between(self, start: datetime, end: datetime) -> list[HourCount]:
        hours = [start + n * HOUR for n in range(round((end - start) / HOUR))]
        if not hours:
            return []
        keys = [self.key(kind, hour) for kind in ("failures", "alert") for hour in hours]
        values = self.redis.mget(keys)
        failures, alerts = values[: len(hours)], values[len(hours) :]
        return [HourCount(hour, int(count), alert is not None)
                for hour, count, alert in zip(hours, failures, alerts, strict=True)
                if count is not None]  # fmt: skip

    def mark_alerted(self, hour: datetime, moment: datetime, then: Callable[[], None]) -> bool:
        key = self.key("alert", hour)
        if not self.redis.set(key, moment.isoformat(), nx=True, ex=self.ttl):
            return False
        try:
            session = db.session()
            begin_write(session)
            then()
            session.commit()
        except BaseException:
            self.redis.delete(key)  # let another failure try again
            raise
        return True

    def purge(self, before: datetime) -> None:
        """Nothing to do: the keys expire."""
