"""The results for a phone: what fits best and the call-back first, one card per route with
the reasons met only, alternatives as one choice (never a sum), an aid that requires another
placed with it, the details folded; the PDF summary in the same order.

`arrange` is tested on what `present` gives for the real content: the aids' relations
(`alternatives`, `requires`) are those the agreed schema declares, taken from `present` once
the engine gives them, else added to its dicts as it will.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import g, render_template

from portal.config import ROOT
from portal.experiments.exposure import page_texts
from portal.owner.results import arrange
from portal.owner.summary import results_blocks
from portal.rules import evaluate, present
from tests.owner import test_journey as journey
from tests.owner.test_journey import ANSWERS, submit, walk
from tests.owner.test_summary_pdf import PDF, pdf_text

TEXTS = page_texts(ROOT / "guidance_content", "results", "standard", "fr")
TWO_WAYS = "Deux façons de financer vos travaux\u00a0: l’une ou l’autre"
RELATIONS = {
    "maprimerenov-ampleur": {"alternatives": ["anah-travaux-bailleur"]},
    "prime-sortie-vacance": {"requires": ["anah-travaux-bailleur"]},
}
AS_OF = date(2026, 12, 2)
UNDECIDED = {**ANSWERS, "intention": "undecided"}
opened = journey.opened  # a letter of the "Commune de Nevers" just opened (a fixture)


def presented(app, answers=ANSWERS, relations=None) -> list[dict]:
    """`present`'s recommendations for the real content, in a commune not known (every
    condition on the place left to check); `relations` replace the aids' own."""
    content = app.extensions["content"]
    evaluation = evaluate(content, answers, {}, as_of=AS_OF)
    items = present(evaluation, content, "fr")["recommendations"]
    for item in items:
        for key in ("alternatives", "requires"):
            declared = (
                (RELATIONS if relations is None else relations).get(item["slug"], {}).get(key, [])
            )
            if relations is not None:
                item[key] = declared
            else:
                item.setdefault(key, declared)
    return items


@pytest.fixture
def arranged(app):
    def arranged_for(*args, **kwargs) -> dict:
        with app.test_request_context():
            return arrange(presented(app, *args, **kwargs))

    return arranged_for


def shown_slugs(result: dict) -> list[str]:
    return [i["slug"] for route in result["routes"] for i in route["items"] + route["companions"]]


def route_of(result: dict, slug: str) -> dict:
    return next(r for r in result["routes"] if slug in [i["slug"] for i in r["items"]])


def test_alternatives_are_one_choice_and_the_bonus_says_which_route_it_needs(arranged):
    result = arranged()
    route = route_of(result, "maprimerenov-ampleur")
    assert [i["slug"] for i in route["items"]] == sorted(
        ["maprimerenov-ampleur", "anah-travaux-bailleur"],
        key=shown_slugs(arranged(relations={})).index,  # their ranked order, kept
    )
    assert route["heading"] == TWO_WAYS
    assert "ne s’additionnent pas" in route["text"]
    anah = next(i for i in route["items"] if i["slug"] == "anah-travaux-bailleur")
    (bonus,) = route["companions"]
    assert bonus["slug"] == "prime-sortie-vacance"
    assert bonus["comes_with"] == [anah["title"]]
    assert anah["opens"] == [bonus["title"]]
    # Each aid once; the other routes are single aids, without a choice heading.
    slugs = shown_slugs(result)
    assert len(slugs) == len(set(slugs)) == len(shown_slugs(arranged(relations={})))
    assert [r["heading"] for r in result["routes"]].count(None) == len(result["routes"]) - 1


def test_a_relation_declared_on_one_side_groups_both(arranged):
    one_side = {"anah-travaux-bailleur": {"alternatives": ["maprimerenov-ampleur"]}}
    route = route_of(arranged(relations=one_side), "maprimerenov-ampleur")
    assert len(route["items"]) == 2 and route["heading"] == TWO_WAYS


def test_three_alternatives_are_counted_in_words(arranged):
    three = {
        "maprimerenov-ampleur": {"alternatives": ["anah-travaux-bailleur"]},
        "loc-avantages": {"alternatives": ["anah-travaux-bailleur"]},
    }
    route = route_of(arranged(relations=three), "loc-avantages")
    assert len(route["items"]) == 3
    assert route["heading"] == "Trois façons de financer vos travaux\u00a0: une seule d’entre elles"


