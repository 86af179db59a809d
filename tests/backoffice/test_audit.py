"""The access log page: who read which owner's data and when, for admins, newest first,
page by page, never another collectivité's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.backoffice.audit import access_page, log_access
from portal.models import AccessLog, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_agent, make_collectivite, make_owner

T0 = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def towns(session):
    town = make_collectivite(session, name="Commune de Bourges")
    other = make_collectivite(session, name="Commune de Vierzon")
    session.commit()
    return town, other


def log(session, collectivite, agent, when, owner=None, action="view", count=1, **detail):
    entry = AccessLog(collectivite_id=collectivite.id, agent_id=agent.id, created_at=when,
                      action=action, owner_id=owner.id if owner else None, count=count,
                      detail=detail)  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def test_agents_get_403(client, session, towns):
    signed_in_agent(client, session, towns[0], role="agent")
    assert client.get("/gestion/audit").status_code == 403


def test_an_admin_sees_who_read_which_owner_and_when(app, client, session, towns):
    town, other = towns
    reader = make_agent(session, town, full_name="Camille Lefèvre", password_hash="-")
    letter = answered_letter(app, session, town)
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    log(session, town, reader, T0, letter.owner, response_id=response.id)
    log(session, town, reader, T0 + timedelta(hours=1), action="export", count=12,
        filter={"tab": "new"})  # fmt: skip
    stranger = make_agent(session, other, full_name="Dominique Autreville", password_hash="-")
    foreign_owner = make_owner(session, other, full_name="Gaston Voisin")
    log(session, other, stranger, T0 + timedelta(hours=2), foreign_owner)
    session.commit()
    admin = signed_in_agent(client, session, town, role="admin", full_name="Alix Admin")
    client.get(f"/gestion/reponses/{response.id}")  # the admin's own read is logged too

    page = client.get("/gestion/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = html.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 3
    assert "Alix Admin" in rows[0] and letter.owner.full_name in rows[0]  # newest first
    assert "Camille Lefèvre" in rows[1] and "Export de 12 propriétaires" in rows[1]
    assert "Camille Lefèvre" in rows[2] and "Consultation de sa réponse" in rows[2]
    assert f'href="/gestion/reponses/{response.id}">{letter.owner.full_name}</a>' in rows[2]
    assert "20\u00a0janv.\u00a02026, 10\u00a0h\u00a000" in rows[2]  # shown in Paris time
    assert "Dominique Autreville" not in html and "Gaston Voisin" not in html
    assert admin.id in {e.agent_id for e in session.scalars(select(AccessLog))}


def test_the_query_is_scoped_even_to_owner_names(session, towns):
    town, other = towns
    reader = make_agent(session, town, password_hash="-")
    foreign_owner = make_owner(session, other, full_name="Gaston Voisin")
    # A row that names another collectivité's owner (it should never exist): no name shown.
    log(session, town, reader, T0, foreign_owner)
    log(session, other, make_agent(session, other, password_hash="-"), T0, foreign_owner)
    session.commit()
    [row] = access_page(session, town.id).rows
    assert (row.log.collectivite_id, row.owner_name) == (town.id, None)
    assert [r.owner_name for r in access_page(session, other.id).rows] == ["Gaston Voisin"]
    assert access_page(session, other.id + town.id + 1).rows == []


def test_the_log_is_read_page_by_page(client, session, towns):
    town, _ = towns
    reader = make_agent(session, town, password_hash="-")
    owners = [make_owner(session, town, full_name=f"Propriétaire n°{n:02d}") for n in range(60)]
    for n, owner in enumerate(owners):  # two reads at the same moment share a page boundary
        log(session, town, reader, T0 + timedelta(minutes=n // 2), owner)
    session.commit()
    first = access_page(session, town.id, size=25)
    second = access_page(session, town.id, first.next_cursor, size=25)
    third = access_page(session, town.id, second.next_cursor, size=25)
    seen = [r.owner_name for page in (first, second, third) for r in page.rows]
    assert seen == [f"Propriétaire n°{n:02d}" for n in reversed(range(60))]
    assert third.next_cursor is None

    signed_in_agent(client, session, town, role="admin")
    html = client.get("/gestion/audit").get_data(as_text=True)
    assert html.count("Consultation de sa réponse") == 50
    link = html.split('href="/gestion/audit?apres=')[1].split('"')[0]
    rest = client.get(f"/gestion/audit?apres={link}").get_data(as_text=True)
    assert rest.count("Consultation de sa réponse") == 10
    assert "Propriétaire n°00" in rest and "Propriétaire n°59" not in rest
    assert client.get("/gestion/audit?apres=n-importe-quoi").status_code == 200


def test_log_access_is_the_one_writer_of_the_log(session, towns):
    town, _ = towns
    reader = make_agent(session, town, full_name="Camille Lefèvre", password_hash="-")
    owner = make_owner(session, town, full_name="Jeanne Martin")
    session.commit()
    log_access(session, reader, "view", owner_id=owner.id, detail={"response_id": 7})
    log_access(session, reader, "export", count=12, detail={"format": "csv"})
    session.rollback()  # committed by log_access
    entries = session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    assert [(e.collectivite_id, e.agent_id, e.action, e.owner_id, e.count, e.detail)
            for e in entries] == [
        (town.id, reader.id, "view", owner.id, 1, {"response_id": 7}),
        (town.id, reader.id, "export", None, 12, {"format": "csv"}),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown access"):
        log_access(session, reader, "edit")
