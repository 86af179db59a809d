"""The per-unit table from the database: every letter assigned counted (intention to
treat), each metric's rule, page experiments from the exposure on, pseudonymised units,
and nothing of another collectivité."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.experiments.analysis import analyse, funnel
from portal.experiments.assign import assign_letters
from portal.experiments.units import unit_key, unit_rows, units_csv
from portal.guidance import current_content
from portal.models import Event, Letter
from portal.models.experiment import ExperimentUnit
from portal.owner.journey import record_owner_return
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import add_letters, make_letter_experiment
from tests.experiments.pages import make_page_experiment

KEY = unit_key("test-secret")
SENT = date(2026, 11, 2)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def seeded(app, session):
    """20 letters in a running experiment: 8 opened, 4 answered, 2 call-backs, 1 opt-out."""
    town = make_collectivite(session)
    campaign = make_campaign(session, town, sent_at=SENT)
    letters = add_letters(session, campaign, 20)
    experiment = make_letter_experiment(session, [campaign])
    assign_letters(session, campaign, now=NOW)
    session.commit()
    with app.test_request_context():
        content = current_content()
        for letter in letters[:8]:
            letter.first_visit_at = NOW
        session.commit()
        for letter in letters[:4]:
            record_owner_return(session, letter, content, "submitted", NOW)
        for letter in letters[:2]:
            record_owner_return(session, letter, content, "callback", NOW,
                                callback={"phone": "0601020304", "moments": []})  # fmt: skip
        record_owner_return(session, letters[7], content, "do_not_contact", NOW)
    return experiment, letters


def by_letter(session, experiment, rows):
    from portal.experiments.units import pseudonym

    names = {pseudonym(KEY, experiment.id, letter.id): letter.id
             for letter in session.scalars(select(Letter))}  # fmt: skip
    return {names[row.unit]: row for row in rows}


def test_every_assigned_letter_is_a_unit_and_each_metric_follows_its_rule(session, seeded):
    experiment, letters = seeded
    rows = by_letter(session, experiment, unit_rows(session, experiment, KEY))
    assert len(rows) == 20  # opened or not
    ids = [letter.id for letter in letters]
    assert [rows[i].metrics["scan"] for i in ids] == [1] * 8 + [0] * 12
    assert [rows[i].metrics["diagnostic"] for i in ids] == [1] * 4 + [0] * 16
    assert [rows[i].metrics["callback"] for i in ids] == [1] * 2 + [0] * 18
    assert [rows[i].metrics["opt_out"] for i in ids] == [0] * 7 + [1] + [0] * 12
    assert [rows[i].metrics["any_return"] for i in ids] == [1] * 4 + [0] * 3 + [1] + [0] * 12
    assert all(rows[i].stratum == f"campagne {letters[0].campaign_id} × Particulier"
               for i in ids)  # fmt: skip


def test_the_itt_funnel_of_a_seeded_campaign(session, seeded):
    experiment, _letters = seeded
    units = unit_rows(session, experiment, KEY)
    rows = funnel(units, arms=["standard", "simplified"])
    assert sum(row["n"] for row in rows) == 20
    totals = [sum(row["steps"][i]["successes"] for row in rows) for i in range(3)]
    assert totals == [8, 4, 2]
    report = analyse(units, "scan", arms=["standard", "simplified"])
    assert sum(arm.n for arm in report.arms) == 20


def test_an_agent_recorded_return_counts_by_zlvs_rule(session, seeded):
    experiment, letters = seeded
    housing = letters[10].housing
    housing.status = "in-progress"
    session.add(Event(collectivite_id=housing.collectivite_id, actor_kind="agent",
                      kind="housing:status-updated", housing_id=housing.id,
                      created_at=NOW, before={}, after={"status": "in-progress"}))  # fmt: skip
    session.commit()
    rows = by_letter(session, experiment, unit_rows(session, experiment, KEY))
    assert rows[letters[10].id].metrics["any_return"] == 1
    assert rows[letters[10].id].metrics["scan"] == 0


def test_units_are_pseudonymised_and_stable(session, seeded):
    experiment, letters = seeded
    first = unit_rows(session, experiment, KEY)
    assert first == unit_rows(session, experiment, KEY)
    assert {row.unit for row in first}.isdisjoint({str(letter.id) for letter in letters})
    assert unit_rows(session, experiment, unit_key("another")) != first
    csv_text = units_csv(first)
    assert (
        csv_text.splitlines()[0] == "unit,arm,stratum,scan,diagnostic,callback,any_return,opt_out"
    )
    assert len(csv_text.splitlines()) == 21
    assert units_csv(first, ["scan", "opt_out"]).splitlines()[0] == "unit,arm,stratum,scan,opt_out"


def test_page_experiments_count_outcomes_from_the_exposure_on(session):
    town = make_collectivite(session)
    campaign = make_campaign(session, town)
    before, after = add_letters(session, campaign, 2)
    experiment = make_page_experiment(session, [campaign])
    for letter in (before, after):
        letter.first_visit_at = NOW
        session.add(ExperimentUnit(experiment_id=experiment.id, letter_id=letter.id,
                                   arm="standard", stratum="s", assigned_at=NOW,
                                   exposed_at=NOW))  # fmt: skip
    for letter, at in ((before, NOW - timedelta(hours=1)), (after, NOW + timedelta(hours=1))):
        session.add(Event(collectivite_id=town.id, actor_kind="owner", letter_id=letter.id,
                          kind="response:do_not_contact", created_at=at))  # fmt: skip
    session.commit()
    rows = by_letter(session, experiment, unit_rows(session, experiment, KEY))
    assert rows[before.id].metrics["opt_out"] == 0
    assert rows[after.id].metrics["opt_out"] == 1


def test_another_collectivites_letters_never_appear(session, seeded):
    experiment, _letters = seeded
    other = make_campaign(session, make_collectivite(session))
    (foreign,) = add_letters(session, other, 1)
    session.add(ExperimentUnit(experiment_id=experiment.id, letter_id=foreign.id,
                               arm="standard", stratum="s", assigned_at=NOW))  # fmt: skip
    session.commit()
    assert len(unit_rows(session, experiment, KEY)) == 20
