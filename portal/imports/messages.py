"""The import's words: why a row is refused, what an update changes, why a file cannot be
read, in the reader's language (gettext). The rest of portal/imports speaks in codes, so
a preview stored in a job's result is worded when it is shown, in the language of the page
that shows it; the command line shows it in English."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

FIELDS = {
    "local_id": _l("identifiant fiscal national"),
    "invariant": _l("identifiant fiscal départemental"),
    "insee_code": _l("code INSEE"),
    "address": _l("adresse du logement"),
    "address_lines": _l("adresse du logement"),
    "kind": _l("type de logement"),
    "living_area": _l("surface"),
    "rooms_count": _l("nombre de pièces"),
    "building_year": _l("année de construction"),
    "vacancy_start_year": _l("année de début de vacance"),
    "energy_label": _l("DPE représentatif"),
    "owner_name": _l("nom du propriétaire"),
    "owner_kind": _l("type de propriétaire"),
    "owner_address": _l("adresse du propriétaire"),
    "owner_ban_address": _l("adresse BAN du propriétaire"),
    # What an update changes (plan.changes), beside the housing's fields:
    "owner": _l("propriétaire principal"),
}

REASONS = {
    "formula": _l("formule dans : %(fields)s (collez les valeurs à la place des formules)"),
    "missing": _l("%(field)s manquant"),
    "too-long": _l("%(field)s trop long : « %(value)s » (%(max)s caractères au plus)"),
    "invalid-insee": _l(
        "code INSEE « %(value)s » invalide (5 caractères, par exemple 58194 ou 2A004)"
    ),
    "outside-perimeter": _l(
        "le code INSEE %(value)s n’est pas dans le périmètre de la collectivité"
    ),
    "unknown-kind": _l("type de logement « %(value)s » inconnu (Appartement ou Maison)"),
    "unreadable-number": _l("%(field)s illisible : « %(value)s » (un nombre est attendu)"),
    "unreadable-year": _l(
        "%(field)s illisible : « %(value)s » (une année ou une date est attendue)"
    ),
    "out-of-range": _l("%(field)s hors des valeurs possibles : « %(value)s »"),
    "unknown-energy-label": _l("DPE « %(value)s » inconnu (de A à G)"),
    "duplicate": _l("même logement qu’à la ligne %(row)s"),
    "other-insee": _l("l’identifiant %(local_id)s est déjà importé avec le code INSEE %(insee)s"),
}

FILE_ERRORS = {
    "unreadable": _l("Le fichier %(name)s ne peut pas être lu."),
    "empty": _l(
        "Le fichier %(name)s est vide (ou sa première ligne, celle des titres de colonnes, l’est)."
    ),
    "xls": _l(
        "%(name)s est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou .csv."
    ),
    "not-xlsx": _l(
        "%(name)s n’est pas un classeur XLSX : choisissez l’export de ZLV tel quel, ou "
        "enregistrez votre fichier au format .xlsx ou .csv."
    ),
    "bad-xlsx": _l(
        "%(name)s n’est pas un classeur XLSX lisible : enregistrez-le à nouveau depuis votre "
        "tableur."
    ),
    "no-sheet": _l(
        "%(name)s n’a pas de feuille « %(sheet)s » (l’export de campagne de ZLV en a une) ; "
        "ses feuilles : %(sheets)s."
    ),
    "bad-sheet": _l(
        "La feuille « %(sheet)s » de %(name)s ne peut pas être lue : enregistrez le classeur "
        "à nouveau."
    ),
    "missing-columns": _l("Colonne(s) obligatoire(s) absente(s) de %(where)s : %(columns)s."),
    "too-many-rows": _l("%(name)s a plus de %(max)s lignes : découpez-le en plusieurs fichiers."),
    "bad-csv": _l("%(name)s, ligne %(line)s : ce fichier CSV est mal formé (%(error)s)."),
    "no-rows": _l("%(name)s ne contient aucune ligne de logement."),
    "data-changed": _l(
        "Les logements de la collectivité ont changé pendant l’import (un autre import ?). "
        "Rien n’a été écrit : relancez l’import."
    ),
}

ACTIONS = {
    "create": _l("création"),
    "update": _l("mise à jour"),
    "unchanged": _l("inchangé"),
    "refuse": _l("refusé"),
    "owner-completed": _l("adresse du propriétaire complétée"),
}


def field_label(name: str) -> str:
    return str(FIELDS.get(name, name))


def describe(reason) -> str:
    """A refusal's reason, `Reason(code, params)` or its JSON form [code, params]."""
    code, params = reason
    values = dict(params)
    if "field" in values:
        values["field"] = field_label(values["field"])
    if "fields" in values:
        values["fields"] = ", ".join(field_label(f) for f in values["fields"])
    return str(REASONS[code]) % values


# Between two reasons of one row (French typography: a space before the semicolon).
SEPARATOR = _l(" ; ")


def describe_all(reasons) -> str:
    return str(SEPARATOR).join(describe(reason) for reason in reasons)


def describe_changes(changes: list[str]) -> str:
    return ", ".join(field_label(name) for name in changes)


def file_error(code: str, params: dict) -> str:
    values = dict(params)
    if code == "missing-columns":
        name = values.get("name", "")
        sheet = values.get("sheet")
        values["where"] = gettext("%(name)s (feuille « %(sheet)s »)", name=name, sheet=sheet) \
            if sheet else name  # fmt: skip
    return str(FILE_ERRORS.get(code, FILE_ERRORS["unreadable"])) % values


def action_label(action: str) -> str:
    return str(ACTIONS[action])
