"""The rest of the club for the benchmark seed: referrals, imported sales, surveys,
suggestions and campaigns, set-based, as the services would have left them.

Each part prepares dict rows with explicit ids and inserts them in chunks; every point it
pays goes into `Credits`, which `seed.make_ledger` writes as ledger rows with their lots
(balances, lifetime earned and the monthly totals follow). What the services decide is
decided here the same way and checked afterwards (`check_club`): the referral reward rule
and its yearly cap, the survey points once per member, the suggestion fund never
overspent, a grant's audience being its segment's.

- referrals: codes, invitees who registered with them (within the hour of joining, before
  owning anything), some visited, some rejected, and the converted ones bought the home an
  imported sales file recorded — the conversion as `referrals.lifecycle.record_purchase`
  writes it at the import (rewards, capped; the invitee's ownership verified);
- imported sales: one batch a month as `sales.staging` and `sales.importer` leave a done
  import (rows, counts, result, cursor), purchases of referred buyers, of other members
  (their claims verified as `accounts.bulk.record_bought_homes` does), of outsiders, and a
  few contracts that came in cancelled;
- surveys made and published through `feedback.surveys` (the demo's questions), answered
  by verified members once each, the completion points credited once;
- suggestions in every status, the adopted ones rewarded from their year's fund;
- campaigns in every state, the finished grants with their recipients and credits.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from bench.rows import Credits, insert_rows, next_id
from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.campaigns import services as campaign_services
from portal.campaigns.execution import REASON as GRANT_REASON
from portal.campaigns.execution import key_prefix
from portal.campaigns.models import (
    BonusMode,
    Campaign,
    CampaignKind,
    CampaignRecipient,
    CampaignStatus,
)
from portal.core.codes import ALPHABET
from portal.core.i18n import N_
from portal.core.rewards import RewardTrigger
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback import suggestions as suggestion_services
from portal.feedback import surveys as survey_services
from portal.feedback.demo import INTRO, QUESTIONS
from portal.feedback.errors import FeedbackError
from portal.feedback.models import (
    QuestionKind,
    Suggestion,
    SuggestionFund,
    SuggestionStage,
    SuggestionStatus,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import bulk_credit
from portal.referrals import lifecycle
from portal.referrals.models import OPEN_STATUSES, Referral, ReferralCode, ReferralStatus
from portal.referrals.services import ReferralError, current_rule, mask_name
from portal.sales.models import BatchStatus, ImportBatch, ImportRow, Purchase, PurchaseStatus, RowKind
from portal.sales.parsing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from portal.sales.staging import stage_file
from portal.segments.builder import member_ids_query, parse_segment

VERIFIED = OwnershipStatus.VERIFIED.value
BATCH_DAYS, BATCHES = 30, 24  # one sales file a month, two years of them
REJECT_REASONS = ["同一住戶重複登記", "推薦人與新會員為同一家庭", "Registered after the purchase"]
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
CAMPAIGN_PATTERN = ["finished_grant", "draft", "running_bonus", "finished_grant", "scheduled",
                    "finished_grant", "finished_bonus", "cancelled", "finished_grant", "draft"]


def referral_code(n: int) -> str:
    """An 8-character code (Crockford base 32, as `referrals.services` stores them), one per n."""
    digits = []
    for _ in range(8):
        n, rest = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _batch_of(signed_on: date, today: date) -> int:
    """The monthly sales file a contract came in: 0 is the latest (signed 1–30 days ago)."""
    return ((today - signed_on).days - 1) // BATCH_DAYS


class Member:
    __slots__ = ("id", "email", "name", "locale", "created_at", "ownership", "unit_id", "status",
                 "contract", "purchased_on", "requested_at", "decided_at", "decided_by_id",
                 "changed")

    def verified_by(self, *, contract: str, purchased_on: date, at: datetime, staff_id: int) -> None:
        """The import verified this member's claim (`record_bought_homes` / `link_unit`)."""
        self.status, self.contract, self.purchased_on = VERIFIED, contract, purchased_on
        self.decided_at, self.decided_by_id, self.changed = at, staff_id, True
        self.requested_at = min(self.requested_at, at - timedelta(hours=1))


