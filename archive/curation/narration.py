"""Narration (语音讲解): a story read aloud, recorded by a person or synthesised
offline, served like videos (range requests) and public like any other media.

A recording is uploaded in MP3, M4A, WAV or Opus, checked with ffprobe, kept as
the original (never served) and re-encoded by the worker into what every phone
plays: AAC-LC in an .m4a file, mono, 64 kb/s. It is public once encoded.

A synthesis is made by the worker with an offline engine the operator installs
(the ``TTS_COMMAND`` setting: a command line, run without a shell; nothing is
sent anywhere). Names are read from the archive's surname-aware pinyin (曾 zeng,
单 shan), never left to the engine's guess. A synthesis stays pending until a
curator approves it, is labelled 合成语音 to visitors, and gives way to a recording.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from pypinyin import Style, lazy_pinyin, pinyin

from archive.catalogue import markup, names
from archive.catalogue.honorees import PUBLIC
from archive.catalogue.uploads import UploadError
from archive.db import bump_generation, write
from archive.timeutil import now

BITRATE = "64k"
FORMATS = {"mp3": "mp3", "mov,mp4,m4a,3gp,3g2,mj2": "m4a", "wav": "wav", "ogg": "opus"}
CODECS = {"mp3", "aac", "alac", "opus", "vorbis", "flac"}  # plus every pcm_*
ACCEPTED = "只能上传 MP3、M4A、WAV 或 Opus 格式的录音"
MAX_SECONDS = 60 * 60
SYNTHESIS_LABEL = "合成语音"
ADDRESS_TERMS = ("师傅", "老师", "工", "总", "班长", "主任", "书记", "大姐", "姐", "哥", "老")


class NarrationError(UploadError):
    """A narration refused or failed; the message (Chinese) says why."""


def audio_dir(media_dir: str | Path) -> Path:
    """Encoded narrations, served to visitors once public."""
    return Path(media_dir) / "narrations"


def originals_dir(media_dir: str | Path) -> Path:
    """Uploaded recordings as received: kept, never served."""
    return Path(media_dir) / "originals" / "narrations"


# --- checking and encoding --------------------------------------------------------


@dataclass(frozen=True)
class ProbedAudio:
    path: Path
    extension: str
    duration_s: float


def _ffprobe(path: Path) -> dict:
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def probe(path: Path) -> ProbedAudio:
    """Accept an MP3, M4A, WAV or Opus file with an audio stream (by content, not name)."""
    try:
        info = _ffprobe(path)
    except (subprocess.SubprocessError, ValueError, OSError):
        raise NarrationError("录音文件已损坏或无法读取。" + ACCEPTED + "。") from None
    format_name = info.get("format", {}).get("format_name", "")
    extension = FORMATS.get(format_name)
    audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if extension is None or not audio:
        raise NarrationError("这不是可用的录音文件。" + ACCEPTED + "。")
    codec = audio[0].get("codec_name", "")
    if codec not in CODECS and not codec.startswith("pcm_"):
        raise NarrationError(f"录音编码 {codec} 不受支持。" + ACCEPTED + "。")
    if extension == "opus" and codec != "opus":
        raise NarrationError("Ogg 文件里不是 Opus 录音。" + ACCEPTED + "。")
    duration = float(info["format"].get("duration") or audio[0].get("duration") or 0)
    if duration <= 0.2:
        raise NarrationError("录音太短或是空的，请检查后重新上传")
    if duration > MAX_SECONDS:
        raise NarrationError(f"录音太长（{duration / 60:.0f} 分钟），不能超过 60 分钟")
    return ProbedAudio(path, extension, duration)


def encode(source: Path, target: Path, timeout: int = 1800) -> float:
    """Re-encode any accepted audio to AAC-LC .m4a, mono, 64 kb/s, metadata
    dropped, index at the front (playback starts before the download ends).
    Returns the duration in seconds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.m4a")
    try:
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(source),
                "-vn",
                "-map_metadata",
                "-1",
                "-ac",
                "1",
                "-ar",
                "44100",
                "-c:a",
                "aac",
                "-profile:a",
                "aac_low",
                "-b:a",
                BITRATE,
                "-movflags",
                "+faststart",
                str(tmp),
            ],
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        duration = float(_ffprobe(tmp)["format"]["duration"])
        tmp.replace(target)
    except subprocess.CalledProcessError as exc:
        tmp.unlink(missing_ok=True)
        raise NarrationError(
            "录音转码失败：" + exc.stderr.decode(errors="replace")[-300:]
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return duration


# --- records ----------------------------------------------------------------------


def get(db: sqlite_utils.Database, narration_id: int) -> dict | None:
    row = db.execute("SELECT * FROM narrations WHERE id = ?", [narration_id]).fetchone()
    return dict(row) if row else None


def of_honoree(db: sqlite_utils.Database, honoree_id: int) -> list[dict]:
    """Every narration of an honoree, newest first (for the back office)."""
    return [
        dict(r)
        for r in db.execute(
            "SELECT * FROM narrations WHERE honoree_id = ? ORDER BY id DESC", [honoree_id]
        )
    ]


def public(db: sqlite_utils.Database, honoree_id: int) -> dict | None:
    """The narration visitors get: approved, encoded, of a published honoree."""
    row = db.execute(
        f"""SELECT n.* FROM narrations n JOIN honorees h ON h.id = n.honoree_id
            WHERE n.honoree_id = ? AND n.status = 'approved' AND n.file IS NOT NULL
              AND {PUBLIC} ORDER BY n.approved_at DESC, n.id DESC LIMIT 1""",
        [honoree_id],
    ).fetchone()
    return dict(row) if row else None


def public_audio(db: sqlite_utils.Database, narration_id: int) -> dict | None:
    """A narration file a visitor may fetch (the same None as a missing one)."""
    row = db.execute("SELECT honoree_id FROM narrations WHERE id = ?", [narration_id]).fetchone()
    if row is None:
        return None
    current = public(db, row[0])
    return current if current and current["id"] == narration_id else None


def add_recording(
    db: sqlite_utils.Database,
    media_dir: str | Path,
    probed: ProbedAudio,
    honoree_id: int,
    *,
    transcript: str,
    credit: str | None,
    user_id: int | None,
    held: bool = False,
) -> int:
    """Keep the checked upload as the original and queue its encoding; returns the
    narration id. The recording becomes public when the worker has encoded it, or,
    ``held`` for review (SECOND_APPROVER), waits as pending once encoded."""
    from archive import jobs

    transcript = (transcript or "").strip()[:50_000]
    if not transcript:
        raise NarrationError("请填写讲解的文字稿，供听不清或听不了的观众阅读")
    name = f"{secrets.token_hex(12)}.{probed.extension}"
    target = originals_dir(media_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(probed.path), target)
    with write(db):
        if not db.execute(
            "SELECT 1 FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
        ).fetchone():
            raise NarrationError("找不到这条记录")
        narration_id = db.execute(
            """INSERT INTO narrations (honoree_id, source, status, original, transcript, credit,
                   duration_s, created_by, created_at, held)
               VALUES (?, 'recording', 'processing', ?, ?, ?, ?, ?, ?, ?)""",
            [
                honoree_id,
                name,
                transcript,
                (credit or "").strip()[:200] or None,
                probed.duration_s,
                user_id,
                now(),
                int(held),
            ],
        ).lastrowid
    job_id = jobs.enqueue(
        db, "narration-encode", {"narration_id": narration_id, "honoree_id": honoree_id}
    )
    with write(db):
        db.execute("UPDATE narrations SET job_id = ? WHERE id = ?", [job_id, narration_id])
    return narration_id


def _make_current(db: sqlite_utils.Database, narration: dict, user_id: int | None) -> None:
    """Inside a write: this narration becomes the public one, the others give way."""
    db.execute(
        "UPDATE narrations SET status = 'replaced' WHERE honoree_id = ? AND id != ? "
        "AND status IN ('approved', 'pending')",
        [narration["honoree_id"], narration["id"]],
    )
    db.execute(
        "UPDATE narrations SET status = 'approved', approved_by = ?, approved_at = ? WHERE id = ?",
        [user_id, now(), narration["id"]],
    )
    bump_generation(db)
    _in_history(db, narration, "narration_public", user_id)


def _in_history(db: sqlite_utils.Database, narration: dict, action: str, user_id: int | None):
    """Inside a write: the record's history says when its narration went public or
    was removed, and by whom (a revision, like a photo's or a video's)."""
    from archive.curation.editing import _touched

    _touched(db, narration["honoree_id"], action, {"id": user_id} if user_id else None)


def encode_recording(db: sqlite_utils.Database, media_dir: str | Path, narration_id: int) -> dict:
    """The worker's part: encode the original, then make the recording public."""
    narration = get(db, narration_id)
    if narration is None or narration["status"] != "processing":
        raise NarrationError(f"讲解 {narration_id} 不在待处理状态")
    name = f"{secrets.token_hex(12)}.m4a"
    try:
        duration = encode(
            originals_dir(media_dir) / narration["original"], audio_dir(media_dir) / name
        )
    except Exception as exc:
        with write(db):
            db.execute(
                "UPDATE narrations SET status = 'failed', error = ? WHERE id = ?",
                [str(exc)[:500], narration_id],
            )
        raise
    with write(db):
        db.execute(
            "UPDATE narrations SET file = ?, duration_s = ?, bytes = ? WHERE id = ?",
            [name, duration, (audio_dir(media_dir) / name).stat().st_size, narration_id],
        )
        if narration.get("held"):  # waits for a second person (archive.review)
            db.execute("UPDATE narrations SET status = 'pending' WHERE id = ?", [narration_id])
        else:
            _make_current(db, narration, narration["created_by"])
    return get(db, narration_id)


def approve(
    db: sqlite_utils.Database, honoree_id: int, narration_id: int, user: dict | None
) -> None:
    """A curator approves a pending synthesis: it becomes the public narration."""
    from archive.catalogue import audit

    with write(db):
        narration = get(db, narration_id)
        if narration is None or narration["honoree_id"] != honoree_id:
            raise NarrationError("找不到这条讲解")
        if narration["status"] != "pending" or not narration["file"]:
            raise NarrationError("只有已生成、待审核的合成语音可以审核通过")
        _make_current(db, narration, user["id"] if user else None)
        audit.record(
            db,
            "narration_approve",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"合成语音 {narration_id}",
        )


def delete(
    db: sqlite_utils.Database,
    media_dir: str | Path,
    honoree_id: int,
    narration_id: int,
    user: dict | None = None,
) -> None:
    """Remove a narration and its files (a running job's narration cannot be removed)."""
    from archive.catalogue import audit

    with write(db):
        narration = get(db, narration_id)
        if narration is None or narration["honoree_id"] != honoree_id:
            raise NarrationError("找不到这条讲解")
        if narration["status"] == "processing":
            raise NarrationError("讲解还在处理中，请稍后再删除")
        db.execute("DELETE FROM narrations WHERE id = ?", [narration_id])
        bump_generation(db)
        if narration["status"] == "approved":
            _in_history(db, narration, "narration_delete", user["id"] if user else None)
        audit.record(
            db,
            "narration_delete",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"{'录音' if narration['source'] == 'recording' else '合成语音'} {narration_id}",
        )
    if narration["file"]:
        (audio_dir(media_dir) / narration["file"]).unlink(missing_ok=True)
    if narration["original"]:
        (originals_dir(media_dir) / narration["original"]).unlink(missing_ok=True)


# --- synthesis --------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff]+")
_TAGS = re.compile(r"<[^>]+>")
_PUNCTUATION = str.maketrans(
    {
        "，": ", ",
        "。": ". ",
        "；": "; ",
        "：": ": ",
        "！": "! ",
        "？": "? ",
        "、": ", ",
        "（": " (",
        "）": ") ",
        "“": "",
        "”": "",
        "《": "",
        "》": "",
        "—": ", ",
        "…": ". ",
    }
)


def _toned(char: str, plain: str) -> str:
    """The tone-numbered reading of ``char`` that matches the toneless ``plain``."""
    for option in pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]:
        if option.rstrip("12345") == plain:
            return option
    return plain


