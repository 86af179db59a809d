from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from portal.rules import load_content

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "content"
CONTEXT = {"rural": True, "level": 6}
DAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="session")
def content():
    return load_content(FIXTURE)


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of the miniature tree, to break on purpose."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target
