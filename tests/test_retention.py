"""`portal retention purge`: past each period data is deleted or anonymised, inside it is
kept, the campaigns' figures do not move, one Event per collectivité, idempotent."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.campaigns import returns
from portal.models import (
    AccessLog,
    AgentSession,
    CallbackRequest,
    Event,
    Job,
    JobFile,
    OutboxMessage,
    RateLimitHit,
    Response,
)
from tests.builders import make_agent, make_campaign, make_collectivite, make_letter
from tests.conftest import csrf_token, sign_in

NOW = datetime(2030, 6, 1, 3, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def _response(session, letter, returned: datetime, **fields) -> Response:
    values = {"answers": {"situation": "vacant", "owner_income_band": "modest",
                          "owner_kind": "person", "blockers": ["works_cost"]},
              "content_version": "2026-11", "progress": 100, "submitted_at": returned,
              "last_return_at": returned, "useful": True, "comment": "Appelez ma fille Anne",
              "search_text": "jeanne martin 3 rue de la paix", "queue_tab": "new",
              "return_digests": {"submitted": "9c1e"},
              "created_at": returned, "updated_at": returned}  # fmt: skip
    response = Response(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                        **(values | fields))  # fmt: skip
    session.add(response)
    return response


def _callback(session, letter, requested: datetime, handled: datetime | None):
    request = CallbackRequest(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                              phone="0612345678", email="jeanne@example.org",
                              moments=["morning"], note="Après 18 h, sonner deux fois",
                              consent_at=requested, handled_at=handled)  # fmt: skip
    session.add(request)
    return request


def _job(session, collectivite, finished: datetime) -> Job:
    job = Job(collectivite_id=collectivite.id, kind="import", state="done",
              created_at=finished - timedelta(minutes=5), finished_at=finished)  # fmt: skip
    session.add(job)
    session.flush()
    for role in ("input", "report"):
        session.add(JobFile(job_id=job.id, role=role, name=f"{role}.csv", media_type="text/csv",
                            size=4, data=b"nom;"))  # fmt: skip
    return job


@pytest.fixture
def data(session, now):
    """In each kind, one row just past its period and one just inside it."""
    town = make_collectivite(session, name="Commune de Nevers")
    other = make_collectivite(session, name="Commune de Bourges")
    campaign = make_campaign(session, town, sent_at=date(2026, 3, 1))
    letters = [make_letter(session, campaign, first_visit_at=ago(days=1200))[0]
               for _ in range(4)]  # fmt: skip
    letters[0].housing.status = "first-contact"
    session.add(Event(collectivite_id=town.id, created_at=datetime(2026, 3, 5, tzinfo=UTC),
                      actor_kind="owner", kind="housing:status-updated",
                      housing_id=letters[0].housing_id, letter_id=letters[0].id,
                      before={"status": "waiting"}, after={"status": "first-contact"}))  # fmt: skip
    other_campaign = make_campaign(session, other)
    other_letter = make_letter(session, other_campaign)[0]

    rows = {
        # handled 12 months + 1 day ago: past; handled 11 months ago: inside
        "callback_handled_past": _callback(session, letters[0], ago(days=400), ago(days=366)),
        "callback_handled_inside": _callback(session, letters[1], ago(days=400), ago(days=330)),
        # never handled: 18 months after the request
        "callback_pending_past": _callback(session, letters[2], ago(days=549), None),
        "callback_pending_inside": _callback(session, letters[3], ago(days=540), None),
        "response_past": _response(session, letters[0], ago(days=3 * 365 + 1)),
        "response_inside": _response(session, letters[1], ago(days=3 * 365 - 1)),
        # never returned (abandoned mid-way): counted from the latest answer
        "response_abandoned_past": _response(session, letters[2], None,
                                             updated_at=ago(days=3 * 365 + 1)),
        "response_other_past": _response(session, other_letter, ago(days=3 * 365 + 30)),
    }  # fmt: skip
    agent = make_agent(session, town)
    for days in (366, 364):
        session.add(AccessLog(collectivite_id=town.id, agent_id=agent.id, action="view",
                              owner_id=letters[0].owner_id, created_at=ago(days=days)))  # fmt: skip
    for n, (ended, expires) in enumerate(
        [(ago(days=31), ago(days=30)), (ago(days=29), ago(days=29)), (None, ago(days=31)),
         (None, NOW + timedelta(hours=1))]
    ):  # fmt: skip
        session.add(AgentSession(agent_id=agent.id, token_hash=f"{n:064d}",
                                 created_at=ago(days=40), last_seen_at=ago(days=40),
                                 expires_at=expires, ended_at=ended,
                                 ended_reason="logout" if ended else None))  # fmt: skip
    rows["job_past"] = _job(session, town, ago(days=91))
    rows["job_inside"] = _job(session, town, ago(days=89))
    mail = {"recipient": "jeanne@example.org", "subject": "Votre demande", "body": "…"}
    session.add_all([
        OutboxMessage(collectivite_id=town.id, sent_at=ago(days=31), **mail),
        OutboxMessage(collectivite_id=town.id, sent_at=ago(days=29), **mail),
        OutboxMessage(collectivite_id=town.id, created_at=ago(days=40), **mail),  # not sent yet
        OutboxMessage(collectivite_id=None, failed_at=ago(days=40), **mail),  # security alert
    ])  # fmt: skip
    session.add_all([RateLimitHit(key="a" * 64, created_at=ago(hours=25)),
                     RateLimitHit(key="b" * 64, created_at=ago(hours=1))])  # fmt: skip
    session.commit()
    rows.update(town=town, other=other, campaign=campaign, agent=agent)
    return rows


def _figures(session, campaign):
    session.expire_all()
    figures = returns.figures(session, campaign)
    session.commit()
    return figures


def _invoke(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _snapshot(session) -> dict:
    session.expire_all()
    snapshot = {
        "callbacks": sorted((c.id, c.phone, c.email, c.note, tuple(c.moments))
                            for c in session.scalars(select(CallbackRequest))),
        "responses": sorted((r.id, repr(r.answers), r.comment, r.search_text)
                            for r in session.scalars(select(Response))),
        "access_log": session.scalar(select(func.count()).select_from(AccessLog)),
        "sessions": session.scalar(select(func.count()).select_from(AgentSession)),
        "job_files": session.scalar(select(func.count()).select_from(JobFile)),
        "hits": session.scalar(select(func.count()).select_from(RateLimitHit)),
        "outbox": session.scalar(select(func.count()).select_from(OutboxMessage)),
        "events": session.scalar(select(func.count()).select_from(Event)),
    }  # fmt: skip
    session.commit()
    return snapshot


def test_dry_run_changes_nothing(app, session, data):
    before = _snapshot(session)
    output = _invoke(app, "--dry-run")
    assert "Would purge: 2 call-back request(s) anonymised" in output
    assert "Would purge: 3 response(s) anonymised" in output
    assert "Would purge: 1 access log line(s) deleted" in output
    assert "Would purge: 2 agent session(s) deleted" in output
    assert "Would purge: 2 job file(s) deleted" in output
    assert "Would purge: 2 sent e-mail(s) deleted" in output
    assert "Would purge: 1 rate-limit hit(s) deleted" in output
    assert _snapshot(session) == before


def test_purge_past_periods_keeps_the_rest(app, session, data):
    figures = _figures(session, data["campaign"])
    assert figures.callbacks == 4 and figures.answers == 2 and figures.returns == 1

    output = _invoke(app)
    assert "2 call-back request(s) anonymised" in output
    assert "3 response(s) anonymised" in output
    assert "2 collectivité(s) concerned" in output
    session.expire_all()

    for name in ("callback_handled_past", "callback_pending_past"):
        request = session.get(CallbackRequest, data[name].id)
        assert (request.phone, request.email, request.note, request.moments) == (
            None, None, "", [])  # fmt: skip
        assert request.consent_at == data[name].consent_at  # the row and its dates stay
        assert request.handled_at == data[name].handled_at
    for name in ("callback_handled_inside", "callback_pending_inside"):
        request = session.get(CallbackRequest, data[name].id)
        assert request.phone == "0612345678" and request.note.startswith("Après")

    for name in ("response_past", "response_abandoned_past", "response_other_past"):
        response = session.get(Response, data[name].id)
        assert response.answers == {"situation": "vacant"}
        assert response.comment is None and response.search_text == ""
        assert response.return_digests == {}
        assert response.progress == 100 and response.useful is True
        assert response.last_return_at == data[name].last_return_at
    kept = session.get(Response, data["response_inside"].id)
    assert kept.comment == "Appelez ma fille Anne" and "owner_income_band" in kept.answers

    assert [log.created_at for log in session.scalars(select(AccessLog))] == [ago(days=364)]
    assert session.scalar(select(func.count()).select_from(AgentSession)) == 2
    assert {f.job_id for f in session.scalars(select(JobFile))} == {data["job_inside"].id}
    assert session.get(Job, data["job_past"].id) is not None  # the job and its counts stay
    assert [hit.key[0] for hit in session.scalars(select(RateLimitHit))] == ["b"]
    kept_mails = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.sent_at for m in kept_mails] == [ago(days=29), None]
    session.commit()

    assert _figures(session, data["campaign"]) == figures

    events = session.scalars(select(Event).where(Event.kind == "retention:purged")
                             .order_by(Event.collectivite_id)).all()  # fmt: skip
    assert [(e.collectivite_id, e.actor_kind, e.after) for e in events] == [
        (data["town"].id, "system", {"callback_requests": 2, "responses": 2, "access_log": 1,
                                     "agent_sessions": 2, "job_files": 2, "outbox": 1}),
        (data["other"].id, "system", {"callback_requests": 0, "responses": 1, "access_log": 0,
                                      "agent_sessions": 0, "job_files": 0, "outbox": 0}),
    ]  # fmt: skip
    session.commit()

    after = _snapshot(session)
    again = _invoke(app)
    assert "0 call-back request(s) anonymised" in again
    assert "0 collectivité(s) concerned" in again
    assert _snapshot(session) == after


def test_periods_come_from_the_configuration(app, session, data, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_ACCESS_LOG_DAYS", 30)
    monkeypatch.setitem(app.config, "RETENTION_ANSWERS_DAYS", 10 * 365)
    output = _invoke(app, "--dry-run")
    assert "Would purge: 2 access log line(s) deleted" in output
    assert "Would purge: 0 response(s) anonymised" in output


def test_the_privacy_page_states_the_periods(app, client, monkeypatch):
    page = client.get("/donnees-personnelles").get_data(as_text=True)
    for period in ("1\u00a0an après que la collectivité a traité", "au plus tard 18\u00a0mois",
                   "3\u00a0ans après", "votre adresse\u00a0: 3\u00a0mois",
                   "agents de la collectivité\u00a0: 1\u00a0an", "24\u00a0heures"):  # fmt: skip
        assert period in page
    monkeypatch.setitem(app.config, "RETENTION_ANSWERS_DAYS", 400)
    client.get("/langue/en?next=/donnees-personnelles")
    page = client.get("/donnees-personnelles").get_data(as_text=True)
    assert "13 months after your last answer" in page
    assert "at the latest 18 months after you made it" in page


def test_the_back_office_shows_an_anonymised_answer(app, client, session, data):
    _invoke(app)
    sign_in(client, data["agent"].email)
    page = client.get(f"/gestion/reponses/{data['response_past'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "0612345678" not in text and "Appelez ma fille" not in text
    token = csrf_token(client, "/gestion/reponses")
    export = client.post(
        "/gestion/reponses/export.csv", data={"csrf_token": token, "onglet": "new"}
    )
    assert export.status_code == 200
    # Only the call-back request still inside its period keeps its note.
    body = export.get_data(as_text=True)
    export.close()
    gc.collect()  # the export's stream is in a reference cycle that holds a pooled
    # connection until collected (else a warning when PostgreSQL drops the test database)
    assert body.count("Après 18 h") == 1
