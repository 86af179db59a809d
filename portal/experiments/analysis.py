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
- the stratified estimate across campaigns (portal.experiments.stratified): the
  Mantel–Haenszel risk difference with Sato's variance (statsmodels has none: the formula is
  written there), and the Cochran–Mantel–Haenszel test `StratifiedTable(...).test_null_odds()`.

Never a division by zero: what cannot be computed is None, with a problem saying why
(« pas encore assez de données »).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.stats import chisquare, fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from portal.experiments.stratified import Stratified, stratified
from portal.experiments.table import Unit

SRM_MINIMUM = 8  # units per arm before the sample-ratio check means anything
SRM_THRESHOLD = 0.001
FISHER_BELOW = 5  # an expected cell under this: Fisher's exact test

NBSP = "\u00a0"  # French typography: before « : »

# Plain French notes, by stable code (the back-office translates the codes).
PROBLEMS = {
    "no-units": "Aucun courrier n’est encore affecté à cette expérience.",
    "one-arm": f"Un seul bras{NBSP}: rien à comparer.",
    "empty-arm": f"Un bras n’a encore aucun courrier{NBSP}: pas encore assez de données.",
    "no-control": f"Le bras témoin n’a encore aucun courrier{NBSP}: pas encore assez de "
    "données.",
    "srm-too-few": f"Moins de 8 courriers dans un bras{NBSP}: le contrôle de répartition "
    "attendra.",
    "srm-unplanned": f"Des courriers sont dans un bras sans poids prévu{NBSP}: pas de contrôle "
    "de répartition.",
    "one-stratum": f"Une seule strate utilisable{NBSP}: l’estimation stratifiée est la "
    "différence simple.",
    "no-stratum": f"Aucune strate ne compte les deux bras{NBSP}: pas d’estimation stratifiée.",
}  # fmt: skip


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


@dataclass
class Report:
    metric: str
    control: str | None  # None only when there is no arm at all
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
        """The first arm's stratified estimate; None when it cannot be computed."""
        first = self.stratified_by_arm[0] if self.stratified_by_arm else None
        return first if first is not None and first.diff is not None else None

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
    expected = [n * k / total for n in (n1, n0) for k in (successes, total - successes)]
    if min(expected) < FISHER_BELOW:  # also every unit 0 or every unit 1: p = 1
        p_value, test = float(fisher_exact([[x1, n1 - x1], [x0, n0 - x0]])[1]), "fisher"
    else:
        p_value, test = float(proportions_ztest([x1, x0], [n1, n0])[1]), "z"
    conclusive = diff_ci is not None and (diff_ci[0] > 0 or diff_ci[1] < 0)
    return Comparison(arm, control, diff, diff_ci, lift, lift_ci, p_value, None, test,
                      conclusive)  # fmt: skip


def sample_ratio(observed: Mapping[str, int], weights: Mapping[str, float]) -> Srm:
    """`scipy.stats.chisquare` of the observed counts against N·w/Σw, when every arm has
    at least SRM_MINIMUM units and a planned weight; else p_value None, not flagged."""
    total, weight = sum(observed.values()), sum(weights.get(a, 0) for a in observed)
    expected = {a: total * weights.get(a, 0) / weight if weight else 0.0 for a in observed}
    if len(observed) < 2 or min(observed.values()) < SRM_MINIMUM or not all(expected.values()):
        return Srm(None, False, dict(observed), expected)
    p_value = float(chisquare(list(observed.values()), list(expected.values())).pvalue)
    return Srm(p_value, p_value < SRM_THRESHOLD, dict(observed), expected)


def analyse(units: Sequence[Unit], metric: str, *, control: str | None = None,
            arms: Sequence[str] | None = None, weights: Mapping[str, float] | None = None,
            alpha: float = 0.05) -> Report:  # fmt: skip
    """The report on `metric` (a 0/1 column of every unit) for each arm against the
    control (by default the first of `arms`, the registered arms in order; else the first
    arm's name in sorted order). Arms in `arms` without units appear with n = 0; arms of
    units not in `arms` come after them. `weights`: the planned allocation {arm: weight}
    for the sample-ratio check (default equal). Holm's adjustment runs over the
    comparisons of this report: guardrail metrics are analysed in reports of their own.

    ValueError (naming it) for an unknown metric or control arm, a bad alpha or weight;
    what cannot be computed yet is None, with a problem (code, message) saying why."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    bad = [a for a, w in (weights or {}).items() if not (isinstance(w, int | float) and w > 0)]
    if bad:
        raise ValueError(f"weights: the weight of arm {bad[0]!r} must be a number above 0")
    names = arm_names(units, arms)
    if units and any(metric not in u.metrics for u in units):
        raise ValueError(f"unknown metric {metric!r}")
    control = control or (names[0] if names else None)
    if names and control not in names:
        raise ValueError(f"unknown control arm {control!r}: arms are {', '.join(names)}")
    n, x = _counts(units, metric, names)
    problems = []
    if not units:
        problems.append(_problem("no-units"))
    elif len(names) < 2:
        problems.append(_problem("one-arm"))
    elif n[control] == 0:
        problems.append(_problem("no-control"))
    elif any(count == 0 for count in n.values()):
        problems.append(_problem("empty-arm"))
    results = [arm_result(a, n[a], x[a], alpha) for a in names]
    comparisons = [compare(a, control, n[a], x[a], n[control], x[control], alpha)
                   for a in names if a != control]  # fmt: skip
    tested = [i for i, c in enumerate(comparisons) if c.p_value is not None]
    if tested:
        p_values = [comparisons[i].p_value for i in tested]
        # Holm over one p-value is that p-value; multipletests runs a full gc.collect() on
        # every call, which a page showing several reports need not pay for two arms.
        adjusted = multipletests(p_values, method="holm")[1] if len(tested) > 1 else p_values
        for i, p_holm in zip(tested, adjusted, strict=True):
            comparisons[i] = _with_holm(comparisons[i], float(p_holm))
    planned = weights if weights is not None else dict.fromkeys(names, 1)
    srm = sample_ratio(n, planned)
    if units and len(names) > 1 and srm.p_value is None:
        unplanned = any(planned.get(a, 0) <= 0 for a in names if n[a])
        problems.append(_problem("srm-unplanned" if unplanned else "srm-too-few"))
    by_arm = [stratified(units, metric, c.arm, control, alpha) for c in comparisons]
    computable = [s for s, c in zip(by_arm, comparisons, strict=True) if c.diff is not None]
    if computable and all(s.diff is None for s in computable):
        problems.append(_problem("no-stratum"))
    elif computable and all(s.strata == 1 for s in computable if s.diff is not None):
        problems.append(_problem("one-stratum"))
    return Report(metric, control, alpha, results, comparisons, srm, by_arm, problems)


def _with_holm(comparison: Comparison, p_holm: float) -> Comparison:
    values = asdict(comparison)
    values["p_holm"] = p_holm
    return Comparison(**values)


def funnel(units: Sequence[Unit], steps: Sequence[str] = ("scan", "diagnostic", "callback"),
           arms: Sequence[str] | None = None) -> list[dict]:  # fmt: skip
    """Per arm: every letter assigned (the intention-to-treat denominator, opened or not)
    and, for each step, how many letters reached it and the rate on that same denominator
    (step-to-step rates are not randomised comparisons: not given here). ValueError naming
    a step that is not a metric of the units."""
    for step in steps:
        if units and any(step not in u.metrics for u in units):
            raise ValueError(f"unknown metric {step!r} in the funnel")
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
