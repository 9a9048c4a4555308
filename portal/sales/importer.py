"""Confirming a previewed batch and importing it: chunked, set-based, resumable, idempotent.

`confirm_batch` moves a batch from `preview` to `importing` (a conditional UPDATE: a
double click confirms once); `start_import` then imports it in the request when it is
small, else as a job (`import_batch_job`), whose progress the batch page shows.

`import_next_chunk` does one chunk (SALES_IMPORT_CHUNK rows, in file order) under the
batch row's lock, so two runners of one batch take turns, and moves the batch's
`cursor` with it: the CLI and the job commit each chunk, so a killed import loses the
chunk in flight at most and a re-run continues after the last committed one.

Per chunk: the purchases in one `INSERT … ON CONFLICT (contract_no) DO NOTHING … RETURNING`
— only rows this statement inserted go further, so a re-import, a resumed import or two
imports of one file at once record each contract once; cancellations in one conditional
UPDATE likewise. The buyers' verified ownerships are written set-based
(`portal.accounts.bulk`); each referral converts (or is reversed) through the referrals
lifecycle, one row at a time in a savepoint, with its rewards, fraud rules and
idempotency keys: a refusal is noted on the batch and the rest of the chunk goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update

from portal.accounts.bulk import BoughtHome, record_bought_homes, withdraw_bought_homes
from portal.accounts.models import Building, Unit, User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.jobs import enqueue, job
from portal.core.sql import dialect_insert
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.referrals import lifecycle
from portal.referrals.models import CONVERTED_STATUSES, Referral
from portal.referrals.services import ReferralError
from portal.sales.errors import SalesError
from portal.sales.models import BatchStatus, ImportBatch, ImportRow, Purchase, PurchaseStatus, RowKind

RESULT_KEYS = ("created", "cancelled", "skipped", "converted", "not_converted", "reversed",
               "not_reversed", "homes", "homes_withdrawn")
WORK_KINDS = (RowKind.NEW.value, RowKind.CANCEL.value)
MAX_NOTES = 1000
CANCEL_REASON = N_("Contract %(contract)s was cancelled in the sales system (import #%(batch)s).")


def lock_batch(batch_id: int) -> ImportBatch:
    """The batch, re-read under a row lock (fresh values even if already in the session)."""
    batch = db.session.scalars(
        select(ImportBatch).where(ImportBatch.id == batch_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if batch is None:
        raise SalesError(_l("This import does not exist."))
    return batch


# --- confirm, start, resume ---------------------------------------------------------------------

def confirm_batch(batch: ImportBatch, staff: User, *, valid_only: bool, ip: str | None = None) -> ImportBatch:
    """Staff confirm a preview: nothing was written before this. A file with invalid rows
    is imported only with `valid_only` (the invalid rows are left out)."""
    invalid = batch.counts.get("invalid", 0)
    if invalid and not valid_only:
        raise SalesError(_l("%(count)s rows of this file are invalid. Tick “Import the valid rows "
                            "only” to import the others, or correct the file and upload it again.",
                            count=invalid), field="valid_only")
    total = db.session.scalar(select(func.count()).select_from(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.kind.in_(WORK_KINDS))) or 0
    now = utcnow()
    confirmed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == BatchStatus.PREVIEW.value)
        .values(status=BatchStatus.IMPORTING.value, confirmed_by_id=staff.id, confirmed_at=now,
                valid_only=bool(invalid), progress_total=total, progress_done=0, cursor=0,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if confirmed.rowcount != 1:
        db.session.refresh(batch)
        raise SalesError(_l("This file is already imported or being imported."))
    db.session.refresh(batch)
    record_action(staff, "sales.confirm", batch, {"file": batch.file_name, "rows": total,
                                                   "invalid_left_out": invalid}, ip)
    return batch


def runs_as_job(batch: ImportBatch) -> bool:
    """Whether what is left of the import is too large to run inside a request."""
    return batch.progress_total - batch.progress_done > current_app.config["SALES_IMPORT_INLINE_ROWS"]


def start_import(batch: ImportBatch) -> None:
    """Import now (small files, inside the caller's transaction) or queue the job, which
    starts once the confirmation commits."""
    if runs_as_job(batch):
        enqueue(import_batch_job, batch.id)
    else:
        run_import(batch.id)


def confirm_and_start(batch: ImportBatch, staff: User, *, valid_only: bool,
                      ip: str | None = None) -> ImportBatch:
    """The confirm button: confirm, then import now or as a job (see `start_import`)."""
    start_import(confirm_batch(batch, staff, valid_only=valid_only, ip=ip))
    return batch


def resume_and_start(batch: ImportBatch, staff: User, ip: str | None = None) -> ImportBatch:
    """The resume button: take the stopped import over and continue it."""
    start_import(resume_batch(batch, staff, ip=ip))
    return batch


def can_resume(batch: ImportBatch) -> bool:
    """Stopped by an error, or `importing` without progress for SALES_IMPORT_STALL_MINUTES
    (its worker was killed): staff may resume it where it stopped."""
    if batch.status == BatchStatus.FAILED:
        return True
    stalled = utcnow() - timedelta(minutes=current_app.config["SALES_IMPORT_STALL_MINUTES"])
    return batch.status == BatchStatus.IMPORTING and batch.updated_at < stalled


def resume_batch(batch: ImportBatch, staff: User, ip: str | None = None) -> ImportBatch:
    """Take over an import that stopped; it continues after the last chunk committed."""
    stalled = utcnow() - timedelta(minutes=current_app.config["SALES_IMPORT_STALL_MINUTES"])
    resumed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, or_(
            ImportBatch.status == BatchStatus.FAILED.value,
            and_(ImportBatch.status == BatchStatus.IMPORTING.value, ImportBatch.updated_at < stalled)))
        .values(status=BatchStatus.IMPORTING.value, error="", confirmed_by_id=staff.id,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if resumed.rowcount != 1:
        db.session.refresh(batch)
        raise SalesError(_l("This import is not stopped: it can be resumed only when it fails or "
                            "makes no progress for a while."))
    db.session.refresh(batch)
    record_action(staff, "sales.resume", batch, {"done": batch.progress_done,
                                                  "total": batch.progress_total}, ip)
    return batch


# --- the import ----------------------------------------------------------------------------------

def run_import(batch_id: int, *, transaction: Callable[[], AbstractContextManager] = nullcontext,
               progress: Callable[[int], None] | None = None, chunk: int | None = None) -> None:
    """Import the rest of the batch, one chunk per `transaction()` (`unit_of_work` in the CLI
    and the job; nothing, inside a request). `progress(rows)` after each chunk."""
    size = chunk or current_app.config["SALES_IMPORT_CHUNK"]
    while True:
        with transaction():
            count = import_next_chunk(batch_id, size)
        if not count:
            return
        if progress is not None:
            progress(count)


@job
def import_batch_job(batch_id: int) -> None:
    """A large file's import on the task queue; an error marks the batch failed (resumable)."""
    try:
        run_import(batch_id, transaction=unit_of_work)
    except Exception as error:
        db.session.rollback()
        with unit_of_work():
            db.session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == batch_id, ImportBatch.status == BatchStatus.IMPORTING.value)
                .values(status=BatchStatus.FAILED.value, error=type(error).__name__[:500],
                        updated_at=utcnow()))
        raise


