"""The suggestion reward programme: the review flow, the fund, rewards through the ledger
(and campaign bonus rules), notifications, photos, who sees what, and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.campaigns import services as campaigns
from portal.feedback import suggestions
from portal.feedback.errors import FeedbackError
from portal.feedback.models import Suggestion, SuggestionPhoto
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry
from tests import factories
from tests.campaigns.helpers import bonus_input
from tests.feedback.helpers import fund, make_suggestion, marketing, reviewer
from tests.forum.helpers import file_storage


def _notes(db, user) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_flow_submitted_review_adopted_implemented_with_reward_and_notices(app, db, english):
    fund(10_000)
    partner = factories.make_user(Role.PARTNER)
    suggestion = make_suggestion(partner)
    assert suggestion.status == "submitted" and "<em>lift lobby</em>" in suggestion.body_html
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 3000, actor=staff)
    assert (suggestion.status, suggestion.reward_points, suggestion.paid_points) == ("adopted", 3000, 3000)
    assert partner.points_balance == 3000
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.member_id == partner.id))
    assert (entry.kind, entry.idempotency_key) == ("suggestion", f"suggestion:{suggestion.id}:reward")
    fund_now = suggestions.fund_of(suggestion.fund_year)
    assert (fund_now.budget, fund_now.awarded, fund_now.balance) == (10_000, 3000, 7000)
    assert [s.id for s in suggestions.awards_in(suggestion.fund_year)] == [suggestion.id]
    suggestions.implement(suggestion, "Corridors are 1.6 m in phase 3.", actor=staff)
    assert suggestion.status == "implemented"
    assert len(_notes(db, partner)) == 4  # received, under review, adopted, implemented
    assert [s.id for s in db.session.scalars(suggestions.wall_query())] == [suggestion.id]


def test_not_adopted_keeps_the_reason_for_the_author(app, db, english):
    author = factories.make_member()
    suggestion = make_suggestion(author)
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    with pytest.raises(FeedbackError, match="Tell the author why"):
        suggestions.decline(suggestion, "   ", actor=staff)
    suggestions.decline(suggestion, "Not possible under the building code.", actor=staff)
    assert (suggestion.status, suggestion.reason) == ("not_adopted", "Not possible under the building code.")
    assert "not adopted" in _notes(db, author)[-1]
    assert db.session.scalars(suggestions.wall_query()).all() == []


def test_reward_above_the_fund_balance_is_refused_and_nothing_changes(app, db, english):
    fund(1000)
    author = factories.make_member()
    suggestion = make_suggestion(author)
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    db.session.commit()
    with pytest.raises(FeedbackError, match=r"above the fund's balance \(1,000 points left"):
        suggestions.adopt(suggestion, 1001, actor=staff)
    db.session.rollback()
    assert db.session.get(Suggestion, suggestion.id).status == "under_review"
    assert suggestions.fund_of(suggestions.utcnow().year).awarded == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    suggestions.adopt(db.session.get(Suggestion, suggestion.id), 1000, actor=staff)
    assert suggestions.fund_of(suggestions.utcnow().year).balance == 0


def test_no_fund_set_means_no_reward(app, db, english):
    suggestion = make_suggestion()
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    with pytest.raises(FeedbackError, match="0 points left"):
        suggestions.adopt(suggestion, 1, actor=staff)


@pytest.mark.parametrize("points", [0, -5, 1.5, True, None, 10**12])
def test_bad_reward_amounts(app, db, english, points):
    fund(10_000)
    suggestion = make_suggestion()
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    with pytest.raises(FeedbackError, match="whole number of points"):
        suggestions.adopt(suggestion, points, actor=staff)


def test_steps_out_of_order_and_twice_are_refused(app, db, english):
    fund(10_000)
    suggestion = make_suggestion()
    staff = reviewer()
    with pytest.raises(FeedbackError, match="moved on"):
        suggestions.adopt(suggestion, 10, actor=staff)
    with pytest.raises(FeedbackError, match="moved on"):
        suggestions.implement(suggestion, "Done", actor=staff)
    suggestions.start_review(suggestion, actor=staff)
    with pytest.raises(FeedbackError, match="moved on"):
        suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 10, actor=staff)
    with pytest.raises(FeedbackError, match="moved on"):
        suggestions.adopt(suggestion, 10, actor=staff)
    assert suggestions.fund_of(suggestion.fund_year).awarded == 10


def test_only_service_marketing_and_admins_review(app, db, english):
    suggestion = make_suggestion()
    for role in (Role.MEMBER, Role.PARTNER):
        with pytest.raises(FeedbackError, match="Only customer service or marketing"):
            suggestions.start_review(suggestion, actor=factories.make_user(role))
    suggestions.start_review(suggestion, actor=marketing())


def test_campaign_bonus_rule_boosts_the_reward_but_the_fund_pays_the_base(app, db, english):
    fund(10_000)
    author = factories.make_member()
    staff = marketing()
    rule = campaigns.save_draft(None, bonus_input(trigger="suggestion_adopted", bonus_mode="add", points=500,
                                                  multiplier_pct=None), actor=staff)
    campaigns.launch(rule, actor=staff)
    suggestion = make_suggestion(author)
    suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 2000, actor=staff)
    assert (suggestion.reward_points, suggestion.paid_points, author.points_balance) == (2000, 2500, 2500)
    assert suggestions.fund_of(suggestion.fund_year).awarded == 2000


@pytest.mark.parametrize(("changes", "message"), [
    ({"body": "   "}, "Write your suggestion first"),
    ({"title": ""}, "Give your suggestion a title"),
    ({"stage": "moon"}, "Choose from the list"),
    ({"development_id": 999_999}, "Choose from the list"),
    ({"development_id": None}, "Choose from the list"),
    ({"body": "x" * 5001}, "too long"),
])
def test_bad_suggestions_are_refused(app, db, english, changes, message):
    with pytest.raises(FeedbackError, match=message):
        make_suggestion(**changes)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0


def test_photos_up_to_four_cleaned_and_a_bad_one_stores_nothing(app, db, english):
    suggestion = make_suggestion(photos=[file_storage() for _ in range(4)])
    assert len(suggestion.photos) == 4
    folder = suggestions.photo_folder()
    assert len(list(folder.iterdir())) == 8  # photo + thumbnail each
    with pytest.raises(FeedbackError, match="At most 4 photos"):
        make_suggestion(photos=[file_storage() for _ in range(5)])
    with pytest.raises(FeedbackError, match="not a JPEG"):
        make_suggestion(photos=[file_storage(), file_storage(b"<?php echo 1;", "x.jpg")])
    assert len(list(folder.iterdir())) == 8
    assert db.session.scalar(select(func.count()).select_from(SuggestionPhoto)) == 4


def test_who_sees_a_suggestion(app, db, english):
    author, other = factories.make_member(), factories.make_member()
    suggestion = make_suggestion(author)
    assert suggestions.can_see(author, suggestion) and not suggestions.can_see(other, suggestion)
    assert suggestions.can_see(reviewer(), suggestion)
    fund(100)
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 100, actor=staff)
    assert suggestions.can_see(other, suggestion)


def test_fund_budget_rules(app, db, english):
    year = suggestions.utcnow().year
    fund(500)
    suggestion = make_suggestion()
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 400, actor=staff)
    with pytest.raises(FeedbackError, match="400 points are already awarded"):
        suggestions.set_fund(year, 399, actor=staff)
    assert suggestions.set_fund(year, 400, actor=staff).balance == 0
    with pytest.raises(FeedbackError, match="last year, this year or next year"):
        suggestions.set_fund(year + 5, 100, actor=staff)
    with pytest.raises(FeedbackError, match="budget between 0"):
        suggestions.set_fund(year, -1, actor=staff)
    with pytest.raises(FeedbackError, match="Only customer service"):
        suggestions.set_fund(year, 100, actor=factories.make_member())
