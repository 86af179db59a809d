"""Databases for the benchmarks that need no data but the schema."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from portal.commands.database import upgrade


@contextmanager
def migrated_sqlite() -> Iterator[str]:
    """The URL of an empty SQLite database at the latest migration, in a temporary folder
    removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        yield url


def reset(url: str) -> None:
    """Bring the database at `url` to the latest migration, emptied of every row (a
    benchmark's own database: never the shared `test` one)."""
    from sqlalchemy import create_engine

    from portal.models import Base

    upgrade(url)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
