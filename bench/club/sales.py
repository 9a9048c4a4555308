"""Referrals and the imported sales files that converted some of them (see `bench.club`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import update

from bench.club.base import BATCH_DAYS, BATCHES, VERIFIED, Club, Member, batch_of, between
from bench.rows import Credits, insert_rows, next_id
from portal.accounts.models import Ownership
from portal.core.codes import ALPHABET
from portal.core.i18n import N_
from portal.extensions import db
from portal.points.models import LedgerKind
from portal.referrals import lifecycle
from portal.referrals.models import Referral, ReferralCode, ReferralStatus
from portal.referrals.services import current_rule, mask_name
from portal.sales.models import BatchStatus, ImportBatch, ImportRow, Purchase, PurchaseStatus, RowKind

REJECT_REASONS = ["同一住戶重複登記", "推薦人與新會員為同一家庭", "Registered after the purchase"]


def referral_code(n: int) -> str:
    """An 8-character code (Crockford base 32, as `referrals.services` stores them), one per n."""
    digits = []
    for _ in range(8):
        n, rest = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


# --- referrals -----------------------------------------------------------------------------------


def convert(club: Club, referral: dict, invitee: Member, *, unit_id: int, signed_on: date,
            contract: str, at: datetime, credits: Credits, rule=None) -> None:
    """`referrals.lifecycle.record_purchase` on a referral row: the purchase, the reward
    (the rule in force, none for the referrer past the yearly cap) and its credits."""
    rule = rule or current_rule()
    year = at.year
    referrer_points = rule.referrer_points
    if club.rewarded[(referral["referrer_id"], year)] >= rule.yearly_cap:
        referrer_points = 0
    rewarded = bool(referrer_points or rule.invitee_points)
    referral.update({
        "purchased_on": signed_on, "contract_number": contract, "unit_id": unit_id,
        "development_id": club.place[unit_id][1], "ownership_id": invitee.ownership,
        "purchase_recorded_at": at, "referrer_points": referrer_points,
        "invitee_points": rule.invitee_points,
        "reward_note": lifecycle.CAP_NOTE if not referrer_points and rule.referrer_points else "",
        "status": (ReferralStatus.REWARDED if rewarded else ReferralStatus.PURCHASED).value,
        "rewarded_at": at if rewarded else None})
    source = {"source_type": "referrals", "source_id": referral["id"], "actor_id": club.staff_id,
              "at": at}
    if referrer_points:
        club.rewarded[(referral["referrer_id"], year)] += 1
        credits.add(referral["referrer_id"], referrer_points, kind=LedgerKind.REFERRAL,
                    reason=N_("Referral reward: %(name)s bought a home"),
                    params={"name": mask_name(invitee.name)},
                    key=f"referral:{referral['id']}:referrer", **source)
    if rule.invitee_points:
        credits.add(invitee.id, rule.invitee_points, kind=LedgerKind.REFERRAL,
                    reason=N_("Welcome reward for buying a home through a referral"),
                    key=f"referral:{referral['id']}:invitee", **source)


def _referral_row(referral_id: int, referrer: Member, invitee: Member, code: str) -> dict:
    return {"id": referral_id, "referrer_id": referrer.id, "invitee_id": invitee.id, "code": code,
            "status": ReferralStatus.REGISTERED.value,
            "created_at": invitee.created_at + timedelta(seconds=2), "visited_on": None,
            "purchased_on": None, "purchase_recorded_at": None, "contract_number": "",
            "unit_id": None, "development_id": None, "ownership_id": None, "rewarded_at": None,
            "referrer_points": 0, "invitee_points": 0, "referrer_owed": 0, "invitee_owed": 0,
            "reward_note": "", "decided_at": None, "decided_by_id": None, "reason": ""}


def make_referrals(club: Club, count: int, conversions: int, credits: Credits) -> int:
    """`count` referrals, `conversions` of them converted by a purchase in the sales files."""
    rng, now = club.rng, club.now
    by_age = sorted(club.members.values(), key=lambda m: (m.created_at, m.id))
    position = {m.id: n for n, m in enumerate(by_age)}
    bench = club.members[club.bench_id]
    # The bench member (the oldest account) referred a dozen friends, in every state; the
    # next oldest so many that the yearly cap of rewarded referrals holds some back.
    ambassador = by_age[1]
    seasoned = [m for m in by_age[2:] if (club.today - m.created_at.date()).days > 40]
    own = rng.sample(seasoned, min(12, len(seasoned), count))
    theirs = rng.sample([m for m in seasoned if m not in own],
                        min(60, count // 50, len(seasoned) - len(own)))
    chosen = {m.id for m in own + theirs}
    others = [m for m in by_age[1:] if m.id != bench.id and m.id not in chosen]
    invitees = own + theirs + rng.sample(others, min(count - len(chosen), len(others)))
    club.ambassador_id = ambassador.id
    codes: dict[int, str] = {}
    rows, plan = [], []
    referral_id = next_id(Referral.id)
    for n, invitee in enumerate(invitees):
        referrer = (bench if n < len(own) else ambassador if n < len(own) + len(theirs)
                    else by_age[rng.randrange(position[invitee.id])])
        code = codes.setdefault(referrer.id, referral_code(referrer.id * 2_654_435_761 % 32 ** 8))
        row = _referral_row(referral_id, referrer, invitee, code)
        referral_id += 1
        club.invitees.add(invitee.id)
        # They claimed their home after joining (a new member owns nothing yet).
        invitee.requested_at = between(rng, row["created_at"], now)
        if invitee.status == VERIFIED:
            invitee.decided_at = between(rng, invitee.requested_at, now)
        invitee.changed = True
        rows.append(row)
        if n < len(own):
            plan.append(("rewarded", "rewarded", "visited", "rewarded", "registered", "rejected",
                         "registered", "rewarded", "visited", "registered", "registered",
                         "registered")[n])
        else:  # four in five of the ambassador's friends bought
            plan.append(("rewarded" if n % 5 else "registered") if n < len(chosen) else "")
    convertible = [n for n, row in enumerate(rows) if not plan[n]
                   and (club.today - row["created_at"].date()).days > 8]
    converting = set(rng.sample(convertible, max(0, min(conversions - plan.count("rewarded"),
                                                        len(convertible)))))
    for n, row in enumerate(rows):
        state = plan[n] or ("rewarded" if n in converting else rng.choices(
            ["registered", "visited", "rejected"], [80, 15, 5])[0])
        created = row["created_at"]
        if state == "visited" or (state == "rewarded" and rng.random() < 0.3):
            row["visited_on"] = between(rng, created, now - timedelta(days=1)).date()
            row["status"] = ReferralStatus.VISITED.value
        if state == "rejected":
            row.update(status=ReferralStatus.REJECTED.value, reason=rng.choice(REJECT_REASONS),
                       decided_at=between(rng, created, now), decided_by_id=club.staff_id)
        if state == "rewarded":
            earliest = max((row["visited_on"] or created.date()), club.today - timedelta(
                days=BATCH_DAYS * BATCHES))
            days = (club.today - earliest).days
            row["signed_on"] = club.today - timedelta(days=rng.randint(1, max(1, days - 1)))
            club.conversions.append(row)
    rule = current_rule()
    club.conversions.sort(key=lambda row: (-batch_of(row["signed_on"], club.today), row["id"]))
    for row in club.conversions:
        invitee = club.members[row["invitee_id"]]
        signed_on = row.pop("signed_on")
        at = club.import_time(batch_of(signed_on, club.today))
        contract = f"JL-{signed_on.year}-{invitee.unit_id:06d}"
        convert(club, row, invitee, unit_id=invitee.unit_id, signed_on=signed_on,
                contract=contract, at=at, credits=credits, rule=rule)
        invitee.verified_by(contract=contract, purchased_on=signed_on, at=at,
                            staff_id=club.staff_id)
    code_rows = [{"user_id": user_id, "code": code,
                  "created_at": club.members[user_id].created_at + timedelta(seconds=1)}
                 for user_id, code in codes.items()]
    insert_rows(ReferralCode, code_rows)
    insert_rows(Referral, rows)
    db.session.commit()
    return len(rows)


# --- imported sales ------------------------------------------------------------------------------


def sale_row(club: Club, unit_id: int, signed_on: date, *, buyer: Member | None = None,
          referral: dict | None = None, cancelled: bool = False) -> dict:
    rng = club.rng
    return {"contract_no": f"JL-{signed_on.year}-{unit_id:06d}", "unit_id": unit_id,
            "buyer_name": buyer.name if buyer else rng.choice(["陳先生", "李女士", "王小明", "Alex Ng"]),
            "buyer_phone": "", "buyer_email": buyer.email if buyer else f"buyer{unit_id}@example.net",
            "signed_on": signed_on, "price_cents": rng.randrange(2_000_000, 12_000_000) * 100,
            "referral_code": referral["code"] if referral else "", "is_cancelled": cancelled,
            "member_id": buyer.id if buyer and not cancelled else None,
            "referral_id": referral["id"] if referral else None,
            "ownership_id": buyer.ownership if buyer and not cancelled else None}


def sales_batch(club: Club, batch_id: int, row_id: int, sales: list[dict],
                at: datetime) -> tuple[dict, list[dict], list[dict]]:
    """One sales file as `sales.staging.stage_file` stages it and `sales.importer` leaves it
    imported at `at`: (the batch, its rows, the purchases)."""
    rows, purchases = [], []
    for line, sale in enumerate(sales, start=2):  # line 1 is the header
        building_id, development_id = club.place[sale["unit_id"]]
        rows.append({"id": row_id + line - 2, "batch_id": batch_id, "line": line,
                     "kind": RowKind.NEW.value, "changes": [], "note": None,
                     **{k: v for k, v in sale.items() if k != "ownership_id"}})
        cancelled = sale["is_cancelled"]
        purchases.append({
            **{k: v for k, v in sale.items() if k != "is_cancelled"},
            "development_id": development_id, "building_id": building_id,
            "status": (PurchaseStatus.CANCELLED if cancelled else PurchaseStatus.ACTIVE).value,
            "batch_id": batch_id, "created_at": at, "cancelled_at": at if cancelled else None,
            "cancelled_batch_id": batch_id if cancelled else None})
    members = sum(1 for sale in sales if sale["member_id"])
    referred = sum(1 for sale in sales if sale["referral_id"])
    counts = {"rows": len(sales), "invalid": 0, "units_missing": 0, "new": len(sales),
              "unchanged": 0, "changed": 0, "cancel": 0, "members": members,
              "referrals": referred, "reversals": 0, "notes": 0}
    result = {"created": len(sales), "cancelled": 0, "skipped": 0, "converted": referred,
              "not_converted": 0, "reversed": 0, "not_reversed": 0, "homes": members,
              "homes_withdrawn": 0}
    batch = {"id": batch_id, "file_name": f"sales-{(at - timedelta(days=1)):%Y-%m-%d}.csv",
             "uploaded_by_id": club.staff_id, "status": BatchStatus.DONE.value, "counts": counts,
             "result": result, "invalid_rows": [], "notes": [], "valid_only": False,
             "progress_done": len(sales), "progress_total": len(sales),
             "cursor": row_id + len(sales) - 1, "error": "",
             "created_at": at - timedelta(minutes=10), "confirmed_by_id": club.staff_id,
             "confirmed_at": at - timedelta(minutes=5), "updated_at": at, "finished_at": at}
    return batch, rows, purchases


def make_sales(club: Club, count: int) -> tuple[int, int]:
    """The sales files of two years, imported: returns (purchases, batches)."""
    rng, today = club.rng, club.today
    horizon = BATCH_DAYS * BATCHES
    sales = [sale_row(club, row["unit_id"], row["purchased_on"], buyer=club.members[row["invitee_id"]],
                   referral=row) for row in club.conversions]
    others = max(0, count - len(sales))
    # Other members who bought (never a referred one: the file would convert their referral).
    buyers = [m for m in club.members.values() if m.id not in club.invitees
              and (today - m.created_at.date()).days > 1]
    for buyer in rng.sample(buyers, min(len(buyers), others * 6 // 10)):
        days = min(horizon, (today - buyer.created_at.date()).days)
        signed_on = today - timedelta(days=rng.randint(1, days))
        sales.append(sale_row(club, buyer.unit_id, signed_on, buyer=buyer))
        if buyer.status != VERIFIED:
            buyer.verified_by(contract=sales[-1]["contract_no"], purchased_on=signed_on,
                              at=club.import_time(batch_of(signed_on, today)),
                              staff_id=club.staff_id)
    outsiders = count - len(sales)
    for _ in range(min(outsiders, len(club.spare_units))):
        signed_on = today - timedelta(days=rng.randint(1, horizon))
        sales.append(sale_row(club, club.spare_units.pop(), signed_on, cancelled=rng.random() < 0.07))
    by_batch: dict[int, list[dict]] = defaultdict(list)
    for sale in sales:
        by_batch[batch_of(sale["signed_on"], today)].append(sale)
    batch_rows, import_rows, purchases = [], [], []
    batch_id, row_id = next_id(ImportBatch.id), next_id(ImportRow.id)
    for batch in sorted(by_batch, reverse=True):
        batch_row, rows, bought = sales_batch(club, batch_id, row_id, by_batch[batch],
                                              club.import_time(batch))
        batch_rows.append(batch_row)
        import_rows.extend(rows)
        purchases.extend(bought)
        batch_id, row_id = batch_id + 1, row_id + len(rows)
    insert_rows(ImportBatch, batch_rows)
    insert_rows(ImportRow, import_rows)
    insert_rows(Purchase, purchases)
    changed = [{"id": m.ownership, "status": m.status, "contract_number": m.contract,
                "purchased_on": m.purchased_on, "requested_at": m.requested_at,
                "decided_at": m.decided_at, "decided_by_id": m.decided_by_id, "reject_reason": ""}
               for m in club.members.values() if m.changed]
    for start in range(0, len(changed), 5_000):
        db.session.execute(update(Ownership), changed[start:start + 5_000])
    db.session.commit()
    return len(purchases), len(batch_rows)
