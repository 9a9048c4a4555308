"""Build a realistic club at scale, for the benchmarks (not a test).

    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench seed --members 100000

Everything is inserted set-based in chunks (the services would take hours at this size)
but keeps every invariant the services keep, and the run ends by checking them:

- developments, buildings and units; members, 90% with a verified home;
- the points ledger: each credit with its expiry lot, each perk redemption a debit that
  takes from the lots soonest-expiry first (as `points.services.ledger` does), cached
  balances and lifetime earned equal to the ledger, the monthly totals rebuilt —
  `flask points verify` is clean afterwards (the seed runs its checks);
- perks whose stock is what is left after the redemptions;
- forum categories, threads and posts (two thirds Chinese): `body_html` rendered by
  `core.markdown.render_markdown`, the search index in the current format
  (`forum.search`: folded `search_text`, the grams FTS5 documents on SQLite, the gram rows
  on PostgreSQL), each
  thread's `reply_count` and `last_post_at`, each writer following the thread;
- the rest of the club (`bench.club`): referrals and the monthly sales files imported,
  surveys and their answers, suggestions and their funds, campaigns — every point they
  paid a ledger row with its lot, in the balances and the monthly totals;
- a sample of the bulk-written posts is compared with what `forum.services.start_thread`
  and `reply` write for the same text, and a sample of the club's conversions, imports,
  answers, adoptions and grants is redone through their services (in transactions that
  are rolled back).

Sizes scale with --members (100,000 gives the issue's club: 40 developments, 150,000
units, 2,000,000 ledger rows, 200 perks, 50,000 redemptions, 50,000 threads, 250,000
posts, 30,000 referrals, 20,000 imported sales, 5 surveys with 60,000 responses, 10,000
suggestions, 50 campaigns). Fixed accounts (password demo-pass-2026): bench@demo.club,
a member with a 5,000-row history, a dozen referred friends, two open surveys (one
answered) and a suggestion in each status, and bench-admin@demo.club, an administrator.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta

from sqlalchemy import event, func, insert, select, text, update

from bench.club import (
    Club,
    check_club,
    make_campaigns,
    make_referrals,
    make_sales,
    make_suggestions,
    make_surveys,
)
from bench.rows import Credits, chunks, insert_rows, next_id
from portal.accounts.models import Building, Development, Ownership, Unit, User
from portal.accounts.passwords import hash_password
from portal.core.i18n import N_
from portal.core.markdown import render_markdown
from portal.core.textfold import fold
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import services as forum_services
from portal.forum.models import Category, Follow, Post, Thread
from portal.forum.search import GRAMS_FTS, folded_grams, gram_tokens
from portal.forum.tallies import rebuild_tallies, verify_tallies
from portal.perks.models import Perk, Redemption
from portal.points.models import LIFETIME_KINDS, LedgerEntry, LedgerKind, PointsLot
from portal.points.services import expiry_for, find_differences
from portal.points.services.totals import rebuild_totals, verify_totals

PASSWORD = "demo-pass-2026"
MEMBER_EMAIL = "bench@demo.club"
STAFF_EMAIL = "bench-admin@demo.club"
# Reasons the portal itself writes (portal/points/demo.py), so pages render translated text.
REASONS = [
    (N_("Welcome bonus"), {}),
    (N_("Took part in %(event)s"), {"event": "親子手工工作坊"}),
    (N_("Home purchase reward (%(contract)s)"), {"contract": "JL-2019-0801"}),
]
REDEEM_REASON = N_("Redeemed: %(perk)s")
ZH = [
    "廚房天花板漏水", "牆身起泡發霉", "電梯經常停在兩層之間",
    "東門夜間施工噪音很大", "車位合同面積與交付不符", "窗戶密封不好下雨滲水",
    "物業管理費上漲沒有公告", "地下車庫照明不足", "垃圾站氣味難聞",
    "會所泳池何時開放", "小區綠化帶被佔用", "樓上裝修打鑽到晚上",
    "熱水器安裝位置不合理", "外牆瓷磚脫落危險", "保安巡邏次數太少",
]
EN = ["the lift stops between floors", "water leaking from the bathroom ceiling", "noise from the "
      "construction site at night", "parking space smaller than in the contract", "the window seal "
      "is broken", "management fee went up without notice", "garbage room smells", "when will the "
      "pool open", "tiles falling off the facade", "security guards rarely patrol"]
CATEGORIES = [  # slug, kind, names, share of the threads
    ("general", "discussion", ("綜合討論", "综合讨论", "General"), 0.55),
    ("repairs", "discussion", ("維修交流", "维修交流", "Repairs"), 0.15),
    ("parking", "discussion", ("車位", "车位", "Parking"), 0.08),
    ("clubhouse", "discussion", ("會所", "会所", "Clubhouse"), 0.08),
    ("market", "discussion", ("二手市集", "二手市集", "Marketplace"), 0.08),
    ("news", "announcement", ("公告", "公告", "Announcements"), 0.06),
]
THREAD_POSTS = 40  # the first thread: the benchmark's "40-post thread"


def sizes(members: int) -> dict[str, int]:
    """What a club of `members` holds (the issue's proportions at 100,000)."""
    scale = members / 100_000
    return {"members": members, "developments": max(2, round(40 * scale)),
            "units": max(members + members // 2, 10), "perks": max(5, round(200 * scale)),
            "redemptions": round(50_000 * scale), "threads": max(5, round(50_000 * scale)),
            "posts": max(10 + THREAD_POSTS, round(250_000 * scale)),
            "referrals": round(30_000 * scale), "sales": round(20_000 * scale),
            "survey responses": round(60_000 * scale), "suggestions": round(10_000 * scale),
            "campaigns": max(5, round(50 * scale))}


# --- members and homes ------------------------------------------------------------------------

def make_members(count: int, rng: random.Random) -> list[int]:
    password_hash = hash_password(PASSWORD)
    first = next_id(User.id)
    now = utcnow()
    rows = [{"email": MEMBER_EMAIL if n == 0 else f"bench{first + n}@example.com",
             "display_name": f"會員 {first + n}", "password_hash": password_hash,
             "role": "member", "locale": rng.choice(["zh_Hant", "zh_Hans", "en"]),
             "timezone": "Asia/Shanghai", "session_token": f"bench-{first + n}",
             "is_active_account": True,  # the bench member is the oldest account
             "created_at": now - timedelta(days=900 if n == 0 else rng.randint(0, 900)),
             "password_changed_at": now}
            for n in range(count)]
    rows.append({**rows[0], "email": STAFF_EMAIL, "display_name": "Bench Admin", "role": "admin",
                 "locale": "en", "session_token": "bench-admin"})
    insert_rows(User, rows)
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.id >= first, User.role == "member")
                                   .order_by(User.id)))


