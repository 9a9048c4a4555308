"""Staff view of the audit log (admins only)."""

from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from portal.accounts.permissions import P, require_permission
from portal.audit.models import AuditEntry
from portal.audit.services import audit_query
from portal.extensions import db

bp = Blueprint("audit_admin", __name__, url_prefix="/admin/audit")


@bp.get("/")
@require_permission(P.VIEW_AUDIT)
def audit_list():
    action = request.args.get("action", "").strip()[:64]
    query = audit_query(action or None).options(selectinload(AuditEntry.actor))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("audit/list.html", page=page, action=action)
