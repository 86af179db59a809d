"""What the queue's export writes in its cells: Zéro Logement Vacant's columns, then ours.

1. ZLV's campaign export ("Logements" sheet), every column, byte for byte and in ZLV's
   order (`server/src/controllers/housingExportController.ts` at e2cca5479e87), so that a
   sheet can be laid next to one exported from ZLV or imported into it. A column the portal
   has no data for (cadastral reference, BAN addresses and their parts, coordinates, DPE
   date, the owner's birth date and relative location…) is written empty. Values are
   written as ZLV writes them: its status and occupancy labels, "Appartement" / "Maison",
   précisions by their label, one family per column, and every multi-valued cell
   (addresses, précisions, campaigns) joined by line breaks.
2. What the portal adds, headed in the agent's language: the date of the owner's latest
   return; the owner's answers in words, one column per diagnostic question headed by its
   short label, in the content's order; the solutions they were shown, by title (a
   collectivité's local aids too); their call-back request (state, phone, e-mail, moments,
   message); the dwelling's latest notes with their authors.

Everything a row needs beyond the queue's row (précisions, campaigns, aids seen, notes and
their authors) is read BATCH rows at a time, one query per kind of detail; the aids' titles
come from the content and the collectivité's local overrides, once per export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from portal.backoffice.answers import QueueRow
from portal.dates import long_date, zone_for
from portal.local_overrides import local_for
from portal.models import (
    Agent,
    Campaign,
    Collectivite,
    HousingPrecision,
    Letter,
    Note,
    ResponseRecommendation,
)
from portal.models.zlv import (
    HOUSING_KINDS,
    OCCUPANCIES,
    OCCUPANCIES_READ_ONLY,
    PRECISIONS,
    STATUSES,
)
from portal.phones import written_phone
from portal.rules import Content
from portal.rules.model import Question
from portal.rules.present import answer_text

BATCH = 200  # rows whose précisions, campaigns, aids and notes are read in one query each
LATEST_NOTES = 3  # the dwelling's latest notes, newest first

# ZLV's "Logements" columns, byte for byte, in ZLV's order (data exchanged with ZLV: never
# translated). tests/fixtures/zlv/zlv_lists.json keeps ZLV's own list to compare with.
ZLV_COLUMNS = (
    "Identifiant fiscal national", "Identifiant fiscal départemental", "Référence cadastrale",
    "Code INSEE commune du logement", "Adresse LOVAC du logement",
    "Précisions adresse du logement", "Adresse BAN du logement",
    "Fiabilité Adresse BAN du logement (%)", "Latitude", "Longitude", "Type de logement",
    "DPE représentatif", "Date DPE", "Surface (m²)", "Nombre de pièces",
    "Année de construction", "Occupation", "Année de début de vacance", "Statut",
    "Sous-statut", "Points de blocage", "Évolutions du logement", "Dispositifs", "Campagnes",
    "Propriétaire destinataire principal", "Date de naissance du propriétaire",
    "Adresse LOVAC du propriétaire", "Adresse BAN du propriétaire",
    "Adresse BAN du propriétaire - Fiabilité", "Numéro", "Voie", "Code postal", "Commune",
    "Complément d\u2019adresse du propriétaire", "Localisation du propriétaire",
)  # fmt: skip
# ZLV's précision columns: family of PRECISIONS → header.
FAMILY_COLUMNS = {
    "points-de-blocage": "Points de blocage",
    "evolutions": "Évolutions du logement",
    "dispositifs": "Dispositifs",
}
PRECISION_ORDER = {
    (category, label): index
    for index, (category, label) in enumerate(
        (category, label) for category, (_f, labels) in PRECISIONS.items() for label in labels
    )
}
# The portal's own columns, around the answers' (one per question).
RETURN_COLUMN = _l("Date du dernier retour")
AFTER_ANSWERS = (
    _l("Solutions présentées"), _l("Demande de rappel"), _l("Téléphone"), _l("Courriel"),
    _l("Moments"), _l("Message"), _l("Dernières notes"),
)  # fmt: skip

Cell = str | int | datetime | None


@dataclass(frozen=True)
class Columns:
    """The export's columns for one collectivité, in the agent's language."""

    questions: tuple[Question, ...]  # the diagnostic's questions, in the content's order
    aids: Mapping[str, str]  # aid slug → title: national aids and the collectivité's own
    moments: Mapping[str, str]  # call-back moment → words
    locale: str
    zone: str  # the collectivité's time zone, for dates

    def headers(self) -> list[str]:
        return [
            *ZLV_COLUMNS, str(RETURN_COLUMN),
            *(question.short_label[self.locale] for question in self.questions),
            *(str(header) for header in AFTER_ANSWERS),
        ]  # fmt: skip


def columns_for(content: Content, collectivite: Collectivite, locale: str,
                moments: Mapping[str, str]) -> Columns:  # fmt: skip
    """The columns of `collectivite`'s export: its local aids' titles come from its local
    overrides (its local file and its admins' settings), which national content lacks."""
    local = local_for(content, collectivite)
    aids = {**content.aids, **(local.aids if local else {})}
    return Columns(
        questions=tuple(content.questions.values()),
        aids={slug: aid.title.get(locale) or aid.title["fr"] for slug, aid in aids.items()},
        moments=moments, locale=locale, zone=zone_for(collectivite.perimeter),
    )  # fmt: skip


@dataclass
class Details:
    """What a batch of rows needs beyond the rows."""

    precisions: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    campaigns: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    seen: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    # housing id → its latest notes, newest first: (created_at, author, kind, text)
    notes: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))


