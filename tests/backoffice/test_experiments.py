"""The experiments registry in the back-office: admins only, drafts with every problem
named, launch frozen, stop, copy, the pre-registration as launched, results hidden before
the analysis date, the export the CLI analyses to the page's figures."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.experiments.assign import assign_letters
from portal.models.experiment import Experiment
from tests.backoffice.answers_support import signed_in_agent
from tests.builders import make_campaign
from tests.conftest import csrf_token
from tests.experiments.letters import TWO_ARMS, add_letters, freeze, make_letter_experiment

LIST = "/gestion/experiences"
FUTURE = (date.today() + timedelta(days=60)).isoformat()
GOOD = {"title": "Courrier simplifié", "hypothesis": "Plus court, plus de scans.",
        "kind": "letter", "arm_1": "standard", "weight_1": "1", "arm_2": "simplified",
        "weight_2": "1", "primary_metric": "scan", "secondary_metrics": ["diagnostic"],
        "guardrail_metrics": ["opt_out"], "alpha": "0,05", "power": "0,8",
        "baseline_rate": "5", "planned_sample": "400", "analysis_date": FUTURE}  # fmt: skip


@pytest.fixture
def admin(client, session, town):
    return signed_in_agent(client, session, town, role="admin")


@pytest.fixture
def campaign(session, town):
    campaign = make_campaign(session, town, title="Vacants 2026")
    session.commit()
    return campaign


def launched(session, experiment):
    """A running experiment with its registration as `launch` freezes it."""
    freeze(experiment, experiment.created_at)
    session.flush()
    return experiment


def post(client, path, data=None, form_page=None):
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def stored(session) -> Experiment:
    session.rollback()
    query = select(Experiment).order_by(Experiment.id.desc())
    return session.scalars(query.execution_options(populate_existing=True)).first()


def test_agents_get_403_and_the_navigation_shows_the_entry_to_admins(client, session, town):
    signed_in_agent(client, session, town, role="agent")
    assert client.get(LIST).status_code == 403
    assert 'href="/gestion/experiences"' not in client.get("/gestion/").get_data(True)


def test_admins_reach_the_registry_from_the_navigation(client, admin):
    home = client.get("/gestion/").get_data(as_text=True)
    assert 'href="/gestion/experiences"' in home and "Expériences" in home
    page = client.get(LIST).get_data(as_text=True)
    assert "Nouvelle expérience" in page and "Aucune expérience" in page


def test_a_draft_is_saved_then_launched_and_frozen(client, session, admin, campaign):
    response = post(client, LIST + "/nouvelle", GOOD | {"campaigns": [str(campaign.id)]})
    assert response.status_code == 303, response.get_data(as_text=True)
    experiment = stored(session)
    assert experiment.status == "draft" and experiment.baseline_rate == pytest.approx(0.05)
    assert experiment.arms == [{"variant": "standard", "weight": 1},
                               {"variant": "simplified", "weight": 1}]  # fmt: skip
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Prête à être lancée" in page
    assert f'href="{LIST}/{experiment.id}/lancer"' in page  # a link to the confirmation
    confirm = client.get(f"{LIST}/{experiment.id}/lancer").get_data(as_text=True)
    assert "Lancer fige la préinscription" in confirm and "Confirmer le lancement" in confirm
    assert stored(session).status == "draft"  # reading the confirmation launches nothing
    launch = f"{LIST}/{experiment.id}/lancer"
    launched = post(client, launch, form_page=launch)
    assert launched.status_code == 303
    experiment = stored(session)
    assert experiment.status == "running" and len(experiment.registration_hash) == 64
    for path in ("/modifier", "/lancer"):  # a running experiment is not edited nor relaunched
        refused = client.get(f"{LIST}/{experiment.id}{path}")
        assert refused.status_code == 303
        follow = client.get(refused.headers["Location"]).get_data(as_text=True)
        assert "Une expérience lancée ne se modifie pas" in follow
        assert f'href="{LIST}/{experiment.id}/lancer"' not in follow
    again = post(client, f"{LIST}/{experiment.id}/modifier", GOOD | {"title": "Autre titre"},
                 form_page=f"{LIST}/{experiment.id}")  # fmt: skip
    assert again.status_code == 303 and stored(session).title == "Courrier simplifié"
    registration = client.get(f"{LIST}/{experiment.id}/preinscription").get_data(as_text=True)
    assert (
        experiment.registration_hash in registration
        and "Plus court, plus de scans." in registration
    )


def test_an_incomplete_draft_lists_what_is_missing(client, session, admin, campaign):
    data = GOOD | {"primary_metric": "", "weight_2": "", "arm_2": "", "campaigns": []}
    assert post(client, LIST + "/nouvelle", data).status_code == 303
    experiment = stored(session)
    page = client.get(f"{LIST}/{experiment.id}").get_data(as_text=True)
    for message in ("Choisissez la mesure principale", "au moins deux bras",
                    "Choisissez au moins une campagne"):  # fmt: skip
        assert message in page
    assert "Lancer l’expérience" not in page
    refused = post(client, f"{LIST}/{experiment.id}/lancer", form_page=f"{LIST}/{experiment.id}")
    assert refused.status_code == 303 and stored(session).status == "draft"


WEIGHTS = "Les poids doivent être des nombres entiers positifs"


def field_errors(page: str) -> dict[str, str]:
    """{field id: its error message}, as the DSFR messages group under each field says it."""
    found = re.findall(r'id="([\w-]+)-messages"[^>]*>\s*<p class="fr-message fr-message--error">'
                       r'<span class="fr-sr-only">[^<]*</span>([^<]*)</p>', page)  # fmt: skip
    return {name: html.unescape(message) for name, message in found}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Donnez un titre à l’expérience"),
        ({"weight_2": "0"}, "weight_2", WEIGHTS),
        ({"weight_2": "-3"}, "weight_2", WEIGHTS),
        ({"weight_2": "1,5"}, "weight_2", WEIGHTS),
        ({"weight_2": "abc"}, "weight_2", WEIGHTS),
        ({"alpha": "x"}, "alpha", "Saisissez un nombre"),
        ({"alpha": "0,5"}, "alpha", "Le seuil alpha doit être compris entre 0 et 0,2"),
        ({"power": "1"}, "power", "La puissance doit être comprise entre 0,5 et 0,99"),
        ({"power": "0,2"}, "power", "La puissance doit être comprise entre 0,5 et 0,99"),
        ({"baseline_rate": "150"}, "baseline_rate", "Le taux attendu est un pourcentage"),
        ({"planned_sample": "-1"}, "planned_sample", "Indiquez un nombre entier de courriers"),
        (
            {"planned_sample": "beaucoup"},
            "planned_sample",
            "Indiquez un nombre entier de courriers",
        ),
        ({"arm_2": "nope"}, "arm_2", "Choisissez une des réponses proposées"),
        ({"campaigns": ["999999"]}, "campaigns", "Choisissez une des réponses proposées"),
        ({"analysis_date": "31/02/2027"}, "analysis_date", "Saisissez une date valide"),
    ],
)
def test_bad_input_is_named_at_its_field_and_nothing_is_lost(client, session, admin, campaign,
                                                             changes, field, message):  # fmt: skip
    response = post(client, LIST + "/nouvelle", GOOD | changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = field_errors(page)
    assert any(name.endswith(field) and message in text for name, text in errors.items()), errors
    assert "Plus court, plus de scans." in page  # what was typed is still there
    assert 'value="Courrier simplifié"' in page or changes == {"title": ""}
    assert stored(session) is None


BROKEN = {"title": "Tout faux", "hypothesis": "", "kind": "page", "page": None,
          "arms": [{"variant": "standard", "weight": 0}, {"variant": "standard", "weight": 1},
                   {"variant": "inconnue", "weight": 1}],
          "primary_metric": None, "secondary_metrics": ["x"], "guardrail_metrics": ["y"],
          "alpha": 0.5, "power": 0.2, "baseline_rate": 0.05, "planned_sample": 3,
          "analysis_date": date.today()}  # fmt: skip


def test_every_problem_of_a_draft_is_named_on_its_page(client, session, admin, town):
    from portal.experiments import registry

    experiment = registry.create_draft(session, town.id, None, BROKEN, [])
    session.commit()
    page = html.unescape(client.get(f"{LIST}/{experiment.id}").get_data(as_text=True))
    for message in ("Écrivez l’hypothèse que l’expérience teste",
                    "Choisissez la page dont les textes varient",
                    "Chaque bras doit utiliser une formulation différente",
                    "Formulation inconnue pour ce type d’expérience\u00a0: standard, standard, "
                    "inconnue", WEIGHTS, "Choisissez la mesure principale",
                    "Les mesures secondaires ne peuvent pas reprendre la mesure principale",
                    "Mesure de garde inconnue", "Le seuil alpha doit être compris entre 0 et 0,2",
                    "La puissance doit être comprise entre 0,5 et 0,99",
                    "Prévoyez au moins 6 courriers",
                    "La date d’analyse doit être postérieure à aujourd’hui",
                    "Choisissez au moins une campagne"):  # fmt: skip
        assert message in page, message
    assert "Lancer l’expérience" not in page
    confirm = client.get(f"{LIST}/{experiment.id}/lancer")
    assert confirm.status_code == 303  # no confirmation for a draft that cannot be launched
    assert "Complétez le brouillon" in client.get(confirm.headers["Location"]).get_data(True)


def test_a_campaign_in_a_running_letter_experiment_is_refused(client, session, admin, town,
                                                               campaign):  # fmt: skip
    from portal.experiments import registry

    make_letter_experiment(session, [campaign], title="Déjà en cours")
    fields = {key: value for key, value in BROKEN.items()} | {
        "hypothesis": "Plus court.", "kind": "letter", "arms": TWO_ARMS, "primary_metric": "scan",
        "secondary_metrics": [], "guardrail_metrics": [], "alpha": 0.05, "power": 0.8,
        "planned_sample": 400, "analysis_date": date.today() + timedelta(days=30)}  # fmt: skip
    experiment = registry.create_draft(session, town.id, None, fields, [campaign.id])
    session.commit()
    page = html.unescape(client.get(f"{LIST}/{experiment.id}").get_data(as_text=True))
    assert "Ces campagnes sont déjà dans une expérience en cours\u00a0: Vacants 2026" in page
    refused = post(client, f"{LIST}/{experiment.id}/lancer", form_page=f"{LIST}/{experiment.id}")
    assert refused.status_code == 303 and stored(session).status == "draft"


def test_the_calculator_gives_the_letters_needed_and_the_detectable_effect(
    client, session, admin, campaign
):
    experiment = make_letter_experiment(session, [campaign], status="draft", baseline_rate=0.05,
                                        planned_sample=2000)  # fmt: skip
    session.commit()
    page = html.unescape(client.get(f"{LIST}/{experiment.id}").get_data(as_text=True))
    for name, value in (("base", "5"), ("alpha", "0,05"), ("puissance", "0,8")):
        assert f'name="{name}" type="text" value="{value}"' in page  # the draft's, in French
    assert "Résultat du calcul" not in page
    # Reference §2.4: from 5 % to 6 % takes 8,158 letters per arm (alpha 0.05, power 0.8)
    query = {"base": "5", "effet": "1", "alpha": "0,05", "puissance": "0,8"}
    page = html.unescape(client.get(f"{LIST}/{experiment.id}", query_string=query).get_data(True))
    assert "16\u202f316 courriers nécessaires (8\u202f158 / 8\u202f158 par bras)" in page
    assert (
        "Effet minimal détectable avec les 2\u202f000 courriers prévus\u00a0: +3,1\u00a0pt" in page
    )
    stricter = html.unescape(client.get(f"{LIST}/{experiment.id}", query_string=query | {
        "alpha": "0,01"}).get_data(True))  # fmt: skip
    needed = re.search(r"([\d\u202f]+) courriers nécessaires", stricter).group(1)
    assert int(needed.replace("\u202f", "")) > 16_316 and "au seuil 0,01 " in stricter


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"effet": "beaucoup"}, "effet", "Saisissez un nombre"),
        ({"effet": ""}, "effet", "Indiquez l’effet à détecter"),
        ({"base": "0"}, "base", "Le taux attendu doit être compris entre 0,01 et 99,99"),
        ({"base": "99", "effet": "5"}, "effet", "cet effet n’est pas détectable"),
        ({"alpha": "0,5"}, "alpha", "Le seuil alpha doit être compris entre 0 et 0,2"),
        ({"puissance": "1"}, "puissance", "La puissance doit être comprise entre 0,5 et 0,99"),
    ],
)
def test_the_calculator_names_bad_input(client, session, admin, campaign, query, field, message):
    experiment = make_letter_experiment(session, [campaign], status="draft")
    session.commit()
    good = {"base": "5", "effet": "1", "alpha": "0,05", "puissance": "0,8"}
    response = client.get(f"{LIST}/{experiment.id}", query_string=good | query)
    errors = field_errors(response.get_data(as_text=True))
    assert any(name.endswith(field) and message in text for name, text in errors.items()), errors
    assert "Résultat du calcul" not in response.get_data(as_text=True)


def test_stop_and_copy(client, session, admin, campaign):
    experiment = make_letter_experiment(session, [campaign])
    session.commit()
    assert post(client, f"{LIST}/{experiment.id}/arreter",
                form_page=f"{LIST}/{experiment.id}").status_code == 303  # fmt: skip
    assert stored(session).status == "stopped"
    copied = post(client, f"{LIST}/{experiment.id}/copier", form_page=f"{LIST}/{experiment.id}")
    copy = stored(session)
    assert copy.id != experiment.id and copy.status == "draft" and copy.salt != experiment.salt
    assert copied.headers["Location"].endswith(f"{LIST}/{copy.id}")


def test_the_pre_registration_is_the_frozen_one_even_if_the_row_changed(
    app, client, session, admin, campaign
):
    from portal.experiments import registry

    experiment = make_letter_experiment(session, [campaign], status="draft",
                                        baseline_rate=0.05, planned_sample=2000,
                                        analysis_date=date(2027, 3, 1))  # fmt: skip
    experiment.launched_at = None
    registry.launch(session, experiment, app.config["GUIDANCE_CONTENT_PATH"],
                    now=experiment.created_at, today=date(2026, 12, 1))  # fmt: skip
    frozen_hash = experiment.registration_hash
    # Nothing in the portal edits a launched experiment; a change straight in the database
    # must still not change what the pre-registration says.
    experiment.title, experiment.hypothesis = "Titre changé", "Hypothèse changée"
    experiment.analysis_date = date(2027, 6, 15)
    session.commit()
    page = client.get(f"{LIST}/{experiment.id}/preinscription").get_data(as_text=True)
    text = html.unescape(page)
    assert "Préinscription\u00a0: Courrier simplifié" in text and "Titre changé" not in text
    assert "Plus simple, plus de retours." in text and "Hypothèse changée" not in text
    assert "1er\u00a0mars\u00a02027" in text and "juin" not in text
    moment = r"\d+(er)?\u00a0\w+\u00a0\d{4} à \d{1,2}\u00a0h\u00a0\d\d"
    assert re.search(r"figée au lancement, le " + moment + r"\.", text)
    assert frozen_hash in page
    canonical = re.search(r'<pre class="portal-canonical">(.*?)</pre>', text, re.S).group(1)
    assert registry.registration_hash(json.loads(canonical)) == frozen_hash
    assert hashlib.sha256(canonical.encode()).hexdigest() == frozen_hash
    # 1,000 letters per arm at 5 %: 3.1 points detectable at alpha 0.05 with power 0.8
    # (portal/experiments/power.py's docstring, checked there against the arcsine method)
    assert "Effet minimal détectable avec les courriers prévus</dt><dd>+3,1\u00a0pt" in text


def test_results_are_hidden_before_the_analysis_date_health_is_not(client, session, admin,
                                                                    campaign):  # fmt: skip
    add_letters(session, campaign, 20)
    experiment = launched(session, make_letter_experiment(session, [campaign]))
    assign_letters(session, campaign, now=experiment.created_at)
    session.commit()
    page = client.get(f"{LIST}/{experiment.id}/analyse").get_data(as_text=True)
    assert "Résultats masqués jusqu’au" in page
    assert "Jours depuis le lancement" in page and "Effet minimal détectable" in page
    assert "Courriers affectés par bras" in page and "Différence" not in page
    assert client.get(f"{LIST}/{experiment.id}/unites.csv").status_code == 404


def test_the_exported_units_give_the_pages_figures_through_the_cli(app, client, session, admin,
                                                                   campaign, tmp_path):  # fmt: skip
    letters = add_letters(session, campaign, 40, ("Particulier", "Personne morale"))
    experiment = launched(session, make_letter_experiment(session, [campaign],
                                                          analysis_date=date.today()))  # fmt: skip
    assign_letters(session, campaign, now=experiment.created_at)
    for letter in letters[:15]:
        letter.first_visit_at = experiment.created_at
    session.commit()
    page = client.get(f"{LIST}/{experiment.id}/analyse").get_data(as_text=True)
    assert "Mesure principale" in page
    export = client.get(f"{LIST}/{experiment.id}/unites.csv")
    assert export.status_code == 200
    path = tmp_path / "unites.csv"
    path.write_bytes(export.data)
    result = app.test_cli_runner().invoke(args=["experiments", "analyse", "--units", str(path),
                                                "--metric", "scan", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for arm in report["arms"]:
        rate = f"{arm['rate'] * 100:.1f}".replace(".", ",")
        assert re.search(rf"{arm['n']}</td>\s*<td>{arm['successes']}</td>\s*<td>{rate}", page)
    (comparison,) = report["comparisons"]
    diff = f"{abs(comparison['diff']) * 100:.1f}".replace(".", ",")
    assert diff in page
    units = [line.split(",")[0] for line in export.get_data(as_text=True).splitlines()[1:]]
    assert len(units) == 40 and not {str(letter.id) for letter in letters} & set(units)


def test_another_collectivites_experiment_is_not_found(client, session, admin):
    from tests.builders import make_collectivite

    other = make_campaign(session, make_collectivite(session))
    foreign = make_letter_experiment(session, [other])
    session.commit()
    for path in ("", "/modifier", "/preinscription", "/analyse", "/unites.csv"):
        assert client.get(f"{LIST}/{foreign.id}{path}").status_code == 404
    for action in ("lancer", "arreter", "copier"):
        assert post(client, f"{LIST}/{foreign.id}/{action}", form_page=LIST).status_code == 404
