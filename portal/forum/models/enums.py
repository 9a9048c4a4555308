"""The stored codes of the forum and their labels (one `LabelledEnum` each).

Labels carry a pgettext context: "Open" as a complaint's status reads 待處理 / 待处理,
while the plain "Open" of a button stays 開啟. The stored values never change.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_pgettext as _lp

from portal.core.enums import LabelledEnum


class CategoryKind(LabelledEnum):
    COMPLAINT = "complaint", _lp("forum category kind", "Complaints")
    DISCUSSION = "discussion", _lp("forum category kind", "Discussion")
    ANNOUNCEMENT = "announcement", _lp("forum category kind", "Announcements")


class ComplaintStatus(LabelledEnum):
    OPEN = "open", _lp("complaint status", "Open")
    ACKNOWLEDGED = "acknowledged", _lp("complaint status", "Acknowledged")
    IN_PROGRESS = "in_progress", _lp("complaint status", "In progress")
    # Waiting for the homeowner: the resolution clock is paused.
    WAITING = "waiting", _lp("complaint status", "Waiting for homeowner")
    RESOLVED = "resolved", _lp("complaint status", "Resolved")
    CLOSED = "closed", _lp("complaint status", "Closed")


ACTIVE_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED,
                   ComplaintStatus.IN_PROGRESS, ComplaintStatus.WAITING)


class Department(LabelledEnum):
    CUSTOMER_SERVICE = "customer_service", _lp("complaint department", "Customer service")
    ENGINEERING = "engineering", _lp("complaint department", "Engineering & quality")
    PROPERTY = "property", _lp("complaint department", "Property management")
    SALES = "sales", _lp("complaint department", "Sales")
    DESIGN = "design", _lp("complaint department", "Design")


class Channel(LabelledEnum):
    """How a complaint reached the club: posted online by the homeowner, or recorded by
    staff for a homeowner who phoned, walked in, wrote an e-mail or spoke to staff on site."""

    ONLINE = "online", _lp("complaint channel", "Online (portal)")
    PHONE = "phone", _lp("complaint channel", "Phone")
    WALK_IN = "walk_in", _lp("complaint channel", "Walk-in")
    EMAIL = "email", _lp("complaint channel", "E-mail")
    ON_SITE = "on_site", _lp("complaint channel", "On site")


# The channels staff record a complaint through (online complaints are posted by homeowners).
RECORDED_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.ON_SITE)


class Priority(LabelledEnum):
    LOW = "low", _lp("complaint priority", "Low")
    NORMAL = "normal", _lp("complaint priority", "Normal")
    HIGH = "high", _lp("complaint priority", "High")
    URGENT = "urgent", _lp("complaint priority", "Urgent")


class FlagOutcome(StrEnum):
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


def sql_in(column: str, values) -> str:
    """The text of a CHECK constraint allowing exactly the values of an enum."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
