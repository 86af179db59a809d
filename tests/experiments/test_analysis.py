"""The analysis checked against published figures and against statsmodels/scipy computed
independently here, on known tables; and every degenerate table answered without a crash."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import chisquare, fisher_exact
from statsmodels.stats.proportion import proportions_ztest

from portal.experiments.analysis import analyse, funnel
from portal.experiments.stratified import mantel_haenszel
from portal.experiments.table import Unit


def arm(name: str, n: int, successes: int, stratum: str = "s", metric: str = "scan"):
    return [Unit(f"{name}-{stratum}-{i}", name, stratum, {metric: int(i < successes)})
            for i in range(n)]  # fmt: skip


def test_newcombe_worked_example_and_wilson_intervals():
    """Newcombe (1998), example (a): 56/70 against 48/80, difference 0.2000, hybrid score
    interval 0.0524 to 0.3339; Wilson (1927) for 56/70: 0.6918 to 0.8770."""
    report = analyse(arm("T", 70, 56) + arm("C", 80, 48), "scan", arms=["C", "T"])
    (comparison,) = report.comparisons
    assert comparison.diff == pytest.approx(0.2)
    assert comparison.diff_ci == pytest.approx((0.0524, 0.3339), abs=5e-5)
    treated = report.arms[1]
    assert (treated.arm, treated.n, treated.successes) == ("T", 70, 56)
    assert treated.ci == pytest.approx((0.6918, 0.8770), abs=5e-5)
    assert comparison.conclusive
    assert comparison.test == "z"
    assert comparison.p_value == pytest.approx(proportions_ztest([56, 48], [70, 80])[1])
    assert comparison.p_holm == pytest.approx(comparison.p_value)  # one comparison
    assert comparison.lift == pytest.approx(0.8 / 0.6 - 1)
    low, high = comparison.lift_ci
    assert low < comparison.lift < high and low > 0


def test_holm_over_three_arms_matches_the_hand_computation():
    units = arm("C", 500, 50) + arm("A", 500, 75) + arm("B", 500, 60)
    report = analyse(units, "scan", arms=["C", "A", "B"])
    p = {c.arm: c.p_value for c in report.comparisons}
    holm = {c.arm: c.p_holm for c in report.comparisons}
    small, large = sorted(p, key=p.get)
    assert holm[small] == pytest.approx(min(1, 2 * p[small]))
    assert holm[large] == pytest.approx(max(holm[small], p[large]))


def test_fisher_exact_when_an_expected_cell_is_small():
    report = analyse(arm("C", 40, 1) + arm("T", 40, 6), "scan", arms=["C", "T"])
    (comparison,) = report.comparisons
    assert comparison.test == "fisher"
    assert comparison.p_value == pytest.approx(fisher_exact([[6, 34], [1, 39]])[1])


def test_srm_flags_a_skewed_allocation_and_not_a_balanced_one():
    skewed = analyse(arm("C", 5000, 500) + arm("T", 5400, 540), "scan", arms=["C", "T"])
    assert skewed.srm.flagged
    assert skewed.srm.p_value == pytest.approx(chisquare([5000, 5400]).pvalue)
    balanced = analyse(arm("C", 5000, 500) + arm("T", 5030, 540), "scan", arms=["C", "T"])
    assert not balanced.srm.flagged and balanced.srm.p_value > 0.001


def test_srm_uses_the_planned_weights():
    units = arm("C", 2000, 100) + arm("T", 1000, 50)
    assert not analyse(units, "scan", arms=["C", "T"], weights={"C": 2, "T": 1}).srm.flagged
    assert analyse(units, "scan", arms=["C", "T"]).srm.flagged


def test_srm_waits_for_eight_units_an_arm():
    report = analyse(arm("C", 7, 1) + arm("T", 30, 3), "scan", arms=["C", "T"])
    assert report.srm.p_value is None and not report.srm.flagged
    assert "srm-too-few" in {p.code for p in report.problems}


def test_stratified_estimate_is_the_plain_difference_with_one_stratum():
    report = analyse(arm("C", 300, 30) + arm("T", 300, 45), "scan", arms=["C", "T"])
    assert report.stratified.diff == pytest.approx(report.comparisons[0].diff)
    assert report.stratified.strata == 1


def test_stratified_estimate_agrees_with_the_linear_model_on_two_balanced_strata():
    units = (arm("C", 400, 40, "a") + arm("T", 400, 60, "a")
             + arm("C", 200, 60, "b") + arm("T", 200, 70, "b"))  # fmt: skip
    report = analyse(units, "scan", arms=["C", "T"])
    rows = pd.DataFrame(
        {
            "y": [u.metrics["scan"] for u in units],
            "treat": [int(u.arm == "T") for u in units],
            "stratum": [u.stratum for u in units],
        }
    )
    fit = smf.ols("y ~ treat + C(stratum)", data=rows).fit(cov_type="HC2")
    assert report.stratified.diff == pytest.approx(fit.params["treat"], abs=1e-9)
    low, high = fit.conf_int().loc["treat"]
    assert report.stratified.ci == pytest.approx((low, high), abs=0.005)
    assert report.stratified.strata == 2
    assert 0 < report.stratified.p_value < 0.05


def test_mantel_haenszel_weights_strata_by_their_harmonic_size():
    rd, ci = mantel_haenszel([(100, 20, 100, 10), (10, 5, 30, 3)], 0.05)
    w1, w2 = 100 * 100 / 200, 10 * 30 / 40
    assert rd == pytest.approx((w1 * 0.1 + w2 * 0.4) / (w1 + w2))
    assert ci[0] < rd < ci[1]
    assert mantel_haenszel([(0, 0, 10, 1)], 0.05) == (None, None)


@pytest.mark.parametrize(
    ("units", "code"),
    [
        ([], "no-units"),
        (arm("C", 50, 5), "empty-arm"),
        (arm("T", 50, 5), "no-control"),
    ],
)
def test_not_enough_data_is_said_never_crashed(units, code):
    report = analyse(units, "scan", arms=["C", "T"])
    assert not report.enough_data
    assert code in {p.code for p in report.problems}
    data = report.to_json()
    json.dumps(data, allow_nan=False)
    assert data["comparisons"][0]["diff"] is None
    assert data["stratified"] is None


def test_all_zeros_and_all_ones_give_figures_not_errors():
    zeros = analyse(arm("C", 100, 0) + arm("T", 100, 0), "scan", arms=["C", "T"])
    (comparison,) = zeros.comparisons
    assert comparison.diff == 0 and comparison.lift is None and comparison.p_value == 1.0
    assert not comparison.conclusive
    ones = analyse(arm("C", 100, 100) + arm("T", 100, 100), "scan", arms=["C", "T"])
    assert ones.comparisons[0].diff == 0 and ones.comparisons[0].lift == 0
    for report in (zeros, ones):
        json.dumps(report.to_json(), allow_nan=False)


def test_unknown_metric_or_control_is_named():
    units = arm("C", 10, 1) + arm("T", 10, 2)
    with pytest.raises(ValueError, match="diagnostic"):
        analyse(units, "diagnostic")
    with pytest.raises(ValueError, match="X"):
        analyse(units, "scan", control="X")


def test_json_has_the_documented_shape():
    data = analyse(arm("C", 100, 10) + arm("T", 100, 20), "scan", arms=["C", "T"]).to_json()
    assert set(data) >= {"arms", "comparisons", "srm", "stratified", "enough_data", "problems"}
    assert set(data["arms"][0]) == {"arm", "n", "successes", "rate", "ci"}
    assert set(data["comparisons"][0]) >= {"arm", "control", "diff", "diff_ci", "lift",
                                           "lift_ci", "p_value", "p_holm"}  # fmt: skip
    assert set(data["srm"]) >= {"p_value", "flagged"}
    assert set(data["stratified"]) >= {"diff", "ci"}
    assert all(type(v) in (int, float) for v in data["arms"][0]["ci"])


def test_the_funnel_counts_every_letter_assigned():
    units = [Unit(str(i), "C" if i % 2 else "T", "s",
                  {"scan": int(i < 40), "diagnostic": int(i < 20), "callback": int(i < 6)})
             for i in range(200)]  # fmt: skip
    rows = {row["arm"]: row for row in funnel(units, arms=["C", "T"])}
    assert rows["C"]["n"] == rows["T"]["n"] == 100
    steps = {s["metric"]: s for s in rows["T"]["steps"]}
    assert (steps["scan"]["successes"], steps["diagnostic"]["successes"],
            steps["callback"]["successes"]) == (20, 10, 3)  # fmt: skip
    assert steps["diagnostic"]["rate"] == pytest.approx(0.10)  # on every letter, not on scans
    assert funnel([], arms=["C"])[0]["steps"][0]["rate"] is None
