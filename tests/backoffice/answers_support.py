"""Builders for back-office tests: collectivités with agents and answered letters."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.models import Response
from portal.owner.journey import record_owner_return
from tests.builders import PASSWORD, make_agent, make_collectivite, make_letter
from tests.conftest import sign_in

VACANT_WITH_WORKS = {
    "situation": "vacant", "intention": "rent", "vacancy_duration": "gt_2y",
    "works_level": "heavy", "blockers": ["succession", "works_cost"],
}  # fmt: skip


def answered_letter(app, session, collectivite=None, answers=None, kind="submitted",
                    when: datetime | None = None, **letter_fields):  # fmt: skip
    """A letter whose owner answered (`answers`) and came back with `kind`."""
    collectivite = collectivite or make_collectivite(session)
    from tests.builders import make_campaign

    campaign = letter_fields.pop("campaign", None) or make_campaign(session, collectivite)
    letter, _token, _code = make_letter(session, campaign, **letter_fields)
    answers = dict(answers if answers is not None else VACANT_WITH_WORKS)
    session.add(Response(letter_id=letter.id, collectivite_id=collectivite.id, answers=answers))
    session.commit()
    with app.app_context():
        record_owner_return(session, letter, app.extensions["content"], kind,
                            now=when or datetime.now(UTC))  # fmt: skip
    return letter


def signed_in_agent(client, session, collectivite=None, **fields):
    collectivite = collectivite or make_collectivite(session)
    agent = make_agent(session, collectivite, **fields)
    session.commit()
    assert sign_in(client, agent.email, PASSWORD).status_code == 303
    return agent
