"""The "Logements" page (/gestion/logements) and "Créer une campagne" from it: the filters
narrow the list, the counts, the pages; a campaign from the ticked housings or from every
filtered one, do-not-contact owners left out and counted, another collectivité's housings
never listed nor put in a campaign, bad input answered without a 500."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, select

from portal.models import Campaign, Housing, HousingOwner, Letter
from tests.backoffice.answers_support import signed_in_agent
from tests.builders import make_campaign, make_collectivite, make_housing, make_owner
from tests.conftest import csrf_token

NBSP = "\u202f"  # Babel's French thousands separator


def owned(session, town, owner=None, **fields) -> Housing:
    """A housing of `town` with a principal owner (a new one unless given)."""
    housing = make_housing(session, town, **fields)
    owner = owner or make_owner(session, town)
    session.add(HousingOwner(housing=housing, owner=owner, rank=1))
    session.flush()
    return housing


def listed(html: str) -> list[str]:
    """The addresses of the listed housings (the row headers), in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [th.get_text(strip=True) for th in soup.select("table tbody th[scope=row]")]


def words(element) -> str:
    return " ".join(element.get_text().split())


def page(client, query: str = "", status: int = 200) -> str:
    response = client.get(f"/gestion/logements{query}")
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def town(session, clock):
    town = make_collectivite(session, name="Commune de Nevers", perimeter=["58194", "58086"])
    session.commit()
    return town


@pytest.fixture
def agent(client, session, town):
    return signed_in_agent(client, session, town)


@pytest.fixture
def varied(session, town):
    """Five housings, each different from the others in one way (clock: 2026)."""
    letter_campaign = make_campaign(session, town, title="Déjà écrite")
    housings = {
        "commune": owned(session, town, address_lines=["1 rue A"], insee_code="58086"),
        "recent": owned(session, town, address_lines=["2 rue B"], vacancy_start_year=2025),
        "flat": owned(
            session, town, address_lines=["3 rue C"], kind="APPART", vacancy_start_year=2012
        ),
        "sieve": owned(
            session, town, address_lines=["4 rue D"], energy_label="G", status="first-contact"
        ),
        "written": owned(session, town, address_lines=["5 rue E"], energy_label="F"),
    }
    written = housings["written"]
    owner_id = session.scalar(select(HousingOwner.owner_id).where(
        HousingOwner.housing_id == written.id))  # fmt: skip
    session.add(Letter(collectivite_id=town.id, campaign_id=letter_campaign.id,
                       housing_id=written.id, owner_id=owner_id))  # fmt: skip
    session.commit()
    return housings


def test_the_list_shows_the_collectivites_housings_with_counts(client, session, town, agent):
    one_owner = make_owner(session, town, full_name="Jeanne Martin")
    owned(session, town, one_owner, address_lines=["1 rue Haute", "58000 Nevers"])
    owned(session, town, one_owner, address_lines=["2 rue Haute", "58000 Nevers"])
    owned(session, town, address_lines=["3 rue Haute", "58000 Nevers"], living_area=1250)
    elsewhere = make_collectivite(session, name="Ailleurs")
    owned(session, elsewhere, address_lines=["9 rue Étrangère"])
    session.commit()
    html = page(client)
    assert words(BeautifulSoup(html, "html.parser").h2) == "3 logements, 2 propriétaires"
    assert listed(html) == ["1 rue Haute, 58000 Nevers", "2 rue Haute, 58000 Nevers",
                            "3 rue Haute, 58000 Nevers"]  # fmt: skip
    assert "Étrangère" not in html and "Jeanne Martin" in html
    assert f"1{NBSP}250\u00a0m²" in html
    # The checkbox of each row is labelled by the housing's address.
    soup = BeautifulSoup(html, "html.parser")
    box = soup.select_one("input[name=logement]")
    assert soup.select_one(f"label[for={box['id']}]").get_text(strip=True) == (
        "Sélectionner le logement 1 rue Haute, 58000 Nevers"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?commune=58086", ["1 rue A"]),
        ("?vacance=moins-de-2-ans", ["2 rue B"]),
        ("?vacance=10-ans-et-plus", ["3 rue C"]),
        ("?vacance=5-a-9-ans", ["1 rue A", "4 rue D", "5 rue E"]),
        ("?vacance=moins-de-2-ans&vacance=10-ans-et-plus", ["2 rue B", "3 rue C"]),
        ("?type=APPART", ["3 rue C"]),
        ("?type=APPART&type=MAISON", ["1 rue A", "2 rue B", "3 rue C", "4 rue D", "5 rue E"]),
        ("?dpe=G", ["4 rue D"]),
        ("?dpe=F&dpe=G", ["4 rue D", "5 rue E"]),
        ("?statut=first-contact", ["4 rue D"]),
        ("?campagne=oui", ["5 rue E"]),
        ("?campagne=non", ["1 rue A", "2 rue B", "3 rue C", "4 rue D"]),
        ("?dpe=E&type=MAISON&campagne=non&commune=58194", ["2 rue B"]),
    ],
)
def test_each_filter_narrows_the_list(client, varied, agent, query, expected):
    assert sorted(listed(page(client, query))) == expected


