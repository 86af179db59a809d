"""The real content's texts: every placeholder filled, dates in words, French typography,
« Je ne sais pas » options marked unknown, and what the 2026 review asked the texts to say."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.config import ROOT
from portal.rules import load_content
from portal.rules.present import present_aid

CONTENT = load_content(ROOT / "guidance_content")
DATES = [dt.date(2026, 6, 1), dt.date(2027, 12, 31), dt.date(2028, 1, 1)]
# A plain space where French needs a no-break one: before ; : ! ? », after «.
BAD_FRENCH_SPACE = re.compile(r" [;:!?»]|« ")


def aid_texts(slug: str, locale: str, day: dt.date) -> list[str]:
    page = present_aid(CONTENT.aids[slug], CONTENT, locale, day)
    texts = [page["summary"], page["for_whom"], page["gives"], *page["obligations"]]
    return texts + ([page["amount"]] if page["amount"] else [])


@pytest.mark.parametrize("slug", sorted(CONTENT.aids))
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_placeholder_is_filled_on_each_date(slug, locale):
    for day in DATES:
        for text in aid_texts(slug, locale, day):
            assert "{" not in text and "}" not in text, (slug, locale, day, text)


def test_the_rental_ban_dates_read_as_words():
    fr = aid_texts("interdiction-location-passoires", "fr", DATES[0])[0]
    en = aid_texts("interdiction-location-passoires", "en", DATES[0])[0]
    assert "1er\u00a0janvier\u00a02025" in fr
    assert "1er\u00a0janvier\u00a02028" in fr
    assert "1 January 2028" in en


def french_texts():
    for aid in CONTENT.aids.values():
        texts = [aid.title, aid.summary, aid.for_whom, aid.gives, *aid.obligations]
        if aid.amount:
            texts += [aid.amount.text, aid.amount.fallback]
        for text in texts:
            yield aid.slug, text["fr"]
    for question in CONTENT.questions.values():
        yield question.id, question.label["fr"]
        for option in question.options:
            yield question.id, option.label["fr"]
        for message in question.messages.values():
            yield question.id, message["fr"]


def test_french_typography_uses_no_break_spaces():
    wrong = [(where, text) for where, text in french_texts() if BAD_FRENCH_SPACE.search(text)]
    assert wrong == []


def test_every_i_do_not_know_option_is_marked_unknown():
    for question in CONTENT.questions.values():
        for option in question.options:
            if option.value == "unknown":
                assert option.unknown, question.id


def test_relations_from_the_2026_review():
    assert "anah-travaux-bailleur" in CONTENT.aids["maprimerenov-ampleur"].alternatives
    assert "maprimerenov-ampleur" in CONTENT.aids["anah-travaux-bailleur"].alternatives
    assert CONTENT.aids["prime-sortie-vacance"].requires == ("anah-travaux-bailleur",)
    # The éco-PTZ pays for what the works route leaves: never an alternative to it.
    assert CONTENT.aids["eco-ptz"].alternatives == ()


@pytest.mark.parametrize("slug", ["loc-avantages", "deficit-foncier"])
def test_tax_reductions_say_they_help_only_income_tax_payers(slug):
    fr = " ".join(aid_texts(slug, "fr", DATES[0]))
    en = " ".join(aid_texts(slug, "en", DATES[0]))
    assert "impôt sur le revenu" in fr and "income tax" in en


def test_an_uncertain_fact_tells_the_owner_to_check_it():
    for slug in ("maprimerenov-ampleur", "loc-avantages", "visale", "deficit-foncier"):
        assert "à vérifier" in " ".join(aid_texts(slug, "fr", DATES[0])), slug
    assert "Ma Prime Logement Décent" not in CONTENT.aids["anah-travaux-bailleur"].title["fr"]
