"""Changes that wait for a second person before the public sees them.

With ``SECOND_APPROVER=1`` a non-admin curator's change to something already public
(a hall, an album, a narration, the title vocabulary, a published record's honours
and photos) is not applied: it is kept as a *pending change* — kind + target + the
steps to replay + the version it was made against + its authors. Another curator or
an admin approves it (the steps are replayed, each writing its usual revision) or
rejects it (the public state stays). Record-form edits have their own table
(:mod:`archive.curation.pending`); both are listed in one review queue.

Each kind registers its steps (:class:`Step`: the service call that applies it), a
snapshot of what the public sees and a description of the difference between two
snapshots. A step is checked when it is submitted by replaying every pending step
inside a savepoint that is then rolled back, so a refused step gives the same
message as a direct save. The same replay inside a rolled-back transaction gives
the editors the version waiting for review and the review page its exact diff.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlite_utils

from archive.catalogue import audit

from ..db import write
from ..timeutil import now


class ReviewError(ValueError):
    """A pending change cannot be approved or rejected; the message is for curators."""


@dataclass
class Context:
    """What a step runs with: the database, the media folder (a scratch folder while
    checking, so nothing on disk is removed) and the user it is recorded under."""

    db: sqlite_utils.Database
    media_dir: str
    user: dict | None
    checking: bool = False


@dataclass(frozen=True)
class Step:
    """One kind of step. ``run(ctx, target, args)`` applies it and may return the id
    of a row it created (in table ``creates``); ``refs`` names the arguments that
    point at such rows, so a replay follows a row created by an earlier step."""

    run: Callable[[Context, str, dict], object]
    label: str
    creates: str | None = None
    refs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """A kind of public thing under review."""

    label: str
    steps: dict[str, Step]
    is_public: Callable[[sqlite_utils.Database, str], bool]
    title: Callable[[sqlite_utils.Database, str], str]
    snapshot: Callable[[sqlite_utils.Database, str], dict]
    describe: Callable[[dict, dict], list[dict]]
    version: Callable[[sqlite_utils.Database, str], int | None] = lambda db, target: None
    editor: Callable[[str], tuple[str, dict]] | None = None  # endpoint and its arguments
    discard: Callable[[Context, str, list[dict]], None] | None = None


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    KINDS[name] = kind


def _kind(name: str) -> Kind:
    from . import exhibits, records  # noqa: F401  (they register their kinds)

    return KINDS[name]


def needs_review(
    db: sqlite_utils.Database, kind: str, target: object, user: dict, second_approver: bool
) -> bool:
    """Whether ``user``'s change to ``target`` waits for a second person."""
    return bool(
        second_approver and user["role"] != "admin" and _kind(kind).is_public(db, str(target))
    )


def apply(
    db: sqlite_utils.Database,
    kind: str,
    target: object,
    step: str,
    args: dict,
    user: dict,
    media_dir: str,
) -> object:
    """Apply one step now (no review needed); returns what the step returned."""
    with write(db):
        return _kind(kind).steps[step].run(Context(db, media_dir, user), str(target), args)


def make(
    db: sqlite_utils.Database,
    kind: str,
    target: object,
    step: str,
    args: dict,
    user: dict,
    *,
    media_dir: str,
    second_approver: bool,
) -> tuple[bool, object]:
    """Apply a step, or keep it for review when that is the rule: (kept, what the
    step returned when applied)."""
    if needs_review(db, kind, target, user, second_approver):
        submit(db, kind, target, step, args, user)
        return True, None
    return False, apply(db, kind, target, step, args, user, media_dir)


# --- storing ------------------------------------------------------------------------


def _row(db: sqlite_utils.Database, kind: str, target: str) -> dict | None:
    row = db.execute(
        "SELECT * FROM pending_changes WHERE kind = ? AND target = ?", [kind, target]
    ).fetchone()
    return _loaded(row)


def _loaded(row) -> dict | None:
    if row is None:
        return None
    change = dict(row)
    change["steps"] = json.loads(change["steps"])
    change["authors"] = json.loads(change["authors"])
    return change


@contextmanager
def _scratch() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="review-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _replay(ctx: Context, kind: Kind, target: str, steps: list[dict]) -> list[dict]:
    """Run the steps in order; returns them as run (ids followed, results kept)."""
    created: dict[tuple[str, int], int] = {}
    done = []
    for step in steps:
        spec = kind.steps[step["op"]]
        args = dict(step["args"])
        for name, table in spec.refs.items():
            if args.get(name) is not None:
                args[name] = created.get((table, args[name]), args[name])
        made = spec.run(ctx, target, args)
        if spec.creates and made is not None and step.get("made") is not None:
            created[(spec.creates, step["made"])] = made
        done.append({"op": step["op"], "args": args, "made": made})
    return done


@contextmanager
def _savepoint(db: sqlite_utils.Database) -> Iterator[None]:
    """Whatever runs inside is undone (the enclosing transaction goes on)."""
    bumped = getattr(db, "_generation_bumped", False)
    db.execute("SAVEPOINT review_check")
    try:
        yield
    finally:
        db.execute("ROLLBACK TO review_check")
        db.execute("RELEASE review_check")
        db._generation_bumped = bumped


