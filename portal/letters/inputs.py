"""What a campaign's letters are made from: the layout shared by every letter and one
recipient per letter (plain data: portal.letters.campaign reads them from the database,
portal.letters.pdf lays them out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, kw_only=True)
class Sender:
    collectivite_name: str
    service: str = ""
    name: str = ""
    address_lines: tuple[str, ...] = ()
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class Signatory:
    name: str
    role: str = ""
    image: bytes | None = None  # PNG or JPEG


@dataclass(frozen=True, kw_only=True)
class Layout:
    sender: Sender
    written_at: date
    subject: str  # templates with merge fields (portal.letters.merge)
    body: str
    base_url: str  # "https://portail.example.fr": the QR code opens {base_url}/l/{token}
    written_from: str = ""
    signatories: tuple[Signatory, ...] = ()  # at most 2 are printed
    logo: bytes | None = None
    title: str = ""  # the PDF's title (the campaign's)


@dataclass(frozen=True, kw_only=True)
class Recipient:
    owner_name: str
    address_lines: tuple[str, ...]
    token: str
    code: str
    values: Mapping[str, object] = field(default_factory=dict)  # "housing.localId": …
    reference: str = ""  # the mailing house's reference for this letter
    variant: str = ""  # the wording variant it prints (render's `variants`), "" the layout's
