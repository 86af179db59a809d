"""The collectivité's letter, edited by its admins: wording per variant (subject and body
with merge fields), the sender block and place, and the signatories' signature images.
Every change writes a "collectivite:letter-updated" Event with what changed."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.logo import Logo
from portal.backoffice.settings import locked
from portal.letters import merge
from portal.models import Agent, Event, Housing, HousingOwner, LetterTemplate, Owner, SignatureImage
from portal.models.letter_template import DEFAULT_VARIANT

SENDER_KEYS = ("service", "name", "address_lines", "email", "phone", "written_from")
VARIANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_VARIANTS = 6


class LetterError(ValueError):
    """Why a change is refused: "unknown-field" (with .fields), "unbalanced_braces" or
    "qr_code_not_alone" (with the excerpt in .fields), "variant", "too-many"."""

    def __init__(self, reason: str, fields: list[str] | None = None) -> None:
        super().__init__(reason)
        self.fields = fields or []


def variants(session: Session, collectivite_id: int) -> list[str]:
    saved = session.scalars(
        select(LetterTemplate.variant)
        .where(LetterTemplate.collectivite_id == collectivite_id)
        .order_by(LetterTemplate.variant)
    )
    return list(dict.fromkeys([DEFAULT_VARIANT, *saved]))


def template_of(session: Session, collectivite_id: int, variant: str) -> LetterTemplate | None:
    return session.scalar(
        select(LetterTemplate).where(
            LetterTemplate.collectivite_id == collectivite_id, LetterTemplate.variant == variant
        )
    )


def _event(session: Session, agent: Agent, collectivite_id: int, before: dict, after: dict,
           now: datetime | None) -> Event | None:  # fmt: skip
    changed = sorted(key for key in after if after[key] != before.get(key))
    if not changed:
        return None
    event = Event(collectivite_id=collectivite_id, created_at=now or clock.now(),
                  actor_kind="agent", agent_id=agent.id, kind="collectivite:letter-updated",
                  before={k: before.get(k) for k in changed},
                  after={k: after[k] for k in changed})  # fmt: skip
    session.add(event)
    return event


def save_wording(session: Session, agent: Agent, collectivite_id: int, variant: str,
                 subject: str, body: str, now: datetime | None = None) -> Event | None:  # fmt: skip
    """Save one variant's subject and body; refused if a merge field is unknown."""
    if not VARIANT.match(variant):
        raise LetterError("variant")
    try:
        unknown = merge.check(subject) + merge.check(body)
    except merge.TemplateError as error:
        raise LetterError(error.reason, [error.excerpt]) from None
    if unknown:
        raise LetterError("unknown-field", unknown)
    locked(session, collectivite_id)
    template = template_of(session, collectivite_id, variant)
    if template is None:
        if len(variants(session, collectivite_id)) >= MAX_VARIANTS + 1:
            raise LetterError("too-many")
        template = LetterTemplate(collectivite_id=collectivite_id, variant=variant,
                                  subject="", body="")  # fmt: skip
        session.add(template)
    key = f"wording:{variant}"
    before = {key: {"subject": template.subject, "body": template.body}}
    template.subject, template.body = subject.strip(), body.strip()
    return _event(
        session,
        agent,
        collectivite_id,
        before,
        {key: {"subject": template.subject, "body": template.body}},
        now,
    )


def first_recipient(session: Session, collectivite_id: int) -> tuple[Housing, Owner] | None:
    """The collectivité's first housing with its principal owner: the preview's letter."""
    return session.execute(
        select(Housing, Owner)
        .join(HousingOwner, (HousingOwner.housing_id == Housing.id) & (HousingOwner.rank == 1))
        .join(Owner, Owner.id == HousingOwner.owner_id)
        .where(Housing.collectivite_id == collectivite_id).order_by(Housing.id).limit(1)
    ).first()  # fmt: skip


def sender_of(settings: dict) -> dict:
    letter = settings.get("letter") or {}
    return {key: letter.get(key, [] if key == "address_lines" else "") for key in SENDER_KEYS}


def save_sender(session: Session, agent: Agent, collectivite_id: int, values: dict,
                now: datetime | None = None) -> Event | None:  # fmt: skip
    collectivite = locked(session, collectivite_id)
    before = {"letter": sender_of(collectivite.settings or {})}
    after = {key: values.get(key) or ([] if key == "address_lines" else "")
             for key in SENDER_KEYS}  # fmt: skip
    collectivite.settings = {**(collectivite.settings or {}), "letter": after}
    return _event(session, agent, collectivite_id, before, {"letter": after}, now)


def set_signature(session: Session, agent: Agent, collectivite_id: int, position: int,
                  image: Logo | None, now: datetime | None = None) -> Event | None:  # fmt: skip
    """Store (or with None remove) the signature image of signatory 1 or 2."""
    if position not in (1, 2):
        raise ValueError(position)
    locked(session, collectivite_id)
    stored = session.get(SignatureImage, (collectivite_id, position))
    key = f"signature:{position}"
    before = {key: stored is not None and stored.updated_at.isoformat()}
    if image is None:
        if stored is None:
            return None
        session.delete(stored)
        return _event(session, agent, collectivite_id, before, {key: False}, now)
    if stored is None:
        stored = SignatureImage(collectivite_id=collectivite_id, position=position)
        session.add(stored)
    stored.data, stored.media_type = image.data, image.media_type
    stored.width, stored.height, stored.updated_at = image.width, image.height, now or clock.now()
    return _event(session, agent, collectivite_id, before, {key: image.version}, now)
