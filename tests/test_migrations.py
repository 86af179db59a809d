"""Migrations run from an empty database, and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal.commands.database import alembic_config, upgrade
from portal.database import make_engine
from portal.models import Base
from tests.conftest import fresh_database


def test_migrations_run_from_empty_then_down_and_up_again(tmp_path_factory):
    from alembic import command

    with fresh_database(tmp_path_factory) as url:
        upgrade(url)
        engine = make_engine(url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        command.downgrade(alembic_config(url), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()


def test_models_and_migrations_agree(app, database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "run `portal db revision -m ...`:\n" + "\n".join(
        map(str, differences)
    )
