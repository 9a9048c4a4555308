"""QR codes as inline SVG: no Pillow, no inline styles (CSP-safe), no network."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.image.svg import SvgPathImage

# A member's referral link and a voucher's code are drawn each time their page is shown,
# and drawing one takes ~5 ms of pure Python (the best of eight masks is chosen by
# scoring each): a process keeps the last ones it drew (~6 KB each).
QR_CODES_KEPT = 2048


@lru_cache(maxsize=QR_CODES_KEPT)
def qr_svg(data: str, box_size: int = 10, border: int = 2) -> str:
    """An `<svg>` element encoding `data` (M error correction), ready to embed or serve."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=box_size, border=border, image_factory=SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")
