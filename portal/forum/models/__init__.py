"""Forum and complaint tables, by subject: `threads` (categories, threads, posts, photos,
follows, search grams), `complaints` (complaints, their history, department leads),
`moderation` (flags, silences, the acts log, canned replies) and `enums` (stored codes
and their labels). Everything is importable from `portal.forum.models`."""

from portal.forum.models.complaints import Complaint, ComplaintEvent, DepartmentLead, DepartmentStaff
from portal.forum.models.enums import (
    ACTIVE_STATUSES,
    RECORDED_CHANNELS,
    CategoryKind,
    Channel,
    ComplaintStatus,
    Department,
    FlagOutcome,
    Priority,
)
from portal.forum.models.moderation import CannedReply, Flag, ModerationAct, Sanction
from portal.forum.models.threads import (
    MAX_PHOTOS_PER_POST,
    Category,
    Follow,
    Photo,
    Post,
    PostRevision,
    Thread,
    ThreadTally,
)

__all__ = [
    "ACTIVE_STATUSES", "MAX_PHOTOS_PER_POST", "RECORDED_CHANNELS", "CannedReply", "Category",
    "CategoryKind", "Channel", "Complaint", "ComplaintEvent", "ComplaintStatus", "Department",
    "DepartmentLead", "DepartmentStaff", "Flag",
    "FlagOutcome", "Follow", "ModerationAct", "Photo", "Post", "PostRevision", "Priority",
    "Sanction", "Thread", "ThreadTally",
]
