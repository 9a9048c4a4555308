"""A tiny run of the benchmark tooling (bench/), so it never rots: the seed on a club of
50 members with all its invariant checks, and the in-process measure of benchmark routes
and of CPU per request on the result. No timings are asserted: the numbers belong in bench/results/."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import distinct, func, select

from bench.cpu import run as cpu_benchmark
from bench.dashboard import run as dashboard_benchmark
from bench.load import count_statements
from bench.seed import MEMBER_EMAIL, seed, sizes
from portal.accounts.models import Ownership, User
from portal.campaigns.models import Campaign, CampaignRecipient
from portal.core.figures import Period
from portal.core.timeutil import utcnow
from portal.feedback.figures import satisfaction_index, suggestions_by_month
from portal.feedback.models import Suggestion, SuggestionFund, Survey, SurveyAnswer, SurveyResponse
from portal.feedback.surveys import open_surveys_for
from portal.forum.models import Post, Thread
from portal.perks.models import Perk, Redemption
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals.figures import referral_funnel
from portal.referrals.models import CONVERTED_STATUSES, Referral, ReferralCode
from portal.sales.figures import purchases_by_month
from portal.sales.models import ImportBatch, ImportRow, Purchase
from tests.conftest import log_in


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_builds_a_small_club_that_keeps_the_invariants(app, db):
    lines: list[str] = []
    with app.test_request_context():
        made = seed(50, heavy_member_entries=60, sample=8, fast=False, out=lines.append)
    size = sizes(50)
    assert _count(db, User) == 51  # and one administrator
    assert _count(db, Ownership) == 50
    assert made["posts"] == _count(db, Post) == size["posts"]
    assert made["threads"] == _count(db, Thread) == size["threads"]
    assert made["post sample differences (of 8)"] == 0
    assert made["points verify differences"] == 0 and find_differences() == []
    # Every thread's reply count is its posts less the opening one.
    replies = db.session.scalar(select(func.sum(Thread.reply_count)))
    assert replies == size["posts"] - size["threads"]
    assert made["posts in the search index"] == size["posts"]  # SQLite: the grams FTS table
    # Stock and redemptions: no perk below zero, every redemption debited once.
    assert db.session.scalar(select(func.min(Perk.stock))) >= 0
    assert _count(db, Redemption) == made["redemptions"]
    assert any("seeded in" in line for line in lines)
    assert db.session.scalar(select(User.points_balance).where(User.email == MEMBER_EMAIL)) > 0
    # The service sample (conversions, re-imports, answers, adoptions, grants) found nothing.
    label = next(k for k in made if k.startswith("club sample differences (of "))
    assert made[label] == 0 and int(label.removeprefix("club sample differences (of ")[:-1]) >= 10


def _ledger(db, kind: str) -> tuple[int, int]:
    return tuple(db.session.execute(select(func.count(), func.coalesce(func.sum(LedgerEntry.amount), 0))
                                    .where(LedgerEntry.kind == kind)).one())


def test_seed_builds_the_rest_of_the_club(app, db):
    with app.test_request_context():
        made = seed(50, heavy_member_entries=20, sample=8, fast=False, out=lambda _line: None)
    size = sizes(50)
    assert (made["referrals"], _count(db, Referral)) == (size["referrals"],) * 2
    assert (made["imported sales"], _count(db, Purchase), _count(db, ImportRow)) == (size["sales"],) * 3
    assert made["survey responses"] == _count(db, SurveyResponse) == size["survey responses"]
    assert _count(db, Survey) == 5 and _count(db, SurveyAnswer) > 3 * size["survey responses"]
    assert made["suggestions"] == _count(db, Suggestion) == size["suggestions"]
    assert made["campaigns"] == _count(db, Campaign) == size["campaigns"]
    assert find_differences() == [] and made["points verify differences"] == 0

    # Referrals: every referrer has one code; every converted referral has its imported sale,
    # with the same contract and the invitee's ownership, verified; both rewards credited once.
    referrers = db.session.scalar(select(func.count(distinct(Referral.referrer_id))))
    assert _count(db, ReferralCode) == referrers
    converted = db.session.scalars(select(Referral).where(Referral.status.in_(CONVERTED_STATUSES))).all()
    assert converted
    for referral in converted:
        sale = db.session.scalar(select(Purchase).where(Purchase.referral_id == referral.id))
        assert sale.contract_no == referral.contract_number and sale.member_id == referral.invitee_id
        assert sale.ownership_id == referral.ownership_id and referral.ownership.status == "verified"
        assert sale.signed_on == referral.purchased_on >= referral.created_at.date()
    assert db.session.scalar(select(func.count()).where(Purchase.referral_id.is_(None))) > 0
    credited = sum((r.referrer_points > 0) + (r.invitee_points > 0) for r in converted)
    assert _ledger(db, "referral") == (credited, sum(r.referrer_points + r.invitee_points for r in converted))
    # The import batches add up to their rows.
    assert sum(b.counts["rows"] for b in db.session.scalars(select(ImportBatch))) == size["sales"]

    # Surveys: nobody answered one twice, every answer from a verified homeowner, the points
    # credited once per response.
    pairs = select(SurveyResponse.survey_id, SurveyResponse.member_id)
    assert len(set(db.session.execute(pairs).all())) == size["survey responses"]
    unverified = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        ~select(Ownership.id).where(Ownership.user_id == SurveyResponse.member_id,
                                    Ownership.status == "verified").exists()))
    assert unverified == 0
    paid = db.session.scalar(select(func.sum(SurveyResponse.points)))
    assert _ledger(db, "survey") == (size["survey responses"], paid)

    # Suggestions: each fund pays what its adopted suggestions got, within its budget.
    for fund in db.session.scalars(select(SuggestionFund)):
        assert 0 <= fund.awarded <= fund.budget
        assert fund.awarded == db.session.scalar(select(func.coalesce(func.sum(Suggestion.reward_points), 0))
                                                 .where(Suggestion.fund_year == fund.year))
    assert _ledger(db, "suggestion")[1] == db.session.scalar(select(func.sum(Suggestion.paid_points)))
    assert set(db.session.scalars(select(Suggestion.status))) >= {
        "submitted", "under_review", "adopted", "implemented"}

    # Campaigns: in several states; the finished grants credited each recipient once.
    assert {c.status for c in db.session.scalars(select(Campaign))} >= {"finished", "draft", "running"}
    assert _ledger(db, "campaign") == (_count(db, CampaignRecipient), db.session.scalar(
        select(func.sum(Campaign.spent)).where(Campaign.kind == "grant")))

    # The dashboard's panels have figures over the last two years.
    period = Period(utcnow().date() - timedelta(days=730), utcnow().date())
    assert sum(row[1] for row in referral_funnel(period).rows) > 0
    assert sum(row[1] for row in purchases_by_month(period).rows) > 0
    assert any(row[1] for row in satisfaction_index(period).rows)
    assert suggestions_by_month(period).rows[-1][1] > 0


def test_the_bench_member_sees_referrals_surveys_and_suggestions(app, db, client):
    with app.test_request_context():
        seed(50, heavy_member_entries=10, sample=0, fast=False, out=lambda _line: None)
    member = db.session.scalar(select(User).where(User.email == MEMBER_EMAIL))
    referrals = db.session.scalars(select(Referral).where(Referral.referrer_id == member.id)).all()
    assert {r.status for r in referrals} >= {"registered", "visited", "rewarded", "rejected"}
    assert [item.answered for item in open_surveys_for(member)] == [True, False]
    mine = db.session.scalars(select(Suggestion).where(Suggestion.author_id == member.id)).all()
    assert {s.status for s in mine} == {"submitted", "under_review", "adopted", "implemented"}
    log_in(client, member)
    page = client.get("/referrals").get_data(as_text=True)
    assert page.count("會**") >= len(referrals)  # the friends, masked
    page = client.get("/surveys").get_data(as_text=True)
    assert all(item.survey.title(member.locale) in page for item in open_surveys_for(member))
    page = client.get("/suggestions").get_data(as_text=True)
    assert all(s.title in page for s in mine)


def test_benchmark_routes_answer_on_the_seeded_club(app, db):
    with app.test_request_context():
        seed(50, heavy_member_entries=10, sample=0, fast=False, out=lambda _line: None)
    db.session.remove()
    counts = count_statements(app.config["SQLALCHEMY_DATABASE_URI"],
                              ["/points", "/forum/t/", "/admin/dashboard"],
                              {"SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    assert counts["baseline"] == 0  # the baseline route does no database work
    for label in ("/points", "/forum/t/<40-post thread>", "/admin/dashboard"):
        assert counts[label] > 0, label  # answered 200 (-1 otherwise) after real SQL

    cpu = cpu_benchmark(SimpleNamespace(runs=1, rounds=1, only="/points,/forum/c/general deep"),
                        app.config["SQLALCHEMY_DATABASE_URI"],
                        {"SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    assert "| `/points` |" in cpu and "| `/forum/c/general deep page` |" in cpu

    report = dashboard_benchmark(SimpleNamespace(runs=2), app.config["SQLALCHEMY_DATABASE_URI"],
                                 {"SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    assert "| every figure computed (cache off), one development |" in report
    assert "| sections kept (cache on), all developments |" in report and "- members: " in report
