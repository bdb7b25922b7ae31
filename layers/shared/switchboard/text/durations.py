"""Durations as the customer reads them ("5 minutes", "5分钟", "within 2 hours")."""

from __future__ import annotations

_UNITS = ((86400, "天", "day"), (3600, "小时", "hour"), (60, "分钟", "minute"), (1, "秒", "second"))


def duration_text(seconds: int, language: str) -> str:
    """ "30 seconds", "1 minute", "5 minutes", "1 day" / "30秒", "5分钟": the largest unit that states
    the duration exactly, with the right plural."""
    seconds = max(1, int(seconds))
    size, zh, en = next(unit for unit in _UNITS if seconds % unit[0] == 0)
    n = seconds // size
    return f"{n}{zh}" if language == "zh-CN" else f"{n} {en}{'s' if n != 1 else ''}"


def within_duration(seconds: int, language: str) -> str:
    text = duration_text(seconds, language)
    return f"{text}内" if language == "zh-CN" else f"within {text}"
