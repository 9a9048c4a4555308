"""The sampled check: seeded actions redone through the real services, in a transaction
rolled back afterwards (see `bench.club.check_club`)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bench.club.base import VERIFIED, Club
from bench.club.feedback import adopt, answer_rows, choose_answers, survey_credit
from bench.club.sales import convert, sale_row, sales_batch
from bench.rows import Credits
from portal.accounts.models import Building, Development, Unit, User
from portal.campaigns import services as campaign_services
from portal.campaigns.execution import REASON as GRANT_REASON
from portal.campaigns.execution import key_prefix
from portal.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignRecipient,
    CampaignStatus,
)
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback import suggestions as suggestion_services
from portal.feedback import surveys as survey_services
from portal.feedback.errors import FeedbackError
from portal.feedback.models import (
    Suggestion,
    SuggestionStatus,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import bulk_credit
from portal.referrals import lifecycle
from portal.referrals.models import OPEN_STATUSES, Referral, ReferralStatus
from portal.referrals.services import ReferralError
from portal.sales import importer
from portal.sales.models import ImportRow, Purchase
from portal.sales.parsing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from portal.sales.staging import stage_file
from portal.segments.builder import member_ids_query, parse_segment

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
        Referral.status.in_([s.value for s in OPEN_STATUSES])).order_by(Referral.id)))
    capped = db.session.scalars(select(Referral.id).where(
        Referral.referrer_id == club.ambassador_id, Referral.status.in_(
            [s.value for s in OPEN_STATUSES])).order_by(Referral.id).limit(1)).all()
    checked = 0
    # one of the ambassador's, whose yearly cap may be reached, and some at random
    others = [i for i in open_ids if i not in capped]
    for referral_id in [*capped, *rng.sample(others, min(sample, len(others)))]:
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


def sales_file(lines: list[dict]) -> bytes:
    """Contracts as the sales system exports them (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
    for p in lines:
        writer.writerow([p["contract_no"], p["development"], p["building"], p["unit"],
                         p["buyer_name"], p["buyer_phone"], p["buyer_email"],
                         p["signed_on"].isoformat(), f"{p['price_cents'] / 100:.2f}",
                         p["referral_code"], p["status"]])
    return buffer.getvalue().encode("utf-8-sig")


def _unit_names(unit_ids: list[int]) -> dict[int, dict]:
    return {row.id: {"development": row.development, "building": row.building, "unit": row.unit}
            for row in db.session.execute(
                select(Unit.id, Development.name.label("development"),
                       Building.name.label("building"), Unit.number.label("unit"))
                .join(Building, Building.id == Unit.building_id)
                .join(Development, Development.id == Building.development_id)
                .where(Unit.id.in_(unit_ids)))}


def _check_reupload(club: Club, staff: User, sample: int, problems: list[str]) -> int:
    """Seeded contracts uploaded again: the preview finds each already imported, unchanged."""
    ids = list(db.session.scalars(select(Purchase.id)))
    purchases = db.session.scalars(select(Purchase).where(
        Purchase.id.in_(club.rng.sample(ids, min(sample * 4, len(ids)))))).all()
    if not purchases:
        return 0
    names = _unit_names([p.unit_id for p in purchases])
    batch = stage_file("again.csv", sales_file([
        {**{c.key: getattr(p, c.key) for c in Purchase.__table__.columns}, **names[p.unit_id]}
        for p in purchases]), staff)
    if batch.counts.get("unchanged") != len(purchases):
        problems.append(f"sales: {len(purchases)} imported contracts uploaded again preview as "
                        f"{batch.counts}")
    return 1


def _check_import(club: Club, staff: User, problems: list[str]) -> int:
    """A new file through the real preview and import — a referred buyer, another member, an
    outsider, a contract that came in cancelled — against what `sales_batch` and `convert`
    make of it."""
    rng, signed_on = club.rng, club.today - timedelta(days=1)
    referrals = list(db.session.scalars(select(Referral).where(
        Referral.status == ReferralStatus.REGISTERED.value,
        Referral.created_at < club.now - timedelta(days=3)).limit(20)))
    others = [m for m in club.members.values() if m.id not in club.invitees][:20]
    if not referrals or not others or len(club.spare_units) < 4:
        return 0
    referral = rng.choice(referrals)
    row = {column.key: getattr(referral, column.key) for column in Referral.__table__.columns}
    sales = [sale_row(club, club.spare_units.pop(), signed_on, buyer=club.members[referral.invitee_id],
                   referral=row),
             sale_row(club, club.spare_units.pop(), signed_on, buyer=rng.choice(others)),
             sale_row(club, club.spare_units.pop(), signed_on),
             sale_row(club, club.spare_units.pop(), signed_on, cancelled=True)]
    names = _unit_names([sale["unit_id"] for sale in sales])
    batch = stage_file("check.csv", sales_file([
        {**sale, **names[sale["unit_id"]], "status": "cancelled" if sale["is_cancelled"] else ""}
        for sale in sales]), staff)
    importer.confirm_batch(batch, staff, valid_only=False)
    importer.run_import(batch.id)
    expected_batch, expected_rows, expected_purchases = sales_batch(club, batch.id, 0, sales, utcnow())
    if (batch.counts, batch.result) != (expected_batch["counts"], expected_batch["result"]):
        problems.append(f"sales import: {batch.counts} {batch.result} != {expected_batch['counts']} "
                        f"{expected_batch['result']}")
    skip = {"id", "batch_id", "cancelled_batch_id", "created_at", "cancelled_at", "ownership_id"}
    stored = {r.line: r for r in db.session.scalars(select(ImportRow).where(ImportRow.batch_id == batch.id))}
    for mine, purchase in zip(expected_rows, expected_purchases, strict=True):
        theirs = db.session.scalar(select(Purchase).where(Purchase.contract_no == purchase["contract_no"]))
        for model, values in ((stored.get(mine["line"]), mine), (theirs, purchase)):
            differ = [name for name, value in values.items()
                      if name not in skip and (model is None or getattr(model, name) != value)]
            if differ:
                problems.append(f"sales import line {mine['line']}: {differ} differ")
    expected, tally = Credits(), club.rewarded.copy()
    convert(club, row, club.members[referral.invitee_id], unit_id=sales[0]["unit_id"],
            signed_on=signed_on, contract=sales[0]["contract_no"], at=utcnow(), credits=expected)
    club.rewarded = tally
    _compare_credits(f"sales import of referral {referral.id}", expected, problems)
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
            survey_credit(info, member, response.submitted_at, expected)
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
                  + _check_reupload(club, staff, sample, problems)
                  + _check_import(club, staff, problems)
                  + _check_surveys(club, sample, problems)
                  + _check_suggestions(club, staff, sample, problems)
                  + _check_referrals(club, staff, sample, problems))
    finally:
        db.session.rollback()
    return checks, problems
