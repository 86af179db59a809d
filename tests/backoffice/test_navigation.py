"""The back-office's main navigation (templates/dsfr/navigation.html, fed by
portal/backoffice/views/navigation.py): on every page a signed-in agent sees, with the
admin's entries for admins only, the current entry marked, and the count of this
collectivité's new answers; never on the owners' or the public's pages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.models import Job, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import freeze, make_letter_experiment

AGENT_ENTRIES = [
    ("Réponses", "/gestion/reponses"),
    ("Logements", "/gestion/logements"),
    ("Campagnes", "/gestion/"),
]
ADMIN_ENTRIES = [
    *AGENT_ENTRIES,
    ("Expériences", "/gestion/experiences"),
    ("Paramètres", "/gestion/parametres"),
    ("Agents", "/gestion/agents"),
    ("Journal", "/gestion/audit"),
]
# Back-office GET pages that are not for a signed-in agent, or not HTML.
NOT_SIGNED_IN_PAGES = {
    "backoffice.login", "backoffice.login_code", "backoffice.forgotten_password",
    "backoffice.reset_link_sent", "backoffice.reset_password", "backoffice.totp_qr_code",
    # files: the letters PDF and CSV, one letter's PDF, the letter preview
    "backoffice.campaign_file", "backoffice.letter_pdf", "backoffice.settings_letter_preview",
    "backoffice.import_report", "backoffice.experiment_units",
}  # fmt: skip
# Back-office GET pages that need a query string to show a page (else they redirect).
QUERIES = {"backoffice.new_campaign": "?tous=1"}  # every housing of the collectivité
ADMIN_PAGES = {
    "backoffice.settings", "backoffice.settings_logo", "backoffice.settings_partners",
    "backoffice.settings_local_aids", "backoffice.agents", "backoffice.audit",
    "backoffice.settings_letter", "backoffice.settings_letter_wording",
    "backoffice.experiments", "backoffice.experiment_new", "backoffice.experiment",
    "backoffice.experiment_edit", "backoffice.experiment_registration",
    "backoffice.experiment_analysis", "backoffice.experiment_launch",
}  # fmt: skip


def response_of(session, letter) -> Response:
    return session.scalar(select(Response).where(Response.letter_id == letter.id))


def nav(html: str):
    return BeautifulSoup(html, "html.parser").select_one("header nav.fr-nav")


def entries(html: str) -> list[tuple[str, str]]:
    return [(link.contents[0].strip(), link["href"]) for link in nav(html).select("a")]


def signed_in_pages(app, ids: dict[str, int], admin: bool,
                    overrides: dict[str, dict] | None = None) -> list[str]:  # fmt: skip
    """Every back-office GET page from the URL map (a new page is checked without listing
    it here), with `ids` (an answer's, a campaign's) for the pages that take them, and ids
    of its own for an endpoint in `overrides` (an import job is not a letters job)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("backoffice.") or "GET" not in rule.methods:
            continue
        if rule.endpoint in NOT_SIGNED_IN_PAGES or (rule.endpoint in ADMIN_PAGES and not admin):
            continue
        unknown = rule.arguments - ids.keys()
        assert not unknown, f"{rule.rule}: give its arguments {unknown} here"
        values = {name: ids[name] for name in rule.arguments}
        values |= (overrides or {}).get(rule.endpoint, {})
        path = app.url_map.bind("localhost").build(rule.endpoint, values)
        paths.append(path + QUERIES.get(rule.endpoint, ""))
    return paths


@pytest.mark.parametrize("admin", [False, True], ids=["agent", "admin"])
def test_every_signed_in_page_has_the_navigation(app, client, session, town, admin):
    letter = answered_letter(app, session, town)
    signed_in_agent(client, session, town, role="admin" if admin else "agent")
    letters_job = Job(collectivite_id=town.id, kind="letters", campaign_id=letter.campaign_id,
                      state="done")  # fmt: skip
    import_job = Job(collectivite_id=town.id, kind="import", state="queued",
                     params={"mode": "preview", "file_name": "f.csv"})  # fmt: skip
    session.add_all([letters_job, import_job])
    draft = make_letter_experiment(session, [letter.campaign], status="draft")
    # a draft ready to launch: its campaign is in no running experiment
    ready = make_letter_experiment(session, [make_campaign(session, town)], status="draft")
    launched = make_letter_experiment(session, [letter.campaign], registration={},
                                      registration_hash="0" * 64)  # fmt: skip
    freeze(launched, launched.created_at)
    session.commit()
    ids = {"response_id": response_of(session, letter).id, "campaign_id": letter.campaign_id,
           "job_id": letters_job.id, "letter_id": letter.id, "variant": "standard",
           "experiment_id": launched.id}  # fmt: skip
    paths = signed_in_pages(
        app, ids, admin, {"backoffice.import_status": {"job_id": import_job.id},
                          "backoffice.experiment_edit": {"experiment_id": draft.id},
                          "backoffice.experiment_launch": {"experiment_id": ready.id}}
    )  # fmt: skip
    assert "/gestion/reponses" in paths and "/gestion/compte" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert entries(html) == (ADMIN_ENTRIES if admin else AGENT_ENTRIES), path


