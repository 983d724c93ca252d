"""Integers from the URL, checked the same way everywhere: ASCII digits only (``²``
and ``٣`` are digits to Python but not to SQLite), within SQLite's 64-bit range, else
a 400 with a message in the visitor's language (JSON under /api/)."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from ..i18n import N_
from .errors import bad_request

SQLITE_MAX = 2**63 - 1


def is_plain_int(raw: str, digits: int = 18) -> bool:
    """True for 1 to ``digits`` ASCII digits (18 always fits SQLite's integers)."""
    return bool(raw) and len(raw) <= digits and raw.isascii() and raw.isdigit()


def int_arg(
    raw: str | None, name: str, low: int = 0, high: int = SQLITE_MAX, message: str | None = None
) -> int | None:
    """``raw`` as an int in ``[low, high]``, None when empty; a 400 otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not is_plain_int(raw, 19) or not low <= int(raw) <= high:
        raise bad_request(
            message
            or _("参数 %(name)s 应为 %(low)s 到 %(high)s 之间的整数", name=name, low=low, high=high)
        )
    return int(raw)


class BoundedInt(IntegerConverter):
    """``<int:…>`` in routes: ASCII digits up to SQLite's largest integer; a larger
    number is a 400 with a message, not an overflow deep in a query."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        if len(value) > 19 or int(value) > SQLITE_MAX:
            raise bad_request(N_("地址中的编号过大"))  # translated where shown
        return int(value)
