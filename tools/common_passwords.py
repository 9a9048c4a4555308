#!/usr/bin/env python3
"""Regenerate portal/accounts/common_passwords.txt: the most common passwords.

    npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
    python tools/common_passwords.py package/src/passwords.json

Takes the first TOP entries of the package's ranked list (most common first, built by
zxcvbn from leaked-password corpora; MIT licence, kept beside the list as
common_passwords.LICENSE), lower-cased and without duplicates, then keeps the portal's
own additions (the lines after ADDITIONS_MARKER: Chinese and club-specific ones).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TOP = 10_000
TARGET = Path(__file__).resolve().parent.parent / "portal" / "accounts" / "common_passwords.txt"
ADDITIONS_MARKER = "# --- the portal's own additions ---"
HEADER = f"""# The {TOP:,} most common passwords of the ranked list in @zxcvbn-ts/language-common
# 4.1.3 (npm registry; MIT licence, see common_passwords.LICENSE), most common first,
# lower case; then the portal's own additions. Made by tools/common_passwords.py.
# One password a line; lines starting with "#" are comments.
"""


def local_additions(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    if ADDITIONS_MARKER in lines:
        lines = lines[lines.index(ADDITIONS_MARKER) + 1:]
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main(source: str) -> None:
    ranked = json.loads(Path(source).read_text(encoding="utf-8"))
    top = list(dict.fromkeys(p.strip().lower() for p in ranked if p.strip()))[:TOP]
    seen = set(top)
    additions = [p for p in dict.fromkeys(a.lower() for a in local_additions(TARGET))
                 if p not in seen]
    TARGET.write_text(HEADER + "\n".join(top) + f"\n{ADDITIONS_MARKER}\n"
                      + "\n".join(additions) + "\n", encoding="utf-8")
    print(f"{len(top)} common passwords and {len(additions)} additions written to {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
