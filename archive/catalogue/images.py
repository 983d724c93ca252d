"""Pure image functions: re-encode a picture into the fixed public sizes.

No Flask here: callers pass images in and get bytes back.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

WIDTHS = (320, 640, 1280)
FORMATS = (
    ("webp", "WEBP", {"quality": 78, "method": 4}),
    ("jpeg", "JPEG", {"quality": 80, "optimize": True, "progressive": True}),
)


@dataclass(frozen=True)
class Variant:
    name: str  # content-hashed file name, e.g. "3f2a…-640.webp"
    width: int
    height: int
    format: str  # "webp" | "jpeg"
    data: bytes


def normalise(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation and drop everything but RGB pixels: the result is a
    new image with no metadata at all (Pillow writes a source's JPEG comment, ICC
    profile and other ``info`` blocks back when saving, so only pixels are kept)."""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB",):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return Image.frombytes("RGB", image.size, image.tobytes())


def widths_for(original_width: int) -> list[int]:
    """The fixed widths to make, never enlarging: at least the smallest one."""
    widths = [w for w in WIDTHS if w <= original_width]
    return widths or [original_width]


def variants(image: Image.Image) -> list[Variant]:
    """Every public variant of an image: each fixed width in WebP and JPEG."""
    image = normalise(image)
    made = []
    for width in widths_for(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        for ext, pil_format, options in FORMATS:
            buffer = io.BytesIO()
            resized.save(buffer, pil_format, **options)
            data = buffer.getvalue()
            digest = hashlib.sha256(data).hexdigest()[:16]
            made.append(Variant(f"{digest}-{width}.{ext}", width, height, ext, data))
    return made
