"""The "Logements" page and "Créer une campagne" from it.

- GET /gestion/logements: the collectivité's housings, filtered by the URL, with counts and
  pages of 50; one POST form around the table carries the ticked housings (`logement`).
- /gestion/logements/campagne: the campaign's name, description and send date, with how
  many letters it makes and how many housings are left out, before it is created.
  The selection travels without putting ids in the URL: the ticked ids are POSTed (from
  the list: `etape=selection`, then in hidden fields); "tous les logements filtrés" is the
  filter in the query string (`tous=1`), read again when the campaign is created.
  Created → 303 to the campaign's page.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from portal import clock
from portal.backoffice import blueprint
from portal.backoffice.audit import log_access
from portal.backoffice.auth import login_required
from portal.backoffice.housing_forms import (
    FILTER_FIELDS,
    KINDS,
    CampaignForm,
    CheckedCampaignForm,
    HousingFilterForm,
    HousingSelectionForm,
)
from portal.backoffice.housings import communes, housing_page, known_ids, matching_ids
from portal.backoffice.paging import pagination
from portal.campaigns.build import CampaignError, create_campaign, recipients
from portal.campaigns.schedule import set_send_date
from portal.database import begin_write
from portal.extensions import db
from portal.guidance import current_content
from portal.models.zlv import STATUSES


def commune_names() -> dict[str, str]:
    return {code: commune.name for code, commune in current_content().communes.items()}


def filter_form(formdata) -> HousingFilterForm:
    """The list's filter from `formdata` (the URL, or a posted form's hidden fields),
    validated: fields in error are shown and left out."""
    form = HousingFilterForm(formdata=formdata)
    form.fill_communes(communes(db.session(), g.collectivite.id), commune_names())
    form.validate()
    return form


def page_number(formdata) -> int:
    value = formdata.get("page", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 9 else 1


@blueprint.get("/logements")
@login_required
def housings():
    return render_housings(request.args)


def render_housings(formdata, status: int = 200, selection_form=None):
    """The list for the filter and page in `formdata`; `selection_form` when the ticked
    housings were refused (status 400, the ticks kept)."""
    form = filter_form(formdata)
    session, collectivite_id = db.session(), g.collectivite.id
    this_year = clock.local_date().year
    page = housing_page(session, collectivite_id, form.housing_filter(this_year),
                        page_number(formdata))  # fmt: skip
    owner_ids = sorted({row.owner_id for row in page.rows if row.owner_id})
    if owner_ids:  # owners' names were read: logged like a page of the queue
        log_access(session, g.agent, "list", count=len(owner_ids),
                   detail={"page": "logements", "owner_ids": owner_ids})  # fmt: skip
    selection = selection_form or HousingSelectionForm(formdata=None)
    args = form.query_args()
    return render_template(
        "backoffice/housings.html", form=form, page=page, args=args,
        selection_form=selection, forms=[selection], ticked=set(selection.logement.data or ()),
        statuses=STATUSES, kinds=KINDS,
        pagination=pagination(page.number, page.pages, "backoffice.housings", **args),
        names=commune_names(),
        format_number=format_number,
    ), 400 if form.errors or selection_form else status  # fmt: skip


def back_to_list(args: dict):
    return redirect(url_for("backoffice.housings", **args), 303)


def preview(ids: list[int]) -> dict:
    """What the campaign would be: letters, and housings left out and why."""
    pairs, do_not_contact, no_owner = recipients(db.session(), g.collectivite.id, ids)
    return {"housings": len(ids), "letters": len(pairs), "do_not_contact": do_not_contact,
            "no_owner": no_owner}  # fmt: skip


def scoped(ids: list[int]) -> list[int]:
    """The ticked ids, all of them the collectivité's housings; 404 otherwise (a foreign id
    is answered like one that does not exist)."""
    if len(known_ids(db.session(), g.collectivite.id, ids)) != len(ids):
        abort(404)
    return ids


@blueprint.route("/logements/campagne", methods=["GET", "POST"])
@login_required
def new_campaign():
    if request.args.get("tous") == "1":
        return campaign_of_filter()
    if request.method == "GET":
        return back_to_list({})
    filters = filter_form(request.form).query_args()
    if request.form.get("etape") == "selection":  # from the list: the ticked housings
        selection = HousingSelectionForm()
        if not selection.validate_on_submit():
            return render_housings(request.form, 400, selection_form=selection)
        ids = scoped(selection.logement.data)
        return render_new(CheckedCampaignForm(formdata=None), ids, filters)
    form = CheckedCampaignForm()
    if form.validate_on_submit():
        return create(form, scoped(form.logement.data), filters)
    if form.logement.errors:  # a forged selection: the list shows why
        selection = HousingSelectionForm()
        selection.validate()
        return render_housings(request.form, 400, selection_form=selection)
    return render_new(form, scoped(form.logement.data), filters, 400)


def campaign_of_filter():
    """Every housing of the filter in the query string."""
    filters = filter_form(request.args)
    if filters.errors:
        # The filter's own parameters only (url_for reads _external, _scheme… itself).
        return back_to_list({name: request.args.getlist(name) for name in FILTER_FIELDS
                             if name in request.args})  # fmt: skip
    args = filters.query_args()
    ids = matching_ids(db.session(), g.collectivite.id,
                       filters.housing_filter(clock.local_date().year))  # fmt: skip
    if not ids:
        flash(_("Aucun logement ne correspond à ces filtres."), "warning")
        return back_to_list(args)
    form = CampaignForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "POST" and form.validate_on_submit():
        return create(form, ids, args, every=True)
    return render_new(form, ids, args, 400 if form.errors else 200, every=True)


def render_new(form, ids: list[int], filters: dict, status: int = 200, every: bool = False):
    action = (url_for("backoffice.new_campaign", tous="1", **filters) if every
              else url_for("backoffice.new_campaign"))  # fmt: skip
    return render_template(
        "backoffice/new_campaign.html", form=form, ids=[] if every else ids, every=every,
        action=action, filters=filters, preview=preview(ids), format_number=format_number,
    ), status  # fmt: skip


def create(form: CampaignForm, ids: list[int], filters: dict, every: bool = False):
    """Create the campaign and its letters, move the housings if the send date is reached,
    and go to the campaign's page."""
    session = db.session()
    begin_write(session)  # the recipients are read under the write lock
    try:
        built = create_campaign(session, g.collectivite.id, g.agent.id, form.titre.data,
                                form.description.data or "", None, ids)  # fmt: skip
    except CampaignError as error:
        session.rollback()
        if str(error) == "title":
            form.titre.errors.append(_("Indiquez le nom de la campagne"))
            return render_new(form, ids, filters, 400, every)
        flash(_("Aucun logement de la sélection ne peut recevoir de courrier : choisissez "
                "d’autres logements."), "error")  # fmt: skip
        return back_to_list(filters)
    moved = set_send_date(session, built.campaign, form.date_envoi.data)
    session.commit()
    left_out = built.do_not_contact + built.no_owner
    sentences = [ngettext("Campagne créée avec %(count)s courrier.",
                          "Campagne créée avec %(count)s courriers.",
                          built.letters, count=format_number(built.letters))]  # fmt: skip
    if left_out:
        sentences.append(ngettext("%(count)s logement laissé de côté.",
                                  "%(count)s logements laissés de côté.",
                                  left_out, count=format_number(left_out)))  # fmt: skip
    if moved:
        sentences.append(ngettext("%(count)s logement est passé à « En attente de retour ».",
                                  "%(count)s logements sont passés à « En attente de retour ».",
                                  moved, count=format_number(moved)))  # fmt: skip
    flash(" ".join(sentences), "success")
    return redirect(url_for("backoffice.campaign", campaign_id=built.campaign.id), 303)