def _latest_notes(collectivite_id: int, housing_ids: set[int]):
    """The LATEST_NOTES latest notes of each dwelling, with their author's name, in one
    query (a window per dwelling: a dwelling with many notes reads three)."""
    place = func.row_number().over(partition_by=Note.housing_id,
                                   order_by=(Note.created_at.desc(), Note.id.desc()))  # fmt: skip
    ranked = (
        select(Note.housing_id, Note.agent_id, Note.created_at, Note.kind, Note.content,
               place.label("place"))
        .where(Note.collectivite_id == collectivite_id, Note.housing_id.in_(housing_ids))
        .subquery()
    )  # fmt: skip
    return (
        select(ranked.c.housing_id, ranked.c.created_at, Agent.full_name, Agent.email,
               ranked.c.kind, ranked.c.content)
        .outerjoin(Agent, and_(Agent.id == ranked.c.agent_id,
                               Agent.collectivite_id == collectivite_id))
        .where(ranked.c.place <= LATEST_NOTES)
        .order_by(ranked.c.housing_id, ranked.c.place)
    )  # fmt: skip


def read_details(session: Session, collectivite_id: int, rows: list[QueueRow]) -> Details:
    details = Details()
    housing_ids = {row.housing.id for row in rows}
    for housing_id, category, label in session.execute(
        select(HousingPrecision.housing_id, HousingPrecision.category, HousingPrecision.label)
        .where(HousingPrecision.collectivite_id == collectivite_id,
               HousingPrecision.housing_id.in_(housing_ids))
    ):  # fmt: skip
        details.precisions[housing_id].append((category, label))
    for housing_id, _id, title, _created in session.execute(
        select(Letter.housing_id, Campaign.id, Campaign.title, Campaign.created_at)
        .join(Campaign, Campaign.id == Letter.campaign_id)
        .where(Campaign.collectivite_id == collectivite_id, Letter.housing_id.in_(housing_ids))
        .distinct()
        .order_by(Campaign.created_at, Campaign.id)
    ):  # fmt: skip
        details.campaigns[housing_id].append(title)
    for response_id, slug in session.execute(
        select(ResponseRecommendation.response_id, ResponseRecommendation.aid_slug)
        .where(ResponseRecommendation.response_id.in_([row.response.id for row in rows]))
        .order_by(ResponseRecommendation.response_id, ResponseRecommendation.rank)
    ):  # fmt: skip
        details.seen[response_id].append(slug)
    for housing_id, created_at, name, email, kind, text in session.execute(
        _latest_notes(collectivite_id, housing_ids)
    ):
        details.notes[housing_id].append((created_at, name or email or "–", kind, text))
    return details


def _lines(values: Iterable[str]) -> str | None:
    return "\n".join(values) or None


