"""The preview: an uploaded file parsed, compared with the database and kept server-side.

`stage_file` writes one `ImportBatch` (status `preview`) and one `ImportRow` per valid line,
classified — to create, already imported, changed (reported, never overwritten), a
cancellation — with the member the buyer matches (by e-mail, else by a phone number only
one member has) and the referral that will convert. No purchase, ownership or points are
written until staff confirm (`portal.sales.importer.confirm_batch`), and confirming
reads these rows: the file is not uploaded twice. A constant number of queries per
500 rows, so a 10,000-row file previews in a few seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from portal.accounts.models import Building, Development, Unit, User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.phones import phone_digits
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import CONVERTED_STATUSES, OPEN_STATUSES, Referral
from portal.sales.models import BatchStatus, ImportBatch, ImportRow, Purchase, PurchaseStatus, RowKind
from portal.sales.parsing import ParsedRow, parse_file, reason

CHUNK = 500
COUNT_KEYS = ("rows", "invalid", "units_missing", "new", "unchanged", "changed", "cancel",
              "members", "referrals", "reversals", "notes")
COMPARED = ("unit_id", "buyer_name", "buyer_phone", "buyer_email", "signed_on", "price_cents",
            "referral_code")
COLUMN_OF = {"unit_id": "unit", "price_cents": "price"}  # the file's column for a field


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def clean_file_name(name: str | None) -> str:
    """The name as the browser sent it, without folders or control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if char.isprintable())[:255] or "upload.csv"


# --- what the database already holds ---------------------------------------------------------------

def _existing(contracts: list[str]) -> dict[str, Any]:
    found = {}
    for part in chunks(contracts):
        for purchase in db.session.execute(
                select(Purchase.contract_no, Purchase.status, Purchase.referral_id,
                       *[getattr(Purchase, name) for name in COMPARED])
                .where(Purchase.contract_no.in_(part))):
            found[purchase.contract_no] = purchase
    return found


class MemberMatcher:
    """Buyers to members: by e-mail, else by a phone number that exactly one member has."""

    def __init__(self, rows: Iterable[ParsedRow]) -> None:
        rows = list(rows)
        emails = sorted({row.buyer_email for row in rows if row.buyer_email})
        self.by_email: dict[str, int] = {}
        for part in chunks(emails):
            self.by_email.update({email: user_id for user_id, email in db.session.execute(
                select(User.id, User.email).where(User.email.in_(part), User.is_active_account))})
        wanted = {phone_digits(row.buyer_phone) for row in rows} - {""}
        owners: dict[str, set[int]] = defaultdict(set)
        if wanted:
            # Phones are stored as typed; compared by their digits (one pass over members with one).
            for user_id, phone in db.session.execute(
                    select(User.id, User.phone).where(User.phone.is_not(None), User.is_active_account)):
                digits = phone_digits(phone)
                if digits in wanted:
                    owners[digits].add(user_id)
        self.by_phone = {digits: next(iter(ids)) for digits, ids in owners.items() if len(ids) == 1}

    def match(self, row: ParsedRow) -> int | None:
        return self.by_email.get(row.buyer_email) or self.by_phone.get(phone_digits(row.buyer_phone))


def _referrals_of(member_ids: set[int]) -> dict[int, Referral]:
    found: dict[int, Referral] = {}
    for part in chunks(sorted(member_ids)):
        for referral in db.session.scalars(select(Referral).where(Referral.invitee_id.in_(part))):
            found[referral.invitee_id] = referral
    return found


# --- one row -----------------------------------------------------------------------------------------

@dataclass
class _Context:
    existing: dict[str, Any]
    members: MemberMatcher
    referrals: dict[int, Referral]
    converting: set[int]  # referrals a previous line of the file already converts


def _referral_for(row: ParsedRow, member_id: int | None, context: _Context) -> tuple[int | None, list]:
    """The referral this purchase converts, or why none does (a note, when there is something
    staff should know)."""
    referral = context.referrals.get(member_id) if member_id else None
    if referral is None:
        if not row.referral_code:
            return None, []
        if member_id is None:
            return None, reason(N_("Referral code %(code)s: the buyer is not a member yet, so no "
                                   "referral converts."), code=row.referral_code)
        return None, reason(N_("Referral code %(code)s: the buyer did not register with a referral "
                               "code, so none converts."), code=row.referral_code)
    if referral.status in CONVERTED_STATUSES and referral.contract_number == row.contract_no:
        # Staff recorded this purchase on the referral page before the file came: linked, no reward.
        return referral.id, reason(N_("Staff already recorded this purchase on the referral: the "
                                      "purchase is linked to it, nothing is rewarded again."))
    if referral.status not in OPEN_STATUSES:
        return None, reason(N_("The buyer's referral is already closed (%(status)s): nothing "
                               "converts."), status=referral.status) if row.referral_code else []
    if row.referral_code and row.referral_code != referral.code:
        return None, reason(N_("The file's referral code %(code)s is not the one the buyer registered "
                               "with (%(registered)s): the referral does not convert."),
                            code=row.referral_code, registered=referral.code)
    if row.signed_on < referral.created_at.date():
        return None, reason(N_("Signed on %(date)s, before the buyer was referred: the referral does "
                               "not convert."), date=row.signed_on.isoformat())
    if referral.id in context.converting:
        return None, reason(N_("The buyer's referral converts with an earlier line of this file."))
    context.converting.add(referral.id)
    return referral.id, []


