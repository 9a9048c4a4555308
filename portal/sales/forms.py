"""Sales import forms: the upload and the confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from portal.core.forms import PortalForm


class SalesUploadForm(PortalForm):
    # The kind, size and content of the file are checked by portal.sales.parsing.
    file = FileField(_l("Sales file (CSV)"), validators=[
        FileRequired(message=_l("Choose a CSV file to upload."))])
    submit = SubmitField(_l("Upload and preview"))


class ImportConfirmForm(PortalForm):
    valid_only = BooleanField(_l("Import the valid rows only (the invalid rows are left out)"))
    submit = SubmitField(_l("Import"))
