"""The analysis checked against published figures and against statsmodels/scipy computed
independently here, on known tables; and every degenerate table answered without a crash."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import chisquare, fisher_exact, norm
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import proportions_ztest

from portal.experiments.analysis import PROBLEMS, analyse, funnel
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


def plain_types(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_types(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_json_has_exactly_the_documented_shape():
    units = arm("C", 100, 10, "a") + arm("T", 100, 20, "a") + arm("C", 50, 5, "b") \
        + arm("T", 50, 9, "b") + arm("U", 150, 12, "a")  # fmt: skip
    data = analyse(units, "scan", arms=["C", "T", "U"]).to_json()
    json.dumps(data, allow_nan=False)
    assert plain_types(data)
    assert set(data) == {"metric", "control", "alpha", "enough_data", "problems", "arms",
                         "comparisons", "srm", "stratified", "stratified_by_arm"}  # fmt: skip
    assert (data["metric"], data["control"], data["alpha"], data["enough_data"]) == \
        ("scan", "C", 0.05, True)  # fmt: skip
    assert data["arms"][0] == {"arm": "C", "n": 150, "successes": 15, "rate": 0.1,
                               "ci": data["arms"][0]["ci"]}  # fmt: skip
    assert len(data["arms"][0]["ci"]) == 2
    assert [set(c) for c in data["comparisons"]] == [
        {"arm", "control", "diff", "diff_ci", "lift", "lift_ci", "p_value", "p_holm", "test",
         "conclusive"}] * 2  # fmt: skip
    assert set(data["srm"]) == {"p_value", "flagged", "observed", "expected"}
    assert data["srm"]["observed"] == {"C": 150, "T": 150, "U": 150}
    assert data["srm"]["expected"] == {"C": 150.0, "T": 150.0, "U": 150.0}
    assert set(data["stratified"]) == {"arm", "control", "diff", "ci", "p_value", "strata"}
    assert [s["arm"] for s in data["stratified_by_arm"]] == ["T", "U"]
    assert data["stratified"] == data["stratified_by_arm"][0]
    assert data["stratified_by_arm"][1]["strata"] == 1  # U has no unit in stratum b
    assert data["problems"] == []


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


@pytest.mark.parametrize(
    ("counts", "interval"),
    [
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((0, 10, 0, 10), (-0.2775, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0)),
        ((10, 10, 0, 10), (0.6075, 1.0)),
    ],
)
def test_newcombe_hybrid_score_intervals_of_his_table(counts, interval):
    """Newcombe (1998), Stat. Med. 17:873, Table II, method 10 (score, no correction)."""
    x1, n1, x0, n0 = counts
    report = analyse(arm("T", n1, x1) + arm("C", n0, x0), "scan", arms=["C", "T"])
    assert report.comparisons[0].diff_ci == pytest.approx(interval, abs=5e-5)


@pytest.mark.parametrize(
    ("x", "n", "interval"),
    [(81, 263, (0.2553, 0.3662)), (15, 148, (0.0624, 0.1605)), (0, 20, (0.0, 0.1611)),
     (1, 29, (0.0061, 0.1718))],
)  # fmt: skip
def test_wilson_intervals_of_newcombes_single_proportion_table(x, n, interval):
    """Newcombe (1998), Stat. Med. 17:857, Table I, method 3 (Wilson score)."""
    report = analyse(arm("C", n, x), "scan")
    assert report.arms[0].ci == pytest.approx(interval, abs=5e-5)
    assert report.arms[0].rate == pytest.approx(x / n)


def test_the_lift_interval_is_the_log_risk_ratio_of_the_reference():
    """Reference §5.1 (a): ln(pT/pC) ± z·√((1−pT)/xT + (1−pC)/xC), exponentiated, minus 1."""
    (comparison,) = analyse(arm("T", 70, 56) + arm("C", 80, 48), "scan", arms=["C", "T"]
                            ).comparisons  # fmt: skip
    half = norm.ppf(0.975) * math.sqrt(0.2 / 56 + 0.4 / 48)
    expected = tuple(math.exp(math.log(0.8 / 0.6) + s * half) - 1 for s in (-1, 1))
    assert comparison.lift_ci == pytest.approx(expected)


def test_holm_on_a_hand_checked_example():
    """Four arms against the control. Holm: sort p ascending, multiply the i-th smallest by
    (m − i + 1), make it non-decreasing, cap at 1."""
    units = arm("C", 1000, 100) + arm("A", 1000, 140) + arm("B", 1000, 125) \
        + arm("D", 1000, 103)  # fmt: skip
    report = analyse(units, "scan", arms=["C", "A", "B", "D"])
    p = [c.p_value for c in report.comparisons]
    assert p == pytest.approx([proportions_ztest([x, 100], [1000, 1000])[1]
                               for x in (140, 125, 103)])  # fmt: skip
    # p = 0.005916, 0.076869, 0.824210; by hand: 3 × 0.005916 = 0.017748,
    # max(0.017748, 2 × 0.076869) = 0.153738, max(0.153738, 1 × 0.824210) = 0.824210.
    assert p == pytest.approx([0.005916, 0.076869, 0.824210], abs=1e-6)
    assert [c.p_holm for c in report.comparisons] == pytest.approx(
        [0.017748, 0.153738, 0.824210], abs=1e-6
    )


def test_srm_against_unequal_planned_weights_over_three_arms():
    units = arm("C", 2000, 100) + arm("A", 1000, 50) + arm("B", 1150, 50)
    report = analyse(units, "scan", arms=["C", "A", "B"], weights={"C": 2, "A": 1, "B": 1})
    assert report.srm.expected == pytest.approx({"C": 2075, "A": 1037.5, "B": 1037.5})
    assert report.srm.p_value == pytest.approx(
        chisquare([2000, 1000, 1150], [2075, 1037.5, 1037.5]).pvalue
    )
    assert report.srm.flagged


def test_an_arm_with_units_but_no_planned_weight_has_no_srm_and_says_why():
    units = arm("C", 100, 10) + arm("T", 100, 10)
    report = analyse(units, "scan", arms=["C", "T"], weights={"C": 1})
    assert report.srm.p_value is None and not report.srm.flagged
    assert ("srm-unplanned", PROBLEMS["srm-unplanned"]) in [(p.code, p.message)
                                                            for p in report.problems]  # fmt: skip


@pytest.mark.parametrize("weights", [{"C": 0, "T": 1}, {"C": -1, "T": 1}, {"C": "1", "T": 1}])
def test_bad_weights_are_named(weights):
    with pytest.raises(ValueError, match="weights: the weight of arm 'C'"):
        analyse(arm("C", 10, 1) + arm("T", 10, 1), "scan", weights=weights)


def test_a_registered_arm_without_letters_still_appears():
    report = analyse(arm("C", 60, 6) + arm("T", 60, 9), "scan", arms=["C", "T", "U"])
    assert [(a.arm, a.n, a.rate, a.ci) for a in report.arms][2] == ("U", 0, None, None)
    assert [c.arm for c in report.comparisons] == ["T", "U"]
    assert report.comparisons[1].diff is None and report.comparisons[1].p_holm is None
    assert report.comparisons[0].p_holm == report.comparisons[0].p_value  # one tested
    assert not report.enough_data
    assert [p.code for p in report.problems] == ["empty-arm", "srm-too-few", "one-stratum"]
    assert report.stratified_by_arm[1].diff is None
    data = report.to_json()
    assert data["problems"][0] == {"code": "empty-arm", "message": PROBLEMS["empty-arm"]}
    assert data["srm"]["p_value"] is None and data["srm"]["flagged"] is False


def test_one_arm_only_has_nothing_to_compare():
    report = analyse(arm("C", 60, 6), "scan")
    assert report.comparisons == [] and not report.enough_data
    assert [p.code for p in report.problems] == ["one-arm"]
    assert report.to_json()["stratified"] is None


def test_every_unit_zero_uses_fisher_and_says_p_is_one():
    (comparison,) = analyse(arm("C", 100, 0) + arm("T", 100, 0), "scan",
                            arms=["C", "T"]).comparisons  # fmt: skip
    assert (comparison.test, comparison.p_value, comparison.diff) == ("fisher", 1.0, 0.0)
    assert comparison.diff_ci[0] < 0 < comparison.diff_ci[1]


def test_no_units_at_all_is_said_without_arms_too():
    report = analyse([], "scan")
    assert report.arms == [] and report.comparisons == [] and report.control is None
    assert [p.code for p in report.problems] == ["no-units"]
    json.dumps(report.to_json(), allow_nan=False)


def test_a_value_other_than_0_or_1_is_refused():
    with pytest.raises(ValueError, match="scan must be 0 or 1, not 2"):
        analyse([Unit("x", "C", "s", {"scan": 2})], "scan")


def test_arms_not_sharing_a_stratum_give_no_stratified_estimate():
    report = analyse(arm("C", 50, 5, "a") + arm("T", 50, 9, "b"), "scan", arms=["C", "T"])
    assert report.enough_data  # the plain comparison exists
    assert report.stratified is None and report.to_json()["stratified"] is None
    assert report.stratified_by_arm[0].strata == 0
    assert "no-stratum" in [p.code for p in report.problems]


def test_the_cmh_p_value_is_statsmodels_over_the_usable_strata():
    units = (arm("C", 200, 20, "a") + arm("T", 200, 31, "a") + arm("C", 80, 16, "b")
             + arm("T", 80, 24, "b") + arm("C", 30, 0, "c") + arm("T", 30, 0, "c")
             + arm("T", 40, 30, "d"))  # fmt: skip
    stratified = analyse(units, "scan", arms=["C", "T"]).stratified
    tables = [np.array([[31, 169], [20, 180]]), np.array([[24, 56], [16, 64]]),
              np.array([[0, 30], [0, 30]])]  # fmt: skip
    assert stratified.strata == 3  # "d" has no control: skipped
    assert stratified.p_value == pytest.approx(StratifiedTable(tables).test_null_odds().pvalue)


def test_the_funnel_names_an_unknown_step():
    with pytest.raises(ValueError, match="'visit'"):
        funnel(arm("C", 5, 1), steps=("scan", "visit"))


def test_small_random_tables_never_crash_nor_give_nan():
    """Seeded: 150 small tables (0 to 12 units an arm, 1 to 3 strata, 2 or 3 arms)."""
    rng = np.random.default_rng(14)
    for _ in range(150):
        names = ["C", "T", "U"][: rng.integers(2, 4)]
        units = [Unit(f"{a}{i}", a, f"s{rng.integers(0, rng.integers(1, 4))}",
                      {"scan": int(rng.random() < rng.choice([0, 0.1, 0.5, 1]))})
                 for a in names for i in range(rng.integers(0, 13))]  # fmt: skip
        data = analyse(units, "scan", arms=names).to_json()
        json.dumps(data, allow_nan=False)
        assert plain_types(data)
        for row in funnel(units, ("scan",), names):
            assert row["n"] == sum(u.arm == row["arm"] for u in units)
