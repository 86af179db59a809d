"""A collectivité's back-office settings merged into the rules engine's local overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.local_overrides import local_for
from portal.models import Collectivite
from portal.rules import evaluate, present
from portal.rules.context import context_for
from tests.backoffice.answers_support import VACANT_WITH_WORKS

DAY = dt.date(2026, 6, 1)
PARTNER = {"id": "p1", "name": "Soliha Cher", "stands_for": "anah_operator",
           "phone": "02 48 70 00 00", "email": "", "url": "", "description": ""}  # fmt: skip
AID = {"id": "a1", "slug": "local:prime-facade-a1", "title": "Prime façade {amount}",
       "description": "Pour ravaler une façade.", "amount": "jusqu’à 3 000 €",
       "contact": "partner-p1"}  # fmt: skip
POINT = {"label": "Service habitat", "phone": "02 48 57 80 00", "email": "", "address": "",
         "hours": ""}  # fmt: skip


@pytest.fixture
def content(app):
    with app.app_context():
        yield app.extensions["content"]


def town(siren="218000339", **fields) -> Collectivite:
    values = {"name": "Ville de Bourges", "siren": siren, "contact_points": [], "settings": {}}
    return Collectivite(**(values | fields))


def shown(content, local, insee="58194"):
    context = context_for(content, insee, local)
    evaluation = evaluate(content, VACANT_WITH_WORKS, context, DAY, local=local)
    return context, present(evaluation, content, "fr")["recommendations"]


def test_without_settings_the_local_file_is_used_as_it_is(content):
    assert local_for(content, town()) is None
    demo = town(siren="999999999")
    assert local_for(content, demo) is content.locals["999999999"]


def test_settings_alone_make_a_local_with_an_unknown_perimeter(content):
    local = local_for(content, town(settings={"partners": [PARTNER], "local_aids": [AID]},
                                    contact_points=[{"label": "Accueil"}, POINT]))  # fmt: skip
    assert local.opah_pig_perimeter is None
    context, recommendations = shown(content, local)
    assert "in_opah_pig" not in context  # unknown, as without any local override
    assert context == context_for(content, "58194", None)
    by_slug = {r["slug"]: r for r in recommendations}
    aid = by_slug["local:prime-facade-a1"]
    assert aid["status"] == "undetermined"
    assert aid["title"] == "Prime façade (amount)"  # never read as a parameter
    assert aid["amount"] == {"value": None, "text": "jusqu’à 3 000 €"}
    assert aid["reasons"] == [
        {"met": None, "text": "Les conditions sont à vérifier auprès de votre collectivité"}
    ]
    assert [(c["label"], c["phone"]) for c in aid["contacts"]] == [
        ("Soliha Cher", "02 48 70 00 00")
    ]
    # The partner stands for the OPAH operator in every national aid that names it.
    operator = next(c for r in recommendations for c in r["contacts"] if c["id"] == "anah_operator")
    assert (operator["label"], operator["phone"]) == ("Soliha Cher", "02 48 70 00 00")
    assert operator["description"] == content.contacts["anah_operator"].description["fr"]
    # The first contact point with a phone or an e-mail is "your collectivité".
    assert local.contacts["collectivite"].label["fr"] == "Service habitat"
    assert local.contacts["collectivite"].phone == "02 48 57 80 00"


def test_settings_add_to_the_local_file_and_win_over_it(content):
    demo = town(siren="999999999", settings={"local_aids": [AID]}, contact_points=[POINT])
    local = local_for(content, demo)
    base = content.locals["999999999"]
    assert set(local.aids) == set(base.aids) | {"local:prime-facade-a1"}
    assert local.opah_pig_perimeter == base.opah_pig_perimeter
    assert local.contacts["anah_operator"] == base.contacts["anah_operator"]
    assert local.contacts["collectivite"].label["fr"] == "Service habitat"
    assert local.aids["local:prime-facade-a1"].contacts == ()  # its partner is not there


def test_the_merged_local_is_kept_until_the_settings_change(content):
    first = town(settings={"local_aids": [AID]})
    assert local_for(content, first) is local_for(content, town(settings={"local_aids": [AID]}))
    changed = town(settings={"local_aids": [{**AID, "title": "Prime toiture"}]})
    assert local_for(content, changed) is not local_for(content, first)
    assert local_for(content, changed).aids["local:prime-facade-a1"].title["fr"] == "Prime toiture"