class Club:
    """The members and homes the seed made so far, and what the later parts share."""

    def __init__(self, member_ids: list[int], staff_id: int, rng: random.Random) -> None:
        self.rng, self.staff_id, self.now = rng, staff_id, utcnow()
        self.today = self.now.date()
        self.bench_id = member_ids[0]
        self.members: dict[int, Member] = {}
        for row in db.session.execute(
                select(User.id, User.email, User.display_name, User.locale, User.created_at,
                       Ownership.id, Ownership.unit_id, Ownership.status, Ownership.contract_number,
                       Ownership.requested_at, Ownership.decided_at)
                .join(Ownership, Ownership.user_id == User.id)
                .where(User.id >= member_ids[0], User.role == "member")):
            member = Member()
            (member.id, member.email, member.name, member.locale, member.created_at,
             member.ownership, member.unit_id, member.status, member.contract,
             member.requested_at, member.decided_at) = row
            member.purchased_on, member.decided_by_id, member.changed = None, None, False
            self.members[member.id] = member
        self.place = {unit: (building, development) for unit, building, development in
                      db.session.execute(select(Unit.id, Unit.building_id, Building.development_id)
                                         .join(Building, Building.id == Unit.building_id))}
        owned = {m.unit_id for m in self.members.values()}
        self.spare_units = sorted(set(self.place) - owned)
        rng.shuffle(self.spare_units)
        self.invitees: set[int] = set()
        self.conversions: list[dict] = []  # referral rows converted by an imported purchase
        self.rewarded: Counter[tuple[int, int]] = Counter()  # (referrer, year) → rewarded
        self.surveys: list[dict] = []

    def development_of(self, member: Member) -> int | None:
        return self.place[member.unit_id][1] if member.status == VERIFIED else None

    def import_time(self, batch: int) -> datetime:
        return self.now - timedelta(days=BATCH_DAYS * batch, hours=1)


# --- referrals -----------------------------------------------------------------------------------

def convert(club: Club, referral: dict, invitee: Member, *, unit_id: int, signed_on: date,
            contract: str, at: datetime, credits: Credits, rule=None) -> None:
    """`referrals.lifecycle.record_purchase` on a referral row: the purchase, the reward
    (the rule in force, none for the referrer past the yearly cap) and its credits."""
    rule = rule or current_rule()
    year = at.year
    referrer_points = rule.referrer_points
    if club.rewarded[(referral["referrer_id"], year)] >= rule.yearly_cap:
        referrer_points = 0
    rewarded = bool(referrer_points or rule.invitee_points)
    referral.update({
        "purchased_on": signed_on, "contract_number": contract, "unit_id": unit_id,
        "development_id": club.place[unit_id][1], "ownership_id": invitee.ownership,
        "purchase_recorded_at": at, "referrer_points": referrer_points,
        "invitee_points": rule.invitee_points,
        "reward_note": lifecycle.CAP_NOTE if not referrer_points and rule.referrer_points else "",
        "status": (ReferralStatus.REWARDED if rewarded else ReferralStatus.PURCHASED).value,
        "rewarded_at": at if rewarded else None})
    source = {"source_type": "referrals", "source_id": referral["id"], "actor_id": club.staff_id,
              "at": at}
    if referrer_points:
        club.rewarded[(referral["referrer_id"], year)] += 1
        credits.add(referral["referrer_id"], referrer_points, kind=LedgerKind.REFERRAL,
                    reason=N_("Referral reward: %(name)s bought a home"),
                    params={"name": mask_name(invitee.name)},
                    key=f"referral:{referral['id']}:referrer", **source)
    if rule.invitee_points:
        credits.add(invitee.id, rule.invitee_points, kind=LedgerKind.REFERRAL,
                    reason=N_("Welcome reward for buying a home through a referral"),
                    key=f"referral:{referral['id']}:invitee", **source)


def _referral_row(referral_id: int, referrer: Member, invitee: Member, code: str) -> dict:
    return {"id": referral_id, "referrer_id": referrer.id, "invitee_id": invitee.id, "code": code,
            "status": ReferralStatus.REGISTERED.value,
            "created_at": invitee.created_at + timedelta(seconds=2), "visited_on": None,
            "purchased_on": None, "purchase_recorded_at": None, "contract_number": "",
            "unit_id": None, "development_id": None, "ownership_id": None, "rewarded_at": None,
            "referrer_points": 0, "invitee_points": 0, "referrer_owed": 0, "invitee_owed": 0,
            "reward_note": "", "decided_at": None, "decided_by_id": None, "reason": ""}