def _precisions(details: Details, housing_id: int) -> dict[str, str | None]:
    """ZLV's three précision columns: labels of one family each, in ZLV's order."""
    last = len(PRECISION_ORDER)
    chosen = sorted(details.precisions.get(housing_id, ()),
                    key=lambda precision: PRECISION_ORDER.get(precision, last))  # fmt: skip
    return {
        header: _lines(label for category, label in chosen
                       if PRECISIONS.get(category, ("",))[0] == family)
        for family, header in FAMILY_COLUMNS.items()
    }  # fmt: skip


def _local_time(moment: datetime | None, zone: str) -> datetime | None:
    """A moment as the spreadsheet shows it: the collectivité's wall-clock time."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


def zlv_cells(row: QueueRow, details: Details) -> list[Cell]:
    """ZLV's columns, in ZLV's order: the ones the portal has filled, the others empty."""
    housing, owner = row.housing, row.owner
    occupancy = OCCUPANCIES.get(housing.occupancy) or OCCUPANCIES_READ_ONLY.get(
        housing.occupancy, housing.occupancy
    )
    known: dict[str, Cell] = {
        "Identifiant fiscal national": housing.local_id,
        "Identifiant fiscal départemental": housing.invariant,
        "Code INSEE commune du logement": housing.insee_code,
        "Adresse LOVAC du logement": _lines(filter(None, housing.address_lines)),
        "Type de logement": HOUSING_KINDS.get(housing.kind or "", housing.kind),
        "DPE représentatif": housing.energy_label,
        "Surface (m²)": housing.living_area,
        "Nombre de pièces": housing.rooms_count,
        "Année de construction": housing.building_year,
        "Occupation": occupancy,
        "Année de début de vacance": housing.vacancy_start_year,
        "Statut": STATUSES.get(housing.status, (housing.status, ()))[0],
        "Sous-statut": housing.sub_status,
        **_precisions(details, housing.id),
        "Campagnes": _lines(details.campaigns.get(housing.id, ())),
        "Propriétaire destinataire principal": owner.full_name,
        "Adresse LOVAC du propriétaire": _lines(filter(None, owner.address_lines)),
    }
    return [known.get(header) for header in ZLV_COLUMNS]


def _callback_state(row: QueueRow, columns: Columns) -> str | None:
    callback = row.callback
    if callback is None:
        return None
    if callback.handled_at is None:
        return _("Demandé")
    return _("Fait le %(date)s", date=long_date(callback.handled_at, columns.locale,
                                                 columns.zone))  # fmt: skip


def _note(note: tuple, columns: Columns) -> str:
    created_at, author, kind, text = note
    return _("%(date)s – %(author)s – %(kind)s\u00a0: %(text)s",
             date=long_date(created_at, columns.locale, columns.zone), author=author,
             kind=kind, text=text)  # fmt: skip


def portal_cells(row: QueueRow, details: Details, columns: Columns) -> list[Cell]:
    """The portal's own columns, in the order of `Columns.headers`."""
    owner, response, callback = row.owner, row.response, row.callback
    answers = response.answers or {}
    moments = callback.moments if callback else []
    return [
        _local_time(response.last_return_at, columns.zone),
        *(answer_text(question, answers[question.id], columns.locale)
          if answers.get(question.id) not in (None, "", []) else None
          for question in columns.questions),
        _lines(columns.aids.get(slug, slug) for slug in details.seen.get(response.id, ())),
        _callback_state(row, columns),
        written_phone((callback.phone if callback else None) or owner.phone),
        (callback.email if callback else None) or owner.email,
        ", ".join(str(columns.moments.get(moment, moment)) for moment in moments) or None,
        (callback.note if callback else None) or None,
        _lines(_note(note, columns) for note in details.notes.get(row.housing.id, ())),
    ]  # fmt: skip


def export_rows(session: Session, collectivite_id: int, rows: Iterable[QueueRow],
                columns: Columns) -> Iterator[list[Cell]]:  # fmt: skip
    """The cells of every row, in the order of `columns.headers()`, reading the rows'
    details a batch at a time."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        details = read_details(session, collectivite_id, batch)
        for row in batch:
            yield [*zlv_cells(row, details), *portal_cells(row, details, columns)]
