"""A notification stores its English msgid and parameters, and is translated when read,
so each member reads it in the language they use at that moment."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.enums import LabelledEnum
from portal.core.timeutil import utcnow
from portal.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class StaffEmails(LabelledEnum):
    """Which staff alerts (a complaint for my department arrived, was escalated or
    reopened, was assigned to me) also come by e-mail; in the app they always come."""

    ALL = "all", _lp("staff e-mails", "Every alert")
    URGENT = "urgent", _lp("staff e-mails", "Only escalations")
    NONE = "none", _lp("staff e-mails", "None (in the portal only)")


DEFAULT_STAFF_EMAILS = StaffEmails.ALL


class NotificationSetting(db.Model):
    """A user's own notification settings; no row means the defaults."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint(f"staff_emails IN ({', '.join(repr(str(v)) for v in StaffEmails)})",
                        name="staff_emails_known"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    staff_emails: Mapped[str] = mapped_column(String(16), default=DEFAULT_STAFF_EMAILS.value)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
