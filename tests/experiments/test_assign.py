"""Letter experiments: arms balanced within each stratum, reproducible from the salt,
stored before printing, never re-assigned; printed, revoked and foreign letters left out."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from portal.experiments.assign import assign_letters, block_of, deal
from portal.models import Letter
from portal.models.experiment import ExperimentUnit
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import add_letters, make_letter_experiment

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
KINDS = ("Particulier", "Personne morale")


def units_of(session, experiment) -> dict[int, ExperimentUnit]:
    return {u.letter_id: u for u in session.scalars(
        select(ExperimentUnit).where(ExperimentUnit.experiment_id == experiment.id))}  # fmt: skip


@pytest.fixture
def campaigns(session):
    collectivite = make_collectivite(session)
    first, second = make_campaign(session, collectivite), make_campaign(session, collectivite)
    add_letters(session, first, 90, KINDS)
    add_letters(session, second, 61, KINDS)
    return first, second


@pytest.mark.parametrize(
    "arms",
    [[{"variant": "standard", "weight": 1}, {"variant": "simplified", "weight": 1}],
     [{"variant": "standard", "weight": 2}, {"variant": "simplified", "weight": 1},
      {"variant": "social-norm", "weight": 1}]],
)  # fmt: skip
def test_arms_are_balanced_within_each_stratum(session, campaigns, arms):
    experiment = make_letter_experiment(session, list(campaigns), arms=arms)
    for campaign in campaigns:
        assign_letters(session, campaign, now=NOW)
    units = units_of(session, experiment)
    assert len(units) == 151
    block = block_of(arms)
    per_stratum = Counter((u.stratum, u.arm) for u in units.values())
    strata = {u.stratum for u in units.values()}
    assert len(strata) == 4  # 2 campaigns × 2 owner kinds
    for stratum in strata:
        total = sum(n for (s, _a), n in per_stratum.items() if s == stratum)
        for arm in arms:
            expected = total * arm["weight"] / sum(a["weight"] for a in arms)
            assert abs(per_stratum[(stratum, arm["variant"])] - expected) < len(block)
    letters = {letter.id: letter.variant for letter in session.scalars(select(Letter))}
    assert all(letters[letter_id] == unit.arm for letter_id, unit in units.items())


def test_the_same_salt_gives_the_same_arms_and_another_salt_others(session, campaigns):
    experiment = make_letter_experiment(session, [campaigns[0]])
    assign_letters(session, campaigns[0], now=NOW)
    first = {lid: u.arm for lid, u in units_of(session, experiment).items()}
    session.execute(delete(ExperimentUnit))
    assign_letters(session, campaigns[0], now=NOW)
    assert {lid: u.arm for lid, u in units_of(session, experiment).items()} == first
    ids = list(first)
    kwargs = {"experiment_id": experiment.id, "stratum": "s", "block": ["a", "b"]}
    assert deal(ids, salt="one", **kwargs) == deal(ids, salt="one", **kwargs)
    assert deal(ids, salt="one", **kwargs) != deal(ids, salt="two", **kwargs)


def test_running_again_or_changing_weights_reassigns_nothing(session, campaigns):
    experiment = make_letter_experiment(session, [campaigns[0]])
    assert assign_letters(session, campaigns[0], now=NOW).letters == 90
    before = {lid: u.arm for lid, u in units_of(session, experiment).items()}
    experiment.arms = [{"variant": "standard", "weight": 9}, {"variant": "simplified", "weight": 1}]
    assert assign_letters(session, campaigns[0], now=NOW).letters == 0
    assert {lid: u.arm for lid, u in units_of(session, experiment).items()} == before


def test_letters_added_later_continue_the_blocks(session, campaigns):
    experiment = make_letter_experiment(session, [campaigns[0]])
    assign_letters(session, campaigns[0], now=NOW)
    add_letters(session, campaigns[0], 30, ("Particulier",))
    assert assign_letters(session, campaigns[0], now=NOW).letters == 30
    counts = Counter(u.arm for u in units_of(session, experiment).values()
                     if u.stratum.endswith("Particulier"))  # fmt: skip
    assert abs(counts["standard"] - counts["simplified"]) <= 2


def test_printed_revoked_and_other_experiments_letters_are_left_out(session, campaigns,
                                                                     caplog):  # fmt: skip
    campaign = campaigns[0]
    letters = list(session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)))
    letters[0].seed = "0" * 32  # printed before the launch
    letters[1].revoked_at = NOW
    stopped = make_letter_experiment(session, [campaign], status="stopped")
    running = make_letter_experiment(session, [campaign])
    result = assign_letters(session, campaign, now=NOW)
    assert (result.letters, result.left_out) == (88, 1)
    assert "1 letters printed before an experiment's launch" in caplog.text
    assert letters[0].id not in units_of(session, running)
    assert letters[1].id not in units_of(session, running)
    assert units_of(session, stopped) == {}


def test_another_collectivites_experiment_never_touches_the_campaign(session, campaigns):
    other = make_campaign(session, make_collectivite(session))
    foreign = make_letter_experiment(session, [other])
    foreign.campaigns = [campaigns[0]]  # what the registry refuses; the data layer too
    session.flush()
    assert assign_letters(session, campaigns[0], now=NOW).letters == 0


def test_the_letters_job_assigns_before_printing_and_prints_each_arms_wording(app, session,
                                                                             tmp_path):  # fmt: skip
    import pypdf

    from portal.letters.merge import load_template

    town = make_collectivite(session)
    campaign = make_campaign(session, town, title="Vacants 2026")
    add_letters(session, campaign, 6)
    experiment = make_letter_experiment(session, [campaign])
    session.commit()
    out = tmp_path / "courriers.pdf"
    result = app.test_cli_runner().invoke(args=["campaign", "letters", str(campaign.id),
                                                "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    units = units_of(session, experiment)
    assert len(units) == 6 and Counter(u.arm for u in units.values()) == {
        "standard": 3,
        "simplified": 3,
    }
    pages = [" ".join(p.extract_text().replace("\u00a0", " ").split())
             for p in pypdf.PdfReader(out).pages]  # fmt: skip
    simplified = load_template(Path(app.config["GUIDANCE_CONTENT_PATH"]), "simplified")[0]
    opening = simplified.replace("\u00a0", " ").split("{{")[0].strip()
    assert sum(f"Objet : {opening}" in page for page in pages) == 3
