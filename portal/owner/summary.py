"""The owner's results as a PDF to keep: the same facts as /resultats, in the page's language.

Only what the letter shows of the owner appears (the dwelling's address): never the owner's
name, nor the phone or e-mail typed in a call-back request.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Response, current_app, g, redirect
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import clock
from portal.guidance import current_content
from portal.i18n import current_language
from portal.owner import blueprint
from portal.owner.access import letter_required
from portal.owner.diagnostic import results_detour, submitted_evaluation
from portal.owner.results import results_in_words
from portal.owner.summary_pdf import Bullets, Heading, Paragraph, Summary, render
from portal.rules.present import answers_in_words
from portal.templating import longdate

FILENAME = "resume-logement-vacant.pdf"


@blueprint.get("/resultats/resume.pdf")
@letter_required
def results_pdf():
    content, locale = current_content(), current_language()
    evaluation = submitted_evaluation(content)
    if detour := results_detour(evaluation):
        return redirect(detour, 303)
    summary = summary_for(g.letter, content, evaluation, locale, clock.now(),
                          current_app.config["PORTAL_BASE_URL"])  # fmt: skip
    pdf = render(summary, Path(current_app.static_folder) / "fonts")
    headers = {"Content-Disposition": f'attachment; filename="{FILENAME}"',
               "Cache-Control": "no-store"}  # fmt: skip
    return Response(pdf, mimetype="application/pdf", headers=headers)


def summary_for(letter, content, evaluation, locale: str, now: datetime, base_url: str):
    """The summary's words: what the results page says, with the answers and the sources."""
    colon = content.wording["colon"][locale]
    collectivite = letter.collectivite
    dwelling = f"{_('Votre logement')}{colon}{letter.housing.address}"
    title = _("Les aides qui pourraient vous correspondre")
    service = _("Portail propriétaires")
    answers = answers_in_words(content, evaluation.answers, locale)
    blocks = [
        Paragraph(collectivite.name, strong=True),
        Heading(title, level=1),
        Paragraph(dwelling),
        Paragraph(_("Résumé établi le %(date)s", date=longdate(now))),
        Paragraph(
            _("Vos réponses sont transmises à %(collectivite)s", collectivite=collectivite.name),
            strong=True,
        ),
        Paragraph(
            _(
                "Un agent les lira. Ces résultats sont une première orientation : seul "
                "l’organisme qui verse une aide décide de votre éligibilité."
            )
        ),
        Paragraph(
            _(
                "Ce portail ne vous demandera jamais vos coordonnées bancaires, un mot de passe "
                "ou un paiement."
            )
        ),
        Heading(_("Vos réponses")),
        Bullets(
            tuple(f"{question.short_label[locale]}{colon}{text}" for question, text in answers)
        ),
        *results_blocks(results_in_words(evaluation, content, locale)),
        Heading(_("Parler à quelqu’un")),
        Paragraph(
            _("Un agent de votre collectivité peut vous rappeler pour en parler, gratuitement.")
        ),
        *contact_point_blocks(collectivite.contact_points or []),
    ]
    return Summary(
        title=f"{title} – {collectivite.name}",
        author=collectivite.name,
        subject=dwelling,
        creator=service,
        locale=locale,
        created=now,
        blocks=blocks,
        footer=f"{service} – {base_url}/",
    )


