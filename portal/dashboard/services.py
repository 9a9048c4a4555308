"""What the staff home and the dashboard show, from what the features registered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.accounts.models import Development, User
from portal.core.figures import Figure, Period
from portal.core.hooks import DashboardSection, StaffTask, dashboard_sections, staff_tasks
from portal.extensions import db


@dataclass(frozen=True)
class TaskCount:
    task: StaffTask
    count: int
    url_args: dict


def tasks_for(user: User) -> list[TaskCount]:
    """Every count the staff member may see, in order, zero or not."""
    return [TaskCount(task, task.count(user), task.url_args(user) if task.url_args else {})
            for task in staff_tasks(user)]


@dataclass(frozen=True)
class SectionFigures:
    section: DashboardSection
    figures: list[Figure]


def sections_for(user: User, period: Period) -> list[SectionFigures]:
    return [section_figures(section, period) for section in dashboard_sections(user)]


def visible_sections(user: User) -> list[DashboardSection]:
    return dashboard_sections(user)


def section_figures(section: DashboardSection, period: Period) -> SectionFigures:
    """A section's figures; they depend on the period only, never on who asks."""
    return SectionFigures(section, section.figures(period))


def figure_for(user: User, section_key: str, figure_key: str, period: Period) -> Figure | None:
    """One figure of a section the user may see (for its CSV); None when there is none."""
    for section in dashboard_sections(user):
        if section.key == section_key:
            return next((f for f in section.figures(period) if f.key == figure_key), None)
    return None


def csv_rows(figure: Figure) -> Iterator[list[Any]]:
    for row in figure.rows:
        yield ["" if value is None else value for value in row]


def developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))
