"""A tiny run of the benchmark tooling (bench/), so it never rots: the seed on a club of
50 members with all its invariant checks, and the in-process measure of benchmark routes
on the result. No timings are asserted: the numbers belong in bench/results/."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from bench.dashboard import run as dashboard_benchmark
from bench.load import count_statements
from bench.seed import MEMBER_EMAIL, seed, sizes
from portal.accounts.models import Ownership, User
from portal.forum.models import Post, SearchGram, Thread
from portal.perks.models import Perk, Redemption
from portal.points.services import find_differences


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_builds_a_small_club_that_keeps_the_invariants(app, db):
    lines: list[str] = []
    with app.test_request_context():
        made = seed(50, heavy_member_entries=60, sample=8, fast=False, out=lines.append)
    size = sizes(50)
    assert _count(db, User) == 51  # and one administrator
    assert _count(db, Ownership) == 50
    assert made["posts"] == _count(db, Post) == size["posts"]
    assert made["threads"] == _count(db, Thread) == size["threads"]
    assert made["post sample differences (of 8)"] == 0
    assert made["points verify differences"] == 0 and find_differences() == []
    # Every thread's reply count is its posts less the opening one.
    replies = db.session.scalar(select(func.sum(Thread.reply_count)))
    assert replies == size["posts"] - size["threads"]
    assert made["posts in the search index"] == size["posts"]  # SQLite: the grams FTS table
    assert _count(db, SearchGram) == 0  # PostgreSQL's gram table
    # Stock and redemptions: no perk below zero, every redemption debited once.
    assert db.session.scalar(select(func.min(Perk.stock))) >= 0
    assert _count(db, Redemption) == made["redemptions"]
    assert any("seeded in" in line for line in lines)
    assert db.session.scalar(select(User.points_balance).where(User.email == MEMBER_EMAIL)) > 0


def test_benchmark_routes_answer_on_the_seeded_club(app, db):
    with app.test_request_context():
        seed(50, heavy_member_entries=10, sample=0, fast=False, out=lambda _line: None)
    db.session.remove()
    counts = count_statements(app.config["SQLALCHEMY_DATABASE_URI"],
                              ["/points", "/forum/t/", "/admin/dashboard"],
                              {"SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    assert counts["baseline"] == 0  # the baseline route does no database work
    for label in ("/points", "/forum/t/<40-post thread>", "/admin/dashboard"):
        assert counts[label] > 0, label  # answered 200 (-1 otherwise) after real SQL

    report = dashboard_benchmark(SimpleNamespace(runs=2), app.config["SQLALCHEMY_DATABASE_URI"],
                                 {"SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    assert "| every figure computed (cache off), one development |" in report
    assert "| sections kept (cache on), all developments |" in report and "- members: " in report
