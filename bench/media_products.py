"""How long and how much memory the convergent-media products take: the long
pictures (长图) of every published honoree of the demo exhibit (485), and one short
vertical video with a synthesised narration.

    .venv/bin/python -m bench.media_products [--limit N]

Sets up a throwaway archive with the demo exhibit in this process (the real loader),
then draws each long picture as the web process would on a cache miss (record,
honours, portrait, layout, QR, PNG encoding), one after another; peak memory is this
process's ru_maxrss, reported above the baseline taken after loading. Every 25th
picture's QR is decoded with zxing-cpp. The video: espeak-ng synthesises the first
honoree's narration, a curator's approval is simulated, then the worker's code makes
the 1080×1920 video; ffmpeg's peak memory is read from RUSAGE_CHILDREN.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ._server import DEMO_DIR


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="Only the first N honorees.")
    args = parser.parse_args()

    import zxingcpp
    from PIL import Image

    from archive import create_app, migrations
    from archive import db as database
    from archive.catalogue import honorees
    from archive.curation import narration
    from archive.demo import load as demo_load
    from archive.printing import fonts, shareables, shortvideo
    from archive.printing.runs import short_url

    root = Path(tempfile.mkdtemp(prefix="archive-bench-media-"))
    try:
        config = {
            "DATABASE": str(root / "archive.db"),
            "MEDIA_DIR": str(root / "media"),
            "INDEX_DIR": str(root / "index"),
            "INSTANCE_DIR": str(root / "instance"),
            "SECRET_KEY": "bench",
            "BASE_URL": "https://dangan.example.org",
        }
        app = create_app(config)
        db = database.connect(config["DATABASE"])
        migrations.apply(db)
        started = time.perf_counter()
        demo_load.load(db, config["MEDIA_DIR"], DEMO_DIR)
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
        ids = [
            r[0]
            for r in db.execute(
                f"SELECT h.id FROM honorees h WHERE {honorees.PUBLIC} ORDER BY h.id"
            )
        ]
        if args.limit:
            ids = ids[: args.limit]
        font = fonts.load(app.config["FONT_PATH"])
        baseline = _rss_mb()

        times, sizes, heights, decoded, checked = [], [], [], 0, 0
        started = time.perf_counter()
        cpu_started = time.process_time()
        for n, honoree_id in enumerate(ids):
            t0 = time.perf_counter()
            record = honorees.get_public(db, honoree_id)
            content, portrait = shareables.content_of(db, app.config, record)
            url = short_url(config["BASE_URL"], record["code"])
            data, layout = shareables.long_png(content, portrait, url, font)
            times.append(time.perf_counter() - t0)
            sizes.append(len(data))
            heights.append(layout.height)
            if n % 25 == 0:
                checked += 1
                with Image.open(io.BytesIO(data)) as image:
                    found = [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]
                decoded += found == [url]
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        peak = _rss_mb()
        times.sort()
        long_result = {
            "pictures": len(ids),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "per_picture_ms": {
                "mean": round(1000 * statistics.mean(times), 1),
                "p95": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
                "max": round(1000 * times[-1], 1),
            },
            "height_px": {"min": min(heights), "max": max(heights)},
            "size_kb": {
                "mean": round(statistics.mean(sizes) / 1024),
                "max": round(max(sizes) / 1024),
            },
            "rss_mb": {
                "baseline": round(baseline),
                "peak": round(peak),
                "increase": round(peak - baseline),
            },
            "qr_decoded": f"{decoded}/{checked}",
        }
        print(json.dumps({"long_pictures": long_result}, ensure_ascii=False, indent=1))

        # one video, with a synthesised narration as its sound track
        honoree_id = ids[0]
        t0 = time.perf_counter()
        made_narration = narration.synthesise(db, app.config, honoree_id)
        synth_s = time.perf_counter() - t0
        narration.approve(db, honoree_id, made_narration["id"], None)
        children_before = _rss_mb(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        made = shortvideo.produce(db, app.config, honoree_id, shortvideo.output_name(honoree_id))
        video_s = time.perf_counter() - t0
        info = json.loads(
            subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-print_format",
                    "json",
                    "-show_format",
                    "-show_streams",
                    str(made.path),
                ],
                capture_output=True,
                check=True,
            ).stdout
        )
        video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
        video_result = {
            "narration_s": round(made_narration["duration_s"], 1),
            "synthesis_wall_s": round(synth_s, 1),
            "video_wall_s": round(video_s, 1),
            "slides": made.slides,
            "duration_s": round(float(info["format"]["duration"]), 1),
            "size": f"{video['width']}x{video['height']}",
            "audio": [s["codec_name"] for s in info["streams"] if s["codec_type"] == "audio"],
            "file_mb": round(made.bytes / 1e6, 1),
            "python_rss_peak_mb": round(_rss_mb()),
            "ffmpeg_rss_peak_mb": round(max(_rss_mb(resource.RUSAGE_CHILDREN), children_before)),
        }
        print(json.dumps({"video": video_result}, ensure_ascii=False, indent=1))
        print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        db.conn.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
