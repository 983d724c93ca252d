"""The short vertical video (竖屏短视频) of a profile: 1080×1920, 30–60 seconds.

Slides are drawn with Pillow (the portrait and the honoree's photos, captions
from the summary burned in with the CJK font, a closing slide with the QR code),
then ffmpeg strings them together with the public narration as the sound track,
or a silent track when there is none (players and platforms expect audio).
Run by the worker; progress comes from ffmpeg's own ``-progress`` report.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from PIL import Image, ImageDraw, ImageFilter

from archive import jobs
from archive.catalogue import honorees, media
from archive.printing import fonts, qr
from archive.printing.runs import display_address, short_url
from archive.printing.shareables import STYLE, Faces, wrap

WIDTH, HEIGHT, FPS = 1080, 1920, 30
MIN_SECONDS, MAX_SECONDS = 30.0, 60.0
SECONDS_PER_CAPTION = 4.5
TITLE_SECONDS, END_SECONDS = 5.0, 5.0
MEDIA_JOBS = ("share-video", "narration-synth", "narration-encode")
CAPTION_SIZE = 60
CAPTION_LINES = 3


@dataclass(frozen=True)
class Made:
    path: Path
    duration_s: float
    bytes: int
    slides: int


def products_dir(media_dir: str | Path) -> Path:
    """Finished videos waiting for download (derived, safe to delete)."""
    return Path(media_dir) / "products"


def enqueue(db: sqlite_utils.Database, honoree_id: int, user_id: int | None = None) -> int:
    if not db.execute(
        "SELECT 1 FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
    ).fetchone():
        raise ValueError(f"找不到记录 {honoree_id}")
    return jobs.enqueue(
        db,
        "share-video",
        {"honoree_id": honoree_id, "output": output_name(honoree_id), "user_id": user_id},
    )


def output_name(honoree_id: int) -> str:
    return f"video-{honoree_id}-{secrets.token_hex(6)}.mp4"


def jobs_of(db: sqlite_utils.Database, honoree_id: int, limit: int = 10) -> list[dict]:
    """Recent video and synthesis jobs of one honoree, newest first."""
    marks = ",".join("?" * len(MEDIA_JOBS))
    rows = db.execute(
        f"""SELECT * FROM jobs WHERE kind IN ({marks})
            AND json_extract(params, '$.honoree_id') = ? ORDER BY id DESC LIMIT ?""",
        [*MEDIA_JOBS, honoree_id, limit],
    ).fetchall()
    found = []
    for row in rows:
        job = dict(row)
        job["params"] = json.loads(job["params"])
        found.append(job)
    return found


def job_state(job: dict) -> dict:
    """The fields the back office's progress script reads."""
    finished = job["status"] in ("done", "failed")
    headline = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}[
        job["status"]
    ]
    return {
        "status": job["status"],
        "finished": finished,
        "headline": headline,
        "progress": job["progress"],
        "total": job["total"],
        "message": job["error"] or job["message"] or "",
    }


def output_of(media_dir: str | Path, job: dict | None, honoree_id: int) -> Path | None:
    """The finished video of a done job of this honoree, or None."""
    if job is None or job["kind"] != "share-video" or job["status"] != "done":
        return None
    params = job["params"] if isinstance(job["params"], dict) else json.loads(job["params"])
    name = params.get("output") or ""
    if params.get("honoree_id") != honoree_id or not re.fullmatch(
        r"video-\d+-[0-9a-f]+\.mp4", name
    ):
        return None
    path = products_dir(media_dir) / name
    return path if path.is_file() else None


# --- captions and slides --------------------------------------------------------


def captions(summary: str, story: str, faces: Faces, limit: int = 10) -> list[list[str]]:
    """Caption slides (each a few wrapped lines) from the summary, then the
    story's opening sentences if the summary is short."""
    from archive.curation.narration import _plain_text

    text = (summary or "").strip()
    sentences = [s for s in re.split(r"(?<=[。！？；])", text) if s.strip()]
    if len(sentences) < 4:
        story_text = _plain_text(story or "").replace("\n", "")
        sentences += [
            s
            for s in re.split(r"(?<=[。！？；])", story_text)
            if s.strip() and s.strip() not in text
        ][:6]
    face = faces(CAPTION_SIZE)
    slides: list[list[str]] = []
    for sentence in dict.fromkeys(s.strip() for s in sentences):  # each sentence once
        lines = wrap(sentence, face, WIDTH - 160)
        for start in range(0, len(lines), CAPTION_LINES):
            slides.append(lines[start : start + CAPTION_LINES])
    return slides[:limit]


