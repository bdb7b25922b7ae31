from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from switchboard.domain.periods import DEFAULT_LIMIT, MAX_LIMIT, parse_period, wants_statement

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 18, 14, 30, tzinfo=SH)  # a Wednesday
NEW_YEAR = datetime(2026, 1, 3, 9, 0, tzinfo=SH)  # a Saturday, first week of the year


def at(*args):
    return datetime(*args, tzinfo=SH)


def span(query):
    return query.start, query.end


CALENDAR = [
    # text, now, start, end
    ("show me today's payments", NOW, at(2026, 3, 18), at(2026, 3, 19)),
    ("今天的交易", NOW, at(2026, 3, 18), at(2026, 3, 19)),
    ("what did I pay yesterday", NOW, at(2026, 3, 17), at(2026, 3, 18)),
    ("昨天的记录", NOW, at(2026, 3, 17), at(2026, 3, 18)),
    ("前天那笔", NOW, at(2026, 3, 16), at(2026, 3, 17)),
    ("transactions this week", NOW, at(2026, 3, 16), at(2026, 3, 23)),
    ("本周消费", NOW, at(2026, 3, 16), at(2026, 3, 23)),
    ("这周花了多少", NOW, at(2026, 3, 16), at(2026, 3, 23)),
    ("last week please", NOW, at(2026, 3, 9), at(2026, 3, 16)),
    ("上周的账", NOW, at(2026, 3, 9), at(2026, 3, 16)),
    ("上个星期的交易", NOW, at(2026, 3, 9), at(2026, 3, 16)),
    ("this month", NOW, at(2026, 3, 1), at(2026, 4, 1)),
    ("本月", NOW, at(2026, 3, 1), at(2026, 4, 1)),
    ("这个月的流水", NOW, at(2026, 3, 1), at(2026, 4, 1)),
    ("last month's transactions", NOW, at(2026, 2, 1), at(2026, 3, 1)),
    ("上个月的交易记录", NOW, at(2026, 2, 1), at(2026, 3, 1)),
    ("上月", NOW, at(2026, 2, 1), at(2026, 3, 1)),
    # year boundary
    ("last month", NEW_YEAR, at(2025, 12, 1), at(2026, 1, 1)),
    ("上个月", NEW_YEAR, at(2025, 12, 1), at(2026, 1, 1)),
    ("上周", NEW_YEAR, at(2025, 12, 22), at(2025, 12, 29)),
    ("yesterday", datetime(2026, 1, 1, 8, 0, tzinfo=SH), at(2025, 12, 31), at(2026, 1, 1)),
    ("最近7天", NEW_YEAR, at(2025, 12, 28), at(2026, 1, 4)),
]


@pytest.mark.parametrize(("text", "now", "start", "end"), CALENDAR)
def test_calendar_periods_in_both_languages(text, now, start, end):
    # given a question naming a calendar period / when parsed
    query = parse_period(text, now)
    # then the period is [start, end) in Shanghai time with no transaction limit
    assert span(query) == (start, end)
    assert query.limit is None


ROLLING = [
    ("last 7 days", 7),
    ("in the past 10 days", 10),
    ("past seven days", 7),
    ("the last twenty-one days", 21),
    ("最近7天", 7),
    ("近十五天", 15),
    ("最近三十天的交易", 30),
    ("过去两天", 2),
    ("最近１４天", 14),  # full-width digits
    ("last 2 weeks", 14),
]


@pytest.mark.parametrize(("text", "days"), ROLLING)
def test_last_n_days_count_today_as_one_of_them(text, days):
    # given "last N days" in digits, English words or Chinese numerals / when parsed
    query = parse_period(text, NOW)
    # then it starts at midnight N-1 days ago and ends after today
    assert span(query) == (at(2026, 3, 19) - timedelta(days=days), at(2026, 3, 19))
    assert query.limit is None


LIMITS = [
    ("my last 3 transactions", 3),
    ("last three payments", 3),
    ("最近三笔", 3),
    ("最近5笔交易", 5),
    ("最近两笔转账", 2),
    ("最后一笔", 1),
    ("上一笔付款", 1),
    ("what was my last payment?", 1),
    ("most recent transaction", 1),
    ("last 500 transactions", MAX_LIMIT),
]


@pytest.mark.parametrize(("text", "limit"), LIMITS)
def test_last_n_transactions_set_a_limit_without_a_period(text, limit):
    # given a question about the latest transactions / when parsed
    query = parse_period(text, NOW)
    # then only the limit is set
    assert query.limit == limit
    assert span(query) == (None, None)


def test_limit_and_period_combine():
    # given both a count and a period / when parsed
    query = parse_period("last two transactions last month", NOW)
    # then both apply and the label says both
    assert query.limit == 2
    assert span(query) == (at(2026, 2, 1), at(2026, 3, 1))
    assert "last month" in query.label["en"] and "上个月" in query.label["zh-CN"]


