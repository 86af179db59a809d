"""Cross-tenant sweep: every back-office route, asked by an agent (an admin) of collectivité A
for an object of collectivité B, answers exactly as for an object that does not exist (404)
and changes nothing. The routes come from the URL map: a new route with an id in its URL
fails here until its id is known below, and a new route without one must be listed in
WITHOUT_IDS with the reason it cannot reach another collectivité's objects."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.models import Base, Job, JobFile, Letter, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_agent, make_collectivite
from tests.conftest import csrf_token
from tests.experiments.letters import freeze, make_letter_experiment

# How to find, for a URL parameter, the id of collectivité B's object (`theirs` is what
# the fixture made for B) and an id that exists nowhere.
FOREIGN_IDS = {
    "response_id": lambda theirs: theirs["response"].id,
    "campaign_id": lambda theirs: theirs["letter"].campaign_id,
    "agent_id": lambda theirs: theirs["agent"].id,
    # Partners and local aids live in the collectivité's settings, with ids of their own.
    "partner_id": lambda theirs: theirs["collectivite"].settings["partners"][0]["id"],
    "aid_id": lambda theirs: theirs["collectivite"].settings["local_aids"][0]["id"],
    "job_id": lambda theirs: theirs["job"].id,
    "letter_id": lambda theirs: theirs["letter"].id,
    "experiment_id": lambda theirs: theirs["experiment"].id,
}
# URL parameters that name no object (the same value is given for both collectivités):
# a file of a job, a letter wording variant, a signatory's position.
NOT_IDS = {"role": "pdf", "variant": "standard", "position": 1}
MISSING_ID = 987_654_321

# Back-office routes with no object id in their URL, and why they cannot reach B's data.
WITHOUT_IDS = {
    "backoffice.login": "signs in; reads no collectivité's data",
    "backoffice.logout": "ends the agent's own session",
    "backoffice.home": "lists campaigns of the agent's collectivité (queries.py)",
    "backoffice.experiments": "lists the admin's collectivité's experiments (experiments.py)",
    "backoffice.experiment_new": "a draft of the admin's collectivité, with its own campaigns "
    "as the only choices",
    "backoffice.queue": "filters are applied inside the agent's collectivité (answers.py)",
    "backoffice.housings": "filters are applied inside the agent's collectivité (housings.py)",
    "backoffice.new_campaign": "posted housing ids: swept below; the filter stays inside the "
    "agent's collectivité (housings.py)",
    "backoffice.login_code": "the second factor of the session's own agent",
    "backoffice.account": "the signed-in agent's own account and sessions",
    "backoffice.end_other_sessions": "ends the signed-in agent's own other sessions",
    "backoffice.totp_enrol": "the signed-in agent's own second factor",
    "backoffice.totp_qr_code": "the QR code of the secret being enrolled in this session",
    "backoffice.forgotten_password": "mails a link to the address typed; shows nothing",
    "backoffice.reset_link_sent": "a fixed confirmation page",
    "backoffice.reset_password": "the agent named by the signed link only",
    "backoffice.agents": "lists the agents of the admin's collectivité (queries.agents_of)",
    "backoffice.settings": "the admin's own collectivité (g.collectivite)",
    "backoffice.settings_logo": "the admin's own collectivité's logo",
    "backoffice.settings_logo_remove": "the admin's own collectivité's logo",
    "backoffice.settings_partners": "the admin's own collectivité's partners",
    "backoffice.settings_local_aids": "the admin's own collectivité's local aids",
    "backoffice.audit": "the access log of the admin's collectivité (audit.py)",
    "backoffice.settings_letter": "the admin's own collectivité's letter settings",
    "backoffice.settings_letter_sender": "the admin's own collectivité's letter sender",
    "backoffice.settings_letter_variant": "names a variant of the admin's own collectivité",
    "backoffice.settings_letter_wording": "a wording variant of the admin's own collectivité",
    "backoffice.settings_letter_preview": "previews the admin's own collectivité's letter",
    "backoffice.settings_letter_signature": "the admin's own collectivité's signatures",
    "backoffice.settings_letter_signature_remove": "the admin's own collectivité's signatures",
    "backoffice.import_new": "creates a job for the agent's own collectivité (imports.py)",
    "backoffice.export_csv": "exports the queue's filter inside the agent's collectivité",
    "backoffice.export_xlsx": "exports the queue's filter inside the agent's collectivité",
    "backoffice.export_all_csv": "exports the queue's filter (every tab) inside the agent's "
    "collectivité",
    "backoffice.export_all_xlsx": "exports the queue's filter (every tab) inside the agent's "
    "collectivité",
    "backoffice.bulk_status": "posted answer ids: swept below (POSTED_IDS)",
    "backoffice.bulk_precision": "posted answer ids: swept below (POSTED_IDS)",
    "backoffice.export_selection_csv": "posted answer ids: swept below (POSTED_IDS)",
    "backoffice.export_selection_xlsx": "posted answer ids: swept below (POSTED_IDS)",
}
# Routes acting on answers whose ids are posted (the queue's ticked answers, `reponse`).
POSTED_IDS = ("backoffice.bulk_status", "backoffice.bulk_precision",
              "backoffice.export_selection_csv", "backoffice.export_selection_xlsx")  # fmt: skip
# Tables a request may touch without it being a change of data (sessions' last use).
VOLATILE_TABLES = {"agent_session"}


# Routes acting on housings whose ids are posted (the list's ticked housings, `logement`),
# at each step: from the list, then with the campaign's name.
POSTED_HOUSING_STEPS = ({"etape": "selection"}, {"titre": "Campagne"})


def backoffice_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("backoffice.")]


def snapshot(session):
    session.rollback()
    return {
        table.name: sorted(map(repr, session.execute(select(table)).all()))
        for table in Base.metadata.sorted_tables if table.name not in VOLATILE_TABLES
    }  # fmt: skip


@pytest.fixture
def tenants(app, client, session):
    ours, theirs = make_collectivite(session, name="A"), make_collectivite(session, name="B")
    session.commit()
    answered_letter(app, session, ours)
    their_letter = answered_letter(app, session, theirs)
    agent = signed_in_agent(client, session, ours, role="admin")
    response = session.scalar(select(Response).where(Response.letter_id == their_letter.id))
    their_agent = make_agent(session, theirs)
    theirs.settings = {
        "partners": [{"id": "b0b0b0b0", "name": "Opérateur de B"}],
        "local_aids": [{"id": "a1a1a1a1", "slug": "local:aide-b-a1a1a1a1", "title": "Aide B"}],
    }
    letters_job = Job(collectivite_id=theirs.id, kind="letters",
                      campaign_id=their_letter.campaign_id, state="done")  # fmt: skip
    session.add(letters_job)
    session.flush()
    session.add(JobFile(job_id=letters_job.id, role="pdf", name="b.pdf",
                        media_type="application/pdf", size=3, data=b"%PD"))  # fmt: skip
    # B's import: a preview done (confirmable, with its report), so that confirming,
    # restarting or downloading would act if the scope failed.
    counts = {"create": 1, "update": 0, "unchanged": 0, "refuse": 0}
    job = Job(collectivite_id=theirs.id, kind="import", state="done", result={"counts": counts},
              params={"mode": "preview", "file_name": "b.csv", "locale": "fr"})  # fmt: skip
    session.add(job)
    session.flush()
    data = b"ff_idlocal,code_insee,proprietaire\n581940000001,58194,B\n"
    for role in ("input", "report"):
        session.add(JobFile(job_id=job.id, role=role, name="b.csv", media_type="text/csv",
                            size=len(data), data=data))  # fmt: skip
    # B's experiment, running and past its analysis date: every page and action would show
    # or change it if the scope failed.
    experiment = make_letter_experiment(session, [their_letter.campaign],
                                        analysis_date=date.today())  # fmt: skip
    freeze(experiment, experiment.created_at)
    session.commit()
    return agent, {"collectivite": theirs, "letter": their_letter, "response": response,
                   "agent": their_agent, "job": job, "letters_job": letters_job,
                   "experiment": experiment}  # fmt: skip


def test_every_route_is_known_to_the_sweep(app):
    for rule in backoffice_rules(app):
        if rule.arguments - NOT_IDS.keys():
            unknown = rule.arguments - FOREIGN_IDS.keys() - NOT_IDS.keys()
            assert not unknown, f"{rule.rule}: teach the sweep how to find a foreign {unknown}"
        else:
            assert rule.endpoint in WITHOUT_IDS, f"{rule.rule}: list it in WITHOUT_IDS with why"


def test_a_foreign_object_answers_like_a_missing_one_and_nothing_changes(
    app, client, session, tenants
):
    _agent, theirs = tenants
    token = csrf_token(client, "/gestion/")
    swept = 0
    for rule in backoffice_rules(app):
        ids = rule.arguments - NOT_IDS.keys()
        if not ids:
            continue
        fixed = {name: NOT_IDS[name] for name in rule.arguments & NOT_IDS.keys()}
        foreign = {name: FOREIGN_IDS[name](theirs) for name in ids} | fixed
        if "job_id" in foreign and rule.endpoint.startswith("backoffice.campaign"):
            foreign["job_id"] = theirs["letters_job"].id  # a campaign's pages take letters jobs
        missing = dict.fromkeys(ids, MISSING_ID) | fixed
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            before = snapshot(session)
            answers = []
            for values in (foreign, missing):
                url = app.url_map.bind("localhost").build(rule.endpoint, values)
                data = {"csrf_token": token, "status": "completed|", "content": "x"}
                response = client.open(url, method=method, data=data if method == "POST" else None)
                answers.append(response.status_code)
            assert answers == [404, 404], f"{method} {rule.rule}: {answers}"
            assert snapshot(session) == before, f"{method} {rule.rule} changed data"
            swept += 1
    assert swept >= 6


def test_a_foreign_answer_in_a_posted_selection_answers_like_a_missing_one(
    app, client, session, tenants
):
    agent, theirs = tenants
    ours = session.scalar(
        select(Response.id).where(Response.collectivite_id == agent.collectivite_id)
    )
    token = csrf_token(client, "/gestion/reponses")
    for endpoint in POSTED_IDS:
        url = app.url_map.bind("localhost").build(endpoint)
        before = snapshot(session)
        answers = []
        for ids in ([theirs["response"].id], [ours, theirs["response"].id], [MISSING_ID]):
            data = {"csrf_token": token, "reponse": ids, "status": "completed|",
                    "precision": "travaux|En cours"}  # fmt: skip
            answers.append(client.post(url, data=data).status_code)
        assert answers == [404, 404, 404], f"{endpoint}: {answers}"
        assert snapshot(session) == before, f"{endpoint} changed data"


def test_a_foreign_housing_in_a_posted_selection_answers_like_a_missing_one(
    app, client, session, tenants
):
    agent, theirs = tenants
    ours = session.scalar(select(Letter.housing_id).where(
        Letter.collectivite_id == agent.collectivite_id))  # fmt: skip
    token = csrf_token(client, "/gestion/logements")
    url = app.url_map.bind("localhost").build("backoffice.new_campaign")
    before = snapshot(session)
    for step in POSTED_HOUSING_STEPS:
        answers = []
        for ids in ([theirs["letter"].housing_id], [ours, theirs["letter"].housing_id],
                    [MISSING_ID]):  # fmt: skip
            data = {"csrf_token": token, "logement": ids, **step}
            answers.append(client.post(url, data=data).status_code)
        assert answers == [404, 404, 404], f"{step}: {answers}"
    assert snapshot(session) == before, "a posted foreign housing changed data"
