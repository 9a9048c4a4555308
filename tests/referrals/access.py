from portal.referrals import services
from tests.access import ADMIN, MEMBER, Route, everyone, only


def _codes_for_earners(world) -> str:
    for role in (MEMBER, ADMIN):
        services.ensure_code(world.users[role])
    return "/referrals/qr.svg"


def _join_path(world) -> str:
    return "/join/" + services.ensure_code(world.users[MEMBER]).code


RULES = [
    Route("referrals.my_referrals", only((MEMBER, ADMIN))),
    Route("referrals.create_code", only((MEMBER, ADMIN), 302), method="POST"),
    Route("referrals.qr_download", only((MEMBER, ADMIN)), path=_codes_for_earners),
    Route("referrals.join", everyone(200), path=_join_path),
]
