"""Every staff action calls `record_action` in the same transaction as the action."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.models import AuditEntry
from portal.extensions import db


def _target_type(target: Any) -> str:
    return getattr(target, "__tablename__", type(target).__name__.lower()) if target else ""


def record_action(
    actor: Any, action: str, target: Any = None, details: dict | None = None, ip: str | None = None
) -> AuditEntry:
    """Append an audit row; `actor` may be None for system jobs (CLI, cron)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None), action=action, target_type=_target_type(target),
        target_id=getattr(target, "id", None), details=details or {}, ip=ip,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_query(action: str | None = None, actor_id: int | None = None):
    """The log, newest first (with who did it), filtered by action prefix and actor."""
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    return query