def make_homes(member_ids: list[int], developments: int, units: int, rng: random.Random) -> int:
    """Developments of 240-unit buildings ("3座", units "1502"), 90% of members verified
    owners of one unit each; returns the units made."""
    db.session.execute(insert(Development), [
        {"name": f"翠湖花園 {n + 1}期", "city": rng.choice(["廣州", "深圳", "佛山", "東莞"]),
         "is_selling": n % 5 == 0} for n in range(developments)])
    dev_ids = list(db.session.scalars(select(Development.id).order_by(Development.id)))
    per_building = 30 * 8
    buildings = -(-units // per_building)
    db.session.execute(insert(Building), [
        {"development_id": dev_ids[n % len(dev_ids)], "name": f"{n // len(dev_ids) + 1}座"}
        for n in range(buildings)])
    building_ids = list(db.session.scalars(select(Building.id).order_by(Building.id)))
    unit_rows = [{"building_id": building_ids[n // per_building],
                  "number": f"{(n % per_building) // 8 + 1}{n % 8 + 1:02d}"} for n in range(units)]
    insert_rows(Unit, unit_rows)
    unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    rng.shuffle(unit_ids)
    now = utcnow()
    owners = []
    for member_id, unit_id in zip(member_ids, unit_ids, strict=False):
        verified = rng.random() < 0.9 or member_id == member_ids[0]
        requested = now - timedelta(days=rng.randint(1, 800))
        owners.append({"user_id": member_id, "unit_id": unit_id,
                       "status": "verified" if verified else "pending",
                       "contract_number": f"JL-{requested.year}-{unit_id:06d}",
                       "requested_at": requested,
                       "decided_at": requested + timedelta(days=1) if verified else None})
    insert_rows(Ownership, owners)
    db.session.commit()
    return len(unit_ids)


# --- perks and the points ledger --------------------------------------------------------------

def make_perks(count: int, rng: random.Random) -> list[dict]:
    rows = [{"title_zh_hant": f"會所禮遇 {n + 1}", "title_zh_hans": f"会所礼遇 {n + 1}",
             "title_en": f"Clubhouse treat {n + 1}", "description_zh_hant": "憑券到會所前台領取。",
             "description_zh_hans": "凭券到会所前台领取。", "description_en": "Show the voucher.",
             "category": rng.choice(["dining", "lifestyle", "family", "home"]),
             "cost": rng.choice([100, 200, 300, 500]), "stock": None, "is_active": True,
             "created_at": utcnow() - timedelta(days=rng.randint(1, 700))} for n in range(count)]
    insert_rows(Perk, rows)
    db.session.commit()
    perks = db.session.execute(select(Perk.id, Perk.cost, Perk.title_zh_hant, Perk.title_zh_hans,
                                      Perk.title_en).order_by(Perk.id)).all()
    return [{"id": p.id, "cost": p.cost, "titles": {"zh_Hant": p.title_zh_hant,
             "zh_Hans": p.title_zh_hans, "en": p.title_en}, "redeemed": 0} for p in perks]


def _take_from_lots(lots: list[dict], amount: int) -> None:
    """As `ledger._consume_lots`: soonest expiry first."""
    for lot in sorted(lots, key=lambda lot: (lot["expires_at"], lot["entry_id"])):
        if amount <= 0:
            return
        take = min(lot["remaining"], amount)
        lot["remaining"] -= take
        amount -= take


def make_ledger(member_ids: list[int], per_member: int, heavy_member_entries: int,
                perks: list[dict], redemptions: int, staff_id: int, credits: Credits,
                rng: random.Random) -> tuple[int, int]:
    """Credits with lots, the club's `credits` (referrals, surveys, suggestions, campaigns)
    with theirs, redemptions with their debits, each debit taking from the lots that existed
    when it was made; returns (ledger rows, redemptions)."""
    now = utcnow()
    written = redeemed = 0
    entry_id = next_id(LedgerEntry.id)
    redemption_id = next_id(Redemption.id)
    per_member_redemptions = redemptions / max(len(member_ids), 1)
    balances = []
    for block_start in range(0, len(member_ids), 500):
        entries, lots, vouchers = [], [], []
        for member_id in member_ids[block_start:block_start + 500]:
            count = heavy_member_entries if member_id == member_ids[0] else per_member
            member_lots, earned_at, debits = [], {}, []
            balance = lifetime = 0
            for n in range(count):
                created = now - timedelta(days=rng.randint(30, 700), minutes=n)
                amount = rng.choice([50, 100, 200, 500, 1000])
                reason, reason_params = rng.choice(REASONS)
                expires_at = expiry_for(created)
                entries.append({
                    "id": entry_id, "member_id": member_id, "amount": amount, "kind": "earn",
                    "reason": reason, "reason_params": reason_params, "source_type": "",
                    "source_id": None, "actor_id": None, "created_at": created,
                    "expires_at": expires_at, "idempotency_key": f"bench:{entry_id}"})
                member_lots.append({"member_id": member_id, "entry_id": entry_id,
                                    "amount": amount, "remaining": amount,
                                    "expires_at": expires_at})
                earned_at[entry_id] = created
                balance += amount
                lifetime += amount  # EARN is a lifetime kind
                entry_id += 1
            spendable = balance  # redemptions spend the earned points (all older than 30 days)
            for credit in credits.by_member.get(member_id, ()):
                expires_at = expiry_for(credit["created_at"])
                entries.append({"id": entry_id, **credit, "expires_at": expires_at})
                member_lots.append({"member_id": member_id, "entry_id": entry_id,
                                    "amount": credit["amount"], "remaining": credit["amount"],
                                    "expires_at": expires_at})
                earned_at[entry_id] = credit["created_at"]
                balance += credit["amount"]
                if LedgerKind(credit["kind"]) in LIFETIME_KINDS:
                    lifetime += credit["amount"]
                entry_id += 1
            wanted = int(per_member_redemptions) + (rng.random() < per_member_redemptions % 1)
            for _ in range(wanted):
                perk = rng.choice(perks)
                if perk["cost"] > spendable:
                    continue
                at = now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1440))
                nonce = f"bench-{redemption_id}"
                used = rng.random() < 0.4
                vouchers.append({
                    "id": redemption_id, "perk_id": perk["id"], "member_id": member_id,
                    "nonce": nonce, "voucher_code": f"B{redemption_id:010d}", "cost": perk["cost"],
                    "status": "used" if used else "issued", "created_at": at,
                    "expires_at": at + timedelta(days=30),
                    "used_at": at + timedelta(hours=2) if used else None,
                    "used_by_id": staff_id if used else None})
                entries.append({
                    "id": entry_id, "member_id": member_id, "amount": -perk["cost"],
                    "kind": "redeem", "reason": REDEEM_REASON,
                    "reason_params": {"perk": perk["titles"]}, "source_type": "perk_redemptions",
                    "source_id": redemption_id, "actor_id": None, "created_at": at,
                    "expires_at": None, "idempotency_key": f"perk-redeem:{nonce}"})
                debits.append((at, perk["cost"]))
                spendable -= perk["cost"]
                balance -= perk["cost"]
                perk["redeemed"] += 1
                entry_id += 1
                redemption_id += 1
                redeemed += 1
            for at, cost in sorted(debits):
                _take_from_lots([lot for lot in member_lots if earned_at[lot["entry_id"]] <= at],
                                cost)
            lots.extend(member_lots)
            balances.append({"id": member_id, "points_balance": balance,
                             "points_lifetime": lifetime})
        insert_rows(Redemption, vouchers)
        insert_rows(LedgerEntry, entries)
        insert_rows(PointsLot, lots)
        written += len(entries)
        db.session.commit()
    for chunk in chunks(balances):
        db.session.execute(update(User), chunk)
    # Stock left after the redemptions: every other perk is limited.
    stock = [{"id": p["id"], "stock": rng.randint(0, 50)} for p in perks[::2]]
    if stock:
        db.session.execute(update(Perk), stock)
    db.session.commit()
    return written, redeemed