def results_blocks(shown: dict) -> list:
    """The results page's parts in its order, details unfolded (paper cannot fold): what
    fits best, the advice, the routes numbered in ranked order (alternatives as one
    choice), the costs."""
    best = shown["best"]
    if best:
        best_line = f"{_('Ce qui vous correspond le mieux :')} {best['title']}"
        blocks = [Paragraph(best_line, strong=True)]
        if best["amount"]:
            blocks.append(Paragraph(best["amount"]["text"]))
    elif shown["routes"]:
        to_check = ngettext(
            "D’après vos réponses, rien n’est encore sûr : la piste ci-dessous est à vérifier "
            "avec un conseiller.",
            "D’après vos réponses, rien n’est encore sûr : les %(num)d pistes ci-dessous sont "
            "à vérifier avec un conseiller.",
            shown["others"],
        )
        blocks = [Paragraph(to_check)]
    else:
        no_aid = _(
            "D’après vos réponses, aucune aide nationale ne semble correspondre à votre "
            "situation. Votre collectivité peut vous conseiller."
        )
        blocks = [Paragraph(no_aid)]
    for item in shown["advice"]:
        blocks += [Heading(item["title"]), *item_blocks(item)]
    if shown["routes"]:
        blocks.append(Heading(_("Ce qui pourrait vous aider")))
    for rank, route in enumerate(shown["routes"], start=1):
        members = route["items"] + route["companions"]
        if route["heading"]:
            blocks += [Heading(f"{rank}. {route['heading']}", level=3), Paragraph(route["text"])]
            for item in members:
                blocks += [Heading(item["title"], level=4), *item_blocks(item)]
            continue
        first, *companions = members
        blocks += [Heading(f"{rank}. {first['title']}", level=3), *item_blocks(first)]
        for item in companions:
            blocks += [Heading(item["title"], level=4), *item_blocks(item)]
    if shown["costs"]:
        blocks.append(Heading(_("Ce que coûte un logement qui reste vide")))
    for item in shown["costs"]:
        blocks += [Heading(item["title"], level=3), *item_blocks(item)]
    return blocks


def item_blocks(item: dict) -> list:
    """One aid as its card on the results page shows it, with its details and dated
    sources."""
    blocks = [Paragraph(_("À vérifier"), strong=True)] if item["to_verify"] else []
    blocks.append(Paragraph(item["summary"]))
    if item["amount"]:
        blocks.append(Paragraph(item["amount"]["text"], strong=True))
    for title in item["comes_with"]:
        blocks.append(Paragraph(_("Possible seulement avec « %(title)s ».", title=title)))
    for title in item["opens"]:
        text = _("Avec cette aide, vous pourrez aussi demander « %(title)s ».", title=title)
        blocks.append(Paragraph(text))
    if item["why"]:
        blocks += [Paragraph(_("Pourquoi :"), lead=True), Bullets(tuple(item["why"]))]
    if item["to_check"]:
        lead = _("À vérifier avec %(contact)s :", contact=item["check_with"])
        blocks += [Paragraph(lead, lead=True), Bullets(tuple(item["to_check"]))]
    if item["gives"]:
        blocks.append(Paragraph(f"{_('Ce que cela vous apporte :')} {item['gives']}"))
    if item["obligations"]:
        blocks += [Paragraph(_("En échange :"), lead=True), Bullets(tuple(item["obligations"]))]
    if item["contacts"]:
        contacts = [
            _joined(contact["label"], contact["phone"], contact["email"], url=contact["url"])
            for contact in item["contacts"]
        ]
        blocks += [Paragraph(_("À qui s’adresser :"), lead=True), Bullets(tuple(contacts))]
    if item["confidence"] != "ok":
        unconfirmed = _(
            "À vérifier : une partie de ces informations vient d’une source non officielle ou "
            "n’est pas encore confirmée."
        )
        blocks.append(Paragraph(unconfirmed))
    if item["sources"]:
        sources = [(_source_text(source), source["url"]) for source in item["sources"]]
        blocks += [Paragraph(_("Sources :"), lead=True), Bullets(tuple(sources))]
    return blocks


def contact_point_blocks(contact_points: list[dict]) -> list:
    """The collectivité's own contacts, as the owner's landing page gives them."""
    if not contact_points:
        return []
    lines = []
    for contact in contact_points:
        phone, email, hours = contact.get("phone"), contact.get("email"), contact.get("hours")
        parts = [
            contact.get("label"),
            f"{_('Téléphone :')} {phone}" if phone else None,
            f"{_('Courriel :')} {email}" if email else None,
            contact.get("address"),
            f"{_('Horaires :')} {hours}" if hours else None,
        ]
        lines.append(_joined(*parts))
    return [Paragraph(_("Vos interlocuteurs"), strong=True, lead=True), Bullets(tuple(lines))]


def _source_text(source: dict) -> str:
    checked_on = longdate(date.fromisoformat(source["checked_on"]))
    text = f"{source['title']}, {_('vérifiée le %(date)s', date=checked_on)}"
    if source["confidence"] == "uncertain":
        text += f" ({_('à confirmer')})"
    elif source["confidence"] == "3p":
        text += f" ({_('source unique, non officielle')})"
    return text


def _joined(*parts: str | None, url: str | None = None):
    text = " — ".join(part for part in parts if part)
    return (text, url) if url else text
