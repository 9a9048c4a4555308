"""Review rounds and post-project evaluations: invitations, comments with files, a comment
taken up as a suggestion (and rewarded from the fund), ratings once per rater, the report
per aspect and group (hand-computed), and every refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.feedback import rounds, suggestions
from portal.feedback.errors import FeedbackError
from portal.feedback.models import Evaluation, ReviewComment
from tests import factories
from tests.feedback.helpers import fund, homeowner, make_round, marketing, partner, reviewer
from tests.forum.helpers import file_storage

GOOD = {"positioning": "4", "planning": "3", "design": "5", "construction": "2", "marketing": "4",
        "social_impact": "5"}


def _scores(*values) -> dict[str, int]:
    return dict(zip(("positioning", "planning", "design", "construction", "marketing", "social_impact"),
                    values, strict=True))


def test_review_round_invite_comment_with_files_and_take_up_as_suggestion(app, db, english):
    staff = marketing()
    round_ = make_round(actor=staff)
    invited, outsider = partner(), partner()
    assert rounds.invite(round_, [invited.id], "partner", actor=staff) == 1
    assert rounds.invite(round_, [invited.id], "partner", actor=staff) == 0  # once
    assert [r.id for r in rounds.rounds_for(invited)] == [round_.id] and rounds.rounds_for(outsider) == []
    comment = rounds.add_comment(round_, invited, "Move the car park entrance to the side road.",
                                 [file_storage(), file_storage()])
    assert len(comment.files) == 2
    with pytest.raises(FeedbackError, match="not invited to this round"):
        rounds.add_comment(round_, outsider, "Me too")
    with pytest.raises(FeedbackError, match="Write your comment first"):
        rounds.add_comment(round_, invited, "  ")
    assert rounds.can_see_file(invited, comment.files[0])
    assert not rounds.can_see_file(outsider, comment.files[0])
    suggestion = rounds.adopt_comment(comment, actor=staff)
    assert (suggestion.author_id, suggestion.status) == (invited.id, "under_review")
    assert suggestion.stage == "design"
    with pytest.raises(FeedbackError, match="already a suggestion"):
        rounds.adopt_comment(comment, actor=staff)
    fund(5000)
    suggestions.adopt(suggestion, 800, actor=staff)
    assert invited.points_balance == 800
    rounds.close_round(round_, actor=staff)
    with pytest.raises(FeedbackError, match="closed"):
        rounds.add_comment(round_, invited, "Late")
    assert db.session.scalar(select(func.count()).select_from(ReviewComment)) == 1


def test_invitations_are_for_active_partner_accounts_only(app, db, english):
    staff = marketing()
    round_ = make_round(actor=staff)
    with pytest.raises(FeedbackError, match="Choose from the list"):
        rounds.invite(round_, [factories.make_member().id], "partner", actor=staff)
    with pytest.raises(FeedbackError, match="Choose from the list"):
        rounds.invite(round_, [partner().id], "community", actor=staff)  # review rounds: partners only
    with pytest.raises(FeedbackError, match="at least one"):
        rounds.invite(round_, [], "partner", actor=staff)
    with pytest.raises(FeedbackError, match="Only marketing"):
        rounds.invite(round_, [partner().id], "partner", actor=reviewer())


def test_open_round_bad_input(app, db, english):
    staff = marketing()
    with pytest.raises(FeedbackError, match="Choose from the list"):
        make_round(actor=staff, stage="moon")
    with pytest.raises(FeedbackError, match="Choose from the list"):
        make_round(actor=staff, development_id=999_999)
    with pytest.raises(FeedbackError, match="Give it a title"):
        make_round(actor=staff, title=" ")
    with pytest.raises(FeedbackError, match="Choose from the list"):
        rounds.open_round("poll", development_id=None, stage="", title="x", brief="", actor=staff)
    with pytest.raises(FeedbackError, match="Only marketing"):
        make_round(actor=factories.make_member())


def test_evaluation_groups_once_each_and_the_report_by_hand(app, db, english):
    """Staff: (4,4,4,3,5,4). Partners: (4,3,4,3,4,3) and (5,4,4,4,4,4) → 4.5, 3.5, 4, 3.5, 4, 3.5
    (all aspects 23 / 6 = 3.83). Community: homeowner (3,4,3,2,3,4) and the neighbourhood
    committee invited as community (4,5,4,3,4,5) → 3.5, 4.5, 3.5, 2.5, 3.5, 4.5."""
    staff = marketing()
    round_ = make_round("evaluation", "Jade Lake", actor=staff)
    p1, p2, committee = partner(), partner(), partner()
    owner, elsewhere = homeowner("Jade Lake"), homeowner("Cloud Peak")
    rounds.invite(round_, [p1.id, p2.id], "partner", actor=staff)
    rounds.invite(round_, [committee.id], "community", actor=staff)
    assert [rounds.group_of(round_, u) for u in (staff, p1, committee, owner, elsewhere)] == [
        "staff", "partner", "community", "community", None]
    rounds.rate(round_, staff, _scores(4, 4, 4, 3, 5, 4), "Sold well; phase 2 late.")
    rounds.rate(round_, p1, _scores(4, 3, 4, 3, 4, 3), "Drawings changed late.")
    rounds.rate(round_, p2, _scores(5, 4, 4, 4, 4, 4))
    rounds.rate(round_, owner, _scores(3, 4, 3, 2, 3, 4), "Leaks fixed slowly.")
    rounds.rate(round_, committee, _scores(4, 5, 4, 3, 4, 5))
    with pytest.raises(FeedbackError, match="not invited to this evaluation"):
        rounds.rate(round_, elsewhere, _scores(1, 1, 1, 1, 1, 1))
    with pytest.raises(FeedbackError, match="already rated"):
        rounds.rate(round_, p1, _scores(1, 1, 1, 1, 1, 1))
    report = rounds.report_of(round_)
    staff_scores, partners, community = report.groups
    assert (staff_scores.raters, partners.raters, community.raters, report.raters) == (1, 2, 2, 5)
    assert list(partners.averages.values()) == [4.5, 3.5, 4.0, 3.5, 4.0, 3.5] and partners.overall == 3.83
    assert list(community.averages.values()) == [3.5, 4.5, 3.5, 2.5, 3.5, 4.5]
    assert list(staff_scores.averages.values()) == [4.0, 4.0, 4.0, 3.0, 5.0, 4.0]
    assert len(report.chart.bars) == 18
    assert [e.comment for e in report.comments] == ["Leaks fixed slowly.", "Drawings changed late.",
                                                    "Sold well; phase 2 late."]


@pytest.mark.parametrize("bad", [{"design": "0"}, {"design": "6"}, {"design": ""}, {"design": "4.5"},
                                 {"design": "４"}, {"design": None}, {"design": True}])
def test_scores_out_of_range_are_refused_and_nothing_saved(app, db, english, bad):
    round_ = make_round("evaluation")
    rater = homeowner("Jade Lake")
    with pytest.raises(FeedbackError, match="from 1 to 5") as refused:
        rounds.rate(round_, rater, {**GOOD, **bad})
    assert refused.value.field == "design"
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_closed_evaluation_and_review_rounds_take_no_ratings(app, db, english):
    staff = marketing()
    evaluation, review = make_round("evaluation", actor=staff), make_round(actor=staff)
    rounds.close_round(evaluation, actor=staff)
    with pytest.raises(FeedbackError, match="closed"):
        rounds.rate(evaluation, homeowner("Jade Lake"), GOOD)
    with pytest.raises(FeedbackError, match="not invited"):
        rounds.rate(review, staff, GOOD)
    with pytest.raises(FeedbackError, match="closed"):
        rounds.close_round(evaluation, actor=staff)


def test_partners_are_not_community_unless_invited_so(app, db, english):
    round_ = make_round("evaluation")
    outsider = factories.make_user(Role.PARTNER)
    assert rounds.group_of(round_, outsider) is None and rounds.rounds_for(outsider) == []
    assert [r.id for r in rounds.rounds_for(homeowner("Jade Lake"))] == [round_.id]