# --- the forum ---------------------------------------------------------------------------------

class Texts:
    """A pool of post texts with their rendered HTML and folded form, each computed once
    with the functions the services use."""

    def __init__(self, rng: random.Random, size: int = 3_000) -> None:
        self.bodies = []
        for n in range(size):
            if n % 3 < 2:  # two thirds Chinese
                body = "，".join(rng.choice(ZH) for _ in range(rng.randint(2, 5))) + "。"
                if n % 7 == 0:
                    body += "\n\n- " + rng.choice(ZH) + "\n- " + rng.choice(ZH)
            else:
                body = ". ".join(rng.choice(EN) for _ in range(rng.randint(1, 4))).capitalize()
                if n % 5 == 0:
                    body += f"\n\n**Unit {rng.randint(1, 30)}{rng.randint(1, 8):02d}** — please help."
            # what index_post writes for a reply (no title)
            folded = fold(body)
            self.bodies.append((body, render_markdown(body), folded, folded_grams(folded)))
        self.titles = [" ".join((rng.choice(ZH) + (f" {n}" if n % 2 else "")).split())
                       for n in range(500)]

    def body(self, rng: random.Random) -> tuple[str, str, str, set[str]]:
        return rng.choice(self.bodies)


def make_forum(member_ids: list[int], staff_id: int, threads: int, posts: int,
               rng: random.Random) -> tuple[int, int]:
    db.session.execute(insert(Category), [
        {"slug": slug, "kind": kind, "name_zh_hant": names[0], "name_zh_hans": names[1],
         "name_en": names[2], "position": n} for n, (slug, kind, names, _) in enumerate(CATEGORIES)])
    categories = dict(db.session.execute(select(Category.slug, Category.id)).all())
    weights = [share for *_, share in CATEGORIES]
    texts = Texts(rng, size=min(3_000, max(100, posts)))
    # Posts per thread: the first has THREAD_POSTS, the rest share what is left (≥ 1 each).
    extra = posts - THREAD_POSTS - (threads - 1)
    counts = [THREAD_POSTS] + [1] * (threads - 1)
    for _ in range(max(extra, 0)):
        counts[rng.randrange(1, threads)] += 1
    thread_id = next_id(Thread.id)
    post_id = next_id(Post.id)
    start = utcnow() - timedelta(days=730)
    span = 730 * 24 * 60
    sqlite = db.engine.dialect.name == "sqlite"
    written = 0
    for block_start in range(0, threads, 2_000):
        thread_rows, post_rows, follow_rows, fts_rows = [], [], [], []
        for n in range(block_start, min(block_start + 2_000, threads)):
            slug = "general" if n == 0 else rng.choices(CATEGORIES, weights)[0][0]
            announcement = slug == "news"
            opened = start + timedelta(minutes=rng.randrange(span - 2_000))
            title = rng.choice(texts.titles)
            author = staff_id if announcement else rng.choice(member_ids)
            at = opened
            followers = set()
            for k in range(counts[n]):
                writer = author if k == 0 else rng.choice(member_ids)
                body, html, folded, pieces = texts.body(rng)
                opening = k == 0
                search_text = f"{fold(title)}\n{folded}" if opening else folded
                post_rows.append({
                    "id": post_id, "thread_id": thread_id, "author_id": writer, "body": body,
                    "body_html": html, "search_text": search_text, "is_opening": opening,
                    "is_official": opening and announcement, "created_at": at})
                if opening:
                    pieces = folded_grams(search_text)
                if sqlite:  # PostgreSQL's GIN index on forum_grams(search_text) follows
                    fts_rows.append({"id": post_id, "grams": gram_tokens(pieces)})
                if writer not in followers:
                    followers.add(writer)
                    follow_rows.append({"user_id": writer, "thread_id": thread_id,
                                        "created_at": at})
                post_id += 1
                last = at
                at += timedelta(minutes=rng.randint(1, 600) if n else 1)
            thread_rows.append({"id": thread_id, "category_id": categories[slug],
                                "author_id": author, "title": title, "created_at": opened,
                                "last_post_at": last, "reply_count": counts[n] - 1,
                                "is_pinned": announcement and rng.random() < 0.05})
            thread_id += 1
        insert_rows(Thread, thread_rows)
        insert_rows(Post, post_rows)
        insert_rows(Follow, follow_rows)
        for chunk in chunks(fts_rows, 20_000):
            db.session.execute(text(f"INSERT INTO {GRAMS_FTS} (rowid, grams) "  # nosec B608
                                    "VALUES (:id, :grams)"), chunk)
        written += len(post_rows)
        db.session.commit()
    return threads, written


