"""Build portal/static/icons/icons.svg, the portal's icon sprite, from Bootstrap Icons.

The sprite holds only the icons the templates use (a few kilobytes instead of the 2,000
icon font); templates draw one with `{{ icon('gift') }}` (portal/templates/macros/ui.html).
To add an icon: add its name below, then

    npm pack bootstrap-icons@1.13.2 && tar xzf bootstrap-icons-1.13.2.tgz
    .venv/bin/python tools/build_icons.py package/icons

and commit the sprite. Bootstrap Icons is MIT-licensed (portal/static/icons/LICENSE).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ICONS = [
    "arrow-right", "award", "bell", "box-arrow-right", "box-seam", "building", "chat-dots",
    "chat-square-text", "check-circle", "clipboard-check", "clock", "coin", "exclamation-triangle",
    "flag", "gear", "gift", "graph-up", "headset", "hourglass-split", "house-door", "image",
    "inbox", "journal-text", "lightbulb", "list-ul", "megaphone", "patch-check", "pencil",
    "people", "person-circle", "plus-lg", "qr-code", "search", "shield-check", "star", "star-fill",
    "ticket-perforated", "translate",
]

SPRITE = Path(__file__).resolve().parent.parent / "portal" / "static" / "icons" / "icons.svg"


def symbol(name: str, source: str) -> str:
    view_box = re.search(r'viewBox="([^"]+)"', source).group(1)
    body = re.search(r"<svg[^>]*>(.*)</svg>", source, re.S).group(1).strip()
    return f'<symbol id="{name}" viewBox="{view_box}">{" ".join(body.split())}</symbol>'


def main(icons_dir: str) -> None:
    folder = Path(icons_dir)
    symbols = [symbol(name, (folder / f"{name}.svg").read_text()) for name in ICONS]
    SPRITE.write_text('<svg xmlns="http://www.w3.org/2000/svg">\n<!-- Bootstrap Icons 1.13.2 '
                      '(MIT), built by tools/build_icons.py -->\n' + "\n".join(symbols) + "\n</svg>\n")
    print(f"{SPRITE}: {len(symbols)} icons")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/icons")
