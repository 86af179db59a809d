"""What a campaign prints, read from the database: the collectivité's layout (logo, sender,
signatories, wording) and its recipients with their codes (issued at the first printing).
The PDF itself is laid out by portal.letters.pdf, which knows nothing of the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.experiments.wordings import letter_variants
from portal.letters import issue, merge
from portal.letters.codes import format_code
from portal.letters.pdf import Layout, Recipient, Sender, Signatory
from portal.models import (
    Campaign,
    Collectivite,
    CollectiviteLogo,
    Housing,
    Letter,
    LetterTemplate,
    Owner,
    SignatureImage,
)
from portal.models.letter_template import DEFAULT_VARIANT

CHUNK = 500


def wording(session: Session, collectivite_id: int, content_root: str | Path,
            variant: str = DEFAULT_VARIANT) -> tuple[str, str]:  # fmt: skip
    """(subject, body) of the letter in this variant: the collectivité's own wording of it,
    else the portal's text of it (guidance_content/letters/<variant>.fr.md), else the
    collectivité's standard letter, else the portal's standard letter."""
    own = _own_wording(session, collectivite_id, variant)
    if own is not None:
        return own
    if variant != DEFAULT_VARIANT and variant in letter_variants(str(content_root)):
        return merge.load_template(Path(content_root), variant)
    own = _own_wording(session, collectivite_id, DEFAULT_VARIANT)
    return own if own is not None else merge.load_template(Path(content_root))


def _own_wording(session: Session, collectivite_id: int, variant: str) -> tuple[str, str] | None:
    template = session.scalar(
        select(LetterTemplate).where(
            LetterTemplate.collectivite_id == collectivite_id, LetterTemplate.variant == variant
        )
    )
    return None if template is None else (template.subject, template.body)


def layout_for(session: Session, collectivite: Collectivite, title: str, written_at: date,
               base_url: str, content_root: str | Path,
               variant: str = DEFAULT_VARIANT) -> Layout:  # fmt: skip
    settings = collectivite.settings or {}
    letter = settings.get("letter") or {}
    logo = session.get(CollectiviteLogo, collectivite.id)
    images = {
        image.position: image.data
        for image in session.scalars(
            select(SignatureImage).where(SignatureImage.collectivite_id == collectivite.id)
        )
    }
    signatories = tuple(
        Signatory(name=s["name"], role=s.get("role", ""), image=images.get(position))
        for position, s in enumerate(settings.get("signatories") or [], start=1)
        if s.get("name")
    )[:2]
    contact = (collectivite.contact_points or [{}])[0]
    sender = Sender(
        collectivite_name=collectivite.name, service=letter.get("service", ""),
        name=letter.get("name", ""),
        address_lines=tuple(letter.get("address_lines") or _lines(contact.get("address", ""))),
        email=letter.get("email") or contact.get("email", ""),
        phone=letter.get("phone") or contact.get("phone", ""),
    )  # fmt: skip
    subject, body = wording(session, collectivite.id, content_root, variant)
    return Layout(logo=logo.data if logo else None, sender=sender, signatories=signatories,
                  written_from=letter.get("written_from") or collectivite.short_name
                  or collectivite.name, written_at=written_at, subject=subject, body=body,
                  title=title, base_url=base_url)  # fmt: skip


def _lines(address: str) -> list[str]:
    return [part.strip() for part in address.split(",") if part.strip()]


def values(housing: Housing, owner: Owner) -> dict[str, object]:
    """ZLV's merge variables for one letter (portal.letters.merge formats them)."""
    return {
        "owner.fullName": owner.full_name,
        "housing.rawAddress": list(housing.address_lines),
        "housing.localId": housing.local_id,
        "housing.invariant": housing.invariant,
        "housing.housingKind": housing.kind,
        "housing.livingArea": housing.living_area,
        "housing.roomsCount": housing.rooms_count,
        "housing.buildingYear": housing.building_year,
        "housing.vacancyStartYear": housing.vacancy_start_year,
        "housing.energyConsumption": housing.energy_label,
    }


def issue_codes(session: Session, campaign: Campaign, secret_key: str) -> int:
    """Give codes to the campaign's letters printed for the first time (and new ones to
    letters whose codes SECRET_KEY can no longer give, after a key change); flushed, for
    the caller to commit before the long drawing. Returns how many letters got codes."""
    issued = 0
    for letter, _housing, _owner in letters_of(session, campaign):
        if letter.seed is not None:
            try:
                issue.codes_of(letter, secret_key)  # raises if the key cannot give them
                continue
            except issue.SeedMismatch:
                pass
        issue.issue(letter, secret_key)
        issued += 1
    session.flush()
    return issued


def recipient(letter: Letter, housing: Housing, owner: Owner, secret_key: str) -> Recipient:
    """The letter as printed: its codes must have been issued (issue_codes)."""
    codes = issue.codes_of(letter, secret_key)
    return Recipient(owner_name=owner.full_name, address_lines=tuple(owner.address_lines),
                     token=codes.token, code=format_code(codes.code),
                     values=values(housing, owner), reference=str(letter.id),
                     variant=letter.variant or DEFAULT_VARIANT)  # fmt: skip


def variants_of(session: Session, campaign: Campaign) -> list[str]:
    """The wording variants the campaign's letters print (experiments assign them)."""
    return sorted(
        v or DEFAULT_VARIANT
        for v in session.scalars(
            select(Letter.variant).where(Letter.campaign_id == campaign.id).distinct()
        )
    )


def letters_of(session: Session, campaign: Campaign) -> Iterator[tuple[Letter, Housing, Owner]]:
    """The campaign's letters still valid (not revoked), by id, read in chunks."""
    last = 0
    while True:
        rows = session.execute(
            select(Letter, Housing, Owner)
            .join(Housing, Housing.id == Letter.housing_id)
            .join(Owner, Owner.id == Letter.owner_id)
            .where(Letter.campaign_id == campaign.id,
                   Letter.collectivite_id == campaign.collectivite_id,
                   Letter.revoked_at.is_(None), Letter.id > last)
            .order_by(Letter.id).limit(CHUNK)
        ).all()  # fmt: skip
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id
