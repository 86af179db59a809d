"""`portal i18n extract|update|compile`: the message catalogs under translations/."""

from __future__ import annotations

import subprocess
import sys

import click

from portal.config import ROOT

TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 (fixed arguments)


@click.group()
def i18n() -> None:
    """Translations (French source, English catalog)."""


def extract_to(output) -> None:
    """Extract translatable strings from portal/ and templates/ into `output` (a .pot)."""
    pybabel(
        "extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "lazy_gettext", "-k", "_l",
        "--no-location", "--sort-output", "--omit-header", "--no-wrap",
        "-o", str(output), "portal", "templates",
    )  # fmt: skip


@i18n.command()
def extract() -> None:
    """Extract translatable strings from portal/ and templates/ into messages.pot."""
    extract_to(TEMPLATE)


@i18n.command()
def update() -> None:
    """Extract, then merge new strings into every catalog."""
    extract.callback()
    pybabel(
        "update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS),
        "--no-wrap", "--ignore-obsolete",
    )  # fmt: skip


@i18n.command(name="compile")
def compile_catalogs() -> None:
    """Compile catalogs to .mo files (done by `make run` and `make test`)."""
    pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
