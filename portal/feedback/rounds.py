"""Partners in the development cycle: review rounds (early involvement) and post-project
evaluations.

A review round asks invited partner accounts to comment on a development at a stage; they
may attach photos, scans or PDF drawings, and staff may adopt a useful comment as a suggestion (which
then goes through the suggestion review and may be rewarded from the fund). An evaluation
asks invited partners, the community (homeowners of that development, plus outside
participants invited as partner accounts in the community group) and staff to rate six
aspects 1–5 with a comment, once each (UNIQUE(round, rater)); the report sets the groups'
averages side by side. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.accounts.permissions import P, Role
from portal.audit.services import record_action
from portal.core.charts import BarChart, grouped_bars
from portal.core.documents import DocumentRejected, delete_stored_document, is_pdf, store_document
from portal.core.i18n import N_
from portal.core.images import ImageRejected, chosen_files, delete_stored_image, store_images
from portal.core.markdown import render_markdown
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback.errors import FeedbackError
from portal.feedback.models import (
    ASPECTS,
    SCORE_MAX,
    SCORE_MIN,
    SUGGESTION_STAGE_OF_ROUND,
    Aspect,
    Evaluation,
    FeedbackRound,
    RaterGroup,
    ReviewComment,
    ReviewFile,
    RoundInvite,
    RoundKind,
    RoundStage,
    Suggestion,
    SuggestionStatus,
)
from portal.notifications.services import notify

MAX_TITLE, MAX_BRIEF, MAX_COMMENT = 160, 4000, 5000
MAX_FILES = 4
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_INVITES = 200

INVITED_REVIEW = N_("You are invited to comment on %(development)s (%(title)s).")
INVITED_EVALUATION = N_("You are invited to evaluate %(development)s (%(title)s).")
COMMENT_ADOPTED = N_("Your comment in “%(title)s” was taken up as a suggestion.")


def file_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "rounds"


def _require_manager(actor: User | None) -> None:
    if actor is None or not actor.can(P.MANAGE_EVALUATIONS):
        raise FeedbackError(_l("Only marketing staff can run review rounds and evaluations."))


def _text(value: str | None, maximum: int, field: str, empty_message=None) -> str:
    value = (value or "").strip()
    if empty_message is not None and not value:
        raise FeedbackError(empty_message, field=field)
    if len(value) > maximum:
        raise FeedbackError(_l("The text is too long (at most %(max)d characters).", max=maximum),
                            field=field)
    return value


def open_round(kind: str, *, development_id: int | None, stage: str, title: str, brief: str,
               actor: User, ip: str | None = None) -> FeedbackRound:
    """Open a review round (at a stage) or a post-project evaluation of a development."""
    _require_manager(actor)
    try:
        kind = RoundKind(kind).value
    except ValueError:
        raise FeedbackError(_l("Choose from the list."), field="kind") from None
    development = db.session.get(Development, development_id) if isinstance(development_id, int) else None
    if development is None:
        raise FeedbackError(_l("Choose from the list."), field="development_id")
    if kind == RoundKind.REVIEW:
        try:
            stage = RoundStage(stage).value
        except ValueError:
            raise FeedbackError(_l("Choose from the list."), field="stage") from None
    else:
        stage = ""
    round_ = FeedbackRound(kind=kind, development_id=development.id, stage=stage,
                           title=" ".join(_text(title, MAX_TITLE, "title", _l("Give it a title.")).split()),
                           brief=_text(brief, MAX_BRIEF, "brief"), opened_by_id=actor.id)
    db.session.add(round_)
    db.session.flush()
    record_action(actor, "round.open_review" if kind == RoundKind.REVIEW else "round.open_evaluation", round_,
                  {"development": development.id, "stage": stage}, ip=ip)
    return round_


def invite(round_: FeedbackRound, user_ids: list[int], group: str, *, actor: User,
           ip: str | None = None) -> int:
    """Invite partner accounts (a review round: as partners; an evaluation: as partners or as
    outside community participants). Returns how many were newly invited."""
    _require_manager(actor)
    if not round_.is_open:
        raise FeedbackError(_l("This round is closed."))
    allowed = (RaterGroup.PARTNER.value,) if round_.is_review else (RaterGroup.PARTNER.value,
                                                                    RaterGroup.COMMUNITY.value)
    if group not in allowed:
        raise FeedbackError(_l("Choose from the list."), field="group")
    ids = sorted({i for i in user_ids if isinstance(i, int) and not isinstance(i, bool)})
    if not ids or len(ids) > MAX_INVITES:
        raise FeedbackError(_l("Choose at least one partner account."), field="user_ids")
    partners = list(db.session.scalars(select(User).where(
        User.id.in_(ids), User.role == Role.PARTNER.value, User.is_active_account.is_(True))))
    if len(partners) != len(ids):
        raise FeedbackError(_l("Choose from the list."), field="user_ids")
    already = set(db.session.scalars(select(RoundInvite.user_id).where(
        RoundInvite.round_id == round_.id, RoundInvite.user_id.in_(ids))))
    new = [p for p in partners if p.id not in already]
    message = INVITED_REVIEW if round_.is_review else INVITED_EVALUATION
    for partner in new:
        db.session.add(RoundInvite(round_id=round_.id, user_id=partner.id, group=group))
        notify(partner, "rounds", message, {"development": round_.development.name, "title": round_.title},
               link=f"/rounds/{round_.id}")
    db.session.flush()
    record_action(actor, "round.invite", round_, {"users": [p.id for p in new], "group": group}, ip=ip)
    return len(new)


def close_round(round_: FeedbackRound, *, actor: User, ip: str | None = None) -> FeedbackRound:
    _require_manager(actor)
    if not round_.is_open:
        raise FeedbackError(_l("This round is closed."))
    round_.is_open = False
    round_.closed_at = utcnow()
    db.session.flush()
    record_action(actor, "round.close", round_, {}, ip=ip)
    return round_


# --- who takes part ---------------------------------------------------------------------------

def _invite_of(round_: FeedbackRound, user: User) -> RoundInvite | None:
    return db.session.get(RoundInvite, (round_.id, user.id))


def _lives_in(user: User, development_id: int) -> bool:
    return db.session.scalar(select(exists().where(
        Ownership.user_id == user.id, Ownership.status == OwnershipStatus.VERIFIED.value,
        Ownership.unit_id == Unit.id, Unit.building_id == Building.id,
        Building.development_id == development_id))) or False


def group_of(round_: FeedbackRound, user: User) -> str | None:
    """The group `user` rates an evaluation in, or None when they are not invited."""
    if not user.is_authenticated or round_.is_review:
        return None
    if user.can(P.STAFF_AREA):
        return RaterGroup.STAFF.value
    invite_ = _invite_of(round_, user)
    if invite_ is not None:
        return invite_.group
    if user.role == Role.MEMBER and _lives_in(user, round_.development_id):
        return RaterGroup.COMMUNITY.value
    return None


def takes_part(round_: FeedbackRound, user: User) -> bool:
    """Invited to comment (review round) or to rate (evaluation)."""
    if not user.is_authenticated:
        return False
    if round_.is_review:
        return _invite_of(round_, user) is not None
    return group_of(round_, user) is not None


def rounds_for(user: User) -> list[FeedbackRound]:
    """Open rounds `user` takes part in: invitations, and evaluations of their developments."""
    invited = select(RoundInvite.round_id).where(RoundInvite.user_id == user.id)
    mine = (select(Building.development_id).join(Unit, Unit.building_id == Building.id)
            .join(Ownership, Ownership.unit_id == Unit.id)
            .where(Ownership.user_id == user.id, Ownership.status == OwnershipStatus.VERIFIED.value))
    conditions = [FeedbackRound.id.in_(invited)]
    if user.role == Role.MEMBER:
        conditions.append((FeedbackRound.kind == RoundKind.EVALUATION.value)
                          & FeedbackRound.development_id.in_(mine))
    return list(db.session.scalars(
        select(FeedbackRound).options(selectinload(FeedbackRound.development))
        .where(FeedbackRound.is_open.is_(True), or_(*conditions))
        .order_by(FeedbackRound.created_at.desc(), FeedbackRound.id.desc())))


# --- review rounds ----------------------------------------------------------------------------

def add_comment(round_: FeedbackRound, author: User, body: str, files: list | None = None, *,
                now: datetime | None = None) -> ReviewComment:
    """An invited partner's comment on an open review round, with up to four photos, scans or PDFs."""
    if not round_.is_review or _invite_of(round_, author) is None:
        raise FeedbackError(_l("You were not invited to this round."))
    if not round_.is_open:
        raise FeedbackError(_l("This round is closed."))
    body = _text(body, MAX_COMMENT, "body", _l("Write your comment first."))
    uploads = chosen_files(files)
    if len(uploads) > MAX_FILES:
        raise FeedbackError(_l("At most %(max)d files.", max=MAX_FILES), field="files")
    comment = ReviewComment(round_id=round_.id, author_id=author.id, body=body,
                            body_html=render_markdown(body),
                            created_at=now or utcnow())
    db.session.add(comment)
    db.session.flush()
    for row in _store_files(uploads):
        comment.files.append(row)
    db.session.flush()
    return comment