def test_the_commune_is_named_or_shown_as_its_insee_code(client, session, town, agent):
    owned(session, town, insee_code="58194")
    owned(session, town, insee_code="99999")  # not in the reference
    session.commit()
    soup = BeautifulSoup(page(client), "html.parser")
    options = [option.get_text(strip=True) for option in soup.select("#commune option")]
    assert options[1:] == ["Nevers (58194)", "99999"]


@pytest.mark.parametrize(
    "query",
    ["?vacance=abc", "?statut=inconnu", "?commune=75056", "?dpe=Z", "?campagne=peut-etre",
     "?type=CHATEAU&dpe=G", "?vacance=", "?page=abc", "?page=99999", "?page=-1",
     "?page=" + "9" * 40, "?commune=%00"],
)  # fmt: skip
def test_bad_filters_are_shown_and_ignored_never_a_500(client, varied, agent, query):
    response = client.get(f"/gestion/logements{query}")
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    if response.status_code == 400:
        # (a NUL is refused as a control character, before the choices are looked at)
        assert "Choisissez une des réponses proposées" in html or "non autorisés" in html
        assert "<title>Erreur\u00a0: " in html
    assert listed(html)  # the rest of the filter still applies


def test_pages_of_fifty_with_the_dsfr_pagination(client, session, town, agent):
    for n in range(120):
        owned(session, town, local_id=f"58{n:010d}", address_lines=[f"{n} rue Longue"])
    session.commit()
    first = page(client)
    assert len(listed(first)) == 50 and listed(first)[0] == "0 rue Longue"
    soup = BeautifulSoup(first, "html.parser")
    nav = soup.select_one("nav[aria-label='Pages de la liste']")
    assert nav.select_one("a[aria-current=page]").get_text(strip=True) == "1"
    assert nav.select_one("a[aria-disabled=true]").get_text(strip=True) == "Première page"
    third = page(client, "?page=3")
    assert listed(third)[0] == "100 rue Longue" and len(listed(third)) == 20
    assert listed(page(client, "?page=99999")) == listed(third)  # past the end: the last page


def test_page_links_keep_the_filter(client, session, town, agent):
    for n in range(60):
        owned(session, town, energy_label="G", address_lines=[f"{n} rue G"])
    owned(session, town, energy_label="A")
    session.commit()
    soup = BeautifulSoup(page(client, "?dpe=G"), "html.parser")
    assert soup.select_one("a[title='Page 2']")["href"] == "/gestion/logements?page=2&dpe=G"


def test_the_page_reads_a_bounded_number_of_queries(app, client, session, town, agent):
    for _ in range(60):
        owned(session, town)
    session.commit()
    statements = []

    def spy(conn, cursor, statement, *args):
        if "housing" in statement.lower():
            statements.append(statement)

    engine = app.extensions["database"]
    event.listen(engine, "before_cursor_execute", spy)
    try:
        page(client)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    # communes, counts, the page, its owners, its campaigns (not one per row).
    assert len(statements) <= 6, statements


def test_the_list_is_logged_as_a_read_of_owners_data(client, session, town, agent):
    from portal.models import AccessLog

    owned(session, town)
    session.commit()
    page(client)
    log = session.scalar(select(AccessLog).where(AccessLog.agent_id == agent.id))
    assert log.action == "list" and log.count == 1 and log.detail["page"] == "logements"


# --- Créer une campagne ---------------------------------------------------------------------


