"""The notification settings form (a user's own)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from portal.core.forms import PortalForm
from portal.notifications.models import StaffEmails


class NotificationSettingsForm(PortalForm):
    staff_emails = RadioField(
        _l("Staff alerts by e-mail"), choices=StaffEmails.choices(),
        validators=[InputRequired(message=_l("Choose one of the options."))],
        description=_l("Alerts about complaints of your departments and complaints assigned "
                       "to you always appear in the portal; choose which also come by e-mail."))
    submit = SubmitField(_l("Save"))
