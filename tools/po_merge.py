#!/usr/bin/env python3
"""Git merge driver for the .po catalogs: the union of both sides' translations.

Parallel branches each add msgids; a line merge of sorted catalogs conflicts
needlessly. Installed by `make hooks` (git config merge.po.driver); run
`flask translate update` after a merge to drop msgids no longer in the code.

    git config merge.po.driver "python3 tools/po_merge.py %O %A %B"
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _load(path: str):
    with open(path, "rb") as handle:
        return read_po(handle)


def main(_base: str, ours: str, theirs: str) -> int:
    merged = _load(ours)
    for message in _load(theirs):
        if not message.id:
            continue
        mine = merged.get(message.id, message.context)
        if mine is None:
            merged[message.id] = message
        elif message.string and (not mine.string or mine.fuzzy):
            mine.string = message.string
            mine.flags = set(message.flags)
    with open(ours, "wb") as handle:
        write_po(handle, merged, sort_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