def _store_files(uploads: list) -> list[ReviewFile]:
    """PDFs through core.documents, everything else through core.images (which refuses what
    is not a photo); all or nothing: on a refusal the files stored before are removed."""
    folder, rows = file_folder(), []
    try:
        for upload in uploads:
            if is_pdf(upload.stream):
                document = store_document(upload.stream, folder, filename=upload.filename,
                                          max_bytes=MAX_PDF_BYTES)
                rows.append(ReviewFile(kind="pdf", stored_name=document.name,
                                       download_name=document.download_name, size=document.size))
            else:
                image = store_images([upload], folder, max_bytes=MAX_FILE_BYTES)[0]
                rows.append(ReviewFile(kind="image", stored_name=image.name, thumb_name=image.thumb_name,
                                       width=image.width, height=image.height, size=image.size))
    except ImageRejected as error:
        for row in rows:
            remove_file(row)
        message = error.message if isinstance(error, DocumentRejected) else _l(
            "Attach photos or scans (JPEG, PNG, WebP) or PDF files.")
        raise FeedbackError(message, field="files") from None
    return rows


def remove_file(row: ReviewFile) -> None:
    if row.is_pdf:
        delete_stored_document(file_folder(), row.stored_name)
    else:
        delete_stored_image(file_folder(), row.stored_name, row.thumb_name)


