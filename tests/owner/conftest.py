"""Fixtures shared by the owner tests."""

from __future__ import annotations

import pytest

from tests.builders import make_letter


@pytest.fixture
def opened(client, session):
    """A letter whose owner has just scanned the QR code (a module may override it)."""
    letter, token, _ = make_letter(session)
    session.commit()
    assert client.get(f"/l/{token}").status_code == 303
    return letter
