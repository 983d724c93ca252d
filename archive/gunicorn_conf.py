"""gunicorn settings for the archive (``--config python:archive.gunicorn_conf``).

gevent workers, so that slow phones on weak signal and slowloris clients do not tie
up the workers: a connection that sends its request one byte at a time costs a
greenlet, not one of a few threads. Measured against 50 slowloris sockets
(``bench/slow_clients.py``, BENCHMARKS.md): gthread 3×8 lost 138 of 3,000 visitor
requests to 10 s timeouts, gevent none with p95 of 6 ms. ``ARCHIVE_WEB_WORKER_CLASS=gthread``
goes back to threads (then ``ARCHIVE_WEB_THREADS`` per worker) behind nginx, which
absorbs slow clients itself. The app is loaded before forking so the segmenter's
dictionary is loaded once.
"""

import os

workers = int(os.environ.get("ARCHIVE_WEB_WORKERS", "3"))
worker_class = os.environ.get("ARCHIVE_WEB_WORKER_CLASS", "gevent")
worker_connections = 1000  # gevent: open connections per worker (most of them idle or slow)
threads = int(os.environ.get("ARCHIVE_WEB_THREADS", "8"))  # gthread only
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
# gunicorn 27's control socket (for gunicornc) is not used: serve supervises the
# processes itself. Left on, every gunicorn of the machine would take the same
# $HOME/.gunicorn/gunicorn.ctl (two archives, or the tests' servers, in each other's
# way), which the systemd unit's ProtectHome forbids anyway.
control_socket_disable = True


def post_worker_init(worker):
    """Under gevent, give each greenlet its own database connections: the thread-local
    pool was made before gevent patched ``threading`` (the app is preloaded), so every
    greenlet of a worker would otherwise share one connection and its transactions."""
    if worker_class == "gevent":
        import threading

        from archive import db

        db._threads = threading.local()


def on_starting(server):
    from archive.search import analysis

    analysis.initialize()


def pre_fork(server, worker):
    """Move everything the preloaded app made into the collector's permanent
    generation before forking: the collector then never writes to those objects,
    so a worker does not copy the pages they share with the master (the
    segmenter's and pinyin's dictionaries, the app) when it collects."""
    import gc

    gc.freeze()


def worker_exit(server, worker):
    """A gevent worker leaves without the interpreter's finalisation: during it,
    logging's weak-reference callbacks call gevent's patched lock functions after
    gevent has been torn down, and each prints a traceback ("TypeError: 'NoneType'
    object is not callable") that reads like a crash in the log of every restart
    and stop. The logs are flushed first; the exit status is the worker's own
    (gunicorn tells a failed boot by it). Nothing of the archive waits for
    finalisation: commits are durable when made and no exit handler is registered."""
    if worker_class != "gevent":
        return
    import logging
    import sys

    leaving = sys.exc_info()[1]  # called in gunicorn's `finally`, as sys.exit(code) unwinds
    code = leaving.code if isinstance(leaving, SystemExit) else 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code if isinstance(code, int) else 1)
