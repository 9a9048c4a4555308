from tests.access import (
    ADMIN,
    ALLOWED,
    ANON,
    LOGIN,
    MARKETING,
    MEMBER,
    PARTNER,
    SERVICE,
    Route,
    only,
    signed_in,
)
from tests.feedback.helpers import make_survey, marketing

SURVEY_MANAGERS = (MARKETING, ADMIN)  # P.MANAGE_SURVEYS


def _survey(prefix: str, suffix: str = "", publish: bool = True):
    def build(world) -> str:
        survey = make_survey(publish=publish, actor=marketing())
        return f"{prefix}/{survey.id}{suffix}"
    return build


def _question(world) -> str:
    survey = make_survey(publish=False, actor=marketing())
    return f"/admin/surveys/{survey.id}/questions/{survey.questions[0].id}/remove"


# Staff are never in a survey's audience: the page says so with a 403.
ANSWERING = {ANON: LOGIN, MEMBER: 200, PARTNER: 200, SERVICE: 403, MARKETING: 403, ADMIN: 403}

RULES = [
    Route("feedback.survey_list", signed_in()),
    Route("feedback.survey_detail", ANSWERING, path=_survey("/surveys")),
    Route("feedback.survey_detail", {**ANSWERING, MEMBER: 400, PARTNER: 400}, method="POST",
          path=_survey("/surveys")),
    Route("feedback.survey_thanks", signed_in(ALLOWED), path=_survey("/surveys", "/thanks")),
    Route("surveys_admin.survey_list", only(SURVEY_MANAGERS)),
    Route("surveys_admin.survey_new", only(SURVEY_MANAGERS)),
    Route("surveys_admin.survey_new", only(SURVEY_MANAGERS, ALLOWED), method="POST"),
    Route("surveys_admin.survey_detail", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", publish=False)),
    Route("surveys_admin.survey_edit", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", "/edit", publish=False)),
    Route("surveys_admin.survey_edit", only(SURVEY_MANAGERS, ALLOWED), method="POST",
          path=_survey("/admin/surveys", "/edit", publish=False)),
    Route("surveys_admin.question_add", only(SURVEY_MANAGERS, ALLOWED), method="POST",
          path=_survey("/admin/surveys", "/questions", publish=False)),
    Route("surveys_admin.question_remove", only(SURVEY_MANAGERS, ALLOWED), method="POST", path=_question),
    Route("surveys_admin.survey_publish", only(SURVEY_MANAGERS, ALLOWED), method="POST",
          path=_survey("/admin/surveys", "/publish", publish=False)),
    Route("surveys_admin.survey_close", only(SURVEY_MANAGERS, ALLOWED), method="POST",
          path=_survey("/admin/surveys", "/close")),
    Route("surveys_admin.survey_results", only(SURVEY_MANAGERS), path=_survey("/admin/surveys", "/results")),
    Route("surveys_admin.survey_export", only(SURVEY_MANAGERS),
          path=_survey("/admin/surveys", "/responses.csv")),
]
