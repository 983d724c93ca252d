"""Rendering panoramas: a generated room drawn into the six cube faces (each wall,
the floor and the ceiling is a plane, so each face is a handful of Pillow
perspective transforms), an equirectangular picture made from the faces, and the
faces made from an uploaded equirectangular photograph. No Flask here."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from . import room
from .projection import FACES, equirect_directions, face_corners, face_directions, face_of

HALF = room.SIDE / 2
TOP = room.HEIGHT - room.EYE


def _surfaces() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each surface as (world point of its picture's top-left corner, world step per
    picture column, world step per picture row)."""
    step = 1.0 / room.PX
    down = np.array([0, -step, 0])
    return {
        "front": (np.array([-HALF, TOP, -HALF]), np.array([step, 0, 0]), down),
        "right": (np.array([HALF, TOP, -HALF]), np.array([0, 0, step]), down),
        "back": (np.array([HALF, TOP, HALF]), np.array([-step, 0, 0]), down),
        "left": (np.array([-HALF, TOP, HALF]), np.array([0, 0, -step]), down),
        "floor": (
            np.array([-HALF, -room.EYE, -HALF]),
            np.array([step, 0, 0]),
            np.array([0, 0, step]),
        ),
        "ceiling": (np.array([-HALF, TOP, HALF]), np.array([step, 0, 0]), np.array([0, 0, -step])),
    }


SURFACES = _surfaces()
ORDER = list(SURFACES)


def _det(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    return float(np.dot(a, np.cross(b, c)))


def perspective_coefficients(surface: str, face: str, size: int) -> tuple[float, ...]:
    """Pillow PERSPECTIVE coefficients taking a face pixel to the surface picture's
    pixel where that pixel's ray meets the surface's plane."""
    origin, across, down = SURFACES[surface]
    corner, right, below = face_corners(face)
    # ray through output pixel (x, y): p = p0 + x·px + y·py (Pillow samples at corners)
    px, py = right / size, below / size
    p0 = corner + 0.5 * (px + py) - 0.5 * (px + py)
    neg_o = -origin

    def linear(first, second):  # determinant with -p as third column, as (c0, cx, cy)
        return [_det(first, second, -p) for p in (p0, px, py)]

    den = linear(across, down)
    num_i = [_det(neg_o, down, -p) for p in (p0, px, py)]
    num_j = [_det(across, neg_o, -p) for p in (p0, px, py)]
    # p0 enters the constant terms only; px, py the per-pixel terms (linearity in p)
    k = den[0]
    den_x, den_y = den[1], den[2]
    return (
        num_i[1] / k,
        num_i[2] / k,
        num_i[0] / k,
        num_j[1] / k,
        num_j[2] / k,
        num_j[0] / k,
        den_x / k,
        den_y / k,
    )


def surface_ids(directions: np.ndarray) -> np.ndarray:
    """Which surface (index into ORDER) each ray from the eye meets first."""
    x, y, z = directions[..., 0], directions[..., 1], directions[..., 2]
    with np.errstate(divide="ignore"):
        tx = HALF / np.abs(x)
        tz = HALF / np.abs(z)
        ty = np.where(y > 0, TOP / y, room.EYE / -y)
    wall_x = np.where(x > 0, ORDER.index("right"), ORDER.index("left"))
    wall_z = np.where(z > 0, ORDER.index("back"), ORDER.index("front"))
    flat = np.where(y > 0, ORDER.index("ceiling"), ORDER.index("floor"))
    return np.where((ty <= tx) & (ty <= tz), flat, np.where(tx <= tz, wall_x, wall_z))


@lru_cache(maxsize=12)
def _masks(face: str, size: int) -> list[tuple[str, tuple[float, ...], Image.Image]]:
    """The surfaces a face sees, each with its transform and where it shows: the
    same for every room, so worked out once."""
    ids = surface_ids(face_directions(face, size))
    return [
        (
            ORDER[int(i)],
            perspective_coefficients(ORDER[int(i)], face, size),
            Image.fromarray(((ids == i) * 255).astype(np.uint8)),
        )
        for i in np.unique(ids)
    ]


def render_faces(pictures: dict[str, Image.Image], size: int) -> dict[str, Image.Image]:
    """The six cube faces (``size``² each) of a room whose surfaces look like
    ``pictures`` (front, right, back, left, floor, ceiling)."""
    faces = {}
    for face in FACES:
        out = Image.new("RGB", (size, size))
        for surface, coefficients, mask in _masks(face, size):
            drawn = pictures[surface].transform(
                (size, size), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
            )
            out.paste(drawn, (0, 0), mask)
        faces[face] = out
    return faces


@lru_cache(maxsize=4)
def _equirect_lookup(width: int, size: int) -> np.ndarray:
    """For each pixel of a ``width``×``width/2`` equirectangular picture, its
    (nearest) pixel in the six stacked ``size``² faces, as one flat index."""
    height = width // 2
    lookup = np.empty((height, width), np.int32)
    band = 128
    for top in range(0, height, band):
        dirs = equirect_directions(width, height, slice(top, min(height, top + band)))
        face, u, v = face_of(dirs)
        col = np.minimum((u * size).astype(np.int32), size - 1)
        row = np.minimum((v * size).astype(np.int32), size - 1)
        lookup[top : top + len(dirs)] = (face * size + row) * size + col
    return lookup


def equirect_from_faces(faces: dict[str, Image.Image], width: int) -> Image.Image:
    """An equirectangular picture ``width``×``width/2`` sampled from cube faces."""
    stack = np.stack([np.asarray(faces[n]) for n in FACES]).reshape(-1, 3)
    size = next(iter(faces.values())).width
    return Image.fromarray(stack[_equirect_lookup(width, size)])


def faces_from_equirect(image: Image.Image, size: int, band: int = 128) -> dict[str, Image.Image]:
    """Cube faces sampled (bilinear) from an uploaded equirectangular photograph.
    The photo stays 8-bit and each face is worked out ``band`` rows at a time, so an
    8192×4096 upload needs about its own size in memory (100 MB), not four times it."""
    pixels = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    height, width, _ = pixels.shape
    faces = {}
    for face in FACES:
        out = np.empty((size, size, 3), np.uint8)
        origin, right, down = face_corners(face)
        steps = (np.arange(size, dtype=np.float64) + 0.5) / size
        for top in range(0, size, band):
            v = steps[top : top + band, None, None]
            d = (origin + steps[None, :, None] * right + v * down).astype(np.float32)
            norm = np.linalg.norm(d, axis=-1)
            yaw = np.arctan2(d[..., 0], -d[..., 2])
            pitch = np.arcsin(np.clip(d[..., 1] / norm, -1, 1))
            fx = (yaw / (2 * np.pi) + 0.5) * width - 0.5
            fy = (0.5 - pitch / np.pi) * height - 0.5
            x0 = np.floor(fx).astype(np.int64)
            y0 = np.clip(np.floor(fy).astype(np.int64), 0, height - 1)
            y1 = np.clip(y0 + 1, 0, height - 1)
            ax = (fx - x0)[..., None]
            ay = np.clip(fy - np.floor(fy), 0, 1)[..., None]
            x1 = (x0 + 1) % width
            x0 = x0 % width
            top_row = pixels[y0, x0] * (1 - ax) + pixels[y0, x1] * ax
            bottom = pixels[y1, x0] * (1 - ax) + pixels[y1, x1] * ax
            out[top : top + band] = np.clip(top_row * (1 - ay) + bottom * ay + 0.5, 0, 255)
        faces[face] = Image.fromarray(out)
    return faces
