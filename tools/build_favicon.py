"""Build portal/static/img/favicon.ico (16, 32 and 48 px PNGs) from img/favicon.svg.

Browsers that ask for /favicon.ico get this file; the others read the SVG named in
layout/base.html. Renders with Debian's Chromium through Playwright (never
`playwright install`): `.venv/bin/python tools/build_favicon.py`.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "portal" / "static" / "img"
SIZES = (16, 32, 48)


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    """An ICO file holding PNG images (supported by every current browser)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        data += png
    return header + entries + data


def main() -> None:
    svg = base64.b64encode((IMG / "favicon.svg").read_bytes()).decode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        pngs = []
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<body style="margin:0;background:transparent">'
                             f'<img src="data:image/svg+xml;base64,{svg}" '
                             f'width="{size}" height="{size}" style="display:block"></body>')
            pngs.append((size, page.screenshot(omit_background=True)))
            page.close()
        browser.close()
    (IMG / "favicon.ico").write_bytes(ico(pngs))
    print(f"{IMG / 'favicon.ico'}: {', '.join(str(size) for size in SIZES)} px")


if __name__ == "__main__":
    main()
