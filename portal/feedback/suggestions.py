"""The suggestion reward programme: submitting, the staff review, the yearly fund.

Review: submitted → under review → adopted (a reward taken from the year's fund) or not
adopted (the reason is shown to the author) → implemented (what changed). Each step is one
conditional UPDATE on the status, so two staff acting at once cannot both adopt; the fund
pays by one conditional UPDATE (`WHERE awarded + :points <= budget`) whose row count
decides, so it is never overspent, also under concurrency (the updated row stays locked
until the commit; PostgreSQL re-checks the WHERE on the newest row). The author is told at
every step; every staff act is audited. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import Development, User
from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.core.forms import MAX_AMOUNT
from portal.core.i18n import N_
from portal.core.images import ImageRejected, chosen_files, delete_stored_image, store_images
from portal.core.markdown import render_markdown
from portal.core.rewards import RewardTrigger, adjusted_reward
from portal.core.sql import dialect_insert
from portal.core.timeutil import utcnow
from portal.core.uow import after_commit
from portal.extensions import db
from portal.feedback.errors import FeedbackError
from portal.feedback.models import (
    PUBLIC_SUGGESTION_STATUSES,
    Suggestion,
    SuggestionFund,
    SuggestionPhoto,
    SuggestionStage,
    SuggestionStatus,
)
from portal.notifications.services import notify, send_email
from portal.points.models import LedgerKind
from portal.points.services import credit

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_TITLE, MAX_BODY, MAX_REASON, MAX_IMPLEMENTATION = 160, 5000, 1000, 2000
MAX_REWARD = 1_000_000
MAX_FUND = 2_000_000_000

RECEIVED = N_("Thank you: your suggestion “%(title)s” was received.")
UNDER_REVIEW = N_("Your suggestion “%(title)s” is under review.")
ADOPTED = N_("Your suggestion “%(title)s” was adopted: you earned %(points)s points. Thank you!")
NOT_ADOPTED = N_("Your suggestion “%(title)s” was not adopted: %(reason)s")
IMPLEMENTED = N_("Your suggestion “%(title)s” was put into practice: %(implementation)s")


def photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "suggestions"


def _tell(suggestion: Suggestion, message: str, params: dict, subject: str | None = None) -> None:
    """The author's in-app notice and, with a `subject`, the same text by e-mail."""
    params = {"title": suggestion.title, **params}
    notify(suggestion.author, "suggestions", message, params, link=f"/suggestions/{suggestion.id}")
    if subject is not None:
        send_email(suggestion.author, subject, message, params)


def _clean(text: str | None, maximum: int, field: str, empty_message) -> str:
    text = (text or "").strip()
    if not text:
        raise FeedbackError(empty_message, field=field)
    if len(text) > maximum:
        raise FeedbackError(_l("The text is too long (at most %(max)d characters).", max=maximum),
                            field=field)
    return text


def submit(author: User, *, development_id: int | None, stage: str, title: str, body: str,
           photos: list | None = None, now: datetime | None = None) -> Suggestion:
    """A member's or partner's suggestion, with up to four photos (cleaned by core.images)."""
    if not author.can(P.SUBMIT_SUGGESTIONS):
        raise FeedbackError(_l("You cannot submit suggestions."))
    development = db.session.get(Development, development_id) if isinstance(development_id, int) else None
    if development is None:
        raise FeedbackError(_l("Choose from the list."), field="development_id")
    try:
        stage = SuggestionStage(stage).value
    except ValueError:
        raise FeedbackError(_l("Choose from the list."), field="stage") from None
    title = " ".join(_clean(title, MAX_TITLE, "title", _l("Give your suggestion a title.")).split())
    body = _clean(body, MAX_BODY, "body", _l("Write your suggestion first."))
    uploads = chosen_files(photos)
    if len(uploads) > MAX_PHOTOS:
        raise FeedbackError(_l("At most %(max)d photos.", max=MAX_PHOTOS), field="photos")
    suggestion = Suggestion(author_id=author.id, development_id=development.id, stage=stage, title=title,
                            body=body, body_html=render_markdown(body), created_at=now or utcnow())
    db.session.add(suggestion)
    db.session.flush()
    try:  # last, once every other rule has passed: a refusal leaves no file behind
        stored = store_images(uploads, photo_folder(), max_bytes=MAX_PHOTO_BYTES)
    except ImageRejected as error:
        raise FeedbackError(error.message, field="photos") from None
    for position, image in enumerate(stored):
        db.session.add(SuggestionPhoto(suggestion=suggestion, position=position, stored_name=image.name,
                                       thumb_name=image.thumb_name, width=image.width,
                                       height=image.height, size=image.size))
    db.session.flush()
    _tell(suggestion, RECEIVED, {})
    return suggestion