def test_without_relations_every_route_is_one_aid(arranged):
    result = arranged(relations={})
    assert all(len(r["items"]) == 1 and not r["companions"] for r in result["routes"])
    assert all(r["heading"] is None for r in result["routes"])


@pytest.mark.parametrize("answers", [ANSWERS, UNDECIDED])
def test_an_unmet_condition_is_never_a_reason(app, arranged, answers):
    reasons = {i["slug"]: i["reasons"] for i in presented(app, answers)}
    result = arranged(answers)
    items = [i for r in result["routes"] for i in r["items"] + r["companions"]]
    for item in items + result["advice"] + result["costs"]:
        met = [r["text"] for r in reasons[item["slug"]] if r["met"] is True]
        unknown = [r["text"] for r in reasons[item["slug"]] if r["met"] is None]
        assert set(item["why"]) <= set(met), item["slug"]
        assert set(item["to_check"]) <= set(unknown), item["slug"]
        assert 0 < len(item["why"]) + len(item["to_check"]) <= 3, item["slug"]
        if item["status"] == "applicable":
            assert item["to_check"] == []


def test_the_reason_met_on_a_phone_walk_is_gone(app, arranged):
    items = [i for r in arranged(UNDECIDED)["routes"] for i in r["items"] + r["companions"]]
    sale = next(i for i in items if i["slug"] == "vente-accompagnee")
    reasons = {i["slug"]: i["reasons"] for i in presented(app, UNDECIDED)}
    unmet = [r["text"] for r in reasons["vente-accompagnee"] if r["met"] is False]
    assert "Le logement est déjà en vente" in unmet  # the reason the walk on a phone met
    assert "Le logement est déjà en vente" not in sale["why"]


def test_the_best_route_is_the_first_applicable_one(arranged):
    result = arranged()
    applicable = [i for r in result["routes"] for i in r["items"] if i["status"] == "applicable"]
    assert result["best"] is applicable[0]
    assert result["others"] == len(shown_slugs(result)) - 1
    statuses = [i["status"] for r in result["routes"] for i in r["items"]]
    assert statuses.index("applicable") == 0  # the best first


def test_advice_comes_first_and_costs_last(arranged):
    result = arranged()
    assert [i["kind"] for i in result["advice"]] and {i["kind"] for i in result["advice"]} == {
        "advice"
    }
    assert all(i["status"] == "applicable" for i in result["advice"])
    assert {i["kind"] for i in result["costs"]} <= {"cost"}
    kinds = {i["kind"] for r in result["routes"] for i in r["items"] + r["companions"]}
    assert "cost" not in kinds


# The page and the PDF, through the owner's journey.


def results_page(client, answers=ANSWERS) -> tuple[str, BeautifulSoup]:
    walk(client, answers)
    assert submit(client).headers["Location"] == "/resultats"
    html = client.get("/resultats").get_data(as_text=True)
    return html, BeautifulSoup(html, "html.parser")


