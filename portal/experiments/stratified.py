"""The stratified estimate of one arm against the control across strata (campaign × owner
kind): the Mantel–Haenszel risk difference and the Cochran–Mantel–Haenszel test.

What computes what:
- the risk difference and its interval: written here, because statsmodels has no
  Mantel–Haenszel risk difference (its `StratifiedTable` pools odds ratios and risk ratios
  only). Each stratum s is weighted w_s = n1·n0 / (n1 + n0) (reference §5.3) and the
  variance is Sato's (1989), which stays valid both for a few large strata and for many
  sparse ones (Greenland & Robins' dually consistent estimator);
- the p-value: `statsmodels.stats.contingency_tables.StratifiedTable(tables)
  .test_null_odds()` (Cochran–Mantel–Haenszel, no continuity correction), when at least
  two strata hold both arms.

Strata where one of the two arms has no unit say nothing about the difference: skipped.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from statsmodels.stats.contingency_tables import StratifiedTable

from portal.experiments.table import Unit

# One stratum's counts: (n1, x1, n0, x0) = the arm's units and successes, the control's.
Cell = tuple[int, int, int, int]


@dataclass(frozen=True)
class Stratified:
    arm: str
    control: str
    diff: float | None  # Mantel–Haenszel risk difference
    ci: tuple[float, float] | None
    p_value: float | None  # Cochran–Mantel–Haenszel
    strata: int  # strata where both arms have units


def mantel_haenszel(tables: Sequence[Cell], alpha: float
                    ) -> tuple[float | None, tuple[float, float] | None]:  # fmt: skip
    """The Mantel–Haenszel risk difference over strata (n1, x1, n0, x0), each weighted
    w = n1·n0/N (N = n1 + n0), and its 1 − alpha Wald interval with Sato's variance:

        RD  = Σ w·(x1/n1 − x0/n0) / Σw
        Var = (RD·ΣP + ΣQ) / (Σw)²
        P   = (n1²·x0 − n0²·x1 + n1·n0·(n0 − n1)/2) / N²
        Q   = (x1·(n0 − x0) + x0·(n1 − x1)) / (2N)

    With one stratum RD is the plain difference and Var close to its unpooled Wald
    variance.
    (None, None) when no stratum holds both arms."""
    usable = [t for t in tables if t[0] > 0 and t[2] > 0]
    if not usable:
        return None, None
    weights = [n1 * n0 / (n1 + n0) for n1, _x1, n0, _x0 in usable]
    total_w = sum(weights)
    rd = sum(w * (x1 / n1 - x0 / n0)
             for w, (n1, x1, n0, x0) in zip(weights, usable, strict=True)) / total_w  # fmt: skip
    p_sum = q_sum = 0.0
    for n1, x1, n0, x0 in usable:
        big = n1 + n0
        p_sum += (n1 * n1 * x0 - n0 * n0 * x1 + n1 * n0 * (n0 - n1) / 2) / big**2
        q_sum += (x1 * (n0 - x0) + x0 * (n1 - x1)) / (2 * big)
    variance = max((rd * p_sum + q_sum) / total_w**2, 0.0)
    half = float(norm.ppf(1 - alpha / 2)) * math.sqrt(variance)
    return rd, (rd - half, rd + half)


def cells(units: Sequence[Unit], metric: str, arm: str, control: str) -> list[Cell]:
    """Per stratum (in sorted order) where both arms have units: (n1, x1, n0, x0)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for unit in units:
        if unit.arm in (arm, control):
            cell = counts[unit.stratum]
            offset = 0 if unit.arm == arm else 2
            cell[offset] += 1
            cell[offset + 1] += unit.metrics[metric]
    return [(c[0], c[1], c[2], c[3]) for _s, c in sorted(counts.items()) if c[0] and c[2]]


def cmh_p_value(tables: Sequence[Cell]) -> float | None:
    """The Cochran–Mantel–Haenszel test over two strata or more (statsmodels); None with
    fewer, or when no stratum varies at all (every unit 0, or every unit 1)."""
    if len(tables) < 2:
        return None
    two_by_two = [np.array([[x1, n1 - x1], [x0, n0 - x0]]) for n1, x1, n0, x0 in tables]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when nothing varies: None
        p_value = float(StratifiedTable(two_by_two).test_null_odds(correction=False).pvalue)
    return p_value if math.isfinite(p_value) else None


def stratified(units: Sequence[Unit], metric: str, arm: str, control: str,
               alpha: float) -> Stratified:  # fmt: skip
    tables = cells(units, metric, arm, control)
    rd, ci = mantel_haenszel(tables, alpha)
    return Stratified(arm, control, rd, ci, cmh_p_value(tables), len(tables))
