"""Which period (and how many transactions) a transaction-history question asks for, in zh-CN or en.

Calendar periods are half-open [start, end) in the customer's timezone; "last N days" counts today as
one of the N days. Nothing recognised -> the last 30 days, at most 5 transactions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _shanghai() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        # Runtime without tzdata: China has had no DST since 1991, so a fixed +08:00 is exact.
        return timezone(timedelta(hours=8), "Asia/Shanghai")


SHANGHAI = _shanghai()
DEFAULT_DAYS = 30
DEFAULT_LIMIT = 5
MAX_DAYS = 366  # a hotline answer, not an archive export: longer asks go to the statement path
MAX_LIMIT = 50


@dataclass(frozen=True)
class PeriodQuery:
    start: datetime | None  # inclusive, timezone-aware
    end: datetime | None  # exclusive, timezone-aware
    limit: int | None  # "last three transactions" -> 3
    label: dict[str, str]  # {"zh-CN": "上个月", "en": "last month"}


# ---- numbers -----------------------------------------------------------------------------------

_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_EN_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

_CN_NUM = r"(\d+|[零〇一二两俩三四五六七八九十百]+)"
_EN_UNIT_RE = "|".join(sorted(_EN_UNITS, key=len, reverse=True))
_EN_NUM = rf"(\d+|(?:{'|'.join(_EN_TENS)})(?:[- ](?:{_EN_UNIT_RE}))?|{_EN_UNIT_RE}|an?)"


def _to_int(token: str) -> int | None:
    token = token.strip()
    if token.isdecimal():
        return int(token)
    if token in ("a", "an"):
        return 1
    if token in _EN_UNITS:
        return _EN_UNITS[token]
    parts = re.split(r"[- ]", token)
    if parts[0] in _EN_TENS:
        return _EN_TENS[parts[0]] + (_EN_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    total, current = 0, 0
    for ch in token:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# ---- patterns ----------------------------------------------------------------------------------

_RECENT_ZH = r"(?:最近|近|过去|前)的?\s*"
_RECENT_EN = r"\b(?:(?:in|for|over|during)\s+)?(?:the\s+)?(?:last|past|previous|recent|latest)\s+"

_DAYS = [re.compile(_RECENT_ZH + _CN_NUM + r"\s*(?:个)?\s*(?:天|日)"), re.compile(_RECENT_EN + _EN_NUM + r"\s+days?\b")]
_WEEKS = [
    re.compile(_RECENT_ZH + _CN_NUM + r"\s*(?:个)?\s*(?:周|星期|礼拜)"),
    re.compile(_RECENT_EN + _EN_NUM + r"\s+weeks?\b"),
]
_MONTHS = [re.compile(_RECENT_ZH + _CN_NUM + r"\s*个\s*月"), re.compile(_RECENT_EN + _EN_NUM + r"\s+months?\b")]

_TXN_NOUN = (
    r"(?:transactions?|payments?|transfers?|charges?|purchases?|orders?|txns?|records?|trades?"
    r"|deposits?|withdrawals?|refunds?|top-?ups?|spends?)"
)
_LIMIT = [
    re.compile(r"(?:最近|最后|最新|近|上|前)的?\s*" + _CN_NUM + r"\s*(?:笔|条|次|单)"),
    re.compile(r"(?:最近|最后|最新|上)的?\s*(?:那|这)\s*(?:笔|条|次|单)"),  # 最近那笔 -> 1
    re.compile(r"\b(?:last|latest|most\s+recent|previous|recent|past)\s+" + _EN_NUM + r"\s+" + _TXN_NOUN),
    re.compile(
        r"\b(?:last|latest|most\s+recent|previous)\s+(?:transaction|payment|transfer|charge|purchase"
        r"|order|txn|record|trade|deposit|withdrawal|refund|top-?up)\b"
    ),
]

_MONTH_NAMES = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_EN_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# "may" is also a verb: only a month next to a year, a day or a preposition.
_MONTH_RE = "|".join(sorted((m for m in _MONTH_NAMES if m != "may"), key=len, reverse=True))
_MONTH_ANY = rf"(?:{_MONTH_RE}|may)"
_YEAR = r"((?:19|20)\d{2})"

_ZH_DAY = re.compile(
    r"(?:" + _YEAR + r"\s*年\s*)?(\d{1,2}|[一二三四五六七八九十]+)\s*月\s*"
    r"(\d{1,2}|[一二三四五六七八九十]+)\s*(?:日|号)"
)
_ISO_DAY = re.compile(r"(?<!\d)" + _YEAR + r"[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_EN_DAY = [
    re.compile(rf"\b({_MONTH_ANY})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*{_YEAR}\b)?"),
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_ANY})\b(?:,?\s*{_YEAR}\b)?"),
]
_ZH_MONTH = re.compile(r"(?:" + _YEAR + r"\s*年\s*)?(?<![上下本这个每])(\d{1,2}|[一二三四五六七八九十]+)\s*月")
_ISO_MONTH = re.compile(r"(?<!\d)" + _YEAR + r"[-/](\d{1,2})(?![\d.\-/])")
_EN_MONTH = [
    re.compile(rf"\b({_MONTH_ANY})\.?,?\s+{_YEAR}\b"),
    re.compile(rf"\b{_YEAR}\s+({_MONTH_ANY})\b"),
    re.compile(rf"\b(?:in|for|during|of|from|since)\s+({_MONTH_ANY})\b"),
    re.compile(rf"\b({_MONTH_RE})\b"),
]

_CALENDAR: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"前天|前日|day\s+before\s+yesterday"), "day_before_yesterday"),
    (re.compile(r"昨天|昨日|昨儿|\byesterday\b"), "yesterday"),
    (re.compile(r"今天|今日|今儿|\btoday\b|\btonight\b|\bthis\s+morning\b"), "today"),
    (re.compile(r"上一?个?(?:周|星期|礼拜)|\b(?:last|previous)\s+week\b"), "last_week"),
    (re.compile(r"本周|这周|这个?星期|本星期|这个?礼拜|本礼拜|\bthis\s+week\b|\bcurrent\s+week\b"), "this_week"),
    (re.compile(r"上一?个?月|\b(?:last|previous)\s+month\b"), "last_month"),
    (re.compile(r"本月|这个?月|当月|\bthis\s+month\b|\bcurrent\s+month\b|\bso\s+far\s+this\s+month\b"), "this_month"),
    (re.compile(r"去年|上一年|\b(?:last|previous)\s+year\b"), "last_year"),
    (re.compile(r"今年|本年|\bthis\s+year\b"), "this_year"),
    (re.compile(r"\b(?:past|last)\s+(?:24\s+hours|day)\b"), "past_day"),
    (re.compile(r"\bpast\s+week\b"), "past_week"),
    (re.compile(r"\bpast\s+month\b"), "past_month"),
]

_CALENDAR_LABELS = {
    "day_before_yesterday": ("前天", "the day before yesterday"),
    "yesterday": ("昨天", "yesterday"),
    "today": ("今天", "today"),
    "last_week": ("上周", "last week"),
    "this_week": ("本周", "this week"),
    "last_month": ("上个月", "last month"),
    "this_month": ("本月", "this month"),
    "last_year": ("去年", "last year"),
    "this_year": ("今年", "this year"),
}


# ---- date arithmetic ---------------------------------------------------------------------------


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_first - timedelta(days=1)).day))


def _days(n: int, today: date, tz: tzinfo) -> tuple[datetime, datetime, dict[str, str]]:
    n = max(1, min(n, MAX_DAYS))
    start = _midnight(today - timedelta(days=n - 1), tz)
    end = _midnight(today + timedelta(days=1), tz)
    en = "the last day" if n == 1 else f"the last {n} days"
    return start, end, {"zh-CN": f"最近{n}天", "en": en}


def _calendar(name: str, today: date, tz: tzinfo) -> tuple[datetime, datetime, dict[str, str]]:
    if name == "past_day":
        return _days(1, today, tz)
    if name == "past_week":
        return _days(7, today, tz)
    if name == "past_month":
        return _days(30, today, tz)
    zh, en = _CALENDAR_LABELS[name]
    if name in ("today", "yesterday", "day_before_yesterday"):
        day = today - timedelta(days={"today": 0, "yesterday": 1, "day_before_yesterday": 2}[name])
        first, after = day, day + timedelta(days=1)
    elif name in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())  # weeks start on Monday in China
        if name == "last_week":
            monday -= timedelta(days=7)
        first, after = monday, monday + timedelta(days=7)
    elif name in ("this_month", "last_month"):
        first = _month_start(today.year, today.month)
        if name == "last_month":
            first = _add_months(first, -1)
        after = _add_months(first, 1)
    else:
        year = today.year - (name == "last_year")
        first, after = date(year, 1, 1), date(year + 1, 1, 1)
    return _midnight(first, tz), _midnight(after, tz), {"zh-CN": zh, "en": en}


def _month_period(year: int | None, month: int, today: date, tz: tzinfo):
    if not 1 <= month <= 12:
        return None
    if year is None:  # the most recent such month, never one in the future
        year = today.year if month <= today.month else today.year - 1
    first = _month_start(year, month)
    label = {"zh-CN": f"{year}年{month}月", "en": f"{_EN_MONTH_NAMES[month - 1]} {year}"}
    return _midnight(first, tz), _midnight(_add_months(first, 1), tz), label


def _day_period(year: int | None, month: int, day: int, today: date, tz: tzinfo):
    try:
        when = date(year or today.year, month, day)
        if year is None and when > today:
            when = date(today.year - 1, month, day)
    except ValueError:
        return None
    label = {
        "zh-CN": f"{when.year}年{when.month}月{when.day}日",
        "en": f"{when.day} {_EN_MONTH_NAMES[when.month - 1]} {when.year}",
    }
    return _midnight(when, tz), _midnight(when + timedelta(days=1), tz), label


def _opt_int(value: str | None) -> int | None:
    return None if value is None else _to_int(value)


# ---- parsing -----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _find_limit(text: str) -> int | None:
    for pattern in _LIMIT:
        match = pattern.search(text)
        if match:
            n = _to_int(match.group(1)) if match.groups() else 1
            if n:
                return max(1, min(n, MAX_LIMIT))
    return None


def _find_period(text: str, today: date, tz: tzinfo):
    for patterns, unit in ((_DAYS, 1), (_WEEKS, 7)):
        for pattern in patterns:
            match = pattern.search(text)
            if match and (n := _to_int(match.group(1))):
                start, end, label = _days(n * unit, today, tz)
                if unit == 7 and n * unit <= MAX_DAYS:
                    label = {"zh-CN": f"最近{n}周", "en": "the last week" if n == 1 else f"the last {n} weeks"}
                return start, end, label
    for pattern in _MONTHS:
        match = pattern.search(text)
        if match and (n := _to_int(match.group(1))):
            n = min(n, 12)
            first = _add_months(today, -n) + timedelta(days=1)
            en = "the last month" if n == 1 else f"the last {n} months"
            return _midnight(first, tz), _midnight(today + timedelta(days=1), tz), {"zh-CN": f"最近{n}个月", "en": en}

    if match := _ZH_DAY.search(text):
        found = _day_period(
            _opt_int(match.group(1)), _to_int(match.group(2)) or 0, _to_int(match.group(3)) or 0, today, tz
        )
        if found:
            return found
    if match := _ISO_DAY.search(text):
        if found := _day_period(int(match.group(1)), int(match.group(2)), int(match.group(3)), today, tz):
            return found
    for index, pattern in enumerate(_EN_DAY):
        if match := pattern.search(text):
            month_name, day = (match.group(1), match.group(2)) if index == 0 else (match.group(2), match.group(1))
            if found := _day_period(_opt_int(match.group(3)), _MONTH_NAMES[month_name], int(day), today, tz):
                return found

    for name_pattern, name in _CALENDAR:
        if name_pattern.search(text):
            return _calendar(name, today, tz)

    if match := _ZH_MONTH.search(text):
        if found := _month_period(_opt_int(match.group(1)), _to_int(match.group(2)) or 0, today, tz):
            return found
    if match := _ISO_MONTH.search(text):
        if found := _month_period(int(match.group(1)), int(match.group(2)), today, tz):
            return found
    for index, pattern in enumerate(_EN_MONTH):
        if match := pattern.search(text):
            if index == 0:
                year, month = int(match.group(2)), _MONTH_NAMES[match.group(1)]
            elif index == 1:
                year, month = int(match.group(1)), _MONTH_NAMES[match.group(2)]
            else:
                year, month = None, _MONTH_NAMES[match.group(1)]
            return _month_period(year, month, today, tz)
    return None


def parse_period(text: str, now: datetime, tz: tzinfo = SHANGHAI) -> PeriodQuery:
    """The period and transaction limit a history question asks for (see module docstring)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    today = now.astimezone(tz).date()
    normalised = _normalise(text)
    limit = _find_limit(normalised)
    period = _find_period(normalised, today, tz)

    if period is None and limit is None:
        start, end, label = _days(DEFAULT_DAYS, today, tz)
        return PeriodQuery(start, end, DEFAULT_LIMIT, label)
    if period is None:
        label = {
            "zh-CN": "最近一笔交易" if limit == 1 else f"最近{limit}笔交易",
            "en": "your last transaction" if limit == 1 else f"your last {limit} transactions",
        }
        return PeriodQuery(None, None, limit, label)
    start, end, label = period
    if limit is not None:
        zh_count = "最近一笔交易" if limit == 1 else f"最近{limit}笔交易"
        en_count = "the last transaction" if limit == 1 else f"the last {limit} transactions"
        label = {"zh-CN": f"{label['zh-CN']}的{zh_count}", "en": f"{en_count} ({label['en']})"}
    return PeriodQuery(start, end, limit, label)


