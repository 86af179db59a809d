"""The collectivité's letter, for its admins: sender block, signatures, wording variants
(merge fields checked, an unknown one named), and a PDF preview of the first letter."""

from __future__ import annotations

import io

from flask import abort, current_app, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import clock
from portal.backoffice import blueprint
from portal.backoffice import letter_settings as letter
from portal.backoffice.auth import login_required
from portal.backoffice.forms import ActionForm
from portal.backoffice.letter_forms import NewVariantForm, SenderForm, WordingForm, signature_form
from portal.backoffice.logo import LogoError, read_logo
from portal.backoffice.settings_forms import LOGO_ERRORS
from portal.backoffice.views.settings import admins_only, saved
from portal.experiments.wordings import letter_variants
from portal.extensions import db
from portal.i18n import current_language
from portal.letters import campaign as printed
from portal.letters import merge, pdf
from portal.letters.pdf import Recipient
from portal.models import SignatureImage

SPECIMEN_TOKEN = "apercu"  # noqa: S105 (not a secret: /l/apercu opens no letter)
# The behavioural levers a wording variant may test (portal.experiments.wordings.LEVERS).
LEVER_LABELS = {
    "control": _l("témoin"),
    "simplification": _l("simplification"),
    "social_norm": _l("norme sociale"),
    "loss_aversion": _l("aversion à la perte"),
    "local_pride": _l("fierté locale"),
    "fresh_start": _l("nouveau départ"),
    "reciprocity": _l("réciprocité"),
    "authority": _l("autorité"),
}


def _page(sender_form=None, variant_form=None, signature_forms=None, status=200):
    session, collectivite = db.session(), g.collectivite
    sender = letter.sender_of(collectivite.settings or {})
    sender_form = sender_form or SenderForm(
        formdata=None, data=sender | {"address": "\n".join(sender["address_lines"])}
    )
    signature_forms = {position: signature_form(position, formdata=None)
                       for position in (1, 2)} | (signature_forms or {})  # fmt: skip
    images = {
        s.position
        for s in session.scalars(
            select(SignatureImage).where(SignatureImage.collectivite_id == collectivite.id)
        )
    }
    signatories = (collectivite.settings or {}).get("signatories") or []
    content = letter_variants(str(current_app.config["GUIDANCE_CONTENT_PATH"]))
    return render_template(
        "backoffice/settings_letter.html", sender_form=sender_form,
        variant_form=variant_form or NewVariantForm(formdata=None),
        signature_forms=signature_forms, images=images, signatories=signatories,
        variants=letter.variants(session, collectivite.id), action_form=ActionForm(),
        content_variants=content.values(), levers=LEVER_LABELS, locale=current_language(),
    ), status  # fmt: skip


@blueprint.get("/parametres/courrier")
@login_required
def settings_letter():
    admins_only()
    return _page()


@blueprint.post("/parametres/courrier")
@login_required
def settings_letter_sender():
    admins_only()
    form = SenderForm()
    if not form.validate_on_submit():
        return _page(sender_form=form, status=400)
    letter.save_sender(db.session(), g.agent, g.collectivite.id, form.values())
    return saved("backoffice.settings_letter", _("Expéditeur enregistré."))


@blueprint.post("/parametres/courrier/variantes")
@login_required
def settings_letter_variant():
    admins_only()
    form = NewVariantForm()
    if not form.validate_on_submit():
        return _page(variant_form=form, status=400)
    return redirect(url_for("backoffice.settings_letter_wording", variant=form.variant.data), 303)


@blueprint.post("/parametres/courrier/signature/<int:position>")
@login_required
def settings_letter_signature(position: int):
    admins_only()
    if position not in (1, 2):
        abort(404)
    form = signature_form(position)
    field = form[f"signature{position}"]
    if form.validate_on_submit():
        try:
            image = read_logo(field.data.stream)
        except LogoError as error:
            field.errors.append(LOGO_ERRORS[str(error)])
        else:
            letter.set_signature(db.session(), g.agent, g.collectivite.id, position, image)
            return saved("backoffice.settings_letter", _("Signature enregistrée."))
    return _page(signature_forms={position: form}, status=400)


@blueprint.post("/parametres/courrier/signature/<int:position>/retirer")
@login_required
def settings_letter_signature_remove(position: int):
    admins_only()
    if position not in (1, 2) or not ActionForm().validate_on_submit():
        abort(400)
    letter.set_signature(db.session(), g.agent, g.collectivite.id, position, None)
    return saved("backoffice.settings_letter", _("Signature retirée."))


