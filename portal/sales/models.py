"""Purchases imported from the sales system, the import batches and their staged rows.

A file goes through three tables: the upload creates an `ImportBatch` (status `preview`)
and one `ImportRow` per valid line of the file, classified against the database; the
preview reads them, nothing else is written. Confirming moves the batch to `importing`
and the importer turns its rows into `Purchase` rows chunk by chunk, keeping its place
in the batch row (`cursor`), so a killed import resumes where it stopped. UNIQUE
(contract_no) on purchases is what makes a re-import, a resumed import or two imports of
the same file at once record each contract once.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Building, Development, Ownership, Unit, User
from portal.core.enums import LabelledEnum
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import Referral


def _values(enum: type[LabelledEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class PurchaseStatus(LabelledEnum):
    ACTIVE = "active", _lp("purchase status", "Signed")
    CANCELLED = "cancelled", _lp("purchase status", "Cancelled")


class BatchStatus(LabelledEnum):
    PREVIEW = "preview", _lp("import status", "Waiting for confirmation")
    IMPORTING = "importing", _lp("import status", "Importing")
    DONE = "done", _lp("import status", "Imported")
    FAILED = "failed", _lp("import status", "Stopped by an error")


class RowKind(LabelledEnum):
    """What the preview found for a valid line (the importer checks again when it runs)."""

    NEW = "new", _lp("import row", "To create")
    UNCHANGED = "unchanged", _lp("import row", "Already imported")
    CHANGED = "changed", _lp("import row", "Changed since imported (not overwritten)")
    CANCEL = "cancel", _lp("import row", "Cancellation")


class ImportBatch(db.Model):
    """One uploaded file: its preview figures, the invalid lines and the import's progress."""

    __tablename__ = "sales_import_batches"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(BatchStatus)})", name="status_known"),
        CheckConstraint("progress_done >= 0 AND progress_done <= progress_total", name="progress_range"),
        Index("ix_sales_import_batches_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.PREVIEW.value)
    # Preview figures ({"rows": …, "invalid": …, "new": …}, see staging.COUNT_KEYS) and, once
    # imported, what the import did (importer.RESULT_KEYS); both plain dicts of ints.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    # Every invalid line: [{"line": 7, "contract_no": "…", "reasons": [[msgid, params], …]}].
    invalid_rows: Mapped[list] = mapped_column(JSON, default=list)
    # Rows whose referral did not convert, or was not reversed, and why (rendered text).
    notes: Mapped[list] = mapped_column(JSON, default=list)
    valid_only: Mapped[bool] = mapped_column(default=False)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    cursor: Mapped[int] = mapped_column(default=0)  # id of the last ImportRow imported
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who confirmed (or last resumed) the import: the staff member its decisions are made by.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    # Last progress: a batch still `importing` long after it is stalled (worker killed).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    @property
    def status_label(self):
        return BatchStatus.label_of(self.status)

    @property
    def percent(self) -> int:
        return 100 * self.progress_done // self.progress_total if self.progress_total else 100


class ImportRow(db.Model):
    """A valid line of an uploaded file, parsed, with what the preview found for it."""

    __tablename__ = "sales_import_rows"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(RowKind)})", name="kind_known"),
        Index("ix_sales_import_rows_batch_id_kind_id", "batch_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sales_import_batches.id"))
    line: Mapped[int]
    contract_no: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_phone: Mapped[str] = mapped_column(String(32), default="")
    buyer_email: Mapped[str] = mapped_column(String(254), default="")
    signed_on: Mapped[date]
    price_cents: Mapped[int] = mapped_column(BigInteger)
    referral_code: Mapped[str] = mapped_column(String(16), default="")
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    # Preview remarks: the fields that differ from the stored purchase (CHANGED, [[column,
    # stored, file], …]), and why a referral will not convert ([msgid, params], or NULL).
    changes: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[list | None] = mapped_column(JSON(none_as_null=True))

    unit: Mapped[Unit] = relationship()
    member: Mapped[User | None] = relationship()
    referral: Mapped[Referral | None] = relationship()


class Purchase(db.Model):
    """One contract of the sales system; contract_no is the sales system's key."""

    __tablename__ = "sales_purchases"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(PurchaseStatus)})", name="status_known"),
        CheckConstraint("price_cents > 0", name="price_positive"),
        # The list (newest contract first), by development, and the monthly figures.
        Index("ix_sales_purchases_signed_on_id", "signed_on", "id"),
        Index("ix_sales_purchases_development_id_signed_on", "development_id", "signed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(64), unique=True)
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_phone: Mapped[str] = mapped_column(String(32), default="")
    buyer_email: Mapped[str] = mapped_column(String(254), default="")
    signed_on: Mapped[date]
    # In cents of the development's currency (`Development.currency`).
    price_cents: Mapped[int] = mapped_column(BigInteger)
    referral_code: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default=PurchaseStatus.ACTIVE.value)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    ownership_id: Mapped[int | None] = mapped_column(ForeignKey("ownerships.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("sales_import_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_batch_id: Mapped[int | None] = mapped_column(ForeignKey("sales_import_batches.id"))

    development: Mapped[Development] = relationship()
    building: Mapped[Building] = relationship()
    unit: Mapped[Unit] = relationship()
    member: Mapped[User | None] = relationship()
    referral: Mapped[Referral | None] = relationship()
    ownership: Mapped[Ownership | None] = relationship()
    batch: Mapped[ImportBatch] = relationship(foreign_keys=[batch_id])

    @property
    def status_label(self):
        return PurchaseStatus.label_of(self.status)

