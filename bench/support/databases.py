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
