"""Catalogs complete and safe in zh_Hant, zh_Hans and en; pages render in each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.cli import EXTRACT_KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["zh_Hant", "zh_Hans", "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
TAG = re.compile(r"<\s*/?\s*[a-zA-Z]")


def _catalog(locale: str):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


@pytest.fixture(scope="module")
def extracted_ids(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
         str(ROOT / "babel.cfg"), *[arg for k in EXTRACT_KEYWORDS for arg in ("-k", k)],
         "-o", str(pot), str(ROOT)],
        check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return {(m.context, _ids(m)[0]) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_string_of_the_code(locale, extracted_ids):
    catalog_ids = {(m.context, _ids(m)[0]) for m in _catalog(locale) if m.id}
    missing = sorted(extracted_ids - catalog_ids, key=str)
    assert not missing, f"run `flask translate update` and fill it: {locale} lacks {missing[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(locale):
    bad = [m.id for m in _catalog(locale) if m.id and (m.fuzzy or not all(_strings(m)))]
    assert not bad, f"{locale}: untranslated or fuzzy: {bad[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_placeholders_and_add_no_markup(locale):
    problems = []
    for message in _catalog(locale):
        if not message.id:
            continue
        expected = sorted(PLACEHOLDER.findall(_ids(message)[0]))
        for text in _strings(message):
            if sorted(PLACEHOLDER.findall(text)) != expected:
                problems.append(f"placeholders differ: {message.id!r}")
            source_has_tag = bool(TAG.search(_ids(message)[0]))
            if (TAG.search(text) and not source_has_tag) or "javascript:" in text.lower():
                problems.append(f"markup added: {message.id!r}")
    assert not problems, problems[:10]


@pytest.mark.parametrize(("lang", "brand"), [
    ("zh_Hant", "業主會"), ("zh_Hans", "业主会"), ("en", "Homeowner Club"),
])
def test_pages_render_in_each_language(client, lang, brand):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert brand in page
    assert f'lang="{lang.replace("_", "-")}"' in page


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-HK", "zh-Hant"), ("zh-TW,en;q=0.5", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"),
    ("zh-CN", "zh-Hans"), ("zh-Hans-CN", "zh-Hans"), ("zh", "zh-Hans"),
    ("en-GB,zh;q=0.2", "en"), ("fr-FR", "zh-Hant"),
])
def test_accept_language_picks_the_right_chinese(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_unknown_or_hostile_lang_parameter_is_ignored(client):
    response = client.get('/?lang="><svg onload=alert(1)>', headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "<svg onload" not in page
