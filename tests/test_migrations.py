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


def test_events_recorded_before_keep_only_what_the_dwelling_is(tmp_path_factory):
    """Revision 4b1e5c0a7d21 strips owners' answers and call-back hashes from earlier Events
    (append-only to the portal, but retention must not find personal data it cannot purge)."""
    import json

    from sqlalchemy import text

    with fresh_database(tmp_path_factory) as url:
        upgrade(url, "ff1909a9aeea")
        engine = make_engine(url)
        before = {
            "answers": {"situation": "vacant", "owner_income_band": "modest"},
            "suggested_status": "first-contact",
            "callback": {"by_phone": True, "moments": [], "fingerprint": "0f3a"},
        }
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO collectivite (id, name, siren, kind, perimeter, contact_points,"
                    " settings, created_at, updated_at) VALUES (1, 'Nevers', '215801943',"
                    " 'commune', '[]', '[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for id_, kind in ((1, "response:callback"), (2, "housing:status-updated")):
                connection.execute(text(
                    "INSERT INTO event (id, collectivite_id, created_at, actor_kind, kind, after)"
                    " VALUES (:id, 1, CURRENT_TIMESTAMP, 'owner', :kind, :after)"),
                    {"id": id_, "kind": kind, "after": json.dumps(before)})  # fmt: skip
        upgrade(url)
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id, after FROM event ORDER BY id")).all())
        engine.dispose()
    loaded = {k: v if isinstance(v, dict) else json.loads(v) for k, v in rows.items()}
    assert loaded[1] == {
        "answers": {"situation": "vacant"},
        "suggested_status": "first-contact",
        "callback": {"by_phone": True, "moments": []},
    }
    assert loaded[2] == before  # other events are not an owner's answers
