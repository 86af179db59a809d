"""The analysis of an experiment over its per-unit table (portal.experiments.table.Unit).

What computes what (nothing here re-implements what statsmodels or scipy provide):
- each arm's rate and its Wilson interval: `statsmodels…proportion_confint(method="wilson")`;
- each arm against the control: the difference with Newcombe's hybrid-score interval
  (`confint_proportions_2indep(compare="diff", method="newcomb")`), the relative lift with
  the log risk-ratio interval (`compare="ratio", method="log"`, minus 1), the two-sided
  pooled z-test (`proportions_ztest`), or Fisher's exact test (`scipy.stats.fisher_exact`)
  when an expected cell is under 5; Holm's adjustment across the comparisons
  (`multipletests(method="holm")`);
- sample-ratio mismatch: `scipy.stats.chisquare` of the arms' counts against the planned
  weights, when every arm has at least 8 units; flagged under p = 0.001;
- the stratified estimate across campaigns: the Mantel–Haenszel risk difference with Sato's
  variance (statsmodels has no Mantel–Haenszel risk difference; its formula is below), and
  the Cochran–Mantel–Haenszel test `StratifiedTable(...).test_null_odds()`.

Never a division by zero: what cannot be computed is None, with a problem saying why
(« pas encore assez de données »).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.stats import chisquare, fisher_exact, norm
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from portal.experiments.table import Unit

SRM_MINIMUM = 8  # units per arm before the sample-ratio check means anything
SRM_THRESHOLD = 0.001
FISHER_BELOW = 5  # an expected cell under this: Fisher's exact test

PROBLEMS = {
    "no-units": "Aucun courrier n’est encore affecté à cette expérience.",
    "empty-arm": "Un bras n’a encore aucun courrier : pas encore assez de données.",
    "no-control": "Le bras témoin n’a encore aucun courrier : pas encore assez de données.",
    "srm-too-few": "Moins de 8 courriers dans un bras : le contrôle de répartition attendra.",
    "one-stratum": "Une seule strate utilisable : l’estimation stratifiée est la différence "
    "simple.",
    "no-stratum": "Aucune strate ne compte les deux bras : pas d’estimation stratifiée.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class ArmResult:
    arm: str
    n: int
    successes: int
    rate: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class Comparison:
    arm: str
    control: str
    diff: float | None
    diff_ci: tuple[float, float] | None
    lift: float | None
    lift_ci: tuple[float, float] | None
    p_value: float | None
    p_holm: float | None
    test: str | None  # "z" or "fisher"
    conclusive: bool  # the difference's interval excludes 0


@dataclass(frozen=True)
class Srm:
    p_value: float | None
    flagged: bool
    observed: dict[str, int]
    expected: dict[str, float]


@dataclass(frozen=True)
class Stratified:
    arm: str
    control: str
    diff: float | None
    ci: tuple[float, float] | None
    p_value: float | None  # Cochran–Mantel–Haenszel
    strata: int  # strata where both arms have units


@dataclass
class Report:
    metric: str
    control: str
    alpha: float
    arms: list[ArmResult]
    comparisons: list[Comparison]
    srm: Srm
    stratified_by_arm: list[Stratified]
    problems: list[Problem] = field(default_factory=list)

    @property
    def enough_data(self) -> bool:
        return bool(self.comparisons) and all(c.diff is not None for c in self.comparisons)

    @property
    def stratified(self) -> Stratified | None:
        return self.stratified_by_arm[0] if self.stratified_by_arm else None

    def to_json(self) -> dict:
        def plain(value):
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        return plain({
            "metric": self.metric, "control": self.control, "alpha": self.alpha,
            "enough_data": self.enough_data,
            "problems": [asdict(p) for p in self.problems],
            "arms": [asdict(a) for a in self.arms],
            "comparisons": [asdict(c) for c in self.comparisons],
            "srm": asdict(self.srm),
            "stratified": asdict(self.stratified) if self.stratified else None,
            "stratified_by_arm": [asdict(s) for s in self.stratified_by_arm],
        })  # fmt: skip


def _interval(low, high) -> tuple[float, float] | None:
    low, high = float(low), float(high)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def _problem(code: str) -> Problem:
    return Problem(code, PROBLEMS[code])


def arm_names(units: Sequence[Unit], arms: Sequence[str] | None) -> list[str]:
    named = list(dict.fromkeys(arms or ()))
    return named + sorted({u.arm for u in units} - set(named))


def _counts(units: Sequence[Unit], metric: str, names: Sequence[str]):
    n, x = dict.fromkeys(names, 0), dict.fromkeys(names, 0)
    for unit in units:
        value = unit.metrics.get(metric)
        if value not in (0, 1):
            raise ValueError(f"unit {unit.unit!r}: {metric} must be 0 or 1, not {value!r}")
        n[unit.arm] += 1
        x[unit.arm] += value
    return n, x


def arm_result(arm: str, n: int, x: int, alpha: float) -> ArmResult:
    if n == 0:
        return ArmResult(arm, 0, 0, None, None)
    low, high = proportion_confint(x, n, alpha=alpha, method="wilson")
    return ArmResult(arm, n, x, x / n, _interval(low, high))


def compare(arm: str, control: str, n1: int, x1: int, n0: int, x0: int,
            alpha: float) -> Comparison:  # fmt: skip
    """`arm` (n1, x1) against the control (n0, x0); p_holm is filled in by `analyse`."""
    if n1 == 0 or n0 == 0:
        return Comparison(arm, control, None, None, None, None, None, None, None, False)
    diff = x1 / n1 - x0 / n0
    diff_ci = _interval(*confint_proportions_2indep(x1, n1, x0, n0, method="newcomb",
                                                    compare="diff", alpha=alpha))  # fmt: skip
    lift = lift_ci = None
    if x0 > 0:
        lift = (x1 / n1) / (x0 / n0) - 1
        if x1 > 0:
            low, high = confint_proportions_2indep(x1, n1, x0, n0, method="log",
                                                   compare="ratio", alpha=alpha)  # fmt: skip
            lift_ci = _interval(low - 1, high - 1)
    total, successes = n1 + n0, x1 + x0
    if successes in (0, total):
        p_value, test = 1.0, "z"  # no variation at all: nothing to test
    elif min(n * k / total for n in (n1, n0) for k in (successes, total - successes)) \
            < FISHER_BELOW:  # fmt: skip
        p_value, test = float(fisher_exact([[x1, n1 - x1], [x0, n0 - x0]])[1]), "fisher"
    else:
        p_value, test = float(proportions_ztest([x1, x0], [n1, n0])[1]), "z"
    conclusive = diff_ci is not None and (diff_ci[0] > 0 or diff_ci[1] < 0)
    return Comparison(arm, control, diff, diff_ci, lift, lift_ci, p_value, None, test,
                      conclusive)  # fmt: skip


def sample_ratio(observed: Mapping[str, int], weights: Mapping[str, float]) -> Srm:
    total, weight = sum(observed.values()), sum(weights.get(a, 0) for a in observed)
    expected = {a: total * weights.get(a, 0) / weight if weight else 0.0 for a in observed}
    if len(observed) < 2 or min(observed.values()) < SRM_MINIMUM or not all(expected.values()):
        return Srm(None, False, dict(observed), expected)
    p_value = float(chisquare(list(observed.values()), list(expected.values())).pvalue)
    return Srm(p_value, p_value < SRM_THRESHOLD, dict(observed), expected)


def mantel_haenszel(tables: Sequence[tuple[int, int, int, int]],
                    alpha: float) -> tuple[float | None, tuple[float, float] | None]:  # fmt: skip
    """The Mantel–Haenszel risk difference over strata (n1, x1, n0, x0), each weighted
    n1·n0/(n1+n0), with Sato's (1989) variance, valid for large and for sparse strata:
    Var = (RD·ΣP + ΣQ) / (Σw)², P = (n1²·x0 − n0²·x1 + n1·n0·(n0 − n1)/2) / N²,
    Q = (x1·(n0 − x0) + x0·(n1 − x1)) / (2N)."""
    usable = [t for t in tables if t[0] > 0 and t[2] > 0]
    weights = [n1 * n0 / (n1 + n0) for n1, _x1, n0, _x0 in usable]
    if not usable or sum(weights) == 0:
        return None, None
    total_w = sum(weights)
    rd = (
        sum(w * (x1 / n1 - x0 / n0) for w, (n1, x1, n0, x0) in zip(weights, usable, strict=True))
        / total_w
    )
    p_sum = q_sum = 0.0
    for n1, x1, n0, x0 in usable:
        big = n1 + n0
        p_sum += (n1 * n1 * x0 - n0 * n0 * x1 + n1 * n0 * (n0 - n1) / 2) / big**2
        q_sum += (x1 * (n0 - x0) + x0 * (n1 - x1)) / (2 * big)
    variance = max((rd * p_sum + q_sum) / total_w**2, 0.0)
    half = norm.ppf(1 - alpha / 2) * math.sqrt(variance)
    return rd, (rd - half, rd + half)


def stratified(units: Sequence[Unit], metric: str, arm: str, control: str,
               alpha: float) -> Stratified:  # fmt: skip
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for unit in units:
        if unit.arm in (arm, control):
            cell = cells[unit.stratum]
            offset = 0 if unit.arm == arm else 2
            cell[offset] += 1
            cell[offset + 1] += unit.metrics[metric]
    tables = [tuple(c) for _s, c in sorted(cells.items()) if c[0] and c[2]]
    rd, ci = mantel_haenszel(tables, alpha)
    p_value = None
    two_by_two = [np.array([[x1, n1 - x1], [x0, n0 - x0]]) for n1, x1, n0, x0 in tables]
    varied = [t for t in two_by_two if t[:, 0].sum() and t[:, 1].sum()]
    if len(varied) >= 2:
        p_value = float(StratifiedTable(varied).test_null_odds(correction=False).pvalue)
    return Stratified(arm, control, rd, ci, p_value, len(tables))


def analyse(units: Sequence[Unit], metric: str, *, control: str | None = None,
            arms: Sequence[str] | None = None, weights: Mapping[str, float] | None = None,
            alpha: float = 0.05) -> Report:  # fmt: skip
    """The report on `metric` (a 0/1 column of every unit) for each arm against the
    control (by default the first of `arms`, the registered arms in order; else the first
    arm's name in sorted order). `weights`: the planned allocation (default equal)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    names = arm_names(units, arms)
    if units and any(metric not in u.metrics for u in units):
        raise ValueError(f"unknown metric {metric!r}")
    control = control or (names[0] if names else "")
    if names and control not in names:
        raise ValueError(f"unknown control arm {control!r}: arms are {', '.join(names)}")
    n, x = _counts(units, metric, names)
    problems = []
    if not units:
        problems.append(_problem("no-units"))
    elif n.get(control) == 0:
        problems.append(_problem("no-control"))
    elif any(count == 0 for count in n.values()):
        problems.append(_problem("empty-arm"))
    results = [arm_result(a, n[a], x[a], alpha) for a in names]
    comparisons = [compare(a, control, n[a], x[a], n[control], x[control], alpha)
                   for a in names if a != control]  # fmt: skip
    tested = [i for i, c in enumerate(comparisons) if c.p_value is not None]
    if tested:
        adjusted = multipletests([comparisons[i].p_value for i in tested], method="holm")[1]
        for i, p_holm in zip(tested, adjusted, strict=True):
            comparisons[i] = _with_holm(comparisons[i], float(p_holm))
    srm = sample_ratio(n, weights or dict.fromkeys(names, 1))
    if units and srm.p_value is None:
        problems.append(_problem("srm-too-few"))
    by_arm = [stratified(units, metric, c.arm, control, alpha) for c in comparisons
              if c.diff is not None]  # fmt: skip
    if by_arm and all(s.strata == 1 for s in by_arm):
        problems.append(_problem("one-stratum"))
    return Report(metric, control, alpha, results, comparisons, srm, by_arm, problems)


def _with_holm(comparison: Comparison, p_holm: float) -> Comparison:
    values = asdict(comparison)
    values["p_holm"] = p_holm
    return Comparison(**values)


def funnel(units: Sequence[Unit], steps: Sequence[str] = ("scan", "diagnostic", "callback"),
           arms: Sequence[str] | None = None) -> list[dict]:  # fmt: skip
    """Per arm: every letter assigned (the intention-to-treat denominator, opened or not)
    and, for each step, how many letters reached it and the rate on that same denominator."""
    rows = []
    for arm in arm_names(units, arms):
        mine = [u for u in units if u.arm == arm]
        counts = [sum(u.metrics.get(step, 0) for u in mine) for step in steps]
        rows.append({
            "arm": arm, "n": len(mine),
            "steps": [{"metric": step, "successes": count,
                       "rate": count / len(mine) if mine else None}
                      for step, count in zip(steps, counts, strict=True)],
        })  # fmt: skip
    return rows
