"""The digest e-mail to agents (content, when it is due, once only even with two runs at
once) and the immediate notice of a call-back request."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.backoffice.digest import SETTLE, send_digests
from portal.models import Collectivite, OutboxMessage, Response
from portal.owner.journey import record_owner_return
from tests.backoffice.answers_support import answered_letter
from tests.builders import make_agent, make_campaign, make_collectivite, make_letter
from tests.conftest import csrf_token

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 7:00 in Paris
CALLBACK = {"phone": "0698765432", "email": "jeanne.martin@example.fr", "moments": ["morning"],
            "note": "Plutôt le matin"}  # fmt: skip


@pytest.fixture
def town(session):
    town = make_collectivite(session, name="Commune de Bourges", short_name="Bourges")
    # They never sign in here: no password to hash (argon2 takes a while).
    make_agent(session, town, email="agent@bourges.example", password_hash="-")
    make_agent(session, town, email="admin@bourges.example", role="admin", password_hash="-")
    make_agent(session, town, email="parti@bourges.example", is_active=False, password_hash="-")
    session.commit()
    return town


def asked_callback(app, session, town, when):
    """A letter whose owner answered, then asked to be called back at `when`."""
    letter = answered_letter(app, session, town, when=when - timedelta(minutes=5))
    with app.app_context():
        record_owner_return(session, letter, app.extensions["content"], "callback", now=when,
                            callback=CALLBACK)  # fmt: skip
    return letter


def run(app, session, now=NOW):
    with app.app_context():
        return send_digests(session, now)


def outbox(session, collectivite=None):
    session.rollback()
    query = select(OutboxMessage).order_by(OutboxMessage.recipient, OutboxMessage.id)
    if collectivite is not None:
        query = query.where(OutboxMessage.collectivite_id == collectivite.id)
    return session.scalars(query).all()


def test_the_digest_gives_counts_by_tab_and_links_and_names_no_owner(app, session, town):
    letters = [
        answered_letter(app, session, town, when=NOW - timedelta(hours=3)),
        answered_letter(app, session, town, when=NOW - timedelta(hours=20)),
        asked_callback(app, session, town, when=NOW - timedelta(hours=2)),
    ]
    earlier = answered_letter(app, session, town, when=NOW - timedelta(days=3))
    [outcome] = run(app, session)
    assert (outcome.due, outcome.queued, outcome.returns) == (True, 2, 3)
    mails = outbox(session)
    assert [m.recipient for m in mails] == ["admin@bourges.example", "agent@bourges.example"]
    assert mails[0].body == mails[1].body
    subject, body = mails[0].subject, mails[0].body
    assert subject == "3 nouveaux retours de propriétaires – Bourges"
    assert "3 réponses de propriétaires sont arrivées pour Commune de Bourges" in body
    # 24 hours before, in Paris time
    assert "Depuis le 23\u00a0novembre\u00a02026 à 6\u00a0h\u00a058" in body
    assert "- À rappeler\u00a0: 1 (http://portal.test/gestion/reponses?onglet=callback)" in body
    assert "- Nouvelles\u00a0: 2 (http://portal.test/gestion/reponses?onglet=new)" in body
    assert "En suivi" not in body  # empty tabs are left out
    assert "1 demande de rappel attend un appel" in body
    assert "Voir les réponses\u00a0: http://portal.test/gestion/reponses\n" in body
    assert "http://portal.test/gestion/parametres" in body
    for letter in [*letters, earlier]:
        for personal in (letter.owner.full_name, *letter.housing.address_lines,
                         *letter.owner.address_lines):  # fmt: skip
            assert personal not in body and personal not in subject
    assert CALLBACK["phone"] not in body and "06 98" not in body
    assert CALLBACK["email"] not in body and CALLBACK["note"] not in body
    assert session.get(Collectivite, town.id).digest_sent_at == NOW - SETTLE


def test_a_digest_counts_only_its_own_collectivite(app, session, town):
    other = make_collectivite(session, name="Commune de Vierzon")
    make_agent(session, other, email="agent@vierzon.example", password_hash="-")
    session.commit()
    answered_letter(app, session, other, when=NOW - timedelta(hours=1))
    answered_letter(app, session, other, when=NOW - timedelta(hours=2))
    answered_letter(app, session, town, when=NOW - timedelta(hours=1))
    run(app, session)
    assert "1 réponse de propriétaire est arrivée" in outbox(session, town)[0].body
    vierzon = outbox(session, other)
    assert [m.recipient for m in vierzon] == ["agent@vierzon.example"]
    assert "2 réponses de propriétaires sont arrivées pour Commune de Vierzon" in vierzon[0].body


def test_nothing_new_sends_nothing_but_covers_the_period(app, session, town):
    answered_letter(app, session, town, when=NOW - timedelta(days=2))
    [outcome] = run(app, session)
    assert (outcome.due, outcome.queued) == (True, 0)
    assert outbox(session) == []
    assert session.get(Collectivite, town.id).digest_sent_at == NOW - SETTLE


@pytest.mark.parametrize(
    ("frequency", "last_digest", "due"),
    [
        ("daily", None, True),
        ("daily", timedelta(hours=24), True),
        ("daily", timedelta(hours=23, minutes=55), True),  # cron started a little early
        ("daily", timedelta(hours=23), False),
        ("daily", timedelta(hours=1), False),
        ("weekly", None, True),
        ("weekly", timedelta(days=7), True),
        ("weekly", timedelta(days=6), False),
        ("never", None, False),
        ("never", timedelta(days=30), False),
    ],
)
def test_when_a_digest_is_due(app, session, town, frequency, last_digest, due):
    town.digest_frequency = frequency
    town.digest_sent_at = NOW - last_digest if last_digest else None
    session.commit()
    answered_letter(app, session, town, when=NOW - timedelta(minutes=30))
    outcomes = run(app, session)
    assert [o.due for o in outcomes] == ([due] if frequency != "never" else [])
    assert len(outbox(session)) == (2 if due else 0)
    expected = NOW - SETTLE if due else (NOW - last_digest if last_digest else None)
    assert session.get(Collectivite, town.id).digest_sent_at == expected


def test_the_next_digest_starts_where_the_last_one_ended(app, session, town):
    answered_letter(app, session, town, when=NOW - timedelta(hours=1))
    run(app, session)
    late = NOW - SETTLE + timedelta(minutes=1)  # after the first period had ended
    answered_letter(app, session, town, when=late)
    answered_letter(app, session, town, when=NOW + timedelta(hours=5))
    run(app, session, NOW + timedelta(days=1))
    second = [m for m in outbox(session) if m.recipient.startswith("agent@")][1]
    assert "2 réponses de propriétaires sont arrivées" in second.body
    assert "Depuis le 24\u00a0novembre\u00a02026 à 6\u00a0h\u00a058" in second.body


def test_a_weekly_digest_covers_seven_days(app, session, town):
    town.digest_frequency = "weekly"
    session.commit()
    answered_letter(app, session, town, when=NOW - timedelta(days=6))
    answered_letter(app, session, town, when=NOW - timedelta(days=8))
    run(app, session)
    body = outbox(session)[0].body
    assert "1 réponse de propriétaire est arrivée" in body
    assert "chaque semaine" in body


def test_running_twice_sends_each_mail_once(app, session, town):
    answered_letter(app, session, town, when=NOW - timedelta(hours=1))
    run(app, session)
    [again] = run(app, session, NOW + timedelta(minutes=5))
    assert again.due is False
    assert len(outbox(session)) == 2


def test_the_command_queues_the_digest_once(app, session, town):
    answered_letter(app, session, town, when=NOW - timedelta(hours=1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["digest", "send", "--now", "2026-11-24T07:00+01:00"])
    assert first.exit_code == 0, first.output
    assert "1 digest(s) queued (2 e-mail(s))" in first.output
    second = runner.invoke(args=["digest", "send", "--now", "2026-11-24T07:00:30+01:00"])
    assert "0 digest(s) queued" in second.output and "1 not due" in second.output
    assert len(outbox(session)) == 2
    bad = runner.invoke(args=["digest", "send", "--now", "demain"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_a_failing_digest_does_not_stop_the_others(app, session, town, monkeypatch):
    other = make_collectivite(session, name="Commune de Vierzon")
    make_agent(session, other, email="agent@vierzon.example", password_hash="-")
    session.commit()
    answered_letter(app, session, town, when=NOW - timedelta(hours=1))
    answered_letter(app, session, other, when=NOW - timedelta(hours=1))
    from portal.backoffice import digest

    real = digest.digest_message

    def broken_for_bourges(collectivite, summary):
        if collectivite.id == town.id:
            raise RuntimeError("template missing")
        return real(collectivite, summary)

    monkeypatch.setattr(digest, "digest_message", broken_for_bourges)
    result = app.test_cli_runner().invoke(args=["digest", "send", "--now", NOW.isoformat()])
    assert result.exit_code == 1
    assert "1 digest(s) queued (1 e-mail(s))" in result.output and "1 failed" in result.output
    assert [m.recipient for m in outbox(session)] == ["agent@vierzon.example"]
    assert session.get(Collectivite, town.id).digest_sent_at is None  # tried again next run


def test_two_runs_at_once_send_each_mail_once(app, session, town):
    for hours in (1, 2, 3):
        answered_letter(app, session, town, when=NOW - timedelta(hours=hours))
    barrier, outcomes, errors = threading.Barrier(2), [], []

    def cron_run():
        try:
            with app.app_context(), Session(app.extensions["database"]) as own:
                barrier.wait()
                outcomes.extend(send_digests(own, NOW))
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=cron_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(o.queued for o in outcomes) == [0, 2]
    assert [m.recipient for m in outbox(session)] == [
        "admin@bourges.example",
        "agent@bourges.example",
    ]


# --- The immediate notice of a call-back request ------------------------------------------


@pytest.fixture
def owner(client, session, town):
    letter, token, _ = make_letter_for(session, town)
    client.get(f"/l/{token}")
    return letter


def make_letter_for(session, town):
    letter, token, code = make_letter(session, make_campaign(session, town))
    letter.housing.status = "waiting"
    session.commit()
    return letter, token, code


def ask_callback(client):
    data = {"phone": "06 98 76 54 32", "email": "Jeanne.Martin@Example.fr", "consent": "y",
            "note": "Après 10 h, au 06 98 76 54 32"}  # fmt: skip
    return client.post("/rappel", data={**data, "csrf_token": csrf_token(client, "/rappel")})


def test_a_callback_request_notifies_each_active_agent_in_french(client, session, town, owner):
    town.notify_callbacks = True
    session.commit()
    client.get("/langue/en")  # the owner reads in English: the agents still get French
    assert ask_callback(client).status_code == 303
    response = session.scalar(select(Response).where(Response.letter_id == owner.id))
    notices = [m for m in outbox(session) if m.recipient.endswith("@bourges.example")]
    assert [m.recipient for m in notices] == ["admin@bourges.example", "agent@bourges.example"]
    notice = notices[0]
    assert notice.subject == "Demande de rappel d’un propriétaire – Bourges"
    assert "Un propriétaire demande à être rappelé par Commune de Bourges." in notice.body
    assert f"http://portal.test/gestion/reponses/{response.id}\n" in notice.body
    for personal in ("06 98", "0698", "jeanne", "Jeanne", "10 h", owner.owner.full_name,
                     *owner.housing.address_lines):  # fmt: skip
        assert personal not in notice.body and personal not in notice.subject
    receipts = [m for m in outbox(session) if m.recipient == "jeanne.martin@example.fr"]
    assert len(receipts) == 1  # the owner's own receipt is still there


def test_no_notice_unless_the_collectivite_asked_for_them(client, session, town, owner):
    assert ask_callback(client).status_code == 303
    assert [m.recipient for m in outbox(session)] == ["jeanne.martin@example.fr"]


def test_the_same_request_posted_twice_notifies_once(client, session, town, owner):
    town.notify_callbacks = True
    session.commit()
    ask_callback(client)
    ask_callback(client)
    assert len([m for m in outbox(session) if m.recipient.endswith("@bourges.example")]) == 2
