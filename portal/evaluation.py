"""An owner's answers evaluated for their dwelling: what the owner's results page, the PDF
summary and the agent's view of an answer all show, computed the same way."""

from __future__ import annotations

from portal.local_overrides import local_for
from portal.models import Letter
from portal.rules import Content, Evaluation, evaluate
from portal.rules.context import context_for


def evaluation_for(content: Content, letter: Letter, answers: dict) -> Evaluation:
    """The owner's answers evaluated for their dwelling, with the collectivité's local
    overrides: its local file and what its admins set in the back-office."""
    local = local_for(content, letter.collectivite)
    housing = letter.housing
    context = context_for(content, housing.insee_code, local, housing.living_area)
    return evaluate(content, answers, context, local=local)
