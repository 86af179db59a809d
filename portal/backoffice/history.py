"""A dwelling's history in sentences, newest first: what agents, owners and the portal did.

« Marie Dupont a passé le statut de « En attente de retour » à « Premier contact › … » »,
« Le propriétaire a changé son projet : le vendre → le prêter … ». Every Event of the
dwelling (whatever its kind: an unknown kind still gets a readable sentence) and every answer
its owners changed after submitting (ResponseChange) become one entry. Statuses, occupancies
and précisions are named with ZLV's labels; answers in words through the content's options.

Every query is restricted to the collectivité; agents' names and campaigns' titles are read
in one query each for all the entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.backoffice.answer_forms import CATEGORY_TITLES
from portal.models import Agent, Campaign, Event, Letter, Response
from portal.models.contact import MOMENTS
from portal.models.response import ResponseChange
from portal.models.zlv import OCCUPANCIES, OCCUPANCIES_READ_ONLY, STATUSES
from portal.rules.model import Content
from portal.rules.present import answer_text

LIMIT = 200
CHANGED = "response:changed"  # an entry's kind for an answer changed after submitting


@dataclass(frozen=True)
class HistoryEntry:
    moment: datetime
    sentence: str
    actor_kind: str  # owner | agent | system
    kind: str  # the Event's kind, or CHANGED for an answer changed after submitting


@dataclass
class _Context:
    content: Content
    locale: str
    agents: dict[int, str]
    campaigns: dict[int, str]

    def actor(self, actor_kind: str, agent_id: int | None) -> str:
        if actor_kind == "owner":
            return _("Le propriétaire")
        if actor_kind == "system":
            return _("Le portail")
        return self.agents.get(agent_id) or _("Un agent")


# --- Reading ------------------------------------------------------------------------------


def housing_events(session: Session, collectivite_id: int, housing_id: int,
                   limit: int = LIMIT) -> list[Event]:  # fmt: skip
    """The dwelling's Events, newest first (owners', agents' and the portal's)."""
    return session.scalars(
        select(Event)
        .where(Event.collectivite_id == collectivite_id, Event.housing_id == housing_id)
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(limit)
    ).all()


def housing_changes(session: Session, collectivite_id: int, housing_id: int,
                    limit: int = LIMIT) -> list[ResponseChange]:  # fmt: skip
    """The answers changed after submitting, on any letter about the dwelling, newest first."""
    return session.scalars(
        select(ResponseChange)
        .join(Response, Response.id == ResponseChange.response_id)
        .join(Letter, Letter.id == Response.letter_id)
        .where(ResponseChange.collectivite_id == collectivite_id,
               Response.collectivite_id == collectivite_id, Letter.housing_id == housing_id)
        .order_by(ResponseChange.changed_at.desc(), ResponseChange.id.desc())
        .limit(limit)
    ).all()  # fmt: skip


def response_changes(session: Session, collectivite_id: int,
                     response_id: int) -> dict[str, ResponseChange]:  # fmt: skip
    """{question id: the latest change of its answer} for one response."""
    rows = session.scalars(
        select(ResponseChange)
        .where(ResponseChange.collectivite_id == collectivite_id,
               ResponseChange.response_id == response_id)
        .order_by(ResponseChange.changed_at, ResponseChange.id)
    )  # fmt: skip
    return {change.question_id: change for change in rows}


def _names(session: Session, collectivite_id: int, events: list[Event]) -> dict[int, str]:
    ids = {event.agent_id for event in events if event.agent_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Agent.id, Agent.full_name, Agent.email)
        .where(Agent.collectivite_id == collectivite_id, Agent.id.in_(ids))
    )  # fmt: skip
    return {agent_id: (name or "").strip() or email for agent_id, name, email in rows}


def _titles(session: Session, collectivite_id: int, events: list[Event]) -> dict[int, str]:
    ids = {
        (event.after or {}).get("campaign_id") for event in events
        if isinstance(event.after, dict)
    } - {None}  # fmt: skip
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = session.execute(
        select(Campaign.id, Campaign.title)
        .where(Campaign.collectivite_id == collectivite_id, Campaign.id.in_(ids))
    )  # fmt: skip
    return dict(rows.all())


def history(session: Session, collectivite_id: int, housing_id: int, content: Content,
            locale: str, limit: int = LIMIT) -> list[HistoryEntry]:  # fmt: skip
    """The dwelling's history in sentences, newest first (at most `limit` entries)."""
    events = housing_events(session, collectivite_id, housing_id, limit)
    changes = housing_changes(session, collectivite_id, housing_id, limit)
    context = _Context(content, locale, _names(session, collectivite_id, events),
                       _titles(session, collectivite_id, events))  # fmt: skip
    entries = [
        HistoryEntry(event.created_at, event_sentence(event, context), event.actor_kind, event.kind)
        for event in events
    ]
    entries += [
        HistoryEntry(change.changed_at, change_sentence(change, context), "owner", CHANGED)
        for change in changes
    ]
    entries.sort(key=lambda entry: entry.moment, reverse=True)
    return entries[:limit]


