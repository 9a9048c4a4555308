from tests.access import ADMIN, HOMEOWNERS, MEMBER, Route, only


def _member_points(world) -> str:
    return f"/admin/members/{world.users[MEMBER].id}/points"


RULES = [
    Route("points.overview", only(HOMEOWNERS)),
    Route("points.gift_points", only(HOMEOWNERS)),
    Route("points.gift_points", only(HOMEOWNERS, 400), method="POST"),
    Route("points_admin.overview", only((ADMIN,))),
    Route("points_admin.member_points", only((ADMIN,)), path=_member_points),
    Route("points_admin.member_points", only((ADMIN,), 400), method="POST", path=_member_points),
    Route("points_admin.settings", only((ADMIN,))),
    Route("points_admin.settings", only((ADMIN,), 400), method="POST"),
]
