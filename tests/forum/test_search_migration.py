"""Migrations 0065_ticket, 0066_search, 0072_search_grams_fts and 0076_search_grams_gin
on a database that already has complaints and posts: ticket numbers are given, the search
index is rebuilt folded, then moved into the grams FTS table (SQLite), the empty gram
table dropped, and each step undone. PostgreSQL's: tests/postgres/test_forum_search.py."""

from __future__ import annotations

from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests.conftest import test_config


def _seed(connection) -> None:
    connection.execute(text(
        "INSERT INTO users (id, email, password_hash, display_name, role, locale, timezone, "
        "points_balance, points_lifetime, is_active_account, session_token, "
        "password_changed_at, created_at) "
        "VALUES (1, 'a@example.com', 'x', 'A', 'member', 'zh_Hant', '', 0, 0, 1, 't', :now, :now)"),
        {"now": datetime(2026, 1, 1)})
    connection.execute(text(
        "INSERT INTO forum_categories (id, slug, kind, name_zh_hant, name_zh_hans, name_en, "
        "description_zh_hant, description_zh_hans, description_en, position, "
        "first_response_hours, resolution_hours, default_department) VALUES "
        "(1, 'c', 'complaint', 'c', 'c', 'c', '', '', '', 0, 24, 168, 'customer_service')"))
    connection.execute(text(
        "INSERT INTO forum_threads (id, category_id, author_id, title, is_private, is_pinned, "
        "is_locked, is_hidden, created_at, last_post_at, reply_count) VALUES "
        "(1, 1, 1, '籃球場噪聲', 0, 0, 0, 0, :at, :at, 0)"), {"at": datetime(2026, 12, 31, 17)})
    connection.execute(text(
        "INSERT INTO forum_posts (id, thread_id, author_id, body, body_html, is_opening, "
        "is_official, is_internal, is_hidden, created_at) VALUES "
        "(1, 1, 1, '晚上好吵', '<p>晚上好吵</p>', 1, 0, 0, 0, :at)"), {"at": datetime(2026, 12, 31, 17)})
    connection.execute(text(
        "INSERT INTO forum_complaints (id, thread_id, status, department, priority, created_at, "
        "first_response_due_at, resolution_due_at, paused_seconds, escalation_reason, "
        "rating_comment) VALUES (1, 1, 'open', 'customer_service', 'normal', :at, :at, :at, 0, "
        "'', '')"), {"at": datetime(2026, 12, 31, 17)})
    # Rows pointing at the changed tables: the migrations must not recreate them.
    connection.execute(text(
        "INSERT INTO forum_complaint_events (id, complaint_id, actor_id, from_status, to_status, "
        "kind, created_at) VALUES (1, 1, 1, '', 'open', 'status', :at)"), {"at": datetime(2026, 12, 31, 17)})
    connection.execute(text(
        "INSERT INTO forum_follows (user_id, thread_id, created_at) VALUES (1, 1, :at)"),
        {"at": datetime(2026, 12, 31, 17)})


def _old_format(connection) -> tuple[set[str], int]:
    """The grams in the gram table, and the post the trigram table finds for 篮球场."""
    return (set(connection.scalars(text("SELECT gram FROM forum_search_grams"))),
            connection.scalar(text(
                "SELECT rowid FROM forum_search_fts WHERE forum_search_fts MATCH '\"篮球场\"'")))


def _has_table(name: str) -> bool:
    with db.engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name = :name"), {"name": name}))


def test_ticket_numbers_and_search_index_are_rebuilt(tmp_path):
    app = create_app(test_config(tmp_path))
    with app.app_context():
        upgrade(revision="0080_feedback")
        with db.engine.begin() as connection:
            _seed(connection)
        upgrade(revision="0071_forum_latest")
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT ticket_number FROM forum_complaints")) == \
                "C-2027-000001"  # New Year's Eve 17:00 UTC is 2027 in the club's zone
            assert connection.scalar(text("SELECT search_text FROM forum_posts")) == \
                "篮球场噪音\n晚上好吵"
            old_format = _old_format(connection)
            assert {"篮球", "噪音", "吵", "篮"} <= old_format[0] and old_format[1] == 1
        upgrade(revision="0075_forum_thread_tallies")
        with db.engine.connect() as connection:
            for gram in ("篮球", "噪音", "吵", "篮", "晚上"):
                assert connection.scalar(text(
                    "SELECT rowid FROM forum_search_grams_fts WHERE forum_search_grams_fts "
                    "MATCH :grams"), {"grams": gram.encode().hex()}) == 1
            assert connection.scalar(text("SELECT count(*) FROM forum_search_grams")) == 0
            assert not connection.scalar(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'forum_search_fts'"))
        upgrade()  # 0076: the gram table, empty on SQLite since 0072, goes
        assert not _has_table("forum_search_grams")
        downgrade(revision="0075_forum_thread_tallies")
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM forum_search_grams")) == 0
        downgrade(revision="0071_forum_latest")
        with db.engine.connect() as connection:
            assert _old_format(connection) == old_format
        downgrade(revision="0080_feedback")
        with db.engine.connect() as connection:
            grams = set(connection.scalars(text("SELECT gram FROM forum_search_grams")))
            assert "籃球" in grams and "篮球" not in grams and "吵" not in grams
            assert connection.scalar(text(
                "SELECT rowid FROM forum_search_fts WHERE forum_search_fts MATCH '\"籃球場\"'")) == 1
        db.engine.dispose()
