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
# The request line (method, path and query string) is not limited here: the app
# refuses a search query longer than archive.search.QUERY_REFUSED characters
# with its own Chinese page (414) or JSON error, where gunicorn's default (4094
# bytes, about 450 Chinese characters once URL-encoded) answered with its own
# English 414. A bound would have to be at most 8190: gunicorn 22-27 silently
# lowers any larger limit_request_line to 8190 (MAX_REQUEST_LINE), still short
# of 1,000 characters (about 9 KB encoded). 0 is "unlimited" (gunicorn 27 still
# stops a request line at 1 MB); a proxy in front may set its own bound.
limit_request_line = 0
accesslog = None
errorlog = "-"


def on_starting(server):
    from archive.search import analysis

    analysis.initialize()