# --- Words --------------------------------------------------------------------------------


def status_label(status: str | None, sub_status: str | None) -> str:
    label = STATUSES[status][0] if status in STATUSES else (status or _("aucun"))
    return f"{label} › {sub_status}" if sub_status else label


def occupancy_label(code: str | None) -> str:
    return OCCUPANCIES.get(code) or OCCUPANCIES_READ_ONLY.get(code) or code or _("aucune")


def in_sentence(text: str) -> str:
    """An answer's label inside a sentence: « Le vendre » → « le vendre » (not « DPE »)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def answer_words(content: Content, question_id: str, value, locale: str) -> str:
    """An answer in words (its options' labels), or « (sans réponse) »."""
    if value is None or value == [] or value == "":
        return _("(sans réponse)")
    question = content.questions.get(question_id)
    if question is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return in_sentence(answer_text(question, value, locale))


# --- Sentences, one function per kind ----------------------------------------------------


def _status(event: Event, actor: str, context: _Context) -> str:
    before, after = event.before or {}, event.after or {}
    words = {"actor": actor, "after": status_label(after["status"], after.get("sub_status"))}
    campaign = context.campaigns.get(after.get("campaign_id"))
    if not before.get("status"):
        return _("%(actor)s a mis le statut « %(after)s »", **words)
    words["before"] = status_label(before["status"], before.get("sub_status"))
    if campaign:
        return _("%(actor)s a passé le statut de « %(before)s » à « %(after)s » (envoi de la "
                 "campagne « %(campaign)s »)", campaign=campaign, **words)  # fmt: skip
    return _("%(actor)s a passé le statut de « %(before)s » à « %(after)s »", **words)


def _occupancy(event: Event, actor: str, _context: _Context) -> str:
    before, after = (event.before or {}).get("occupancy"), event.after["occupancy"]
    if not before:
        return _("%(actor)s a indiqué l’occupation « %(after)s »", actor=actor,
                 after=occupancy_label(after))  # fmt: skip
    return _("%(actor)s a changé l’occupation de « %(before)s » à « %(after)s »", actor=actor,
             before=occupancy_label(before), after=occupancy_label(after))  # fmt: skip


def _precision(payload: dict) -> dict:
    category = payload["category"]
    return {"label": payload["label"], "category": CATEGORY_TITLES.get(category, category)}


def _attached(event: Event, actor: str, _context: _Context) -> str:
    return _("%(actor)s a ajouté la précision « %(label)s » (%(category)s)", actor=actor,
             **_precision(event.after))  # fmt: skip


def _detached(event: Event, actor: str, _context: _Context) -> str:
    return _("%(actor)s a retiré la précision « %(label)s » (%(category)s)", actor=actor,
             **_precision(event.before))  # fmt: skip


def _note(event: Event, actor: str, _context: _Context) -> str:
    kind = (event.after or {}).get("kind")
    if kind:
        return _("%(actor)s a ajouté une note « %(kind)s »", actor=actor, kind=kind)
    return _("%(actor)s a ajouté une note", actor=actor)


def _owner_updated(event: Event, actor: str, _context: _Context) -> str:
    after = event.after or {}
    if after.get("do_not_contact") is True:
        return _("%(actor)s a activé « Ne pas contacter » : plus aucun courrier ne sera envoyé "
                 "à ce propriétaire", actor=actor)  # fmt: skip
    if after.get("do_not_contact") is False:
        return _("%(actor)s a retiré « Ne pas contacter » : le propriétaire peut de nouveau "
                 "recevoir des courriers", actor=actor)  # fmt: skip
    return _("%(actor)s a modifié la fiche du propriétaire", actor=actor)


def _submitted(event: Event, actor: str, context: _Context) -> str:
    situation = ((event.after or {}).get("answers") or {}).get("situation")
    question = context.content.questions.get("situation")
    if situation is None or question is None:
        return _("%(actor)s a envoyé ses réponses", actor=actor)
    answer = answer_words(context.content, "situation", situation, context.locale)
    return _("%(actor)s a envoyé ses réponses (%(question)s : %(answer)s)", actor=actor,
             question=in_sentence(question.short_label[context.locale]), answer=answer)  # fmt: skip


def _sold(_event: Event, actor: str, _context: _Context) -> str:
    return _("%(actor)s a indiqué avoir vendu le logement", actor=actor)


def _not_owner(_event: Event, _actor: str, _context: _Context) -> str:
    return _("La personne qui a reçu le courrier a indiqué ne pas être le propriétaire du "
             "logement")  # fmt: skip


def _do_not_contact(_event: Event, actor: str, _context: _Context) -> str:
    return _("%(actor)s a demandé à ne plus être contacté", actor=actor)


def _callback(event: Event, actor: str, _context: _Context) -> str:
    asked = (event.after or {}).get("callback") or {}
    phone, email = asked.get("by_phone"), asked.get("by_email")
    if phone and email:
        sentence = _("%(actor)s a demandé à être rappelé, par téléphone ou par courriel",
                     actor=actor)  # fmt: skip
    elif phone:
        sentence = _("%(actor)s a demandé à être rappelé par téléphone", actor=actor)
    elif email:
        sentence = _("%(actor)s a demandé à être recontacté par courriel", actor=actor)
    else:
        sentence = _("%(actor)s a demandé à être recontacté", actor=actor)
    moments = [str(MOMENTS[m]).lower() if m in MOMENTS else str(m)
               for m in asked.get("moments") or []]  # fmt: skip
    if not moments:
        return sentence
    return _("%(sentence)s (moments préférés : %(moments)s)", sentence=sentence,
             moments=", ".join(moments))  # fmt: skip


def _callback_handled(_event: Event, actor: str, _context: _Context) -> str:
    return _("%(actor)s a rappelé le propriétaire", actor=actor)


def _revoked(event: Event, actor: str, _context: _Context) -> str:
    if (event.after or {}).get("reason") == "npai":
        return _("%(actor)s a désactivé le courrier, revenu avec la mention « N’habite pas à "
                 "l’adresse indiquée »", actor=actor)  # fmt: skip
    return _("%(actor)s a désactivé le courrier : son lien et son code ne fonctionnent plus",
             actor=actor)  # fmt: skip


def _reissued(event: Event, actor: str, _context: _Context) -> str:
    number = (event.after or {}).get("issue")
    if number is None:
        return _("%(actor)s a réédité le courrier avec de nouveaux codes", actor=actor)
    return _("%(actor)s a réédité le courrier avec de nouveaux codes (édition n° %(issue)s)",
             actor=actor, issue=number)  # fmt: skip


SENTENCES: dict[str, Callable[[Event, str, _Context], str]] = {
    "housing:status-updated": _status,
    "housing:occupancy-updated": _occupancy,
    "housing:precision-attached": _attached,
    "housing:precision-detached": _detached,
    "housing:note-created": _note,
    "owner:updated": _owner_updated,
    "response:submitted": _submitted,
    "response:sold": _sold,
    "response:not_owner": _not_owner,
    "response:do_not_contact": _do_not_contact,
    "response:callback": _callback,
    "callback:handled": _callback_handled,
    "letter:revoked": _revoked,
    "letter:reissued": _reissued,
}


def event_sentence(event: Event, context: _Context) -> str:
    """The event in a sentence; a kind without a sentence of its own, or a payload not as
    expected (an older event), gets a plain one that names the actor and the kind."""
    actor = context.actor(event.actor_kind, event.agent_id)
    write = SENTENCES.get(event.kind)
    if write is not None:
        try:
            return write(event, actor, context)
        except (KeyError, TypeError, AttributeError, ValueError):
            pass
    return _("%(actor)s a fait une modification (%(kind)s)", actor=actor, kind=event.kind)


def change_sentence(change: ResponseChange, context: _Context) -> str:
    """« Le propriétaire a changé son projet : le vendre → le prêter … »."""
    content, locale = context.content, context.locale
    words = {
        "actor": context.actor("owner", None),
        "before": answer_words(content, change.question_id,
                               (change.before or {}).get("value"), locale),
        "after": answer_words(content, change.question_id,
                              (change.after or {}).get("value"), locale),
    }  # fmt: skip
    if change.question_id == "intention":
        return _("%(actor)s a changé son projet : %(before)s → %(after)s", **words)
    if change.question_id == "situation":
        return _("%(actor)s a changé la situation du logement : %(before)s → %(after)s",
                 **words)  # fmt: skip
    question = content.questions.get(change.question_id)
    label = question.short_label[locale] if question is not None else change.question_id
    return _("%(actor)s a changé sa réponse « %(question)s » : %(before)s → %(after)s",
             question=label, **words)  # fmt: skip
