"""What staff see of surveys: responses and rate, per-question figures, the satisfaction
index, free-text answers, the CSV; and the club's index per year beside complaint handling
satisfaction.

The satisfaction index is the mean of every rating answer (0–10) of the rating questions,
scaled to 0–100 (rating / 10 × 100), computed from SUM and COUNT so it is exact before
the one rounding to one decimal. Per development means the development of the member's
verified home when they answered; per year, the year the answer was submitted (UTC).
A constant number of GROUP BY queries per page, whatever the number of responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select

from portal.accounts.models import Development, User
from portal.core.charts import BarChart, horizontal_bars
from portal.core.i18n import in_reader_script
from portal.extensions import db
from portal.feedback.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from portal.forum.complaints import complaint_satisfaction
from portal.segments.builder import audience_of, parse_segment

TEXTS_SHOWN = 50  # free-text answers per question on the page (all of them in the CSV)


def index_of(total: int, count: int) -> float | None:
    """Mean rating (total / count, on 0–10) scaled to 0–100, one decimal; None without answers."""
    return round(total * 10 / count, 1) if count else None


@dataclass(frozen=True)
class IndexFigure:
    key: object  # a development name, a year, or "" overall
    answers: int
    index: float | None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0  # responses that answered it
    average: float | None = None  # rating questions, 0–10
    counts: list[int] = field(default_factory=list)  # per rating value 0–10 or per option
    labels: list[object] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    chart: BarChart | None = None


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    responses: int
    audience: int
    index: float | None
    rating_answers: int
    by_development: list[IndexFigure]
    by_year: list[IndexFigure]
    questions: list[QuestionResult]
    development_chart: BarChart

    @property
    def rate(self) -> float | None:
        """Responses per member of the audience now, as a fraction."""
        return self.responses / self.audience if self.audience else None


def _rating_rows(*where):
    return (select(func.coalesce(func.sum(SurveyAnswer.rating), 0), func.count(SurveyAnswer.rating))
            .select_from(SurveyAnswer)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyQuestion.kind == QuestionKind.RATING.value, SurveyAnswer.rating.is_not(None),
                   *where))


def _by_development(*where) -> list[IndexFigure]:
    key = SurveyResponse.development_id
    rows = db.session.execute(
        _rating_rows(*where).add_columns(key, Development.name)
        .outerjoin(Development, Development.id == key).group_by(key, Development.name)
        .order_by(Development.name)).all()
    return [IndexFigure(name or _l("No verified home"), count, index_of(total, count))
            for total, count, _id, name in rows]


def _by_year(*where) -> list[IndexFigure]:
    key = extract("year", SurveyResponse.submitted_at)
    rows = db.session.execute(_rating_rows(*where).add_columns(key).group_by(key).order_by(key)).all()
    return [IndexFigure(int(year), count, index_of(total, count)) for total, count, year in rows]


def results_of(survey: Survey, locale: str) -> SurveyResults:
    """Everything the results page shows for one survey."""
    mine = SurveyResponse.survey_id == survey.id
    responses = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(mine)) or 0
    audience = audience_of(parse_segment(survey.segment)).size
    total, count = db.session.execute(_rating_rows(mine)).one()
    by_development, by_year = _by_development(mine), _by_year(mine)

    results = {q.id: QuestionResult(q) for q in survey.questions}
    answered = db.session.execute(
        select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id).where(mine)
        .group_by(SurveyAnswer.question_id)).all()
    for question_id, n in answered:
        if question_id in results:
            results[question_id].answered = n
    for result in results.values():
        question = result.question
        if question.kind == QuestionKind.RATING:
            result.counts, result.labels = [0] * 11, [str(v) for v in range(11)]
        elif question.is_choice:
            result.counts, result.labels = [0] * len(question.options), question.option_labels(locale)
    value = func.coalesce(SurveyAnswer.rating, SurveyAnswer.option)
    distribution = db.session.execute(
        select(SurveyAnswer.question_id, value, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(mine, value.is_not(None)).group_by(SurveyAnswer.question_id, value)).all()
    for question_id, answer_value, n in distribution:
        result = results.get(question_id)
        if result is not None and 0 <= answer_value < len(result.counts):
            result.counts[answer_value] = n
    text_ids = [q.id for q in survey.questions if q.kind == QuestionKind.TEXT]
    for question_id in text_ids:
        results[question_id].texts = list(db.session.scalars(
            select(SurveyAnswer.text).where(SurveyAnswer.question_id == question_id, SurveyAnswer.text != "")
            .order_by(SurveyAnswer.id.desc()).limit(TEXTS_SHOWN)))
    for result in results.values():
        if result.question.kind == QuestionKind.RATING:
            n = sum(result.counts)
            result.average = round(sum(v * c for v, c in enumerate(result.counts)) / n, 2) if n else None
        if result.counts:
            result.chart = horizontal_bars(result.question.text(locale),
                                           list(zip(result.labels, result.counts, strict=True)))
    development_chart = horizontal_bars(_l("Satisfaction index per development"),
                                        [(f.key, f.index) for f in by_development], top=100)
    return SurveyResults(survey, responses, audience, index_of(total, count), count, by_development,
                         by_year, list(results.values()), development_chart)


# --- the club's index ---------------------------------------------------------------------

@dataclass(frozen=True)
class YearFigures:
    year: int
    survey: IndexFigure | None
    complaints_score: float | None
    complaint_ratings: int


@dataclass(frozen=True)
class ClubIndex:
    """Every survey's rating answers, per year and per development, beside the complaint
    handling satisfaction of the same year / development (0–100)."""

    overall: float | None
    answers: int
    complaints_score: float | None
    complaint_ratings: int
    years: list[YearFigures]
    developments: list[tuple[IndexFigure, float | None, int]]
    chart: BarChart


def club_index() -> ClubIndex:
    total, count = db.session.execute(_rating_rows()).one()
    complaints = complaint_satisfaction()
    by_year = {f.key: f for f in _by_year()}
    complaint_years = {f.key: f for f in complaint_satisfaction("year")}
    years = []
    for year in sorted(set(by_year) | {k for k in complaint_years if k is not None}):
        rating = complaint_years.get(year)
        years.append(YearFigures(year, by_year.get(year), rating.score if rating else None,
                                 rating.ratings if rating else 0))
    names = {development_id: in_reader_script(name) for development_id, name
             in db.session.execute(select(Development.id, Development.name))}
    survey_devs = {}
    key = SurveyResponse.development_id
    for total_d, count_d, dev_id in db.session.execute(
            _rating_rows().add_columns(key).group_by(key)).all():
        survey_devs[dev_id] = IndexFigure(names.get(dev_id) or _l("No verified home"), count_d,
                                          index_of(total_d, count_d))
    complaint_devs = {f.key: f for f in complaint_satisfaction("development")}
    developments = []
    for dev_id in sorted(set(survey_devs) | set(complaint_devs), key=lambda d: (d is None, names.get(d, ""))):
        figure = survey_devs.get(dev_id) or IndexFigure(names.get(dev_id) or _l("No verified home"), 0, None)
        rating = complaint_devs.get(dev_id)
        developments.append((figure, rating.score if rating else None, rating.ratings if rating else 0))
    values = []
    for year in years:
        values.append((_l("%(year)s survey index", year=year.year),
                       year.survey.index if year.survey else None))
        values.append((_l("%(year)s complaint handling", year=year.year), year.complaints_score))
    return ClubIndex(index_of(total, count), count, complaints[0].score if complaints else None,
                     complaints[0].ratings if complaints else 0, years, developments,
                     horizontal_bars(_l("Satisfaction index per year"), values, top=100))


# --- CSV -----------------------------------------------------------------------------------

def export_header(survey: Survey, locale: str) -> list[object]:
    return [_l("Response"), _l("Member ID"), _l("Member"), _l("Development"), _l("Submitted at (UTC)"),
            _l("Points"), *[q.text(locale) for q in survey.questions]]


def export_rows(survey: Survey, locale: str) -> Iterator[list[object]]:
    """One row per response, answers in question order (choices by their label, joined by "; ")."""
    questions = list(survey.questions)
    labels = {q.id: q.option_labels(locale) for q in questions}
    rows = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.member_id, User.display_name, Development.name,
               SurveyResponse.submitted_at, SurveyResponse.points,
               SurveyAnswer.question_id, SurveyAnswer.rating, SurveyAnswer.option, SurveyAnswer.text)
        .join(User, User.id == SurveyResponse.member_id)
        .outerjoin(Development, Development.id == SurveyResponse.development_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id, SurveyAnswer.id).execution_options(yield_per=2000))
    current, head, cells = None, [], {}
    for (response_id, member_id, name, development, submitted_at, points,
         question_id, rating, option, text) in rows:
        if response_id != current:
            if current is not None:
                yield [*head, *["; ".join(cells.get(q.id, [])) for q in questions]]
            current, cells = response_id, {}
            head = [response_id, member_id, name, development or "",
                    submitted_at.isoformat(timespec="seconds"), points]
        if question_id is None:
            continue
        if rating is not None:
            value = str(rating)
        elif option is not None:
            options = labels.get(question_id, [])
            value = options[option] if 0 <= option < len(options) else str(option)
        else:
            value = text
        cells.setdefault(question_id, []).append(value)
    if current is not None:
        yield [*head, *["; ".join(cells.get(q.id, [])) for q in questions]]
