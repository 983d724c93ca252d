"""The maths of a panorama, in the viewer's (Pannellum's) conventions. No Flask here.

World axes: the camera at the origin, ``-z`` straight ahead (yaw 0), ``+x`` to the
right (yaw +90°), ``+y`` up (pitch +90°). Yaw grows clockwise seen from above, as
in Pannellum. An equirectangular image has yaw -180° at its left edge and yaw 0 in
its middle; pitch +90° at the top.

Cube faces are named and oriented as Pannellum's multires format draws them: each
face is given by its top-left, top-right and bottom-left corners on the unit cube,
as seen from inside.
"""

from __future__ import annotations

import math

import numpy as np

# face: (top-left, top-right, bottom-left) corners, from libpannellum's createCube()
FACES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "f": ((-1, 1, -1), (1, 1, -1), (-1, -1, -1)),
    "b": ((1, 1, 1), (-1, 1, 1), (1, -1, 1)),
    "u": ((-1, 1, 1), (1, 1, 1), (-1, 1, -1)),
    "d": ((-1, -1, -1), (1, -1, -1), (-1, -1, 1)),
    "l": ((-1, 1, 1), (-1, 1, -1), (-1, -1, 1)),
    "r": ((1, 1, -1), (1, 1, 1), (1, -1, -1)),
}


def yaw_pitch(x: float, y: float, z: float) -> tuple[float, float]:
    """The view direction (degrees) of the point (x, y, z) seen from the origin."""
    yaw = math.degrees(math.atan2(x, -z))
    pitch = math.degrees(math.atan2(y, math.hypot(x, z)))
    return yaw, pitch


def direction(yaw: float, pitch: float) -> tuple[float, float, float]:
    """The unit vector looking at (yaw, pitch) in degrees."""
    a, b = math.radians(yaw), math.radians(pitch)
    return math.sin(a) * math.cos(b), math.sin(b), -math.cos(a) * math.cos(b)


def equirect_pixel(yaw: float, pitch: float, width: int, height: int) -> tuple[float, float]:
    """Where (yaw, pitch) falls in an equirectangular image of ``width``×``height``."""
    return (yaw + 180.0) / 360.0 * width, (90.0 - pitch) / 180.0 * height


def face_corners(face: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(origin, step right, step down) of a face: a point is origin + u·right + v·down
    for u, v in [0, 1]."""
    tl, tr, bl = (np.array(c, dtype=np.float64) for c in FACES[face])
    return tl, tr - tl, bl - tl


def face_directions(face: str, size: int) -> np.ndarray:
    """Per pixel centre of a ``size``² face, the (not normalised) ray direction:
    an array of shape (size, size, 3), float32."""
    origin, right, down = face_corners(face)
    steps = (np.arange(size, dtype=np.float64) + 0.5) / size
    u = steps[None, :, None]
    v = steps[:, None, None]
    return (origin + u * right + v * down).astype(np.float32)


def equirect_directions(width: int, height: int, rows: slice | None = None) -> np.ndarray:
    """Per pixel centre of an equirectangular image, the unit ray direction
    (height, width, 3), float32; ``rows`` limits it to a band of rows."""
    rows = rows or slice(0, height)
    yaw = ((np.arange(width) + 0.5) / width * 2 - 1) * np.pi
    pitch = (0.5 - (np.arange(height)[rows] + 0.5) / height) * np.pi
    cos_p = np.cos(pitch)[:, None]
    return np.stack(
        [
            np.sin(yaw)[None, :] * cos_p,
            np.broadcast_to(np.sin(pitch)[:, None], (len(cos_p), width)),
            -np.cos(yaw)[None, :] * cos_p,
        ],
        axis=-1,
    ).astype(np.float32)


def face_of(directions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ray directions (..., 3): the index into ``list(FACES)`` of the cube face
    each ray meets, and its (u, v) in [0, 1] on that face."""
    x, y, z = directions[..., 0], directions[..., 1], directions[..., 2]
    ax, ay, az = np.abs(x), np.abs(y), np.abs(z)
    names = list(FACES)
    face = np.where(
        (ax >= ay) & (ax >= az),
        np.where(x > 0, names.index("r"), names.index("l")),
        np.where(
            ay >= az,
            np.where(y > 0, names.index("u"), names.index("d")),
            np.where(z > 0, names.index("b"), names.index("f")),
        ),
    )
    u = np.zeros_like(x)
    v = np.zeros_like(x)
    for index, name in enumerate(names):
        mask = face == index
        if not mask.any():
            continue
        origin, right, down = face_corners(name)
        axis = int(np.flatnonzero(origin * (right == 0) * (down == 0))[0])
        point = directions[mask] / np.abs(directions[mask][:, axis : axis + 1])
        relative = point - origin
        u[mask] = relative @ right / (right @ right)
        v[mask] = relative @ down / (down @ down)
    return face, np.clip(u, 0, 1), np.clip(v, 0, 1)