def comments_query(round_: FeedbackRound, author: User | None = None) -> Select:
    query = (select(ReviewComment)
             .options(selectinload(ReviewComment.author), selectinload(ReviewComment.files))
             .where(ReviewComment.round_id == round_.id))
    if author is not None:
        query = query.where(ReviewComment.author_id == author.id)
    return query.order_by(ReviewComment.created_at, ReviewComment.id)


def can_see_file(user: User, file: ReviewFile) -> bool:
    """The comment's author and the staff who run rounds."""
    return user.is_authenticated and (file.comment.author_id == user.id or user.can(P.MANAGE_EVALUATIONS))


def adopt_comment(comment: ReviewComment, *, actor: User, ip: str | None = None) -> Suggestion:
    """Take a useful comment up as a suggestion by its author, already under review: the
    suggestion review then adopts (and rewards it from the fund) or declines it."""
    _require_manager(actor)
    if not actor.can(P.MANAGE_SUGGESTIONS):
        raise FeedbackError(_l("Only customer service or marketing staff can review suggestions."))
    if comment.suggestion_id is not None:
        raise FeedbackError(_l("This comment is already a suggestion."))
    round_ = comment.round
    stage = SUGGESTION_STAGE_OF_ROUND[RoundStage(round_.stage)].value
    now = utcnow()
    suggestion = Suggestion(author_id=comment.author_id, development_id=round_.development_id, stage=stage,
                            title=round_.title[:160], body=comment.body, body_html=comment.body_html,
                            status=SuggestionStatus.UNDER_REVIEW.value, created_at=comment.created_at,
                            reviewed_at=now)
    db.session.add(suggestion)
    db.session.flush()
    # Two staff adopting the comment at once: the first UPDATE wins, the other is refused.
    taken = db.session.execute(
        update(ReviewComment).where(ReviewComment.id == comment.id, ReviewComment.suggestion_id.is_(None))
        .values(suggestion_id=suggestion.id), execution_options={"synchronize_session": False}).rowcount
    if not taken:
        raise FeedbackError(_l("This comment is already a suggestion."))
    db.session.refresh(comment)
    record_action(actor, "round.adopt_comment", round_, {"comment": comment.id, "suggestion": suggestion.id},
                  ip=ip)
    notify(comment.author, "suggestions", COMMENT_ADOPTED, {"title": round_.title},
           link=f"/suggestions/{suggestion.id}")
    return suggestion


