"""Complaint figures for the KPI dashboard and the staff home's counts. One function per
figure; aggregate SQL only. Complaints merged into another thread are not counted twice:
only the surviving thread's complaint counts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.figures import unit_in_development, verified_households
from portal.core.charts import columns, horizontal_bars
from portal.core.figures import Figure, Period, count_rows, median, medians, share
from portal.core.sql import hours_between, year_month
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models import (
    ACTIVE_STATUSES,
    Channel,
    Complaint,
    Department,
    DepartmentLead,
    Thread,
)
from portal.forum.moderation import flag_queue_query

ACTIVE = [s.value for s in ACTIVE_STATUSES]


def _complaints(period: Period | None = None):
    """The complaints counted (not merged away), filtered by the period's development."""
    query = select(Complaint.id).join(Thread, Thread.id == Complaint.thread_id).where(
        Thread.merged_into_id.is_(None))
    if period is not None and period.development_id is not None:
        query = query.where(unit_in_development(Complaint.unit_id, period.development_id))
    return query


def rating_index(rating_column):
    """A 1–5 rating on the 0–100 scale of the satisfaction index: (rating − 1) ÷ 4 × 100."""
    return (rating_column - 1) * 25.0


def complaint_rate(period: Period) -> Figure:
    """Complaints raised per month per 100 verified households (of the development)."""
    households = verified_households(period.development_id)
    month = year_month(Complaint.created_at)
    found = dict(db.session.execute(
        select(month, func.count(Complaint.id)).where(
            Complaint.id.in_(_complaints(period)), Complaint.created_at >= period.starts_at,
            Complaint.created_at < period.ends_before).group_by(month)).all())
    rows = [(m, found.get(m, 0), share(found.get(m, 0), households)) for m in period.months()]
    total = sum(r[1] for r in rows)
    rows.append((_l("Whole period"), total, share(total, households)))
    return Figure("complaint-rate", _l("Complaint rate"),
                  [_l("Month"), _l("Complaints"), _l("Per 100 verified households")], rows,
                  chart=columns(_l("Complaints per 100 verified households"),
                                [(r[0], r[2]) for r in rows[:-1]]),
                  definition=_l("Complaints raised ÷ homes with a verified owner (%(households)s) × 100.",
                                households=f"{households:,}"))


def handling(period: Period) -> Figure:
    """Of the complaints whose resolution was due in the period (and is due by now): how
    many were resolved by the target, per department."""
    now = min(utcnow(), period.ends_before)
    on_time = Complaint.resolved_at.is_not(None) & (Complaint.resolved_at <= Complaint.resolution_due_at)
    rows_found = db.session.execute(
        select(Complaint.department, func.count(Complaint.id), func.count(Complaint.id).filter(on_time))
        .where(Complaint.id.in_(_complaints(period)), Complaint.resolution_due_at >= period.starts_at,
               Complaint.resolution_due_at < now)
        .group_by(Complaint.department)).all()
    found = {d: (due, ok) for d, due, ok in rows_found}
    firsts = medians(select(Complaint.department, hours_between(Complaint.created_at,
                                                                Complaint.first_response_at))
                     .where(Complaint.id.in_(_complaints(period)), Complaint.first_response_at.is_not(None),
                            Complaint.created_at >= period.starts_at,
                            Complaint.created_at < period.ends_before))
    rows = []
    for department in Department:
        due, ok = found.get(department.value, (0, 0))
        first = firsts.get(department.value)
        rows.append((department.label, due, ok, share(ok, due), _hours(first)))
    due_all, ok_all = sum(r[1] for r in rows), sum(r[2] for r in rows)
    first_all = median(select(hours_between(Complaint.created_at, Complaint.first_response_at))
                       .where(Complaint.id.in_(_complaints(period)), Complaint.first_response_at.is_not(None),
                              Complaint.created_at >= period.starts_at,
                              Complaint.created_at < period.ends_before))
    rows.append((_l("All departments"), due_all, ok_all, share(ok_all, due_all), _hours(first_all)))
    return Figure("handling", _l("Complaint handling"),
                  [_l("Department"), _l("Due"), _l("Resolved by the target"), _l("Handling rate (%)"),
                   _l("Median first response (hours)")], rows,
                  chart=horizontal_bars(_l("Handling rate (%)"), [(r[0], r[3]) for r in rows[:-1]]),
                  definition=_l("Handling rate: complaints resolved by their target ÷ complaints whose "
                                "target fell in the period. First response: from raising to the first "
                                "official reply, median of the complaints raised in the period."))


