"""A dwelling's history in sentences (portal.backoffice.history): one sentence per kind of
Event, written by the portal's own writers (agents' follow-up, owners' returns, letters, the
send date), the owner's changed answers, a fallback for unknown kinds, and the collectivité's
scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from portal.backoffice.answers import answer
from portal.backoffice.campaigns import reissue_letter, revoke_letter
from portal.backoffice.followup import add_note, change_status, mark_callback_done, set_precisions
from portal.backoffice.history import history
from portal.campaigns.schedule import set_send_date
from portal.models import Event, Response
from portal.models.response import ResponseChange
from portal.owner.journey import record_owner_return, save_answer
from tests.backoffice.answers_support import answered_letter
from tests.builders import make_agent, make_campaign, make_collectivite, make_letter

NOW = datetime(2026, 12, 1, 21, 40, tzinfo=UTC)


@pytest.fixture
def town(session):
    town = make_collectivite(session, name="Commune de Bourges")
    session.commit()
    return town


@pytest.fixture
def marie(session, town):
    agent = make_agent(session, town, full_name="Marie Dupont")
    session.commit()
    return agent


def answered(app, session, town, **fields):
    """A letter answered the day before NOW (what agents then act on, at NOW)."""
    fields.setdefault("when", NOW - timedelta(days=1))
    return answered_letter(app, session, town, **fields)


def sentences(app, session, collectivite_id: int, housing_id: int) -> list[str]:
    with app.test_request_context():
        entries = history(session, collectivite_id, housing_id, app.extensions["content"], "fr")
        return [entry.sentence for entry in entries]


def row_of(session, town, letter):
    response_id = session.scalar(select(Response.id).where(Response.letter_id == letter.id))
    return answer(session, town.id, response_id)


def agents_sentences(app, session, town, letter, act) -> list[str]:
    """The sentences of what `act(row)` did (an agent's action on the answered letter)."""
    act(row_of(session, town, letter))
    session.commit()
    return sentences(app, session, town.id, letter.housing_id)


def test_a_status_change_names_the_agent_and_zlvs_labels(app, session, town, marie):
    letter = answered(app, session, town)
    said = agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: change_status(
            session, marie, row, "blocked", "Blocage involontaire du propriétaire", now=NOW
        ),
    )
    assert said[0] == (
        "Marie Dupont a passé le statut de « Premier contact » à "
        "« Suivi bloqué › Blocage involontaire du propriétaire »"
    )
    # The owner's return had moved the dwelling to Premier contact.
    assert "Le propriétaire a passé le statut de « Non suivi » à « Premier contact »" in said


def test_an_occupancy_change(app, session, town, marie):
    letter = answered(app, session, town)
    said = agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: change_status(session, marie, row, "first-contact", None, "L", now=NOW),
    )
    assert said[0] == "Marie Dupont a changé l’occupation de « Vacant » à « En location »"


def test_a_precision_attached_then_detached(app, session, town, marie):
    letter = answered(app, session, town)
    succession = ("blocage-involontaire", "Succession en cours")
    agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: set_precisions(session, marie, row, {succession}, now=NOW),
    )
    said = agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: set_precisions(session, marie, row, set(), now=NOW + timedelta(minutes=1)),
    )
    assert said[:2] == [
        "Marie Dupont a retiré la précision « Succession en cours » (Blocage involontaire)",
        "Marie Dupont a ajouté la précision « Succession en cours » (Blocage involontaire)",
    ]


def test_a_note(app, session, town, marie):
    letter = answered(app, session, town)
    said = agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: add_note(session, marie, row, "Rappeler lundi", "Appel entrant", now=NOW),
    )
    assert said[0] == "Marie Dupont a ajouté une note « Appel entrant »"


def test_a_call_back_asked_then_made(app, session, town, marie):
    letter = answered(app, session, town)
    with app.app_context():
        record_owner_return(
            session,
            letter,
            app.extensions["content"],
            "callback",
            now=NOW,
            callback={"phone": "0612345678", "moments": ["morning", "evening"]},
        )
    said = agents_sentences(
        app,
        session,
        town,
        letter,
        lambda row: mark_callback_done(session, marie, row, now=NOW + timedelta(hours=1)),
    )
    assert said[:2] == [
        "Marie Dupont a rappelé le propriétaire",
        "Le propriétaire a demandé à être rappelé par téléphone "
        "(moments préférés : le matin, en fin de journée)",
    ]