def tick(client, ids, **filters):
    """The list's POST form with these housings ticked."""
    token = csrf_token(client, "/gestion/logements")
    return client.post("/gestion/logements/campagne",
                       data={"csrf_token": token, "etape": "selection", "logement": ids,
                             **filters})  # fmt: skip


def confirm(client, ids, url="/gestion/logements/campagne", **fields):
    token = csrf_token(client, "/gestion/logements")
    data = {"csrf_token": token, "titre": "Relance 2026", "description": "", "date_envoi": ""}
    return client.post(url, data=data | {"logement": ids} | fields)


def letters_of(session, campaign_id) -> list[int]:
    return sorted(session.scalars(select(Letter.housing_id).where(
        Letter.campaign_id == campaign_id)))  # fmt: skip


def test_ticked_housings_make_a_campaign(client, session, town, agent):
    quiet = make_owner(session, town, do_not_contact=True)
    chosen = [owned(session, town) for _ in range(3)]
    refusing = owned(session, town, quiet)
    ownerless = make_housing(session, town)
    other = owned(session, town)
    session.commit()
    ids = [h.id for h in chosen] + [refusing.id, ownerless.id]
    step = tick(client, ids, dpe="E")
    assert step.status_code == 200
    html = step.get_data(as_text=True)
    text = words(BeautifulSoup(html, "html.parser"))
    assert "Pour les 5 logements cochés." in text
    assert "3 courriers seront créés" in text
    assert "2 logements ne recevront pas de courrier" in text
    assert "1 dont le propriétaire ne veut pas être contacté" in text
    assert "1 sans propriétaire principal connu" in text
    assert 'href="/gestion/logements?dpe=E"' in html  # back to the list as it was
    response = confirm(client, ids, description="Propriétaires du centre")
    assert response.status_code == 303
    campaign = session.scalar(select(Campaign).where(Campaign.collectivite_id == town.id))
    assert response.headers["Location"] == f"/gestion/campagnes/{campaign.id}"
    assert campaign.title == "Relance 2026" and campaign.created_by_id == agent.id
    assert campaign.description == "Propriétaires du centre" and campaign.sent_at is None
    assert letters_of(session, campaign.id) == sorted(h.id for h in chosen)
    assert other.id not in letters_of(session, campaign.id)
    landing = client.get(response.headers["Location"])
    text = words(BeautifulSoup(landing.get_data(as_text=True), "html.parser"))
    assert "Campagne créée avec 3 courriers. 2 logements laissés de côté." in text
    assert "Relance 2026" in text and "Envoi en attente" in text and "3 courriers" in text


def test_every_filtered_housing_makes_a_campaign(client, session, town, agent):
    sieves = [owned(session, town, energy_label="G") for _ in range(4)]
    owned(session, town, energy_label="C")
    session.commit()
    list_html = page(client, "?dpe=G")
    link = BeautifulSoup(list_html, "html.parser").find(
        "a", string=lambda s: s and "Créer une campagne avec les 4 logements filtrés" in s
    )
    assert link["href"] == "/gestion/logements/campagne?tous=1&dpe=G"
    step = client.get(link["href"])
    assert step.status_code == 200
    html = step.get_data(as_text=True)
    assert "Pour les 4 logements filtrés." in html and 'name="logement"' not in html
    assert 'action="/gestion/logements/campagne?tous=1&amp;dpe=G"' in html
    response = confirm(client, [], url=link["href"])
    assert response.status_code == 303
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert letters_of(session, campaign_id) == sorted(h.id for h in sieves)


def test_a_send_date_reached_moves_the_housings_to_waiting(client, session, town, agent):
    today, later = owned(session, town), owned(session, town)
    session.commit()
    assert confirm(client, [today.id], date_envoi="2026-11-23").status_code == 303
    assert confirm(client, [later.id], date_envoi="01/12/2026").status_code == 303
    session.expire_all()
    assert (today.status, later.status) == ("waiting", "never-contacted")
    sent = session.scalar(select(Campaign).where(Campaign.sent_at == date(2026, 11, 23)))
    assert sent is not None