def squash(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", text).strip()  # no-break spaces kept


def test_the_page_starts_with_what_fits_best_and_the_call_back(client, opened):
    html, page = results_page(client)
    main = page.main
    button = main.find("a", string=re.compile("Être rappelé"))
    assert button["href"] == "/rappel"
    assert html.index("Être rappelé") < html.index('class="fr-card')
    paragraphs = main.find_all("p")
    lines = [squash(p.get_text()) for p in paragraphs[: paragraphs.index(button.parent)]]
    best = squash(main.select_one(".fr-card__title").get_text())
    assert any(line.startswith("Ce qui vous correspond le mieux") for line in lines)
    assert len(lines) <= 3
    assert best in html[: html.index("Être rappelé")]
    assert re.search(r"Et \d+ autres pistes ci-dessous", squash(main.get_text()))
    # The behaviours kept: the collectivité told, the PDF, the feedback, the way back.
    assert "Vos réponses sont transmises à Commune de Nevers" in squash(main.get_text())
    for href in ["/resultats/resume.pdf", "/avis", "/mon-logement"]:
        assert main.find("a", href=href), href


@pytest.mark.parametrize("answers", [ANSWERS, UNDECIDED])
def test_the_page_gives_no_unmet_condition_as_a_reason(client, opened, answers):
    html, page = results_page(client, answers)
    assert "non —" not in html and "non\u00a0—" not in html
    assert "Le logement est déjà en vente" not in html
    for card in page.main.select(".fr-card"):
        assert len(card.select(".portal-card__body > ul > li")) <= 3


def test_the_details_are_folded_in_an_accordion(client, opened):
    _, page = results_page(client)
    for card in page.main.select(".fr-card"):
        details = card.find("details")
        assert details is not None and not details.has_attr("open")
        assert details.summary is not None
        assert details.find("a", string=re.compile("En savoir plus")) or details.find(
            string=re.compile("Sources")
        )
    text = squash(page.main.get_text())
    assert re.search(r"vérifiée le \d{1,2}(er)?\u00a0\w+\u00a020\d\d", text)
    assert "À vérifier" in text  # most aids rest on sources not all official


def test_the_page_and_the_pdf_group_the_two_ways_to_fund_the_works(app, client, opened):
    _, page = results_page(client)
    section = page.main.find("h3", string=TWO_WAYS).find_parent("section")
    titles = [squash(h.get_text()) for h in section.select(".fr-card__title")]
    assert any("Anah" in title for title in titles) and any("MaPrimeRénov" in t for t in titles)
    text = pdf_text(client.get(PDF).data)
    assert re.search(r"\d\. " + TWO_WAYS, text)


def test_the_page_and_the_pdf_say_which_route_leads_to_the_bonus(app, arranged, opened):
    shown = arranged()
    bonus = route_of(shown, "anah-travaux-bailleur")["companions"][0]
    anah = next(
        i
        for i in route_of(shown, "anah-travaux-bailleur")["items"]
        if i["slug"] == "anah-travaux-bailleur"
    )
    with_anah = f"Possible seulement avec «\u00a0{anah['title']}\u00a0»."
    opens = f"Avec cette aide, vous pourrez aussi demander «\u00a0{bonus['title']}\u00a0»."
    with app.test_request_context("/resultats"):
        g.letter = opened
        html = render_template("owner/results.html", pdf_size_bound_kb=100, texts=TEXTS, **shown)
        blocks = results_blocks(shown)
    section = BeautifulSoup(html, "html.parser").find("h3", string=TWO_WAYS).find_parent("section")
    cards = {squash(c.select_one(".fr-card__title").get_text()): squash(c.get_text())
             for c in section.select(".fr-card")}  # fmt: skip
    assert with_anah in cards[bonus["title"]] and opens in cards[anah["title"]]
    assert list(cards)[-1] == bonus["title"]  # after the choice it comes with
    text = [block.text for block in blocks if hasattr(block, "text")]
    heading = next(t for t in text if re.fullmatch(rf"\d+\. {TWO_WAYS}", t))
    assert text.index(heading) < text.index(opens) < text.index(with_anah)


def test_the_pdf_follows_the_page(client, opened):
    _, page = results_page(client)
    text = pdf_text(client.get(PDF).data)
    best = squash(page.main.select_one(".fr-card__title").get_text())
    assert f"Ce qui vous correspond le mieux\u00a0: {best}" in text
    assert f"1. {best}" in text
    assert "Pourquoi\u00a0: • " in text
    assert "non —" not in text and "oui —" not in text
    assert "Le logement est déjà en vente" not in text
    assert "En échange\u00a0: •" in text  # the details, unfolded on paper
    position = text.index("Ce qui pourrait vous aider")
    for card in page.main.select(".fr-card__title"):  # in the page's order
        position = text.index(squash(card.get_text()), position)


def test_when_nothing_is_sure_the_top_says_what_to_check(app, arranged, opened):
    shown = arranged()
    for route in shown["routes"]:  # every route left to check: no best route
        for item in route["items"] + route["companions"]:
            item["status"] = "undetermined"
    shown = {**shown, "best": None, "others": len(shown_slugs(shown))}
    with app.test_request_context("/resultats"):
        g.letter = opened
        page = BeautifulSoup(
            render_template("owner/results.html", pdf_size_bound_kb=100, texts=TEXTS, **shown),
            "html.parser",
        )
        first = results_blocks(shown)[0].text
    top = squash(page.main.find("p").get_text())
    assert (
        top
        == first
        == (
            "D’après vos réponses, rien n’est encore sûr\u00a0: les "
            f"{shown['others']} pistes ci-dessous sont à vérifier avec un conseiller."
        )
    )
    assert "Ce qui vous correspond le mieux" not in squash(page.main.get_text())
