"""Realistic letters for the benchmark and the sample: a logo, two signatures (a PNG with
transparency, a scanned JPEG), a body of about 250 words, varied owners and addresses."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from portal.letters.codes import new_code, new_token
from portal.letters.merge import load_template
from portal.letters.pdf import Layout, Recipient, Sender, Signatory

CONTENT = Path(__file__).resolve().parents[2] / "guidance_content"
EXTRA = (
    "Votre logement ({{housing.housingKind}}, {{housing.livingArea}}, {{housing.roomsCount}}"
    " pièces, construit en {{housing.buildingYear}}) est référencé sous le numéro"
    " {{housing.localId}}. Si ces informations sont fausses, dites-le-nous sur le site."
)
FIRST = ("Jeanne", "Marcel", "Françoise", "Jean-Pierre", "Éliane", "Mohamed", "Nguyễn", "Anne")
LAST = ("MARTIN", "DUBOIS", "LEFÈVRE", "N'DIAYE", "DE LA FONTAINE-SAINT-AUBIN", "ROUSSEAU")
STREETS = ("RUE DES TILLEULS", "AVENUE DU GÉNÉRAL DE GAULLE", "CHEMIN DE LA FONTAINE",
           "BOULEVARD DU MARÉCHAL FOCH", "IMPASSE DES LILAS", "PLACE DE LA RÉPUBLIQUE")  # fmt: skip
TOWNS = ("58000 NEVERS", "58200 COSNE-COURS-SUR-LOIRE", "21000 DIJON", "89000 AUXERRE")


def logo() -> bytes:
    image = Image.new("RGB", (600, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 200, 240), fill=(0, 0, 145))
    draw.ellipse((40, 60, 160, 180), fill=(225, 0, 15))
    for row in range(6):
        draw.rectangle((230, 40 + row * 30, 560 - row * 40, 55 + row * 30), fill=(60, 60, 60))
    return _encoded(image, "PNG")


def signature(seed: int, kind: str) -> bytes:
    rng = random.Random(seed)
    mode, background = ("RGBA", (0, 0, 0, 0)) if kind == "PNG" else ("RGB", "white")
    image = Image.new(mode, (500, 180), background)
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 12, 90 + rng.randint(-60, 60)) for i in range(38)]
    draw.line(points, fill=(10, 20, 90, 255) if mode == "RGBA" else (10, 20, 90), width=5)
    return _encoded(image, kind)


def _encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"quality": 85} if kind == "JPEG" else {}))
    return buffer.getvalue()


def layout(base_url: str = "https://portail.example.fr") -> Layout:
    subject, body = load_template(CONTENT)
    head, _, tail = body.partition("\n\n{{letter.qrCode}}")
    body = f"{head}\n\n{EXTRA}\n\n{{{{letter.qrCode}}}}{tail}"  # about 250 words
    return Layout(
        logo=logo(),
        sender=Sender(
            collectivite_name="Communauté d’agglomération de Démoville",
            service="Service habitat – Cellule logements vacants",
            name="Claire Dupont, chargée de mission",
            address_lines=("Hôtel de ville", "1 place de la Mairie", "58000 Démoville"),
            email="logements-vacants@demoville.example",
            phone="03 86 00 00 00",
        ),
        signatories=(
            Signatory(name="Marie Durand", role="La Présidente", image=signature(1, "PNG")),
            Signatory(
                name="Paul Lambert",
                role="Le Vice-président chargé de l’habitat",
                image=signature(2, "JPEG"),
            ),
        ),
        written_from="Démoville",
        written_at=date(2026, 12, 1),
        subject=subject,
        body=body,
        title="Campagne logements vacants – décembre 2026",
        base_url=base_url,
    )


def recipients(count: int, seed: int = 7):
    rng = random.Random(seed)
    for index in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        street = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
        lines = [street, rng.choice(TOWNS)]
        if index % 5 == 0:
            lines.insert(0, f"APPARTEMENT {rng.randint(1, 40)} BATIMENT {rng.choice('ABC')}")
        yield Recipient(
            owner_name=name,
            address_lines=tuple(lines),
            token=new_token(),
            code=new_code(),
            reference=f"L{index + 1:06d}",
            values={
                "housing.rawAddress": [street, lines[-1]],
                "housing.localId": f"58194{rng.randint(0, 9999999):07d}",
                "housing.housingKind": rng.choice(("APPART", "MAISON")),
                "housing.livingArea": rng.randint(18, 160),
                "housing.roomsCount": rng.randint(1, 7),
                "housing.buildingYear": rng.randint(1850, 2005),
                "housing.vacancyStartYear": rng.randint(2005, 2023),
            },
        )
