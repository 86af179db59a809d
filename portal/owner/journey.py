"""The owner's diagnostic: answers saved at every step, evaluation, and what reaches the
collectivité. Every submission and exit goes through `record_owner_return`, which writes
the Response, the Events and the dwelling's follow-up in one transaction."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import clock
from portal.agent_mail import queue_callback_notices
from portal.database import begin_write
from portal.evaluation import evaluation_for
from portal.models import Event, Letter, Response, ResponseChange, ResponseRecommendation
from portal.models.contact import CallbackRequest
from portal.models.response import DWELLING_ANSWERS
from portal.outbox import queue_mail
from portal.queue import refresh_tab
from portal.rules import Content, Evaluation
from portal.suggestions import BEFORE_FIRST_CONTACT, FIRST_CONTACT, suggestion_for

RETURNS = ("submitted", "sold", "not_owner", "do_not_contact", "callback")


def find_response(db: Session, letter: Letter, lock: bool = False) -> Response | None:
    query = select(Response).where(Response.letter_id == letter.id)
    return db.scalar(query.with_for_update() if lock else query)


def response_for(db: Session, letter: Letter, content: Content) -> Response:
    """The letter's one Response, created on first use (two tabs never make two)."""
    response = find_response(db, letter, lock=True)
    if response is not None:
        return response
    response = Response(letter_id=letter.id, collectivite_id=letter.collectivite_id,
                        answers={}, content_version=content.version)  # fmt: skip
    db.add(response)
    try:
        db.flush()
    except IntegrityError:  # created meanwhile by a concurrent request (PostgreSQL)
        db.rollback()
        begin_write(db)
        response = find_response(db, letter, lock=True)
    return response


def save_answer(db: Session, letter: Letter, content: Content, question_id: str, value):
    """Record one answer and where the owner is; committed at once (resume anywhere)."""
    begin_write(db)
    response = response_for(db, letter, content)
    _record_change(db, response, question_id, value, clock.now())
    answers = {**response.answers, question_id: value}
    evaluation = evaluation_for(content, letter, answers)
    response.answers = answers
    response.content_version = content.version
    response.current_question = evaluation.next_question
    response.progress = progress(evaluation)
    db.commit()
    return response, evaluation


def _record_change(db: Session, response: Response, question_id: str, value, now) -> None:
    """An answer already submitted that the owner changes is kept as a ResponseChange (the
    agent sees "a changé son projet : vendre → prêter"); before submission, answers are a
    draft and nothing is kept."""
    if response.submitted_at is None or question_id not in response.answers:
        return
    earlier = response.answers[question_id]
    if earlier == value:
        return
    db.add(ResponseChange(collectivite_id=response.collectivite_id, response_id=response.id,
                          question_id=question_id, before={"value": earlier},
                          after={"value": value}, changed_at=now))  # fmt: skip
    response.answers_changed_at = now


def progress(evaluation: Evaluation) -> int:
    answered = len(evaluation.answers)
    remaining = len(set(evaluation.missing) | {evaluation.next_question} - {None})
    return 100 if remaining == 0 else round(100 * answered / (answered + remaining))


def record_owner_return(db: Session, letter: Letter, content: Content, kind: str,
                        now: datetime | None = None, callback: dict | None = None,
                        receipt: tuple[str, str] | None = None) -> bool:  # fmt: skip
    """What the back-office receives when an owner submits or leaves by an exit.

    Writes the Response (answers, submitted_at), an Event per change (actor: owner), moves
    the dwelling to "Premier contact" when it was not yet followed, records the declared
    occupancy, and stores the suggested status for an agent to confirm. "Do not contact"
    sets the owner's flag; "sold" and "not owner" delete nothing and ask for a review.
    "callback" stores how to reach the owner (`callback`: phone, email, moments, note) and
    queues the e-mail `receipt` (subject, body) in the outbox, in the same transaction, with
    a notice to each of the collectivité's agents when it asked for them (notify_callbacks).
    Returns False when the same return was already recorded (a form posted twice).
    """
    if kind not in RETURNS:
        raise ValueError(f"unknown return {kind!r}")
    now = now or clock.now()
    begin_write(db)
    response = response_for(db, letter, content)
    if kind in ("sold", "not_owner"):
        _record_change(db, response, "situation", kind, now)
        response.answers = {**response.answers, "situation": kind}
    dwelling = {k: v for k, v in response.answers.items() if k in DWELLING_ANSWERS}
    recorded = {"answers": dwelling, **_suggested(response.answers)}
    if callback is not None:
        recorded["callback"] = _callback_summary(callback)
    digest = _digest(response.answers, recorded)
    if _already_recorded(db, letter, response, kind, digest, callback):
        db.rollback()
        return False
    response.return_digests = {**response.return_digests, kind: digest}
    housing, owner = letter.housing, letter.owner
    events = [_event(letter, "response:" + kind, now, None, recorded)]
    if kind == "callback":
        _save_callback(db, letter, callback, now)
        if receipt and callback.get("email"):
            queue_mail(db, callback["email"], *receipt, collectivite_id=letter.collectivite_id)
        if letter.collectivite.notify_callbacks:
            queue_callback_notices(db, letter.collectivite, response.id)
    if kind == "do_not_contact":
        if not owner.do_not_contact:
            owner.do_not_contact, owner.do_not_contact_at = True, now
            events.append(_event(letter, "owner:updated", now, {"do_not_contact": False},
                                 {"do_not_contact": True}))  # fmt: skip
    else:
        if kind != "callback":
            response.submitted_at = response.submitted_at or now
        suggestion = suggestion_for(response.answers)
        if housing.status in BEFORE_FIRST_CONTACT:
            events.append(_event(letter, "housing:status-updated", now,
                                 {"status": housing.status, "sub_status": housing.sub_status},
                                 {"status": FIRST_CONTACT, "sub_status": None}))  # fmt: skip
            housing.status, housing.sub_status = FIRST_CONTACT, None
        if suggestion and suggestion.occupancy and suggestion.occupancy != housing.occupancy:
            events.append(_event(letter, "housing:occupancy-updated", now,
                                 {"occupancy": housing.occupancy},
                                 {"occupancy": suggestion.occupancy}))  # fmt: skip
            housing.occupancy = suggestion.occupancy
    db.add_all(events)
    if kind == "submitted":
        _store_recommendations(response, evaluation_for(content, letter, response.answers))
    # A new return needs an agent's eyes again, whatever was done before.
    response.last_return_at, response.reviewed_at = now, None
    db.flush()
    refresh_tab(db, response)
    db.commit()
    return True


