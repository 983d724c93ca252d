"""Pure QR functions: a URL in, image bytes out. No Flask here.

Error correction M and a 4-module quiet zone, as scanners expect.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from PIL import Image

QUIET_ZONE = 4
SIZES = (160, 320, 640, 1200)  # the PNG widths a page may ask for


def matrix(url: str) -> list[list[bool]]:
    """The QR symbol's modules, quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(url: str, size: int) -> bytes:
    """A black-on-white PNG at most ``size`` pixels wide, a whole number of
    pixels per module (so every module is sharp)."""
    modules = matrix(url)
    count = len(modules)
    scale = max(1, size // count)
    image = Image.new("1", (count, count), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    image = image.resize((count * scale, count * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """A vector QR: one path of unit squares in a viewBox of the module count."""
    modules = matrix(url)
    count = len(modules)
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < count:
            if row[x]:
                start = x
                while x < count and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" '
        f'shape-rendering="crispEdges"><rect width="{count}" height="{count}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
    return svg.encode()
