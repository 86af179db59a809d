"""A campaign's page: figures, send date, letters PDF through the job, reprint, revoke."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from sqlalchemy import func, select

from portal.models import Campaign, Event, Housing, HousingOwner, Job, JobFile, Letter
from tests.builders import make_agent, make_campaign, make_collectivite, make_housing, make_owner
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def campaign(session, agent):
    """A draft campaign of the agent's collectivité with three letters not yet printed."""
    collectivite = agent.collectivite
    found = make_campaign(session, collectivite, title="Vacants 2026", sent_at=None,
                          status="draft", letters_expire_at=None)  # fmt: skip
    for name in ("Jeanne Martin", "Paul Durand", "Indivision Bernard"):
        housing = make_housing(session, collectivite)
        owner = make_owner(session, collectivite, full_name=name,
                           address_lines=["8 allée des Roses", "45000 Orléans"])  # fmt: skip
        session.add_all([HousingOwner(housing=housing, owner=owner, rank=1),
                         Letter(collectivite=collectivite, campaign=found, housing=housing,
                                owner=owner)])  # fmt: skip
    session.commit()
    return found


@pytest.fixture
def signed_in(client, agent):
    sign_in(client, agent.email)
    return client


def _post(client, page: str, action: str, data: dict | None = None, **kwargs):
    return client.post(action, data={"csrf_token": csrf_token(client, page)} | (data or {}),
                       **kwargs)  # fmt: skip


def _generate(client, campaign) -> str:
    page = f"/gestion/campagnes/{campaign.id}"
    response = _post(client, page, f"{page}/courriers")
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_campaign_is_reached_from_the_home_page(signed_in, campaign):
    home = signed_in.get("/gestion/").get_data(as_text=True)
    assert f'href="/gestion/campagnes/{campaign.id}"' in home
    assert "Envoi en attente" in home
    page = signed_in.get(f"/gestion/campagnes/{campaign.id}").get_data(as_text=True)
    assert "Jeanne Martin" in page and "Pas encore imprimé" in page
    assert "Nombre de logements" in page and "Taux de retour" in page


