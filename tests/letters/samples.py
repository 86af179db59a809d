"""Builders for the letters' tests: a layout with a logo and signatures, recipients."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from portal.config import ROOT
from portal.letters.codes import new_code, new_token
from portal.letters.merge import load_template
from portal.letters.pdf import Layout, Recipient, Sender, Signatory

BASE_URL = "https://portail.example.fr"


def image(kind: str = "PNG", size=(300, 120), colour=(0, 0, 145)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def layout(**changes) -> Layout:
    subject, body = load_template(ROOT / "guidance_content")
    values = {
        "logo": image(),
        "sender": Sender(
            collectivite_name="Commune de Démoville",
            service="Service habitat",
            name="Claire Dupont",
            address_lines=("1 place de la Mairie", "58000 Démoville"),
            email="habitat@demoville.example",
            phone="03 86 00 00 00",
        ),
        "signatories": (
            Signatory(name="Marie Durand", role="La Maire", image=image("PNG", (200, 80))),
            Signatory(name="Paul Lambert", role="L’adjoint", image=image("JPEG", (200, 80))),
        ),
        "written_from": "Démoville",
        "written_at": date(2026, 12, 2),
        "subject": subject,
        "body": body,
        "title": "Campagne de test",
        "base_url": BASE_URL,
    }
    return Layout(**{**values, **changes})


def recipient(number: int = 1, **changes) -> Recipient:
    values = {
        "owner_name": f"Jeanne Martin {number}",
        "address_lines": (f"{number} rue des Tilleuls", "58000 DEMOVILLE"),
        "token": new_token(),
        "code": new_code(),
        "values": {
            "housing.rawAddress": [f"{number} RUE DES TILLEULS", "58000 DEMOVILLE"],
            "housing.housingKind": "MAISON",
        },
        "reference": f"L{number:04d}",
    }
    return Recipient(**{**values, **changes})
