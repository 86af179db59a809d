"""The digest: an e-mail to each active agent of a collectivité saying what owners sent
since the last one, daily by default (`Collectivite.digest_frequency`: daily, weekly or
never), sent by `portal digest send` (cron) through the outbox (retries, nothing lost).

What the e-mail says, and why only that. It gives counts: how many answers had a new
owner return in the period, split by the tab of the queue where they are now (à rappeler,
nouvelles, en suivi, clôturées), how many call-back requests are waiting in all, and links
to the queue. It never names an owner, an address, a phone number or an answer. Reasons:
- minimisation (RGPD art. 5.1.c): to decide to open the back-office, an agent needs to know
  that something is waiting and how much, not who; the details are one click away;
- an e-mail leaves the portal's access control: it sits in mailboxes, is forwarded, kept
  without limit, read on phones, and the portal cannot log who reads it, whereas every read
  in the back-office is logged (AccessLog, shown to the admins). The CNIL's guidance on
  e-mail is to send no personal data in clear that the recipient could fetch securely;
- the owners' names and addresses come from LOVAC (DGFiP tax files), shared with
  collectivités on condition that only authorised agents see them: a mail can reach others;
- a call-back request carries a phone number or an e-mail given for one purpose (being
  called back by the collectivité): it stays in the back-office.
The same goes for the immediate notice of a call-back request (portal.agent_mail).

When is a digest due. Daily: the last digest covered until at least 24 hours ago; weekly:
7 days; never: not sent. The very first covers the last 24 hours (or 7 days). `SLACK`
lets a cron job that starts a little early still send; run the command once a day at the
hour you want (running it more often is harmless: nothing is ever sent twice).
Nothing happened (no owner return in the period): no e-mail at all, but the period counts
as covered, so the next digest does not repeat an empty one.

Once only. Each collectivité is handled in one transaction that locks its row (BEGIN
IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), checks again that a digest is
due, queues one e-mail per active agent and moves `digest_sent_at` to the end of the
period: two runs at once, or a run repeated, queue each e-mail once. The period ends
`SETTLE` before now: an owner's return stamped just before now may still be committing,
and will be counted by the next digest rather than by none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.agent_mail import active_agent_emails, display_name, external_url, in_french
from portal.database import begin_write
from portal.models import Collectivite, Response
from portal.models.contact import CallbackRequest
from portal.models.response import QUEUE_TABS
from portal.outbox import queue_mail

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
SLACK = timedelta(minutes=10)
SETTLE = timedelta(minutes=2)


@dataclass(frozen=True)
class Digest:
    """What one digest reports for one collectivité."""

    since: datetime
    until: datetime
    returns_by_tab: dict[str, int]  # answers with a return in the period, by current tab
    callbacks_waiting: int  # call-back requests not yet marked done, whenever made

    @property
    def returns(self) -> int:
        return sum(self.returns_by_tab.values())


@dataclass(frozen=True)
class Outcome:
    collectivite_id: int
    due: bool
    queued: int = 0  # e-mails queued (0: not due, nothing happened, or no active agent)
    returns: int = 0
    failed: bool = False  # an error stopped it: nothing queued, tried again next run


def is_due(collectivite: Collectivite, now: datetime) -> bool:
    period = PERIODS.get(collectivite.digest_frequency)
    if period is None:
        return False
    last = collectivite.digest_sent_at
    return last is None or last <= now - period + SLACK


def gather(session: Session, collectivite_id: int, since: datetime, until: datetime) -> Digest:
    """Counts only (see the module's docstring): nothing that names an owner."""
    returned = session.execute(
        select(Response.queue_tab, func.count())
        .where(
            Response.collectivite_id == collectivite_id,
            Response.queue_tab.is_not(None),
            Response.last_return_at > since,
            Response.last_return_at <= until,
        )
        .group_by(Response.queue_tab)
    )
    by_tab = dict.fromkeys(QUEUE_TABS, 0)
    by_tab.update({tab: count for tab, count in returned})
    waiting = session.scalar(
        select(func.count())
        .select_from(CallbackRequest)
        .where(CallbackRequest.collectivite_id == collectivite_id,
               CallbackRequest.handled_at.is_(None))
    )  # fmt: skip
    return Digest(since, until, by_tab, waiting or 0)


def digest_message(collectivite: Collectivite, digest: Digest) -> tuple[str, str]:
    """Subject and plain-text body, in French (templates/backoffice/mail/digest.txt)."""

    def build():
        subject = ngettext(
            "%(num)d nouveau retour de propriétaire – %(collectivite)s",
            "%(num)d nouveaux retours de propriétaires – %(collectivite)s",
            digest.returns, collectivite=display_name(collectivite),
        )  # fmt: skip
        body = render_template(
            "backoffice/mail/digest.txt", collectivite=collectivite, digest=digest,
            queue_url=external_url("backoffice.queue"),
            tab_urls={tab: external_url("backoffice.queue", onglet=tab) for tab in QUEUE_TABS},
            settings_url=external_url("backoffice.settings"),
        )  # fmt: skip
        return subject, body

    return in_french(build)


def send_digest(session: Session, collectivite_id: int, now: datetime) -> Outcome:
    """The collectivité's digest if due, queued and recorded in one locked transaction."""
    begin_write(session)
    collectivite = session.scalars(
        select(Collectivite)
        .where(Collectivite.id == collectivite_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if not is_due(collectivite, now):
        session.rollback()
        return Outcome(collectivite_id, due=False)
    until = now - SETTLE
    since = collectivite.digest_sent_at or until - PERIODS[collectivite.digest_frequency]
    digest = gather(session, collectivite_id, since, until)
    recipients = active_agent_emails(session, collectivite_id) if digest.returns else []
    if recipients:
        subject, body = digest_message(collectivite, digest)
        for email in recipients:
            queue_mail(session, email, subject, body, collectivite_id=collectivite_id)
    collectivite.digest_sent_at = until
    session.commit()
    return Outcome(collectivite_id, due=True, queued=len(recipients), returns=digest.returns)


def send_digests(session: Session, now: datetime | None = None) -> list[Outcome]:
    """Every collectivité's digest that is due, each in its own transaction: one that
    fails is logged and left for the next run, the others go on."""
    now = now or clock.now()
    ids = session.scalars(
        select(Collectivite.id)
        .where(Collectivite.digest_frequency != "never")
        .order_by(Collectivite.id)
    ).all()
    session.rollback()
    outcomes = []
    for collectivite_id in ids:
        try:
            outcomes.append(send_digest(session, collectivite_id, now))
        except Exception:  # any error: this collectivité waits for the next run
            session.rollback()
            current_app.logger.exception("digest of collectivité %s failed", collectivite_id)
            outcomes.append(Outcome(collectivite_id, due=True, failed=True))
    return outcomes
