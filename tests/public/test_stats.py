"""/stats: aggregates with their definitions, counts under 11 suppressed (and the part that
would reveal one by subtraction), « Indisponible » rather than 0, collectivités that opted
out counted but not named, finished experiments published whatever their result."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import public_stats
from portal.experiments.assign import assign_letters
from portal.models import CallbackRequest, Response, ResponseRecommendation
from portal.models.experiment import ExperimentUnit
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import add_letters, freeze, make_letter_experiment

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
    freeze(experiment, NOW)
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
    registration = text(client, f"/stats/experiences/{experiment.id}")
    assert experiment.registration_hash in registration
    assert experiment.registration["hypothesis"] in registration
    assert "Mesures secondaires : Diagnostic envoyé" in registration
    assert "Garde-fous, qui ne doivent pas se dégrader : « Ne plus me contacter »" in registration


def open_by_arm(session, experiment, letters, opened: dict[str, int]):
    """Opens the first `opened[arm]` letters of each arm."""
    units = select(ExperimentUnit.letter_id, ExperimentUnit.arm)
    arms = dict(session.execute(units.where(ExperimentUnit.experiment_id == experiment.id)).all())
    seen = Counter()
    for letter in letters:
        arm = arms[letter.id]
        if seen[arm] < opened.get(arm, 0):
            letter.first_visit_at = NOW
        seen[arm] += 1
    session.commit()


def effect_line(client) -> str:
    soup = BeautifulSoup(client.get("/stats").get_data(as_text=True), "html.parser")
    lines = [p for p in soup.find_all("p") if "comparé au témoin" in p.get_text()]
    assert len(lines) == 1
    return " ".join(lines[0].get_text().split())


def test_an_interval_that_crosses_zero_reads_not_conclusive(client, session):
    _town, campaign, letters = seeded(session, letters=60, opened=0)
    experiment = finished_experiment(session, campaign, letters, analysis_date=date.today())
    open_by_arm(session, experiment, letters, {"standard": 12, "simplified": 13})
    line = effect_line(client)
    assert re.search(r"\[−\d+,\d pt ; \+\d+,\d pt\]", line), line  # from below 0 to above
    assert line.endswith("non concluant")


def test_an_interval_away_from_zero_reads_conclusive(client, session):
    _town, campaign, letters = seeded(session, letters=60, opened=0)
    experiment = finished_experiment(session, campaign, letters, analysis_date=date.today())
    open_by_arm(session, experiment, letters, {"standard": 2, "simplified": 28})
    line = effect_line(client)
    assert re.search(r"\+\d+,\d pt \[\+\d+,\d pt ; \+\d+,\d pt\]", line), line
    assert line.endswith("– concluant")


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


def test_the_figures_are_cached_for_an_hour(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 3600)
    _town, campaign, _letters = seeded(session, letters=30)
    assert "30 courriers envoyés" in text(client)
    add_letters(session, campaign, 30)
    session.commit()
    assert "30 courriers envoyés" in text(client)  # the hour's figures
    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 0)
    assert "60 courriers envoyés" in text(client)


def test_a_change_to_a_collectivite_is_seen_at_once(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 3600)
    town, _campaign, _letters = seeded(session, name="Commune de Nevers", letters=30)
    assert "Commune de Nevers" in text(client)
    town.settings = {"stats": {"named": False}}
    session.commit()
    page = text(client)
    assert "Commune de Nevers" not in page and "Autres collectivités" in page


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


def table_rows(client, caption: str) -> dict[str, list[str]]:
    """{row header: its cells} of the table with this caption."""
    soup = BeautifulSoup(client.get("/stats").get_data(as_text=True), "html.parser")
    table = next(t for t in soup.find_all("table") if caption in t.caption.get_text())
    return {
        " ".join(row.th.get_text().split()): [" ".join(td.get_text().split())
                                               for td in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }  # fmt: skip


@pytest.mark.parametrize(("letters", "shown"), [(10, "moins de 11"), (11, "11")])
def test_ten_letters_read_less_than_eleven_and_eleven_are_published(client, session, letters,
                                                                    shown):  # fmt: skip
    seeded(session, letters=letters, opened=0)
    assert f"{shown} courriers envoyés" in text(client)
    assert table_rows(client, "par collectivité")["Commune de Nevers"][0] == shown


def test_the_part_that_would_give_a_small_one_back_is_masked(client, session):
    seeded(session, name="Commune A", letters=5, opened=0)
    seeded(session, name="Commune B", letters=30, opened=0)
    seeded(session, name="Commune C", letters=60, opened=0)
    page = text(client)
    assert "95 courriers envoyés" in page  # the total minus C would give A back without B masked
    rows = table_rows(client, "par collectivité")
    assert [rows[name][0] for name in ("Commune A", "Commune B", "Commune C")] == [
        "moins de 11", "masqué", "60"]  # fmt: skip
    assert rows["Commune B"][1] == "Indisponible"  # no rate beside a masked count
    assert "30" not in rows["Commune B"]


def test_a_lone_opted_out_collectivite_with_few_letters_is_masked_with_another(client, session):
    seeded(session, name="Commune de Nevers", letters=40, opened=0)
    seeded(session, name="Commune de Sens", letters=25, opened=0)
    seeded(session, name="Commune discrète", letters=7, opened=0, stats={"named": False})
    rows = table_rows(client, "par collectivité")
    assert "Commune discrète" not in " ".join(rows)
    others = next(cells for name, cells in rows.items() if name.startswith("Autres"))
    assert others[0] == "moins de 11"
    assert rows["Commune de Sens"][0] == "masqué" and rows["Commune de Nevers"][0] == "40"


def answered(session, letters, useful=None, aids=(), callback=False):
    for letter in letters:
        response = Response(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                            submitted_at=NOW, useful=useful,
                            recommendations=[ResponseRecommendation(aid_slug=slug, rank=rank)
                                             for rank, slug in enumerate(aids)])  # fmt: skip
        session.add(response)
        if callback:
            session.add(CallbackRequest(collectivite_id=letter.collectivite_id,
                                        letter_id=letter.id, phone="06 12 34 56 78",
                                        consent_at=NOW))  # fmt: skip
    session.commit()


def test_diagnostics_callbacks_advice_and_feedback_are_counted(client, session):
    _town, _campaign, letters = seeded(session, letters=60, opened=40)
    answered(
        session,
        letters[:25],
        useful=True,
        callback=True,
        aids=("anah-travaux-bailleur", "visale", "local:prime-renovation-demoville"),
    )
    answered(session, letters[25:37], useful=False)
    page = text(client)
    assert "37 diagnostics envoyés" in page and "25 demandes de rappel" in page
    assert "67,6 % des propriétaires qui ont donné leur avis" in page  # 25 / 37
    assert table_rows(client, "Ce service vous a-t-il été utile")["Non"] == ["12"]
    advice = table_rows(client, "par nature")
    assert advice["Subventions pour travaux"] == ["25"]
    assert advice["Garanties de loyer"] == ["25"]
    assert advice["Aides locales des collectivités"] == ["25"]
    assert "06 12 34 56 78" not in client.get("/stats").get_data(as_text=True)


def test_the_share_of_yes_is_not_published_when_it_would_give_a_small_no_back(client, session):
    _town, _campaign, letters = seeded(session, letters=60, opened=40)
    answered(session, letters[:30], useful=True)
    answered(session, letters[30:33], useful=False)
    page = text(client)
    assert "Indisponible des propriétaires qui ont donné leur avis" in page
    assert table_rows(client, "Ce service vous a-t-il été utile") == {
        "Oui": ["30"], "Non": ["moins de 11"]}  # fmt: skip


def test_an_empty_portal_renders_every_section(client):
    page = text(client)
    for heading in ("Depuis l’ouverture", "Mois par mois", "Conseils donnés",
                    "Avis des propriétaires", "Par collectivité", "Expérimentations"):  # fmt: skip
        assert heading in page
    assert "Indisponible des courriers ouverts" in page
    assert "Indisponible des propriétaires qui ont donné leur avis" in page
    html = client.get("/stats").get_data(as_text=True)
    cells = [td.get_text(strip=True) for td in BeautifulSoup(html, "html.parser").find_all("td")]
    assert cells and set(cells) == {"0"}  # twelve months of true zeros, and two opinions
