from portal.referrals import services
from tests.access import ADMIN, MARKETING, MEMBER, SERVICE, SILENCED, VERIFIED, Route, everyone, only
from tests.referrals.helpers import make_referral

VIEWERS = (SERVICE, MARKETING, ADMIN)  # P.VIEW_REFERRALS
DECIDERS = (SERVICE, ADMIN)  # P.RECORD_PURCHASES


def _codes_for_earners(world) -> str:
    for role in (MEMBER, ADMIN, VERIFIED, SILENCED):
        services.ensure_code(world.users[role])
    return "/referrals/qr.svg"


def _join_path(world) -> str:
    return "/join/" + services.ensure_code(world.users[MEMBER]).code


def _referral(suffix: str = ""):
    def build(world) -> str:
        return f"/admin/referrals/{make_referral().id}{suffix}"
    return build


RULES = [
    Route("referrals.my_referrals", only((MEMBER, ADMIN))),
    Route("referrals.create_code", only((MEMBER, ADMIN), 302), method="POST"),
    Route("referrals.qr_download", only((MEMBER, ADMIN)), path=_codes_for_earners),
    Route("referrals.join", everyone(200), path=_join_path),
    Route("referrals_admin.referral_list", only(VIEWERS)),
    Route("referrals_admin.report", only(VIEWERS)),
    Route("referrals_admin.export_csv", only(VIEWERS)),
    Route("referrals_admin.referral_detail", only(VIEWERS), path=_referral()),
    Route("referrals_admin.log_visit", only(DECIDERS, 400), method="POST", path=_referral("/visit")),
    Route("referrals_admin.record_purchase", only(DECIDERS, 400), method="POST",
          path=_referral("/purchase")),
    Route("referrals_admin.reject", only(DECIDERS, 400), method="POST", path=_referral("/reject")),
    Route("referrals_admin.cancel", only(DECIDERS, 400), method="POST", path=_referral("/cancel")),
    Route("referrals_admin.rule", only((ADMIN,))),
    Route("referrals_admin.rule", only((ADMIN,), 400), method="POST"),
]