def _store_recommendations(response: Response, evaluation: Evaluation) -> None:
    """The aids the results page shows the owner, in its order (costs excluded)."""
    shown = [
        r.slug for r in evaluation.recommendations
        if r.status in ("applicable", "undetermined") and r.aid.kind != "cost"
    ]  # fmt: skip
    kept = {r.aid_slug: r for r in response.recommendations if r.aid_slug in shown}
    response.recommendations = [
        kept.get(slug) or ResponseRecommendation(aid_slug=slug, rank=rank)
        for rank, slug in enumerate(shown)
    ]
    for rank, recommendation in enumerate(response.recommendations):
        recommendation.rank = rank


def _suggested(answers: dict) -> dict:
    suggestion = suggestion_for(answers)
    if suggestion is None:
        return {}
    return {
        "suggested_status": suggestion.status,
        "suggested_sub_status": suggestion.sub_status,
        "suggested_occupancy": suggestion.occupancy,
        "needs_review": suggestion.needs_review,
    }


def _digest(answers: dict, recorded: dict) -> str:
    both = json.dumps([answers, recorded], sort_keys=True, default=str)
    return hashlib.sha256(both.encode()).hexdigest()


def _already_recorded(db: Session, letter: Letter, response: Response, kind: str, digest: str,
                      callback: dict | None) -> bool:  # fmt: skip
    """Whether this return repeats the latest one of its kind (a form posted twice): same
    answers and, for a call-back request, the same details, still waiting for an agent."""
    if kind == "do_not_contact":
        recorded = select(Event.id).where(Event.letter_id == letter.id,
                                          Event.kind == "response:do_not_contact")  # fmt: skip
        return db.scalar(recorded.limit(1)) is not None
    if response.return_digests.get(kind) != digest:
        return False
    if kind != "callback":
        return True
    request = db.scalar(select(CallbackRequest).where(CallbackRequest.letter_id == letter.id))
    asked = (callback.get("phone"), callback.get("email"), callback.get("moments", []),
             callback.get("note", ""))  # fmt: skip
    return request is not None and request.handled_at is None and (
        request.phone, request.email, list(request.moments), request.note) == asked  # fmt: skip


def _callback_summary(callback: dict) -> dict:
    """What the history keeps of a call-back request: how, and when; no phone or e-mail."""
    return {
        "by_phone": bool(callback.get("phone")),
        "by_email": bool(callback.get("email")),
        "moments": callback.get("moments", []),
    }


def _save_callback(db: Session, letter: Letter, details: dict, now: datetime) -> None:
    request = db.scalar(select(CallbackRequest).where(CallbackRequest.letter_id == letter.id))
    if request is None:
        request = CallbackRequest(letter_id=letter.id, collectivite_id=letter.collectivite_id)
        db.add(request)
    request.phone, request.email = details.get("phone"), details.get("email")
    request.moments, request.note = details.get("moments", []), details.get("note", "")
    request.consent_at, request.handled_at = now, None


def save_feedback(db: Session, letter: Letter, content: Content, useful: bool, comment: str):
    begin_write(db)
    response = response_for(db, letter, content)
    response.useful, response.comment = useful, comment or None
    db.commit()


def _event(letter: Letter, kind: str, now: datetime, before, after) -> Event:
    return Event(collectivite_id=letter.collectivite_id, created_at=now, actor_kind="owner",
                 kind=kind, housing_id=letter.housing_id, owner_id=letter.owner_id,
                 letter_id=letter.id, before=before, after=after)  # fmt: skip
