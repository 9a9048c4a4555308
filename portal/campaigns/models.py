"""Point campaigns: one-off grants to a segment, and bonus rules on members' actions.

A campaign is written as a draft, then launched (scheduled or running) and from then on
read-only; a grant finishes when every recipient is credited, a bonus rule when its window
ends. `CampaignRecipient` is the audience frozen when a grant starts, the list the job
works through in chunks; the ledger's unique key `campaign:<id>:member:<member_id>`
makes each credit happen once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.enums import LabelledEnum
from portal.core.i18n import localized
from portal.core.timeutil import utcnow
from portal.extensions import db

LANGS = ("zh_Hant", "zh_Hans", "en")


class CampaignKind(LabelledEnum):
    GRANT = "grant", _lp("campaign kind", "Grant")
    BONUS = "bonus", _lp("campaign kind", "Bonus rule")


class CampaignStatus(LabelledEnum):
    DRAFT = "draft", _lp("campaign status", "Draft")
    SCHEDULED = "scheduled", _lp("campaign status", "Scheduled")
    RUNNING = "running", _lp("campaign status", "Running")
    FINISHED = "finished", _lp("campaign status", "Finished")
    CANCELLED = "cancelled", _lp("campaign status", "Cancelled")


class BonusMode(LabelledEnum):
    MULTIPLY = "multiply", _lp("campaign bonus", "Multiply the reward")
    ADD = "add", _lp("campaign bonus", "Add points to the reward")


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("spent >= 0 AND spent <= budget", name="spent_within_budget"),
        CheckConstraint("multiplier_pct >= 0", name="multiplier_not_negative"),
        # The staff list, newest first; the scheduler: WHERE status = ? AND starts_at <= now.
        Index("ix_campaigns_created_at_id", "created_at", "id"),
        Index("ix_campaigns_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT.value)
    name_zh_Hant: Mapped[str] = mapped_column(String(120), default="")  # noqa: N815
    name_zh_Hans: Mapped[str] = mapped_column(String(120), default="")  # noqa: N815
    name_en: Mapped[str] = mapped_column(String(120), default="")
    message_zh_Hant: Mapped[str] = mapped_column(String(400), default="")  # noqa: N815
    message_zh_Hans: Mapped[str] = mapped_column(String(400), default="")  # noqa: N815
    message_en: Mapped[str] = mapped_column(String(400), default="")
    # Grant: points per recipient. Bonus (add): points added to each reward.
    points: Mapped[int] = mapped_column(default=0)
    # Bonus (multiply): the reward × multiplier_pct / 100 (150 = ×1.5).
    bonus_mode: Mapped[str] = mapped_column(String(16), default="")
    multiplier_pct: Mapped[int] = mapped_column(default=0)
    trigger: Mapped[str] = mapped_column(String(32), default="")
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    budget: Mapped[int] = mapped_column(default=0)
    spent: Mapped[int] = mapped_column(default=0)  # points paid so far
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    processed: Mapped[int] = mapped_column(default=0)  # recipients worked through
    total: Mapped[int] = mapped_column(default=0)  # recipients frozen at start
    reached: Mapped[int] = mapped_column(default=0)  # members credited
    cursor: Mapped[int] = mapped_column(default=0)  # last recipient id done (resume point)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # last chunk done (the scheduler resumes stalled runs)

    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def names(self) -> dict[str, str]:
        return {lang: getattr(self, f"name_{lang}") for lang in LANGS}

    @property
    def messages(self) -> dict[str, str]:
        return {lang: getattr(self, f"message_{lang}") for lang in LANGS}

    def name_in(self, locale: str) -> str:
        return localized(self.names, locale)

    @property
    def is_draft(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def is_grant(self) -> bool:
        return self.kind == CampaignKind.GRANT

    @property
    def status_label(self):
        return CampaignStatus.label_of(self.status)

    @property
    def kind_label(self):
        return CampaignKind.label_of(self.kind)

    @property
    def multiplier(self) -> str:
        return f"{self.multiplier_pct / 100:g}" if self.multiplier_pct else ""

    @property
    def progress_pct(self) -> int:
        return min(100, self.processed * 100 // self.total) if self.total else 0


class CampaignRecipient(db.Model):
    """A member the campaign reached: a grant's audience, frozen when the grant starts (the
    job's work list), or a member a bonus rule paid (the report compares them with others)."""

    __tablename__ = "campaign_recipients"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