MONTHS = [
    ("March", NOW, at(2026, 3, 1), at(2026, 4, 1)),
    ("transactions in may", NOW, at(2025, 5, 1), at(2025, 6, 1)),  # a future month means last year's
    ("3月的交易", NOW, at(2026, 3, 1), at(2026, 4, 1)),
    ("十二月份", NOW, at(2025, 12, 1), at(2026, 1, 1)),
    ("2025年12月", NOW, at(2025, 12, 1), at(2026, 1, 1)),
    ("2026年3月", NEW_YEAR, at(2026, 3, 1), at(2026, 4, 1)),  # an explicit year is taken as said
    ("December 2025", NOW, at(2025, 12, 1), at(2026, 1, 1)),
    ("12月", NEW_YEAR, at(2025, 12, 1), at(2026, 1, 1)),
    ("february", NOW, at(2026, 2, 1), at(2026, 3, 1)),
]


@pytest.mark.parametrize(("text", "now", "start", "end"), MONTHS)
def test_a_named_month(text, now, start, end):
    assert span(parse_period(text, now)) == (start, end)


def test_specific_days():
    assert span(parse_period("3月15号那笔", NOW)) == (at(2026, 3, 15), at(2026, 3, 16))
    assert span(parse_period("payment on 2025-12-03", NOW)) == (at(2025, 12, 3), at(2025, 12, 4))


def test_may_as_a_verb_is_not_a_month():
    # given "may" used as a verb / when parsed / then the default applies
    query = parse_period("May I see my payments?", NOW)
    assert query.limit == DEFAULT_LIMIT
    assert span(query) == (at(2026, 2, 17), at(2026, 3, 19))


@pytest.mark.parametrize("text", ["show me my transactions", "查一下我的交易", "", "最近的交易"])
def test_nothing_said_means_last_30_days_and_5_transactions(text):
    query = parse_period(text, NOW)
    assert query.limit == DEFAULT_LIMIT == 5
    assert span(query) == (at(2026, 2, 17), at(2026, 3, 19))
    assert query.label == {"zh-CN": "最近30天", "en": "the last 30 days"}


def test_calendar_is_the_customers_timezone_not_utc():
    # given 17:00 UTC on 31 March, already 1 April in Shanghai
    utc_now = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    # when asking for "this month" / then it is April
    assert span(parse_period("this month", utc_now)) == (at(2026, 4, 1), at(2026, 5, 1))
    # and another timezone can be asked for
    london = ZoneInfo("Europe/London")
    start, end = span(parse_period("today", utc_now, tz=london))
    assert (start, end) == (datetime(2026, 3, 31, tzinfo=london), datetime(2026, 4, 1, tzinfo=london))


def test_labels_for_the_reply_in_both_languages():
    assert parse_period("上个月", NOW).label == {"zh-CN": "上个月", "en": "last month"}
    assert parse_period("last 7 days", NOW).label == {"zh-CN": "最近7天", "en": "the last 7 days"}
    assert parse_period("2025年12月", NOW).label == {"zh-CN": "2025年12月", "en": "December 2025"}
    assert parse_period("最近三笔", NOW).label == {"zh-CN": "最近3笔交易", "en": "your last 3 transactions"}


def test_results_are_timezone_aware():
    query = parse_period("last week", datetime(2026, 3, 18, 6, 30))  # naive: taken as Shanghai time
    assert query.start.tzinfo is not None and query.end.tzinfo is not None
    assert span(query) == (at(2026, 3, 9), at(2026, 3, 16))


STATEMENT = [
    ("请把上个月的对账单发给我", True),
    ("把交易记录发到我邮箱", True),
    ("账单发邮件给我", True),
    ("导出全部流水", True),
    ("Can you email me my transactions?", True),
    ("send the statement to my email please", True),
    ("I need a full statement for March", True),
    ("by e-mail please", True),
    ("上个月的交易记录", False),
    ("what did I pay yesterday", False),
    ("最近三笔", False),
    ("my email is zhang@example.com", False),
]


@pytest.mark.parametrize(("text", "expected"), STATEMENT)
def test_wants_statement(text, expected):
    assert wants_statement(text) is expected


def test_odd_text_never_raises_and_gives_a_forward_period():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(
        ["最近", "上个月", "2月30日", "2026年13月", "last", "0", "99999", "days", "十", "may", "-", " "]
    )

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.lists(words, max_size=6).map("".join))
    def check(text):
        query = parse_period(text, NOW)
        assert query.start is None or query.start < query.end
        assert set(query.label) == {"zh-CN", "en"}

    check()
