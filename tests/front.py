"""Helpers for what stands in front of gunicorn: real nginx with the shipped
``deploy/nginx.conf`` on loopback ports, and slowloris clients. Used by
tests/test_nginx.py and bench/slow_clients.py."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from archive.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf"


def render(template: str, values: dict[str, str], ipv6: bool = False) -> str:
    """The template with every ``@NAME@`` replaced; refuses to leave one behind."""
    lines = template.splitlines()
    if not ipv6:
        lines = [line for line in lines if "listen [::]" not in line]
    text = "\n".join(lines) + "\n"
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "@" not in body, "a placeholder was left unfilled"
    return text


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@dataclass
class Nginx:
    folder: Path
    http_port: int
    https_port: int
    cert: Path
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        context.check_hostname = False
        return context


def main_config(folder: Path, site: Path) -> str:
    """A whole nginx.conf around the site file, every path in ``folder``."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format archive '$remote_addr "$request" $status $body_bytes_sent cache=$upstream_cache_status';
    access_log {folder / "access.log"} archive;
{temp}
    include {site};
}}
"""


@contextmanager
def nginx(
    folder: Path,
    app_port: int,
    media_dir: str,
    generation_link: str,
    http_port: int,
    https_port: int,
) -> Iterator[Nginx]:
    """Real nginx (``daemon off``) with the shipped site config, on loopback."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(folder)
    site = folder / "archive.conf"
    site.write_text(
        render(
            TEMPLATE.read_text(),
            {
                "BASE_URL": f"https://127.0.0.1:{https_port}",
                "SERVER_NAME": "127.0.0.1",
                "HTTP_PORT": f"127.0.0.1:{http_port}",
                "HTTPS_PORT": f"127.0.0.1:{https_port}",
                "TLS_CERT": str(cert),
                "TLS_KEY": str(key),
                "APP": f"127.0.0.1:{app_port}",
                "PROJECT": str(PROJECT_ROOT),
                "MEDIA_DIR": str(Path(media_dir).resolve()),
                "CACHE_DIR": str(folder / "cache"),
                "GENERATION_LINK": generation_link,
            },
        )
    )
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, site))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run(
        [binary, "-t", "-c", str(config), "-p", str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if check.returncode:
        raise RuntimeError(check.stderr)
    log = open(folder / "nginx.out", "wb")
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(folder), "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (folder / "error.log").read_text(errors="replace")
                        if (folder / "error.log").exists()
                        else "nginx died"
                    ) from None
                time.sleep(0.05)
        yield Nginx(folder, http_port, https_port, cert, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- slow clients ------------------------------------------------------------------


class Slowloris:
    """``count`` sockets from ``source`` that send a request one byte at a time, every
    ``interval`` seconds, never finishing it: headers that never end, or (``body``)
    complete headers of a POST whose body never ends. A socket the server closes is
    opened again, as an attacker would. Runs in a thread until :meth:`stop`."""

    def __init__(
        self,
        port: int,
        count: int = 50,
        source: str = "127.0.0.2",
        body: bool = False,
        interval: float = 0.5,
        tls: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
    ):
        self.port, self.count, self.source, self.body = port, count, source, body
        self.interval, self.tls, self.host = interval, tls, host
        self.sockets: list[tuple[socket.socket, bytes]] = []
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _payload(self) -> bytes:
        if self.body:
            return (
                b"POST /curate/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\n" + b"a" * 100000
            )
        return b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(
            b"X-Slow-%d: 1\r\n" % i for i in range(10000)
        )

    def _open(self) -> tuple[socket.socket, bytes]:
        sock = socket.create_connection(
            (self.host, self.port), timeout=5, source_address=(self.source, 0)
        )
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        payload = self._payload()
        if self.body:  # the headers at once; the body a byte at a time
            head, _, rest = payload.partition(b"\r\n\r\n")
            sock.sendall(head + b"\r\n\r\n")
            payload = rest
        return sock, payload

    def start(self) -> Slowloris:
        self.sockets = [self._open() for _ in range(self.count)]
        for sock, payload in self.sockets:  # every socket has started its request
            sock.send(payload[:1])
        self.sockets = [(sock, payload[1:]) for sock, payload in self.sockets]
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):  # the drip rate of a slow client
            for i, (sock, payload) in enumerate(self.sockets):
                try:
                    sock.send(payload[:1])
                    self.sockets[i] = (sock, payload[1:])
                except OSError:
                    sock.close()
                    self.reopened += 1
                    try:
                        self.sockets[i] = self._open()
                    except OSError:
                        pass

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        for sock, _ in self.sockets:
            sock.close()

    def __enter__(self) -> Slowloris:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
