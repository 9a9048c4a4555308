"""Blocks partners add to other pages: the partner's figures on its home page, and the
attribution on a complaint's thread page (the form for complaint handlers, a notice for
the partner's accounts)."""

from __future__ import annotations

from portal.accounts.permissions import P
from portal.core.forms import EmptyForm
from portal.partners import pages, services
from portal.partners.forms import AttributionForm


def partner_home_panel(user) -> dict | None:
    """The partner's own monthly figures and latest complaints (partner accounts only)."""
    organisation = services.organisation_of(user)
    if organisation is None:
        return None
    return {"partner": pages.partner_panel(organisation)}


def complaint_panel(user, thread) -> dict | None:
    complaint = thread.complaint
    if complaint is None:
        return None
    if user.can(P.HANDLE_COMPLAINTS):
        development = services.complaint_development(complaint)
        # Without a unit there is no development, hence no attribution either: no query.
        attribution = services.attribution_of(complaint) if development else None
        form = AttributionForm(formdata=None)
        if attribution is not None:
            form.organisation_id.data = attribution.organisation_id
            form.needed_repair.data = attribution.needed_repair
        return {"staff": True, "complaint": complaint, "attribution": attribution,
                "development": development, "form": form, "button": EmptyForm(formdata=None),
                "partners": services.partners_on(development.id) if development else []}
    organisation = services.organisation_of(user)
    if organisation is None:
        return None
    attribution = services.attribution_of(complaint)
    if attribution is None or attribution.organisation_id != organisation.id:
        return None
    return {"staff": False, "complaint": complaint, "attribution": attribution}
