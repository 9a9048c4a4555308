"""Template globals shared by every page: navigation, languages, unread count, and the
separator between a label and its value (`{{ _('Tier') }}{{ label_sep }}Silver`), which is
": " in English and a full-width "：" (no space) in Chinese."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import get_locale, pgettext

from portal.core.hooks import nav_items
from portal.core.i18n import LANGUAGE_NAMES


LABEL_SEPARATOR = ": "


def init_templating(app: Flask) -> None:
    @app.context_processor
    def _globals():
        return {
            "nav_items": nav_items,
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
            "has_endpoint": lambda name: name in current_app.view_functions,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "label_sep": pgettext("label separator", ": "),
        }
