from tests.access import STAFF, Route, only

RULES = [
    Route("dashboard.staff_home", only(STAFF)),  # P.STAFF_AREA
    Route("dashboard.kpis", only(STAFF)),  # P.VIEW_DASHBOARD
    Route("dashboard.export_figure", only(STAFF), path="/admin/dashboard/members/members.csv"),
]