def submit(
    db: sqlite_utils.Database, kind: str, target: object, step: str, args: dict, user: dict
) -> None:
    """Keep a step for review, after checking it applies on top of the steps already
    waiting (a refused step raises the service's own error; nothing is kept)."""
    spec, target = _kind(kind), str(target)
    if isinstance(args.get("form"), dict):  # a form as posted: its token is not kept
        args = {**args, "form": {k: v for k, v in args["form"].items() if k != "csrf_token"}}
    with write(db), _scratch() as scratch:
        change = _row(db, kind, target)
        steps = (change["steps"] if change else []) + [{"op": step, "args": args}]
        with _savepoint(db):
            steps = _replay(Context(db, scratch, user, checking=True), spec, target, steps)
        authors = sorted(set((change["authors"] if change else []) + [user["id"]]))
        stamp = now()
        db.execute(
            """INSERT INTO pending_changes (kind, target, steps, base_version, authors, user_id,
                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (kind, target) DO UPDATE SET steps = excluded.steps,
                   authors = excluded.authors, user_id = excluded.user_id,
                   updated_at = excluded.updated_at""",
            [
                kind,
                target,
                json.dumps(steps, ensure_ascii=False),
                spec.version(db, target),
                json.dumps(authors),
                user["id"],
                stamp,
                stamp,
            ],
        )
        audit.record(
            db,
            "change-submit",
            user=user,
            record_type=kind,
            detail=f"{spec.title(db, target)}：{spec.steps[step].label}，待审核",
        )


# --- reading --------------------------------------------------------------------------


def get(db: sqlite_utils.Database, change_id: int) -> dict | None:
    return _loaded(db.execute("SELECT * FROM pending_changes WHERE id = ?", [change_id]).fetchone())


def of(db: sqlite_utils.Database, kind: str, target: object) -> dict | None:
    return _row(db, kind, str(target))


def queue(db: sqlite_utils.Database) -> list[dict]:
    """Every pending change, oldest first, with what it is and who made it."""
    names = {r[0]: r[1] or r[2] for r in db.execute("SELECT id, display_name, username FROM users")}
    found = []
    for row in db.execute("SELECT * FROM pending_changes ORDER BY created_at, id"):
        change = _loaded(row)
        spec = _kind(change["kind"])
        change.update(
            kind_label=spec.label,
            title=spec.title(db, change["target"]),
            who="、".join(names.get(a, "有人") for a in change["authors"]),
            labels=[spec.steps[s["op"]].label for s in change["steps"]],
        )
        found.append(change)
    return found


def can_decide(change: dict, user: dict) -> bool:
    """A second person: an admin, or a curator who made none of its steps."""
    return user["role"] == "admin" or user["id"] not in change["authors"]


@contextmanager
def previewing(db: sqlite_utils.Database, kind: str, target: object) -> Iterator[dict | None]:
    """Inside, the database shows the version waiting for review (if any); every
    change is rolled back afterwards. Yields the pending change, or None."""
    change = _row(db, kind, str(target))
    if change is None or db.conn.in_transaction:
        yield None
        return
    db.execute("BEGIN")
    try:
        with _scratch() as scratch:
            try:
                _replay(
                    Context(db, scratch, None, checking=True),
                    _kind(kind),
                    str(target),
                    change["steps"],
                )
            except ValueError:  # no longer applies: show the published version
                db.execute("ROLLBACK")
                db.execute("BEGIN")
                change["broken"] = True
            change["previewed"] = True
            yield change
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        db._generation_bumped = False


def diff(db: sqlite_utils.Database, change: dict) -> dict:
    """What approving would change, against what the public sees now: rows of
    ``{"what", "before", "after"}``; ``error`` when the steps no longer apply."""
    spec = _kind(change["kind"])
    target = change["target"]
    before = spec.snapshot(db, target)
    error = None
    after = before
    with write(db), _scratch() as scratch, _savepoint(db):
        try:
            _replay(Context(db, scratch, None, checking=True), spec, target, change["steps"])
            after = spec.snapshot(db, target)
        except ValueError as exc:
            error = str(exc)
    moved_on = (
        change["base_version"] is not None and spec.version(db, target) != change["base_version"]
    )
    return {"rows": spec.describe(before, after), "error": error, "moved_on": moved_on}


# --- deciding -------------------------------------------------------------------------


def _decidable(db: sqlite_utils.Database, change_id: int, user: dict) -> dict:
    change = get(db, change_id)
    if change is None:
        raise ReviewError("这项修改已被处理，或不存在")
    if not can_decide(change, user):
        raise ReviewError("自己提交的修改需由另一位策展人或管理员审核")
    return change


def approve(db: sqlite_utils.Database, change_id: int, user: dict, media_dir: str) -> dict:
    """Replay the steps for real (each writes its revision); the public sees them."""
    with write(db):
        change = _decidable(db, change_id, user)
        spec = _kind(change["kind"])
        try:
            _replay(Context(db, media_dir, user), spec, change["target"], change["steps"])
        except ValueError as exc:
            raise ReviewError(f"无法应用：{exc}。可以退回这项修改") from None
        db.execute("DELETE FROM pending_changes WHERE id = ?", [change_id])
        audit.record(
            db,
            "change-approve",
            user=user,
            record_type=change["kind"],
            detail=f"{spec.title(db, change['target'])}：{len(change['steps'])} 项修改",
        )
    return change


def reject(db: sqlite_utils.Database, change_id: int, user: dict, media_dir: str) -> dict:
    """Drop the steps; what the public sees stays as it is."""
    with write(db):
        change = _decidable(db, change_id, user)
        spec = _kind(change["kind"])
        if spec.discard is not None:
            spec.discard(Context(db, media_dir, user), change["target"], change["steps"])
        db.execute("DELETE FROM pending_changes WHERE id = ?", [change_id])
        audit.record(
            db,
            "change-reject",
            user=user,
            record_type=change["kind"],
            detail=f"{spec.title(db, change['target'])}：{len(change['steps'])} 项修改",
        )
    return change
