"""The audit log: who logged in, published, withdrew, deleted, restored, merged or
imported what, and when. Append-only, written in the caller's transaction."""

from __future__ import annotations

import sqlite_utils

from archive.timeutil import now

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "password": "修改密码",
    "user_created": "创建账号",
    "user_changed": "修改账号",
    "submit": "提交审核",
    "edit-submit": "提交修改待审核",
    "edit-approve": "批准修改",
    "edit-reject": "退回修改",
    "proposal-apply": "应用导入的修改",
    "proposal-dismiss": "忽略导入的修改",
    "publish": "发布",
    "reject": "退回修改",
    "withdraw": "撤回",
    "delete": "删除",
    "restore_deleted": "恢复删除",
    "restore_revision": "恢复历史版本",
    "merge": "合并记录",
    "import": "导入",
    "title_add": "添加称号",
    "title_change": "修改称号",
    "title_rename": "称号改名",
    "title_merge": "合并称号",
}


def record(
    db: sqlite_utils.Database,
    action: str,
    *,
    user: dict | None = None,
    username: str | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    detail: str = "",
    address: str | None = None,
) -> None:
    """Append one entry. Call inside :func:`archive.db.write` with the change it records."""
    db.execute(
        """INSERT INTO audit_log (at, user_id, username, action, record_type, record_id,
               detail, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            now(),
            user["id"] if user else None,
            username or (user or {}).get("username"),
            action,
            record_type,
            record_id,
            detail,
            address,
        ],
    )


def recent(db: sqlite_utils.Database, limit: int = 200, before: int | None = None) -> list[dict]:
    rows = db.execute(
        """SELECT * FROM audit_log WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?""",
        [before, before, limit],
    )
    return [dict(r) for r in rows]


ACTIONS.update({"narration_approve": "审核通过合成语音", "narration_delete": "删除语音讲解"})
ACTIONS.update(
    {"change-submit": "提交修改待审核", "change-approve": "批准修改", "change-reject": "退回修改"}
)