def make_referrals(club: Club, count: int, conversions: int, credits: Credits) -> int:
    """`count` referrals, `conversions` of them converted by a purchase in the sales files."""
    rng, now = club.rng, club.now
    by_age = sorted(club.members.values(), key=lambda m: (m.created_at, m.id))
    position = {m.id: n for n, m in enumerate(by_age)}
    bench = club.members[club.bench_id]
    # The bench member (the oldest account) referred a dozen friends, in every state.
    own = [m for m in by_age[position[bench.id] + 1:] if (club.today - m.created_at.date()).days > 40]
    own = rng.sample(own, min(12, len(own), count))
    others = [m for m in by_age[1:] if m.id != bench.id and m not in own]
    invitees = own + rng.sample(others, min(count - len(own), len(others)))
    codes: dict[int, str] = {}
    rows, plan = [], []
    referral_id = next_id(Referral.id)
    for n, invitee in enumerate(invitees):
        referrer = bench if n < len(own) else by_age[rng.randrange(position[invitee.id])]
        code = codes.setdefault(referrer.id, referral_code(referrer.id * 2_654_435_761 % 32 ** 8))
        row = _referral_row(referral_id, referrer, invitee, code)
        referral_id += 1
        club.invitees.add(invitee.id)
        # They claimed their home after joining (a new member owns nothing yet).
        invitee.requested_at = _between(rng, row["created_at"], now)
        if invitee.status == VERIFIED:
            invitee.decided_at = _between(rng, invitee.requested_at, now)
        invitee.changed = True
        rows.append(row)
        plan.append(("rewarded", "rewarded", "visited", "rewarded", "registered", "rejected",
                     "registered", "rewarded", "visited", "registered", "registered",
                     "registered")[n] if n < len(own) else "")
    convertible = [n for n, row in enumerate(rows) if not plan[n]
                   and (club.today - row["created_at"].date()).days > 8]
    converting = set(rng.sample(convertible, max(0, min(conversions - plan.count("rewarded"),
                                                        len(convertible)))))
    for n, row in enumerate(rows):
        state = plan[n] or ("rewarded" if n in converting else rng.choices(
            ["registered", "visited", "rejected"], [80, 15, 5])[0])
        created = row["created_at"]
        if state == "visited" or (state == "rewarded" and rng.random() < 0.3):
            row["visited_on"] = _between(rng, created, now - timedelta(days=1)).date()
            row["status"] = ReferralStatus.VISITED.value
        if state == "rejected":
            row.update(status=ReferralStatus.REJECTED.value, reason=rng.choice(REJECT_REASONS),
                       decided_at=_between(rng, created, now), decided_by_id=club.staff_id)
        if state == "rewarded":
            earliest = max((row["visited_on"] or created.date()), club.today - timedelta(
                days=BATCH_DAYS * BATCHES))
            days = (club.today - earliest).days
            row["signed_on"] = club.today - timedelta(days=rng.randint(1, max(1, days - 1)))
            club.conversions.append(row)
    rule = current_rule()
    club.conversions.sort(key=lambda row: (-_batch_of(row["signed_on"], club.today), row["id"]))
    for row in club.conversions:
        invitee = club.members[row["invitee_id"]]
        signed_on = row.pop("signed_on")
        at = club.import_time(_batch_of(signed_on, club.today))
        contract = f"JL-{signed_on.year}-{invitee.unit_id:06d}"
        convert(club, row, invitee, unit_id=invitee.unit_id, signed_on=signed_on,
                contract=contract, at=at, credits=credits, rule=rule)
        invitee.verified_by(contract=contract, purchased_on=signed_on, at=at,
                            staff_id=club.staff_id)
    code_rows = [{"user_id": user_id, "code": code,
                  "created_at": club.members[user_id].created_at + timedelta(seconds=1)}
                 for user_id, code in codes.items()]
    insert_rows(ReferralCode, code_rows)
    insert_rows(Referral, rows)
    db.session.commit()
    return len(rows)


# --- imported sales ------------------------------------------------------------------------------