def test_letters_pdf_has_one_letter_per_recipient_and_reprints_the_same_codes(
    app, signed_in, campaign, session
):
    job_page = _generate(signed_in, campaign)
    html = signed_in.get(job_page).get_data(as_text=True)
    assert "3 courriers préparés" in html
    pdf_url = re.search(r'href="([^"]+/pdf)"', html).group(1)
    first = signed_in.get(pdf_url)
    assert first.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(first.data)).pages)
    for name in ("Jeanne Martin", "Paul Durand", "Indivision Bernard"):
        assert name in text
    codes = set(re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b", text))
    assert len(codes) == 3

    second = signed_in.get(_generate(signed_in, campaign)).get_data(as_text=True)
    again = signed_in.get(re.search(r'href="([^"]+/pdf)"', second).group(1))
    text_again = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(again.data)).pages)
    assert set(re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b", text_again)) == codes
    csv_url = re.search(r'href="([^"]+/csv)"', second).group(1)
    assert "Jeanne Martin" in signed_in.get(csv_url).data.decode("utf-8-sig")


def test_send_date_moves_housings_and_a_bad_date_is_explained(signed_in, campaign, session):
    page = f"/gestion/campagnes/{campaign.id}"
    bad = _post(signed_in, page, f"{page}/date", {"sent_at": "31/02/2026"})
    assert bad.status_code == 400
    assert "Saisissez une date valide" in bad.get_data(as_text=True)

    done = _post(signed_in, page, f"{page}/date", {"sent_at": "2020-01-15"},
                 follow_redirects=True)  # fmt: skip
    assert "3 logements passent «\u00a0En attente de retour\u00a0»" in done.get_data(as_text=True)
    statuses = session.scalars(select(Housing.status).join(Letter).where(
        Letter.campaign_id == campaign.id)).all()  # fmt: skip
    assert statuses == ["waiting"] * 3
    session.rollback()  # a new transaction sees the requests' writes
    session.expire_all()
    assert session.get(Campaign, campaign.id).sent_at == date(2020, 1, 15)


def test_a_revoked_letter_stops_opening_and_a_reissued_one_prints_new_codes(
    app, signed_in, campaign, session
):
    client = app.test_client()  # the owner's browser
    signed_in.get(_generate(signed_in, campaign))
    letter = session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)
                             .order_by(Letter.id)).first()  # fmt: skip
    from portal.letters.issue import codes_of

    session.refresh(letter)
    token = codes_of(letter, app.config["SECRET_KEY"]).token
    assert client.get(f"/l/{token}").status_code == 303  # opens (another browser)

    page = f"/gestion/campagnes/{campaign.id}/lettres/{letter.id}/desactiver"
    refused = _post(signed_in, page, page, {})
    assert refused.status_code == 400
    assert "Choisissez pourquoi" in refused.get_data(as_text=True)
    done = _post(signed_in, page, page, {"reason": "npai"})
    assert done.status_code == 302
    session.rollback()  # a new transaction sees the requests' writes
    session.expire_all()
    letter = session.get(Letter, letter.id)
    assert letter.revoked_reason == "npai"
    assert (letter.housing.status, letter.housing.sub_status) == (
        "first-contact",
        "N’habite pas à l’adresse indiquée",
    )
    assert client.get(f"/l/{token}").status_code != 303

    reissue = f"/gestion/campagnes/{campaign.id}/lettres/{letter.id}/reemettre"
    _post(signed_in, page, reissue)
    pdf = signed_in.get(f"/gestion/campagnes/{campaign.id}/lettres/{letter.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    session.rollback()  # a new transaction sees the requests' writes
    session.expire_all()
    letter = session.get(Letter, letter.id)
    new_token = codes_of(letter, app.config["SECRET_KEY"]).token
    assert new_token != token and letter.issue == 2
    assert client.get(f"/l/{new_token}").status_code == 303
    assert client.get(f"/l/{token}").status_code != 303
    kinds = set(session.scalars(select(Event.kind).where(Event.letter_id == letter.id)))
    assert {"letter:revoked", "letter:reissued", "housing:status-updated"} <= kinds


def test_another_collectivites_campaign_and_files_are_not_found(app, session, campaign, client):
    other = make_agent(session, make_collectivite(session))
    session.commit()
    sign_in(client, other.email)
    base = f"/gestion/campagnes/{campaign.id}"
    for path in (base, f"{base}/lettres/1/desactiver"):
        assert client.get(path).status_code == 404
    job = Job(collectivite_id=campaign.collectivite_id, kind="letters", campaign_id=campaign.id,
              state="done")  # fmt: skip
    session.add(job)
    session.commit()
    assert client.get(f"{base}/courriers/{job.id}").status_code == 404
    assert client.get(f"{base}/courriers/{job.id}/pdf").status_code == 404


def test_a_failed_job_is_shown_and_can_be_restarted(app, signed_in, campaign, session,
                                                    monkeypatch):  # fmt: skip
    from portal.letters import pdf

    def broken(*_args, **_kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(pdf, "render", broken)
    job_page = _generate(signed_in, campaign)
    html = signed_in.get(job_page).get_data(as_text=True)
    assert "Aucun fichier n’a été enregistré" in html
    assert session.scalars(select(JobFile)).all() == []  # no file kept
    monkeypatch.undo()
    _post(signed_in, job_page, job_page + "/relancer")
    assert "3 courriers préparés" in signed_in.get(job_page).get_data(as_text=True)


def test_a_second_click_while_letters_are_prepared_follows_the_same_job(
    signed_in, campaign, session
):
    running = Job(collectivite_id=campaign.collectivite_id, kind="letters",
                  campaign_id=campaign.id, state="running")  # fmt: skip
    session.add(running)
    session.commit()
    running.heartbeat_at = running.started_at = running.created_at
    session.commit()
    assert _generate(signed_in, campaign).endswith(f"/courriers/{running.id}")
    assert session.scalar(select(func.count(Job.id))) == 1
    page = signed_in.get(f"/gestion/campagnes/{campaign.id}").get_data(as_text=True)
    assert "Voir la préparation des courriers en cours" in page
