"""Feedback tables: satisfaction surveys, the suggestion reward programme and its yearly
fund, review rounds (early involvement) and post-project evaluations.

Staff write survey texts in the three languages (`*_zh_Hant`, `*_zh_Hans`, `*_en`); the
reader gets their own, else another filled one (`portal.core.i18n.localized`).
One response per survey and member (UNIQUE), one answer row per rating / text / chosen
option, so results are GROUP BY queries. One evaluation per round and rater (UNIQUE).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.enums import LabelledEnum
from portal.core.i18n import localized
from portal.core.timeutil import utcnow
from portal.extensions import db

LANGS = ("zh_Hant", "zh_Hans", "en")
RATING_MIN, RATING_MAX = 0, 10  # survey rating questions


class QuestionKind(LabelledEnum):
    RATING = "rating", _lp("question kind", "Rating 0–10")
    SINGLE = "single", _lp("question kind", "Single choice")
    MULTIPLE = "multiple", _lp("question kind", "Multiple choice")
    TEXT = "text", _lp("question kind", "Free text")


class SurveyStatus(LabelledEnum):
    DRAFT = "draft", _lp("survey status", "Draft")
    PUBLISHED = "published", _lp("survey status", "Published")


class _Texts:
    """Per-locale columns `<name>_<lang>` read as one localized value."""

    def texts(self, name: str) -> dict[str, str]:
        return {lang: getattr(self, f"{name}_{lang}") or "" for lang in LANGS}

    def text_in(self, name: str, locale: str) -> str:
        return localized(self.texts(name), locale)


class Survey(_Texts, db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        # The staff list (newest first) and the member list (published, open window).
        Index("ix_surveys_created_at_id", "created_at", "id"),
        Index("ix_surveys_status_closes_at", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.DRAFT.value)
    title_zh_Hant: Mapped[str] = mapped_column(String(160), default="")  # noqa: N815
    title_zh_Hans: Mapped[str] = mapped_column(String(160), default="")  # noqa: N815
    title_en: Mapped[str] = mapped_column(String(160), default="")
    intro_zh_Hant: Mapped[str] = mapped_column(String(2000), default="")  # noqa: N815
    intro_zh_Hans: Mapped[str] = mapped_column(String(2000), default="")  # noqa: N815
    intro_en: Mapped[str] = mapped_column(String(2000), default="")
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    points: Mapped[int] = mapped_column(default=0)  # for completing
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position, SurveyQuestion.id",
        cascade="all, delete-orphan")

    def title(self, locale: str) -> str:
        return self.text_in("title", locale)

    def intro(self, locale: str) -> str:
        return self.text_in("intro", locale)

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT

    def is_open_at(self, now: datetime) -> bool:
        return self.status == SurveyStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    @property
    def status_label(self):
        return SurveyStatus.label_of(self.status)


class SurveyQuestion(_Texts, db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (Index("ix_survey_questions_survey_id_position", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    is_required: Mapped[bool] = mapped_column(default=True)
    text_zh_Hant: Mapped[str] = mapped_column(String(500), default="")  # noqa: N815
    text_zh_Hans: Mapped[str] = mapped_column(String(500), default="")  # noqa: N815
    text_en: Mapped[str] = mapped_column(String(500), default="")
    # Choice questions: [{"zh_Hant": …, "zh_Hans": …, "en": …}, …]; an answer stores the index.
    options: Mapped[list] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def text(self, locale: str) -> str:
        return self.text_in("text", locale)

    def option_labels(self, locale: str) -> list[str]:
        return [localized(option, locale) for option in self.options or []]

    @property
    def kind_label(self):
        return QuestionKind.label_of(self.kind)

    @property
    def is_choice(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class SurveyResponse(db.Model):
    """One member's answers to one survey (once: UNIQUE), with the development of their
    verified home when they answered (the index per development) and the points paid."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "member_id", name="one_per_member"),
        Index("ix_survey_responses_survey_id_submitted_at", "survey_id", "submitted_at"),
        Index("ix_survey_responses_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    development_id: Mapped[int | None] = mapped_column(ForeignKey("developments.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    points: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship()
    member = relationship("User")
    development = relationship("Development")


class SurveyAnswer(db.Model):
    """A rating (0–10), a free text, or one chosen option (a multiple choice gives a row
    per option chosen)."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 0 AND rating <= 10)", name="rating_0_to_10"),
        Index("ix_survey_answers_question_id", "question_id"),
        Index("ix_survey_answers_response_id", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"))
    rating: Mapped[int | None]
    option: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")


# --- the suggestion reward programme -------------------------------------------------------

class SuggestionStage(LabelledEnum):
    """The stage of a development a suggestion is about."""

    LAND_PLANNING = "land_planning", _lp("development stage", "Land and planning")
    DESIGN = "design", _lp("development stage", "Design")
    CONSTRUCTION = "construction", _lp("development stage", "Construction")
    SALES = "sales", _lp("development stage", "Sales")
    PROPERTY_MANAGEMENT = "property_management", _lp("development stage", "Property management")
    AFTER_SALE = "after_sale", _lp("development stage", "After-sale service")


class SuggestionStatus(LabelledEnum):
    SUBMITTED = "submitted", _lp("suggestion status", "Submitted")
    UNDER_REVIEW = "under_review", _lp("suggestion status", "Under review")
    ADOPTED = "adopted", _lp("suggestion status", "Adopted")
    NOT_ADOPTED = "not_adopted", _lp("suggestion status", "Not adopted")
    IMPLEMENTED = "implemented", _lp("suggestion status", "Implemented")


PUBLIC_SUGGESTION_STATUSES = (SuggestionStatus.ADOPTED.value, SuggestionStatus.IMPLEMENTED.value)


class Suggestion(db.Model):
    """A homeowner's or partner's idea about a development: submitted → under review →
    adopted (rewarded from the year's fund) or not adopted (with the reason) → implemented
    (with what changed). Adopted and implemented ones are on the public wall."""

    __tablename__ = "suggestions"
    __table_args__ = (
        CheckConstraint("reward_points >= 0", name="reward_not_negative"),
        # Mine, the staff list (all or one status) and the wall, each in its ORDER BY.
        Index("ix_suggestions_author_id_created_at", "author_id", "created_at"),
        Index("ix_suggestions_created_at_id", "created_at", "id"),
        Index("ix_suggestions_status_created_at", "status", "created_at"),
        Index("ix_suggestions_status_decided_at", "status", "decided_at"),
        Index("ix_suggestions_fund_year", "fund_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"))
    stage: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.SUBMITTED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reward_points: Mapped[int] = mapped_column(default=0)  # taken from the fund
    paid_points: Mapped[int] = mapped_column(default=0)  # credited (campaign bonus included)
    fund_year: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(1000), default="")  # why not adopted
    implementation: Mapped[str] = mapped_column(String(2000), default="")  # what changed
    implemented_at: Mapped[datetime | None]

    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    development = relationship("Development")
    photos: Mapped[list[SuggestionPhoto]] = relationship(
        back_populates="suggestion", order_by="SuggestionPhoto.position", cascade="all, delete-orphan")

    @property
    def status_label(self):
        return SuggestionStatus.label_of(self.status)

    @property
    def stage_label(self):
        return SuggestionStage.label_of(self.stage)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_SUGGESTION_STATUSES


class SuggestionPhoto(db.Model):
    __tablename__ = "suggestion_photos"
    __table_args__ = (Index("ix_suggestion_photos_suggestion_id_position", "suggestion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"))
    position: Mapped[int] = mapped_column(default=0)
    stored_name: Mapped[str] = mapped_column(String(64))
    thumb_name: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]

    suggestion: Mapped[Suggestion] = relationship(back_populates="photos")


class SuggestionFund(db.Model):
    """The programme's budget for one year; `awarded` only grows by a conditional UPDATE
    (`WHERE awarded + :points <= budget`), and the CHECK holds the line in the database too."""

    __tablename__ = "suggestion_funds"
    __table_args__ = (
        CheckConstraint("awarded >= 0 AND awarded <= budget", name="awarded_within_budget"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    budget: Mapped[int] = mapped_column(default=0)
    awarded: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def balance(self) -> int:
        return self.budget - self.awarded


# --- partners in the development cycle ------------------------------------------------------

class RoundKind(LabelledEnum):
    REVIEW = "review", _lp("round kind", "Review round (early involvement)")
    EVALUATION = "evaluation", _lp("round kind", "Post-project evaluation")


class RoundStage(LabelledEnum):
    """The stage a review round asks partners about."""

    SITE_SELECTION = "site_selection", _lp("round stage", "Site selection")
    SCHEME_DESIGN = "scheme_design", _lp("round stage", "Scheme design")
    CONSTRUCTION_DRAWINGS = "construction_drawings", _lp("round stage", "Construction drawings")
    PRE_HANDOVER = "pre_handover", _lp("round stage", "Pre-handover inspection")


# A comment adopted as a suggestion is about this stage of the development.
SUGGESTION_STAGE_OF_ROUND = {
    RoundStage.SITE_SELECTION: SuggestionStage.LAND_PLANNING,
    RoundStage.SCHEME_DESIGN: SuggestionStage.DESIGN,
    RoundStage.CONSTRUCTION_DRAWINGS: SuggestionStage.DESIGN,
    RoundStage.PRE_HANDOVER: SuggestionStage.CONSTRUCTION,
}


class RaterGroup(LabelledEnum):
    """Whose view an evaluation gives: the report sets the groups side by side."""

    STAFF = "staff", _lp("rater group", "Staff")
    PARTNER = "partner", _lp("rater group", "Partners")
    COMMUNITY = "community", _lp("rater group", "Community")


class Aspect(LabelledEnum):
    POSITIONING = "positioning", _lp("evaluation aspect", "Positioning")
    PLANNING = "planning", _lp("evaluation aspect", "Planning")
    DESIGN = "design", _lp("evaluation aspect", "Design")
    CONSTRUCTION = "construction", _lp("evaluation aspect", "Construction")
    MARKETING = "marketing", _lp("evaluation aspect", "Marketing")
    SOCIAL_IMPACT = "social_impact", _lp("evaluation aspect", "Social impact")


ASPECTS = tuple(aspect.value for aspect in Aspect)
SCORE_MIN, SCORE_MAX = 1, 5


class FeedbackRound(db.Model):
    """A review round (partners comment on a development at a stage) or a post-project
    evaluation (partners, the community and staff rate six aspects), open until closed."""

    __tablename__ = "feedback_rounds"
    __table_args__ = (
        Index("ix_feedback_rounds_created_at_id", "created_at", "id"),
        Index("ix_feedback_rounds_development_id_kind", "development_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"))
    stage: Mapped[str] = mapped_column(String(32), default="")  # review rounds
    title: Mapped[str] = mapped_column(String(160))
    brief: Mapped[str] = mapped_column(String(4000), default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    development = relationship("Development")

    @property
    def is_review(self) -> bool:
        return self.kind == RoundKind.REVIEW

    @property
    def kind_label(self):
        return RoundKind.label_of(self.kind)

    @property
    def stage_label(self):
        return RoundStage.label_of(self.stage)


class RoundInvite(db.Model):
    """An account staff invited to a round; `group` says whose view an evaluation gives
    (outside participants such as the neighbourhood committee are partner accounts in the
    community group)."""

    __tablename__ = "feedback_round_invites"
    __table_args__ = (Index("ix_feedback_round_invites_user_id", "user_id"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    group: Mapped[str] = mapped_column(String(16), default=RaterGroup.PARTNER.value)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class ReviewComment(db.Model):
    __tablename__ = "feedback_review_comments"
    __table_args__ = (Index("ix_feedback_review_comments_round_id_created_at", "round_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id"), unique=True)

    round: Mapped[FeedbackRound] = relationship()
    author = relationship("User")
    suggestion = relationship("Suggestion")
    files: Mapped[list[ReviewFile]] = relationship(back_populates="comment", order_by="ReviewFile.id",
                                                   cascade="all, delete-orphan")


class ReviewFile(db.Model):
    """A file attached to a comment: a photo or scan (cleaned by core.images, shown inline)
    or a PDF (core.documents, only ever downloaded)."""

    __tablename__ = "feedback_review_files"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'pdf')", name="kind_known"),
        Index("ix_feedback_review_files_comment_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("feedback_review_comments.id"))
    kind: Mapped[str] = mapped_column(String(8), default="image")
    stored_name: Mapped[str] = mapped_column(String(64))
    thumb_name: Mapped[str] = mapped_column(String(64), default="")  # images only
    download_name: Mapped[str] = mapped_column(String(100), default="")  # PDFs: the cleaned filename
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    size: Mapped[int]

    @property
    def is_pdf(self) -> bool:
        return self.kind == "pdf"

    comment: Mapped[ReviewComment] = relationship(back_populates="files")


class Evaluation(db.Model):
    """One rater's scores (1–5) of the six aspects, once per round (UNIQUE)."""

    __tablename__ = "feedback_evaluations"
    __table_args__ = (
        UniqueConstraint("round_id", "rater_id", name="one_per_rater"),
        *[CheckConstraint(f"{aspect} >= 1 AND {aspect} <= 5", name=f"{aspect}_1_to_5") for aspect in ASPECTS],
        Index("ix_feedback_evaluations_round_id_group", "round_id", "group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    group: Mapped[str] = mapped_column(String(16))
    positioning: Mapped[int]
    planning: Mapped[int]
    design: Mapped[int]
    construction: Mapped[int]
    marketing: Mapped[int]
    social_impact: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rater = relationship("User")

    @property
    def group_label(self):
        return RaterGroup.label_of(self.group)
