from portal.accounts.permissions import Role
from portal.campaigns import services
from tests import factories
from tests.access import ADMIN, MARKETING, Route, only
from tests.campaigns.helpers import grant_input

MANAGERS = (MARKETING, ADMIN)  # P.MANAGE_CAMPAIGNS


def _campaign(suffix: str = ""):
    def build(world) -> str:
        campaign = services.save_draft(None, grant_input(), actor=factories.make_user(Role.MARKETING))
        return f"/admin/campaigns/{campaign.id}{suffix}"
    return build


RULES = [
    Route("campaigns_admin.campaign_list", only(MANAGERS)),
    Route("campaigns_admin.campaign_new", only(MANAGERS)),
    Route("campaigns_admin.campaign_new", only(MANAGERS, 400), method="POST"),
    Route("campaigns_admin.campaign_detail", only(MANAGERS), path=_campaign()),
    Route("campaigns_admin.campaign_edit", only(MANAGERS), path=_campaign("/edit")),
    Route("campaigns_admin.campaign_edit", only(MANAGERS, 400), method="POST", path=_campaign("/edit")),
    Route("campaigns_admin.campaign_launch", only(MANAGERS), path=_campaign("/launch")),
    # Marketing launches; the admin then finds it launched (409).
    Route("campaigns_admin.campaign_launch", only(MANAGERS, 302) | {ADMIN: 409}, method="POST",
          path=_campaign("/launch")),
    Route("campaigns_admin.campaign_cancel", only(MANAGERS, 302), method="POST",
          path=_campaign("/cancel")),
    Route("campaigns_admin.campaign_export", only(MANAGERS), path=_campaign("/recipients.csv")),
]
