"""The `portal` command line."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pypdf
import pytest
from sqlalchemy import func, select

from portal.demo import demo_campaign
from portal.models import Agent, Collectivite, Event, Housing, Letter
from portal.passwords import verify_password


def test_demo_is_idempotent_and_prints_where_to_look(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--base-url", "http://127.0.0.1:5000"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "--base-url", "http://127.0.0.1:5000"])
    assert second.output == first.output
    assert session.scalar(select(func.count()).select_from(Collectivite)) == 1
    campaign = demo_campaign(session)
    letters = select(func.count()).select_from(Letter).where(Letter.campaign_id == campaign.id)
    assert session.scalar(letters) == 3  # besides, the demo experiment's first wave
    assert "http://127.0.0.1:5000/gestion/connexion" in first.output
    assert "agent@demoville.example" in first.output
    # made through the services: an import, a campaign sent today, its letters PDF
    kinds = set(session.scalars(select(Event.kind)))
    assert {"collectivite:housings-imported", "housing:status-updated"} <= kinds
    statuses = select(Housing.status).join(Letter, Letter.housing_id == Housing.id)
    assert set(session.scalars(statuses.where(Letter.campaign_id == campaign.id))) == {"waiting"}
    pdf_path = re.search(r"Courriers \(PDF\)\s+: (\S+)", first.output).group(1)
    assert len(pypdf.PdfReader(pdf_path).pages) >= 3
    assert len(re.findall(r"http://127\.0\.0\.1:5000/l/[\w-]{22}\b", first.output)) == 3
    assert (
        len(re.findall(r"code [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b", first.output)) == 3
    )


def test_demo_seeds_an_experiment_with_simulated_replies(app, session):
    from portal.experiments.analysis import analyse
    from portal.experiments.registry import registration_hash
    from portal.experiments.units import unit_key, unit_rows
    from portal.models.experiment import Experiment

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    experiment = session.scalars(select(Experiment)).one()
    assert experiment.status == "running" and experiment.analysis_date < date.today()
    assert experiment.registration_hash == registration_hash(experiment.registration)
    units = unit_rows(session, experiment, unit_key(app.config["SECRET_KEY"]))
    # every letter of the first wave and of the demo campaign, assigned before printing
    assert len(units) == 403
    report = analyse(units, "scan", arms=["standard", "simplified"])
    assert abs(report.arms[0].n - report.arms[1].n) <= 4  # 1:1 within each of 4 strata
    assert all(arm.successes > 0 for arm in report.arms)
    assert sum(u.metrics["diagnostic"] for u in units) > 0
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.output == result.output
    assert session.scalar(select(func.count()).select_from(Experiment)) == 1


def test_demo_letters_open_the_landing(app, client):
    output = app.test_cli_runner().invoke(args=["demo"]).output
    path = re.search(r"http://portal\.test(/l/[\w-]+)", output).group(1)
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/mon-logement"
    assert "12 rue des Tilleuls" in client.get("/mon-logement").get_data(as_text=True)


def test_demo_is_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_create_agent(app, session):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=["create-agent", "--email", "Claire@Mairie.Example", "--siren", "999999999",
              "--role", "admin", "--password", "a long enough password"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    agent = session.scalar(select(Agent).where(Agent.email == "claire@mairie.example"))
    assert agent.role == "admin"
    assert verify_password(agent.password_hash, "a long enough password")


def test_create_agent_refuses_bad_input(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    cases = [
        (["--email", "not-an-email", "--siren", "999999999"], "--email"),
        (["--email", "a@b.fr", "--siren", "000000001"], "--siren"),
        (["--email", "agent@demoville.example", "--siren", "999999999"], "already exists"),
    ]
    for args, message in cases:
        result = runner.invoke(
            args=["create-agent", *args, "--password", "une phrase assez longue et rare"]
        )
        assert result.exit_code != 0
        assert message in result.output
    short = runner.invoke(args=["create-agent", "--email", "z@b.fr", "--siren", "999999999",
                                "--password", "short"])  # fmt: skip
    assert short.exit_code != 0
    assert "12 characters" in short.output
    common = runner.invoke(args=["create-agent", "--email", "z@b.fr", "--siren", "999999999",
                                 "--password", "password1234"])  # fmt: skip
    assert common.exit_code != 0
    assert "common password" in common.output


def test_agents_disable_ends_every_session_and_enable_lets_back(app, session):
    from portal.backoffice.sessions import hash_token
    from portal.models import AgentSession
    from tests.builders import make_agent, make_collectivite

    agent = make_agent(session, make_collectivite(session))
    session.add_all(
        [AgentSession(agent=agent, token_hash=hash_token(f"t{i}"), expires_at=agent.created_at
                      + timedelta(hours=12)) for i in range(2)]
    )  # fmt: skip
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agents", "disable", agent.email.upper()])
    assert result.exit_code == 0, result.output
    assert "2 session(s) ended" in result.output
    session.rollback()
    session.refresh(agent)
    assert not agent.is_active
    ended = session.scalars(select(AgentSession.ended_reason)).all()
    assert ended == ["agent-disabled", "agent-disabled"]
    assert runner.invoke(args=["agents", "enable", agent.email]).exit_code == 0
    session.rollback()
    session.refresh(agent)
    assert agent.is_active


def test_agents_end_sessions_and_reset_totp(app, session):
    from tests.builders import enrol_totp, make_agent, make_collectivite

    agent = enrol_totp(session, make_agent(session, make_collectivite(session)))
    session.commit()
    runner = app.test_cli_runner()
    assert "0 session(s)" in runner.invoke(args=["agents", "end-sessions", agent.email]).output
    result = runner.invoke(args=["agents", "reset-totp", agent.email])
    assert result.exit_code == 0, result.output
    session.rollback()
    session.refresh(agent)
    assert not agent.has_totp


def test_agents_commands_name_an_unknown_address(app):
    result = app.test_cli_runner().invoke(args=["agents", "disable", "nobody@nowhere.example"])
    assert result.exit_code != 0
    assert "No agent with the e-mail nobody@nowhere.example" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "portal.example.fr"])  # noqa: S104
def test_run_refuses_a_network_address_outside_production(monkeypatch, host):
    from click.testing import CliRunner

    from portal.cli import main

    monkeypatch.delenv("PORTAL_ENV", raising=False)
    result = CliRunner().invoke(main, ["run", "--host", host, "--port", "5999"])
    assert result.exit_code == 2
    assert "PORTAL_ENV=production" in result.output and "SECRET_KEY" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "[::]"])  # noqa: S104
def test_demo_for_a_network_address_is_refused_before_loading_anything(app, session, host):
    """`HOST=0.0.0.0 make run` stops at the demo, with `portal run`'s message, and the
    database is left as it was."""
    result = app.test_cli_runner().invoke(args=["demo", "--base-url", f"http://{host}:5000"])
    assert result.exit_code == 2
    assert "PORTAL_ENV=production" in result.output
    assert session.scalar(select(func.count()).select_from(Collectivite)) == 0


def test_run_listens_on_the_loopback_or_in_production(monkeypatch):
    from portal.commands.hosts import refuse_public_development

    monkeypatch.delenv("PORTAL_ENV", raising=False)
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        refuse_public_development(host)
    monkeypatch.setenv("PORTAL_ENV", "production")
    refuse_public_development("0.0.0.0")  # noqa: S104 (production may)
