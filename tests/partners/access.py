from portal.accounts.permissions import Role
from tests import factories
from tests.access import ADMIN, MARKETING, SERVICE, Route, only
from tests.partners.helpers import homeowner_complaint, make_contract, make_organisation

MANAGERS = (SERVICE, ADMIN)  # P.MANAGE_PARTNERS
FIGURES = (SERVICE, MARKETING, ADMIN)  # P.VIEW_PARTNER_FIGURES
HANDLERS = (SERVICE, ADMIN)  # P.HANDLE_COMPLAINTS


def _organisation(suffix: str = ""):
    def build(world) -> str:
        return f"/admin/partners/{make_organisation().id}{suffix}"
    return build


def _account(world) -> str:
    organisation = make_organisation()
    user = factories.make_user(Role.PARTNER)
    return f"/admin/partners/{organisation.id}/accounts/{user.id}/remove"


def _contract(world) -> str:
    return f"/admin/partners/contracts/{make_contract(make_organisation()).id}"


def _complaint(suffix: str):
    def build(world) -> str:
        return f"/admin/partners/complaints/{homeowner_complaint().id}/attribution{suffix}"
    return build


RULES = [
    Route("partners_admin.organisation_list", only(MANAGERS)),
    Route("partners_admin.organisation_create", only(MANAGERS, 400), method="POST"),
    Route("partners_admin.organisation_detail", only(MANAGERS), path=_organisation()),
    Route("partners_admin.organisation_update", only(MANAGERS, 400), method="POST", path=_organisation()),
    Route("partners_admin.account_add", only(MANAGERS, 400), method="POST",
          path=_organisation("/accounts")),
    Route("partners_admin.account_remove", only(MANAGERS, 302), method="POST", path=_account),
    Route("partners_admin.contract_create", only(MANAGERS, 400), method="POST",
          path=_organisation("/contracts")),
    Route("partners_admin.contract_edit", only(MANAGERS), path=_contract),
    Route("partners_admin.contract_edit", only(MANAGERS, 400), method="POST", path=_contract),
    Route("partners_admin.figures", only(FIGURES)),
    Route("partners_admin.figures_csv", only(FIGURES)),
    Route("partners_admin.renewals_csv", only(FIGURES)),
    Route("partners_admin.attribute", only(HANDLERS, 302), method="POST", path=_complaint("")),
    Route("partners_admin.withdraw", only(HANDLERS, 302), method="POST", path=_complaint("/remove")),
]