def _sale(club: Club, unit_id: int, signed_on: date, *, buyer: Member | None = None,
          referral: dict | None = None, cancelled: bool = False) -> dict:
    rng = club.rng
    return {"contract_no": f"JL-{signed_on.year}-{unit_id:06d}", "unit_id": unit_id,
            "buyer_name": buyer.name if buyer else rng.choice(["陳先生", "李女士", "王小明", "Alex Ng"]),
            "buyer_phone": "", "buyer_email": buyer.email if buyer else f"buyer{unit_id}@example.net",
            "signed_on": signed_on, "price_cents": rng.randrange(2_000_000, 12_000_000) * 100,
            "referral_code": referral["code"] if referral else "", "is_cancelled": cancelled,
            "member_id": buyer.id if buyer and not cancelled else None,
            "referral_id": referral["id"] if referral else None,
            "ownership_id": buyer.ownership if buyer and not cancelled else None}


def make_sales(club: Club, count: int) -> tuple[int, int]:
    """The sales files of two years, imported: returns (purchases, batches)."""
    rng, today = club.rng, club.today
    horizon = BATCH_DAYS * BATCHES
    sales = [_sale(club, row["unit_id"], row["purchased_on"], buyer=club.members[row["invitee_id"]],
                   referral=row) for row in club.conversions]
    others = max(0, count - len(sales))
    # Other members who bought (never a referred one: the file would convert their referral).
    buyers = [m for m in club.members.values() if m.id not in club.invitees
              and (today - m.created_at.date()).days > 1]
    for buyer in rng.sample(buyers, min(len(buyers), others * 6 // 10)):
        days = min(horizon, (today - buyer.created_at.date()).days)
        signed_on = today - timedelta(days=rng.randint(1, days))
        sales.append(_sale(club, buyer.unit_id, signed_on, buyer=buyer))
        if buyer.status != VERIFIED:
            buyer.verified_by(contract=sales[-1]["contract_no"], purchased_on=signed_on,
                              at=club.import_time(_batch_of(signed_on, today)),
                              staff_id=club.staff_id)
    outsiders = count - len(sales)
    for _ in range(min(outsiders, len(club.spare_units))):
        signed_on = today - timedelta(days=rng.randint(1, horizon))
        sales.append(_sale(club, club.spare_units.pop(), signed_on, cancelled=rng.random() < 0.07))
    by_batch: dict[int, list[dict]] = defaultdict(list)
    for sale in sales:
        by_batch[_batch_of(sale["signed_on"], today)].append(sale)
    batch_rows, import_rows, purchases = [], [], []
    batch_id, row_id = next_id(ImportBatch.id), next_id(ImportRow.id)
    for batch in sorted(by_batch, reverse=True):
        at = club.import_time(batch)
        lines = by_batch[batch]
        for line, sale in enumerate(lines, start=2):  # line 1 is the header
            building_id, development_id = club.place[sale["unit_id"]]
            import_rows.append({
                "id": row_id, "batch_id": batch_id, "line": line, "kind": RowKind.NEW.value,
                "changes": [], "note": None,
                **{k: v for k, v in sale.items() if k != "ownership_id"}})
            row_id += 1
            cancelled = sale["is_cancelled"]
            purchases.append({
                **{k: v for k, v in sale.items() if k != "is_cancelled"},
                "development_id": development_id, "building_id": building_id,
                "status": (PurchaseStatus.CANCELLED if cancelled else PurchaseStatus.ACTIVE).value,
                "batch_id": batch_id, "created_at": at, "cancelled_at": at if cancelled else None,
                "cancelled_batch_id": batch_id if cancelled else None})
        members = sum(1 for sale in lines if sale["member_id"])
        referred = sum(1 for sale in lines if sale["referral_id"])
        counts = {"rows": len(lines), "invalid": 0, "units_missing": 0, "new": len(lines),
                  "unchanged": 0, "changed": 0, "cancel": 0, "members": members,
                  "referrals": referred, "reversals": 0, "notes": 0}
        result = {"created": len(lines), "cancelled": 0, "skipped": 0, "converted": referred,
                  "not_converted": 0, "reversed": 0, "not_reversed": 0, "homes": members,
                  "homes_withdrawn": 0}
        batch_rows.append({
            "id": batch_id, "file_name": f"sales-{(at - timedelta(days=1)):%Y-%m-%d}.csv",
            "uploaded_by_id": club.staff_id, "status": BatchStatus.DONE.value, "counts": counts,
            "result": result, "invalid_rows": [], "notes": [], "valid_only": False,
            "progress_done": len(lines), "progress_total": len(lines), "cursor": row_id - 1,
            "error": "", "created_at": at - timedelta(minutes=10), "confirmed_by_id": club.staff_id,
            "confirmed_at": at - timedelta(minutes=5), "updated_at": at, "finished_at": at})
        batch_id += 1
    insert_rows(ImportBatch, batch_rows)
    insert_rows(ImportRow, import_rows)
    insert_rows(Purchase, purchases)
    changed = [{"id": m.ownership, "status": m.status, "contract_number": m.contract,
                "purchased_on": m.purchased_on, "requested_at": m.requested_at,
                "decided_at": m.decided_at, "decided_by_id": m.decided_by_id, "reject_reason": ""}
               for m in club.members.values() if m.changed]
    for start in range(0, len(changed), 5_000):
        db.session.execute(update(Ownership), changed[start:start + 5_000])
    db.session.commit()
    return len(purchases), len(batch_rows)


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


def _survey_credit(survey: dict, member: Member, at: datetime, credits: Credits) -> None:
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
            at = _between(rng, opens_at, min(closes_at, now))
            response_rows.append({"id": response_id, "survey_id": survey.id, "member_id": member.id,
                                  "development_id": club.development_of(member),
                                  "submitted_at": at, "points": points})
            answers.extend(answer_rows(response_id, questions, choose_answers(questions, rng)))
            _survey_credit(info, member, at, credits)
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
        created = _between(rng, start, now - timedelta(days=100 if decided else 1))
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


# --- campaigns -----------------------------------------------------------------------------------

def _campaign_row(campaign_id: int, club: Club, kind: CampaignKind, status: CampaignStatus,
                  names: tuple[str, str, str], segment: dict) -> dict:
    return {"id": campaign_id, "kind": kind.value, "status": status.value,
            **dict(zip(("name_zh_Hant", "name_zh_Hans", "name_en"), names, strict=True)),
            "message_zh_Hant": "", "message_zh_Hans": "", "message_en": "", "points": 0,
            "bonus_mode": "", "multiplier_pct": 0, "trigger": "",
            "segment": parse_segment(segment).to_json(), "budget": 100_000, "spent": 0,
            "starts_at": None, "ends_at": None, "processed": 0, "total": 0, "reached": 0,
            "cursor": 0, "created_by_id": club.staff_id, "created_at": club.now,
            "launched_at": None, "finished_at": None, "heartbeat_at": None}


def grant_audience(club: Club, development_id: int, joined_to: date) -> list[int]:
    """The members a grant to a development's verified owners who joined by `joined_to`
    reaches (what `segments.builder.member_ids_query` selects)."""
    end = datetime.combine(joined_to + timedelta(days=1), time.min)
    return sorted(m.id for m in club.members.values()
                  if club.development_of(m) == development_id and m.created_at < end)


def make_campaigns(club: Club, count: int, credits: Credits) -> tuple[int, int]:
    """Campaigns in every state; returns (campaigns, grant recipients credited)."""
    rng, now = club.rng, club.now
    developments = dict(db.session.execute(select(Development.id, Development.name)
                                           .order_by(Development.id)).all())
    bench = club.members[club.bench_id]
    order = [club.development_of(bench)] + [d for d in developments if d != club.development_of(bench)]
    rows, recipients = [], []
    campaign_id = next_id(Campaign.id)
    grants = 0
    for n in range(count):
        state = CAMPAIGN_PATTERN[n % len(CAMPAIGN_PATTERN)]
        development = order[grants % len(order)]
        name = developments[development]
        if state == "finished_grant":
            launched = now - timedelta(days=rng.randint(40, 600))
            joined_to = (launched - timedelta(days=1)).date()
            audience = grant_audience(club, development, joined_to)
            if not audience:
                state = "draft"
        if state == "finished_grant":
            grants += 1
            points = rng.choice([300, 500, 800])
            row = _campaign_row(campaign_id, club, CampaignKind.GRANT, CampaignStatus.FINISHED,
                                (f"{name}業主禮遇", f"{name}业主礼遇", f"{name} owners' gift"),
                                {"development_id": development, "verified": "yes",
                                 "joined_to": joined_to.isoformat()})
            spent = points * len(audience)
            row.update(points=points, budget=-(-spent // 10_000) * 10_000 + 10_000, spent=spent,
                       processed=len(audience), total=len(audience), reached=len(audience),
                       cursor=audience[-1], created_at=launched - timedelta(days=2),
                       launched_at=launched, heartbeat_at=launched + timedelta(minutes=4),
                       finished_at=launched + timedelta(minutes=5))
            at = launched + timedelta(minutes=1)
            for member_id in audience:
                recipients.append({"campaign_id": campaign_id, "member_id": member_id})
                credits.add(member_id, points, kind=LedgerKind.CAMPAIGN, reason=GRANT_REASON,
                            params={"name": row_names(row), "campaign": campaign_id},
                            key=f"{key_prefix(campaign_id)}{member_id}", source_type="campaigns",
                            source_id=campaign_id, actor_id=club.staff_id, at=at)
        elif state in ("draft", "scheduled", "cancelled"):
            starts = now + timedelta(days=rng.randint(5, 40))
            status = {"draft": CampaignStatus.DRAFT, "scheduled": CampaignStatus.SCHEDULED,
                      "cancelled": CampaignStatus.CANCELLED}[state]
            row = _campaign_row(campaign_id, club, CampaignKind.GRANT, status,
                                ("新春積分禮遇", "新春积分礼遇", "Lunar New Year points"),
                                {"roles": ["member"], "verified": "yes"})
            created = now - timedelta(days=rng.randint(1, 30))
            row.update(points=rng.choice([100, 200]), budget=50_000_000, starts_at=starts,
                       created_at=created)
            if state == "scheduled":
                row["launched_at"] = created + timedelta(hours=2)
            if state == "cancelled":
                row.update(starts_at=created + timedelta(days=3),
                           finished_at=created + timedelta(days=1))
        else:
            running = state == "running_bonus"
            starts = now - timedelta(days=rng.randint(5, 20) if running else rng.randint(200, 500))
            ends = now + timedelta(days=30) if running else starts + timedelta(days=60)
            # They boost complaint ratings (the seed has none): no referral, survey or
            # suggestion reward here was, or is, boosted.
            row = _campaign_row(campaign_id, club, CampaignKind.BONUS,
                                CampaignStatus.RUNNING if running else CampaignStatus.FINISHED,
                                ("評價有禮", "评价有礼", "Rate us for double points"), {})
            row.update(bonus_mode=BonusMode.MULTIPLY.value, multiplier_pct=200,
                       trigger=RewardTrigger.COMPLAINT_RATED.value,
                       starts_at=starts, ends_at=ends, created_at=starts - timedelta(days=3),
                       launched_at=starts - timedelta(days=1),
                       finished_at=None if running else ends)
        rows.append(row)
        campaign_id += 1
    insert_rows(Campaign, rows)
    insert_rows(CampaignRecipient, recipients, size=20_000)
    db.session.commit()
    return len(rows), len(recipients)


def row_names(row: dict) -> dict[str, str]:
    return {lang: row[f"name_{lang}"] for lang in ("zh_Hant", "zh_Hans", "en")}


# --- the sampled check ---------------------------------------------------------------------------

LEDGER_FIELDS = ("amount", "kind", "reason", "reason_params", "source_type", "source_id", "actor_id")


def _compare_credits(label: str, expected: Credits, problems: list[str]) -> None:
    """Each credit the seed would write against the ledger row the service wrote."""
    for credits in expected.by_member.values():
        for credit in credits:
            entry = db.session.scalar(select(LedgerEntry).where(
                LedgerEntry.idempotency_key == credit["idempotency_key"]))
            if entry is None:
                problems.append(f"{label}: no ledger row {credit['idempotency_key']}")
                continue
            for name in (*LEDGER_FIELDS, "member_id"):
                if getattr(entry, name) != credit[name]:
                    problems.append(f"{label}: ledger {name} {getattr(entry, name)!r} != "
                                    f"{credit[name]!r}")


def _refused(problems: list[str], label: str, error: type[Exception], action, *args, **kwargs) -> None:
    """`action(*args, **kwargs)` must refuse with `error` (what is seeded as done is done)."""
    try:
        with db.session.begin_nested():
            action(*args, **kwargs)
    except error:
        return
    problems.append(f"{label}: the service accepted it again")


def _check_referrals(club: Club, staff: User, sample: int, problems: list[str]) -> int:
    rng = club.rng
    ids = list(db.session.scalars(select(Referral.id).where(Referral.status == "rewarded")))
    for referral_id in rng.sample(ids, min(sample, len(ids))):
        referral = db.session.get(Referral, referral_id)
        _refused(problems, f"referral {referral_id} converted", ReferralError,
                 lifecycle.record_purchase, referral, staff, unit=referral.unit,
                 purchased_on=club.today, contract_number="CHECK")
    open_ids = list(db.session.scalars(select(Referral.id).where(
        Referral.status.in_([s.value for s in OPEN_STATUSES]))))
    checked = 0
    for referral_id in rng.sample(open_ids, min(sample, len(open_ids))):
        referral = db.session.get(Referral, referral_id)
        unit = db.session.get(Unit, club.spare_units.pop())
        row = {column.key: getattr(referral, column.key) for column in Referral.__table__.columns}
        expected, tally = Credits(), club.rewarded.copy()
        lifecycle.record_purchase(referral, staff, unit=unit, purchased_on=club.today,
                                  contract_number=f"CHECK-{referral.id}")
        convert(club, row, club.members[referral.invitee_id], unit_id=unit.id,
                signed_on=club.today, contract=f"CHECK-{referral.id}", at=utcnow(),
                credits=expected)
        club.rewarded = tally
        for name in ("status", "referrer_points", "invitee_points", "reward_note", "unit_id",
                     "development_id", "contract_number", "purchased_on"):
            if getattr(referral, name) != row[name]:
                problems.append(f"referral {referral.id}: {name} {getattr(referral, name)!r} != "
                                f"{row[name]!r}")
        _compare_credits(f"referral {referral.id}", expected, problems)
        checked += 1
    return checked + min(sample, len(ids))


def sales_file(purchases: list) -> bytes:
    """Purchases as the sales system exports them (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
    for p in purchases:
        writer.writerow([p.contract_no, p.development, p.building, p.unit, p.buyer_name,
                         p.buyer_phone, p.buyer_email, p.signed_on.isoformat(),
                         f"{p.price_cents / 100:.2f}", p.referral_code, p.status])
    return buffer.getvalue().encode("utf-8-sig")


def _check_sales(club: Club, staff: User, sample: int, problems: list[str]) -> int:
    """The same contracts uploaded again: the preview finds each already imported, unchanged."""
    ids = list(db.session.scalars(select(Purchase.id)))
    chosen = club.rng.sample(ids, min(sample * 4, len(ids)))
    if not chosen:
        return 0
    purchases = db.session.execute(
        select(Purchase.contract_no, Development.name.label("development"),
               Building.name.label("building"), Unit.number.label("unit"), Purchase.buyer_name,
               Purchase.buyer_phone, Purchase.buyer_email, Purchase.signed_on,
               Purchase.price_cents, Purchase.referral_code, Purchase.status)
        .join(Unit, Unit.id == Purchase.unit_id).join(Building, Building.id == Unit.building_id)
        .join(Development, Development.id == Building.development_id)
        .where(Purchase.id.in_(chosen))).all()
    batch = stage_file("check.csv", sales_file(purchases), staff)
    if batch.counts.get("unchanged") != len(purchases):
        problems.append(f"sales: a file of {len(purchases)} imported contracts previews as "
                        f"{batch.counts}")
    return 1


def _check_surveys(club: Club, sample: int, problems: list[str]) -> int:
    rng = club.rng
    checks = 0
    for info in (s for s in club.surveys if s["open"]):
        survey = db.session.get(Survey, info["id"])
        questions = list(survey.questions)
        answered = list(db.session.scalars(select(SurveyResponse.member_id).where(
            SurveyResponse.survey_id == survey.id)))
        for member_id in rng.sample(answered, min(sample, len(answered))):
            _refused(problems, f"survey {survey.id} answered by {member_id}", FeedbackError,
                     survey_services.answer, survey, db.session.get(User, member_id),
                     choose_answers(questions, rng))
            checks += 1
        done = set(answered)
        fresh = [m for m in club.members.values() if m.status == VERIFIED and m.id not in done]
        for member in rng.sample(fresh, min(sample, len(fresh))):
            chosen = choose_answers(questions, rng)
            response = survey_services.answer(survey, db.session.get(User, member.id), chosen)
            expected = Credits()
            _survey_credit(info, member, response.submitted_at, expected)
            stored = sorted((a.question_id, a.rating, a.option, a.text) for a in db.session.scalars(
                select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)))
            mine = sorted((a["question_id"], a["rating"], a["option"], a["text"])
                          for a in answer_rows(response.id, questions, chosen))
            if stored != mine:
                problems.append(f"survey {survey.id}: answers of {member.id} {stored} != {mine}")
            if (response.points, response.development_id) != (info["points"], club.development_of(member)):
                problems.append(f"survey {survey.id}: response of {member.id} differs")
            _compare_credits(f"survey {survey.id}", expected, problems)
            checks += 1
    return checks


def _check_suggestions(club: Club, staff: User, sample: int, problems: list[str]) -> int:
    rng = club.rng
    decided = list(db.session.scalars(select(Suggestion.id).where(Suggestion.status.in_(
        [SuggestionStatus.ADOPTED.value, SuggestionStatus.IMPLEMENTED.value]))))
    for suggestion_id in rng.sample(decided, min(sample, len(decided))):
        _refused(problems, f"suggestion {suggestion_id} adopted", FeedbackError,
                 suggestion_services.adopt, db.session.get(Suggestion, suggestion_id), 100,
                 actor=staff)
    reviewed = list(db.session.scalars(select(Suggestion.id).where(
        Suggestion.status == SuggestionStatus.UNDER_REVIEW.value)))
    for suggestion_id in rng.sample(reviewed, min(sample, len(reviewed))):
        suggestion = db.session.get(Suggestion, suggestion_id)
        row = {column.key: getattr(suggestion, column.key) for column in Suggestion.__table__.columns}
        before = suggestion_services.fund_of(club.now.year)
        suggestion_services.adopt(suggestion, 500, actor=staff)
        expected = Credits()
        adopt(club, row, 500, suggestion.decided_at, expected)
        _compare_credits(f"suggestion {suggestion.id}", expected, problems)
        after = suggestion_services.fund_of(club.now.year)
        if after.awarded != before.awarded + 500 or suggestion.paid_points != row["paid_points"]:
            problems.append(f"suggestion {suggestion.id}: the fund or the payment differs")
    return min(sample, len(decided)) + min(sample, len(reviewed))


def _check_campaigns(club: Club, staff: User, sample: int, problems: list[str]) -> int:
    rng = club.rng
    finished = list(db.session.scalars(select(Campaign).where(
        Campaign.kind == CampaignKind.GRANT.value, Campaign.status == CampaignStatus.FINISHED.value)))
    for campaign in rng.sample(finished, min(sample, len(finished))):
        audience = list(db.session.scalars(member_ids_query(parse_segment(campaign.segment))))
        recipients = list(db.session.scalars(select(CampaignRecipient.member_id).where(
            CampaignRecipient.campaign_id == campaign.id).order_by(CampaignRecipient.member_id)))
        if audience != recipients:
            problems.append(f"campaign {campaign.id}: recipients are not its segment's audience")
        again = bulk_credit(recipients, campaign.points, kind=LedgerKind.CAMPAIGN, reason=GRANT_REASON,
                            reason_params={"name": campaign.names, "campaign": campaign.id},
                            key_prefix=key_prefix(campaign.id), source_type="campaigns",
                            source_id=campaign.id, actor_id=campaign.created_by_id)
        if again:
            problems.append(f"campaign {campaign.id}: {len(again)} recipients credited again")
    drafts = list(db.session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.DRAFT.value).limit(1)))
    for draft in drafts:
        campaign_services.launch(draft, actor=staff)
        if draft.status != CampaignStatus.SCHEDULED.value:
            problems.append(f"campaign {draft.id}: launching the draft gave {draft.status}")
    return min(sample, len(finished)) + len(drafts)


def check_club(club: Club, sample: int) -> tuple[int, list[str]]:
    """For `sample` of each kind, the same action through the real service (in a transaction
    rolled back afterwards): seeded conversions, answers and adoptions are refused as done,
    new ones store what the seed stores; returns (checks, problems)."""
    problems: list[str] = []
    staff = db.session.get(User, club.staff_id)
    try:
        # Campaigns first: the referral check verifies new homes, which moves audiences.
        checks = (_check_campaigns(club, staff, sample, problems)
                  + _check_sales(club, staff, sample, problems)
                  + _check_surveys(club, sample, problems)
                  + _check_suggestions(club, staff, sample, problems)
                  + _check_referrals(club, staff, sample, problems))
    finally:
        db.session.rollback()
    return checks, problems
