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
