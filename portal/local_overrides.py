"""A collectivité's partners and local aids, as its admins keep them in the back-office
(`Collectivite.settings`, see portal.backoffice.settings), merged into the rules engine's
local overrides (`Local`) at evaluation time.

The content's `local/<siren>.yaml`, reviewed with the content, gives a collectivité its
OPAH/PIG perimeter, its own details for national contacts and aids with real conditions.
The back-office adds to it, without a deployment:
- partners become contacts of their own (`partner-<id>`); a partner that plays a national
  role (`stands_for`, e.g. "anah_operator", the OPAH operator) also replaces that contact,
  so every national aid naming it shows the partner's name and phone;
- the first contact point with a phone or an e-mail replaces the national "collectivite"
  contact ("Votre collectivité", without details);
- local aids (title, description, amount in words, one contact) become aids `local:…`. The
  engine knows no condition for them, so they are always "to check": the owner sees them
  under "À vérifier avec un conseiller", with the reason that the collectivité will say.
Precedence: national contacts < the local file < the back-office settings. Admins write in
French only: English pages show their words as written.

`local_for` runs at every evaluation; the merged `Local` is cached per process, keyed by
the settings it was built from, so an admin's change shows at once and costs nothing after.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace

from flask_babel import force_locale, gettext

from portal.models import Collectivite
from portal.rules.conditions import UNKNOWN, Clause, Env
from portal.rules.formulas import Undetermined
from portal.rules.model import LOCALES, Aid, Amount, Contact, Content, Local

SETTINGS_PATH = "back-office settings"  # where these aids "come from", for messages
LOCAL_AID_RANK = 50
CACHE_SIZE = 512

_cache: dict[tuple, Local] = {}
_lock = threading.Lock()


def partner_contact_id(partner_id: str) -> str:
    return f"partner-{partner_id}"


def local_for(content: Content, collectivite: Collectivite) -> Local | None:
    """The collectivité's local overrides: its local file merged with its settings."""
    base = content.locals.get(collectivite.siren)
    settings = collectivite.settings or {}
    partners = settings.get("partners") or []
    aids = settings.get("local_aids") or []
    point = reachable_point(collectivite.contact_points or [])
    if not (partners or aids or point):
        return base
    fed = json.dumps([collectivite.name, point, partners, aids], sort_keys=True)
    key = (id(content), collectivite.siren, fed)
    local = _cache.get(key)
    if local is None:
        local = merge(content, base, collectivite, point, partners, aids)
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = local
    return local


def reachable_point(points: list[dict]) -> dict | None:
    """The first contact point an owner can call or write to."""
    return next((p for p in points if p.get("phone") or p.get("email")), None)


def merge(content: Content, base: Local | None, collectivite: Collectivite,
          point: dict | None, partners: list[dict], aids: list[dict]) -> Local:  # fmt: skip
    contacts = dict(base.contacts) if base else {}
    if point:
        contacts["collectivite"] = Contact(
            "collectivite", same(point.get("label") or collectivite.name), {}, None,
            point.get("phone") or None, point.get("email") or None, point.get("address") or None,
        )  # fmt: skip
    for partner in partners:
        contact = Contact(
            partner_contact_id(partner["id"]), same(partner["name"]),
            same(partner["description"]) if partner.get("description") else {},
            partner.get("url") or None, partner.get("phone") or None,
            partner.get("email") or None, None,
        )  # fmt: skip
        contacts[contact.id] = contact
        role = partner.get("stands_for")
        if role and role in content.contacts:
            contacts[role] = replace(contact, id=role)
    merged = dict(base.aids) if base else {}
    reason = explanation()
    for entry in aids:
        aid = local_aid(entry, reason, known=set(contacts) | set(content.contacts))
        merged[aid.slug] = aid
    return Local(
        siren=collectivite.siren,
        name=base.name if base else collectivite.name,
        opah_pig_perimeter=base.opah_pig_perimeter if base else None,
        contacts=contacts,
        aids=merged,
        path=base.path if base else SETTINGS_PATH,
    )


def local_aid(entry: dict, reason: dict, known: set[str]) -> Aid:
    """An aid of the settings: {slug, title, description, amount, contact}."""
    title, description = plain(entry["title"]), plain(entry.get("description") or "")
    amount = plain(entry.get("amount") or "")
    contact = entry.get("contact") or ""
    return Aid(
        slug=entry["slug"],
        kind="subsidy" if amount else "service",
        title=same(title),
        summary=same(description),
        for_whom=same(description),
        gives=same(amount or description),
        eligible_if=to_check(reason),
        amount=Amount(in_words, frozenset(), same(amount), same(amount)) if amount else None,
        obligations=(),
        contacts=(contact,) if contact in known else (),
        sources=(),
        valid_from=None,
        valid_until=None,
        confidence="ok",
        rank=LOCAL_AID_RANK,
        boosts=(),
        path=SETTINGS_PATH,
        local=True,
    )


def to_check(reason: dict):
    """A condition the engine cannot decide: "to check", with `reason` as its words."""
    clause = Clause(None, "settings", None, reason)

    def condition(env: Env) -> int:
        if env.trace is not None:
            env.trace.append((clause, UNKNOWN))
        return UNKNOWN

    return condition


def in_words(_env, _parameter):
    """The amount of an aid of the settings is words only: never a computed figure."""
    raise Undetermined("amount given in words")


def explanation() -> dict:
    words = {}
    for locale in LOCALES:
        with force_locale(locale):
            words[locale] = gettext("Les conditions sont à vérifier auprès de votre collectivité")
    return words


def same(text: str) -> dict:
    return dict.fromkeys(LOCALES, text)


def plain(text: str) -> str:
    """Admin's words never fill parameters: the engine reads {name} as one."""
    return text.replace("{", "(").replace("}", ")").strip()
