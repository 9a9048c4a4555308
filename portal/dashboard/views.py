"""`/admin/` (the staff home), `/admin/dashboard` (KPIs with date and development filters)
and each figure's CSV. Load → check → one service call → render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.cache import Fragment, cached_fragment
from portal.core.csvexport import csv_response
from portal.core.figures import Period, parse_period
from portal.core.hooks import DashboardSection
from portal.dashboard import services

bp = Blueprint("dashboard", __name__, url_prefix="/admin")


@bp.get("/")
@require_permission(P.STAFF_AREA)
def staff_home():
    return render_template("dashboard/staff_home.html", tasks=services.tasks_for(current_user))


def _rendered_section(section: DashboardSection, period: Period) -> Fragment:
    """A section rendered, kept `DASHBOARD_CACHE_SECONDS` for every staff member who may see
    it in the same language and time zone: at 100,000 members its SQL takes far longer than
    serving the kept copy (bench/results)."""
    key = ":".join(["dashboard", section.key, *period.to_args().values(), str(get_locale()),
                    str(get_timezone())])
    return cached_fragment(key, current_app.config["DASHBOARD_CACHE_SECONDS"], lambda: render_template(
        "dashboard/_section.html", item=services.section_figures(section, period), period=period))


@bp.get("/dashboard")
@require_permission(P.VIEW_DASHBOARD)
def kpis():
    asked = parse_period(request.args)
    sections = [(section, _rendered_section(section, asked.period))
                for section in services.visible_sections(current_user)]
    return render_template(
        "dashboard/kpis.html", period=asked.period, errors=asked.errors,
        developments=services.developments(), sections=sections,
        figures_made_at=min((fragment.made_at for _, fragment in sections), default=None),
    ), 400 if asked.errors else 200


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
