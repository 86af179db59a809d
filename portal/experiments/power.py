"""Before launch: how many letters a trial needs, and the smallest effect it can detect.

Power comes from `statsmodels.stats.power.power_proportions_2indep` (the pooled standard
error under H0, the unpooled one under H1, as in the usual formula); sizes and effects are
found with `scipy.optimize.brentq` on it. With k > 2 arms, each comparison with the control
is planned at alpha / (k − 1) (Bonferroni, conservative for Holm's correction).

The sizes match reference §2.4's table (5 % → 6 %: 8,158 per arm; 10 % → 12 %: 3,841).
Its MDE table, though, comes from the shortcut (z + z)·√(2p(1−p)/n), which takes the
baseline's variance for both arms and so understates the effect a rise can be detected at:
5 % with 1,000 letters per arm gives 3.1 pp here (2.7 pp by the shortcut); the arcsine
method (`NormalIndPower` with `proportion_effectsize`) agrees with 3.1 pp. Kept exact, so
that `minimum_detectable_effect` of a planned size gives back the planned effect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

from scipy.optimize import brentq
from statsmodels.stats.proportion import power_proportions_2indep

LARGEST = 10_000_000  # letters per arm: beyond, no trial of ours


@dataclass(frozen=True)
class Plan:
    per_arm: tuple[int, ...]  # in the arms' order, the control first
    total: int


def _check(baseline: float, alpha: float, power: float, weights: Sequence[float]) -> None:
    if not 0 < baseline < 1:
        raise ValueError("baseline: the expected rate must be between 0 and 1 (0 % and 100 %)")
    if not 0 < alpha < 1:
        raise ValueError("alpha: the significance level must be between 0 and 1")
    if not 0 < power < 1:
        raise ValueError("power: the power must be between 0 and 1")
    if len(weights) < 2 or any(not w > 0 for w in weights):
        raise ValueError("weights: at least two arms, each with a weight above 0")


def _power(diff: float, baseline: float, control_n: float, ratio: float, alpha: float) -> float:
    return float(power_proportions_2indep(diff, baseline, control_n * ratio, ratio=1 / ratio,
                                          alpha=alpha).power)  # fmt: skip


def sample_size(baseline: float, mde: float, *, alpha: float = 0.05, power: float = 0.8,
                weights: Sequence[float] = (1, 1)) -> Plan:  # fmt: skip
    """Letters per arm (the control first) to detect an absolute rise `mde` over the
    control's `baseline` rate, two-sided at `alpha`, with `power`."""
    _check(baseline, alpha, power, weights)
    if not mde > 0:
        raise ValueError("mde: the effect to detect must be above 0")
    if baseline + mde >= 1:
        raise ValueError("mde: the expected rate plus the effect must stay under 100 %")
    level = alpha / (len(weights) - 1)
    control_n = 2.0
    for weight in weights[1:]:
        ratio = weight / weights[0]
        if _power(mde, baseline, LARGEST, ratio, level) < power:
            raise ValueError("mde: this effect is too small to detect with any number of letters")
        needed = brentq(lambda n, r=ratio: _power(mde, baseline, n, r, level) - power,
                        2, LARGEST)  # fmt: skip
        control_n = max(control_n, needed)
    per_arm = tuple(math.ceil(control_n * w / weights[0] - 1e-9) for w in weights)
    return Plan(per_arm, sum(per_arm))


def minimum_detectable_effect(baseline: float, total: int, *, alpha: float = 0.05,
                              power: float = 0.8,
                              weights: Sequence[float] = (1, 1)) -> float | None:  # fmt: skip
    """The smallest absolute rise over `baseline` that `total` letters, split by `weights`,
    detect with `power` (None when no rise below 100 % would be)."""
    _check(baseline, alpha, power, weights)
    if isinstance(total, bool) or not isinstance(total, Integral) or total < 2 * len(weights):
        raise ValueError(f"total: at least two letters per arm ({2 * len(weights)}), "
                         f"not {total!r}")  # fmt: skip
    level = alpha / (len(weights) - 1)
    control_n = total * weights[0] / sum(weights)
    ratio = min(weights[1:]) / weights[0]  # the smallest treatment arm decides
    top = 1 - baseline - 1e-9
    if _power(top, baseline, control_n, ratio, level) < power:
        return None
    return float(brentq(lambda d: _power(d, baseline, control_n, ratio, level) - power,
                        1e-9, top))  # fmt: skip
