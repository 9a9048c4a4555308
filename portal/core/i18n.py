"""Locale and time-zone selection, and translation markers.

Order (ARCHITECTURE.md): the member's own setting, else `?lang=`, else the
language the visitor picked with the switcher (kept in the session), else the
browser's Accept-Language. Chinese tags are matched by script/territory because
Werkzeug's `best_match` maps zh-CN to zh_Hant and knows nothing of zh-HK.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError, support
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from wtforms.i18n import messages_path

LANGUAGE_NAMES = {"zh_Hant": "繁體中文", "zh_Hans": "简体中文", "en": "English"}
TRADITIONAL_TERRITORIES = {"TW", "HK", "MO"}


def N_(message: str) -> str:
    """Mark a string for extraction whose translation happens later (stored msgids)."""
    return message


def supported_locales() -> list[str]:
    return current_app.config["LANGUAGES"]


def is_supported(code: str | None) -> bool:
    return code in supported_locales()


def match_accept_language(header_values: list[tuple[str, float]]) -> str | None:
    """Pick the best supported locale from parsed Accept-Language entries."""
    for tag, _quality in sorted(header_values, key=lambda item: -item[1]):
        try:
            loc = Locale.parse(tag.replace("_", "-"), sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if loc.language == "zh":
            if loc.script == "Hant" or (loc.script is None and loc.territory in TRADITIONAL_TERRITORIES):
                return "zh_Hant"
            return "zh_Hans"
        if loc.language == "en":
            return "en"
    return None


def select_locale() -> str:
    if not has_request_context():  # CLI commands and jobs: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and is_supported(current_user.locale):
        return current_user.locale
    requested = request.args.get("lang")
    if is_supported(requested):
        return requested
    if is_supported(session.get("lang")):
        return session["lang"]
    matched = match_accept_language(list(request.accept_languages))
    return matched or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def localized(values: dict[str, str | None], locale: str) -> str:
    """Text stored per locale by staff: the reader's language, else any filled one. A
    Chinese reader given the other script's text reads it converted to their own
    (OpenCC), so a perk entered only in Traditional reads in Simplified on zh_Hans pages."""
    from portal.core.textfold import to_script

    preferred = [locale, "zh_Hant", "zh_Hans", "en"]
    for code in preferred:
        if values.get(code):
            return to_script(values[code], code, locale)  # type: ignore[arg-type]
    return ""


def in_reader_script(text: str | None) -> str:
    """A name staff keep in one field (a development, a building, a city) in the reader's
    Chinese script: 翠湖花園 reads 翠湖花园 on zh_Hans pages and the other way round.
    Outside a request (jobs, CLI) and for English readers the text is unchanged."""
    from portal.core.textfold import to_script, written_script

    if not text or not has_request_context():
        return text or ""
    written = written_script(text)
    return to_script(text, written, str(get_locale())) if written else text


# WTForms ships `zh` (Simplified) and `zh_TW` (Traditional) catalogs; Babel's own lookup
# would serve zh_Hant from `zh`, so Traditional readers would get Simplified messages.
WTFORMS_CATALOGS = {"zh_Hant": ["zh_TW"], "zh_Hans": ["zh"], "en": ["en"]}


@cache
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), WTFORMS_CATALOGS.get(locale, [locale]),
                                     domain="wtforms")


class WTFormsTranslations:
    """WTForms' built-in messages ("Not a valid choice.") in the request's language."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


def init_i18n(app: Flask) -> None:
    translations = WTFormsTranslations()

    @app.before_request
    def _wtforms_translations() -> None:
        # Flask-WTF looks for this request attribute before loading a catalog itself.
        request.wtforms_translations = translations