class _Chunk:
    """What one chunk did: counters and notes for the batch."""

    def __init__(self, batch: ImportBatch, staff: User) -> None:
        self.batch, self.staff = batch, staff
        self.tally: Counter[str] = Counter()
        self.notes: list[dict] = []

    def note(self, row: ImportRow, error: Exception) -> None:
        with force_locale(self.staff.locale):
            text = str(error)
        self.notes.append({"line": row.line, "contract_no": row.contract_no, "text": text})


def import_next_chunk(batch_id: int, size: int) -> int:
    """Import the next `size` rows of an `importing` batch; 0 when there were none left (the
    batch is then marked done)."""
    batch = lock_batch(batch_id)
    if batch.status != BatchStatus.IMPORTING:
        return 0
    staff = db.session.get(User, batch.confirmed_by_id)
    rows = db.session.execute(
        select(ImportRow, Unit.building_id, Building.development_id)
        .join(Unit, Unit.id == ImportRow.unit_id).join(Building, Building.id == Unit.building_id)
        .where(ImportRow.batch_id == batch.id, ImportRow.kind.in_(WORK_KINDS),
               ImportRow.id > batch.cursor)
        .order_by(ImportRow.id).limit(size)
    ).all()
    if not rows:
        _finish(batch, staff)
        return 0
    work = _Chunk(batch, staff)
    _create(work, [row for row in rows if row.ImportRow.kind == RowKind.NEW])
    _cancel(work, [row.ImportRow for row in rows if row.ImportRow.kind == RowKind.CANCEL])
    batch.cursor = rows[-1].ImportRow.id
    batch.progress_done = min(batch.progress_total, batch.progress_done + len(rows))
    batch.result = {key: batch.result.get(key, 0) + work.tally[key] for key in RESULT_KEYS}
    if work.notes:
        batch.notes = [*batch.notes, *work.notes][:MAX_NOTES]
    batch.updated_at = utcnow()
    db.session.flush()
    return len(rows)


def _finish(batch: ImportBatch, staff: User) -> None:
    batch.status = BatchStatus.DONE.value
    batch.finished_at = batch.updated_at = utcnow()
    batch.result = {key: batch.result.get(key, 0) for key in RESULT_KEYS}
    db.session.flush()
    record_action(staff, "sales.import", batch, {"file": batch.file_name, **batch.result})


