"""Logs that can be trusted and shared (issue 12): one JSON object per line whatever the
input, no token in an access log, no submitted value in a database error, and no secret of
an owner's or an agent's journey in any log."""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from portal import create_app
from portal.database import make_engine
from portal.models import OutboxMessage
from tests.builders import PASSWORD, make_agent, make_collectivite, make_letter
from tests.conftest import PageClient, csrf_token, sign_in

PHONE, SPOKEN_PHONE = "0698765432", "06 98 76 54 32"
EMAIL = "jeanne.secret@example.fr"
NOTE = "Clef sous le paillasson 4471"
NEW_PASSWORD = "le chat de la voisine dort au soleil"


def json_lines(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # fails on any line that is not one object


def test_a_line_break_in_a_url_cannot_forge_a_log_line(capsys):
    app = create_app("test", PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom/<anything>")
    def boom(anything):
        raise RuntimeError("boom")

    forged = "auth login-success at=2026-01-01T00:00:00Z agent=1"
    client = app.test_client()
    capsys.readouterr()
    path = "/boom/x%0A" + forged.replace(" ", "%20") + "%00%1b[31mred%0D"
    assert client.get(path).status_code == 500
    output = capsys.readouterr().err
    entries = json_lines(output)
    [entry] = [entry for entry in entries if entry["message"].startswith("Exception on")]
    assert f"\n{forged}\x00\x1b[31mred\r" in entry["message"]  # intact, inside one value
    assert entry["level"] == "ERROR" and "RuntimeError: boom" in entry["exception"]
    assert "\x1b" not in output and "\x00" not in output
    assert not any(line.startswith("auth ") for line in output.splitlines())


def test_the_formatter_escapes_every_control_character():
    from portal.logs import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "portal.auth", "levelno": logging.INFO, "levelname": "INFO",
         "msg": "auth %s", "args": ("a\nb\rc\x00d\x1be\x7ff\u2028g\x85h",)}
    )  # fmt: skip
    line = JsonFormatter().format(record)
    assert line.isascii() and line.isprintable()
    assert json.loads(line)["message"] == "auth a\nb\rc\x00d\x1be\x7ff\u2028g\x85h"


def test_database_errors_do_not_show_the_submitted_values():
    engine = make_engine("sqlite://")
    with pytest.raises(OperationalError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT * FROM nowhere WHERE phone = :phone"), {"phone": PHONE})
    assert PHONE not in str(raised.value)
    assert "hidden" in str(raised.value)


@pytest.fixture
def served(app):
    """The app behind Werkzeug's development server (its request log is the one tested)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def fetch(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def test_werkzeugs_request_log_names_the_route_not_the_token(served, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    fetch(f"{served}/l/SECRETLETTERTOKEN1234")
    fetch(f"{served}/gestion/mot-de-passe/nouveau?jeton=SECRETRESETTOKEN&x=1")
    requests = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(requests) == 2, requests
    assert '"GET /l/<token> HTTP/1.1"' in requests[0]
    assert "/gestion/mot-de-passe/nouveau?jeton=<redacted>&x=1" in requests[1]
    assert "SECRET" not in caplog.text


def test_gunicorns_access_log_names_the_route_not_the_token():
    from datetime import timedelta
    from types import SimpleNamespace

    from portal.logs import GunicornLogger

    environ = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
               "RAW_URI": "/gestion/mot-de-passe/nouveau?jeton=SECRETRESET",
               "PATH_INFO": "/l/SECRETLETTER", "QUERY_STRING": "jeton=SECRETRESET",
               "HTTP_REFERER": "https://portal.test/l/SECRETLETTER"}  # fmt: skip
    logger = GunicornLogger.__new__(GunicornLogger)
    logger.cfg = SimpleNamespace(logconfig_dict={}, logconfig=None)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(seconds=1))
    assert "SECRET" not in " ".join(str(value) for value in atoms.values())
    assert atoms["U"] == "/l/<token>" and atoms["q"] == "jeton=<redacted>"


def test_no_secret_of_a_journey_reaches_the_logs(app, client, session, served, caplog):
    """An owner's journey and an agent's sign-in and password reset, with every logger at
    DEBUG (SQL statements included): none of their secrets is in any line."""
    # SQLAlchemy's and alembic.ini's own levels are WARNING: every SQL statement is logged.
    for name in (None, "werkzeug", "sqlalchemy", "sqlalchemy.engine"):
        caplog.set_level(logging.DEBUG, logger=name)
    letter, token, code = make_letter(session)
    letter.housing.status = "waiting"
    agent = make_agent(session, make_collectivite(session), email="agent.secret@mairie.example")
    session.commit()

    # The owner: the letter's link, a few questions, a call-back request.
    assert client.get(f"/l/{token}").status_code == 303
    for question, value in (("situation", "vacant"), ("vacancy_duration", "gt_2y")):
        path = f"/diagnostic/{question}"
        client.post(path, data={"answer": value, "csrf_token": csrf_token(client, path)})
    callback = {"phone": SPOKEN_PHONE, "email": EMAIL, "moments": ["morning"], "note": NOTE,
                "consent": "y", "csrf_token": csrf_token(client, "/rappel")}  # fmt: skip
    assert client.post("/rappel", data=callback).status_code == 303
    # Another owner types the code.
    other = PageClient(app.test_client())
    typed = {"code": code, "csrf_token": csrf_token(other, "/code")}
    assert other.post("/code", data=typed).status_code == 303

    # The agent: a wrong then a right password, a reset link, a new password.
    agent_client = PageClient(app.test_client())
    sign_in(agent_client, agent.email, "not the password at all")
    assert sign_in(agent_client, agent.email).status_code == 303
    forgotten = "/gestion/mot-de-passe-oublie"
    form = {"email": agent.email, "csrf_token": csrf_token(agent_client, forgotten)}
    agent_client.post(forgotten, data=form)
    session.rollback()
    body = session.scalars(select(OutboxMessage.body)).all()
    link = next(
        re.search(r"(/gestion/mot-de-passe/nouveau\?jeton=(\S+))", b) for b in body if "jeton=" in b
    )
    reset_path, reset_token = link.group(1), link.group(2)
    assert agent_client.get(reset_path).status_code == 303
    new = {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
           "csrf_token": csrf_token(agent_client, "/gestion/mot-de-passe/nouveau")}  # fmt: skip
    assert agent_client.post("/gestion/mot-de-passe/nouveau", data=new).status_code == 303

    # The two links again, through Werkzeug's server and its request log.
    fetch(f"{served}/l/{token}")
    fetch(f"{served}{reset_path}")

    assert any(r.name == "werkzeug" for r in caplog.records)
    assert any(r.name == "portal.auth" for r in caplog.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    logged = caplog.text + "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    secrets = {"letter token": token, "code": code, "code (canonical)": code.replace("-", ""),
               "password": PASSWORD, "new password": NEW_PASSWORD, "phone": PHONE,
               "phone as typed": SPOKEN_PHONE, "owner's e-mail": EMAIL, "note": NOTE,
               "agent's e-mail": agent.email, "reset token": reset_token}  # fmt: skip
    found = [name for name, secret in secrets.items() if secret in logged]
    assert not found, f"secrets in the logs: {found}"
