"""Changing a collectivité's settings (its admins only): identity, contact points, letter
signatories, e-mails to agents, logo, partners and local aids.

Every function takes the collectivité's id, locks its row for the change (BEGIN IMMEDIATE
on SQLite, SELECT … FOR UPDATE on PostgreSQL: two admins saving at once lose nothing of
each other's), and writes an Event "collectivite:updated" (actor: the admin; before and
after: the settings that changed, never the logo's bytes). Nothing is committed here: the
view commits once.

`Collectivite.settings` holds {"signatories": [{name, role}], "partners": [{id, name,
stands_for, phone, email, url, description}], "local_aids": [{id, slug, title,
description, amount, contact}]}; partners and local aids reach the owners' results
through portal.local_overrides.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.logo import Logo
from portal.database import begin_write
from portal.local_overrides import partner_contact_id
from portal.models import Agent, Collectivite, CollectiviteLogo, Event
from portal.public_stats import named_in_stats

MAX_PARTNERS = 30
MAX_LOCAL_AIDS = 30
LOGO_PREFIX = "db:"


class SettingsError(ValueError):
    """A change refused: "too-many" (partners or aids)."""


def locked(session: Session, collectivite_id: int) -> Collectivite:
    """The collectivité, read again and locked for the rest of the transaction."""
    begin_write(session)
    return session.scalars(
        select(Collectivite)
        .where(Collectivite.id == collectivite_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def state(collectivite: Collectivite) -> dict:
    """What an admin can change, as the history records it."""
    settings = collectivite.settings or {}
    return {
        "name": collectivite.name,
        "short_name": collectivite.short_name,
        "contact_points": collectivite.contact_points or [],
        "signatories": settings.get("signatories") or [],
        "digest_frequency": collectivite.digest_frequency,
        "notify_callbacks": collectivite.notify_callbacks,
        "stats_named": named_in_stats(settings),
        "logo": collectivite.logo_path,
        "partners": settings.get("partners") or [],
        "local_aids": settings.get("local_aids") or [],
    }


def record(session: Session, agent: Agent, collectivite: Collectivite, before: dict,
           now: datetime | None = None) -> Event | None:  # fmt: skip
    """The Event of a change: only the keys that changed; none when nothing did."""
    after = state(collectivite)
    changed = sorted(key for key in after if after[key] != before.get(key))
    if not changed:
        return None
    event = Event(
        collectivite_id=collectivite.id, created_at=now or clock.now(),
        actor_kind="agent", agent_id=agent.id, kind="collectivite:updated",
        before={key: before.get(key) for key in changed},
        after={key: after[key] for key in changed},
    )  # fmt: skip
    session.add(event)
    return event


def _set(collectivite: Collectivite, **entries) -> None:
    """Replace entries of the settings (a new dict, so the change is seen and saved)."""
    collectivite.settings = {**(collectivite.settings or {}), **entries}


def update_general(session: Session, agent: Agent, collectivite_id: int,
                   values: dict) -> Event | None:  # fmt: skip
    """Name, short name, contact points, signatories, digest frequency, call-back notices,
    whether /stats names the collectivité."""
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    collectivite.name, collectivite.short_name = values["name"], values["short_name"]
    collectivite.contact_points = values["contact_points"]
    collectivite.digest_frequency = values["digest_frequency"]
    collectivite.notify_callbacks = values["notify_callbacks"]
    _set(
        collectivite,
        signatories=values["signatories"],
        stats={"named": values.get("stats_named", True)},
    )
    return record(session, agent, collectivite, before)


def set_logo(session: Session, agent: Agent, collectivite_id: int, logo: Logo) -> Event | None:
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    stored = session.get(CollectiviteLogo, collectivite_id)
    if stored is None:
        stored = CollectiviteLogo(collectivite_id=collectivite_id)
        session.add(stored)
    stored.data, stored.media_type = logo.data, logo.media_type
    stored.width, stored.height, stored.version = logo.width, logo.height, logo.version
    stored.updated_at = clock.now()
    collectivite.logo_path = LOGO_PREFIX + logo.version
    return record(session, agent, collectivite, before)


def remove_logo(session: Session, agent: Agent, collectivite_id: int) -> Event | None:
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    stored = session.get(CollectiviteLogo, collectivite_id)
    if stored is not None:
        session.delete(stored)
    collectivite.logo_path = None
    return record(session, agent, collectivite, before)


def _new_id(taken: set[str]) -> str:
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in taken:
            return candidate


def _add(session: Session, agent: Agent, collectivite_id: int, key: str, limit: int,
         make: Callable[[str], dict]) -> dict:  # fmt: skip
    """Append `make(new_id)` to the collectivité's list `key` (at most `limit` items) and
    record the change; the item added."""
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    items = before[key]
    if len(items) >= limit:
        raise SettingsError("too-many")
    added = make(_new_id({item["id"] for item in items}))
    _set(collectivite, **{key: [*items, added]})
    record(session, agent, collectivite, before)
    return added


def add_partner(session: Session, agent: Agent, collectivite_id: int, partner: dict) -> dict:
    def make(partner_id: str) -> dict:
        return {"id": partner_id, **partner}

    return _add(session, agent, collectivite_id, "partners", MAX_PARTNERS, make)


def remove_partner(session: Session, agent: Agent, collectivite_id: int,
                   partner_id: str) -> bool:  # fmt: skip
    """Remove the partner; the local aids that named it as their contact lose it."""
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    kept = [p for p in before["partners"] if p["id"] != partner_id]
    if len(kept) == len(before["partners"]):
        return False
    gone = partner_contact_id(partner_id)
    aids = [{**a, "contact": ""} if a.get("contact") == gone else a for a in before["local_aids"]]
    _set(collectivite, partners=kept, local_aids=aids)
    record(session, agent, collectivite, before)
    return True


def slug_for(title: str, aid_id: str) -> str:
    """A stable slug for the aid ("local:prime-facade-1a2b3c4d"), kept if the title changes."""
    plain = unicodedata.normalize("NFKD", title.casefold())
    words = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")
    return f"local:{words[:50].strip('-') or 'aide'}-{aid_id}"


def add_local_aid(session: Session, agent: Agent, collectivite_id: int, aid: dict) -> dict:
    def make(aid_id: str) -> dict:
        return {"id": aid_id, "slug": slug_for(aid["title"], aid_id), **aid}

    return _add(session, agent, collectivite_id, "local_aids", MAX_LOCAL_AIDS, make)


def remove_local_aid(session: Session, agent: Agent, collectivite_id: int, aid_id: str) -> bool:
    collectivite = locked(session, collectivite_id)
    before = state(collectivite)
    kept = [a for a in before["local_aids"] if a["id"] != aid_id]
    if len(kept) == len(before["local_aids"]):
        return False
    _set(collectivite, local_aids=kept)
    record(session, agent, collectivite, before)
    return True


def contact_choices(collectivite: Collectivite) -> list[tuple[str, str]]:
    """Who a local aid can send owners to: the collectivité itself, or one of its partners."""
    partners = (collectivite.settings or {}).get("partners") or []
    return [("collectivite", collectivite.name)] + [
        (partner_contact_id(p["id"]), p["name"]) for p in partners
    ]
