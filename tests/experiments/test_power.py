"""The power calculator against the usual sample-size table for two proportions
(alpha 0.05 two-sided, power 80 %, equal arms)."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import power_proportions_2indep

from portal.experiments.power import minimum_detectable_effect, sample_size


@pytest.mark.parametrize(
    ("baseline", "mde", "per_arm"),
    [(0.03, 0.01, 5300), (0.05, 0.01, 8160), (0.05, 0.015, 3780), (0.10, 0.01, 14750),
     (0.10, 0.02, 3840), (0.20, 0.02, 6510)],
)  # fmt: skip
def test_sample_sizes_match_the_table(baseline, mde, per_arm):
    plan = sample_size(baseline, mde)
    assert plan.per_arm[0] == plan.per_arm[1]
    assert plan.per_arm[0] == pytest.approx(per_arm, rel=0.01)
    assert plan.total == sum(plan.per_arm)
    reached = power_proportions_2indep(mde, baseline, plan.per_arm[1]).power
    assert reached >= 0.8


def test_unequal_weights_and_more_arms_need_more_letters():
    two = sample_size(0.05, 0.02)
    three = sample_size(0.05, 0.02, weights=(1, 1, 1))
    assert three.per_arm[0] > two.per_arm[0]  # planned at alpha / 2
    skewed = sample_size(0.05, 0.02, weights=(2, 1))
    assert skewed.per_arm[0] == pytest.approx(2 * skewed.per_arm[1], abs=1)


def test_mde_is_the_effect_the_sample_size_was_planned_for():
    plan = sample_size(0.05, 0.02)
    assert minimum_detectable_effect(0.05, plan.total) == pytest.approx(0.02, abs=0.0005)
    small, large = (minimum_detectable_effect(0.05, n) for n in (1000, 10000))
    assert small > large


def test_mde_is_none_when_nothing_can_be_detected():
    assert minimum_detectable_effect(0.5, 4, alpha=0.001, power=0.99) is None


@pytest.mark.parametrize(
    ("call", "named"),
    [(lambda: sample_size(0, 0.01), "baseline"), (lambda: sample_size(1.2, 0.01), "baseline"),
     (lambda: sample_size(0.05, 0), "mde"), (lambda: sample_size(0.95, 0.06), "mde"),
     (lambda: sample_size(0.05, 0.01, weights=(1, 0)), "weights"),
     (lambda: sample_size(0.05, 0.01, weights=(1,)), "weights"),
     (lambda: sample_size(0.05, 0.01, alpha=0), "alpha"),
     (lambda: minimum_detectable_effect(0.05, 3), "total")],
)  # fmt: skip
def test_bad_inputs_are_named(call, named):
    with pytest.raises(ValueError, match=named):
        call()
