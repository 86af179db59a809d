"""The landing served from the page cache: never stale, never another owner's page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import template_rendered

from portal.models import Response
from tests.builders import make_campaign, make_collectivite, make_housing, make_letter, make_owner


@pytest.fixture
def renders(app):
    """The names of the templates rendered while the test runs."""
    names: list[str] = []

    def record(_sender, template, context, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def nonces(response) -> tuple[set[str], str]:
    html = response.get_data(as_text=True)
    header = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    return set(re.findall(r'nonce="([^"]+)"', html)), header.group(1)


def test_the_landing_is_rendered_once_then_served_from_the_cache(client, opened, renders):
    first = client.get("/mon-logement")
    second = client.get("/mon-logement")
    assert first.status_code == second.status_code == 200
    assert renders.count("owner/landing.html") == 1
    assert opened.housing.address_lines[0] in second.get_data(as_text=True)


def test_each_cached_page_carries_its_own_request_nonce(client, opened):
    pages = [nonces(client.get("/mon-logement")) for _ in range(3)]
    for in_page, in_header in pages:
        assert in_page == {in_header}  # every script's nonce is the CSP header's
    assert len({header for _, header in pages}) == 3  # a new one per request


def test_an_answer_changes_the_landing_at_once(client, session, opened, renders):
    assert "Commencer" in client.get("/mon-logement").get_data(as_text=True)
    session.add(Response(collectivite_id=opened.collectivite_id, letter_id=opened.id,
                         answers={"situation": "vacant"}))  # fmt: skip
    session.commit()
    html = client.get("/mon-logement").get_data(as_text=True)
    assert "Reprendre où j’en étais" in html
    assert renders.count("owner/landing.html") == 2


def test_a_collectivite_change_is_shown_at_once(client, session, opened):
    client.get("/mon-logement")
    opened.collectivite.name = "Communauté de communes renommée"
    session.commit()
    assert "Communauté de communes renommée" in client.get("/mon-logement").get_data(as_text=True)


def test_a_revoked_letter_stops_at_once_even_when_cached(client, session, opened):
    assert client.get("/mon-logement").status_code == 200
    opened.revoked_at, opened.revoked_reason = datetime.now(UTC), "npai"
    session.commit()
    response = client.get("/mon-logement")
    assert response.status_code == 404
    assert opened.housing.address_lines[0] not in response.get_data(as_text=True)


def test_an_expired_campaign_stops_the_cached_landing(client, session, opened):
    assert client.get("/mon-logement").status_code == 200
    opened.campaign.letters_expire_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    assert client.get("/mon-logement").status_code == 404


def test_two_owners_never_get_each_others_page(app, session):
    first, first_token, _ = make_letter(session)
    second, second_token, _ = make_letter(session)
    session.commit()
    for letter, token, other in ((first, first_token, second), (second, second_token, first)):
        client = app.test_client()
        client.get(f"/l/{token}")
        for _ in range(2):
            html = client.get("/mon-logement").get_data(as_text=True)
            assert letter.housing.address_lines[0] in html
            assert other.housing.address_lines[0] not in html


def test_the_language_is_part_of_the_key(client, opened):
    assert "Votre logement" in client.get("/mon-logement").get_data(as_text=True)
    client.get("/langue/en?next=/mon-logement")
    assert "Your property" in client.get("/mon-logement").get_data(as_text=True)


# One rendering for every letter of a campaign ------------------------------------------------


def landing_of(app, token: str, language: str | None = None):
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 303
    if language:
        client.get(f"/langue/{language}?next=/mon-logement")
    return client.get("/mon-logement")


def without_nonces(html: str) -> str:
    return re.sub(r"nonce=\"[^\"]+\"", 'nonce=""', html)


def test_the_owners_of_a_campaign_share_one_rendering(app, session, renders):
    campaign = make_campaign(session, make_collectivite(session))
    letters = [make_letter(session, campaign) for _ in range(3)]
    session.commit()
    for letter, token, _ in letters:
        html = landing_of(app, token).get_data(as_text=True)
        assert letter.housing.address in html
        others = [other.housing.address for other, _, _ in letters if other is not letter]
        assert not any(address in html for address in others)
    assert renders.count("owner/landing.html") == 1


def test_the_owners_own_facts_are_escaped_as_the_template_would(app, session):
    campaign = make_campaign(session, make_collectivite(session))
    tricky = ['<b>5 rue "Aux & Mots"</b>', "l'Îlot <script>alert(1)</script>"]
    _letter, token, _ = make_letter(session, campaign, housing=make_housing(
        session, campaign.collectivite, address_lines=tricky))  # fmt: skip
    session.commit()
    html = landing_of(app, token).get_data(as_text=True)
    assert "&lt;b&gt;5 rue &#34;Aux &amp; Mots&#34;&lt;/b&gt;, l&#39;Îlot &lt;script&gt;" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("language", [None, "en"])
@pytest.mark.parametrize("progress", ["new", "started", "submitted"])
def test_the_cached_page_is_the_page_rendered_for_the_owner(app, session, progress, language):
    campaign = make_campaign(session, make_collectivite(session))
    tricky = ['3 <impasse> & "cour"', "58000 Nevers"]
    letters = [make_letter(session, campaign, housing=make_housing(
        session, campaign.collectivite, address_lines=tricky)) for _ in range(2)]  # fmt: skip
    for day, (letter, _, _) in enumerate(letters, start=1):
        if progress != "new":
            on = datetime(2026, 10, day, 15, tzinfo=UTC) if progress == "submitted" else None
            session.add(Response(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                                 answers={"situation": "vacant"}, submitted_at=on))  # fmt: skip
    session.commit()
    landing_of(app, letters[0][1], language)  # renders the campaign's page into the cache
    cached = landing_of(app, letters[1][1], language).get_data(as_text=True)
    app.extensions["page_cache"], cache = None, app.extensions["page_cache"]
    try:
        rendered = landing_of(app, letters[1][1], language).get_data(as_text=True)
    finally:
        app.extensions["page_cache"] = cache
    assert without_nonces(cached) == without_nonces(rendered)
    if progress == "submitted":
        assert ("2\u00a0octobre\u00a02026" if language is None else "2 October 2026") in cached


def test_a_response_without_answers_still_offers_to_start(client, session, opened):
    session.add(Response(collectivite_id=opened.collectivite_id, letter_id=opened.id,
                         answers={}))  # an exit before any question  # fmt: skip
    session.commit()
    html = client.get("/mon-logement").get_data(as_text=True)
    assert "Commencer" in html
    assert "Reprendre où j’en étais" not in html


# The key is an allow-list: nothing of one owner reaches another's page -----------------------


def owner_facts(n: int) -> dict:
    """Every owner-side field of a letter, each a value found nowhere else."""
    return {
        "housing": {
            "local_id": f"58{n:010d}",
            "invariant": f"INV{n}X{n}Z",
            "address_lines": [f"{n} allée Témoin-{n}", f"Bâtiment Repère-{n}"],
            "insee_code": f"{58100 + n}",
            "kind": "MAISON" if n % 2 else "APPART",
            "living_area": 4000 + n,
            "rooms_count": 2000 + n,
            "building_year": 1700 + n,
            "vacancy_start_year": 1900 + n,
            "energy_label": "G" if n % 2 else "A",
            "sub_status": f"Sous-statut-{n}",
        },
        "owner": {
            "full_name": f"Madame Témoin-{n}",
            "kind": f"Sorte-{n}",
            "address_lines": [f"{n} boulevard Privé-{n}", f"{75000 + n} Paris"],
            "email": f"temoin{n}@owner.example",
            "phone": f"06 55 {n:02d} {n:02d} 11",
        },
        "letter": {"variant": f"variante-{n}", "sent_at": date(2026, 1, n)},
        "response": {
            "answers": {"situation": "vacant", "blockers": f"frein-{n}"},
            "current_question": f"question-{n}",
            "progress": 30 + n,
            "submitted_at": datetime(2026, 3, n, 10, tzinfo=UTC),
        },
    }


def visible_texts(facts: dict) -> set[str]:
    texts = set()
    for fields in facts.values():
        for value in fields.values():
            values = value if isinstance(value, list) else [value]
            if isinstance(value, dict):
                values = list(value.values())
            texts.update(str(item) for item in values if not isinstance(item, date | datetime))
    texts.discard("vacant")
    texts -= {"MAISON", "APPART"}
    return {text for text in texts if len(text) >= 4}  # shorter: found in any page by chance


@pytest.mark.parametrize("stage", ["new", "started", "submitted"])
def test_no_owner_fact_reaches_another_owners_page(app, session, renders, stage):
    campaign = make_campaign(session, make_collectivite(session))
    tokens, facts = [], []
    for n in (11, 12):
        fields = owner_facts(n)
        if stage != "submitted":
            fields["response"]["submitted_at"] = None
        housing = make_housing(session, campaign.collectivite, **fields["housing"])
        owner = make_owner(session, campaign.collectivite, **fields["owner"])
        letter, token, _ = make_letter(session, campaign, housing=housing, owner=owner,
                                       **fields["letter"])  # fmt: skip
        if stage != "new":
            session.add(Response(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                                 **fields["response"]))  # fmt: skip
        tokens.append(token)
        facts.append(fields)
    session.commit()
    first = without_nonces(landing_of(app, tokens[0]).get_data(as_text=True))  # fills the cache
    second = without_nonces(landing_of(app, tokens[1]).get_data(as_text=True))  # from the cache
    assert renders.count("owner/landing.html") == 1
    assert "Témoin-12" in second and "Témoin-11" in first  # each owner's address
    assert not [text for text in visible_texts(facts[0]) if text in second]
    assert not [text for text in visible_texts(facts[1]) if text in first]
    if stage == "submitted":
        assert "12\u00a0mars\u00a02026" in second and "11\u00a0mars\u00a02026" not in second


@pytest.mark.parametrize(
    "query",
    ["", "?a=1", "&".join(f"p{n}={n}" for n in range(10_000)), "lang=en&next=/ailleurs"],
)
def test_the_query_string_is_not_part_of_the_page(app, session, query):
    campaign = make_campaign(session, make_collectivite(session))
    _letter, token, _ = make_letter(session, campaign)
    session.commit()
    client = app.test_client()
    client.get(f"/l/{token}")
    cache = app.extensions["page_cache"]
    before = len(cache)
    response = client.get(f"/mon-logement?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "p9999" not in html and "ailleurs" not in html
    assert "next=/mon-logement&" in html or 'next=/mon-logement"' in html  # the switch's return
    assert len(cache) <= before + 1


def test_the_cache_never_grows_beyond_its_bound(app, session):
    from portal.pagecache import PageCache, PageKey

    cache = PageCache(size=3)
    for n in range(10):
        key = PageKey("t.html", "fr", n, datetime.now(UTC), n, datetime.now(UTC), "new")
        cache.put(key, cache.cut(f"page {n}", ()))
    assert len(cache) == 3


def test_hostile_headers_are_served_normally(app, client, opened):
    """1,000 languages in Accept-Language, a Cookie header of 8 KB beside the session's."""
    cache = app.extensions["page_cache"]
    before = len(cache)
    languages = ", ".join(f"x{n:03d};q=0.{n % 10}" for n in range(1000))
    response = client.get("/mon-logement", headers={"Accept-Language": languages})
    assert response.status_code == 200 and "Votre logement" in response.get_data(as_text=True)
    for n in range(120):
        client.set_cookie(f"c{n}", "v" * 60)
    response = client.get("/mon-logement")
    assert len(response.request.headers["Cookie"]) >= 8000
    assert response.status_code == 200 and "Votre logement" in response.get_data(as_text=True)
    assert len(cache) <= before + 1