def remove_photos_of(suggestion: Suggestion) -> None:
    """Delete a suggestion's photo files once the transaction that drops them commits."""
    for photo in suggestion.photos:
        after_commit(delete_stored_image, photo_folder(), photo.stored_name, photo.thumb_name)


# --- the staff review -------------------------------------------------------------------------

def _require_reviewer(actor: User | None) -> None:
    if actor is None or not actor.can(P.MANAGE_SUGGESTIONS):
        raise FeedbackError(_l("Only customer service or marketing staff can review suggestions."))


def _move(suggestion: Suggestion, from_status: SuggestionStatus, to_status: SuggestionStatus,
          **values) -> None:
    """One conditional UPDATE: the first of two staff acting at once wins, the other is refused."""
    moved = db.session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id, Suggestion.status == from_status.value)
        .values(status=to_status.value, **values), execution_options={"synchronize_session": False},
    ).rowcount
    if not moved:
        raise FeedbackError(_l("This suggestion has moved on: reload the page."))
    db.session.refresh(suggestion)


def start_review(suggestion: Suggestion, *, actor: User, ip: str | None = None) -> Suggestion:
    _require_reviewer(actor)
    _move(suggestion, SuggestionStatus.SUBMITTED, SuggestionStatus.UNDER_REVIEW, reviewed_at=utcnow())
    record_action(actor, "suggestion.review", suggestion, {}, ip=ip)
    _tell(suggestion, UNDER_REVIEW, {})
    return suggestion


