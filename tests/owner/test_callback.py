"""Asking to be called back, the e-mail receipt through the outbox, and the feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import CallbackRequest, Event, Housing, OutboxMessage, Response
from portal.outbox import MAX_ATTEMPTS, send_due
from tests.builders import make_letter
from tests.conftest import csrf_token

VALID = {
    "phone": "06 98 76 54 32",
    "email": "Jeanne.Martin@Example.fr",
    "moments": ["morning", "evening"],
    "note": "Plutôt après 10 h",
    "consent": "y",
}


@pytest.fixture
def opened(client, session):
    letter, token, _ = make_letter(session)
    letter.housing.status = "waiting"
    session.commit()
    client.get(f"/l/{token}")
    return letter


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_a_callback_request_is_stored_and_reaches_the_back_office(client, session, opened):
    response = post(client, "/rappel", VALID)
    assert response.headers["Location"] == "/rappel/merci"
    done = client.get("/rappel/merci").get_data(as_text=True)
    assert opened.collectivite.name in done
    request = session.scalar(select(CallbackRequest))
    assert (request.phone, request.email) == ("0698765432", "jeanne.martin@example.fr")
    assert request.moments == ["evening", "morning"]
    assert request.consent_at is not None
    event = session.scalar(select(Event).where(Event.kind == "response:callback"))
    assert event.after["callback"]["by_phone"] is True
    assert "0698765432" not in str(event.after)  # no contact details in the history
    session.expire_all()
    assert session.get(Housing, opened.housing_id).status == "first-contact"
    receipt = session.scalar(select(OutboxMessage))
    assert receipt.recipient == "jeanne.martin@example.fr"
    assert opened.collectivite.name in receipt.subject


def test_posting_the_same_request_twice_stores_it_once(client, session, opened):
    post(client, "/rappel", VALID)
    post(client, "/rappel", VALID)
    assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    callbacks = select(func.count()).select_from(Event).where(Event.kind == "response:callback")
    assert session.scalar(callbacks) == 1


def test_contact_details_are_never_shown_again(client, opened):
    post(client, "/rappel", VALID)
    for path in ["/mon-logement", "/rappel"]:
        html = client.get(path).get_data(as_text=True)
        assert "06 98 76 54 32" not in html and "0698765432" not in html
        assert "jeanne.martin" not in html.lower()


@pytest.mark.parametrize(
    ("data", "message"),
    [({"phone": "", "email": ""}, "Indiquez un numéro de téléphone ou une adresse e-mail"),
     ({"phone": "12", "email": ""}, "Saisissez un numéro de téléphone valide"),
     ({"phone": "06 12 34 56 78 99", "email": ""}, "Saisissez un numéro de téléphone valide"),
     ({"phone": "", "email": "jeanne@"}, "Saisissez une adresse e-mail valide"),
     ({"phone": "0" * 50, "email": ""}, "Ce numéro est trop long"),
     ({"note": "x" * 1001}, "moins de 1\u00a0000 caractères"),
     ({"consent": ""}, "Cochez la case pour être recontacté"),
     ({"moments": ["midnight"]}, "Choisissez une des réponses proposées")],
)  # fmt: skip
def test_bad_input_gets_a_message_and_keeps_what_was_typed(client, session, opened, data,
                                                          message):  # fmt: skip
    response = post(client, "/rappel", {**VALID, **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    if "note" not in data:
        assert "Plutôt après 10 h" in html  # nothing typed is lost
    assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 0


def test_the_outbox_retries_and_gives_up(session, opened):
    from portal.outbox import queue_mail

    queue_mail(session, "a@example.fr", "Sujet", "Corps", opened.collectivite_id)
    session.commit()
    now = datetime.now(UTC)

    def broken(_message):
        raise ConnectionRefusedError("SMTP down")

    assert send_due(session, broken, now) == (0, 1)
    message = session.scalar(select(OutboxMessage))
    assert message.attempts == 1 and message.sent_at is None
    assert "SMTP down" in message.last_error
    assert send_due(session, broken, now) == (0, 0)  # not due yet
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        now += timedelta(hours=12)
        send_due(session, broken, now)
    assert message.failed_at is not None and message.attempts == MAX_ATTEMPTS


def test_the_outbox_sends_what_is_due(session, opened):
    from portal.outbox import queue_mail

    sent = []
    queue_mail(session, "a@example.fr", "Sujet", "Corps")
    session.commit()
    assert send_due(session, sent.append) == (1, 0)
    assert [m.recipient for m in sent] == ["a@example.fr"]
    assert send_due(session, sent.append) == (0, 0)


def test_the_outbox_command_sends_through_flask_mail(app, session, opened):
    from portal.extensions import mail
    from portal.outbox import queue_mail

    queue_mail(session, "a@example.fr", "Sujet", "Corps")
    session.commit()
    with mail.record_messages() as outbox:
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 sent" in result.output
    assert [m.subject for m in outbox] == ["Sujet"]


def test_feedback_is_saved(client, session, opened):
    assert post(client, "/avis", {"useful": "yes", "comment": "Clair"}).status_code == 303
    assert client.get("/avis/merci").status_code == 200
    response = session.scalar(select(Response))
    assert (response.useful, response.comment) == (True, "Clair")


@pytest.mark.parametrize("data", [{}, {"useful": "maybe"}, {"useful": "no", "comment": "x" * 1001}])
def test_bad_feedback_gets_a_message(client, session, opened, data):
    assert post(client, "/avis", data).status_code == 400
    assert session.scalar(select(func.count()).select_from(Response)) == 0