def check_posts(sample: int, rng: random.Random) -> list[str]:
    """Write a sample of the bulk posts' texts again through the forum services (in a
    transaction rolled back afterwards) and compare what each path stored."""
    problems = []
    last = db.session.scalar(select(func.max(Post.id)))
    ids = sorted({rng.randint(1, last) for _ in range(sample)})
    posts = db.session.scalars(select(Post).where(Post.id.in_(ids))).all()
    try:
        for post in posts:
            thread = post.thread
            author = db.session.get(User, post.author_id)
            if post.is_opening:
                again = forum_services.start_thread(author, thread.category, thread.title,
                                                    post.body)
            else:
                again = forum_services.reply(author, thread, post.body)
            for column in ("body_html", "search_text"):
                if getattr(again, column) != getattr(post, column):
                    problems.append(f"post {post.id}: {column} differs")
            if db.engine.dialect.name == "sqlite":
                # contentless: a post is indexed under its grams if its grams find it
                tokens = gram_tokens(folded_grams(post.search_text))
                if tokens and not db.session.scalar(text(
                        f"SELECT count(*) FROM {GRAMS_FTS} WHERE {GRAMS_FTS} MATCH :grams "  # nosec B608
                        "AND rowid = :id"), {"grams": tokens, "id": post.id}):
                    problems.append(f"post {post.id}: not found under its grams")
            else:
                # the index's grams are the database's: they must be the Python ones
                indexed = db.session.scalar(select(func.forum_grams(Post.search_text))
                                            .where(Post.id == post.id))
                if set(indexed) != folded_grams(post.search_text):
                    problems.append(f"post {post.id}: search grams differ")
    finally:
        db.session.rollback()
    return problems


