"""Demo feedback (`flask seed-demo`, order 80), made through the real services: last year's
closed satisfaction survey and this year's open one answered by demo homeowners (so the
index shows per development and per year; member@demo.club has not answered yet and can);
this year's suggestion fund with partner@demo.club's idea adopted and rewarded from it; a review
round with partners' comments and an evaluation with staff, partner and community scores.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.demo import DEMO_PASSWORD, DEVELOPMENTS, demo_user
from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.accounts.passwords import hash_password
from portal.accounts.permissions import Role
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback import rounds, suggestions, surveys
from portal.feedback.models import ASPECTS, LANGS, Survey

# (email, name, locale, development index, building, unit)
RESIDENTS = [
    ("chan.tm@residents.demo.club", "陳大明", "zh_Hant", 0, "2棟", "502"),
    ("wong.ky@residents.demo.club", "黃嘉怡", "zh_Hant", 0, "3棟", "903"),
    ("liu.yang@residents.demo.club", "刘洋", "zh_Hans", 1, "A座", "701"),
    ("zhang.min@residents.demo.club", "张敏", "zh_Hans", 1, "B座", "402"),
    ("peter.ho@residents.demo.club", "Peter Ho", "en", 2, "T1", "1004"),
]

def _q(kind: str, hant: str, hans: str, en: str, options=None, required: bool = False):
    texts = {"zh_Hant": hant, "zh_Hans": hans, "en": en}
    per_language = dict(zip(LANGS, options or ([], [], []), strict=True))
    return surveys.QuestionInput(kind, texts, per_language, required)


QUESTIONS = [
    _q("rating", "整體而言，您對業主會的服務有多滿意？", "总体而言，您对业主会的服务有多满意？",
       "Overall, how satisfied are you with the club's service?", required=True),
    _q("rating", "您對物業管理的滿意程度？", "您对物业管理的满意程度？",
       "How satisfied are you with property management?", required=True),
    _q("single", "您最常使用哪項會員禮遇？", "您最常使用哪项会员礼遇？", "Which perk do you use most?",
       (["家居服務", "餐飲優惠", "親子活動"], ["家居服务", "餐饮优惠", "亲子活动"],
        ["Home services", "Dining offers", "Family events"])),
    _q("multiple", "您希望我們改善哪些方面？", "您希望我们改善哪些方面？", "What should we improve?",
       (["維修速度", "會所設施", "社區活動", "網站"], ["维修速度", "会所设施", "社区活动", "网站"],
        ["Repair speed", "Clubhouse", "Community events", "Website"])),
    _q("text", "還有甚麼想告訴我們？", "还有什么想告诉我们？", "Anything else you would like to tell us?"),
]
# Per resident: (rating 1, rating 2, perk, improvements, comment) for last year and this year.
LAST_YEAR = [(8, 7, 0, [0], "維修師傅很有禮貌。"), (7, 6, 1, [0, 1], ""),
             (6, 6, 2, [2], "希望多些亲子活动。"), (7, 5, 0, [0, 3], ""),
             (9, 8, 1, [], "Great service overall.")]
THIS_YEAR = [(9, 8, 0, [1], "會所泳池開放時間可以延長。"), (8, 8, 2, [], ""),
             (9, 7, 1, [0], "物业回复很快，谢谢。"), (8, 9, 0, [2, 3], ""),
             (10, 9, 2, [], "The new app is easy to use.")]
INTRO = {"zh_Hant": "感謝您抽空回答，只需兩分鐘。", "zh_Hans": "感谢您抽空回答，只需两分钟。",
         "en": "Thank you for taking two minutes to answer."}


def _title(year: int) -> dict[str, str]:
    return {"zh_Hant": f"{year}年度業主滿意度調查", "zh_Hans": f"{year}年度业主满意度调查",
            "en": f"{year} homeowner satisfaction survey"}


def _residents() -> list[User]:
    password_hash = hash_password(DEMO_PASSWORD)
    people = []
    for email, name, locale, development, building, number in RESIDENTS:
        user = User(email=email, password_hash=password_hash, display_name=name, locale=locale)
        unit = db.session.scalar(select(Unit).join(Building).join(Development).where(
            Development.name == DEVELOPMENTS[development][0], Building.name == building,
            Unit.number == number))
        db.session.add(user)
        db.session.add(Ownership(user=user, unit=unit, status=OwnershipStatus.VERIFIED.value,
                                 contract_number=f"DEMO-{number}"))
        people.append(user)
    db.session.flush()
    return people


def _survey(marketing: User, year: int, opens, closes, points: int) -> Survey:
    survey = surveys.save_survey(None, surveys.SurveyInput(
        titles=_title(year), intros=INTRO,
        opens_at=opens, closes_at=closes, points=points, segment={"roles": ["member"]}), actor=marketing)
    for question in QUESTIONS:
        surveys.add_question(survey, question, actor=marketing)
    surveys.publish(survey, actor=marketing, now=opens)
    return survey


def _answer_all(survey: Survey, people: list[User], answers, at) -> None:
    questions = survey.questions
    for person, (first, second, perk, improve, comment) in zip(people, answers, strict=True):
        surveys.answer(survey, person, {questions[0].id: first, questions[1].id: second,
                                        questions[2].id: perk, questions[3].id: improve,
                                        questions[4].id: comment}, now=at)


def seed_surveys() -> list[User]:
    marketing = demo_user("marketing@demo.club")
    now = utcnow()
    people = _residents()
    last = _survey(marketing, now.year - 1, now - timedelta(days=400), now - timedelta(days=340), 300)
    _answer_all(last, people, LAST_YEAR, now - timedelta(days=380))
    current = _survey(marketing, now.year, now - timedelta(days=10), now + timedelta(days=50), 300)
    _answer_all(current, people, THIS_YEAR, now - timedelta(days=2))
    return people


def _development(index: int) -> Development:
    return db.session.scalar(select(Development).where(Development.name == DEVELOPMENTS[index][0]))


def seed_suggestions(residents: list[User]) -> None:
    """This year's fund; partner@demo.club's design idea adopted and rewarded from it, a
    homeowner's idea adopted and implemented (on the wall), one declined, one waiting."""
    service, marketing = demo_user("service@demo.club"), demo_user("marketing@demo.club")
    partner, member = demo_user("partner@demo.club"), demo_user("member@demo.club")
    suggestions.set_fund(utcnow().year, 50_000, actor=marketing)
    cloud_peak, jade_lake = _development(1), _development(0)
    idea = suggestions.submit(
        partner, development_id=cloud_peak.id, stage="design", title="Wider corridors at the lift lobby",
        body="In phase 2 the lift lobby corridor is 1.2 m wide: removal vans and wheelchairs cannot pass. "
             "We suggest 1.6 m in phase 3.")
    suggestions.start_review(idea, actor=service)
    suggestions.adopt(idea, 3000, actor=service)
    done = suggestions.submit(residents[0], development_id=jade_lake.id, stage="property_management",
                              title="會所延長開放時間", body="平日晚上會所九點已關門，希望延長至十一點。")
    suggestions.start_review(done, actor=service)
    suggestions.adopt(done, 1500, actor=service)
    suggestions.implement(done, "會所平日開放至晚上十一點（由下月起）。", actor=service)
    declined = suggestions.submit(residents[2], development_id=cloud_peak.id, stage="sales",
                                  title="样板房周末开放到晚上", body="希望样板房周末开放到晚上八点。")
    suggestions.start_review(declined, actor=marketing)
    suggestions.decline(declined, "售楼处周末晚上没有足够人手，我们会在节假日安排延长开放。", actor=marketing)
    suggestions.submit(member, development_id=jade_lake.id, stage="after_sale", title="報修進度短訊通知",
                       body="希望報修有進度時可以短訊通知，不用每次打電話查詢。")


