"""Back-office accounts: argon2id password hashes, login throttling kept in SQLite
(so it holds across gunicorn workers), and session generations.

Throttling counts wrong passwords in a 15-minute window three ways:

* per account *and* address: the 11th wrong password for an account from one
  address is refused (429) without checking it;
* per address: one address guessing across many accounts is refused after
  ``ADDRESS_LIMIT``;
* per account from everywhere: ``ACCOUNT_LIMIT``, far higher, against guessing
  spread over many addresses;
* everywhere at once: the ``LOGIN_GLOBAL_LIMIT`` setting, against a botnet.

Each attempt is checked against the limits and recorded (as wrong until proved
right) in one ``BEGIN IMMEDIATE`` transaction before its password is hashed, so
parallel attempts from many processes cannot all pass the check at once; and the
hashing itself is bounded per process and per machine (:class:`HashSlots`).

A refused attempt is not counted, so a flood from one address stops adding up
after its own limit and can never lock the account's owner out from another
address.
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

from archive.catalogue import audit
from archive.db import write
from archive.timeutil import now

ROLES = {"admin": "管理员", "curator": "策展人", "printer": "打印员"}
WINDOW_SECONDS = 15 * 60
PAIR_LIMIT = 10
ADDRESS_LIMIT = 50
ACCOUNT_LIMIT = 200
GLOBAL_LIMIT = 500  # the LOGIN_GLOBAL_LIMIT setting's default
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (64 MiB);
# the PASSWORD_HASH_MEMORY_KIB setting may only lower the memory (the test suite).
DEFAULT_HASH_MEMORY_KIB = 65536
_hashers: dict[int, tuple[PasswordHasher, str]] = {}


def _hashing() -> tuple[PasswordHasher, str]:
    """The hasher of the current app's PASSWORD_HASH_MEMORY_KIB, and a hash of its
    own that evens out the time of unknown names."""
    memory = (
        current_app.config.get("PASSWORD_HASH_MEMORY_KIB", DEFAULT_HASH_MEMORY_KIB)
        if has_app_context()
        else DEFAULT_HASH_MEMORY_KIB
    )
    if memory not in _hashers:
        hasher = PasswordHasher(memory_cost=memory)
        _hashers[memory] = (hasher, hasher.hash("not a password: evens out the time"))
    return _hashers[memory]


def _hasher() -> PasswordHasher:
    return _hashing()[0]


class Busy(Exception):
    """Every password-hashing slot stayed taken: asked to retry (HTTP 503)."""

    message = "登录的人太多，请稍等几秒再试。"
    retry_after = 5


class HashSlots:
    """A bound on password checks running at once (argon2 takes 64 MiB each): a few
    per process (a semaphore) and a few on the machine across processes (a pool of
    lock files, each held with ``flock`` while a check runs; a killed process's
    lock is released by the kernel). A login flood waits here instead of exhausting
    memory, and is refused with :class:`Busy` after ``timeout`` seconds."""

    def __init__(self, folder: str | Path, count: int, timeout: float = 10.0):
        self.paths = [Path(folder) / f"slot-{n}.lock" for n in range(max(1, count))]
        self.local = threading.BoundedSemaphore(len(self.paths))
        self.timeout = timeout

    @contextmanager
    def __call__(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout
        if not self.local.acquire(timeout=self.timeout):
            raise Busy()
        try:
            fd = self._take(deadline)
            try:
                yield
            finally:
                os.close(fd)  # releases the flock
        finally:
            self.local.release()

    def _take(self, deadline: float) -> int:
        self.paths[0].parent.mkdir(parents=True, exist_ok=True)
        start = random.randrange(len(self.paths))
        while True:
            for n in range(len(self.paths)):
                path = self.paths[(start + n) % len(self.paths)]
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            if time.monotonic() >= deadline:
                raise Busy()
            time.sleep(0.02)


@contextmanager
def _no_slots() -> Iterator[None]:
    yield


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is for people."""


