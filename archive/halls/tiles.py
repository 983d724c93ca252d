"""Multi-resolution tiles in Pannellum's format: for each level (1 the smallest)
each cube face is cut into ``tile``-pixel squares named ``<level>/<face><row>_<col>``.
A phone's first view loads only the tiles it sees, at the level its screen needs."""

from __future__ import annotations

import io
import math
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

EXTENSION = "jpg"
QUALITY = 72


@dataclass(frozen=True)
class Pyramid:
    cube: int  # the largest face's side, pixels
    tile: int  # a tile's side, pixels
    levels: int  # Pannellum's maxLevel
    extension: str = EXTENSION


def levels_for(cube: int, tile: int) -> int:
    """Levels so the smallest level's face fits one tile."""
    return max(1, math.ceil(math.log2(cube / tile)) + 1)


def write(
    faces: dict[str, Image.Image], target: Path, tile: int = 512, quality: int = QUALITY
) -> Pyramid:
    """Cut ``faces`` into tiles under ``target`` (written beside it, then renamed
    into place, so a visitor never sees half a set)."""
    cube = next(iter(faces.values())).width
    levels = levels_for(cube, tile)
    target = Path(target)
    scratch = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
    for level in range(levels, 0, -1):
        size = math.ceil(cube / 2 ** (levels - level))
        folder = scratch / str(level)
        folder.mkdir(parents=True)
        for name, face in faces.items():
            picture = face if size == cube else face.resize((size, size), Image.Resampling.LANCZOS)
            for row in range(math.ceil(size / tile)):
                for col in range(math.ceil(size / tile)):
                    box = (
                        col * tile,
                        row * tile,
                        min(size, (col + 1) * tile),
                        min(size, (row + 1) * tile),
                    )
                    buffer = io.BytesIO()
                    picture.crop(box).save(
                        buffer, "JPEG", quality=quality, optimize=True, progressive=True
                    )
                    (folder / f"{name}{row}_{col}.{EXTENSION}").write_bytes(buffer.getvalue())
    if target.exists():
        shutil.rmtree(target)
    os.replace(scratch, target)
    return Pyramid(cube, tile, levels)
