from flask import current_app

from portal.accounts.services import ResetTokens
from tests import factories
from tests.access import (
    ADMIN,
    ANON,
    LOGIN,
    MEMBER,
    SERVICE,
    STAFF,
    SUSPENDED,
    Route,
    everyone,
    only,
    signed_in,
)


def _reset_link(world) -> str:
    token = ResetTokens(current_app.config["SECRET_KEY"], 3600).make(world.users[MEMBER])
    return f"/auth/reset/{token}"


def _confirm_link(world) -> str:
    return factories.make_pending_sign_up()[1]


def _pending_request(action: str):
    def build(world) -> str:
        ownership = factories.make_ownership(world.users[MEMBER], verified=False)
        return f"/admin/homes/{ownership.id}/{action}"

    return build


def _member_page(suffix: str = ""):
    def build(world) -> str:
        return f"/admin/members/{world.users[MEMBER].id}{suffix}"

    return build


RULES = [
    Route("auth.register", everyone(200) | signed_in(302, anonymous=200)),
    Route("auth.register", signed_in(302, anonymous=400), method="POST"),
    Route("auth.register_sent", everyone(200)),
    # The link's page (anyone holding the mailed token); the first POST makes the account,
    # after which the link is dead for everyone.
    Route("auth.confirm_sign_up", everyone(200), path=_confirm_link),
    Route("auth.confirm_sign_up", everyone(404) | {ANON: 302, SUSPENDED: 404}, method="POST",
          path=_confirm_link),
    Route("auth.login", everyone(200) | signed_in(302, anonymous=200)),
    Route("auth.login", signed_in(302, anonymous=400), method="POST"),
    Route("auth.logout", signed_in(302, anonymous=LOGIN), method="POST"),
    Route("auth.switch_language", everyone(302), method="POST", path="/auth/lang/en",
          data={"next": "/"}),
    Route("auth.reset_request", everyone(200)),
    Route("auth.reset_request", everyone(400), method="POST"),
    Route("auth.reset_password", everyone(200), path=_reset_link),
    Route("auth.reset_password", everyone(400), method="POST", path=_reset_link),
    Route("account.profile", signed_in(200)),
    Route("account.profile", signed_in(302), method="POST"),
    Route("account.change_password", signed_in(400), method="POST"),
    Route("account.homes", signed_in(200)),
    Route("account.homes", signed_in(400), method="POST"),
    # Staff: home verification (customer service and admins).
    Route("accounts_admin.home_queue", only((SERVICE, ADMIN))),
    # The first allowed actor approves; the next finds it decided (409).
    Route("accounts_admin.approve_home", only((SERVICE, ADMIN), 302) | {ADMIN: 409}, method="POST",
          path=_pending_request("approve")),
    Route("accounts_admin.reject_home", only((SERVICE, ADMIN), 400), method="POST",
          path=_pending_request("reject")),
    # Staff: members (every staff role may look; only admins change roles).
    Route("accounts_admin.member_list", only(STAFF)),
    Route("accounts_admin.member_detail", only(STAFF), path=_member_page()),
    Route("accounts_admin.member_role", only((ADMIN,), 400), method="POST",
          path=_member_page("/role")),
    Route("accounts_admin.member_link_unit", only((SERVICE, ADMIN), 400), method="POST",
          path=_member_page("/units")),
    Route("accounts_admin.member_status", only((ADMIN,), 400), method="POST",
          path=_member_page("/status")),
]
