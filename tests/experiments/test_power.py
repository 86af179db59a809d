"""The power calculator against the usual sample-size table for two proportions
(alpha 0.05 two-sided, power 80 %, equal arms)."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import power_proportions_2indep, proportion_effectsize

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
     (lambda: minimum_detectable_effect(0.05, 3), "total"),
     (lambda: minimum_detectable_effect(0.05, 5, weights=(1, 1, 1)), "total"),
     (lambda: minimum_detectable_effect(0.05, 1000.0), "total"),
     (lambda: minimum_detectable_effect(1, 1000), "baseline"),
     (lambda: minimum_detectable_effect(0.05, 1000, power=1), "power"),
     (lambda: minimum_detectable_effect(0.05, 1000, weights=(2, -1)), "weights"),
     (lambda: sample_size(-0.1, 0.01), "baseline"), (lambda: sample_size(0.05, -0.01), "mde")],
)  # fmt: skip
def test_bad_inputs_are_named(call, named):
    with pytest.raises(ValueError, match=named):
        call()


@pytest.mark.parametrize(
    ("baseline", "per_arm", "mde", "shortcut"),
    [(0.05, 1000, 0.0310, 0.027), (0.05, 2500, 0.0187, 0.017), (0.05, 5000, 0.0129, 0.012),
     (0.10, 1000, 0.0407, 0.038), (0.10, 2500, 0.0250, 0.024)],
)  # fmt: skip
def test_mde_table(baseline, per_arm, mde, shortcut):
    """Reference §2.4's MDE table (the `shortcut` column, ≈ 2.7 pp at 5 % and 1,000 per arm)
    uses (1.96 + 0.84)·√(2p(1−p)/n), the baseline's variance for both arms. The exact
    figure is higher; it agrees with the arcsine method of NormalIndPower."""
    found = minimum_detectable_effect(baseline, 2 * per_arm)
    assert found == pytest.approx(mde, abs=1e-4)
    assert 2.8 * math.sqrt(2 * baseline * (1 - baseline) / per_arm) == pytest.approx(
        shortcut, abs=5e-4
    )
    h = NormalIndPower().solve_power(nobs1=per_arm, alpha=0.05, power=0.8, ratio=1)
    arcsine = math.sin(math.asin(math.sqrt(baseline)) + h / 2) ** 2 - baseline
    assert found == pytest.approx(arcsine, abs=3e-4)
    assert power_proportions_2indep(found, baseline, per_arm).power == pytest.approx(0.8)


def test_sizes_agree_with_the_arcsine_method():
    for baseline, mde in [(0.05, 0.01), (0.10, 0.02), (0.20, 0.02)]:
        h = proportion_effectsize(baseline + mde, baseline)
        arcsine = NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1)
        assert sample_size(baseline, mde).per_arm[0] == pytest.approx(arcsine, rel=0.01)


def test_k_arms_are_planned_at_alpha_over_k_minus_one():
    three = sample_size(0.05, 0.02, weights=(1, 1, 1))
    assert three.per_arm == (sample_size(0.05, 0.02, alpha=0.025).per_arm[0],) * 3
    four = minimum_detectable_effect(0.05, 4000, weights=(1, 1, 1, 1))
    assert four == pytest.approx(minimum_detectable_effect(0.05, 2000, alpha=0.05 / 3))
