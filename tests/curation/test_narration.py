"""Narration (语音讲解) with real files: recordings made by ffmpeg, re-encoded by the
worker and probed by ffprobe; syntheses made by espeak-ng through the worker; the
public sees only what is approved on a published record, with range requests."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from archive import db as database
from archive.catalogue import scans
from archive.curation import narration
from archive.db import write
from archive.printing import runs as printing
from tests.conftest import run_jobs
from tests.curating import post


@pytest.fixture(autouse=True)
def _one_person_office(request):
    """These tests are about the change itself, so it applies at once
    (SECOND_APPROVER=0); review is tested in test_review_changes.py."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["SECOND_APPROVER"] = 0


TRANSCRIPT = "大家好，我是车间主任。今天讲讲曾师傅三十年扎根一线的故事。"


def recording(
    path: Path, seconds: float = 3.0, codec: str = "libmp3lame", channels: int = 2
) -> bytes:
    """A real recording: a tone encoded by ffmpeg in the given format."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ac",
            str(channels),
            "-c:a",
            codec,
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


def probe(path: Path) -> dict:
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
        check=True,
    )
    return json.loads(result.stdout)


def upload(
    client,
    honoree_id: int,
    data: bytes,
    filename: str,
    transcript=TRANSCRIPT,
    credit="工会宣传部 李华",
):
    return post(
        client,
        f"/curate/honorees/{honoree_id}/narration",
        {"audio": (io.BytesIO(data), filename), "transcript": transcript, "credit": credit},
        page=f"/curate/honorees/{honoree_id}",
        content_type="multipart/form-data",
    )


run_worker = run_jobs  # every queued job, with the worker's own code, in this process


@pytest.fixture
def person(make_honoree):
    return make_honoree(name="曾建国", story="曾建国扎根一线三十年。曾师傅带出了二十多名徒弟。")


def test_a_recording_is_encoded_to_mono_aac_lc_and_served_with_ranges(
    curator, person, app, empty_archive, tmp_path
):
    data = recording(tmp_path / "story.mp3")
    assert upload(curator, person, data, "story.mp3").status_code == 302
    assert "收听事迹" not in curator.get(f"/honorees/{person}").get_data(as_text=True)
    edit = curator.get(f"/curate/honorees/{person}").get_data(as_text=True)
    assert "录音转码：排队中" in edit and "data-poll" in edit  # progress on the edit page
    job_id = empty_archive.db().execute("SELECT id FROM jobs").fetchone()[0]
    state = curator.get(f"/curate/media-jobs/{job_id}/status").get_json()
    assert state["status"] == "queued" and state["finished"] is False
    run_worker(app)
    assert curator.get(f"/curate/media-jobs/{job_id}/status").get_json()["finished"] is True
    row = empty_archive.db().execute("SELECT * FROM narrations").fetchone()
    assert row["status"] == "approved" and row["source"] == "recording"
    media = Path(app.config["MEDIA_DIR"])
    encoded = media / "narrations" / row["file"]
    info = probe(encoded)
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(info["streams"]) == 1 and audio[0]["codec_name"] == "aac"
    assert audio[0]["profile"] == "LC" and audio[0]["channels"] == 1
    assert int(audio[0]["bit_rate"]) <= 64_000 * 1.05
    assert encoded.suffix == ".m4a" and abs(float(info["format"]["duration"]) - 3) < 0.3
    original = media / "originals" / "narrations" / row["original"]
    assert original.read_bytes() == data  # kept as received

    page = curator.get(f"/honorees/{person}").get_data(as_text=True)
    assert "收听事迹" in page and "曾师傅三十年扎根一线" in page and "李华" in page
    assert "合成语音" not in page
    url = f"/media/narration/{row['id']}.m4a"
    assert f'src="{url}"' in page and "<audio controls" in page
    whole = curator.get(url)
    assert whole.status_code == 200 and whole.mimetype == "audio/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = curator.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{encoded.stat().st_size}"
    assert part.get_data() == encoded.read_bytes()[100:200]
    assert row["original"] not in page  # the original is never offered


@pytest.mark.parametrize(
    "name, codec", [("a.wav", "pcm_s16le"), ("a.opus", "libopus"), ("a.m4a", "aac")]
)
def test_wav_opus_and_m4a_are_accepted(curator, person, app, empty_archive, tmp_path, name, codec):
    data = recording(tmp_path / name, 1.5, codec)
    assert upload(curator, person, data, name).status_code == 302
    run_worker(app)
    row = empty_archive.db().execute("SELECT * FROM narrations").fetchone()
    assert row["status"] == "approved", row["error"]
    assert (
        probe(Path(app.config["MEDIA_DIR"]) / "narrations" / row["file"])["streams"][0]["channels"]
        == 1
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"ID3 this is not audio at all" * 20, "MP3、M4A、WAV 或 Opus"),
        (b"<html><script>alert(1)</script></html>", "MP3、M4A、WAV 或 Opus"),
    ],
)
def test_files_that_are_not_recordings_are_refused(curator, person, empty_archive, data, message):
    response = upload(curator, person, data, "story.mp3")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert empty_archive.db().execute("SELECT count(*) FROM narrations").fetchone()[0] == 0
    folder = Path(empty_archive.config["MEDIA_DIR"]) / "originals" / "narrations"
    assert not any(p.is_file() for p in folder.glob("*"))


def test_a_transcript_is_required(curator, person, tmp_path):
    response = upload(curator, person, recording(tmp_path / "a.mp3", 1), "a.mp3", transcript="")
    assert response.status_code == 400 and "文字稿" in response.get_data(as_text=True)


def _with_public_narration(curator, person, app, tmp_path) -> str:
    upload(curator, person, recording(tmp_path / "a.mp3", 1.5), "a.mp3")
    run_worker(app)
    db = database.connect(app.config["DATABASE"])
    narration_id = db.execute("SELECT id FROM narrations").fetchone()[0]
    db.conn.close()
    return f"/media/narration/{narration_id}.m4a"


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_records_narration_is_the_same_404(
    curator, person, app, empty_archive, tmp_path, status, client
):
    url = _with_public_narration(curator, person, app, tmp_path)
    assert curator.get(url).status_code == 200
    db = empty_archive.db()
    with write(db):
        db.execute("UPDATE honorees SET status = ? WHERE id = ?", [status, person])
        database.bump_generation(db)
    never = curator.get("/media/narration/99999.m4a")
    hidden = curator.get(url)
    assert hidden.status_code == never.status_code == 404
    assert hidden.get_data() == never.get_data()
    assert curator.get(url, headers={"Range": "bytes=0-10"}).status_code == 404


def _captured_engine(tmp_path: Path) -> str:
    """A TTS_COMMAND that keeps a copy of what the engine is fed, then runs espeak-ng."""
    capture = tmp_path / "fed.txt"
    return (
        f'sh -c \'cp "$1" {capture} && espeak-ng -v cmn-latn-pinyin -w "$2" -f "$1"\' '
        "engine {text} {out}"
    )


def test_synthesis_through_the_worker_is_public_only_after_approval(
    empty_archive, make_honoree, tmp_path
):
    person = make_honoree(
        name="曾建国",
        story="曾建国扎根一线三十年。曾师傅带出了二十多名徒弟。",
        quote="把每一颗螺丝拧紧。",
    )
    app = empty_archive.app(TTS_COMMAND=_captured_engine(tmp_path), SECOND_APPROVER=0)
    from tests.conftest import ClosingClient
    from tests.curating import login, make_user

    app.test_client_class = ClosingClient
    curator = app.test_client()
    make_user(empty_archive, "narrator")
    login(curator, "narrator")
    visitor = app.test_client()

    response = post(
        curator,
        f"/curate/honorees/{person}/narration/synthesise",
        page=f"/curate/honorees/{person}",
    )
    assert response.status_code == 302
    run_worker(app)
    fed = (tmp_path / "fed.txt").read_text(encoding="utf-8")
    assert fed.startswith("zeng1 jian4 guo2")  # 曾 in a surname reaches the engine as zeng
    assert "ceng" not in fed
    db = empty_archive.db()
    row = db.execute("SELECT * FROM narrations").fetchone()
    assert row["source"] == "synthesis" and row["status"] == "pending"
    assert row["transcript"].startswith("曾建国，2020年全国劳动模范。测试单位。")
    info = probe(Path(app.config["MEDIA_DIR"]) / "narrations" / row["file"])
    assert info["streams"][0]["codec_name"] == "aac" and float(info["format"]["duration"]) > 3

    url = f"/media/narration/{row['id']}.m4a"
    before = visitor.get(f"/honorees/{person}").get_data(as_text=True)
    assert "收听事迹" not in before and "合成语音" not in before
    assert visitor.get(url).status_code == 404
    assert curator.get(f"/curate/narration/{row['id']}.m4a").status_code == 200  # to review
    assert "审核通过并公开" in curator.get(f"/curate/honorees/{person}").get_data(as_text=True)

    response = post(
        curator,
        f"/curate/honorees/{person}/narration/{row['id']}",
        {"action": "approve"},
        page=f"/curate/honorees/{person}",
    )
    assert response.status_code == 302
    after = visitor.get(f"/honorees/{person}").get_data(as_text=True)
    assert "收听事迹" in after and "合成语音" in after and "扎根一线三十年" in after
    assert visitor.get(url, headers={"Range": "bytes=0-99"}).status_code == 206
    entry = db.execute("SELECT * FROM audit_log WHERE action = 'narration_approve'").fetchone()
    assert entry["username"] == "narrator" and entry["record_id"] == person

    # a recording replaces the synthesis
    upload(curator, person, recording(tmp_path / "real.mp3", 2), "real.mp3")
    run_worker(app)
    statuses = dict(db.execute("SELECT source, status FROM narrations").fetchall())
    assert statuses == {"synthesis": "replaced", "recording": "approved"}
    page = visitor.get(f"/honorees/{person}").get_data(as_text=True)
    assert "合成语音" not in page and "李华" in page
    assert visitor.get(url).status_code == 404


def test_names_reach_the_engine_as_the_archive_reads_them():
    fed = narration.engine_text("单田芳说书。单老师很忙。", "单田芳")
    assert fed.startswith("shan4 tian2 fang1") and "dan" not in fed
    hanzi = narration.engine_text("曾建国是劳模，曾师傅。曾经如此。", "曾建国", mode="hanzi")
    assert hanzi.startswith("zeng1 jian4 guo2 是劳模") and "zeng1 师傅" in hanzi
    assert "曾经如此" in hanzi  # only the name is read as a name
    assert narration.name_syllables("欧阳修") == ["ou1", "yang2", "xiu1"]


def test_the_engine_command_is_never_run_through_a_shell(tmp_path):
    argv = narration.command_line(
        "espeak-ng -v cmn -w {out} -f {text}", tmp_path / "a b; rm -rf x.txt", tmp_path / "o.wav"
    )
    assert argv[-1] == str(tmp_path / "a b; rm -rf x.txt")
    with pytest.raises(narration.NarrationError):
        narration.command_line("espeak-ng -f {text}", tmp_path / "t", tmp_path / "o")


def test_a_missing_engine_fails_the_job_with_a_clear_message(empty_archive, make_honoree):
    person = make_honoree(name="王五")
    app = empty_archive.app(TTS_COMMAND="no-such-tts-engine -o {out} {text}")
    db = empty_archive.db()
    job_id = narration.queue_synthesis(db, person, None)
    run_worker(app)
    job = db.execute("SELECT * FROM jobs WHERE id = ?", [job_id]).fetchone()
    assert job["status"] == "failed" and "找不到语音合成程序" in job["error"]
    assert db.execute("SELECT count(*) FROM narrations").fetchone()[0] == 0


def test_a_listen_print_run_opens_the_profile_ready_to_play_and_counts_apart(
    curator, person, app, empty_archive, tmp_path, client
):
    _with_public_narration(curator, person, app, tmp_path)
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    items = [dict(db.execute("SELECT * FROM honorees WHERE id = ?", [person]).fetchone())]
    listen = printing.record_run(
        db,
        "labels",
        printing.Selection(ids=[person]),
        "",
        None,
        "https://archive.example.org",
        items,
        mode="listen",
    )
    view = printing.record_run(
        db,
        "labels",
        printing.Selection(ids=[person]),
        "",
        None,
        "https://archive.example.org",
        items,
    )
    assert (listen["mode"], view["mode"]) == ("listen", "view")

    scanned = client.get(f"/q/{code}?r={listen['tag']}")
    assert scanned.status_code == 302
    assert scanned.headers["Location"] == f"/honorees/{person}?listen=1"
    plain = client.get(f"/q/{code}?r={view['tag']}")
    assert plain.headers["Location"] == f"/honorees/{person}"
    client.get(f"/q/{code}?r={listen['tag']}")
    scans.fold(db, scans.spool_dir(app.instance_path), settle=0)  # the worker's step, at once
    counts = dict(db.execute("SELECT run_tag, count FROM scans").fetchall())
    assert counts == {listen["tag"]: 2, view["tag"]: 1}

    page = client.get(f"/honorees/{person}?listen=1").get_data(as_text=True)
    player = page.index('class="narration listening"')
    assert player < page.index('class="profile-head"')  # the player is at the top
    assert 'preload="auto"' in page and "narration.js" in page
    normal = client.get(f"/honorees/{person}").get_data(as_text=True)
    assert normal.index('id="listen"') > normal.index('class="profile-head"')


def test_narrate_command_synthesises_pending_narrations(empty_archive, make_honoree):
    person = make_honoree(name="单田芳", story="单田芳讲了一辈子书。")
    app = empty_archive.app()
    result = app.test_cli_runner().invoke(args=["narrate", str(person)])
    assert result.exit_code == 0, result.output
    assert "待策展人在后台审核通过后公开" in result.output
    row = empty_archive.db().execute("SELECT source, status FROM narrations").fetchone()
    assert tuple(row) == ("synthesis", "pending")
    other = make_honoree(name="李四")
    queued = app.test_cli_runner().invoke(args=["narrate", "--missing", "--queue"])
    assert queued.exit_code == 0, queued.output
    assert queued.output.startswith(f"{other}: 已排队")  # the one without a narration
    nothing = app.test_cli_runner().invoke(args=["narrate"])
    assert nothing.exit_code == 2 and "--missing" in nothing.output


def test_listen_scans_are_totalled_apart_on_the_statistics_page(
    curator, person, app, empty_archive, client
):
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    items = [dict(db.execute("SELECT * FROM honorees WHERE id = ?", [person]).fetchone())]
    run = printing.record_run(
        db,
        "poster-a4",
        printing.Selection(ids=[person]),
        "",
        None,
        "https://archive.example.org",
        items,
        mode="listen",
    )
    for _ in range(3):
        client.get(f"/q/{code}?r={run['tag']}")
    client.get(f"/q/{code}")
    scans.fold(db, scans.spool_dir(app.instance_path), settle=0)  # the worker's step, at once
    assert scans.totals_by(db, "mode") == [{"key": "listen", "label": "扫码收听", "total": 3}]
    page = curator.get("/print/stats").get_data(as_text=True)
    assert "按用途" in page and "扫码收听 3" in page and "（扫码收听）" in page


def test_a_listen_run_from_the_print_page_prints_codes_that_open_listening_mode(
    curator, person, app, empty_archive, client
):
    response = post(
        curator,
        "/print/jobs",
        {"format": "labels", "id": str(person), "listen": "1"},
        page="/print/",
    )
    assert response.status_code == 303
    run_worker(app)
    db = empty_archive.db()
    job = db.execute("SELECT * FROM jobs WHERE kind = 'print'").fetchone()
    assert job["status"] == "done", job["error"]
    run = db.execute("SELECT * FROM print_runs").fetchone()
    assert run["mode"] == "listen"
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    assert client.get(f"/q/{code}?r={run['tag']}").headers["Location"].endswith("?listen=1")


def test_a_recording_over_the_size_limit_is_refused_and_not_kept(
    empty_archive, make_honoree, tmp_path
):
    person = make_honoree(name="王五")
    app = empty_archive.app(NARRATION_MAX_MB=1)
    from tests.conftest import ClosingClient
    from tests.curating import login, make_user

    app.test_client_class = ClosingClient
    curator = app.test_client()
    make_user(empty_archive, "big")
    login(curator, "big")
    data = recording(tmp_path / "long.wav", 10, "pcm_s16le")
    assert len(data) > 1_000_000
    response = upload(curator, person, data, "long.wav")
    assert response.status_code == 400 and "录音太大" in response.get_data(as_text=True)
    folder = Path(app.config["MEDIA_DIR"]) / "originals" / "narrations"
    assert not any(p.is_file() for p in folder.glob("*"))


def test_the_default_engine_in_a_real_worker_process(curator, person, app, empty_archive, client):
    """The back-office button, a real `flask worker` process and the default
    TTS_COMMAND (espeak-ng): pending until approved, then public as 合成语音."""
    from tests.conftest import start_worker, wait_for

    assert app.config["TTS_COMMAND"].startswith("espeak-ng -v cmn-latn-pinyin")
    post(
        curator,
        f"/curate/honorees/{person}/narration/synthesise",
        page=f"/curate/honorees/{person}",
    )
    process = start_worker(empty_archive)
    db = empty_archive.db()
    try:
        assert wait_for(
            lambda: (
                db.execute("SELECT status FROM jobs WHERE kind = 'narration-synth'").fetchone()[0]
                in ("done", "failed")
            ),
            timeout=120,
        )
    finally:
        process.terminate()
        process.wait(15)
    job = db.execute("SELECT * FROM jobs WHERE kind = 'narration-synth'").fetchone()
    assert job["status"] == "done", job["error"]
    assert "待审核" in job["message"]
    row = db.execute("SELECT * FROM narrations").fetchone()
    assert row["status"] == "pending" and row["engine"] == "espeak-ng"
    assert "收听事迹" not in client.get(f"/honorees/{person}").get_data(as_text=True)
    post(
        curator,
        f"/curate/honorees/{person}/narration/{row['id']}",
        {"action": "approve"},
        page=f"/curate/honorees/{person}",
    )
    page = client.get(f"/honorees/{person}").get_data(as_text=True)
    assert "收听事迹" in page and '<span class="tts-label">合成语音</span>' in page


def test_the_records_history_says_when_its_narration_went_public_and_was_removed(
    curator, person, app, empty_archive, tmp_path
):
    assert upload(curator, person, recording(tmp_path / "a.mp3"), "a.mp3").status_code == 302
    history = f"/curate/honorees/{person}/history"
    assert "讲解上线" not in curator.get(history).get_data(as_text=True)  # not before encoding
    run_worker(app)
    assert "讲解上线" in curator.get(history).get_data(as_text=True)
    narration_id = empty_archive.db().execute("SELECT id FROM narrations").fetchone()[0]
    page = f"/curate/honorees/{person}"
    removed = post(curator, f"{page}/narration/{narration_id}", {"action": "delete"}, page=page)
    assert removed.status_code == 302
    text = curator.get(history).get_data(as_text=True)
    assert "删除讲解" in text and text.index("删除讲解") < text.index("讲解上线")  # newest first


def test_the_api_offers_the_public_narration_with_its_transcript(
    curator, person, app, client, tmp_path
):
    assert client.get(f"/api/v1/honorees/{person}").json["narration"] is None
    upload(curator, person, recording(tmp_path / "a.mp3"), "a.mp3")
    assert client.get(f"/api/v1/honorees/{person}").json["narration"] is None  # not yet encoded
    run_worker(app)
    found = client.get(f"/api/v1/honorees/{person}").json["narration"]
    assert found["transcript"] == TRANSCRIPT and found["credit"] == "工会宣传部 李华"
    assert found["synthesised"] is False and 2.5 < found["duration_s"] < 3.5
    path = found["url"].removeprefix(app.config["BASE_URL"])
    audio = client.get(path, headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and audio.mimetype == "audio/mp4"