def take_from_fund(year: int, points: int) -> bool:
    """Book `points` on the year's fund if its balance covers them; True when booked."""
    return db.session.execute(
        update(SuggestionFund).where(SuggestionFund.year == year,
                                     SuggestionFund.awarded + points <= SuggestionFund.budget)
        .values(awarded=SuggestionFund.awarded + points, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount == 1


def adopt(suggestion: Suggestion, points: int, *, actor: User, ip: str | None = None,
          now: datetime | None = None) -> Suggestion:
    """Adopt and reward: `points` come out of this year's fund (refused above its balance),
    the author is credited once (campaign bonus rules may add to it)."""
    _require_reviewer(actor)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_REWARD:
        raise FeedbackError(_l("Enter a whole number of points between 1 and %(maximum)s.",
                               maximum=f"{MAX_REWARD:,}"), field="points")
    now = now or utcnow()
    year = now.year
    _move(suggestion, SuggestionStatus.UNDER_REVIEW, SuggestionStatus.ADOPTED, decided_at=now,
          decided_by_id=actor.id, reward_points=points, fund_year=year)
    if not take_from_fund(year, points):
        fund = fund_of(year)
        raise FeedbackError(_l("The reward is above the fund's balance (%(balance)s points left this "
                               "year).", balance=f"{fund.balance:,}"), field="points")
    paid = adjusted_reward(RewardTrigger.SUGGESTION_ADOPTED, suggestion.author_id, points)
    paid = min(paid, MAX_AMOUNT)
    credit(suggestion.author, paid, kind=LedgerKind.SUGGESTION, reason=N_("Suggestion adopted: %(title)s"),
           reason_params={"title": suggestion.title}, idempotency_key=f"suggestion:{suggestion.id}:reward",
           source=suggestion, actor=actor)
    suggestion.paid_points = paid
    db.session.flush()
    record_action(actor, "suggestion.adopt", suggestion, {"points": points, "paid": paid, "year": year},
                  ip=ip)
    _tell(suggestion, ADOPTED, {"points": f"{paid:,}"}, subject=N_("Your suggestion was adopted"))
    return suggestion


def decline(suggestion: Suggestion, reason: str, *, actor: User, ip: str | None = None) -> Suggestion:
    """Not adopted, with the reason the author reads."""
    _require_reviewer(actor)
    reason = _clean(reason, MAX_REASON, "reason", _l("Tell the author why."))
    _move(suggestion, SuggestionStatus.UNDER_REVIEW, SuggestionStatus.NOT_ADOPTED, decided_at=utcnow(),
          decided_by_id=actor.id, reason=reason)
    record_action(actor, "suggestion.decline", suggestion, {"reason": reason}, ip=ip)
    _tell(suggestion, NOT_ADOPTED, {"reason": reason}, subject=N_("About your suggestion"))
    return suggestion


def implement(suggestion: Suggestion, implementation: str, *, actor: User,
              ip: str | None = None) -> Suggestion:
    """An adopted suggestion put into practice, with what was changed (shown on the wall)."""
    _require_reviewer(actor)
    implementation = _clean(implementation, MAX_IMPLEMENTATION, "implementation",
                            _l("Describe what was changed."))
    _move(suggestion, SuggestionStatus.ADOPTED, SuggestionStatus.IMPLEMENTED, implemented_at=utcnow(),
          implementation=implementation)
    record_action(actor, "suggestion.implement", suggestion, {"implementation": implementation}, ip=ip)
    _tell(suggestion, IMPLEMENTED, {"implementation": implementation})
    return suggestion


# --- the fund ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fund:
    year: int
    budget: int
    awarded: int

    @property
    def balance(self) -> int:
        return self.budget - self.awarded

    @property
    def used_pct(self) -> int:
        return self.awarded * 100 // self.budget if self.budget else 0


def fund_of(year: int) -> Fund:
    row = db.session.get(SuggestionFund, year, populate_existing=True)
    return Fund(year, row.budget, row.awarded) if row else Fund(year, 0, 0)


def set_fund(year: int, budget: int, *, actor: User, ip: str | None = None) -> Fund:
    """Set a year's budget; never below what that year has already awarded."""
    _require_reviewer(actor)
    this_year = utcnow().year
    if isinstance(year, bool) or not isinstance(year, int) or not this_year - 1 <= year <= this_year + 1:
        raise FeedbackError(_l("Choose last year, this year or next year."), field="year")
    if isinstance(budget, bool) or not isinstance(budget, int) or not 0 <= budget <= MAX_FUND:
        raise FeedbackError(_l("Enter a budget between 0 and %(maximum)s points.", maximum=f"{MAX_FUND:,}"),
                            field="budget")
    db.session.execute(dialect_insert(SuggestionFund.__table__, db.session)
                       .values(year=year, budget=0, awarded=0, updated_at=utcnow()).on_conflict_do_nothing())
    changed = db.session.execute(
        update(SuggestionFund).where(SuggestionFund.year == year, SuggestionFund.awarded <= budget)
        .values(budget=budget, updated_at=utcnow()), execution_options={"synchronize_session": False},
    ).rowcount
    fund = fund_of(year)
    if not changed:
        raise FeedbackError(_l("%(awarded)s points are already awarded this year: the budget cannot be "
                               "lower.", awarded=f"{fund.awarded:,}"), field="budget")
    record_action(actor, "suggestion.fund", None, {"year": year, "budget": budget}, ip=ip)
    return fund


def awards_in(year: int) -> list[Suggestion]:
    """The year's adopted suggestions and their rewards, newest first."""
    return list(db.session.scalars(
        select(Suggestion).options(selectinload(Suggestion.author), selectinload(Suggestion.development))
        .where(Suggestion.fund_year == year, Suggestion.reward_points > 0)
        .order_by(Suggestion.decided_at.desc(), Suggestion.id.desc())))


# --- who sees what ----------------------------------------------------------------------------

def can_see(user, suggestion: Suggestion) -> bool:
    """The author, reviewing staff, and (once adopted) every signed-in user."""
    if not user.is_authenticated:
        return False
    return suggestion.author_id == user.id or user.can(P.MANAGE_SUGGESTIONS) or suggestion.is_public


def mine_query(author: User) -> Select:
    return (select(Suggestion).options(selectinload(Suggestion.development))
            .where(Suggestion.author_id == author.id)
            .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()))


def wall_query() -> Select:
    """"You said, we did": adopted and implemented suggestions, newest decision first."""
    return (select(Suggestion).options(selectinload(Suggestion.development))
            .where(Suggestion.status.in_(PUBLIC_SUGGESTION_STATUSES))
            .order_by(Suggestion.decided_at.desc(), Suggestion.id.desc()))


def staff_query(status: str | None) -> Select:
    query = select(Suggestion).options(selectinload(Suggestion.author), selectinload(Suggestion.development))
    if status in SuggestionStatus.labels():
        query = query.where(Suggestion.status == status)
    return query.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())


def waiting_count(_user=None) -> int:
    """Suggestions that wait for a reviewer (submitted or under review): the staff home."""
    return db.session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status.in_(
        (SuggestionStatus.SUBMITTED.value, SuggestionStatus.UNDER_REVIEW.value)))) or 0


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Suggestion.status, func.count()).group_by(Suggestion.status)).all())
