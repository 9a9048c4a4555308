"""What staff read: the batches, one batch (preview, progress or result), the purchases
list and its CSV, and the monthly figures other features (the club-health dashboard) call.

Each page is a constant number of queries whatever the size of the file; query-string
values are parsed here and never trusted (an unknown id or a malformed month is ignored).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Building, Development, Unit
from portal.core.loaders import query_id
from portal.core.months import month_range, months_back, parse_month
from portal.core.pagination import paginate
from portal.core.sql import year_month
from portal.extensions import db
from portal.referrals.models import Referral
from portal.sales.importer import RESULT_KEYS, can_resume
from portal.sales.models import ImportBatch, ImportRow, Purchase, PurchaseStatus, RowKind
from portal.sales.staging import COUNT_KEYS

PAGE_SIZE = 50
SAMPLE = 50  # rows of each kind shown on the preview
INVALID_SHOWN = 200


def render_reason(item: list) -> str:
    """A stored [msgid, params] in the reader's language."""
    msgid, params = item
    return gettext(msgid, **params)


# --- batches --------------------------------------------------------------------------------

def batches_query() -> Select:
    """Every upload, newest first (index created_at, id)."""
    return (select(ImportBatch).options(joinedload(ImportBatch.uploaded_by))
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()))


def recent_batches(limit: int = 5) -> list[ImportBatch]:
    return list(db.session.scalars(batches_query().limit(limit)))


@dataclass(frozen=True)
class InvalidRow:
    line: int
    contract_no: str
    reasons: list[str]


@dataclass
class BatchPage:
    batch: ImportBatch
    counts: dict[str, int]
    result: dict[str, int]
    samples: dict[str, list[ImportRow]] = field(default_factory=dict)
    invalid: list[InvalidRow] = field(default_factory=list)
    resumable: bool = False

    @property
    def invalid_hidden(self) -> int:
        return self.counts["invalid"] - len(self.invalid)


_ROW_OPTIONS = (joinedload(ImportRow.unit).joinedload(Unit.building).joinedload(Building.development),
                joinedload(ImportRow.member),
                joinedload(ImportRow.referral).joinedload(Referral.referrer))


def _sample(batch: ImportBatch, *conditions) -> list[ImportRow]:
    return list(db.session.scalars(
        select(ImportRow).where(ImportRow.batch_id == batch.id, *conditions)
        .options(*_ROW_OPTIONS).order_by(ImportRow.id).limit(SAMPLE)))


def invalid_rows(batch: ImportBatch, limit: int | None = None) -> list[InvalidRow]:
    """The invalid lines with their reasons in the reader's language."""
    rows = batch.invalid_rows if limit is None else batch.invalid_rows[:limit]
    return [InvalidRow(row["line"], row["contract_no"], [render_reason(r) for r in row["reasons"]])
            for row in rows]


def batch_page(batch: ImportBatch) -> BatchPage:
    """One batch: the preview (samples of each kind of row), the progress, or the result."""
    page = BatchPage(batch, {key: batch.counts.get(key, 0) for key in COUNT_KEYS},
                     {key: batch.result.get(key, 0) for key in RESULT_KEYS},
                     resumable=can_resume(batch))
    page.invalid = invalid_rows(batch, INVALID_SHOWN)
    kind = ImportRow.kind
    page.samples = {
        "new": _sample(batch, kind == RowKind.NEW.value),
        "changed": _sample(batch, kind == RowKind.CHANGED.value),
        "cancel": _sample(batch, kind == RowKind.CANCEL.value),
        "members": _sample(batch, kind == RowKind.NEW.value, ImportRow.member_id.is_not(None)),
        "referrals": _sample(batch, kind == RowKind.NEW.value, ImportRow.referral_id.is_not(None),
                             ImportRow.note.is_(None)),
        "notes": _sample(batch, ImportRow.note.is_not(None)),
    }
    return page


# --- purchases --------------------------------------------------------------------------------

@dataclass
class Filters:
    development_id: int | None = None
    month: str = ""  # 'YYYY-MM' of signing
    status: str = ""

    def args(self) -> dict[str, str]:
        values = {"development": self.development_id or "", "month": self.month, "status": self.status}
        return {key: str(value) for key, value in values.items() if value}


