"""Shared presentation pieces: the date filter, the label separator and macros/ui.html."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import render_template_string


def _render(app, source: str, lang: str = "en", **context) -> str:
    # A new app context too: Flask-Babel keeps the request's locale on `g`.
    with app.app_context(), app.test_request_context(f"/?lang={lang}"):
        return render_template_string(source, **context)


@pytest.mark.parametrize("lang, expected", [
    ("zh_Hant", "2026年12月3日 下午1:47"),
    ("zh_Hans", "2026年12月3日 13:47"),
    ("en", "Dec 3, 2026, 1:47\u202fPM"),  # CLDR puts a narrow no-break space before PM
])
def test_medium_datetimes_have_no_seconds_in_any_language(app, lang, expected):
    moment = datetime(2026, 12, 3, 5, 47, 59)  # UTC; shown in Asia/Shanghai
    assert _render(app, "{{ moment|datetimeformat('medium') }}", lang, moment=moment) == expected


def test_kept_dates_follow_the_readers_language_and_time_zone(app):
    """The filters keep what they formatted; a kept date never reaches a reader of
    another language or zone."""
    import pytz
    from flask_babel import _get_current_context

    moment = datetime(2026, 12, 3, 5, 47, 59)
    source = "{{ moment|datetimeformat('short') }} / {{ moment|dateformat('medium') }}"
    assert _render(app, source, "en", moment=moment) == "12/3/26, 1:47\u202fPM / Dec 3, 2026"
    assert _render(app, source, "zh_Hant", moment=moment) == "2026/12/3 下午1:47 / 2026年12月3日"
    assert _render(app, source, "en", moment=moment) == "12/3/26, 1:47\u202fPM / Dec 3, 2026"
    with app.app_context(), app.test_request_context("/?lang=en"):
        _get_current_context().babel_tzinfo = pytz.timezone("America/New_York")
        assert render_template_string(source, moment=moment) == "12/3/26, 12:47\u202fAM / Dec 3, 2026"


@pytest.mark.parametrize("lang, expected", [("zh_Hant", "會員等級：銀卡"), ("en", "Tier: Silver")])
def test_label_separator_is_full_width_in_chinese(app, lang, expected):
    value = "銀卡" if lang == "zh_Hant" else "Silver"
    assert _render(app, "{{ _('Tier') }}{{ label_sep }}{{ value }}", lang, value=value) == expected


def test_row_bars_draw_nothing_for_zero_and_never_more_than_the_track(app):
    html = _render(app, "{% from 'macros/ui.html' import row_bars %}"
                        "{{ row_bars([(0, 'a'), (5, 'b'), (20, 'c')], 10) }}")
    assert 'class="bar a"' not in html  # an empty value is an empty track, not a full bar
    assert 'class="bar b" x="0" y="14" width="50.0"' in html
    assert 'class="bar c" x="0" y="28" width="100"' in html
    assert html.count('class="bar-track"') == 3 and 'aria-hidden="true"' in html


def test_icons_table_regions_and_empty_states(app):
    html = _render(app, "{% from 'macros/ui.html' import icon, table_region, empty_state %}"
                        "{{ icon('gift') }}{{ icon('bell', label='Alerts') }}"
                        "{% call table_region('Points history') %}<table></table>{% endcall %}"
                        "{{ empty_state('Nothing yet.', 'inbox', '/perks/', 'Browse') }}")
    assert 'aria-hidden="true" focusable="false"><use href="/static/icons/icons.svg#gift">' in html
    assert 'role="img" aria-label="Alerts"' in html
    assert 'class="table-responsive" tabindex="0" role="region" aria-label="Points history"' in html
    assert "Nothing yet." in html and 'href="/perks/">Browse</a>' in html


def test_every_icon_the_templates_use_is_in_the_sprite(app):
    import re
    from pathlib import Path

    root = Path(app.root_path)
    sprite = (root / "static" / "icons" / "icons.svg").read_text()
    available = set(re.findall(r'<symbol id="([\w-]+)"', sprite))
    used = set()
    for template in (root / "templates").rglob("*.html"):
        used |= set(re.findall(r"icon\('([\w-]+)'", template.read_text()))
    for package in root.glob("*/__init__.py"):
        used |= set(re.findall(r'icon="([\w-]+)"', package.read_text()))
    used -= {"name"}
    assert used and used <= available, f"missing from the sprite: {sorted(used - available)}"
