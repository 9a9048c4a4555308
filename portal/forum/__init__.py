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
    add_nav(app, NavItem(_l("Departments"), "forum_admin.departments", "admin",
                         P.MANAGE_SETTINGS, 81))
    add_home_panel(app, HomePanel("forum/_panel_complaints.html", my_complaints_panel, 20))
    add_home_panel(app, HomePanel("forum/_panel_announcements.html", announcements_panel, 40))
    add_member_admin_link(app, MemberAdminLink(_l("Forum: silence or lift"),
                                               "forum_admin.silence_member", P.MODERATE_FORUM, 60))
    add_demo_seeder(app, 40, seed_forum)

    from portal.core.hooks import MemberAdminPanel, add_member_admin_panel
    from portal.forum.member_panel import member_complaints

    add_member_admin_panel(app, MemberAdminPanel("forum/admin/_member_panel.html", member_complaints,
                                                 P.HANDLE_COMPLAINTS, 30))

    from portal.core.hooks import (
        AuditTarget,
        DashboardSection,
        StaffTask,
        add_audit_vocabulary,
        add_dashboard_section,
        add_staff_task,
    )
    from portal.forum import figures
    from portal.forum.models import Channel, ComplaintStatus, Department, Priority

    add_staff_task(app, StaffTask(_l("Complaints assigned to me"), "complaints_admin.queue",
                                  P.HANDLE_COMPLAINTS, figures.assigned_to, 10,
                                  lambda _user: {"assignee": "me"}))
    add_staff_task(app, StaffTask(_l("Overdue complaints"), "complaints_admin.queue",
                                  P.HANDLE_COMPLAINTS, figures.overdue_for, 20, figures.overdue_link))
    add_staff_task(app, StaffTask(_l("Flagged posts"), "forum_admin.flag_queue", P.MODERATE_FORUM,
                                  figures.flagged_posts, 40))
    add_dashboard_section(app, DashboardSection(
        "complaints", _l("Complaints"), P.VIEW_DASHBOARD,
        lambda period: [figures.complaint_rate(period), figures.handling(period),
                        figures.overdue_now(period), figures.handling_satisfaction(period),
                        figures.complaints_by_channel(period)], 30))
    add_audit_vocabulary(app, actions={
        "complaint.status": _l("Changed a complaint's status"),
        "complaint.assign": _l("Assigned a complaint"),
        "complaint.escalate": _l("Escalated a complaint"), "complaint.reopen": _l("Reopened a complaint"),
        "complaint.department_lead": _l("Named a department lead"),
        "complaint.department_staff.add": _l("Added a staff member to a department"),
        "complaint.department_staff.remove": _l("Took a staff member out of a department"),
        "complaint.record": _l("Recorded a complaint for a homeowner"),
        "forum.hide": _l("Hid a post"), "forum.unhide": _l("Showed a hidden post again"),
        "forum.lock": _l("Locked a thread"), "forum.unlock": _l("Unlocked a thread"),
        "forum.pin": _l("Pinned a thread"), "forum.unpin": _l("Unpinned a thread"),
        "forum.move": _l("Moved a thread"), "forum.merge": _l("Merged threads"),
        "forum.unmerge": _l("Undid a merge"), "forum.silence": _l("Silenced a member"),
        "forum.lift": _l("Lifted a silence"), "forum.flags_dismissed": _l("Dismissed reports of a post"),
        "forum.category.create": _l("Created a forum category"),
        "forum.category.update": _l("Edited a forum category"),
        "forum.canned.create": _l("Created a canned reply"),
        "forum.canned.update": _l("Edited a canned reply"),
        "forum.canned.delete": _l("Deleted a canned reply"),
    }, targets={
        "forum_threads": AuditTarget(_l("Thread"), "forum.thread_detail", "thread_id"),
        "forum_posts": AuditTarget(_l("Post"), "forum.post_link", "post_id"),
        "forum_complaints": AuditTarget(_l("Complaint")),
        "forum_categories": AuditTarget(_l("Forum category"), "forum_admin.category_edit", "category_id"),
        "forum_canned_replies": AuditTarget(_l("Canned reply"), "forum_admin.canned_edit", "reply_id"),
        "forum_sanctions": AuditTarget(_l("Silence")),
    }, details={"act": _l("Moderation act"), "flags": _l("Reports"), "department": _l("Department"),
                "target_id": _l("Other thread"), "sanction_id": _l("Silence"), "undoes": _l("Undoes"),
                "priority": _l("Priority"), "assignee": _l("Assignee"), "channel": _l("Channel"),
                "homeowner": _l("Homeowner"), "staff": _l("Staff member")},
        formats={("complaint.status", "from"): ComplaintStatus.label_of,
                 ("complaint.status", "to"): ComplaintStatus.label_of,
                 ("complaint.reopen", "from"): ComplaintStatus.label_of,
                 ("complaint.assign", "department"): Department.label_of,
                 ("complaint.assign", "priority"): Priority.label_of,
                 ("complaint.department_lead", "department"): Department.label_of,
                 ("complaint.department_staff.add", "department"): Department.label_of,
                 ("complaint.department_staff.remove", "department"): Department.label_of,
                 ("complaint.record", "channel"): Channel.label_of})
