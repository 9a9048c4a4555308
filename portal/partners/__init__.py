"""Partners: partner organisations (contractors, suppliers, agencies, the property
manager), their accounts and contracts per development; complaints attributed to the
responsible partner, which its accounts read and answer as the partner; the partners'
monthly figures and the renewal rate (issue 11, second half).

Modules: models, services (the rules), reports (each figure one function), pages (what
the pages show), panels (the home panel and the complaint's thread panel), forms, admin
(/admin/partners), demo. The forum is reached through core hooks only: extra readers of
a thread, post badges and thread panels.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import (
        AuditTarget,
        HomePanel,
        NavItem,
        ThreadAccess,
        ThreadPanel,
        add_audit_vocabulary,
        add_demo_seeder,
        add_home_panel,
        add_nav,
        add_post_badges,
        add_thread_access,
        add_thread_panel,
    )
    from portal.partners import (
        models,  # noqa: F401  (tables for create_all and migrations)
        services,
    )
    from portal.partners.admin import bp as admin_bp
    from portal.partners.demo import seed_partners
    from portal.partners.panels import complaint_panel, partner_home_panel

    app.register_blueprint(admin_bp)
    add_nav(app, NavItem(_l("Partners"), "partners_admin.organisation_list", "admin", P.MANAGE_PARTNERS, 520))
    add_nav(app, NavItem(_l("Partner figures"), "partners_admin.figures", "admin",
                         P.VIEW_PARTNER_FIGURES, 521))
    add_home_panel(app, HomePanel("partners/_home_panel.html", partner_home_panel, 15))
    add_thread_access(app, ThreadAccess(services.partner_reads_thread, services.partner_thread_condition))
    add_thread_panel(app, ThreadPanel("partners/_complaint_panel.html", complaint_panel))
    add_post_badges(app, services.partner_badges)
    add_audit_vocabulary(app, actions={
        "partners.organisation.create": _l("Added a partner organisation"),
        "partners.organisation.update": _l("Changed a partner organisation"),
        "partners.account.add": _l("Linked an account to a partner"),
        "partners.account.remove": _l("Unlinked an account from a partner"),
        "partners.contract.create": _l("Added a partner contract"),
        "partners.contract.update": _l("Changed a partner contract"),
        "partners.complaint.attribute": _l("Attributed a complaint to a partner"),
        "partners.complaint.withdraw": _l("Withdrew a complaint's attribution"),
    }, targets={
        "partner_organisations": AuditTarget(_l("Partner"), "partners_admin.organisation_detail",
                                             "organisation_id"),
        "partner_contracts": AuditTarget(_l("Contract"), "partners_admin.contract_edit", "contract_id"),
    }, details={
        "organisation_id": _l("Partner"), "previous_organisation_id": _l("Previous partner"),
        "contract_id": _l("Contract"), "needed_repair": _l("Needed a repair (rework)"),
        "development_id": _l("Development"), "scope": _l("Scope"), "starts_on": _l("Starts on"),
        "ends_on": _l("Ends on"), "is_renewed": _l("Renewed"), "user_id": _l("Account"),
        "name": _l("Name")})
    add_demo_seeder(app, 75, seed_partners)  # after the forum (40) and sales (60)

    from portal.core.hooks import DashboardSection, add_dashboard_section
    from portal.partners import figures

    add_dashboard_section(app, DashboardSection(
        "partners", _l("Partners"), P.VIEW_PARTNER_FIGURES,
        lambda period: [figures.partner_performance(period), figures.renewal_rate(period)], 50))
