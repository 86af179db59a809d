"""The forms of the import pages: the upload, and the buttons that confirm or restart."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from portal.forms import PortalForm
from portal.forms.fields import FileField

ACCEPT = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"


class ImportForm(PortalForm):
    file = FileField(_l("Fichier des logements"))

    def validate_file(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choisissez un fichier XLSX ou CSV"))


class ConfirmForm(PortalForm):
    """A button only (confirm the import, or restart a failed job): the CSRF token."""
