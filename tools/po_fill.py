#!/usr/bin/env python3
"""Fill catalog entries from a JSON file, and list what is still untranslated.

    python tools/po_fill.py missing            # untranslated/fuzzy msgids per locale
    python tools/po_fill.py apply FILE.json    # {"msgid": {"zh_Hant": "…", "zh_Hans": "…"}}

A message with a context (pgettext) is keyed "context|msgid", e.g. "complaint status|Open";
`missing` prints the keys in that form.

English entries without a translation get their msgid (our msgids are English).
Run `flask translate update` first so that every msgid is in the catalogs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["zh_Hant", "zh_Hans", "en"]


def catalog_path(locale: str) -> Path:
    return ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str):
    with catalog_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def save(locale: str, catalog) -> None:
    with catalog_path(locale).open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)


def untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not all(strings) or message.fuzzy


def key_of(message) -> str:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}|{msgid}" if message.context else msgid


def missing() -> int:
    count = 0
    for locale in LOCALES:
        for message in load(locale):
            if message.id and untranslated(message):
                count += 1
                print(f"{locale}\t{json.dumps(key_of(message), ensure_ascii=False)}")
    return count


def apply(path: str) -> None:
    table: dict[str, dict[str, str]] = json.loads(Path(path).read_text())
    for locale in LOCALES:
        catalog = load(locale)
        for message in catalog:
            if not message.id:
                continue
            key = key_of(message)
            text = table.get(key, {}).get(locale)
            if locale == "en" and not text and untranslated(message):
                text = message.id if isinstance(message.id, str) else message.id[0]
            if text:
                if isinstance(message.id, tuple):
                    plural = table.get(message.id[1], {}).get(locale) or (
                        message.id[1] if locale == "en" else text)
                    message.string = (text, plural)
                else:
                    message.string = text
                message.flags.discard("fuzzy")
        save(locale, catalog)


if __name__ == "__main__":
    if sys.argv[1:2] == ["missing"]:
        sys.exit(1 if missing() else 0)
    elif sys.argv[1:2] == ["apply"] and len(sys.argv) == 3:
        apply(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
