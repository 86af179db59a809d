"""The queue: tabs and counts, filters, search, keyset pages, never another collectivité."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.backoffice.answers import QueueFilter, decode_cursor, queue_page
from portal.models import CallbackRequest, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_collectivite, make_housing, make_owner


def test_an_owner_return_lands_in_the_new_tab_with_what_they_saw(app, session, town):
    letter = answered_letter(app, session, town)
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    assert response.queue_tab == "new"
    assert response.last_return_at is not None
    seen = [r.aid_slug for r in response.recommendations]
    assert "anah-travaux-bailleur" in seen
    assert seen == sorted(seen, key=lambda slug: seen.index(slug))  # ranks kept in order
    assert [r.rank for r in response.recommendations] == list(range(len(seen)))


def test_a_callback_request_goes_to_the_callback_tab(app, session, town):
    letter = answered_letter(app, session, town)
    with app.app_context():
        from portal.owner.journey import record_owner_return

        record_owner_return(session, letter, app.extensions["content"], "callback",
                            callback={"phone": "0612345678", "moments": ["morning"]})  # fmt: skip
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    session.refresh(response)
    assert response.queue_tab == "callback"


def test_the_queue_shows_tabs_with_counts_newest_first(app, client, session, town):
    now = datetime.now(UTC)
    albert = make_owner(session, town, full_name="Albert Ancien")
    nadia = make_owner(session, town, full_name="Nadia Nouvelle")
    older = answered_letter(app, session, town, when=now - timedelta(days=2), owner=albert)
    newer = answered_letter(app, session, town, when=now - timedelta(hours=1), owner=nadia)
    signed_in_agent(client, session, town)
    page = client.get("/gestion/reponses")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nouvelles (2)" in html and "À rappeler (0)" in html
    assert html.index(newer.owner.full_name) < html.index(older.owner.full_name)


def test_the_queue_never_shows_another_collectivites_answers(app, client, session, town):
    other = make_collectivite(session, name="Commune voisine")
    session.commit()
    odile = make_owner(session, other, full_name="Odile Ailleurs")
    foreign = answered_letter(app, session, other, owner=odile)
    answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    html = client.get("/gestion/reponses").get_data(as_text=True)
    assert "Odile Ailleurs" not in html
    assert "Nouvelles (1)" in html
    foreign_id = session.scalar(select(Response.id).where(Response.letter_id == foreign.id))
    assert client.get(f"/gestion/reponses/{foreign_id}").status_code == 404
    assert client.get("/gestion/reponses/999999").status_code == 404


def test_search_finds_names_and_addresses_without_accents_or_case(app, client, session, town):
    helene = make_owner(session, town, full_name="Hélène Dupré")
    church = make_housing(session, town, address_lines=["3 rue de l’Église"])
    answered_letter(app, session, town, owner=helene, housing=church)
    answered_letter(app, session, town, owner=make_owner(session, town, full_name="Paul Martin"))
    signed_in_agent(client, session, town)
    for query in ("helene", "DUPRE", "eglise", "rue de l eglise"):
        html = client.get("/gestion/reponses", query_string={"q": query}).get_data(as_text=True)
        assert "Hélène Dupré" in html and "Paul Martin" not in html, query
    html = client.get("/gestion/reponses", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "Hélène Dupré" not in html and "Paul Martin" not in html


def test_filters_narrow_the_queue(app, session, town):
    rented = answered_letter(app, session, town, answers={"situation": "rented"})
    vacant = answered_letter(app, session, town)
    session.add(CallbackRequest(letter_id=vacant.id, collectivite_id=town.id, phone="0611223344",
                                consent_at=datetime.now(UTC)))  # fmt: skip
    session.commit()

    def owners(**where):
        page = queue_page(session, town.id, QueueFilter(tab=None, **where))
        assert page.total == len(page.rows), where  # the tab counts apply the same filter
        return {row.letter.id for row in page.rows}

    assert owners() == {rented.id, vacant.id}
    assert owners(situation="rented") == {rented.id}
    assert owners(aid_slug="anah-travaux-bailleur") == {vacant.id}
    assert owners(callback=True) == {vacant.id}
    assert owners(callback=False) == {rented.id}
    assert owners(insee_code=vacant.housing.insee_code) >= {vacant.id}
    assert owners(campaign_id=rented.campaign_id) == {rented.id}
    today = datetime.now(UTC).date()
    assert owners(since=today + timedelta(days=2)) == set()
    assert owners(until=today + timedelta(days=1)) == {rented.id, vacant.id}


def test_keyset_pages_cover_every_answer_once(app, session, town):
    now = datetime.now(UTC)
    letters = [
        answered_letter(app, session, town, when=now - timedelta(minutes=i % 3)) for i in range(7)
    ]  # fmt: skip  (equal times: the id breaks ties)
    seen, cursor = [], None
    while True:
        page = queue_page(session, town.id, QueueFilter(), cursor, size=3)
        seen += [row.letter.id for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(letter.id for letter in letters)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("cursor", ["", "abc", "1.2.3", "99999999999999999999999.1", "-1.x"])
def test_a_bad_cursor_starts_from_the_first_page(cursor):
    assert decode_cursor(cursor) is None or isinstance(decode_cursor(cursor)[1], int)


def test_bad_filter_values_get_a_message_not_an_error(app, client, session, town):
    answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    for query in ({"campaign": "not-a-number"}, {"since": "31/02/2026"}, {"q": "x" * 500},
                  {"onglet": "nope"}, {"apres": "garbage"}):  # fmt: skip
        response = client.get("/gestion/reponses", query_string=query)
        assert response.status_code in (200, 400), query
        if response.status_code == 400:
            assert "Erreur" in response.get_data(as_text=True)


def test_reading_the_queue_is_logged_with_the_owners_shown(app, client, session, town):
    from portal.models import AccessLog

    letter = answered_letter(app, session, town)
    agent = signed_in_agent(client, session, town)
    client.get("/gestion/reponses", query_string={"onglet": "closed"})  # empty: nothing read
    client.get("/gestion/reponses")
    session.rollback()
    logs = session.scalars(select(AccessLog).where(AccessLog.action == "list")).all()
    assert [(log.agent_id, log.count, log.detail["owner_ids"]) for log in logs] == [
        (agent.id, 1, [letter.owner_id])
    ]


def test_the_queue_shows_the_owners_plan_and_what_holds_them_back(app, client, session, town):
    answered_letter(app, session, town)  # plan: rent; blockers: succession, works cost
    signed_in_agent(client, session, town)
    html = client.get("/gestion/reponses").get_data(as_text=True)
    assert ">Projet</th>" in html and ">Ce qui le retient</th>" in html
    assert "<td>Le louer</td>" in html
    assert "<td>Une succession pas encore réglée, Le coût des travaux</td>" in html


def test_the_queue_opens_on_the_first_tab_with_answers_to_deal_with(app, client, session, town):
    from portal.owner.journey import record_owner_return

    letter = answered_letter(app, session, town)
    with app.app_context():
        record_owner_return(session, letter, app.extensions["content"], "callback",
                            callback={"phone": "0612345678", "moments": []})  # fmt: skip
    signed_in_agent(client, session, town)
    html = client.get("/gestion/reponses").get_data(as_text=True)
    # "Nouvelles" is empty: the queue opens on "À rappeler", shown as the current tab.
    assert 'aria-current="page">À rappeler (1)</a>' in html
    assert 'aria-current="page">Nouvelles' not in html
    assert letter.owner.full_name in html
    asked = client.get("/gestion/reponses?onglet=new").get_data(as_text=True)
    assert 'aria-current="page">Nouvelles (0)</a>' in asked


def test_an_empty_queue_opens_on_the_new_tab(client, session, town):
    signed_in_agent(client, session, town)
    html = client.get("/gestion/reponses").get_data(as_text=True)
    assert 'aria-current="page">Nouvelles (0)</a>' in html


def test_call_backs_first_pages_through_every_answer_once(app, client, session, town):
    """The "call-backs first" order puts the owners who asked to be called back (done or
    not) before the others, newest first within each, across keyset pages."""
    from portal.owner.journey import record_owner_return

    now = datetime.now(UTC)
    letters = [answered_letter(app, session, town, when=now - timedelta(hours=hours))
               for hours in range(1, 6)]  # fmt: skip
    asked = [letters[3], letters[1]]  # older answers than the others
    with app.app_context():
        for hours, letter in enumerate(asked, start=10):  # asked 10 and 11 hours ago
            record_owner_return(session, letter, app.extensions["content"], "callback",
                                now=now - timedelta(hours=hours),
                                callback={"phone": "0612345678"})  # fmt: skip
    where = QueueFilter(tab=None, order="callback")
    seen, cursor = [], None
    while True:
        page = queue_page(session, town.id, where, cursor, size=2)
        seen += [row.letter.id for row in page.rows]
        if not (cursor := page.next_cursor):
            break
    assert seen[:2] == [letters[3].id, letters[1].id]  # the latest call-back first
    assert sorted(seen) == sorted(letter.id for letter in letters)
    assert len(seen) == len(set(seen))
    assert decode_cursor("2.123.4", "callback") is None  # a flag other than 0 or 1


def test_a_bad_sort_is_named_and_the_queue_still_shows(client, session, town):
    signed_in_agent(client, session, town)
    page = client.get("/gestion/reponses?order=n%27importe")
    assert page.status_code == 400
    assert "Trier par" in page.get_data(as_text=True)


def test_answers_changed_after_submission_are_marked_until_an_agent_opens_them(
    app, client, session, town
):
    from portal.owner.journey import save_answer

    letter = answered_letter(app, session, town)
    agent_client = client
    signed_in_agent(agent_client, session, town)
    html = agent_client.get("/gestion/reponses").get_data(as_text=True)
    assert "Réponses modifiées" not in html
    with app.app_context():
        save_answer(session, letter, app.extensions["content"], "intention", "sell")
    html = agent_client.get("/gestion/reponses").get_data(as_text=True)
    assert "Réponses modifiées" in html
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    assert agent_client.get(f"/gestion/reponses/{response.id}").status_code == 200
    assert "Réponses modifiées" not in agent_client.get("/gestion/reponses").get_data(as_text=True)
