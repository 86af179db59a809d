"""The queue's filter form (GET: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from portal.backoffice.answers import QueueFilter
from portal.forms import DateField, PortalForm, SelectChoice, SelectField, StringField, optional
from portal.models.response import QUEUE_TABS


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False

    campaign = SelectField(_l("Campagne"), validators=[Optional()], placeholder=_l("Toutes"))
    commune = SelectField(_l("Commune"), validators=[Optional()], placeholder=_l("Toutes"))
    aid = SelectField(_l("Solution présentée"), validators=[Optional()], placeholder=_l("Toutes"))
    situation = SelectField(_l("Situation déclarée"), validators=[Optional()],
                            placeholder=_l("Toutes"))  # fmt: skip
    callback = SelectField(
        _l("Demande de rappel"),
        validators=[Optional()],
        placeholder=_l("Indifférent"),
        choices=[SelectChoice("oui", _l("Oui")), SelectChoice("non", _l("Non"))],
    )
    since = DateField(_l("Retour depuis le"), validators=[Optional()])
    until = DateField(_l("Retour jusqu’au"), validators=[Optional()])
    order = SelectField(
        _l("Trier par"),
        validators=[Optional()],
        placeholder=False,
        choices=[
            SelectChoice("return", _l("Date du retour, la plus récente d’abord")),
            SelectChoice("callback", _l("Demandes de rappel d’abord")),
        ],
    )
    q = StringField(
        _l("Rechercher un propriétaire ou une adresse"),
        validators=optional(200, _l("200 caractères au plus")),
    )

    def fill_choices(self, campaigns, communes, content, locale: str) -> None:
        self.campaign.choices = [SelectChoice(str(id_), title) for id_, title in campaigns]
        self.commune.choices = [
            SelectChoice(code, f"{content.communes[code].name} ({code})"
                         if code in content.communes else code)
            for code in communes
        ]  # fmt: skip
        self.aid.choices = [
            SelectChoice(aid.slug, aid.title[locale])
            for aid in content.aids.values() if aid.kind != "cost"
        ]  # fmt: skip
        situation = content.questions.get("situation")
        self.situation.choices = [
            SelectChoice(option.value, option.label[locale])
            for option in (situation.options if situation else ())
        ]

    def queue_filter(self, tab: str | None) -> QueueFilter:
        """The filter asked for; call after `validate()` (invalid fields are left out)."""

        def valid(field):
            return None if field.errors else field.data or None

        campaign = valid(self.campaign)
        callback = valid(self.callback)
        return QueueFilter(
            tab=tab if tab in QUEUE_TABS else "new",
            campaign_id=int(campaign) if campaign else None,
            insee_code=valid(self.commune),
            aid_slug=valid(self.aid),
            situation=valid(self.situation),
            callback=None if callback is None else callback == "oui",
            since=valid(self.since),
            until=valid(self.until),
            search=valid(self.q),
            order=valid(self.order) or "return",
        )

    def query_args(self) -> dict[str, str]:
        """The filter as URL parameters (for tabs, pages and export links)."""
        args = {}
        for name in ("campaign", "commune", "aid", "situation", "callback", "since", "until", "q",
                     "order"):  # fmt: skip
            field = self[name]
            if field.data and not field.errors:
                args[name] = (
                    field.data.isoformat() if hasattr(field.data, "isoformat") else str(field.data)
                )
        return args
