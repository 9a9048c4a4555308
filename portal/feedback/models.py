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
