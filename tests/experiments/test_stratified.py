"""The Mantel–Haenszel risk difference (the one formula of ours: statsmodels has none),
checked against the plain difference and against a linear probability model."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

from portal.experiments.stratified import cells, cmh_p_value, mantel_haenszel, stratified
from portal.experiments.table import Unit


def units(arm: str, n: int, x: int, stratum: str) -> list[Unit]:
    return [Unit(f"{arm}{stratum}{i}", arm, stratum, {"scan": int(i < x)}) for i in range(n)]


@pytest.mark.parametrize("cell", [(300, 45, 300, 30), (100, 5, 50, 1), (1000, 130, 2000, 200)])
def test_one_stratum_is_the_plain_difference_with_about_the_wald_interval(cell):
    n1, x1, n0, x0 = cell
    rd, (low, high) = mantel_haenszel([cell], 0.05)
    p1, p0 = x1 / n1, x0 / n0
    assert rd == pytest.approx(p1 - p0)
    wald = norm.ppf(0.975) * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert (high - low) / 2 == pytest.approx(wald, rel=1e-3)
    assert (low + high) / 2 == pytest.approx(rd)


def test_three_balanced_strata_agree_with_ols_and_hc2():
    """Reference §5.3: y ~ treat + C(stratum) with HC2 standard errors; with equal arms in
    every stratum its coefficient is exactly the Mantel–Haenszel difference."""
    specification = [("a", 500, 50, 70), ("b", 300, 90, 105), ("c", 150, 15, 30)]
    table = []
    for stratum, n, control, treated in specification:
        table += units("C", n, control, stratum) + units("T", n, treated, stratum)
    result = stratified(table, "scan", "T", "C", 0.05)
    frame = pd.DataFrame({"y": [u.metrics["scan"] for u in table],
                          "treat": [int(u.arm == "T") for u in table],
                          "stratum": [u.stratum for u in table]})  # fmt: skip
    fit = smf.ols("y ~ treat + C(stratum)", data=frame).fit(cov_type="HC2")
    assert result.diff == pytest.approx(fit.params["treat"], abs=1e-12)
    low, high = fit.conf_int().loc["treat"]
    assert result.ci == pytest.approx((low, high), abs=1e-3)
    assert result.strata == 3
    assert result.p_value is not None and result.p_value < 0.01


def test_strata_missing_an_arm_are_skipped():
    table = units("C", 100, 10, "a") + units("T", 100, 20, "a") + units("T", 50, 50, "b")
    assert cells(table, "scan", "T", "C") == [(100, 20, 100, 10)]
    result = stratified(table, "scan", "T", "C", 0.05)
    assert (result.diff, result.strata, result.p_value) == (pytest.approx(0.1), 1, None)


def test_nothing_varies_no_cmh_p_value():
    assert cmh_p_value([(10, 0, 10, 0), (20, 0, 20, 0)]) is None
    assert cmh_p_value([(10, 10, 10, 10), (20, 0, 20, 0)]) is None


def test_no_usable_stratum_gives_nothing():
    assert mantel_haenszel([], 0.05) == (None, None)
    assert mantel_haenszel([(0, 0, 10, 1), (5, 1, 0, 0)], 0.05) == (None, None)