def test_the_owners_submission_gives_the_situation_in_words(app, session, town):
    letter = answered(app, session, town)
    said = sentences(app, session, town.id, letter.housing_id)
    assert (
        "Le propriétaire a envoyé ses réponses (situation du logement : vide, personne n’y habite)"
        in said
    )


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("sold", "Le propriétaire a indiqué avoir vendu le logement"),
        (
            "not_owner",
            "La personne qui a reçu le courrier a indiqué ne pas être le propriétaire du logement",
        ),
        ("do_not_contact", "Le propriétaire a demandé à ne plus être contacté"),
    ],
)
def test_the_owners_exits(app, session, town, kind, sentence):
    letter = answered(app, session, town, kind=kind)
    assert sentence in sentences(app, session, town.id, letter.housing_id)


def test_do_not_contact_sets_the_owners_flag_in_words(app, session, town):
    letter = answered(app, session, town, kind="do_not_contact")
    said = sentences(app, session, town.id, letter.housing_id)
    assert (
        "Le propriétaire a activé « Ne pas contacter » : plus aucun courrier ne sera "
        "envoyé à ce propriétaire"
    ) in said


def test_a_letter_revoked_as_undeliverable_then_reissued(app, session, town, marie):
    letter = answered(app, session, town)
    revoke_letter(session, marie, letter, "npai", NOW)
    reissue_letter(session, marie, letter, app.config["SECRET_KEY"], NOW + timedelta(minutes=1))
    session.commit()
    said = sentences(app, session, town.id, letter.housing_id)
    assert said[0] == "Marie Dupont a réédité le courrier avec de nouveaux codes (édition n° 2)"
    assert said[1:3] == [
        "Marie Dupont a désactivé le courrier, revenu avec la mention « N’habite pas à "
        "l’adresse indiquée »",
        "Marie Dupont a passé le statut de « Premier contact » à « Premier contact › N’habite "
        "pas à l’adresse indiquée »",
    ] or said[1:3] == [
        "Marie Dupont a passé le statut de « Premier contact » à « Premier contact › N’habite "
        "pas à l’adresse indiquée »",
        "Marie Dupont a désactivé le courrier, revenu avec la mention « N’habite pas à "
        "l’adresse indiquée »",
    ]  # the same moment: either order


def test_a_letter_revoked_by_an_agent(app, session, town, marie):
    letter = answered(app, session, town)
    revoke_letter(session, marie, letter, "agent", NOW)
    session.commit()
    assert sentences(app, session, town.id, letter.housing_id)[0] == (
        "Marie Dupont a désactivé le courrier : son lien et son code ne fonctionnent plus"
    )


def test_the_send_date_moves_the_dwelling_in_the_portals_name(app, session, town):
    campaign = make_campaign(session, town, title="Vacants 2026", sent_at=None)
    letter, _token, _code = make_letter(session, campaign)
    session.commit()
    set_send_date(session, campaign, date(2026, 11, 30), now=NOW)
    session.commit()
    assert sentences(app, session, town.id, letter.housing_id) == [
        "Le portail a passé le statut de « Non suivi » à « En attente de retour » (envoi de la "
        "campagne « Vacants 2026 »)"
    ]


def test_an_answer_changed_after_submitting_is_shown_as_changed(app, session, town):
    answers = {"situation": "vacant", "intention": "sell"}
    letter = answered(app, session, town, answers=answers)
    with app.app_context():
        save_answer(session, letter, app.extensions["content"], "intention", "temporary_use")
    said = sentences(app, session, town.id, letter.housing_id)
    assert said[0] == (
        "Le propriétaire a changé son projet : le vendre → le prêter pour un temps, en "
        "attendant un projet"
    )


def test_another_questions_change_names_the_question(app, session, town):
    answers = {"situation": "vacant", "intention": "sell", "vacancy_duration": "gt_2y"}
    letter = answered(app, session, town, answers=answers)
    content = app.extensions["content"]
    with app.app_context():
        save_answer(session, letter, content, "situation", "for_sale")
    said = sentences(app, session, town.id, letter.housing_id)
    assert said[0] == (
        "Le propriétaire a changé la situation du logement : vide, personne n’y habite → en vente"
    )


