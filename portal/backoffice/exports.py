"""The queue's answers as a spreadsheet (CSV or XLSX), in Zéro Logement Vacant's columns.

The columns, in this order:

1. ZLV's "Logements" sheet, as ZLV writes it (`server/src/controllers/housingExportController.ts`,
   the group export's order, which puts the national id first), keeping only the columns
   the portal has (no cadastral reference, BAN address, coordinates, building location, DPE
   date) and ZLV's exact headers, so that a sheet can be laid next to one exported from ZLV;
   multi-valued cells (précisions, campaigns, addresses) are joined by line breaks as ZLV does,
   précisions by their label only, as ZLV does;
2. ZLV's owner columns (its campaign export): Propriétaire, Adresse LOVAC du propriétaire;
3. what the portal adds, which ZLV does not have: the owner's latest return, the situation
   they declared, the solutions they were shown, their call-back request (phone, e-mail,
   moments, message). These headers are ours, translated like the rest of the interface.

Spreadsheet formula injection (OWASP ASVS 1.2.10, CSV injection): every text
cell of both formats goes through `neutralised`, which drops the control characters a
spreadsheet cannot hold and puts an apostrophe before a text starting with = + - @, a tab or
a carriage return. French phone numbers are written in national form ("06 12 34 56 78"): no
leading "+", so no apostrophe, and the spaces keep Excel from turning them into a number
without its 0; a foreign number keeps its "+" and gets the apostrophe. Numbers (surface,
rooms, years) are numbers, never neutralised; dates are Paris time.

The CSV is UTF-8 with a byte order mark, separated by ";" (French Excel), quoted as RFC 4180
says, and produced row by row. The XLSX is written by openpyxl in write-only mode to a
spooled temporary file (memory up to 8 MB, disk beyond), every text cell typed as a string,
so that openpyxl never writes one as a formula.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from tempfile import SpooledTemporaryFile
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.answers import QueueRow
from portal.bounds import without_control_characters
from portal.models import Campaign, HousingPrecision, Letter, ResponseRecommendation
from portal.models.zlv import (
    HOUSING_KINDS,
    OCCUPANCIES,
    OCCUPANCIES_READ_ONLY,
    PRECISIONS,
    STATUSES,
)
from portal.phones import written_phone

PARIS = ZoneInfo("Europe/Paris")
BATCH = 200  # rows whose précisions, campaigns and aids are read in one query each
SHEET = "Logements"  # ZLV's sheet name

# ZLV's headers, byte for byte (data exchanged with ZLV: not translated).
ZLV_COLUMNS = (
    "Identifiant fiscal national", "Identifiant fiscal départemental",
    "Code INSEE commune du logement", "Adresse LOVAC du logement", "Type de logement",
    "DPE représentatif", "Surface", "Nombre de pièces", "Date de construction", "Occupation",
    "Date de début de vacance", "Statut", "Sous-statut", "Point(s) de blocage", "Évolution(s)",
    "Dispositif(s)", "Campagne(s)",
    "Propriétaire", "Adresse LOVAC du propriétaire",
)  # fmt: skip
# The portal's own columns.
PORTAL_COLUMNS = (
    _l("Date du retour"), _l("Situation déclarée"), _l("Solutions présentées"),
    _l("Demande de rappel"), _l("Téléphone"), _l("Courriel"), _l("Moments"), _l("Message"),
)  # fmt: skip

Cell = str | int | datetime | None

# What may start a formula (=, +, -, @) or hide one after a tab or a carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
FAMILY_COLUMNS = ("points-de-blocage", "evolutions", "dispositifs")  # ZLV's column order
PRECISION_ORDER = {
    (category, label): index
    for index, (category, label) in enumerate(
        (category, label) for category, (_f, labels) in PRECISIONS.items() for label in labels
    )
}


def neutralised(text: str) -> str:
    """The text as a spreadsheet cell must hold it: without control characters, and with an
    apostrophe in front when a spreadsheet could read it as a formula. The one place both
    formats go through."""
    text = without_control_characters(text)  # XML 1.0 cannot carry them, nor should a CSV
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def headers() -> list[str]:
    return [*ZLV_COLUMNS, *(str(header) for header in PORTAL_COLUMNS)]


@dataclass(frozen=True)
class Labels:
    """Words for the portal's own cells, in the agent's language."""

    situation: Callable[[str], str]  # a declared situation's value → its words
    aids: Mapping[str, str]  # aid slug → title
    moments: Mapping[str, str]  # call-back moment → words


@dataclass
class Details:
    """What a batch of rows needs beyond the rows: précisions, campaigns, aids seen."""

    precisions: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    campaigns: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    seen: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def _details(session: Session, collectivite_id: int, rows: list[QueueRow]) -> Details:
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
    return details


def _lines(values: Iterable[str]) -> str | None:
    return "\n".join(values) or None


def _precisions(details: Details, housing_id: int) -> list[str | None]:
    chosen = sorted(details.precisions.get(housing_id, ()), key=PRECISION_ORDER.get)
    return [
        _lines(label for category, label in chosen if PRECISIONS[category][0] == family)
        for family in FAMILY_COLUMNS
    ]


def _paris(moment: datetime | None) -> datetime | None:
    return moment.astimezone(PARIS).replace(tzinfo=None, microsecond=0) if moment else None


def row_cells(row: QueueRow, details: Details, labels: Labels) -> list[Cell]:
    """One answer as the export's cells, in the order of `headers()`."""
    housing, owner, response, callback = row.housing, row.owner, row.response, row.callback
    status = STATUSES.get(housing.status, (housing.status, ()))[0]
    occupancy = OCCUPANCIES.get(housing.occupancy) or OCCUPANCIES_READ_ONLY.get(
        housing.occupancy, housing.occupancy
    )
    situation = response.answers.get("situation")
    if callback is None:
        callback_state = None
    else:
        callback_state = _("Fait") if callback.handled_at else _("Demandé")
    moments = callback.moments if callback else []
    return [
        housing.local_id, housing.invariant, housing.insee_code, _lines(housing.address_lines),
        HOUSING_KINDS.get(housing.kind or "", housing.kind), housing.energy_label,
        housing.living_area, housing.rooms_count, housing.building_year, occupancy,
        housing.vacancy_start_year, status, housing.sub_status,
        *_precisions(details, housing.id),
        _lines(details.campaigns.get(housing.id, ())),
        owner.full_name, _lines(owner.address_lines),
        _paris(response.last_return_at),
        labels.situation(situation) if isinstance(situation, str) else None,
        _lines(labels.aids.get(slug, slug) for slug in details.seen.get(response.id, ())),
        callback_state,
        written_phone((callback.phone if callback else None) or owner.phone),
        (callback.email if callback else None) or owner.email,
        ", ".join(str(labels.moments.get(moment, moment)) for moment in moments) or None,
        (callback.note if callback else None) or None,
    ]  # fmt: skip


def export_rows(
    session: Session, collectivite_id: int, rows: Iterable[QueueRow], labels: Labels
) -> Iterator[list[Cell]]:
    """The cells of every row, reading the rows' details a batch at a time."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        details = _details(session, collectivite_id, batch)
        for row in batch:
            yield row_cells(row, details, labels)


# --- CSV ---------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def csv_chunks(rows: Iterable[list[Cell]], every: int = 100) -> Iterator[bytes]:
    """The CSV file, a few rows at a time: UTF-8 with a BOM, ";", RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)  # fmt: skip
    writer.writerow([_csv_text(header) for header in headers()])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % every == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_cell(sheet, value: Cell):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    cell = WriteOnlyCell(sheet, value=neutralised(str(value)))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell


def xlsx_file(rows: Iterable[list[Cell]]) -> SpooledTemporaryFile:
    """The XLSX file, rewound, in a spooled temporary file (the caller closes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers():
        cell = _xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    spool = SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by file_chunks)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes, a piece at a time, closing it at the end."""
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


def exported_at() -> datetime:
    return clock.now().astimezone(PARIS)