def complaints_by_channel(period: Period) -> Figure:
    """Complaints raised in the period by how they reached the club (posted online, or
    recorded by staff for a homeowner who phoned, walked in, e-mailed or spoke on site),
    with each channel's share of all."""
    found = dict(db.session.execute(
        select(Complaint.channel, func.count(Complaint.id)).where(
            Complaint.id.in_(_complaints(period)), Complaint.created_at >= period.starts_at,
            Complaint.created_at < period.ends_before).group_by(Complaint.channel)).all())
    total = sum(found.values())
    rows = [(channel.label, found.get(channel.value, 0), share(found.get(channel.value, 0), total))
            for channel in Channel]
    rows.append((_l("All channels"), total, share(total, total)))
    return Figure("channels", _l("Complaints by channel"),
                  [_l("Channel"), _l("Complaints"), _l("Share (%)")], rows,
                  chart=horizontal_bars(_l("Complaints"), [(r[0], r[1]) for r in rows[:-1]]),
                  definition=_l("Complaints raised in the period by how they reached us: posted "
                                "in the portal, or recorded by staff for a homeowner who phoned, "
                                "walked in, wrote an e-mail or spoke to staff on site."))


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def overdue_now(period: Period) -> Figure:
    now = utcnow()
    found = dict(db.session.execute(
        select(Complaint.department, func.count(Complaint.id)).where(
            Complaint.id.in_(_complaints(period)), Complaint.status.in_(ACTIVE),
            Complaint.next_due_at < now).group_by(Complaint.department)).all())
    rows = [(d.label, found.get(d.value, 0)) for d in Department]
    rows.append((_l("All departments"), sum(found.values())))
    return Figure("overdue", _l("Overdue complaints now"), [_l("Department"), _l("Overdue")], rows,
                  definition=_l("Open complaints past their next due time, today "
                                "(the period does not apply)."))


def handling_satisfaction(period: Period) -> Figure:
    """The ratings homeowners gave resolved complaints, on the 0–100 scale, by month rated."""
    month = year_month(Complaint.rated_at)
    found = {row[0]: row[1:] for row in db.session.execute(
        select(month, func.count(Complaint.id), func.avg(rating_index(Complaint.rating)))
        .where(Complaint.id.in_(_complaints(period)), Complaint.rating.is_not(None),
               Complaint.rated_at >= period.starts_at, Complaint.rated_at < period.ends_before)
        .group_by(month)).all()}
    rows = [(m, found[m][0] if m in found else 0,
             round(float(found[m][1]), 1) if m in found else None) for m in period.months()]
    count, score = handling_satisfaction_score(period)
    rows.append((_l("Whole period"), count, score))
    return Figure("complaint-satisfaction", _l("Complaint handling satisfaction"),
                  [_l("Month"), _l("Ratings"), _l("Score (0–100)")], rows,
                  chart=columns(_l("Complaint handling satisfaction (0–100)"),
                                [(r[0], r[2]) for r in rows[:-1]]),
                  definition=_l("Mean of the 1–5 ratings of resolved complaints, as (rating − 1) ÷ 4 × 100."))


def handling_satisfaction_score(period: Period) -> tuple[int, float | None]:
    """(ratings, mean on 0–100) of complaints rated in the period: the figure surveys show
    beside their satisfaction index."""
    count, mean = db.session.execute(
        select(func.count(Complaint.id), func.avg(rating_index(Complaint.rating)))
        .where(Complaint.id.in_(_complaints(period)), Complaint.rating.is_not(None),
               Complaint.rated_at >= period.starts_at, Complaint.rated_at < period.ends_before)).one()
    return count, round(float(mean), 1) if mean is not None else None


# --- the staff home's counts ---------------------------------------------------------------------


def assigned_to(user) -> int:
    return count_rows(_complaints().where(Complaint.assignee_id == user.id, Complaint.status.in_(ACTIVE)))


def led_departments(user) -> list[str]:
    return list(db.session.scalars(
        select(DepartmentLead.department).where(DepartmentLead.user_id == user.id)))


def overdue_for(user) -> int:
    """Overdue complaints of the departments `user` leads; of all departments otherwise."""
    query = _complaints().where(Complaint.status.in_(ACTIVE), Complaint.next_due_at < utcnow())
    departments = led_departments(user)
    if departments:
        query = query.where(Complaint.department.in_(departments))
    return count_rows(query)


def overdue_link(user) -> dict:
    departments = led_departments(user)
    return {"overdue": "1", **({"department": departments[0]} if len(departments) == 1 else {})}



def flagged_posts(_user) -> int:
    return count_rows(flag_queue_query())
