"""Staff view of the audit log (admins only): filters, readable lines, CSV."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.audit import services
from portal.audit.models import AuditEntry
from portal.core.csvexport import csv_response
from portal.core.hooks import audit_vocabulary
from portal.core.pagination import paginate
from portal.extensions import db

bp = Blueprint("audit_admin", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50


def _actors() -> list[User]:
    """Everyone who appears as an actor in the log (a short list: staff)."""
    return list(db.session.scalars(select(User).where(
        User.id.in_(select(AuditEntry.actor_id).distinct())).order_by(User.display_name)))


@bp.get("/")
@require_permission(P.VIEW_AUDIT)
def audit_list():
    filters = services.parse_filters(request.args)
    page = paginate(services.audit_query(filters), PAGE_SIZE)
    return render_template("audit/list.html", page=page, lines=[services.line_of(e) for e in page.items],
                           filters=filters, actors=_actors(), vocabulary=audit_vocabulary()), \
        400 if filters.errors else 200


@bp.get("/export.csv")
@require_permission(P.VIEW_AUDIT)
def audit_export():
    filters = services.parse_filters(request.args)
    if filters.errors:
        abort(400)
    return csv_response("audit.csv", [_("Time"), _("Staff"), _("Action"), _("Target"), _("Details"), _("IP")],
                        services.export_rows(filters))
