"""Surveys with their answers, and suggestions with their rewards and funds (see `bench.club`)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from bench.club.base import VERIFIED, Club, Member, between
from bench.rows import Credits, insert_rows, next_id
from portal.accounts.models import User
from portal.core.i18n import N_
from portal.extensions import db
from portal.feedback import surveys as survey_services
from portal.feedback.demo import INTRO, QUESTIONS
from portal.feedback.models import (
    QuestionKind,
    Suggestion,
    SuggestionFund,
    SuggestionStage,
    SuggestionStatus,
    SurveyAnswer,
    SurveyResponse,
)
from portal.points.models import LedgerKind

COMMENTS = ["維修師傅很有禮貌。", "希望多些亲子活动。", "會所泳池開放時間可以延長。",
            "物业回复很快，谢谢。", "The new app is easy to use.", "停車場照明需要改善。"]
DECLINE_REASONS = ["與現行規劃不符", "成本过高，暂不考虑", "Already planned for next year"]
IMPLEMENTATIONS = ["已於大堂加裝指示牌", "已增加夜间巡逻次数", "The lobby lights were replaced"]
# (titles, opened days ago, closes in days (negative: closed), points); the first of the open
# ones the bench member answered, the last is theirs to answer.
SURVEYS = [
    (lambda y: (f"{y - 2}年度業主滿意度調查", f"{y - 2}年度业主满意度调查",
                f"{y - 2} homeowner satisfaction survey"), 700, -640, 200),
    (lambda y: (f"{y - 1}年度業主滿意度調查", f"{y - 1}年度业主满意度调查",
                f"{y - 1} homeowner satisfaction survey"), 400, -340, 200),
    (lambda y: ("會所設施意見調查", "会所设施意见调查", "Clubhouse facilities survey"), 200, -150, 100),
    (lambda y: (f"{y}年度業主滿意度調查", f"{y}年度业主满意度调查",
                f"{y} homeowner satisfaction survey"), 20, 40, 300),
    (lambda y: ("社區活動意見調查", "社区活动意见调查", "Community events survey"), 5, 60, 150),
]
RATINGS, RATING_WEIGHTS = list(range(11)), [1, 1, 1, 2, 3, 5, 8, 14, 20, 18, 12]
# Ten campaigns in a row: grants and bonus rules in each state (50 at 100,000 members).

# --- surveys -------------------------------------------------------------------------------------


def choose_answers(questions: list, rng: random.Random) -> dict[int, object]:
    """What a member answers (question id → the value the form posts; "" left empty)."""
    chosen: dict[int, object] = {}
    for question in questions:
        if question.kind == QuestionKind.RATING:
            chosen[question.id] = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        elif question.kind == QuestionKind.SINGLE:
            chosen[question.id] = rng.randrange(len(question.options))
        elif question.kind == QuestionKind.MULTIPLE:
            chosen[question.id] = sorted(rng.sample(range(len(question.options)), rng.randint(0, 2)))
        else:
            chosen[question.id] = rng.choice(COMMENTS) if rng.random() < 0.2 else ""
    return chosen


def answer_rows(response_id: int, questions: list, chosen: dict[int, object]) -> list[dict]:
    """The answer rows `feedback.surveys.answer` stores for these values: one per rating,
    text and chosen option, none for an optional question left empty."""
    rows = []
    for question in questions:
        value = chosen[question.id]
        row = {"response_id": response_id, "question_id": question.id, "rating": None,
               "option": None, "text": ""}
        if question.kind == QuestionKind.RATING:
            rows.append({**row, "rating": value})
        elif question.kind == QuestionKind.SINGLE:
            rows.append({**row, "option": value})
        elif question.kind == QuestionKind.MULTIPLE:
            rows.extend({**row, "option": option} for option in value)
        elif value:
            rows.append({**row, "text": value})
    return rows


def survey_credit(survey: dict, member: Member, at: datetime, credits: Credits) -> None:
    credits.add(member.id, survey["points"], kind=LedgerKind.SURVEY,
                reason=N_("Survey answered: %(title)s"),
                params={"title": survey["titles"].get(member.locale) or survey["titles"]["zh_Hant"]},
                key=f"survey:{survey['id']}:member:{member.id}", source_type="surveys",
                source_id=survey["id"], at=at)


def make_surveys(club: Club, responses: int, credits: Credits) -> int:
    """The surveys, through the survey builder; their answers set-based. Returns responses."""
    rng, now = club.rng, club.now
    staff = db.session.get(User, club.staff_id)
    verified = [m for m in club.members.values() if m.status == VERIFIED]
    response_rows, answers = [], []
    response_id = next_id(SurveyResponse.id)
    for n, (titles, opened, closes, points) in enumerate(SURVEYS):
        opens_at, closes_at = now - timedelta(days=opened), now + timedelta(days=closes)
        survey = survey_services.save_survey(None, survey_services.SurveyInput(
            titles=dict(zip(("zh_Hant", "zh_Hans", "en"), titles(now.year), strict=True)),
            intros=INTRO, opens_at=opens_at, closes_at=closes_at, points=points,
            segment={"verified": "yes"}), actor=staff)
        for question in QUESTIONS:
            survey_services.add_question(survey, question, actor=staff)
        survey_services.publish(survey, actor=staff, now=opens_at)
        questions = list(survey.questions)
        info = {"id": survey.id, "points": points, "titles": survey.texts("title"),
                "open": closes > 0}
        club.surveys.append(info)
        eligible = [m for m in verified if m.created_at < opens_at and m.id != club.bench_id]
        bench_answered = n != len(SURVEYS) - 1  # all but the last
        people = rng.sample(eligible, min(len(eligible), responses // len(SURVEYS) - bench_answered))
        if bench_answered:
            people.append(club.members[club.bench_id])
        for member in people:
            at = between(rng, opens_at, min(closes_at, now))
            response_rows.append({"id": response_id, "survey_id": survey.id, "member_id": member.id,
                                  "development_id": club.development_of(member),
                                  "submitted_at": at, "points": points})
            answers.extend(answer_rows(response_id, questions, choose_answers(questions, rng)))
            survey_credit(info, member, at, credits)
            response_id += 1
    insert_rows(SurveyResponse, response_rows)
    insert_rows(SurveyAnswer, answers, size=20_000)
    db.session.commit()
    return len(response_rows)


# --- suggestions ---------------------------------------------------------------------------------


def adopt(club: Club, row: dict, points: int, at: datetime, credits: Credits) -> None:
    """`feedback.suggestions.adopt` on a suggestion row: the reward from the year's fund,
    credited to the author (no bonus rule for suggestions runs in the seeded club)."""
    row.update(status=SuggestionStatus.ADOPTED.value, decided_at=at, decided_by_id=club.staff_id,
               reward_points=points, paid_points=points, fund_year=at.year)
    credits.add(row["author_id"], points, kind=LedgerKind.SUGGESTION,
                reason=N_("Suggestion adopted: %(title)s"), params={"title": row["title"]},
                key=f"suggestion:{row['id']}:reward", source_type="suggestions",
                source_id=row["id"], actor_id=club.staff_id, at=at)


def make_suggestions(club: Club, count: int, texts, credits: Credits) -> int:
    """Suggestions in every status; each year's fund holds what it paid and a margin.
    `texts`: the forum's pool of bodies (rendered as the services render them) and titles."""
    rng, now = club.rng, club.now
    authors = [m for m in club.members.values() if m.status == VERIFIED]
    stages = [stage.value for stage in SuggestionStage]
    statuses = [s.value for s in SuggestionStatus]
    weights = [25, 20, 20, 25, 10]  # submitted, under review, adopted, not adopted, implemented
    bench = club.members[club.bench_id]
    rows = []
    suggestion_id = next_id(Suggestion.id)
    for n in range(count):
        author = bench if n < 4 else rng.choice(authors)
        status = (SuggestionStatus.SUBMITTED, SuggestionStatus.UNDER_REVIEW, SuggestionStatus.ADOPTED,
                  SuggestionStatus.IMPLEMENTED)[n].value if n < 4 else rng.choices(statuses, weights)[0]
        decided = status not in (SuggestionStatus.SUBMITTED, SuggestionStatus.UNDER_REVIEW)
        start = max(author.created_at, now - timedelta(days=700))
        created = between(rng, start, now - timedelta(days=100 if decided else 1))
        body, html, *_ = texts.body(rng)
        row = {"id": suggestion_id, "author_id": author.id,
               "development_id": club.place[author.unit_id][1], "stage": rng.choice(stages),
               "title": rng.choice(texts.titles), "body": body, "body_html": html,
               "status": status, "created_at": created, "reviewed_at": None, "decided_at": None,
               "decided_by_id": None, "reward_points": 0, "paid_points": 0, "fund_year": None,
               "reason": "", "implementation": "", "implemented_at": None}
        suggestion_id += 1
        if status != SuggestionStatus.SUBMITTED:
            row["reviewed_at"] = created + timedelta(days=rng.randint(1, 5))
        if decided:
            at = row["reviewed_at"] + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
            if status == SuggestionStatus.NOT_ADOPTED:
                row.update(decided_at=at, decided_by_id=club.staff_id,
                           reason=rng.choice(DECLINE_REASONS))
            else:
                adopt(club, row, rng.choice([200, 300, 500, 1000, 2000]), at, credits)
                if status == SuggestionStatus.IMPLEMENTED:
                    row.update(status=status, implementation=rng.choice(IMPLEMENTATIONS),
                               implemented_at=at + timedelta(days=rng.randint(10, 60)))
        rows.append(row)
    awarded = Counter()
    for row in rows:
        if row["fund_year"]:
            awarded[row["fund_year"]] += row["reward_points"]
    awarded.setdefault(now.year, 0)
    funds = [{"year": year, "budget": -(-(points + max(20_000, points // 5)) // 10_000) * 10_000,
              "awarded": points, "updated_at": now} for year, points in sorted(awarded.items())]
    insert_rows(Suggestion, rows)
    insert_rows(SuggestionFund, funds)
    db.session.commit()
    return len(rows)
