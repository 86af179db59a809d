"""The collectivité's settings, for its admins (403 for agents): identity, contact points,
signatories and e-mails on one page; the logo, partners and local aids on their own."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.backoffice import blueprint
from portal.backoffice.auth import login_required
from portal.backoffice.auth_log import auth_event
from portal.backoffice.logo import LogoError, read_logo
from portal.backoffice.settings import (
    SettingsError,
    add_local_aid,
    add_partner,
    contact_choices,
    remove_local_aid,
    remove_logo,
    remove_partner,
    set_logo,
    update_general,
)
from portal.backoffice.settings_forms import (
    LOGO_ERRORS,
    GeneralSettingsForm,
    LocalAidForm,
    LogoForm,
    PartnerForm,
    RemoveForm,
    general_data,
)
from portal.extensions import db
from portal.forms import SelectChoice
from portal.guidance import current_content
from portal.i18n import current_language


def admins_only() -> None:
    """Settings are for the collectivité's admins; an agent gets 403 (logged, like
    portal.backoffice.auth.admin_required)."""
    if not g.agent.is_admin:
        auth_event("access-denied", agent=g.agent.id, endpoint=request.endpoint)
        abort(403)


def saved(endpoint: str, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint), 303)


@blueprint.route("/parametres", methods=["GET", "POST"])
@login_required
def settings():
    admins_only()
    form = GeneralSettingsForm(data=general_data(g.collectivite))
    if form.validate_on_submit():
        update_general(db.session(), g.agent, g.collectivite.id, form.values())
        return saved("backoffice.settings", _("Paramètres enregistrés."))
    return render_template("backoffice/settings.html", form=form), 400 if form.errors else 200


@blueprint.route("/parametres/logo", methods=["GET", "POST"])
@login_required
def settings_logo():
    admins_only()
    form = LogoForm()
    if form.validate_on_submit():
        try:
            logo = read_logo(form.logo.data.stream)
        except LogoError as error:
            form.logo.errors.append(LOGO_ERRORS[str(error)])
        else:
            set_logo(db.session(), g.agent, g.collectivite.id, logo)
            return saved("backoffice.settings_logo", _("Logo enregistré."))
    status = 400 if form.errors else 200
    return render_template("backoffice/settings_logo.html", form=form,
                           remove_form=RemoveForm()), status  # fmt: skip


@blueprint.post("/parametres/logo/retirer")
@login_required
def settings_logo_remove():
    admins_only()
    if not RemoveForm().validate_on_submit():
        abort(400)
    remove_logo(db.session(), g.agent, g.collectivite.id)
    return saved("backoffice.settings_logo", _("Logo retiré."))


def partner_form() -> PartnerForm:
    content, locale = current_content(), current_language()
    form = PartnerForm()
    form.stands_for.choices = [
        SelectChoice(contact.id, contact.label[locale])
        for contact in content.contacts.values() if contact.id != "collectivite"
    ]  # fmt: skip
    return form


@blueprint.route("/parametres/partenaires", methods=["GET", "POST"])
@login_required
def settings_partners():
    admins_only()
    form = partner_form()
    if form.validate_on_submit():
        try:
            add_partner(db.session(), g.agent, g.collectivite.id, form.value())
            return saved("backoffice.settings_partners", _("Partenaire ajouté."))
        except SettingsError:
            db.session.rollback()
            form.name.errors.append(_("Retirez d’abord un partenaire : 30 au plus"))
    roles = {choice.value: choice.label for choice in form.stands_for.choices}
    return render_template(
        "backoffice/settings_partners.html", form=form, remove_form=RemoveForm(), roles=roles,
        partners=(g.collectivite.settings or {}).get("partners") or [],
    ), 400 if form.errors else 200  # fmt: skip


@blueprint.post("/parametres/partenaires/<partner_id>/retirer")
@login_required
def settings_partner_remove(partner_id: str):
    admins_only()
    if not RemoveForm().validate_on_submit():
        abort(400)
    if not remove_partner(db.session(), g.agent, g.collectivite.id, partner_id):
        abort(404)
    return saved("backoffice.settings_partners", _("Partenaire retiré."))


def local_aid_form() -> LocalAidForm:
    form = LocalAidForm()
    form.contact.choices = [SelectChoice(value, label)
                            for value, label in contact_choices(g.collectivite)]  # fmt: skip
    return form


@blueprint.route("/parametres/aides-locales", methods=["GET", "POST"])
@login_required
def settings_local_aids():
    admins_only()
    form = local_aid_form()
    if form.validate_on_submit():
        try:
            add_local_aid(db.session(), g.agent, g.collectivite.id, form.value())
            return saved("backoffice.settings_local_aids", _("Aide locale ajoutée."))
        except SettingsError:
            db.session.rollback()
            form.title.errors.append(_("Retirez d’abord une aide : 30 au plus"))
    contacts = dict(contact_choices(g.collectivite))
    return render_template(
        "backoffice/settings_local_aids.html", form=form, remove_form=RemoveForm(),
        aids=(g.collectivite.settings or {}).get("local_aids") or [], contacts=contacts,
    ), 400 if form.errors else 200  # fmt: skip


@blueprint.post("/parametres/aides-locales/<aid_id>/retirer")
@login_required
def settings_local_aid_remove(aid_id: str):
    admins_only()
    if not RemoveForm().validate_on_submit():
        abort(400)
    if not remove_local_aid(db.session(), g.agent, g.collectivite.id, aid_id):
        abort(404)
    return saved("backoffice.settings_local_aids", _("Aide locale retirée."))