# --- the whole club -----------------------------------------------------------------------------

def _fast_sqlite_writes() -> None:
    """Bulk loading only: no fsync, a big page cache (the app's own pragmas stay as they are
    for the benchmark runs)."""
    if db.engine.dialect.name != "sqlite":
        return

    @event.listens_for(db.engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.close()

    db.session.close()
    db.engine.dispose()


def seed(members: int, *, entries_per_member: int = 20, heavy_member_entries: int = 5_000,
         sample: int = 30, rng_seed: int = 2026, fast: bool = True,
         out=print) -> dict[str, int]:
    """Fill the (migrated, empty) database; returns what was made. Exits non-zero when an
    invariant check fails. `fast`: SQLite without fsync while loading."""
    rng = random.Random(rng_seed)
    if fast:
        _fast_sqlite_writes()
    if db.session.scalar(select(User.id).where(User.email == MEMBER_EMAIL)):
        sys.exit("This database already has bench data; use a new DATABASE_URL.")
    size = sizes(members)
    made: dict[str, int] = {}
    started = total = time.perf_counter()

    def step(label: str, count: int) -> None:
        nonlocal started
        made[label] = count
        out(f"{count:>11,} {label:<28} {time.perf_counter() - started:7.1f} s")
        started = time.perf_counter()

    member_ids = make_members(members, rng)
    staff_id = db.session.scalar(select(User.id).where(User.email == STAFF_EMAIL))
    step("members (+1 staff)", len(member_ids))
    step("units", make_homes(member_ids, size["developments"], size["units"], rng))
    club, credits = Club(member_ids, staff_id, rng), Credits()
    # A referred buyer in three sales of ten.
    step("referrals", make_referrals(club, size["referrals"], size["sales"] * 3 // 10, credits))
    purchases, made["sales files"] = make_sales(club, size["sales"])
    step("imported sales", purchases)
    step("survey responses", make_surveys(club, size["survey responses"], credits))
    step("suggestions", make_suggestions(club, size["suggestions"], Texts(rng, 300), credits))
    campaigns, made["grant recipients"] = make_campaigns(club, size["campaigns"], credits)
    step("campaigns", campaigns)
    perks = make_perks(size["perks"], rng)
    step("perks", len(perks))
    entries, redeemed = make_ledger(member_ids, entries_per_member, heavy_member_entries, perks,
                                    size["redemptions"], staff_id, credits, rng)
    step("ledger rows", entries)
    made["redemptions"] = redeemed
    step("monthly totals", rebuild_totals())  # the rows went in past the points service
    db.session.commit()
    threads, posts = make_forum(member_ids, staff_id, size["threads"], size["posts"], rng)
    made["threads"] = threads
    step("posts", posts)
    step("thread tallies", rebuild_tallies())  # the threads went in past the forum services
    if db.engine.dialect.name == "sqlite":
        step("posts in the search index", db.session.scalar(text(
            f"SELECT count(*) FROM {GRAMS_FTS}")))  # nosec B608
        db.session.execute(text("ANALYZE"))
    else:
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    db.session.commit()
    step("(statistics)", 0)
    differences = find_differences() + verify_totals()
    step("points verify differences", len(differences))
    tally_differences = verify_tallies()
    step("thread tally differences", len(tally_differences))
    problems = check_posts(sample, rng)
    for problem in problems:
        out(problem)
    step(f"post sample differences (of {sample})", len(problems))
    checks, club_problems = check_club(club, max(1, sample // 10)) if sample else (0, [])
    for problem in club_problems:
        out(problem)
    step(f"club sample differences (of {checks})", len(club_problems))
    out(f"seeded in {time.perf_counter() - total:.0f} s")
    if differences or tally_differences or problems or club_problems:
        sys.exit(1)
    return made
