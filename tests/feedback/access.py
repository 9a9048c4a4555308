from tests.access import (
    ADMIN,
    ANON,
    LOGIN,
    MARKETING,
    MEMBER,
    PARTNER,
    SERVICE,
    VERIFIED,
    Route,
    only,
    owner_only,
    signed_in,
)
from tests.feedback.helpers import make_round, make_suggestion, make_survey, marketing, reviewer
from tests.forum.helpers import file_storage

SURVEY_MANAGERS = (MARKETING, ADMIN)  # P.MANAGE_SURVEYS
REVIEWERS = (SERVICE, MARKETING, ADMIN)  # P.MANAGE_SUGGESTIONS


def _survey(prefix: str, suffix: str = "", publish: bool = True):
    def build(world) -> str:
        survey = make_survey(publish=publish, actor=marketing())
        return f"{prefix}/{survey.id}{suffix}"
    return build


def _question(world) -> str:
    survey = make_survey(publish=False, actor=marketing())
    return f"/admin/surveys/{survey.id}/questions/{survey.questions[0].id}/remove"


def _suggestion(prefix: str, suffix: str = "", status: str = "submitted"):
    def build(world) -> str:
        suggestion = make_suggestion(world.users[MEMBER])
        if status != "submitted":
            from portal.feedback import suggestions

            suggestions.start_review(suggestion, actor=reviewer())
        return f"{prefix}/{suggestion.id}{suffix}"
    return build


def _photo(suffix: str = ""):
    def build(world) -> str:
        suggestion = make_suggestion(world.users[MEMBER], photos=[file_storage()])
        return f"/suggestions/photos/{suggestion.photos[0].id}{suffix}"
    return build


# The author (MEMBER) and reviewing staff see a suggestion under review; others get 404.
SEEN_BY_AUTHOR = owner_only(200, staff={SERVICE: 200, MARKETING: 200, ADMIN: 200})

EVALUATORS = (MARKETING, ADMIN)  # P.MANAGE_EVALUATIONS


def _round(prefix: str, suffix: str = "", kind: str = "review"):
    """A round the world's partner is invited to."""
    def build(world) -> str:
        from portal.feedback import rounds

        staff = marketing()
        round_ = make_round(kind, actor=staff)
        rounds.invite(round_, [world.users[PARTNER].id], "partner", actor=staff)
        return f"{prefix}/{round_.id}{suffix}"
    return build


def _round_file(suffix: str = ""):
    def build(world) -> str:
        from portal.feedback import rounds

        staff = marketing()
        round_ = make_round(actor=staff)
        rounds.invite(round_, [world.users[PARTNER].id], "partner", actor=staff)
        comment = rounds.add_comment(round_, world.users[PARTNER], "See photo", [file_storage()])
        return f"/rounds/files/{comment.files[0].id}{suffix}"
    return build


def _comment(world) -> str:
    from portal.feedback import rounds

    staff = marketing()
    round_ = make_round(actor=staff)
    rounds.invite(round_, [world.users[PARTNER].id], "partner", actor=staff)
    return f"/admin/evaluations/comments/{rounds.add_comment(round_, world.users[PARTNER], 'Idea').id}/adopt"


INVITED_PARTNER = {ANON: LOGIN, MEMBER: 403, PARTNER: 200, SERVICE: 403, MARKETING: 403, ADMIN: 403}
FILE_SEEN = {ANON: LOGIN, MEMBER: 404, PARTNER: 200, SERVICE: 404, MARKETING: 200, ADMIN: 200}
# An evaluation: staff rate as staff; the world's member has no home in the development.
# A verified homeowner of the development (the world's) may rate.
RATERS = {ANON: LOGIN, MEMBER: 403, PARTNER: 400, SERVICE: 400, MARKETING: 400, ADMIN: 400,
          VERIFIED: 400}

# Staff are never in a survey's audience: the page says so with a 403.
ANSWERING = {ANON: LOGIN, MEMBER: 200, PARTNER: 200, SERVICE: 403, MARKETING: 403, ADMIN: 403}