def name_syllables(name: str, kind: str = "individual") -> list[str]:
    """A name as tone-numbered pinyin, from the archive's own readings: the
    surname as a surname (曾 zeng1, 单 shan4), the given name in context."""
    reading = names.readings(name, personal=kind == "individual")
    surname, given = names.split_surname(name) if kind == "individual" else ("", name)
    toned_given = (
        lazy_pinyin(given, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
        if given
        else []
    )
    plain_surname = reading.syllables[: len(surname)]
    toned_surname = [_toned(c, p) for c, p in zip(surname, plain_surname, strict=False)]
    return toned_surname + [s for s in toned_given if s.strip()]


def _plain_text(story: str) -> str:
    text = html.unescape(_TAGS.sub("\n", str(markup.render(story))))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def script(record: dict, top_honour: str = "") -> str:
    """What is read aloud (and shown as the transcript): name, honour, story."""
    opening = record["name"] + (f"，{top_honour}" if top_honour else "") + "。"
    if record.get("unit"):
        opening += f"{record['unit']}{record.get('position') or ''}。"
    return opening + "\n" + _plain_text(record.get("story") or "")


def engine_text(text: str, name: str, kind: str = "individual", mode: str = "pinyin") -> str:
    """The text fed to the engine: the name (and the surname before a form of
    address, as in 曾师傅) replaced by its pinyin; in 'pinyin' mode the rest of the
    text is turned into tone-numbered pinyin too."""
    syllables = name_syllables(name, kind)
    spoken_name = " " + " ".join(syllables) + " "
    parts: list[str] = []
    surname, _ = names.split_surname(name) if kind == "individual" else ("", name)
    pattern = re.escape(name)
    if surname and len(name) > len(surname):
        pattern += "|" + re.escape(surname) + "(?=" + "|".join(ADDRESS_TERMS) + ")"
    surname_spoken = " " + " ".join(syllables[: len(surname)]) + " "
    position = 0
    for match in re.finditer(pattern, text):
        parts.append(_engine_plain(text[position : match.start()], mode))
        parts.append(spoken_name if match.group(0) == name else surname_spoken)
        position = match.end()
    parts.append(_engine_plain(text[position:], mode))
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip() + "\n"


def _engine_plain(text: str, mode: str) -> str:
    if mode != "pinyin":
        return text
    return _HAN.sub(
        lambda m: (
            " "
            + " ".join(lazy_pinyin(m.group(0), style=Style.TONE3, neutral_tone_with_five=True))
            + " "
        ),
        text,
    ).translate(_PUNCTUATION)


def command_line(template: str, text_path: Path, out_path: Path) -> list[str]:
    """The engine's argv: the template split like a shell would, each argument
    with {text} and {out} filled in (so no path is ever re-split or interpreted)."""
    args = shlex.split(template)
    if not args or not any("{out}" in a for a in args):
        raise NarrationError("语音合成命令 TTS_COMMAND 必须包含 {out}（输出的 WAV 文件）")
    return [a.replace("{text}", str(text_path)).replace("{out}", str(out_path)) for a in args]


def synthesise(
    db: sqlite_utils.Database,
    config,
    honoree_id: int,
    user_id: int | None = None,
    progress: Callable[..., None] | None = None,
    job_id: int | None = None,
) -> dict:
    """Run the offline engine over the story and store the result, pending a
    curator's approval. The worker's part (slow)."""
    from archive.catalogue import honorees

    progress = progress or (lambda *a, **k: None)
    record = db.execute(
        "SELECT * FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
    ).fetchone()
    if record is None:
        raise NarrationError(f"找不到记录 {honoree_id}")
    record = dict(record)
    top = honorees.top_honour(honorees.honours_of(db, [honoree_id])[honoree_id])
    transcript = script(record, top)
    fed = engine_text(transcript, record["name"], record["kind"], config["TTS_TEXT"])
    progress(0, 3, "正在合成语音")
    with tempfile.TemporaryDirectory(prefix="tts-") as folder:
        text_path, wav = Path(folder) / "text.txt", Path(folder) / "speech.wav"
        text_path.write_text(fed, encoding="utf-8")
        argv = command_line(config["TTS_COMMAND"], text_path, wav)
        try:
            subprocess.run(
                argv, capture_output=True, timeout=1800, check=True, stdin=subprocess.DEVNULL
            )
        except FileNotFoundError:
            raise NarrationError(
                f"找不到语音合成程序 {argv[0]}：请安装它，或修改设置 TTS_COMMAND"
            ) from None
        except subprocess.CalledProcessError as exc:
            raise NarrationError(
                "语音合成失败：" + exc.stderr.decode(errors="replace")[-300:]
            ) from None
        if not wav.is_file() or wav.stat().st_size < 100:
            raise NarrationError("语音合成程序没有写出音频文件（检查 TTS_COMMAND 的 {out}）")
        progress(1, 3, "正在转码")
        name = f"{secrets.token_hex(12)}.m4a"
        duration = encode(wav, audio_dir(config["MEDIA_DIR"]) / name)
    engine = shlex.split(config["TTS_COMMAND"])[0]
    with write(db):
        narration_id = db.execute(
            """INSERT INTO narrations (honoree_id, source, status, file, transcript, credit,
                   engine, duration_s, bytes, job_id, created_by, created_at)
               VALUES (?, 'synthesis', 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                honoree_id,
                name,
                transcript,
                SYNTHESIS_LABEL,
                engine,
                duration,
                (audio_dir(config["MEDIA_DIR"]) / name).stat().st_size,
                job_id,
                user_id,
                now(),
            ],
        ).lastrowid
    progress(3, 3, f"已合成 {duration:.0f} 秒语音，待审核")
    return get(db, narration_id)


def queue_synthesis(db: sqlite_utils.Database, honoree_id: int, user_id: int | None) -> int:
    from archive import jobs

    return jobs.enqueue(db, "narration-synth", {"honoree_id": honoree_id, "user_id": user_id})
