"""劳模工匠数字档案馆: the Flask application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# One BLAS thread (before anything imports numpy): OpenBLAS would start a pool of its
# own at import, and a process with other threads never forks helpers (archive.forking).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from flask import Flask  # noqa: E402

from . import settings  # noqa: E402


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then ``ARCHIVE_*``
    environment variables, then the test mapping; then one line per concern."""
    instance = (test_config or {}).get("INSTANCE_DIR") or os.environ.get(
        settings.ENV_PREFIX + "INSTANCE_DIR", str(settings.PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__, instance_path=str(Path(instance).resolve()), instance_relative_config=True
    )
    app.config.from_mapping(settings.defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    from . import cli, db, search, web

    search.configure(app.config)
    db.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it once (race-free) if missing."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()
