"""Staff view of the audit log (admins only)."""

from flask import Blueprint, render_template, request

from portal.accounts.permissions import P, require_permission
from portal.audit.services import audit_query
from portal.core.pagination import paginate

bp = Blueprint("audit_admin", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50


@bp.get("/")
@require_permission(P.VIEW_AUDIT)
def audit_list():
    action = request.args.get("action", "").strip()[:64]
    page = paginate(audit_query(action or None), PAGE_SIZE)
    return render_template("audit/list.html", page=page, action=action)