RULES = [
    Route("feedback.survey_list", signed_in()),
    Route("feedback.survey_detail", ANSWERING, path=_survey("/surveys"),
          object_rule="the survey's audience (never staff)"),
    Route("feedback.survey_detail", {**ANSWERING, MEMBER: 400, PARTNER: 400}, method="POST",
          path=_survey("/surveys"),
          object_rule="the survey's audience (never staff)"),
    Route("feedback.survey_thanks", signed_in(302), path=_survey("/surveys", "/thanks")),
    Route("surveys_admin.survey_list", only(SURVEY_MANAGERS)),
    Route("surveys_admin.survey_new", only(SURVEY_MANAGERS)),
    Route("surveys_admin.survey_new", only(SURVEY_MANAGERS, 400), method="POST"),
    Route("surveys_admin.survey_detail", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", publish=False)),
    Route("surveys_admin.survey_edit", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", "/edit", publish=False)),
    Route("surveys_admin.survey_edit", only(SURVEY_MANAGERS, 400), method="POST",
          path=_survey("/admin/surveys", "/edit", publish=False)),
    Route("surveys_admin.question_add", only(SURVEY_MANAGERS, 400), method="POST",
          path=_survey("/admin/surveys", "/questions", publish=False)),
    # Marketing removes the question; the admin then finds none (404).
    Route("surveys_admin.question_remove", only(SURVEY_MANAGERS, 302) | {ADMIN: 404}, method="POST",
          path=_question),
    Route("surveys_admin.survey_publish", only(SURVEY_MANAGERS, 302), method="POST",
          path=_survey("/admin/surveys", "/publish", publish=False)),
    Route("surveys_admin.survey_close", only(SURVEY_MANAGERS, 302), method="POST",
          path=_survey("/admin/surveys", "/close")),
    Route("surveys_admin.survey_results", only(SURVEY_MANAGERS), path=_survey("/admin/surveys", "/results")),
    Route("surveys_admin.survey_export", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", "/responses.csv")),
    Route("feedback.suggestion_list", signed_in()),
    Route("feedback.suggestion_new", signed_in()),
    Route("feedback.suggestion_new", signed_in(400), method="POST"),
    Route("feedback.suggestion_detail", SEEN_BY_AUTHOR, path=_suggestion("/suggestions")),
    Route("feedback.suggestion_photo", SEEN_BY_AUTHOR, path=_photo()),
    Route("feedback.suggestion_photo_thumb", SEEN_BY_AUTHOR, path=_photo("/thumb")),
    Route("suggestions_admin.suggestion_list", only(REVIEWERS)),
    Route("suggestions_admin.fund_set", only(REVIEWERS, 400), method="POST"),
    Route("suggestions_admin.suggestion_detail", only(REVIEWERS), path=_suggestion("/admin/suggestions")),
    Route("suggestions_admin.suggestion_review", only(REVIEWERS, 302), method="POST",
          path=_suggestion("/admin/suggestions", "/review")),
    Route("suggestions_admin.suggestion_adopt", only(REVIEWERS, 400), method="POST",
          path=_suggestion("/admin/suggestions", "/adopt", "under_review")),
    Route("suggestions_admin.suggestion_decline", only(REVIEWERS, 400), method="POST",
          path=_suggestion("/admin/suggestions", "/decline", "under_review")),
    Route("suggestions_admin.suggestion_implement", only(REVIEWERS, 400), method="POST",
          path=_suggestion("/admin/suggestions", "/implement", "under_review")),
    Route("feedback.round_list", signed_in()),
    Route("feedback.round_detail", INVITED_PARTNER, path=_round("/rounds"),
          object_rule="invited partners only"),
    Route("feedback.round_comment", {**INVITED_PARTNER, PARTNER: 400}, method="POST",
          path=_round("/rounds", "/comments"),
          object_rule="invited partners only"),
    Route("feedback.round_evaluate", RATERS, method="POST",
          path=_round("/rounds", "/evaluation", "evaluation"),
          object_rule="staff and homeowners of the development"),
    Route("feedback.round_file", FILE_SEEN, path=_round_file()),
    Route("feedback.round_file_thumb", FILE_SEEN, path=_round_file("/thumb")),
    Route("evaluations_admin.round_list", only(EVALUATORS)),
    Route("evaluations_admin.round_new", only(EVALUATORS)),
    Route("evaluations_admin.round_new", only(EVALUATORS, 400), method="POST"),
    Route("evaluations_admin.round_detail", only(EVALUATORS), path=_round("/admin/evaluations")),
    Route("evaluations_admin.round_detail", only(EVALUATORS),
          path=_round("/admin/evaluations", kind="evaluation")),
    Route("evaluations_admin.round_invite", only(EVALUATORS, 400), method="POST",
          path=_round("/admin/evaluations", "/invite")),
    Route("evaluations_admin.round_close", only(EVALUATORS, 302), method="POST",
          path=_round("/admin/evaluations", "/close")),
    Route("evaluations_admin.comment_adopt", only(EVALUATORS, 302), method="POST", path=_comment),
]
