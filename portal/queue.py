"""Where an owner's answer sits in the collectivité's queue, kept up to date by whoever
changes it: the owner (a submission, an exit, a call-back request) or an agent.

The tabs, in order:
- "callback"  À rappeler: the owner asked to be called back and no agent has marked it
  done. It comes first whatever else is true: someone is waiting for a call.
- "new"       Nouvelles: no agent has acted on it yet.
- "follow-up" En suivi: an agent has acted on it, and the follow-up is not over.
- "closed"    Clôturées: the dwelling's follow-up is over ("Suivi terminé") or blocked
  ("Suivi bloqué"), as set by an agent (an owner's answer never closes a case, see
  portal.suggestions).
The tab is stored on the Response (`queue_tab`), so that the queue reads one index per tab
even with a million answers; `refresh_tab` is the one place that computes it.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Housing, Letter, Owner, Response
from portal.models.contact import CallbackRequest

CLOSED_STATUSES = ("completed", "blocked")


def tab_for(housing_status: str, callback_pending: bool, reviewed: bool) -> str:
    if callback_pending:
        return "callback"
    if housing_status in CLOSED_STATUSES and reviewed:
        return "closed"
    return "follow-up" if reviewed else "new"


def search_text(*parts: str) -> str:
    """Lower-cased, without accents or punctuation runs: "Hélène  D'Arc" → "helene d arc"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(parts).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def refresh_tab(session: Session, response: Response) -> str:
    """Recompute and store the response's tab from the dwelling and the call-back request
    (and its search text, from the owner's name and the dwelling's address)."""
    status, name, address = session.execute(
        select(Housing.status, Owner.full_name, Housing.address_lines)
        .join(Letter, Letter.housing_id == Housing.id)
        .join(Owner, Owner.id == Letter.owner_id)
        .where(Letter.id == response.letter_id)
    ).one()  # fmt: skip
    response.search_text = search_text(name, *address)[:600]
    handled = session.execute(
        select(CallbackRequest.handled_at).where(CallbackRequest.letter_id == response.letter_id)
    ).first()
    pending = handled is not None and handled[0] is None
    response.queue_tab = tab_for(status, pending, response.reviewed_at is not None)
    return response.queue_tab
