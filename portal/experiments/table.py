"""The per-unit table every analysis runs over: one row per letter (the unit), its arm, its
stratum and one 0/1 column per metric. The back-office exports it pseudonymised (the unit is
a keyed hash of the letter id); `portal experiments analyse --units FILE.csv` reads such a
file, ours or one built elsewhere with the same columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The columns a units file must have, before one column per metric.
KEY_COLUMNS = ("unit", "arm", "stratum")


@dataclass(frozen=True)
class Unit:
    unit: str  # pseudonymised letter id (or any id, in a file built elsewhere)
    arm: str
    stratum: str
    metrics: Mapping[str, int] = field(default_factory=dict)  # metric name → 0 or 1
