"""An import from start to end, for the command line and the back-office's jobs alike:
`preview` reads the file and says what it would do; `apply` does it, all or nothing.

Memory stays flat whatever the file's length: rows are read lazily and decided a chunk
(plan.CHUNK_SIZE) at a time, and only counts and the first MAX_PROBLEMS refused rows are
kept. The row-by-row report (CSV: ligne, action, identifiant, code INSEE, détail) is written
as the rows are decided. The whole-file memories are the local ids already seen (a row
repeating one is refused) and the names of owners left without an address.

`apply` works in two passes over the file, so that the write lock of the database is held
only for the second: the check (decisions against the database as it is, the rows to write
spilled to a temporary file, one JSON line each), then the write, chunk by chunk, in ONE
transaction: any error rolls it all back and nothing is written. The write looks its
housings up again, so a housing created since the check is updated, not duplicated.

ZLV's "Propriétaires" sheet, when present, completes the postal address of the owners this
import creates or updates and the housing rows leave without one. It has no housing key
and no owner kind (ZLV's campaign export, see read.py): an owner is found by name, the
first row of a name gives its address, and the owner kind can only come from the CSV's
`proprietaire_type`.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.imports import messages
from portal.imports.plan import DataChanged, Planner, chunks, write
from portal.imports.read import ImportFileError, open_owner_sheet, open_table
from portal.imports.validate import Decision, lines, name_key
from portal.models import Collectivite, Event

MAX_PROBLEMS = 500  # refused rows kept for the page (all are counted and in the report)
# progress(stage, done, total): stage "check" (rows read) or "write" (rows written).
ProgressFn = Callable[[str, int, int | None], None]


@dataclass
class Summary:
    mode: str  # "preview" or "apply"
    file_name: str
    rows: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("create", "update", "unchanged", "refuse"), 0)
    )
    problems: list[dict] = field(default_factory=list)  # {row, local_id, reasons}
    owners_completed: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    file_error: list | None = None  # [code, params] when the file cannot be read

    def as_result(self) -> dict:
        return asdict(self)

    def count(self, action: str) -> int:
        return self.counts[action]


class Report:
    """The row-by-row report, as CSV in the caller's file: UTF-8 with a BOM, ";" (French
    Excel), in the language active when it is written."""

    def __init__(self, file: IO[str] | None) -> None:
        self.writer = None
        if file is not None:
            file.write("\ufeff")
            self.writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
            self.writer.writerow(_headers())

    def decision(self, decision: Decision) -> None:
        if self.writer is None:
            return
        if decision.action == "refuse":
            detail = messages.describe_all(decision.reasons)
        else:
            detail = messages.describe_changes(decision.changes)
        self.writer.writerow([decision.row, messages.action_label(decision.action),
                              _cell(decision.local_id), _cell(decision.insee_code),
                              _cell(detail)])  # fmt: skip

    def owner(self, row: int, name: str) -> None:
        if self.writer is not None:
            sheet = _("Propriétaires, ligne %(row)s", row=row)
            self.writer.writerow([sheet, messages.action_label("owner-completed"), "", "",
                                  _cell(name)])  # fmt: skip


def _headers() -> list[str]:
    return [_("ligne"), _("action"), _("identifiant fiscal national"), _("code INSEE"),
            _("détail")]  # fmt: skip


def _cell(text: str | None) -> str:
    """A text cell a spreadsheet will not read as a formula (as portal.backoffice.exports)."""
    text = text or ""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def preview(session: Session, collectivite: Collectivite, path: Path, *,
            name: str | None = None, progress: ProgressFn | None = None,
            report: IO[str] | None = None) -> Summary:  # fmt: skip
    """What importing the file would do; reads, never writes."""
    return _check(session, collectivite, path, "preview", name, progress, Report(report))[0]


def apply(session: Session, collectivite: Collectivite, path: Path, *,
          name: str | None = None, progress: ProgressFn | None = None,
          report: IO[str] | None = None, agent_id: int | None = None,
          job_id: int | None = None) -> Summary:  # fmt: skip
    """Import the file: every row not refused, in one transaction, which the caller commits
    (after adding what must be written with it, e.g. the report); on any error it is rolled
    back here and the error re-raised. An Event records the import and its counts."""
    collectivite_id = collectivite.id
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spill:
        summary, completions = _check(session, collectivite, path, "apply", name, progress,
                                      Report(report), spill)  # fmt: skip
        if summary.file_error:
            return summary
        to_write = summary.count("create") + summary.count("update")
        if progress:
            progress("write", 0, to_write)
        spill.seek(0)
        try:
            begin_write(session)
            written = 0
            for chunk in chunks(spill):
                decisions = [Decision(**json.loads(line)) for line in chunk]
                write(session, collectivite_id, decisions, completions)
                written += len(decisions)
                if progress:
                    progress("write", written, to_write)
            session.add(_event(collectivite_id, summary, agent_id, job_id))
            session.flush()
        except IntegrityError:  # a housing of the file created since the check
            session.rollback()
            raise DataChanged() from None
        except BaseException:
            session.rollback()
            raise
    return summary


def _check(session, collectivite, path, mode, name, progress, report, spill=None):
    """Pass one: every row decided, counted, reported; the rows to write spilled."""
    name = name or Path(path).name
    summary = Summary(mode, name)
    planner = Planner(session, collectivite.id, collectivite.perimeter)
    missing_address: set[str] = set()  # owners written without an address (name keys)
    try:
        table = open_table(path, name)
        summary.ignored_columns = table.ignored_columns
        for chunk in chunks(table.rows):
            for decision in planner.decide(chunk):
                _count(summary, decision, report)
                if decision.action in ("create", "update"):
                    owner = decision.owner
                    if not owner["address_lines"] and not owner.pop("had_address", False):
                        missing_address.add(name_key(owner["full_name"]))
                    owner.pop("had_address", None)
                    if spill is not None:
                        spill.write(json.dumps(_spilled(decision)) + "\n")
            if progress:
                progress("check", summary.rows, table.total)
        if summary.rows == 0:
            raise ImportFileError("no-rows", name=name)
        completions = {}
        if table.owner_sheet and missing_address:
            completions = _completions(path, name, missing_address, report)
        summary.owners_completed = len(completions)
    except ImportFileError as error:
        summary.file_error = [error.code, error.params]
        return summary, {}
    return summary, completions


def _count(summary: Summary, decision: Decision, report: Report) -> None:
    summary.rows += 1
    summary.counts[decision.action] += 1
    if decision.action == "refuse" and len(summary.problems) < MAX_PROBLEMS:
        summary.problems.append({"row": decision.row, "local_id": decision.local_id,
                                 "reasons": [list(r) for r in decision.reasons]})  # fmt: skip
    report.decision(decision)


def _spilled(decision: Decision) -> dict[str, Any]:
    return {"row": decision.row, "action": decision.action, "local_id": decision.local_id,
            "insee_code": decision.insee_code, "housing": decision.housing,
            "owner": decision.owner}  # fmt: skip


def _completions(path, name, missing: set[str], report: Report) -> dict[str, list[str]]:
    """Addresses from the "Propriétaires" sheet for the owners in `missing` (name keys):
    the first row of a name that gives an address."""
    found: dict[str, list[str]] = {}
    for row in open_owner_sheet(path, name):
        key = name_key(str(row.cells.get("owner_name") or ""))
        if key not in missing or key in found:
            continue
        address = _sheet_address(row.cells)
        if address:
            found[key] = address
            report.owner(row.number, str(row.cells["owner_name"]))
    return found


def _sheet_address(cells: dict) -> list[str]:
    """The LOVAC address (its lines), else the BAN address: its parts (number and street,
    postal code and commune) when given, its one-line label otherwise; the "complément"
    first, as on an envelope."""
    address = lines(cells.get("owner_address"))
    if address:
        return address
    street = " ".join(str(cells.get(k) or "").strip()
                      for k in ("owner_street_number", "owner_street")).strip()  # fmt: skip
    town = " ".join(str(cells.get(k) or "").strip()
                    for k in ("owner_postal_code", "owner_city")).strip()  # fmt: skip
    parts = [street, town] if street and town else lines(cells.get("owner_ban_address"))
    extra = lines(cells.get("owner_additional_address"))
    return [*extra, *parts] if parts else []


def _event(collectivite_id: int, summary: Summary, agent_id: int | None,
           job_id: int | None) -> Event:  # fmt: skip
    after = {"file": summary.file_name, "rows": summary.rows, **summary.counts,
             "owners_completed": summary.owners_completed}  # fmt: skip
    if job_id is not None:
        after["job_id"] = job_id
    return Event(collectivite_id=collectivite_id, created_at=clock.now(),
                 actor_kind="agent" if agent_id else "system", agent_id=agent_id,
                 kind="collectivite:housings-imported", before=None, after=after)  # fmt: skip
