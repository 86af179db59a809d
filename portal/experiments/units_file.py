"""The per-unit table as a CSV file: `unit`, `arm`, `stratum`, then one 0/1 column per
metric. Written by the back-office's export, read by `portal experiments analyse`, which
also takes such a file built elsewhere. Every problem in a file is refused with a message
that names it (the column, the line, the value)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from portal.experiments.table import KEY_COLUMNS, Unit

MAX_BYTES = 200 * 1024 * 1024


class UnitsFileError(ValueError):
    """A units file that cannot be analysed; the message says why, in French."""


def _text(source: str | Path | TextIO) -> str:
    if hasattr(source, "read"):
        data = source.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise UnitsFileError(f"Le fichier {path} n’existe pas.")
        if path.stat().st_size > MAX_BYTES:
            raise UnitsFileError("Le fichier dépasse 200 Mo.")
        data = path.read_bytes()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise UnitsFileError(
                f"Le fichier n’est pas en UTF-8 (ligne {line}, "
                f"octet {error.start + 1}) : "
                "enregistrez-le en CSV UTF-8."
            ) from None
    return data.removeprefix("\ufeff")


def read_units(source: str | Path | TextIO, metric: str | None = None) -> list[Unit]:
    """The units of a CSV file (comma or semicolon separated, UTF-8 with or without BOM).
    With `metric`, that column must be present; every metric column must hold 0 or 1."""
    text = _text(source)
    if not text.strip():
        raise UnitsFileError("Le fichier est vide.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(rows)]
    missing = [name for name in KEY_COLUMNS if name not in header]
    if missing:
        raise UnitsFileError(
            "Colonne manquante : " + ", ".join(missing)
            + f" (le fichier doit commencer par les colonnes {', '.join(KEY_COLUMNS)})."
        )  # fmt: skip
    if len(set(header)) != len(header):
        twice = sorted({name for name in header if header.count(name) > 1})
        raise UnitsFileError("Colonne en double : " + ", ".join(twice) + ".")
    metrics = [name for name in header if name not in KEY_COLUMNS]
    if not metrics:
        raise UnitsFileError("Aucune colonne de mesure (0 ou 1) après unit, arm et stratum.")
    if metric is not None and metric not in metrics:
        raise UnitsFileError(
            f"La mesure « {metric} » n’est pas une colonne du fichier ; "
            f"colonnes de mesure présentes : {', '.join(metrics)}."
        )
    return _units(rows, header, metrics)


def _units(rows, header: Sequence[str], metrics: Sequence[str]) -> list[Unit]:
    position = {name: header.index(name) for name in header}
    units, seen = [], {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise UnitsFileError(f"Ligne {line} : {len(row)} colonnes au lieu de {len(header)}.")
        cells = {name: row[position[name]].strip() for name in header}
        for name in ("unit", "arm"):
            if not cells[name]:
                raise UnitsFileError(f"Ligne {line} : la colonne {name} est vide.")
        if cells["unit"] in seen:
            raise UnitsFileError(
                f"Ligne {line} : l’unité « {cells['unit']} » figure déjà ligne "
                f"{seen[cells['unit']]} (une ligne par unité)."
            )
        seen[cells["unit"]] = line
        values = {}
        for name in metrics:
            if cells[name] not in ("0", "1"):
                raise UnitsFileError(
                    f"Ligne {line}, colonne {name} : « {cells[name][:40]} » au lieu de 0 ou 1."
                )
            values[name] = int(cells[name])
        units.append(Unit(cells["unit"], cells["arm"], cells["stratum"], values))
    if not units:
        raise UnitsFileError("Le fichier n’a aucune ligne d’unité après l’en-tête.")
    return units


def write_units(units: Iterable[Unit], metrics: Sequence[str], stream: TextIO) -> None:
    """The same format: header `unit,arm,stratum,<metrics…>`, one line per unit."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*KEY_COLUMNS, *metrics])
    for unit in units:
        writer.writerow([unit.unit, unit.arm, unit.stratum,
                         *(int(unit.metrics.get(m, 0)) for m in metrics)])  # fmt: skip
