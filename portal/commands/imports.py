"""`portal import FILE --collectivite SIREN [--dry-run] [--report CSV]`: housings and owners
from ZLV's campaign export (XLSX) or a CSV close to LOVAC (see the README). Writes every row
not refused, in one transaction (all or nothing); with --dry-run, prints the preview and
writes nothing. Collectivités have no slug: --collectivite takes the SIREN, their unique
identifier. A line every PROGRESS_EVERY rows shows progress (on stderr)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.imports import messages
from portal.imports.plan import DataChanged
from portal.imports.run import Summary, apply, preview
from portal.models import Collectivite

SHOWN_REFUSED = 200  # refused rows printed (all are counted, and all are in --report)
PROGRESS_EVERY = 10_000


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--collectivite", "siren", required=True,
              help="SIREN of the collectivité the housings belong to.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Only show what would be done; write nothing.")
@click.option("--report", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the row-by-row report (CSV) to this file.")  # fmt: skip
def import_file(file: Path, siren: str, dry_run: bool, report: Path | None) -> None:
    """Import housings and owners from FILE (ZLV campaign export .xlsx, or .csv)."""
    session = db.session()
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == siren))
    if collectivite is None:
        raise click.BadParameter(f"no collectivité with SIREN {siren}", param_hint="--collectivite")
    name = collectivite.name
    opened = report.open("w", encoding="utf-8", newline="") if report else nullcontext()
    with force_locale("en"), opened as out:
        try:
            if dry_run:
                summary = preview(session, collectivite, file, progress=_progress, report=out)
            else:
                summary = apply(session, collectivite, file, progress=_progress, report=out)
                session.commit()
        except DataChanged:
            raise click.ClickException(messages.file_error("data-changed", {})) from None
        if summary.file_error:
            code, params = summary.file_error
            raise click.ClickException(messages.file_error(code, params) + " Nothing was imported.")
        _echo(summary)
    if dry_run:
        click.echo("Nothing written (--dry-run): run again without it to import.")
    else:
        click.echo(f"Imported into {name}: {_counts(summary, 'created', 'updated')}.")


def _progress(stage: str, done: int, total: int | None) -> None:
    if done and (done % PROGRESS_EVERY == 0 or done == total):
        verb = "checked" if stage == "check" else "written"
        click.echo(f"  … {done} rows {verb}" + (f" of {total}" if total else ""), err=True)


def _counts(summary: Summary, created: str, updated: str) -> str:
    counts = summary.counts
    return (f"{counts['create']} {created}, {counts['update']} {updated}, "
            f"{counts['unchanged']} unchanged, {counts['refuse']} refused")  # fmt: skip


def _echo(summary: Summary) -> None:
    if summary.ignored_columns:
        click.echo(f"{len(summary.ignored_columns)} column(s) not used, ignored.")
    click.echo(_counts(summary, "to create", "to update") + ".")
    if summary.owners_completed:
        click.echo(f"{summary.owners_completed} owner address(es) completed from the "
                   "« Propriétaires » sheet.")  # fmt: skip
    for problem in summary.problems[:SHOWN_REFUSED]:
        click.echo(f"  row {problem['row']}: refused: " + messages.describe_all(problem["reasons"]))
    more = summary.count("refuse") - min(len(summary.problems), SHOWN_REFUSED)
    if more > 0:
        click.echo(f"  … and {more} more refused rows (all are in --report).")
