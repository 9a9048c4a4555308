"""Template helpers for the forum: durations and the labels of stored codes."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup

from portal.core.markdown import plain_excerpt
from portal.core.textfold import excerpt_around, highlight
from portal.forum.complaints.progress import rating_word
from portal.forum.models import CategoryKind, Channel, ComplaintStatus, Department, Priority

LABELLED = {"status": ComplaintStatus, "department": Department, "priority": Priority,
            "kind": CategoryKind, "channel": Channel}


def duration(seconds: int | None) -> str:
    """"45 min", "3 h", "26 h": the unit the author and the queue read at a glance."""
    if seconds is None:
        return ""
    seconds = abs(int(seconds))
    if seconds < 3600:
        return _("%(num)d min", num=max(1, seconds // 60))
    return _("%(num)d h", num=seconds // 3600)


def label(kind: str, code: str) -> str:
    """`forum_label('status', complaint.status)`: the translated label of a stored code."""
    return str(LABELLED[kind].label_of(code))


def search_excerpt(html_or_text: str, terms: list[str], length: int = 200) -> Markup:
    """A search result's text: plain, around the first match, the matched words marked
    (escaped first: `highlight` builds the markup)."""
    text = plain_excerpt(html_or_text, 100_000)
    return highlight(excerpt_around(text, terms, length), terms)


def init_display(app: Flask) -> None:
    app.add_template_global(duration, "forum_duration")
    app.add_template_global(label, "forum_label")
    app.add_template_global(plain_excerpt, "forum_excerpt")
    app.add_template_global(rating_word, "complaint_rating_word")
    app.add_template_global(highlight, "search_highlight")
    app.add_template_global(search_excerpt, "search_excerpt")