def _fill(picture: Image.Image) -> Image.Image:
    """The picture over a blurred, darkened copy of itself filling the frame."""
    background = (
        picture.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
        .filter(ImageFilter.GaussianBlur(30))
        .point(lambda v: int(v * 0.45))
    )
    scale = min(WIDTH / picture.width, (HEIGHT * 0.62) / picture.height)
    fitted = picture.resize(
        (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
        Image.Resampling.LANCZOS,
    )
    background.paste(fitted, ((WIDTH - fitted.width) // 2, 240))
    return background


def _centred(draw, text: str, y: float, size: int, faces: Faces, fill) -> float:
    face = faces(size)
    for line in wrap(text, face, WIDTH - 120):
        draw.text(((WIDTH - face.getlength(line)) / 2, y), line, font=face, fill=fill)
        y += size * 1.35
    return y


def title_slide(
    picture: Image.Image | None, name: str, honour: str, unit: str, faces: Faces
) -> Image.Image:
    frame = _fill(picture) if picture else Image.new("RGB", (WIDTH, HEIGHT), STYLE.accent)
    draw = ImageDraw.Draw(frame)
    draw.rectangle((0, HEIGHT - 620, WIDTH, HEIGHT), fill=(20, 20, 20))
    y = _centred(draw, name, HEIGHT - 560, 96, faces, (255, 255, 255))
    y = _centred(draw, honour, y + 20, 52, faces, (255, 214, 102))
    _centred(draw, unit, y + 10, 40, faces, (230, 230, 230))
    return frame


def caption_slide(picture: Image.Image | None, lines: list[str], faces: Faces) -> Image.Image:
    frame = _fill(picture) if picture else Image.new("RGB", (WIDTH, HEIGHT), (60, 20, 20))
    draw = ImageDraw.Draw(frame)
    face = faces(CAPTION_SIZE)
    top = HEIGHT - 260 - len(lines) * CAPTION_SIZE * 1.45
    draw.rectangle((40, top - 40, WIDTH - 40, HEIGHT - 220), fill=(0, 0, 0))
    for i, line in enumerate(lines):
        draw.text(
            ((WIDTH - face.getlength(line)) / 2, top + i * CAPTION_SIZE * 1.45),
            line,
            font=face,
            fill=(255, 255, 255),
        )
    return frame


def end_slide(url: str, address: str, site: str, faces: Faces) -> Image.Image:
    frame = Image.new("RGB", (WIDTH, HEIGHT), STYLE.paper)
    draw = ImageDraw.Draw(frame)
    draw.rectangle((0, 0, WIDTH, 220), fill=STYLE.accent)
    _centred(draw, site, 70, 60, faces, (255, 255, 255))
    with Image.open(io.BytesIO(qr.qr_png(url, 640))) as code:
        frame.paste(code.convert("RGB"), ((WIDTH - 640) // 2, 560))
    y = _centred(draw, "扫码阅读全文、收听事迹", 1280, 56, faces, STYLE.ink)
    _centred(draw, address, y + 20, 40, faces, STYLE.muted)
    return frame


# --- making the video -----------------------------------------------------------


def _pictures(db: sqlite_utils.Database, media_dir: str | Path, honoree_id: int) -> list[Path]:
    """The portrait and the honoree's photos (not video posters), largest JPEG each."""
    rows = [
        dict(r)
        for r in db.execute(
            """SELECT id FROM photos WHERE honoree_id = ? AND id NOT IN
               (SELECT poster_photo_id FROM videos WHERE poster_photo_id IS NOT NULL)
           ORDER BY is_portrait DESC, position, id""",
            [honoree_id],
        )
    ]
    files = media.variants_by_photo(db, [r["id"] for r in rows])
    found = []
    for row in rows:
        jpegs = files.get(row["id"], {}).get("jpeg") or []
        if jpegs:
            found.append(media.derived_dir(media_dir) / jpegs[-1]["name"])
    return [p for p in found if p.is_file()]


def _open(path: Path | None) -> Image.Image | None:
    if path is None:
        return None
    with Image.open(path) as opened:
        return opened.convert("RGB")


def plan_durations(captions_count: int, narration_s: float | None) -> tuple[float, float]:
    """(total seconds, seconds per caption slide): the narration's length when
    there is one, else enough for the captions; always within 30–60 s."""
    wanted = (
        narration_s
        if narration_s
        else (TITLE_SECONDS + END_SECONDS + captions_count * SECONDS_PER_CAPTION)
    )
    total = max(MIN_SECONDS, min(MAX_SECONDS, wanted))
    middle = total - TITLE_SECONDS - END_SECONDS
    return total, middle / max(1, captions_count)


@dataclass
class _Storyboard:
    """What the slides show: the honoree, their top honour, the captions and pictures."""

    record: dict
    honour: str
    captions: list[list[str]]
    faces: Faces
    base_url: str
    site: str
    address: str


def produce(
    db: sqlite_utils.Database,
    config,
    honoree_id: int,
    output: str,
    progress: Callable[..., None] | None = None,
) -> Made:
    """Draw the slides and encode the video into MEDIA_DIR/products/``output``."""
    progress = progress or (lambda *a, **k: None)
    if not re.fullmatch(r"video-\d+-[0-9a-f]+\.mp4", output):
        raise ValueError("无效的文件名")
    board = _storyboard(db, config, honoree_id)
    audio, narration_s = _approved_narration(db, config["MEDIA_DIR"], honoree_id)
    total, each = plan_durations(len(board.captions), narration_s)
    pictures = _pictures(db, config["MEDIA_DIR"], honoree_id)
    out = products_dir(config["MEDIA_DIR"]) / output
    out.parent.mkdir(parents=True, exist_ok=True)
    progress(0, 100, "正在绘制画面")
    with tempfile.TemporaryDirectory(prefix="video-") as folder:
        work = Path(folder)
        frames = _draw_slides(work, board, pictures, total, each)
        listing = work / "slides.txt"
        listing.write_text(
            "".join(f"file '{p.name}'\nduration {s:.3f}\n" for p, s in frames)
            + f"file '{frames[-1][0].name}'\n",
            encoding="utf-8",
        )
        progress(10, 100, "正在编码视频")
        _encode(work, listing, audio, total, out, progress)
    return Made(out, total, out.stat().st_size, len(frames))


def _storyboard(db: sqlite_utils.Database, config, honoree_id: int) -> _Storyboard:
    """The texts of the slides, refused early if the font lacks one of their characters."""
    row = db.execute(
        "SELECT * FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
    ).fetchone()
    if row is None:
        raise ValueError(f"找不到记录 {honoree_id}")
    record = dict(row)
    font = fonts.load(config["FONT_PATH"])
    faces = Faces(font)
    honours = honorees.honours_of(db, [honoree_id])[honoree_id]
    top = max(honours, key=lambda o: (o["level"] == "national", o["year"]), default=None)
    honour = f"{top['year']}年 {top['title']}" if top else ""
    slides_text = captions(record.get("summary") or "", record.get("story") or "", faces)
    base, site = config["BASE_URL"], config["SITE_NAME"]
    address = display_address(base, record["code"])
    fonts.check(
        font,
        [
            record["name"],
            honour,
            record.get("unit") or "",
            site,
            address,
            "扫码阅读全文、收听事迹",
            *(line for s in slides_text for line in s),
        ],
    )
    return _Storyboard(record, honour, slides_text, faces, base, site, address)


def _approved_narration(
    db: sqlite_utils.Database, media_dir: str | Path, honoree_id: int
) -> tuple[Path | None, float | None]:
    """The latest approved narration's audio file and length, if its file is there."""
    from archive.curation import narration

    sound = db.execute(
        """SELECT file, duration_s FROM narrations WHERE honoree_id = ? AND status = 'approved'
           AND file IS NOT NULL ORDER BY approved_at DESC, id DESC LIMIT 1""",
        [honoree_id],
    ).fetchone()
    audio = narration.audio_dir(media_dir) / sound["file"] if sound else None
    if audio is None or not audio.is_file():
        return None, None
    return audio, sound["duration_s"]


def _draw_slides(
    work: Path, board: _Storyboard, pictures: list[Path], total: float, each: float
) -> list[tuple[Path, float]]:
    """Title, caption and end slides as PNG files in ``work``, with their seconds on screen."""
    frames: list[tuple[Path, float]] = []

    def keep(image: Image.Image, seconds: float) -> None:
        path = work / f"{len(frames):03d}.png"
        image.save(path, "PNG", compress_level=1)
        frames.append((path, seconds))

    record, faces = board.record, board.faces
    portrait = _open(pictures[0]) if pictures else None
    keep(
        title_slide(portrait, record["name"], board.honour, record.get("unit") or "", faces),
        TITLE_SECONDS + (0 if board.captions else total - TITLE_SECONDS - END_SECONDS),
    )
    for i, lines in enumerate(board.captions):
        picture = _open(pictures[(i + 1) % len(pictures)]) if pictures else None
        keep(caption_slide(picture, lines, faces), each)
    keep(
        end_slide(short_url(board.base_url, record["code"]), board.address, board.site, faces),
        END_SECONDS,
    )
    return frames


def _encode(
    work: Path,
    listing: Path,
    audio: Path | None,
    total: float,
    out: Path,
    progress: Callable[..., None],
) -> None:
    """Run ffmpeg on the slide listing, reporting its progress; ``out`` appears only when it succeeded."""
    sound_input = (
        ["-i", str(audio)]
        if audio
        else ["-f", "lavfi", "-i", "anullsrc=channel_layout=mono:sample_rate=44100"]
    )
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.mp4")
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-nostats",
        "-progress",
        "pipe:1",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(listing),
        *sound_input,
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-vf",
        f"format=yuv420p,fps={FPS}",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "stillimage",
        "-crf",
        "23",
        "-threads",
        "2",
        "-x264-params",
        "rc-lookahead=10",
        "-af",
        f"apad,afade=t=out:st={max(0.0, total - 1.5):.3f}:d=1.5",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-ac",
        "1",
        "-t",
        f"{total:.3f}",
        "-movflags",
        "+faststart",
        str(tmp),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work, text=True
    )
    try:
        for line in process.stdout:
            if line.startswith("out_time_us=") and line.strip()[12:].isdigit():
                done = int(line.strip()[12:]) / 1e6
                progress(
                    10 + int(89 * min(1.0, done / total)),
                    100,
                    f"正在编码视频 {done:.0f}/{total:.0f} 秒",
                )
        errors = process.stderr.read()
        if process.wait(timeout=1800) != 0:
            raise RuntimeError("视频编码失败：" + errors[-300:])
        tmp.replace(out)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
        tmp.unlink(missing_ok=True)
