"""The demo site with every stored text that a page shows back replaced by XSS payloads.

`poison(app)` rewrites the seeded demo data: plain-text columns (and the strings inside
JSON columns) directly, forum posts through the forum services (so their HTML is rendered
and sanitised as in production), Markdown elsewhere through the same renderer the
services use. `POISONED` and `NOT_FREE_TEXT` together name every text column of the
schema (tests/e2e/test_xss_pages.py checks it), so a new column must be classified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String, Text, select, update

from portal.core.hooks import audit_vocabulary
from portal.core.markdown import render_markdown
from portal.extensions import db
from tests.xss_corpus import CONTEXT_PAYLOADS, MARKDOWN_PAYLOADS, XSS_SCRIPT

# Each value starts like a spreadsheet formula (the CSV exports must neutralise it).
FORMULA_LEADS = ("=1+1", "+1+1", "-1+1", "@SUM(1)")

# Free text that pages show back, per table, rewritten in place; JSON columns get every
# string inside poisoned. (POISONED, below, adds the tables written separately.)
POISONED_IN_PLACE: dict[str, tuple[str, ...]] = {
    "users": ("display_name", "phone"),
    "pending_signups": ("display_name", "phone"),
    "developments": ("name", "city"),
    "buildings": ("name",),
    "units": ("number",),
    "ownerships": ("contract_number", "reject_reason"),
    "perks": ("title_zh_hant", "title_zh_hans", "title_en",
              "description_zh_hant", "description_zh_hans", "description_en"),
    "campaigns": ("name_zh_Hant", "name_zh_Hans", "name_en",
                  "message_zh_Hant", "message_zh_Hans", "message_en"),
    "surveys": ("title_zh_Hant", "title_zh_Hans", "title_en",
                "intro_zh_Hant", "intro_zh_Hans", "intro_en"),
    "survey_questions": ("text_zh_Hant", "text_zh_Hans", "text_en", "options"),
    "survey_answers": ("text",),
    "suggestions": ("title", "body", "body_html", "reason", "implementation"),
    "feedback_rounds": ("title", "brief"),
    "feedback_review_comments": ("body", "body_html"),
    "feedback_review_files": ("download_name",),
    "feedback_evaluations": ("comment",),
    "forum_categories": ("name_zh_hant", "name_zh_hans", "name_en",
                         "description_zh_hant", "description_zh_hans", "description_en"),
    "forum_complaints": ("escalation_note", "rating_comment"),
    "partner_organisations": ("name",),
    "partner_contracts": ("reference",),
    "referrals": ("contract_number", "reason"),
    "sales_import_batches": ("file_name", "error", "invalid_rows", "notes"),
    "sales_import_rows": ("contract_no", "buyer_name", "buyer_phone", "buyer_email"),
    "sales_purchases": ("contract_no", "buyer_name", "buyer_phone", "buyer_email"),
}
# Codes, keys, file names and msgids the code writes, or values checked on entry that
# the demo logins depend on (e-mail addresses).
NOT_FREE_TEXT: dict[str, tuple[str, ...]] = {
    "users": ("email", "password_hash", "locale", "timezone", "role", "session_token"),
    "pending_signups": ("email", "token_hash", "password_hash", "locale", "extra"),
    "developments": ("currency",),
    "ownerships": ("status",),
    "perks": ("category", "min_tier", "image_name", "image_thumb_name"),
    "perk_redemptions": ("nonce", "voucher_code", "status"),
    "campaigns": ("kind", "status", "bonus_mode", "trigger", "segment"),
    "surveys": ("status", "segment"),
    "survey_questions": ("kind",),
    "suggestions": ("stage", "status"),
    "suggestion_photos": ("stored_name", "thumb_name"),
    "feedback_rounds": ("kind", "stage"),
    "feedback_round_invites": ("group",),
    "feedback_review_files": ("kind", "stored_name", "thumb_name"),
    "feedback_evaluations": ("group",),
    "forum_categories": ("slug", "kind", "default_department"),
    "forum_canned_replies": ("locale",),
    "forum_complaints": ("ticket_number", "status", "department", "priority", "escalation_reason",
                         "channel"),
    "forum_complaint_events": ("from_status", "to_status", "kind"),
    "forum_department_leads": ("department",),
    "forum_department_staff": ("department",),
    "forum_flags": ("outcome",),
    "forum_moderation_acts": ("action",),
    "forum_photos": ("stored_name", "thumb_name"),
    "notifications": ("kind",),
    "notification_settings": ("staff_emails",),
    "partner_organisations": ("kind",),
    "partner_contracts": ("scope",),
    "points_ledger": ("kind", "reason", "source_type", "idempotency_key"),
    "points_month_totals": ("month", "kind"),
    "points_settings": ("key",),
    "referral_codes": ("code",),
    "referrals": ("code", "status", "reward_note"),
    "sales_import_batches": ("status", "counts", "result"),
    "sales_import_rows": ("referral_code", "kind", "changes",
                          "note"),  # [msgid, parameters]: the import's own words
    "sales_purchases": ("referral_code", "status"),
    "audit_entries": ("action", "target_type", "ip"),
}
# Written by the functions below: the forum through its services (so the HTML is rendered
# as in production), notifications by what their columns hold, and the append-only ledger
# and audit log by new rows (an adjustment and a gift through the points services, a copy of
# each audit entry with its free-text details poisoned).
WRITTEN_SEPARATELY: dict[str, tuple[str, ...]] = {
    "forum_threads": ("title",),
    "forum_posts": ("body", "body_html", "search_text"),
    "forum_post_revisions": ("title", "body", "body_html"),
    "forum_canned_replies": ("title", "body"),
    "forum_flags": ("reason",),
    "forum_sanctions": ("reason",),
    "forum_moderation_acts": ("details",),
    "notifications": ("message", "params", "link"),
    "points_ledger": ("reason_params",),
    "audit_entries": ("details",),
}
# Every text shown back: the tables rewritten in place and those written separately.
POISONED = {**POISONED_IN_PLACE, **WRITTEN_SEPARATELY}


def text_columns() -> set[tuple[str, str]]:
    """(table, column) of every string, text and JSON column of the schema."""
    return {(table.name, column.name) for table in db.metadata.tables.values()
            for column in table.columns if isinstance(column.type, String | Text | JSON)}


class Payloads:
    """Numbered poisoned values: a formula lead, as many context payloads as the column
    holds (each value starting at another one), and "#n" (unique columns stay unique)."""

    def __init__(self) -> None:
        self.count = 0

    def text(self, room: int | None = None) -> str:
        self.count += 1
        n = self.count
        suffix = f" #{n}"

        def fits(value: str, more: str) -> bool:
            return room is None or len(value) + len(more) + len(suffix) <= room

        lead = FORMULA_LEADS[n % len(FORMULA_LEADS)] + " "
        value = lead if fits(lead, CONTEXT_PAYLOADS[0]) else ""  # tiny columns: payloads first
        start = n % len(CONTEXT_PAYLOADS)
        for candidate in CONTEXT_PAYLOADS[start:] + CONTEXT_PAYLOADS[:start]:
            if fits(value, candidate):
                value += candidate
        return value + suffix

    def markdown(self) -> str:
        return self.text() + "\n\n" + "\n\n".join(MARKDOWN_PAYLOADS)

    def json(self, value: Any, skip: frozenset[str] = frozenset()) -> Any:
        """`value` with every string in it poisoned (keys kept; `skip` keys left alone)."""
        if isinstance(value, str):
            return self.text(200)
        if isinstance(value, dict):
            return {key: item if key in skip else self.json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.json(item) for item in value]
        return value


@dataclass(frozen=True)
class PoisonedIds:
    """Objects of the poisoned site that pages outside `page_families` show."""

    fresh_post: int  # the member's own reply, still editable, with a revision
    discussion_thread: int
    silenced_member: int
    canned_reply: int
    category: int
    perk: int
    campaign: int
    survey: int
    suggestion: int
    round: int
    partner_round: int
    organisation: int
    contract: int
    batch: int


def _user(email: str):
    from portal.accounts.models import User

    return db.session.scalar(select(User).where(User.email == email))


def _poison_columns(payloads: Payloads) -> None:
    """Plain-text and JSON columns, row by row (one payload per cell)."""
    tables = db.metadata.tables
    for table_name, plain in POISONED_IN_PLACE.items():
        table = tables[table_name]
        key = next(iter(table.primary_key.columns))
        rows = db.session.execute(select(key, *(table.c[name] for name in plain))).all()
        for row in rows:
            values = {}
            for name, current in zip(plain, row[1:], strict=True):
                column = table.c[name]
                if isinstance(column.type, JSON):
                    values[name] = payloads.json(current)
                elif f"{name}_html" in table.c:
                    values[name] = payloads.markdown()
                    values[f"{name}_html"] = render_markdown(values[name])
                elif not name.endswith("_html"):
                    values[name] = payloads.text(column.type.length)
            db.session.execute(update(table).where(key == row[0]).values(**values))


def _poison_notifications(payloads: Payloads) -> None:
    """The message column holds msgids, except a campaign's own message to its members,
    which `campaigns.execution` stores as the message itself (with no parameters)."""
    from portal.notifications.models import Notification

    for note in db.session.scalars(select(Notification)):
        if note.kind == "campaign" and not note.params:
            note.message = payloads.text(400)
        else:
            note.params = payloads.json(note.params)
        note.link = f"javascript:{XSS_SCRIPT}"


def _poison_audit(payloads: Payloads) -> None:
    """Append a copy of each entry whose free-text details (those without a registered
    display format: titles, reasons, notes) are payloads; formatted ones are codes."""
    from portal.audit.models import AuditEntry

    formats = audit_vocabulary().formats
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all():
        skip = frozenset(key for (action, key) in formats if action == entry.action)
        db.session.add(AuditEntry(
            actor_id=entry.actor_id, action=entry.action, target_type=entry.target_type,
            target_id=entry.target_id, ip=entry.ip,
            details={**payloads.json(entry.details or {}, skip), "note": payloads.text(200)}))


def _poison_ledger(payloads: Payloads) -> None:
    """A staff adjustment with a poisoned reason and a gift between poisoned names."""
    from portal.points.services import adjust, gift

    member, admin = _user("member@demo.club"), _user("admin@demo.club")
    adjust(member, 500, note=payloads.text(200), actor=admin, nonce="xss-adjust")
    gift(member, _user("jane.smith@friends.demo.club"), 100, nonce="xss-gift")


def _poison_forum(payloads: Payloads) -> tuple[int, int, int]:
    """Posts edited by their authors through `forum.services.edit_post` (twice, so the
    revision history holds payloads too), canned replies, flags, a hidden post and a
    silenced member through the forum services. Returns (fresh post, discussion thread,
    silenced member)."""
    from portal.forum import moderation, services
    from portal.forum.models import CannedReply, Category, Post, Thread
    from portal.forum.search import index_post

    member, service, admin = _user("member@demo.club"), _user("service@demo.club"), _user("admin@demo.club")
    for post in db.session.scalars(select(Post).order_by(Post.id)):
        now = post.created_at
        if post.is_hidden or post.thread.is_locked:  # past editing: as edit_post would write it
            post.body = payloads.markdown()
            post.body_html = render_markdown(post.body)
            if post.is_opening:
                post.thread.title = payloads.text(160)
            index_post(post)
            continue
        for _ in range(2):
            title = payloads.text(160) if post.is_opening else None
            services.edit_post(post.author, post, payloads.markdown(), title, now=now)
    complaint = db.session.scalar(select(Thread).where(Thread.author_id == member.id)
                                  .order_by(Thread.id))
    fresh = services.reply(member, complaint, payloads.markdown())
    db.session.flush()
    services.edit_post(member, fresh, payloads.markdown())
    for reply_ in db.session.scalars(select(CannedReply)):
        services.save_canned_reply(reply_, admin, locale=reply_.locale, title=payloads.text(120),
                                   body=payloads.markdown())
    discussion = db.session.scalar(select(Thread).join(Category, Category.id == Thread.category_id)
                                   .where(Category.kind == "discussion").order_by(Thread.id))
    neighbour = _user("wang.xm@friends.demo.club")
    others = db.session.scalars(select(Post).where(Post.author_id.not_in([neighbour.id, member.id]),
                                                   ~Post.is_hidden,
                                                   ~Post.is_internal, ~Post.is_opening)
                                .order_by(Post.id)).all()
    for post in others[:3]:
        services.flag_post(neighbour, post, payloads.text(500))
    moderation.hide_post(service, others[-1], payloads.text(500))
    moderation.silence_member(service, neighbour, 3, payloads.text(500))
    return fresh.id, discussion.id, neighbour.id


def poison(app) -> PoisonedIds:
    """Rewrite the demo data of `app` with payloads; returns objects to open."""
    from portal.campaigns.models import Campaign
    from portal.feedback.models import FeedbackRound, RoundInvite, Suggestion, Survey
    from portal.forum.models import CannedReply, Category
    from portal.partners.models import PartnerContract, PartnerOrganisation
    from portal.perks.models import Perk
    from portal.sales.models import ImportBatch

    payloads = Payloads()
    with app.app_context():
        fresh, discussion, silenced = _poison_forum(payloads)
        db.session.flush()
        _poison_columns(payloads)
        _poison_ledger(payloads)
        db.session.commit()  # runs the queued jobs, which notify (with the poisoned names)
        _poison_notifications(payloads)
        _poison_audit(payloads)
        db.session.commit()
        partner = _user("partner@demo.club")

        def first(model):
            return db.session.scalar(select(model.id).order_by(model.id))

        return PoisonedIds(
            fresh_post=fresh, discussion_thread=discussion, silenced_member=silenced,
            canned_reply=first(CannedReply), category=first(Category), perk=first(Perk),
            campaign=first(Campaign), survey=first(Survey), suggestion=first(Suggestion),
            round=first(FeedbackRound),
            partner_round=db.session.scalar(select(RoundInvite.round_id)
                                            .where(RoundInvite.user_id == partner.id)),
            organisation=first(PartnerOrganisation), contract=first(PartnerContract),
            batch=first(ImportBatch))
