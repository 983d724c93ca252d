"""gunicorn settings for the archive (``--config python:archive.gunicorn_conf``).

Threaded workers so that slow phones on weak signal do not tie up every worker;
the app is loaded before forking so the segmenter's dictionary is loaded once.
"""

import os

workers = int(os.environ.get("ARCHIVE_WEB_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("ARCHIVE_WEB_THREADS", "8"))
preload_app = True
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None
errorlog = "-"


def on_starting(server):
    from archive import analysis

    analysis.initialize()
