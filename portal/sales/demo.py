"""Demo sales (`flask seed-demo`, order 60) and the walk-through file (`flask sales demo-file`).

The seeder imports a year of purchases through the real services — the two referred buyers
of the referrals demo among them (linked to their referrals, nothing rewarded twice) — so
the purchases list and the monthly figures show data. The walk-through file is what staff
upload next: Jane Smith, whom the demo member referred, buys (her referral converts and
both are rewarded), plus new buyers, rows already imported, a changed row, a cancellation
and an invalid row. Importing it a second time changes nothing.

Dates are relative to today, so both files are made when needed rather than stored.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.demo import DEVELOPMENTS, demo_user
from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import Referral
from portal.sales.importer import confirm_batch, run_import
from portal.sales.models import ImportBatch, Purchase
from portal.sales.parsing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from portal.sales.staging import stage_file

COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
SEEDED_FILE = "sales-demo-last-12-months.csv"
# Purchases the referrals demo recorded: (contract, buyer e-mail, development, building, unit, days ago)
KNOWN = [
    ("JL-DEMO-1003", "li.jx@friends.demo.club", 0, "2棟", "1003", 55),
    ("CP-DEMO-0702", "he.wy@friends.demo.club", 1, "A座", "702", 100),
    ("WALK-302", "buyer.chan@friends.demo.club", 0, "1棟", "302", 40),
    ("WALK-904", "buyer.ng@friends.demo.club", 1, "B座", "904", 95),
    ("WALK-601", "buyer.lam@friends.demo.club", 0, "3棟", "601", 150),
]
TAKEN = {(0, "1棟", "801"), (1, "A座", "1003"), *[(d, b, u) for _c, _e, d, b, u, _days in KNOWN]}
NAMES = ["張志強", "黃美珍", "劉建華", "Kelvin Cheung", "吳淑芬", "鄭家豪", "Mandy Lau", "謝文傑",
         "孫麗娟", "Peter Wong", "馬曉東", "朱婉婷"]
WALKTHROUGH_BUYERS = [("趙先生", "13900001111"), ("Olivia Tam", "13900002222"), ("錢小姐", "")]


def _units(rng: random.Random, count: int, avoid: set) -> list[tuple[int, str, str]]:
    """Free units of the two selling developments, chosen at random (no unit twice)."""
    free = [(dev, building, f"{floor}{door:02d}") for dev in (0, 1) for building in DEVELOPMENTS[dev][3]
            for floor in range(1, 11) for door in range(1, 5)]
    free = [unit for unit in free if unit not in avoid]
    return rng.sample(free, count)


def _row(contract: str, name: str, phone: str, email: str, unit: tuple[int, str, str], day, price: int,
         code: str = "", status: str = "") -> list[str]:
    dev, building, number = unit
    return [contract, DEVELOPMENTS[dev][0], building, number, name, phone, email, day.isoformat(),
            f"{price:,}.00", code, status]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def _code_of(email: str) -> str:
    return db.session.scalar(select(Referral.code).join(User, User.id == Referral.invitee_id)
                             .where(User.email == email)) or ""


def seeded_csv() -> str:
    """A year of purchases: the ones the referrals demo recorded, and walk-in buyers."""
    rng = random.Random(2026)
    today = utcnow().date()
    rows = []
    for contract, email, dev, building, number, days in KNOWN:
        buyer = db.session.scalar(select(User).where(User.email == email))
        rows.append(_row(contract, buyer.display_name, "", email, (dev, building, number),
                         today - timedelta(days=days), rng.randrange(280, 900) * 10_000,
                         _code_of(email)))
    for index, unit in enumerate(_units(rng, 36, TAKEN)):
        prefix = "JL" if unit[0] == 0 else "CP"
        rows.append(_row(f"{prefix}-2026-{index + 1:04d}", NAMES[index % len(NAMES)],
                         f"139{rng.randrange(10**8):08d}", "", unit,
                         today - timedelta(days=rng.randrange(1, 360)), rng.randrange(280, 900) * 10_000))
    return _csv(rows)


def walkthrough_csv() -> str:
    """The next file from the sales system (see the module's docstring)."""
    rng = random.Random(7)
    today = utcnow().date()
    seeded = list(db.session.scalars(select(Purchase).where(Purchase.contract_no.like("%-2026-%"))
                                     .order_by(Purchase.contract_no).limit(4)))
    names = [development[0] for development in DEVELOPMENTS]
    taken = TAKEN | {(names.index(p.development.name), p.building.name, p.unit.number)
                     for p in db.session.scalars(select(Purchase)) if p.development.name in names}
    units = _units(rng, 1 + len(WALKTHROUGH_BUYERS), taken)
    jane = "jane.smith@friends.demo.club"
    rows = [_row("JL-2026-W001", "Jane Smith", "", jane, units[0], today - timedelta(days=2),
                 5_380_000, _code_of(jane))]
    for index, (name, phone) in enumerate(WALKTHROUGH_BUYERS, start=2):
        prefix = "JL" if units[index - 1][0] == 0 else "CP"
        rows.append(_row(f"{prefix}-2026-W{index:03d}", name, phone, "", units[index - 1],
                         today - timedelta(days=index), rng.randrange(280, 900) * 10_000))

    def again(purchase: Purchase, price_cents: int | None = None, status: str = "") -> list[str]:
        cents = price_cents or purchase.price_cents
        return [purchase.contract_no, purchase.development.name, purchase.building.name,
                purchase.unit.number, purchase.buyer_name, purchase.buyer_phone, purchase.buyer_email,
                purchase.signed_on.isoformat(), f"{cents // 100:,}.{cents % 100:02d}",
                purchase.referral_code, status]

    if len(seeded) == 4:
        rows += [again(seeded[0]), again(seeded[1]),
                 again(seeded[2], price_cents=seeded[2].price_cents + 5_000_000),  # changed
                 again(seeded[3], status="cancelled")]
    rows.append(_row("JL-2026-W099", "No Such Unit", "13900009999", "", (0, "1棟", "9999"),
                     today - timedelta(days=1), 3_000_000))
    return _csv(rows)


def seed_sales() -> None:
    if db.session.scalar(select(func.count()).select_from(ImportBatch)):
        return
    staff = demo_user("service@demo.club")
    batch = stage_file(SEEDED_FILE, seeded_csv().encode("utf-8"), staff)
    confirm_batch(batch, staff, valid_only=False)
    run_import(batch.id)