def named_period(text: str, now: datetime, tz: tzinfo = SHANGHAI) -> tuple[datetime, datetime] | None:
    """[start, end) of a period the text names ("yesterday", "前天", "3月5日"), or None when it names none."""
    found = _find_period(_normalise(text), now.astimezone(tz).date(), tz)
    return (found[0], found[1]) if found else None


# ---- statements --------------------------------------------------------------------------------

_STATEMENT = [
    re.compile(r"对账单|月结单|结单|电子账单|账单明细|交易明细单|流水单|银行流水"),
    re.compile(r"\bstatements?\b|\be-?statements?\b"),
    re.compile(r"(?:发|寄|送|传)[^。！？.!?\n]{0,10}(?:邮箱|邮件|电邮|e-?mail)"),
    re.compile(r"(?:邮箱|邮件|电邮|e-?mail)[^。！？.!?\n]{0,6}(?:发|寄|送|传)(?:给|到|过来)?"),
    re.compile(r"(?:导出|下载|打印|完整的?|全部的?|所有的?)[^。！？.!?\n]{0,4}(?:账单|流水|交易记录|交易明细|明细)"),
    re.compile(r"\be-?mail\s+(?:me|it|them|this|that|those|us)\b"),
    re.compile(r"\b(?:by|via|through|over|to\s+my|into\s+my|to\s+me\s+by)\s+e-?mail\b"),
    re.compile(r"\bsend\b[^.!?\n]{0,40}\b(?:e-?mail|inbox|mailbox)\b"),
    re.compile(r"\b(?:export|download|print)\b[^.!?\n]{0,30}\b(?:history|transactions|records|pdf|csv)\b"),
    re.compile(r"\b(?:full|complete|entire|whole)\s+(?:transaction\s+|payment\s+|account\s+)?(?:history|record)s?\b"),
]


def wants_statement(text: str) -> bool:
    """Whether the customer asks for a full statement or to have it sent by email."""
    normalised = _normalise(text)
    return any(pattern.search(normalised) for pattern in _STATEMENT)