@blueprint.route("/parametres/courrier/texte/<variant>", methods=["GET", "POST"])
@login_required
def settings_letter_wording(variant: str):
    admins_only()
    if not letter.VARIANT.match(variant):
        abort(404)
    session = db.session()
    content_root = current_app.config["GUIDANCE_CONTENT_PATH"]
    subject, body = printed.wording(session, g.collectivite.id, content_root, variant)
    form = WordingForm(data={"subject": subject, "body": body})
    portal_text = None  # the portal's variant the form starts from, until the admin saves it
    if letter.template_of(session, g.collectivite.id, variant) is None:
        portal_text = letter_variants(str(content_root)).get(variant)
    if form.validate_on_submit():
        try:
            letter.save_wording(session, g.agent, g.collectivite.id, variant,
                                form.subject.data, form.body.data)  # fmt: skip
        except letter.LetterError as error:
            session.rollback()
            if str(error) == "unknown-field":
                field = (
                    form.body if any(f in form.body.data for f in error.fields) else form.subject
                )
                field.errors.append(
                    _(
                        "Champ inconnu : %(fields)s. Utilisez un des champs de la "
                        "liste ci-dessous.",
                        fields=", ".join(error.fields),
                    )
                )
            elif str(error) == "unbalanced_braces":
                form.body.errors.append(_("Une accolade est seule près de « %(excerpt)s » : "
                                          "un champ s’écrit {{owner.fullName}}.",
                                          excerpt=error.fields[0]))  # fmt: skip
            elif str(error) == "qr_code_not_alone":
                form.body.errors.append(_("Mettez {{letter.qrCode}} seul dans son paragraphe, "
                                          "entre deux lignes vides."))  # fmt: skip
            else:
                form.subject.errors.append(_("Vous avez déjà %(num)d variantes : modifiez-en "
                                             "une.", num=letter.MAX_VARIANTS))  # fmt: skip
        else:
            return saved("backoffice.settings_letter", _("Texte du courrier enregistré."))
    return render_template("backoffice/settings_letter_wording.html", form=form,
                           variant=variant, fields=field_descriptions(), portal_text=portal_text,
                           levers=LEVER_LABELS, locale=current_language(),
                           ), 400 if form.errors else 200  # fmt: skip


def field_descriptions() -> dict[str, str]:
    """The merge fields an agent can use, with what each prints (ZLV's, then ours)."""
    words = {
        "owner.fullName": _("le nom du propriétaire"),
        "housing.rawAddress": _("l’adresse du logement"),
        "housing.localId": _("l’identifiant fiscal national du logement"),
        "housing.invariant": _("l’invariant fiscal du logement"),
        "housing.cadastralReference": _("la référence cadastrale (vide si inconnue)"),
        "housing.plotId": _("l’identifiant de la parcelle (vide si inconnu)"),
        "housing.housingKind": _("« appartement » ou « maison »"),
        "housing.livingArea": _("la surface habitable, en m²"),
        "housing.roomsCount": _("le nombre de pièces"),
        "housing.buildingYear": _("l’année de construction"),
        "housing.vacancyStartYear": _("l’année de début de vacance"),
        "housing.energyConsumption": _("l’étiquette DPE (A à G)"),
        merge.QR_CODE: _("le QR code personnel et le code à saisir (seul dans son paragraphe)"),
        merge.CODE: _("le code personnel à saisir"),
        merge.PORTAL_ADDRESS: _("l’adresse courte du portail, où saisir le code"),
    }
    order = (*merge.ZLV_FIELDS, merge.QR_CODE, merge.CODE, merge.PORTAL_ADDRESS)
    return {name: words[name] for name in order}


@blueprint.get("/parametres/courrier/apercu/<variant>.pdf")
@login_required
def settings_letter_preview(variant: str):
    """The first letter as it would print: the collectivité's first housing and its
    principal owner, with a specimen code (it opens nothing)."""
    admins_only()
    if not letter.VARIANT.match(variant):
        abort(404)
    session, collectivite = db.session(), g.collectivite
    first = letter.first_recipient(session, collectivite.id)
    config = current_app.config
    layout = printed.layout_for(session, collectivite, _("Aperçu du courrier"),
                                clock.local_date(), config["PORTAL_BASE_URL"],
                                config["GUIDANCE_CONTENT_PATH"], variant)  # fmt: skip
    if first:
        housing, owner = first
        values, name, lines = printed.values(housing, owner), owner.full_name, owner.address_lines
    else:
        values, name = {}, _("Nom du propriétaire")
        lines = [_("Adresse du propriétaire"), "00000 " + _("Commune")]
    specimen = Recipient(owner_name=name, address_lines=tuple(lines), token=SPECIMEN_TOKEN,
                         code="0000-0000-0000-0", values=values)  # fmt: skip
    out = io.BytesIO()
    pdf.render(layout, [specimen], out)
    out.seek(0)
    return send_file(
        out, mimetype="application/pdf", max_age=0, download_name=f"apercu-courrier-{variant}.pdf"
    )