def parse_filters(args: Mapping[str, str]) -> Filters:
    status = args.get("status", "")
    return Filters(development_id=query_id(args.get("development", "").strip()),
                   month=parse_month(args.get("month")),
                   status=status if status in PurchaseStatus.labels() else "")


def purchase_query(filters: Filters) -> Select:
    """Purchases matching `filters`, latest contract first (indexes signed_on, id and
    development_id, signed_on)."""
    query = select(Purchase).options(
        joinedload(Purchase.development), joinedload(Purchase.building), joinedload(Purchase.unit),
        joinedload(Purchase.member), joinedload(Purchase.referral))
    if filters.development_id:
        query = query.where(Purchase.development_id == filters.development_id)
    if filters.month:
        start, end = month_range(filters.month)
        query = query.where(Purchase.signed_on >= start.date(), Purchase.signed_on < end.date())
    if filters.status:
        query = query.where(Purchase.status == filters.status)
    return query.order_by(Purchase.signed_on.desc(), Purchase.id.desc())


@dataclass(frozen=True)
class PurchasesPage:
    page: Pagination
    developments: list[Development]
    figures: SalesFigures


def developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))


def purchases_page(filters: Filters, page: int) -> PurchasesPage:
    return PurchasesPage(paginate(purchase_query(filters), PAGE_SIZE, page=page), developments(),
                         sales_figures(months_back(12)))


def export_rows(filters: Filters, labels: Mapping[str, str]) -> Iterator[list[Any]]:
    """One row per purchase matching `filters`, fetched in batches."""
    result = db.session.execute(purchase_query(filters).execution_options(yield_per=500))
    for purchase in result.scalars():
        yield [purchase.contract_no, purchase.development.name, purchase.building.name,
               purchase.unit.number, purchase.buyer_name, purchase.buyer_phone, purchase.buyer_email,
               purchase.signed_on.isoformat(), f"{purchase.price_cents / 100:.2f}",
               purchase.development.currency,
               labels.get(purchase.status, purchase.status), purchase.referral_code,
               purchase.member_id or "", purchase.referral_id or "", purchase.batch_id]


# --- figures for the dashboard ------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    purchases: int
    referred: int

    @property
    def share(self) -> float | None:
        """Referred purchases ÷ purchases, or None without purchases."""
        return self.referred / self.purchases if self.purchases else None


@dataclass(frozen=True)
class SalesFigures:
    months: list[str]
    by_month: dict[str, MonthFigures]
    by_development: list[tuple[str, MonthFigures]]  # the whole period, by name
    cells: dict[tuple[str, str], MonthFigures]  # (development name, month)

    @property
    def total(self) -> MonthFigures:
        return MonthFigures(sum(f.purchases for f in self.by_month.values()),
                            sum(f.referred for f in self.by_month.values()))


def sales_figures(months: list[str], development_id: int | None = None) -> SalesFigures:
    """Signed (not cancelled) purchases per development and month of signing, and how many
    of them referred buyers made (a referral converted by the purchase) — one grouped query."""
    month = year_month(Purchase.signed_on)
    query = (select(Development.name, month, func.count(Purchase.id), func.count(Purchase.referral_id))
             .join(Development, Development.id == Purchase.development_id)
             .where(Purchase.status == PurchaseStatus.ACTIVE.value,
                    Purchase.signed_on >= month_range(months[0])[0].date(),
                    Purchase.signed_on < month_range(months[-1])[1].date())
             .group_by(Development.name, month))
    if development_id:
        query = query.where(Purchase.development_id == development_id)
    cells: dict[tuple[str, str], MonthFigures] = {}
    per_month = {m: [0, 0] for m in months}
    per_development: dict[str, list[int]] = {}
    for name, ym, purchases, referred in db.session.execute(query):
        cells[(name, ym)] = MonthFigures(purchases, referred)
        for totals in (per_month[ym], per_development.setdefault(name, [0, 0])):
            totals[0] += purchases
            totals[1] += referred
    return SalesFigures(months, {m: MonthFigures(*per_month[m]) for m in months},
                        [(name, MonthFigures(*per_development[name])) for name in sorted(per_development)],
                        cells)