@pytest.mark.parametrize(
    ("path", "current", "marked"),
    [
        ("/gestion/reponses", "page", "Réponses"),
        ("/gestion/logements", "page", "Logements"),
        ("/gestion/logements?dpe=G&page=2", "page", "Logements"),
        ("/gestion/", "page", "Campagnes"),
        ("/gestion/parametres", "page", "Paramètres"),
        ("/gestion/parametres/logo", "true", "Paramètres"),
        ("/gestion/agents", "page", "Agents"),
        ("/gestion/audit", "page", "Journal"),
        ("/gestion/compte", None, None),
    ],
)
def test_the_current_entry_is_marked(client, session, town, path, current, marked):
    signed_in_agent(client, session, town, role="admin")
    links = nav(client.get(path).get_data(as_text=True)).select("a[aria-current]")
    if current is None:
        assert links == []
    else:
        assert [(link.contents[0].strip(), link["aria-current"]) for link in links] == [
            (marked, current)
        ]


def test_an_answer_page_marks_the_answers_section(app, client, session, town):
    letter = answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    html = client.get(f"/gestion/reponses/{response_of(session, letter).id}").get_data(as_text=True)
    (link,) = nav(html).select("a[aria-current]")
    assert link["href"] == "/gestion/reponses" and link["aria-current"] == "true"


def test_a_campaign_page_marks_the_campaigns_section(app, client, session, town):
    letter = answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    html = client.get(f"/gestion/campagnes/{letter.campaign_id}").get_data(as_text=True)
    (link,) = nav(html).select("a[aria-current]")
    assert link["href"] == "/gestion/" and link["aria-current"] == "true"


def badge(html: str) -> str:
    return nav(html).select_one("a[href='/gestion/reponses'] .fr-badge").get_text(strip=True)


def test_the_count_is_this_collectivites_new_answers_only(app, client, session, town):
    elsewhere = make_collectivite(session, name="Commune d’ailleurs")
    for _ in range(2):
        answered_letter(app, session, town)
    for _ in range(3):
        answered_letter(app, session, elsewhere)
    signed_in_agent(client, session, town)
    html = client.get("/gestion/").get_data(as_text=True)
    assert badge(html) == "2 nouvelles"
    # The same figure as the queue's "Nouvelles" tab.
    queue = client.get("/gestion/reponses").get_data(as_text=True)
    assert badge(queue) == "2 nouvelles"


def test_a_reviewed_answer_leaves_the_count(app, client, session, town):
    from portal.queue import refresh_tab

    letters = [answered_letter(app, session, town) for _ in range(2)]
    response = response_of(session, letters[0])
    response.reviewed_at = response.last_return_at
    refresh_tab(session, response)
    session.commit()
    signed_in_agent(client, session, town)
    assert badge(client.get("/gestion/").get_data(as_text=True)) == "1 nouvelle"


def test_the_count_is_one_query(app, client, session, town):
    from sqlalchemy import event

    answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    counts = []
    engine = app.extensions["database"]

    def spy(conn, cursor, statement, *args):
        if "count(" in statement.lower() and "queue_tab" in statement:
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        client.get("/gestion/")
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert len(counts) == 1, counts


def test_signed_out_and_pending_pages_have_no_navigation(client, enrolled):
    from tests.conftest import sign_in

    assert nav(client.get("/gestion/connexion").get_data(as_text=True)) is None
    assert nav(client.get("/gestion/mot-de-passe-oublie").get_data(as_text=True)) is None
    # Password given, the second factor still to come: the code page has no navigation.
    assert sign_in(client, enrolled.email).headers["Location"].startswith("/gestion/connexion/code")
    code_page = client.get("/gestion/connexion/code")
    assert code_page.status_code == 200
    assert nav(code_page.get_data(as_text=True)) is None


@pytest.mark.parametrize("path", ["/", "/accessibilite", "/donnees-personnelles", "/code"])
def test_public_and_owner_pages_have_no_navigation_even_for_an_agent(client, session, town, path):
    signed_in_agent(client, session, town, role="admin")
    response = client.get(path)
    assert response.status_code == 200, path
    assert nav(response.get_data(as_text=True)) is None