def _display(field: str, value: Any) -> str:
    if field == "price_cents":
        return f"{value / 100:,.2f}"
    return "" if value is None else str(value)


def _classify(row: ParsedRow, context: _Context) -> dict:
    values = {"line": row.line, "contract_no": row.contract_no, "unit_id": row.unit_id,
              "buyer_name": row.buyer_name, "buyer_phone": row.buyer_phone,
              "buyer_email": row.buyer_email, "signed_on": row.signed_on,
              "price_cents": row.price_cents, "referral_code": row.referral_code,
              "is_cancelled": row.is_cancelled, "member_id": None, "referral_id": None,
              "changes": [], "note": None}
    stored = context.existing.get(row.contract_no)
    if stored is None:
        values["kind"] = RowKind.NEW.value
        if not row.is_cancelled:
            values["member_id"] = context.members.match(row)
            values["referral_id"], note = _referral_for(row, values["member_id"], context)
            values["note"] = note or None
        return values
    stored_cancelled = stored.status == PurchaseStatus.CANCELLED
    if row.is_cancelled and not stored_cancelled:
        values["kind"] = RowKind.CANCEL.value
        values["referral_id"] = stored.referral_id
        return values
    changes = [[COLUMN_OF.get(name, name), _display(name, getattr(stored, name)),
                _display(name, values[name])]
               for name in COMPARED if getattr(stored, name) != values[name]]
    if stored_cancelled != row.is_cancelled:
        changes.append(["status", PurchaseStatus.CANCELLED.value, PurchaseStatus.ACTIVE.value])
    values["kind"] = (RowKind.CHANGED if changes else RowKind.UNCHANGED).value
    values["changes"] = changes
    return values


def _unit_labels(changed: list[dict]) -> None:
    """Units of changed rows shown by name, not by id."""
    ids = {int(value) for row in changed for name, *pair in row["changes"] if name == "unit"
           for value in pair if value}
    if not ids:
        return
    labels = {unit_id: f"{dev} · {building} · {number}" for unit_id, dev, building, number in
              db.session.execute(select(Unit.id, Development.name, Building.name, Unit.number)
                                 .join(Building, Building.id == Unit.building_id)
                                 .join(Development, Development.id == Building.development_id)
                                 .where(Unit.id.in_(ids)))}
    for row in changed:
        row["changes"] = [[name, *[labels.get(int(v), v) if name == "unit" and v else v for v in pair]]
                          for name, *pair in row["changes"]]


def _counts(parsed_rows: list[ParsedRow], staged: list[dict]) -> dict[str, int]:
    kinds = defaultdict(int)
    for values in staged:
        kinds[values["kind"]] += 1
    invalid = [row for row in parsed_rows if not row.is_valid]
    return {
        "rows": len(parsed_rows), "invalid": len(invalid),
        "units_missing": sum(row.unit_not_found for row in invalid),
        "new": kinds[RowKind.NEW], "unchanged": kinds[RowKind.UNCHANGED],
        "changed": kinds[RowKind.CHANGED], "cancel": kinds[RowKind.CANCEL],
        "members": sum(1 for v in staged if v["kind"] == RowKind.NEW and v["member_id"]),
        "referrals": sum(1 for v in staged if v["kind"] == RowKind.NEW and v["referral_id"]
                         and not v["note"]),
        "reversals": sum(1 for v in staged if v["kind"] == RowKind.CANCEL and v["referral_id"]),
        "notes": sum(1 for v in staged if v["note"]),
    }


def stage_file(file_name: str | None, data: bytes, staff: User, ip: str | None = None) -> ImportBatch:
    """Read an uploaded sales file into a batch waiting for confirmation (SalesError for a
    file that cannot be read at all; invalid rows are kept in the batch with their reasons)."""
    name = clean_file_name(file_name)
    parsed = parse_file(name, data, current_app.config["SALES_IMPORT_MAX_BYTES"])
    valid = parsed.valid
    members = MemberMatcher(valid)
    member_ids = {member for member in map(members.match, valid) if member}
    context = _Context(_existing([row.contract_no for row in valid]), members,
                       _referrals_of(member_ids), set())
    staged = [_classify(row, context) for row in valid]
    _unit_labels([values for values in staged if values["kind"] == RowKind.CHANGED])
    batch = ImportBatch(
        file_name=name, uploaded_by_id=staff.id, status=BatchStatus.PREVIEW.value,
        counts=_counts(parsed.rows, staged), updated_at=utcnow(),
        invalid_rows=[{"line": row.line, "contract_no": row.contract_no, "reasons": row.reasons}
                      for row in parsed.invalid])
    db.session.add(batch)
    db.session.flush()
    for part in chunks(staged):
        db.session.execute(insert(ImportRow), [{**values, "batch_id": batch.id} for values in part])
    record_action(staff, "sales.upload", batch, {"file": name, **batch.counts}, ip)
    return batch

