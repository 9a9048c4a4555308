"""Template globals shared by every page: navigation, languages, unread count, and the
separator between a label and its value (`{{ _('Tier') }}{{ label_sep }}Silver`), which is
": " in English and a full-width "：" (no space) in Chinese."""

from __future__ import annotations

from decimal import Decimal

import flask_babel
from flask import Flask, current_app, request
from flask_babel import get_locale, pgettext

from portal.core.hooks import nav_items
from portal.core.i18n import LANGUAGE_NAMES, in_reader_script
from portal.core.timeutil import zone_name

LABEL_SEPARATOR = ": "


def datetimeformat(value, format: str = "medium") -> str:
    """Flask-Babel's filter, except that "medium" shows no seconds: the locale's medium date
    and short time joined the locale's way (zh: 2026年12月3日 下午1:47; en: Dec 3, 2026,
    1:47 PM). "short" has no seconds already; other formats pass through."""
    if format != "medium" or value is None:
        return flask_babel.format_datetime(value, format)
    pattern = get_locale().datetime_formats["medium"]
    return (str(pattern).replace("{1}", flask_babel.format_date(value, "medium"))
            .replace("{0}", flask_babel.format_time(value, "short")))


def money(cents: int | None, currency: str) -> str:
    """An amount kept in cents, in its currency the reader's way: ¥4,380,000.00 on zh_Hans
    pages, CN¥4,380,000.00 on zh_Hant and English ones (so a Hong Kong reader never takes
    renminbi for Hong Kong dollars)."""
    if cents is None:
        return "—"
    return flask_babel.format_currency(Decimal(cents) / 100, currency)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["reader_script"] = in_reader_script
    app.jinja_env.filters["money"] = money
    @app.context_processor
    def _globals():
        return {
            "nav_items": nav_items,
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
            "has_endpoint": lambda name: name in current_app.view_functions,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "label_sep": pgettext("label separator", ": "),
            "zone_name": zone_name,
        }
