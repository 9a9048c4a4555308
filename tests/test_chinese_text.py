"""Chinese that reads right: the zh_Hant and zh_Hans catalogs use full-width punctuation
and no stray spaces (see DOMAIN.md: zh_Hant is written for Hong Kong and Taiwan readers,
zh_Hans for the Mainland).

Caught: an ASCII colon, bracket, comma, semicolon, question or exclamation mark next to
Chinese text; a space between two Chinese characters; a space between Chinese text and a
placeholder that is itself Chinese at run time (a name or unit: "%(name)s 回覆了" would read
"陳大文 回覆了"); a space after a date or duration, which end in Chinese ("%(duration)s 內"
would read "3 小時 內"). A space beside a number ("已分派 %(count)d 宗", "已等待 %(duration)s")
is the usual HK/TW style and allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.core.templating import LABEL_SEPARATOR

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = rf"[{HAN}\u3000-\u303f\uff01-\uff60]"  # Han characters and full-width punctuation
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
# Placeholders whose value is (often) Chinese text, not a number or a Latin code.
TEXT_PLACEHOLDERS = {
    "name", "unit", "member", "title",
    "tier", "reason", "category", "development", "time", "perk", "when", "label", "status",
    "department", "author", "actor", "friend",
}
# Placeholders that start with a number and may end in Chinese (2026年12月3日, 3 小時).
NUMBER_FIRST_PLACEHOLDERS = {"date", "duration", "until"}
RULES = {
    "ASCII colon": re.compile(rf"{CJK}\s*:|:\s*{CJK}"),
    "ASCII bracket": re.compile(rf"\([^()]*[{HAN}][^()]*\)|{CJK}\s*[()]|[()]\s*{CJK}"),
    "ASCII comma, semicolon, ? or !": re.compile(rf"{CJK}\s*[,;?!]|[,;?!]\s*[{HAN}]"),
    "space between Chinese characters": re.compile(rf"{CJK}[ \u00a0\u3000]+{CJK}"),
    "space beside a Chinese placeholder": re.compile(rf"\x00[ \u00a0]+{CJK}|{CJK}[ \u00a0]+\x00"),
    "space after a date or duration": re.compile(rf"\x01[ \u00a0]+{CJK}"),
}


def _masked(text: str) -> str:
    """Placeholders become a neutral letter, NUL for those whose value is Chinese, and \x01
    for dates and durations."""
    def mask(match: re.Match) -> str:
        if match.group(1) in TEXT_PLACEHOLDERS:
            return "\x00"
        return "\x01" if match.group(1) in NUMBER_FIRST_PLACEHOLDERS else "X"
    return PLACEHOLDER.sub(mask, text.replace("%%", "%"))


def problems_in(text: str) -> list[str]:
    masked = _masked(text)
    return [name for name, rule in RULES.items() if rule.search(masked)]


def _messages(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for string in strings:
            if string:
                yield message, string


@pytest.mark.parametrize("text, expected", [
    ("會員等級: 銀卡", ["ASCII colon"]),
    ("會員等級：銀卡", []),
    ("(累計獲得 %(points)s 積分)", ["ASCII bracket"]),
    ("（累計獲得 %(points)s 積分）", []),
    ("3 小時 內", ["space between Chinese characters"]),
    ("%(duration)s 內", ["space after a date or duration"]),
    ("%(duration)s內", []),
    ("已等待 %(duration)s", []),
    ("%(name)s 回覆了", ["space beside a Chinese placeholder"]),
    ("已分派 %(count)d 宗投訴。", []),
    ("好的, 謝謝", ["ASCII comma, semicolon, ? or !"]),
    ("Jade Lake (翠湖)", ["ASCII bracket"]),
    ("100%%", []),
    ("時間 10:30", []),
])
def test_the_rules(text, expected):
    assert problems_in(text) == expected


@pytest.mark.parametrize("locale", ["zh_Hant", "zh_Hans"])
def test_chinese_catalogs_use_full_width_punctuation_and_no_stray_spaces(locale):
    found = [f"{', '.join(problems)}: {message.id!r} → {string!r}"
             for message, string in _messages(locale) if (problems := problems_in(string))]
    assert not found, f"{locale}: {len(found)} strings to fix:\n" + "\n".join(found)


@pytest.mark.parametrize("locale, separator", [("zh_Hant", "："), ("zh_Hans", "："), ("en", ": ")])
def test_the_label_separator_is_translated(locale, separator):
    translated = {message.id: string for message, string in _messages(locale)
                  if message.context == "label separator"}
    assert translated.get(LABEL_SEPARATOR, LABEL_SEPARATOR) == separator


# Words of the other region (DOMAIN.md's glossary): zh_Hant is for Hong Kong and Taiwan
# readers, zh_Hans for the Mainland.
NOT_IN = {
    "zh_Hant": {"二維碼": "QR 碼", "合同": "合約", "質量": "品質", "單元": "單位", "老帶新": "推薦",
                "帖子": "貼文", "發帖": "發文", "樓棟": "座", "郵箱": "電郵"},
    "zh_Hans": {"单元": "房号 / 房屋", "电邮": "邮箱", "相片": "照片", "贴文": "帖子", "合约": "合同"},
}
# A development is 樓盤 in zh_Hant; 項目 is right only in 項目後評價 (post-project evaluation).
DEVELOPMENT_AS_PROJECT = re.compile(r"項目(?!後評價)")


@pytest.mark.parametrize("locale", ["zh_Hant", "zh_Hans"])
def test_chinese_catalogs_use_the_glossary_words_of_their_region(locale):
    found = []
    for message, string in _messages(locale):
        for word, instead in NOT_IN[locale].items():
            if word in string:
                found.append(f"{word} → {instead}: {message.id!r} → {string!r}")
        if locale == "zh_Hant" and DEVELOPMENT_AS_PROJECT.search(string):
            found.append(f"項目 → 樓盤: {message.id!r} → {string!r}")
    assert not found, f"{locale}: {len(found)} strings to fix:\n" + "\n".join(found)
