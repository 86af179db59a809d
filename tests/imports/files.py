"""Files as collectivités have them: ZLV's campaign export built with openpyxl from ZLV's
exact headers (ZLV's housingExportController.ts), and CSVs close to LOVAC."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

ZLV_HOUSING_HEADERS = [
    "Identifiant fiscal national", "Identifiant fiscal départemental", "Référence cadastrale",
    "Code INSEE commune du logement", "Adresse LOVAC du logement",
    "Précisions adresse du logement", "Adresse BAN du logement",
    "Fiabilité Adresse BAN du logement (%)", "Latitude", "Longitude", "Type de logement",
    "DPE représentatif", "Date DPE", "Surface (m²)", "Nombre de pièces",
    "Année de construction", "Occupation", "Année de début de vacance", "Statut",
    "Sous-statut", "Points de blocage", "Évolutions du logement", "Dispositifs", "Campagnes",
]  # fmt: skip
ZLV_OWNER_HEADERS = [
    "Propriétaire destinataire principal", "Date de naissance du propriétaire",
    "Adresse LOVAC du propriétaire", "Adresse BAN du propriétaire",
    "Adresse BAN du propriétaire - Fiabilité", "Numéro", "Voie", "Code postal", "Commune",
    "Complément d’adresse du propriétaire",
]  # fmt: skip
ZLV_HEADERS = [*ZLV_HOUSING_HEADERS, *ZLV_OWNER_HEADERS, "Localisation du propriétaire"]


def zlv_row(local_id: str = "581940000001", **values) -> dict:
    """A housing row as ZLV writes it, by header; `values` override (keys: headers)."""
    row = {
        "Identifiant fiscal national": local_id,
        "Identifiant fiscal départemental": "1940001234",
        "Référence cadastrale": "58194000AB0123",
        "Code INSEE commune du logement": "58194",
        "Adresse LOVAC du logement": "12 RUE DES TILLEULS\n58000 NEVERS",
        "Adresse BAN du logement": "12 Rue des Tilleuls 58000 Nevers",
        "Fiabilité Adresse BAN du logement (%)": 92,
        "Latitude": 46.99, "Longitude": 3.16,
        "Type de logement": "Maison",
        "DPE représentatif": "F",
        "Surface (m²)": 84,
        "Nombre de pièces": 4,
        "Année de construction": 1932,
        "Occupation": "Vacant",
        "Année de début de vacance": 2019,
        "Statut": "Non suivi",
        "Campagnes": "Relance 2026\nCampagne 2025",
        "Propriétaire destinataire principal": "DUPONT JEANNE",
        "Date de naissance du propriétaire": "1948-03-02",
        "Adresse LOVAC du propriétaire": "3 AV DE LA GARE\n44000 NANTES",
        "Code postal": "44000", "Commune": "Nantes",
        "Localisation du propriétaire": "Autre région",
    }  # fmt: skip
    return row | values


def zlv_export(path: Path, rows: list[dict], headers: list[str] = ZLV_HEADERS) -> Path:
    """An XLSX as ZLV's campaign export: sheet "Logements", then "Propriétaires"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Logements"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    owners = workbook.create_sheet("Propriétaires")
    owners.append(ZLV_OWNER_HEADERS)
    for row in rows:
        owners.append([row.get(h) for h in ZLV_OWNER_HEADERS])
    workbook.save(path)
    return path


CSV_HEADER = ("ff_idlocal,invariant,code_insee,adresse,nature,ff_stoth,ff_npiece_p2,ff_jannath,"
              "debutvacance,dpe,proprietaire,proprietaire_type,proprietaire_adresse")  # fmt: skip


def csv_file(path: Path, lines: list[str], header: str = CSV_HEADER, delimiter: str = ",",
             encoding: str = "utf-8") -> Path:  # fmt: skip
    text = "\n".join([header, *lines]) + "\n"
    if delimiter != ",":
        text = text.replace(",", delimiter)
    path.write_bytes(text.encode(encoding))
    return path
