"""The points service: every change of a member's points goes through here.

- `ledger`: the one ledger write (`post`) and the names other features call —
  `credit`, `debit`, `refund`, `clawback`, `lock_members`.
- `gifts`: members gifting points to each other.
- `adjust`: staff adjustments (audited, the member told in the app and by e-mail).
- `history`: the ledger as the member and staff pages show it.
- `expiry`: points past their date, chunked (the nightly job and `flask points expire`).
- `bulk`: one amount to many members, set-based (campaign grants).
- `rewards`: points for something a member did (complaint rated, first login of the month),
  through campaign bonus rules.
- `verify`: `flask points verify`, balances recomputed from the ledger.

Functions flush, never commit; the unit of work of the request, command or job commits.
`from portal.points import services; services.credit(...)` keeps working for every name
below.
"""

from portal.points.errors import InsufficientPoints, PointsError, RecipientError
from portal.points.services.adjust import Adjustment, adjust
from portal.points.services.bulk import bulk_credit
from portal.points.services.gifts import (
    GIFT_MINIMUM,
    GiftAllowance,
    GiftPreview,
    can_receive_points,
    gift,
    gift_allowance,
    gift_cap,
    gift_to_email,
    gifted_in_last_day,
    preview_gift,
)
from portal.points.services.history import (
    MemberPoints,
    PointsOverview,
    history_query,
    kind_label,
    member_points,
    points_overview,
    render_reason,
)
from portal.points.services.ledger import (
    MAX_KEY_LENGTH,
    add_months,
    clawback,
    credit,
    debit,
    expiry_for,
    find_entry,
    lock_members,
    post,
    refund,
)
from portal.points.services.rewards import reward, reward_complaint_rating, reward_first_login_of_month
from portal.points.services.verify import Difference, find_differences

__all__ = [
    "GIFT_MINIMUM", "MAX_KEY_LENGTH", "Adjustment", "Difference", "GiftAllowance", "GiftPreview",
    "preview_gift",
    "InsufficientPoints", "MemberPoints", "PointsError", "PointsOverview", "RecipientError",
    "add_months", "adjust", "bulk_credit", "can_receive_points", "clawback", "credit", "debit", "expiry_for",
    "find_differences", "find_entry", "gift", "gift_allowance", "gift_cap", "gift_to_email",
    "gifted_in_last_day", "history_query", "kind_label", "lock_members", "member_points",
    "points_overview", "post", "refund", "render_reason", "reward", "reward_complaint_rating",
    "reward_first_login_of_month",
]