# (email, name, locale): outside participants and another partner, as partner accounts.
PARTNERS = [
    ("committee.jadelake@partners.demo.club", "翠湖社區居民委員會", "zh_Hant"),
    ("studio@partners.demo.club", "Lin & Partners Design Studio", "en"),
]
# Scores (positioning, planning, design, construction, marketing, social impact) and comment.
EVALUATIONS = {
    "staff": [((4, 4, 4, 3, 5, 4), "銷售表現理想，但二期施工延誤。")],
    "partner": [((4, 3, 4, 3, 4, 3), "Drawings changed late; site coordination could be earlier."),
                ((5, 4, 4, 4, 4, 4), "")],
    "community": [((4, 4, 3, 3, 3, 5), "社區中心開放後鄰里活動多了。"),
                  ((3, 4, 3, 2, 3, 4), "外牆滲水維修太慢。"), ((4, 5, 4, 3, 4, 5), "")],
}


def _partner_accounts() -> list[User]:
    password_hash = hash_password(DEMO_PASSWORD)
    people = []
    for email, name, locale in PARTNERS:
        user = User(email=email, password_hash=password_hash, display_name=name, locale=locale,
                    role=Role.PARTNER.value)
        db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


def _scores(values) -> dict[str, int]:
    return dict(zip(ASPECTS, values, strict=True))


def seed_rounds(residents: list[User]) -> None:
    """A review round on Riverside One's scheme design with partner@demo.club's comment, and a
    post-project evaluation of Jade Lake Garden rated by staff, partners and the community
    (member@demo.club lives there and has not rated yet)."""
    marketing, partner = demo_user("marketing@demo.club"), demo_user("partner@demo.club")
    committee, studio = _partner_accounts()
    review = rounds.open_round(
        "review", development_id=_development(2).id, stage="scheme_design", title="濱江一號三期方案設計",
        brief="請就三期的單位間隔、會所位置和停車場出入口提出意見。", actor=marketing)
    rounds.invite(review, [partner.id, studio.id], "partner", actor=marketing)
    rounds.add_comment(review, partner, "停車場出入口設在主路口，繁忙時間會堵車，建議移到側路。")
    rounds.add_comment(review, studio, "Consider moving the clubhouse to the river side: better views, "
                                       "and the noise stays away from the towers.")
    evaluation = rounds.open_round(
        "evaluation", development_id=_development(0).id, stage="", title="翠湖花園項目後評價",
        brief="翠湖花園已交樓三年，請就以下六方面評分。", actor=marketing)
    rounds.invite(evaluation, [partner.id, studio.id], "partner", actor=marketing)
    rounds.invite(evaluation, [committee.id], "community", actor=marketing)
    raters = {"staff": [marketing], "partner": [partner, studio],
              "community": [committee, residents[0], residents[1]]}
    for group, entries in EVALUATIONS.items():
        for rater, (values, comment) in zip(raters[group], entries, strict=True):
            rounds.rate(evaluation, rater, _scores(values), comment)


def seed_feedback() -> None:
    if db.session.scalar(select(Survey.id).limit(1)) is not None:
        return
    residents = seed_surveys()
    seed_suggestions(residents)
    seed_rounds(residents)