def test_another_collectivites_housings_never_get_into_a_campaign(client, session, town, agent):
    ours = owned(session, town)
    theirs = owned(session, make_collectivite(session, name="Ailleurs"))
    session.commit()
    assert tick(client, [theirs.id]).status_code == 404
    assert tick(client, [ours.id, theirs.id]).status_code == 404
    assert confirm(client, [ours.id, theirs.id]).status_code == 404
    assert confirm(client, [987_654_321]).status_code == 404
    assert session.scalars(select(Campaign)).all() == []
    # "All filtered" is filtered inside the agent's collectivité.
    assert confirm(client, [], url="/gestion/logements/campagne?tous=1").status_code == 303
    session.rollback()  # a new read: the one above still sees the database before the POST
    assert session.scalars(select(Letter.housing_id)).all() == [ours.id]


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], "Cochez au moins un logement"),
        (list(range(1, 6_002)), "Cochez au plus 5\u202f000 logements"),
        (["abc"], "La sélection n’est pas valide"),
        (["-3"], "La sélection n’est pas valide"),
    ],
)
def test_a_bad_selection_shows_the_list_again_with_why(client, session, town, agent, ids,
                                                       message):  # fmt: skip
    owned(session, town)
    session.commit()
    for response in (tick(client, ids), confirm(client, ids)):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert message in html and 'href="#selection"' in html
    assert session.scalars(select(Campaign)).all() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"titre": ""}, "Indiquez le nom de la campagne"),
        ({"titre": "   "}, "Indiquez le nom de la campagne"),
        ({"titre": "x" * 201}, "Indiquez un nom de 200 caractères au plus"),
        ({"description": "x" * 2001}, "Écrivez une description de 2\u202f000 caractères au plus"),
        ({"date_envoi": "31/02/2026"}, "Saisissez une date valide, par exemple 14/07/2026"),
        ({"date_envoi": "demain"}, "Saisissez une date valide, par exemple 14/07/2026"),
        ({"date_envoi": "1999-12-31"}, "Saisissez une date d’envoi entre le 01/01/2000 et le"),
        ({"date_envoi": "2031-01-01"}, "Saisissez une date d’envoi entre le 01/01/2000 et le"),
    ],
)
def test_the_campaign_form_says_what_to_do(client, session, town, agent, fields, message):
    housing = owned(session, town)
    session.commit()
    for url, ids in (("/gestion/logements/campagne", [housing.id]),
                     ("/gestion/logements/campagne?tous=1", [])):  # fmt: skip
        response = confirm(client, ids, url=url, **fields)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert message in html
        soup = BeautifulSoup(html, "html.parser")
        assert soup.select_one("#resume-erreurs a")["href"].startswith("#")
        if fields.get("titre", "x").strip():
            assert 'value="' in str(soup.select_one("#titre"))  # what was typed is kept
        # The ticked housing is still carried.
        assert (f'name="logement" value="{housing.id}"' in html) == bool(ids)
    assert session.scalars(select(Campaign)).all() == []


def test_only_do_not_contact_owners_means_no_campaign(client, session, town, agent):
    quiet = owned(session, town, make_owner(session, town, do_not_contact=True))
    session.commit()
    html = tick(client, [quiet.id]).get_data(as_text=True)
    assert "Aucun courrier ne peut être créé" in html and 'name="titre"' not in html
    response = confirm(client, [quiet.id])
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/logements"
    assert session.scalars(select(Campaign)).all() == []


def test_no_filtered_housing_goes_back_to_the_list(client, session, town, agent):
    owned(session, town, energy_label="A")
    session.commit()
    response = client.get("/gestion/logements/campagne?tous=1&dpe=G")
    assert response.status_code == 303
    assert response.headers["Location"] == "/gestion/logements?dpe=G"
    assert client.get("/gestion/logements/campagne").status_code == 303
    bad = client.get("/gestion/logements/campagne?tous=1&dpe=Z")
    assert bad.status_code == 303 and bad.headers["Location"] == "/gestion/logements?dpe=Z"
    odd = client.get("/gestion/logements/campagne?tous=1&dpe=Z&_external=1&_scheme=javascript")
    assert odd.status_code == 303 and odd.headers["Location"] == "/gestion/logements?dpe=Z"


def test_with_two_principal_owners_the_first_by_id_gets_the_letter(client, session, town, agent):
    housing = owned(session, town)
    second = make_owner(session, town)
    session.add(HousingOwner(housing=housing, owner=second, rank=1))
    session.commit()
    assert confirm(client, [housing.id]).status_code == 303
    first = min(session.scalars(select(HousingOwner.owner_id).where(
        HousingOwner.housing_id == housing.id)))  # fmt: skip
    assert session.scalars(select(Letter.owner_id)).all() == [first]
