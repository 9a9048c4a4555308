"""The redemptions desk for staff: the filtered list of vouchers and its CSV export.

Filters come from the query string (or the export form) and are never trusted: an
unknown status, a bad date or a 20-digit perk id is ignored, never an error page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal.audit.services import record_action
from portal.core.i18n import localized
from portal.core.loaders import query_id
from portal.core.pagination import paginate
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import Perk, Redemption, RedemptionStatus

ISSUED = RedemptionStatus.ISSUED.value
DESK_PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    perk_id: int | None = None
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, exclusive


def perk_choices(locale: str) -> list[tuple[str, str]]:
    """(id, title) of every perk, newest first, for the perk filter."""
    rows = db.session.execute(select(Perk.id, Perk.title_zh_hant, Perk.title_zh_hans, Perk.title_en)
                              .order_by(Perk.created_at.desc(), Perk.id.desc())).all()
    return [(str(row.id), localized({"zh_Hant": row.title_zh_hant, "zh_Hans": row.title_zh_hans,
                                     "en": row.title_en}, locale)) for row in rows]


def make_filters(*, status: str | None, perk: str | None, first: date | None, last: date | None,
                 to_utc) -> Filters:
    """Filters from what validated; staff pick whole days in their own time zone and
    `to_utc` converts a local midnight."""
    start = to_utc(datetime.combine(first, datetime.min.time())) if first else None
    end = to_utc(datetime.combine(last + timedelta(days=1), datetime.min.time())) if last else None
    return Filters(status if status in RedemptionStatus.labels() else None, query_id(perk),
                   start, end)


def redemptions_query(*, status: str | None = None, perk_id: int | None = None,
                      start: datetime | None = None, end: datetime | None = None,
                      now: datetime | None = None) -> Select:
    """Staff list and CSV export, newest first. `status` may be "expired" (issued, past date);
    `start`/`end` are UTC bounds of the redemption time, end exclusive."""
    now = now or utcnow()
    query = select(Redemption).options(joinedload(Redemption.perk), joinedload(Redemption.member),
                                       joinedload(Redemption.used_by))
    if status == RedemptionStatus.EXPIRED:
        query = query.where(Redemption.status == ISSUED, Redemption.expires_at <= now)
    elif status == ISSUED:
        query = query.where(Redemption.status == ISSUED, Redemption.expires_at > now)
    elif status:
        query = query.where(Redemption.status == status)
    if perk_id:
        query = query.where(Redemption.perk_id == perk_id)
    if start:
        query = query.where(Redemption.created_at >= start)
    if end:
        query = query.where(Redemption.created_at < end)
    return query.order_by(Redemption.created_at.desc(), Redemption.id.desc())


def redemptions_page(filters: Filters) -> Pagination:
    return paginate(redemptions_query(**asdict(filters)), DESK_PER_PAGE)


def export_redemptions(filters: Filters, *, actor, locale: str,
                       ip: str | None = None) -> Iterator[list[Any]]:
    """Audit the export now (members' data leaves the portal), then the CSV rows, streamed."""
    record_action(actor, "perk.redemptions_export", None,
                  {k: (v.isoformat() if isinstance(v, datetime) else v)
                   for k, v in asdict(filters).items()}, ip)
    query = redemptions_query(**asdict(filters)).execution_options(yield_per=500)

    def rows():  # times are written in the club's time zone by core.csvexport
        for r in db.session.scalars(query):
            yield [r.grouped_code, str(r.status_label), r.perk.title(locale), r.member.display_name,
                   r.member.email, r.cost, r.created_at, r.expires_at, r.used_at,
                   r.used_by.display_name if r.used_by else ""]

    return rows()
