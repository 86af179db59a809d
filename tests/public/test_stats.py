"""/stats: aggregates with their definitions, counts under 11 suppressed (and the part that
would reveal one by subtraction), « Indisponible » rather than 0, collectivités that opted
out counted but not named, finished experiments published whatever their result."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from portal import public_stats
from portal.experiments.assign import assign_letters
from portal.experiments.registry import registration_hash, registration_of
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import add_letters, make_letter_experiment

NOW = datetime.now(UTC)


def text(client, path="/stats") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text().split()
    )


def seeded(session, name="Commune de Nevers", letters=30, opened=12, **settings):
    town = make_collectivite(session, name=name, settings=settings)
    campaign = make_campaign(session, town, sent_at=date.today() - timedelta(days=3))
    made = add_letters(session, campaign, letters)
    for letter in made[:opened]:
        letter.first_visit_at = NOW
    session.commit()
    return town, campaign, made


def test_an_empty_portal_says_unavailable_never_zero(client):
    page = text(client)
    assert "Statistiques" in page and "Indisponible" in page
    assert "0,0 %" not in page  # no rate over no letter


def test_totals_and_rates_with_their_definitions(client, session):
    seeded(session)
    page = text(client)
    assert "30 courriers envoyés" in page
    assert "40,0 % des courriers ouverts sur le portail (12)" in page
    assert "Part des courriers envoyés dont le propriétaire a scanné" in page
    assert "Commune de Nevers" in page


def test_counts_under_eleven_are_suppressed_and_eleven_is_shown():
    assert public_stats.count(10).suppressed and not public_stats.count(11).suppressed
    assert public_stats.rate(10, 100) is None and public_stats.rate(11, 100) == 0.11
    assert public_stats.rate(11, 0) is None
    assert not public_stats.count(0).suppressed and public_stats.count(1).suppressed
    assert public_stats.rate(0, 100) == 0 and public_stats.rate(0, 10) is None
    # a zero hides nothing: the complement of a hidden part is a non-zero one
    cells = public_stats.protect([0, 4, 30, 55])
    assert [c.suppressed for c in cells] == [False, True, True, False]


def test_one_hidden_part_hides_the_smallest_other_too():
    cells = public_stats.protect([120, 4, 30, 55])
    assert [c.suppressed for c in cells] == [False, True, True, False]
    assert [c.suppressed for c in public_stats.protect([120, 4, 3, 55])] == [
        False,
        True,
        True,
        False,
    ]
    assert not any(c.suppressed for c in public_stats.protect([12, 40]))


def test_small_counts_read_less_than_eleven_on_the_page(client, session):
    seeded(session, letters=30, opened=5)
    page = text(client)
    assert "moins de 11" in page
    assert "des courriers ouverts sur le portail (moins de 11)" in page
    assert "Indisponible des courriers ouverts" in page  # the rate of a small count


def test_an_opted_out_collectivite_is_counted_not_named(client, session):
    seeded(session, name="Commune de Nevers", letters=30)
    seeded(session, name="Commune discrète", letters=40, stats={"named": False})
    page = text(client)
    assert "70 courriers envoyés" in page
    assert "Commune de Nevers" in page and "Commune discrète" not in page
    assert "Autres collectivités" in page


def test_no_personal_data_on_the_page(client, session):
    _town, _campaign, letters = seeded(session)
    html = client.get("/stats").get_data(as_text=True)
    for letter in letters:
        assert letter.owner.full_name not in html
        assert letter.housing.address_lines[0] not in html


def test_charts_are_images_with_names_and_their_data_tables(client, session):
    seeded(session)
    soup = BeautifulSoup(client.get("/stats").get_data(as_text=True), "html.parser")
    charts = soup.select("svg[role=img]")
    assert len(charts) == 4
    for chart in charts:
        assert soup.find(id=chart["aria-labelledby"].split()[0]).get_text()
        assert chart.find_next("table") is not None


def finished_experiment(session, campaign, letters, **fields):
    experiment = make_letter_experiment(session, [campaign], **fields)
    assign_letters(session, campaign, now=NOW)
    experiment.registration = registration_of(experiment, NOW)
    experiment.registration_hash = registration_hash(experiment.registration)
    experiment.launched_at = NOW
    session.commit()
    return experiment


def test_a_finished_experiment_is_published_with_its_interval(client, session):
    _town, campaign, letters = seeded(session, letters=60, opened=0)
    experiment = finished_experiment(session, campaign, letters, analysis_date=date.today())
    for letter in letters[:20]:
        letter.first_visit_at = NOW
    session.commit()
    page = text(client)
    assert "Courrier simplifié" in page
    assert "comparé au témoin" in page and "[" in page
    assert "non concluant" in page or "concluant" in page
    registration = text(client, f"/stats/experiences/{experiment.id}")
    assert experiment.registration_hash in registration


def test_a_running_experiment_before_its_date_is_not_published(client, session):
    _town, campaign, letters = seeded(session, letters=60)
    experiment = finished_experiment(session, campaign, letters,
                                     analysis_date=date.today() + timedelta(days=30))  # fmt: skip
    assert "Courrier simplifié" not in text(client)
    assert client.get(f"/stats/experiences/{experiment.id}").status_code == 404
    assert client.get("/stats/experiences/987654321").status_code == 404


def test_arms_under_eleven_letters_publish_no_effect(client, session):
    _town, campaign, letters = seeded(session, letters=16, opened=8)
    finished_experiment(session, campaign, letters, analysis_date=date.today())
    page = text(client)
    assert "Pas assez de courriers dans un bras" in page


def test_the_footer_links_to_the_page(client):
    assert 'href="/stats"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("seconds", [3600])
def test_the_figures_are_cached_for_an_hour(app, client, session, seconds, monkeypatch):
    from portal.public import stats as view

    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", seconds)
    view._cache.clear()
    try:
        seeded(session, letters=30)
        assert "30 courriers envoyés" in text(client)
        seeded(session, name="Autre", letters=30)
        assert "30 courriers envoyés" in text(client)  # the hour's figures
        view._cache.clear()
        assert "60 courriers envoyés" in text(client)
    finally:
        view._cache.clear()


def test_an_admin_opts_out_in_the_settings_and_the_change_is_recorded(client, session):
    from sqlalchemy import select

    from portal.models import Event
    from tests.backoffice.answers_support import signed_in_agent
    from tests.conftest import csrf_token

    town, _campaign, _letters = seeded(session, name="Commune de Nevers", letters=30)
    signed_in_agent(client, session, town, role="admin")
    form = client.get("/gestion/parametres").get_data(as_text=True)
    assert "Ne pas nommer notre collectivité sur la page publique de statistiques" in form
    data = {"name": "Commune de Nevers", "digest_frequency": "weekly", "stats_anonymous": "y",
            "csrf_token": csrf_token(client, "/gestion/parametres")}  # fmt: skip
    assert client.post("/gestion/parametres", data=data).status_code == 303
    session.rollback()
    event = session.scalars(select(Event).where(Event.kind == "collectivite:updated")).one()
    assert event.after["stats_named"] is False
    page = text(client)
    assert "Commune de Nevers" not in page and "Autres collectivités" in page


def test_the_months_count_each_opening_in_its_month(session):
    seeded(session, letters=30, opened=12)
    stats = public_stats.figures(session, date.today(), {})
    assert stats.months[-1] == date.today().replace(day=1) and len(stats.months) == 12
    assert stats.monthly["scans"][-1] == public_stats.Count(12)
    assert [c.value for c in stats.monthly["scans"][:-1]] == [0] * 11
    assert stats.monthly["letters"][-1].value == 30 or stats.monthly["letters"][-2].value == 30