# --- evaluations ------------------------------------------------------------------------------

def evaluation_of(round_: FeedbackRound, user: User) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.round_id == round_.id,
                                                      Evaluation.rater_id == user.id))


def _score(raw: Any, aspect: str) -> int:
    if isinstance(raw, bool):
        raw = None
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) == 1 and SCORE_MIN <= int(text) <= SCORE_MAX):
        raise FeedbackError(_l("Rate each aspect from 1 to 5."), field=aspect)
    return int(text)


def rate(round_: FeedbackRound, rater: User, scores: dict[str, Any], comment: str = "", *,
         now: datetime | None = None) -> Evaluation:
    """The rater's six scores and comment, once; refused for anyone not invited."""
    group = group_of(round_, rater)
    if group is None:
        raise FeedbackError(_l("You were not invited to this evaluation."))
    if not round_.is_open:
        raise FeedbackError(_l("This round is closed."))
    if evaluation_of(round_, rater) is not None:
        raise FeedbackError(_l("You have already rated this development."))
    values = {aspect: _score(scores.get(aspect), aspect) for aspect in ASPECTS}
    evaluation = Evaluation(round_id=round_.id, rater_id=rater.id, group=group,
                            comment=_text(comment, MAX_COMMENT, "comment"), created_at=now or utcnow(),
                            **values)
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
            db.session.flush()
    except IntegrityError:
        raise FeedbackError(_l("You have already rated this development.")) from None
    return evaluation


@dataclass(frozen=True)
class GroupScores:
    group: str
    raters: int
    averages: dict[str, float | None]  # aspect → mean 1–5, two decimals

    @property
    def label(self):
        return RaterGroup.label_of(self.group)

    @property
    def overall(self) -> float | None:
        values = [v for v in self.averages.values() if v is not None]
        return round(sum(values) / len(values), 2) if values else None


@dataclass(frozen=True)
class EvaluationReport:
    round: FeedbackRound
    groups: list[GroupScores]  # staff, partners, community (always all three)
    chart: BarChart
    comments: list[Evaluation]

    @property
    def raters(self) -> int:
        return sum(g.raters for g in self.groups)


def report_of(round_: FeedbackRound) -> EvaluationReport:
    """Average per aspect and per group, one GROUP BY query; the comments, staff first."""
    rows = db.session.execute(
        select(Evaluation.group, func.count(), *[func.avg(getattr(Evaluation, a)) for a in ASPECTS])
        .where(Evaluation.round_id == round_.id).group_by(Evaluation.group)).all()
    found = {row[0]: row for row in rows}
    groups = []
    for group in RaterGroup:
        row = found.get(group.value)
        averages = {aspect: (round(float(row[2 + i]), 2) if row else None)
                    for i, aspect in enumerate(ASPECTS)}
        groups.append(GroupScores(group.value, row[1] if row else 0, averages))
    chart = grouped_bars(_l("Average per aspect and group"),
                         [(aspect.label, [g.averages[aspect.value] for g in groups]) for aspect in Aspect],
                         top=SCORE_MAX)
    comments = list(db.session.scalars(
        select(Evaluation).options(selectinload(Evaluation.rater))
        .where(Evaluation.round_id == round_.id, Evaluation.comment != "")
        .order_by(Evaluation.group, Evaluation.created_at, Evaluation.id)))
    return EvaluationReport(round_, groups, chart, comments)


# --- staff lists ------------------------------------------------------------------------------

def rounds_query() -> Select:
    return (select(FeedbackRound).options(selectinload(FeedbackRound.development))
            .order_by(FeedbackRound.created_at.desc(), FeedbackRound.id.desc()))


def invites_of(round_: FeedbackRound) -> list[RoundInvite]:
    return list(db.session.scalars(select(RoundInvite).options(selectinload(RoundInvite.user))
                                   .where(RoundInvite.round_id == round_.id)
                                   .order_by(RoundInvite.invited_at)))


def partner_accounts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.PARTNER.value,
                                                      User.is_active_account.is_(True))
                                   .order_by(User.display_name).limit(MAX_INVITES)))
