"""E-mails go through an outbox table: queued in the transaction that needs them, sent by
`portal outbox send` (cron or worker) with exponential back-off, given up after
MAX_ATTEMPTS and then visible as failed. A mail server that is down loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_mail import Message
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.models.contact import OutboxMessage

MAX_ATTEMPTS = 8  # 5 min, 10, 20, 40, 80, 160, 320: about 10 hours in all
FIRST_DELAY = timedelta(minutes=5)


def queue_mail(db: Session, recipient: str, subject: str, body: str,
               collectivite_id: int | None = None) -> OutboxMessage:  # fmt: skip
    """Add a message to the outbox (the caller commits, with what the message reports)."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body,
                            collectivite_id=collectivite_id)  # fmt: skip
    db.add(message)
    return message


def send_due(db: Session, send: Callable[[OutboxMessage], None], now: datetime | None = None,
             batch: int = 100) -> tuple[int, int]:  # fmt: skip
    """Try every message that is due; returns (sent, failed this round)."""
    now = now or clock.now()
    due = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    ).all()  # fmt: skip
    sent = failed = 0
    for message in due:
        error = None
        try:
            send(message)  # never under the write lock
        except Exception as caught:  # any transport error means "retry later"
            error = caught
        begin_write(db, reload=False)  # the message's own row: nothing read is stale
        message.attempts += 1
        if error is None:
            sent += 1
            message.sent_at, message.last_error = now, None
        else:
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            if message.attempts >= MAX_ATTEMPTS:
                message.failed_at = now
            else:
                message.next_attempt_at = now + FIRST_DELAY * 2 ** (message.attempts - 1)
        db.commit()
    return sent, failed


def flask_mail_sender(mail, sender: str) -> Callable[[OutboxMessage], None]:
    def send(message: OutboxMessage) -> None:
        mail.send(Message(subject=message.subject, recipients=[message.recipient],
                          body=message.body, sender=sender))  # fmt: skip

    return send
