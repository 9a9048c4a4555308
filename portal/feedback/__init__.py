"""Feedback: satisfaction surveys with a 0–100 index, the suggestion reward programme and
its yearly fund, and partners and the community judging a development (review rounds and
post-project evaluations)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import HomePanel, NavItem, add_demo_seeder, add_home_panel, add_nav
    from portal.feedback import models  # noqa: F401  (tables for create_all and migrations)
    from portal.feedback.admin_rounds import bp as evaluations_admin_bp
    from portal.feedback.admin_suggestions import bp as suggestions_admin_bp
    from portal.feedback.admin_surveys import bp as surveys_admin_bp
    from portal.feedback.demo import seed_feedback
    from portal.feedback.surveys import open_surveys_for
    from portal.feedback.views import DEFAULT_POST_LIMIT, bp

    def home_panel(user) -> dict:
        if not user.can(P.ANSWER_SURVEYS):
            return {"show": False}
        waiting = [item.survey for item in open_surveys_for(user) if not item.answered]
        return {"show": True, "surveys": waiting}

    app.config.setdefault("FEEDBACK_POST_LIMIT", DEFAULT_POST_LIMIT)
    app.register_blueprint(bp)
    app.register_blueprint(surveys_admin_bp)
    app.register_blueprint(suggestions_admin_bp)
    app.register_blueprint(evaluations_admin_bp)
    add_nav(app, NavItem(_l("Surveys"), "feedback.survey_list", "member", P.ANSWER_SURVEYS, 70))
    add_nav(app, NavItem(_l("Suggestions"), "feedback.suggestion_list", "member", P.SUBMIT_SUGGESTIONS, 75))
    add_nav(app, NavItem(_l("Surveys"), "surveys_admin.survey_list", "admin", P.MANAGE_SURVEYS, 460))
    add_nav(app, NavItem(_l("Suggestions"), "suggestions_admin.suggestion_list", "admin",
                         P.MANAGE_SUGGESTIONS, 470))
    add_nav(app, NavItem(_l("Reviews and evaluations"), "evaluations_admin.round_list", "admin",
                         P.MANAGE_EVALUATIONS, 480))
    add_nav(app, NavItem(_l("Reviews and evaluations"), "feedback.round_list", "member",
                         P.SUBMIT_SUGGESTIONS, 78))
    add_home_panel(app, HomePanel("feedback/_home_panel.html", home_panel, order=50))
    add_demo_seeder(app, 80, seed_feedback)
    _register_staff_pieces(app)


def _register_staff_pieces(app: Flask) -> None:
    """The staff home's count and the audit log's words for what feedback records."""
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import AuditTarget, StaffTask, add_audit_vocabulary, add_staff_task
    from portal.feedback.suggestions import waiting_count

    add_staff_task(app, StaffTask(_l("Suggestions waiting for review"), "suggestions_admin.suggestion_list",
                                  P.MANAGE_SUGGESTIONS, waiting_count, 60))
    add_audit_vocabulary(app, actions={
        "survey.create": _l("Created a survey"), "survey.edit": _l("Edited a survey"),
        "survey.question_add": _l("Added a survey question"),
        "survey.question_remove": _l("Removed a survey question"),
        "survey.publish": _l("Published a survey"), "survey.close": _l("Closed a survey"),
        "suggestion.review": _l("Started reviewing a suggestion"),
        "suggestion.adopt": _l("Adopted and rewarded a suggestion"),
        "suggestion.decline": _l("Did not adopt a suggestion"),
        "suggestion.implement": _l("Marked a suggestion implemented"),
        "suggestion.fund": _l("Set the suggestion fund"),
        "round.open_review": _l("Opened a review round"), "round.open_evaluation": _l("Opened an evaluation"),
        "round.invite": _l("Invited partners to a round"), "round.close": _l("Closed a round"),
        "round.adopt_comment": _l("Took up a review comment as a suggestion"),
    }, targets={
        "surveys": AuditTarget(_l("Survey"), "surveys_admin.survey_detail", "survey_id"),
        "suggestions": AuditTarget(_l("Suggestion"), "suggestions_admin.suggestion_detail", "suggestion_id"),
        "feedback_rounds": AuditTarget(_l("Review round or evaluation"), "evaluations_admin.round_detail",
                                       "round_id"),
    }, details={
        "segment": _l("Segment"), "question": _l("Question"), "questions": _l("Questions"),
        "paid": _l("Points credited"), "year": _l("Year"), "reason": _l("Reason"),
        "implementation": _l("What was changed"), "development": _l("Development"), "stage": _l("Stage"),
        "users": _l("Accounts"), "group": _l("Invited as"), "comment": _l("Comment"),
        "suggestion": _l("Suggestion"),
    })
