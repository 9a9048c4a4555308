"""Point campaigns: marketing grants points to a segment, or boosts rewards for a while."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.campaigns import execution, models  # noqa: F401  (tables and jobs)
    from portal.campaigns.admin import bp as admin_bp
    from portal.campaigns.bonus import campaign_bonus
    from portal.campaigns.cli import campaigns_cli
    from portal.campaigns.demo import seed_campaigns
    from portal.core.hooks import NavItem, add_demo_seeder, add_nav
    from portal.core.rewards import add_reward_modifier

    app.register_blueprint(admin_bp)
    app.cli.add_command(campaigns_cli)
    add_nav(app, NavItem(_l("Campaigns"), "campaigns_admin.campaign_list", "admin", P.MANAGE_CAMPAIGNS, 450))
    add_reward_modifier(app, campaign_bonus)
    add_demo_seeder(app, 70, seed_campaigns)

    from portal.campaigns.reports import running_count
    from portal.core.hooks import AuditTarget, StaffTask, add_audit_vocabulary, add_staff_task

    add_staff_task(app, StaffTask(_l("Campaigns running"), "campaigns_admin.campaign_list",
                                  P.MANAGE_CAMPAIGNS, running_count, 50))
    add_audit_vocabulary(app, actions={
        "campaign.create": _l("Created a campaign"), "campaign.edit": _l("Edited a campaign"),
        "campaign.launch": _l("Launched a campaign"), "campaign.start": _l("A scheduled campaign started"),
        "campaign.finish": _l("A campaign finished"), "campaign.cancel": _l("Cancelled a campaign"),
        "campaign.refused": _l("A grant was refused (over budget)"),
    }, targets={"campaigns": AuditTarget(_l("Campaign"), "campaigns_admin.campaign_detail", "campaign_id")},
        details={"audience": _l("Audience"), "budget": _l("Budget (points)"), "spent": _l("Points spent"),
                 "reached": _l("Members reached"), "processed": _l("Processed"),
                 "scheduled_for": _l("Scheduled for"), "kind": _l("Kind"), "points": _l("Points")})
