"""The back-office's main navigation, in the header of every page a signed-in agent sees:
Réponses (with the count of new answers), Logements, Campagnes, and for admins Expériences,
Paramètres, Agents, Journal. Only the back-office blueprint's pages get it (not the owners'
nor the public's).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.backoffice import blueprint
from portal.backoffice.answers import new_answers_count
from portal.backoffice.auth import current_agent
from portal.extensions import db


@dataclass(frozen=True)
class Entry:
    endpoint: str
    section: str | None  # a path prefix whose pages belong to the entry (None: its page only)
    admin: bool = False


ENTRIES = (
    Entry("backoffice.queue", "/gestion/reponses"),
    Entry("backoffice.housings", "/gestion/logements"),
    Entry("backoffice.home", "/gestion/campagnes"),
    Entry("backoffice.experiments", "/gestion/experiences", admin=True),
    Entry("backoffice.settings", "/gestion/parametres", admin=True),
    Entry("backoffice.agents", "/gestion/agents", admin=True),
    Entry("backoffice.audit", None, admin=True),
)


def labels() -> dict[str, str]:
    return {
        "backoffice.queue": _("Réponses"),
        "backoffice.housings": _("Logements"),
        "backoffice.home": _("Campagnes"),
        "backoffice.experiments": _("Expériences"),
        "backoffice.settings": _("Paramètres"),
        "backoffice.agents": _("Agents"),
        "backoffice.audit": _("Journal"),
    }


def current(entry: Entry) -> str | None:
    """ "page" on the entry's own page, "true" on a page of its section, else None."""
    if request.endpoint == entry.endpoint:
        return "page"
    if entry.section and (request.path + "/").startswith(entry.section + "/"):
        return "true"
    return None


def new_count(agent) -> int:
    """One count per request, however many templates it renders (mails included)."""
    if "nav_new_count" not in g:
        g.nav_new_count = new_answers_count(db.session(), agent.collectivite_id)
    return g.nav_new_count


@blueprint.context_processor
def backoffice_navigation() -> dict:
    agent = current_agent()
    if agent is None:  # signed out, or between the password and the second factor
        return {"backoffice_navigation": None}
    words = labels()
    items = []
    for entry in ENTRIES:
        if entry.admin and not agent.is_admin:
            continue
        item = {"text": words[entry.endpoint], "href": url_for(entry.endpoint),
                "current": current(entry)}  # fmt: skip
        if entry.endpoint == "backoffice.queue":
            count = new_count(agent)
            item["badge"] = ngettext("%(num)d nouvelle", "%(num)d nouvelles", count)
        items.append(item)
    return {"backoffice_navigation": {"label": _("Menu principal"), "items": items}}