def _create(work: _Chunk, rows: list) -> None:
    if not rows:
        return
    now = utcnow()
    table = Purchase.__table__
    values = [{
        "contract_no": row.ImportRow.contract_no, "development_id": row.development_id,
        "building_id": row.building_id, "unit_id": row.ImportRow.unit_id,
        "buyer_name": row.ImportRow.buyer_name, "buyer_phone": row.ImportRow.buyer_phone,
        "buyer_email": row.ImportRow.buyer_email, "signed_on": row.ImportRow.signed_on,
        "price_cents": row.ImportRow.price_cents, "referral_code": row.ImportRow.referral_code,
        "status": (PurchaseStatus.CANCELLED if row.ImportRow.is_cancelled else PurchaseStatus.ACTIVE).value,
        "cancelled_at": now if row.ImportRow.is_cancelled else None,
        "cancelled_batch_id": work.batch.id if row.ImportRow.is_cancelled else None,
        "member_id": None if row.ImportRow.is_cancelled else row.ImportRow.member_id,
        "batch_id": work.batch.id, "created_at": now,
    } for row in rows]
    # executemany ("insertmanyvalues" batches it): compiling one huge multi-VALUES statement
    # per chunk cost more than the insert itself
    inserted = dict(db.session.execute(
        dialect_insert(table, db.session).on_conflict_do_nothing(index_elements=["contract_no"])
        .returning(table.c.contract_no, table.c.id), values).all())
    work.tally["created"] += len(inserted)
    work.tally["skipped"] += len(rows) - len(inserted)
    links: dict[int, dict] = {}
    homes: list[tuple[int, BoughtHome]] = []
    for row in (row.ImportRow for row in rows if row.ImportRow.contract_no in inserted):
        purchase_id = inserted[row.contract_no]
        if row.is_cancelled or row.member_id is None:
            continue
        referral = _convert(work, row) if row.referral_id else None
        if referral is not None:
            links[purchase_id] = {"referral_id": referral.id, "ownership_id": referral.ownership_id}
            continue
        homes.append((purchase_id, BoughtHome(row.member_id, row.unit_id, row.contract_no, row.signed_on)))
    ownerships = record_bought_homes([home for _id, home in homes], work.staff)
    for purchase_id, home in homes:
        links[purchase_id] = {"referral_id": None, "ownership_id": ownerships[(home.user_id, home.unit_id)]}
    work.tally["homes"] += len(homes)
    if links:
        db.session.execute(update(table).where(table.c.id == bindparam("purchase_id")),
                           [{"purchase_id": key, **value} for key, value in links.items()])


def _convert(work: _Chunk, row: ImportRow) -> Referral | None:
    """The buyer's referral converts through the lifecycle (rewards for both, once); one
    staff already recorded with this very contract is linked as it is.

    The referral is read under its lock: staff recording the purchase on the referral page
    at this moment are waited for and then seen, so the purchase is linked to their
    conversion (and a later cancellation of the contract takes the rewards back) instead
    of the conversion being refused as already done."""
    try:
        referral = lifecycle.lock_referral(row.referral_id)
        if referral.status in CONVERTED_STATUSES and referral.contract_number == row.contract_no:
            return referral
        with db.session.begin_nested():
            referral = lifecycle.record_purchase(referral, work.staff, unit=row.unit,
                                                 purchased_on=row.signed_on,
                                                 contract_number=row.contract_no)
    except ReferralError as error:
        work.tally["not_converted"] += 1
        work.note(row, error)
        return None
    work.tally["converted"] += 1
    work.tally["homes"] += 1
    return referral


def _cancel(work: _Chunk, rows: list[ImportRow]) -> None:
    if not rows:
        return
    table = Purchase.__table__
    by_contract = {row.contract_no: row for row in rows}
    cancelled = db.session.execute(
        update(table)
        .where(table.c.contract_no.in_(list(by_contract)), table.c.status == PurchaseStatus.ACTIVE.value)
        .values(status=PurchaseStatus.CANCELLED.value, cancelled_at=utcnow(),
                cancelled_batch_id=work.batch.id)
        .returning(table.c.contract_no, table.c.referral_id, table.c.ownership_id)
    ).all()
    work.tally["cancelled"] += len(cancelled)
    work.tally["skipped"] += len(rows) - len(cancelled)
    with force_locale(work.staff.locale):
        reason = {contract: gettext(CANCEL_REASON, contract=contract, batch=work.batch.id)
                  for contract, _referral, _ownership in cancelled}
    for contract, referral_id, _ownership in cancelled:
        if referral_id is None:
            continue
        try:
            with db.session.begin_nested():
                lifecycle.cancel_purchase(db.session.get(Referral, referral_id), work.staff,
                                          reason[contract])
        except ReferralError as error:
            work.tally["not_reversed"] += 1
            work.note(by_contract[contract], error)
            continue
        work.tally["reversed"] += 1
    work.tally["homes_withdrawn"] += withdraw_bought_homes(
        {ownership for _contract, _referral, ownership in cancelled if ownership}, work.staff)
