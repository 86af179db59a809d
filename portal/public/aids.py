"""Public pages generated from the content: /aides and /aides/<slug>."""

from __future__ import annotations

import datetime as dt

from flask import abort, render_template

from portal.guidance import current_content
from portal.i18n import current_language
from portal.public import blueprint
from portal.rules.present import present_aid


@blueprint.get("/aides/")
def aids():
    content, locale = current_content(), current_language()
    today = dt.date.today()
    described = [present_aid(aid, content, locale, today) for aid in content.aids.values()]
    described.sort(key=lambda aid: aid["title"])
    return render_template("public/aids.html", aids=described)


@blueprint.get("/aides/<slug>")
def aid(slug: str):
    content = current_content()
    if slug not in content.aids:
        abort(404)
    described = present_aid(content.aids[slug], content, current_language(), dt.date.today())
    return render_template("public/aid.html", aid=described, locale=current_language())
