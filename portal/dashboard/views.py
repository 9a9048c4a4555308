"""`/admin/` (the staff home), `/admin/dashboard` (KPIs with date and development filters)
and each figure's CSV. Load → check → one service call → render."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.figures import parse_period
from portal.dashboard import services

bp = Blueprint("dashboard", __name__, url_prefix="/admin")


@bp.get("/")
@require_permission(P.STAFF_AREA)
def staff_home():
    return render_template("dashboard/staff_home.html", tasks=services.tasks_for(current_user))


@bp.get("/dashboard")
@require_permission(P.VIEW_DASHBOARD)
def kpis():
    asked = parse_period(request.args)
    return render_template(
        "dashboard/kpis.html", period=asked.period, errors=asked.errors,
        developments=services.developments(),
        sections=services.sections_for(current_user, asked.period)), 400 if asked.errors else 200


@bp.get("/dashboard/<section>/<figure>.csv")
@require_permission(P.VIEW_DASHBOARD)
def export_figure(section: str, figure: str):
    asked = parse_period(request.args)
    if asked.errors:
        abort(400)
    found = services.figure_for(current_user, section, figure, asked.period)
    if found is None:
        abort(404)
    return csv_response(f"{section}-{figure}.csv", found.headers, services.csv_rows(found))