def add_event(session, town, letter, kind, agent=None, before=None, after=None, **fields):
    values = {
        "collectivite_id": town.id,
        "created_at": NOW,
        "actor_kind": "agent" if agent else "system",
        "agent_id": agent.id if agent else None,
        "kind": kind,
        "housing_id": letter.housing_id,
        "owner_id": letter.owner_id,
        "letter_id": letter.id,
        "before": before,
        "after": after,
    }
    session.add(Event(**(values | fields)))
    session.commit()


def test_an_unknown_kind_or_an_unexpected_payload_still_reads(app, session, town, marie):
    letter, _token, _code = make_letter(session, make_campaign(session, town))
    add_event(session, town, letter, "housing:document-attached", marie, after={"x": 1})
    add_event(
        session,
        town,
        letter,
        "housing:status-updated",
        marie,
        after={"nope": 1},
        created_at=NOW - timedelta(minutes=1),
    )
    assert sentences(app, session, town.id, letter.housing_id) == [
        "Marie Dupont a fait une modification (housing:document-attached)",
        "Marie Dupont a fait une modification (housing:status-updated)",
    ]


def test_a_deleted_agent_is_un_agent(app, session, town):
    letter, _token, _code = make_letter(session, make_campaign(session, town))
    add_event(
        session,
        town,
        letter,
        "housing:note-created",
        after={"kind": "Note courante"},
        actor_kind="agent",
    )
    assert sentences(app, session, town.id, letter.housing_id) == [
        "Un agent a ajouté une note « Note courante »"
    ]


def test_another_collectivites_events_and_changes_are_never_listed(app, session, town, marie):
    letter = answered(app, session, town)
    elsewhere = make_collectivite(session, name="Ailleurs")
    stranger = make_agent(session, elsewhere, full_name="Paul Martin")
    response_id = session.scalar(select(Response.id).where(Response.letter_id == letter.id))
    # Rows that name this dwelling but belong to another collectivité (as a bug could write).
    add_event(
        session,
        town,
        letter,
        "housing:note-created",
        stranger,
        after={"kind": "Note courante"},
        collectivite_id=elsewhere.id,
    )
    session.add(
        ResponseChange(
            collectivite_id=elsewhere.id,
            response_id=response_id,
            question_id="intention",
            before={"value": "rent"},
            after={"value": "sell"},
            changed_at=NOW,
        )
    )
    session.commit()
    said = sentences(app, session, town.id, letter.housing_id)
    assert said and not any("Paul Martin" in s or "a changé" in s for s in said)
    assert sentences(app, session, elsewhere.id, letter.housing_id) == [
        "Paul Martin a ajouté une note « Note courante »"
    ]
    # An agent of this collectivité named in another's event is not looked up there either.
    add_event(
        session,
        town,
        letter,
        "housing:note-created",
        stranger,
        after={"kind": "Note courante"},
        created_at=NOW + timedelta(minutes=1),
    )
    assert sentences(app, session, town.id, letter.housing_id)[0] == (
        "Un agent a ajouté une note « Note courante »"
    )


def test_agents_names_are_read_in_one_query_newest_first(app, session, town):
    letter, _token, _code = make_letter(session, make_campaign(session, town))
    agents = [make_agent(session, town, full_name=f"Agent {n}") for n in range(12)]
    for n, agent in enumerate(agents):
        add_event(
            session,
            town,
            letter,
            "housing:note-created",
            agent,
            after={"kind": "Note courante"},
            created_at=NOW + timedelta(minutes=n),
        )
    statements = []
    engine = app.extensions["database"]

    def count(_connection, _cursor, statement, *_args):
        if statement.startswith("SELECT"):
            statements.append(statement)

    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    try:
        said = sentences(app, session, town.id, letter.housing_id)
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    assert said == [f"Agent {n} a ajouté une note « Note courante »" for n in reversed(range(12))]
    # Events, changed answers, agents (no campaign to name), whatever the number of agents.
    assert len(statements) == 3, statements
