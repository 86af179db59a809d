"""The demo's letter experiment: launched with its frozen registration, every demo letter in
it before printing, the first wave's owners simulated through the journey, and what the
back-office analysis and /stats show of it on `make run`."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from portal.demo import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, demo_campaign
from portal.demo_experiment import TITLE, WAVE_SIZE, demo_experiment, first_wave
from portal.experiments.registry import registration_hash
from portal.experiments.units import unit_key, unit_rows
from portal.letters.merge import load_template
from portal.models import Event, Letter, Response
from portal.models.experiment import ExperimentUnit
from tests.conftest import sign_in


@pytest.fixture
def demo(app, session):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    campaign = demo_campaign(session)
    return campaign, demo_experiment(session, campaign.collectivite_id), result.output


def test_the_experiment_is_launched_frozen_with_its_hash(session, demo):
    campaign, experiment, output = demo
    assert experiment.title == TITLE and experiment.status == "running"
    frozen = experiment.registration
    assert experiment.registration_hash == registration_hash(frozen)
    assert frozen["arms"] == [{"variant": "standard", "weight": 1},
                              {"variant": "simplified", "weight": 1}]  # fmt: skip
    assert (frozen["primary_metric"], frozen["secondary_metrics"], frozen["guardrail_metrics"]) \
        == ("scan", ["diagnostic", "callback"], ["opt_out"])  # fmt: skip
    assert (frozen["alpha"], frozen["power"], frozen["baseline_rate"]) == (0.05, 0.8, 0.05)
    assert experiment.analysis_date == date.today() - timedelta(days=1)
    wave = first_wave(session, campaign.collectivite_id)
    assert [c["id"] for c in frozen["campaigns"]] == [campaign.id, wave.id]
    assert experiment.launched_at.date() < wave.sent_at  # launched before the wave was posted
    assert f"/gestion/experiences/{experiment.id}/analyse" in output


def test_every_demo_letter_has_its_arm_before_printing(app, session, demo):
    campaign, experiment, _output = demo
    wave = first_wave(session, campaign.collectivite_id)
    units = {u.letter_id: u for u in session.scalars(
        select(ExperimentUnit).where(ExperimentUnit.experiment_id == experiment.id))}  # fmt: skip
    letters = session.scalars(
        select(Letter).where(Letter.campaign_id.in_((campaign.id, wave.id)))
    ).all()  # fmt: skip
    assert len(letters) == WAVE_SIZE + 3 == experiment.planned_sample == len(units)
    assert all(units[letter.id].arm == letter.variant for letter in letters)
    assert all(letter.seed is not None for letter in letters)  # printed, after the assignment
    per_stratum = Counter((u.stratum, u.arm) for u in units.values())
    for stratum in {u.stratum for u in units.values()}:  # 1:1 within each stratum
        assert abs(per_stratum[(stratum, "standard")] - per_stratum[(stratum, "simplified")]) <= 1
    assert {u.stratum.split(" × ")[0] for u in units.values()} == {
        f"campagne {campaign.id}", f"campagne {wave.id}"}  # fmt: skip
    # the demo campaign's PDF prints each letter's arm: as many simplified subjects as arms
    pdf = re.search(r"Courriers \(PDF\)\s+: (\S+)", _output).group(1)
    pages = [" ".join(p.extract_text().replace("\u00a0", " ").split())
             for p in pypdf.PdfReader(pdf).pages]  # fmt: skip
    simplified = load_template(Path(app.config["GUIDANCE_CONTENT_PATH"]), "simplified")[0]
    opening = simplified.replace("\u00a0", " ").split("{{")[0].strip()
    demo_letters = [letter for letter in letters if letter.campaign_id == campaign.id]
    expected = sum(letter.variant == "simplified" for letter in demo_letters)
    assert 1 <= expected <= 2  # its two private owners' letters: one in each arm
    assert sum(f"Objet : {opening}" in page for page in pages) == expected


def test_the_first_wave_has_simulated_outcomes_through_the_journey(app, session, demo):
    campaign, experiment, _output = demo
    rows = unit_rows(session, experiment, unit_key(app.config["SECRET_KEY"]))
    metrics = ("scan", "diagnostic", "callback", "opt_out", "any_return")
    totals = {metric: Counter(row.arm for row in rows if row.metrics[metric])
              for metric in metrics}  # fmt: skip
    assert all(sum(count.values()) > 0 for count in totals.values()), totals
    assert 30 <= sum(totals["scan"].values()) <= 90  # about one letter in eight
    # written by the journey's services: Responses, the owner's Events, the follow-up
    submitted = session.scalar(select(func.count(Response.id))
                               .where(Response.submitted_at.is_not(None)))  # fmt: skip
    assert submitted == sum(totals["diagnostic"].values())
    kinds = Counter(session.scalars(select(Event.kind).where(Event.actor_kind == "owner")))
    assert kinds["response:submitted"] == submitted
    assert kinds["response:do_not_contact"] == sum(totals["opt_out"].values())
    # never the demo campaign's letters, which a visitor of the demo opens
    opened = select(func.count(Letter.id)).where(Letter.campaign_id == campaign.id,
                                                  Letter.first_visit_at.is_not(None))  # fmt: skip
    assert session.scalar(opened) == 0


def test_running_the_demo_again_adds_nothing(app, session, demo):
    before = (session.scalar(select(func.count(ExperimentUnit.letter_id))),
              session.scalar(select(func.count(Event.id))))  # fmt: skip
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    session.expire_all()
    assert (session.scalar(select(func.count(ExperimentUnit.letter_id))),
            session.scalar(select(func.count(Event.id)))) == before  # fmt: skip


def test_the_analysis_page_and_stats_show_the_demo_experiment(client, demo):
    _campaign, experiment, _output = demo
    sign_in(client, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD)
    page = client.get(f"/gestion/experiences/{experiment.id}/analyse")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert "Résultats" in text and "non concluant" in text  # past its analysis date
    assert "Propriétaires ayant des courriers dans plusieurs bras : 0" in text
    stats = client.get("/stats").get_data(as_text=True)
    assert TITLE in stats
