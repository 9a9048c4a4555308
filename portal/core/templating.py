"""Template globals shared by every page: navigation, languages, unread count, and the
separator between a label and its value (`{{ _('Tier') }}{{ label_sep }}Silver`), which is
": " in English and a full-width "：" (no space) in Chinese."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import flask_babel
from flask import Flask, current_app, request
from flask_babel import get_locale, get_timezone, pgettext

from portal.core.hooks import nav_items
from portal.core.i18n import LANGUAGE_NAMES, in_reader_script
from portal.core.timeutil import zone_name

LABEL_SEPARATOR = ": "


# Dates repeat from one request to the next (a forum page shows the same threads to every
# reader), and Babel takes ~100 µs to format one, so the filters keep what they formatted.
FORMATTED_DATES_KEPT = 16384


@lru_cache(maxsize=FORMATTED_DATES_KEPT)
def _formatted(kind: str, value, format: str, locale: str, zone) -> str:
    """One date as the filter `kind` writes it for `locale` and time zone `zone`. The
    Flask-Babel functions called read the same locale and zone from the request, so the
    result depends only on the arguments (the cache key)."""
    if kind == "date":
        return flask_babel.format_date(value, format)
    if format != "medium":
        return flask_babel.format_datetime(value, format)
    # "medium" without seconds: the locale's medium date and short time joined the
    # locale's way (zh: 2026年12月3日 下午1:47; en: Dec 3, 2026, 1:47 PM).
    pattern = get_locale().datetime_formats["medium"]
    return (str(pattern).replace("{1}", flask_babel.format_date(value, "medium"))
            .replace("{0}", flask_babel.format_time(value, "short")))


def datetimeformat(value, format: str = "medium") -> str:
    """Flask-Babel's filter, except that "medium" shows no seconds. "short" has no seconds
    already; other formats pass through."""
    if value is None:  # Flask-Babel's "now": not worth keeping
        return flask_babel.format_datetime(value, format)
    return _formatted("datetime", value, format, str(get_locale()), get_timezone())


def dateformat(value, format: str = "medium") -> str:
    """Flask-Babel's filter, kept like `datetimeformat`."""
    if value is None:
        return flask_babel.format_date(value, format)
    return _formatted("date", value, format, str(get_locale()), get_timezone())


def money(cents: int | None, currency: str) -> str:
    """An amount kept in cents, in its currency the reader's way: ¥4,380,000.00 on zh_Hans
    pages, CN¥4,380,000.00 on zh_Hant and English ones (so a Hong Kong reader never takes
    renminbi for Hong Kong dollars)."""
    if cents is None:
        return "—"
    return flask_babel.format_currency(Decimal(cents) / 100, currency)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["dateformat"] = dateformat
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
