from tests.access import ADMIN, Route, only

RULES = [
    Route("audit_admin.audit_list", only((ADMIN,))),
    Route("audit_admin.audit_export", only((ADMIN,))),
]
