"""`portal import FILE --collectivite SIREN [--confirm]`: housings and owners from ZLV's
campaign export (XLSX) or a CSV close to LOVAC (see the README). Without --confirm, prints
the preview and writes nothing; with it, writes every row not refused in one transaction."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.database import begin_write
from portal.extensions import db
from portal.imports.plan import Plan, apply, make_plan
from portal.imports.read import ImportFileError, open_table
from portal.models import Collectivite

SHOWN_REFUSED = 200  # refused rows printed (all are counted)


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--collectivite", "siren", required=True,
              help="SIREN of the collectivité the housings belong to.")  # fmt: skip
@click.option("--confirm", is_flag=True, help="Write (otherwise only show the preview).")
def import_file(file: Path, siren: str, confirm: bool) -> None:
    """Import housings and owners from FILE (ZLV campaign export .xlsx, or .csv)."""
    session = db.session()
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == siren))
    if collectivite is None:
        raise click.BadParameter(f"no collectivité with SIREN {siren}", param_hint="--collectivite")
    try:
        table = open_table(file)
        if confirm:
            begin_write(session)  # the plan is made and applied in the same transaction
        plan = make_plan(session, collectivite, table.rows)
        if confirm:
            apply(session, collectivite, plan)
            session.commit()
    except ImportFileError as error:
        session.rollback()
        raise click.ClickException(f"{error} Nothing was imported.") from None
    except Exception:
        session.rollback()
        raise
    if table.ignored_columns:
        click.echo(f"{len(table.ignored_columns)} column(s) not used, ignored.")
    _echo_plan(plan)
    if confirm:
        click.echo(f"Imported into {collectivite.name}: {plan.count('create')} created, "
                   f"{plan.count('update')} updated, {plan.count('unchanged')} unchanged, "
                   f"{plan.count('refuse')} refused.")  # fmt: skip
    else:
        click.echo("Nothing written: run again with --confirm to import.")


def _echo_plan(plan: Plan) -> None:
    click.echo(f"{plan.count('create')} to create, {plan.count('update')} to update, "
               f"{plan.count('unchanged')} unchanged, {plan.count('refuse')} refused.")  # fmt: skip
    for decision in plan.refused[:SHOWN_REFUSED]:
        click.echo(f"  row {decision.row}: refused: " + "; ".join(decision.reasons))
    if len(plan.refused) > SHOWN_REFUSED:
        click.echo(f"  … and {len(plan.refused) - SHOWN_REFUSED} more refused rows.")