class Throttled(Exception):
    """Too many wrong passwords: refused without checking (HTTP 429)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")


def create_user(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    *,
    by: dict | None = None,
) -> int:
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise AccountError("用户名只能由 2–40 个英文字母、数字、下划线、点或连字符组成")
    if role not in ROLES:
        raise AccountError("角色必须是管理员、策展人或打印员")
    check_password_rules(password)
    hashed = hash_password(password)
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise AccountError(f"用户名“{username}”已被使用")
        user_id = db.execute(
            """INSERT INTO users (username, display_name, password_hash, role, active,
                   created_at) VALUES (?, ?, ?, ?, 1, ?)""",
            [username, (display_name or "").strip() or username, hashed, role, now()],
        ).lastrowid
        audit.record(
            db,
            "user_created",
            user=by,
            record_type="user",
            record_id=user_id,
            detail=f"{username}（{ROLES[role]}）",
        )
    return user_id


def get_user(db: sqlite_utils.Database, user_id: int) -> dict | None:
    row = db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()
    return dict(row) if row else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    return [dict(r) for r in db.execute("SELECT * FROM users ORDER BY username")]


def _failures(
    db: sqlite_utils.Database, where: str, params: list, since: float
) -> tuple[int, float]:
    row = db.execute(
        f"SELECT count(*), min(at) FROM login_attempts WHERE ok = 0 AND at > ? AND {where}",
        [since, *params],
    ).fetchone()
    return row[0], row[1] or since


def throttle_check(
    db: sqlite_utils.Database,
    username: str,
    address: str,
    clock: float | None = None,
    global_limit: int = GLOBAL_LIMIT,
) -> None:
    """Raise :class:`Throttled` if this attempt must be refused unchecked. An attempt
    being checked right now counts as a wrong password until it is proved right."""
    clock = time.time() if clock is None else clock
    since = clock - WINDOW_SECONDS
    checks = (
        (
            "username = ? AND address = ?",
            [username, address],
            PAIR_LIMIT,
            "这个账号从您所在的网络连续输错密码超过 {n} 次，已暂停登录，请 {m} 分钟后再试。",
        ),
        (
            "address = ?",
            [address],
            ADDRESS_LIMIT,
            "您所在的网络登录失败次数过多（超过 {n} 次），已暂停登录，请 {m} 分钟后再试。",
        ),
        (
            "username = ?",
            [username],
            ACCOUNT_LIMIT,
            "这个账号在 15 分钟内被输错密码超过 {n} 次，已暂停登录，请 {m} 分钟后再试，"
            "或请管理员协助。",
        ),
        (
            "1",
            [],
            global_limit,
            "后台登录失败次数异常地多（超过 {n} 次），为安全起见已暂停所有登录，请 {m} 分钟后再试。",
        ),
    )
    for where, params, limit, message in checks:
        count, oldest = _failures(db, where, params, since)
        if count >= limit:
            wait = max(1, int(oldest + WINDOW_SECONDS - clock))
            raise Throttled(message.format(n=limit, m=max(1, (wait + 59) // 60)), wait)


def _reserve(
    db: sqlite_utils.Database, username: str, address: str, clock: float, global_limit: int
) -> int:
    """Check the limits and record the attempt (as a wrong password, for now) in one
    ``BEGIN IMMEDIATE`` transaction, so that however many processes try at once no
    more passwords are checked than the limits allow."""
    with write(db):
        throttle_check(db, username, address, clock, global_limit)
        return db.execute(
            "INSERT INTO login_attempts (username, address, ok, at) VALUES (?, ?, 0, ?)",
            [username, address, clock],
        ).lastrowid


def authenticate(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    address: str,
    clock: float | None = None,
    *,
    slots: HashSlots | None = None,
    global_limit: int = GLOBAL_LIMIT,
) -> dict | None:
    """The active user with this name and password, or None; every checked attempt is
    recorded (and logged in the audit log: one ``login`` or ``login_failed`` entry per
    password checked). Raises :class:`Throttled`, or :class:`Busy` when no hashing slot
    frees up in time."""
    username = (username or "").strip()[:80]
    address = (address or "unknown")[:64]
    clock = time.time() if clock is None else clock
    attempt = _reserve(db, username, address, clock, global_limit)
    row = db.execute("SELECT * FROM users WHERE username = ?", [username]).fetchone()
    user = dict(row) if row else None
    ok = False
    try:
        with (slots or _no_slots)():
            try:
                hasher, dummy = _hashing()
                ok = hasher.verify(user["password_hash"] if user else dummy, password or "")
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
    except Busy:
        with write(db):  # not checked: the reservation is given back
            db.execute("DELETE FROM login_attempts WHERE id = ?", [attempt])
        raise
    ok = ok and user is not None and bool(user["active"])
    with write(db):
        db.execute("UPDATE login_attempts SET ok = ? WHERE id = ?", [int(ok), attempt])
        db.execute("DELETE FROM login_attempts WHERE at < ?", [clock - 2 * WINDOW_SECONDS])
        if ok:
            db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [now(), user["id"]])
            audit.record(db, "login", user=user, address=address)
            if _hasher().check_needs_rehash(user["password_hash"]):
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE id = ?",
                    [hash_password(password), user["id"]],
                )
        else:
            audit.record(db, "login_failed", username=username, address=address)
    return user if ok else None


def end_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """Every cookie issued to this user so far stops working (logout, password change)."""
    with write(db):
        db.execute(
            "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?", [user_id]
        )


def logout(db: sqlite_utils.Database, user: dict, address: str | None = None) -> None:
    with write(db):
        end_sessions(db, user["id"])
        audit.record(db, "logout", user=user, address=address)


def change_password(
    db: sqlite_utils.Database, user: dict, current: str | None, new: str, *, by: dict | None = None
) -> None:
    """Set a new password (checking the current one unless an admin resets it); ends
    every session of that user."""
    check_password_rules(new)
    if by is None or by["id"] == user["id"]:
        try:
            _hasher().verify(user["password_hash"], current or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise AccountError("当前密码不正确") from None
    hashed = hash_password(new)
    with write(db):
        db.execute(
            """UPDATE users SET password_hash = ?,
                          session_generation = session_generation + 1 WHERE id = ?""",
            [hashed, user["id"]],
        )
        audit.record(
            db,
            "password",
            user=by or user,
            record_type="user",
            record_id=user["id"],
            detail=user["username"],
        )


def update_user(
    db: sqlite_utils.Database, user_id: int, *, role: str, active: bool, display_name: str, by: dict
) -> None:
    if role not in ROLES:
        raise AccountError("角色必须是管理员、策展人或打印员")
    target = get_user(db, user_id)
    if target is None:
        raise AccountError("没有这个账号")
    if target["id"] == by["id"] and (role != "admin" or not active):
        raise AccountError("不能取消自己的管理员身份或停用自己的账号")
    with write(db):
        db.execute(
            """UPDATE users SET role = ?, active = ?, display_name = ?,
                   session_generation = session_generation + CASE
                       WHEN role != ? OR active != ? THEN 1 ELSE 0 END
               WHERE id = ?""",
            [
                role,
                int(active),
                (display_name or "").strip() or target["username"],
                role,
                int(active),
                user_id,
            ],
        )
        audit.record(
            db,
            "user_changed",
            user=by,
            record_type="user",
            record_id=user_id,
            detail=f"{target['username']}：{ROLES[role]}，{'启用' if active else '停用'}",
        )
