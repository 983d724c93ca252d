"""Timestamps as stored: UTC, ISO 8601, second precision."""

from datetime import UTC, datetime, timedelta, timezone


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds: float) -> str:
    """The stored form of the moment ``seconds`` before now (stored timestamps
    compare as text)."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


BEIJING = timezone(timedelta(hours=8), "北京时间")


def beijing(stamp: str | None, with_time: bool = True) -> str:
    """A stored UTC timestamp as curators read it: Beijing time (UTC+8), written
    2026年12月4日 14:05. Empty for None; anything unreadable is shown as it is."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BEIJING)
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time else text
