"""Forum and complaints: categories, threads, posts, photos, the complaint workflow with
its service-level clocks, moderation and search (ARCHITECTURE.md, "Complaint handling").

Modules: models (a package), rules (who sees and does what), services (writing),
reading (what the pages show), complaints (a package: workflow, SLA clocks, escalation
and its periodic sweep, staff queue), moderation, search, views (members), staff_panel,
admin and moderation_admin (staff), cli, demo.
"""

from flask import Flask

# Per member, whatever IP: threads and replies share this budget.
DEFAULT_POST_LIMIT = "10 per minute;200 per day"


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import (
        HomePanel,
        MemberAdminLink,
        NavItem,
        add_demo_seeder,
        add_home_panel,
        add_member_admin_link,
        add_nav,
        add_unmanaged_schema,
    )
    from portal.forum import moderation_admin  # noqa: F401  (routes on admin.bp)
    from portal.forum.admin import bp as admin_bp
    from portal.forum.admin import complaints_bp
    from portal.forum.cli import complaints_cli, forum_cli
    from portal.forum.demo import seed_forum
    from portal.forum.display import init_display
    from portal.forum.panels import announcements_panel, my_complaints_panel
    from portal.forum.search import UNMANAGED_SCHEMA, install_schema_events
    from portal.forum.views import bp

    app.config.setdefault("FORUM_POST_LIMIT", DEFAULT_POST_LIMIT)
    install_schema_events()
    init_display(app)
    add_unmanaged_schema(app, *UNMANAGED_SCHEMA)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(complaints_bp)
    app.cli.add_command(complaints_cli)
    app.cli.add_command(forum_cli)

    add_nav(app, NavItem(_l("Forum"), "forum.forum_index", "member", None, 30,
                         icon="chat-square-text"))
    add_nav(app, NavItem(_l("Complaints"), "complaints_admin.queue", "admin", P.HANDLE_COMPLAINTS, 20))
    add_nav(app, NavItem(_l("Flagged posts"), "forum_admin.flag_queue", "admin", P.MODERATE_FORUM, 25))
    add_nav(app, NavItem(_l("Moderation log"), "forum_admin.act_list", "admin", P.MODERATE_FORUM, 26))
    add_nav(app, NavItem(_l("Canned replies"), "forum_admin.canned_list", "admin",
                         P.HANDLE_COMPLAINTS, 27))
    add_nav(app, NavItem(_l("Forum categories"), "forum_admin.category_list", "admin",
                         P.MANAGE_SETTINGS, 80))
    add_nav(app, NavItem(_l("Department leads"), "forum_admin.departments", "admin",
                         P.MANAGE_SETTINGS, 81))
    add_home_panel(app, HomePanel("forum/_panel_complaints.html", my_complaints_panel, 20))
    add_home_panel(app, HomePanel("forum/_panel_announcements.html", announcements_panel, 40))
    add_member_admin_link(app, MemberAdminLink(_l("Forum: silence or lift"),
                                               "forum_admin.silence_member", P.MODERATE_FORUM, 60))
    add_demo_seeder(app, 40, seed_forum)
