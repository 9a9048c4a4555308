"""Every staff action calls `record_action` in the same transaction as the action; the log
page reads the entries back as sentences in the reader's language (the vocabulary each
feature registers with `portal.core.hooks.add_audit_vocabulary`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from flask import url_for
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from portal.audit.models import AuditEntry
from portal.core.hooks import audit_vocabulary
from portal.core.i18n import localized, supported_locales
from portal.core.loaders import query_date, query_id
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


# --- reading the log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str = ""  # a registered action code
    target_type: str = ""
    target_id: int | None = None
    date_from: Any = None
    date_to: Any = None
    errors: dict[str, Any] = field(default_factory=dict)

    def to_args(self) -> dict[str, str]:
        args = {"actor": self.actor_id, "action": self.action, "target": self.target_type,
                "target_id": self.target_id, "from": self.date_from and self.date_from.isoformat(),
                "to": self.date_to and self.date_to.isoformat()}
        return {k: str(v) for k, v in args.items() if v}


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Filters from the query string; what cannot be used is reported and left out."""
    vocabulary = audit_vocabulary()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, key, check in (("actor", "actor_id", query_id), ("target_id", "target_id", query_id),
                             ("from", "date_from", query_date), ("to", "date_to", query_date)):
        raw = args.get(name, "")
        values[key] = check(raw) if raw else None
        if raw and values[key] is None:
            errors[name] = _l("Enter a date as YYYY-MM-DD.") if name in ("from", "to") else _l(
                "Choose from the list.")
    for name, key, known in (("action", "action", vocabulary.actions),
                             ("target", "target_type", vocabulary.targets)):
        raw = args.get(name, "")
        values[key] = raw if raw in known else ""
        if raw and raw not in known:
            errors[name] = _l("Choose from the list.")
    if values["date_from"] and values["date_to"] and values["date_to"] < values["date_from"]:
        errors["to"] = _l("The end date must not be before the start date.")
        values["date_to"] = None
    return AuditFilters(**values, errors=errors)


def audit_query(filters: AuditFilters | None = None) -> Select:
    """The log, newest first (with who did it), filtered (indexes: created_at/id, action,
    actor_id, target)."""
    filters = filters or AuditFilters()
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
        if filters.target_id:
            query = query.where(AuditEntry.target_id == filters.target_id)
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        query = query.where(AuditEntry.created_at < datetime.combine(filters.date_to + timedelta(days=1),
                                                                     time.min))
    return query


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    action: Any
    target: str
    target_url: str | None
    details: list[tuple[Any, str]]


def action_label(code: str) -> Any:
    return audit_vocabulary().actions.get(code, code)


def _target(entry: AuditEntry) -> tuple[str, str | None]:
    if not entry.target_type:
        return "", None
    known = audit_vocabulary().targets.get(entry.target_type)
    label = str(known.label) if known else entry.target_type
    text = f"{label} #{entry.target_id}" if entry.target_id else label
    if known is None or known.endpoint is None or entry.target_id is None:
        return text, None
    try:
        return text, url_for(known.endpoint, **{known.arg: entry.target_id})
    except BuildError:
        return text, None


def detail_text(value: Any) -> str:
    """A detail value as a reader sees it: numbers formatted, yes/no, texts per language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, dict):
        if value and set(value) <= set(supported_locales()):
            return localized(value, str(get_locale())) or "—"
        return "; ".join(f"{key}: {detail_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(detail_text(item) for item in value)
    return str(value)


def _formatted(value: Any, shown) -> str:
    """A detail through its registered format; a [before, after] pair as "before → after"."""
    if shown is None:
        return detail_text(value)
    if isinstance(value, list):
        return " → ".join(_formatted(item, shown) for item in value)
    return detail_text(value) if value in (None, "") else str(shown(value))


def line_of(entry: AuditEntry) -> AuditLine:
    vocabulary = audit_vocabulary()
    target, url = _target(entry)
    details = []
    for key, value in (entry.details or {}).items():
        shown = vocabulary.formats.get((entry.action, key))
        details.append((vocabulary.details.get(key, key), _formatted(value, shown)))
    return AuditLine(entry, action_label(entry.action), target, url, details)


def export_rows(filters: AuditFilters) -> Iterator[list[Any]]:
    from flask_babel import format_datetime

    for entry in db.session.scalars(audit_query(filters).execution_options(yield_per=500)):
        line = line_of(entry)
        yield [format_datetime(entry.created_at, "yyyy-MM-dd HH:mm"),
               entry.actor.display_name if entry.actor else str(_l("system")), line.action, line.target,
               "; ".join(f"{label}: {text}" for label, text in line.details), entry.ip or ""]
