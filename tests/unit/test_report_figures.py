"""The report's arithmetic on facts written by hand: median and p90 as their definitions say, the period's
bounds, and the complaint figures for open, closed, late and extended complaints."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from switchboard.reports.figures import complaint_figures, days, distribution


def test_median_is_the_middle_value_and_p90_the_nearest_rank():
    # ten values 1..10: the median is the mean of the 5th and 6th, p90 the 9th (rank ceil(0.9 * 10))
    figures = distribution([float(n) for n in range(10, 0, -1)])
    assert (figures.count, figures.medianSeconds, figures.p90Seconds) == (10, 5.5, 9.0)
    # one value: it is both; none: nothing was measured
    assert distribution([42.0]).p90Seconds == 42.0
    assert distribution([]).medianSeconds is None


def test_a_period_is_its_days_both_included_within_366():
    assert days(date(2026, 2, 27), date(2026, 3, 1)) == ["2026-02-27", "2026-02-28", "2026-03-01"]
    assert len(days(date(2024, 1, 1), date(2024, 12, 31))) == 366
    with pytest.raises(ValueError, match=r"^to: "):
        days(date(2025, 1, 1), date(2026, 1, 2))
    with pytest.raises(ValueError, match=r"^to: must not be before from"):
        days(date(2026, 3, 2), date(2026, 3, 1))


def test_complaint_figures_judge_the_regulatory_clock_on_closed_and_overdue_complaints():
    at = datetime(2026, 12, 20, tzinfo=UTC)
    complaints = [
        # closed in 2 days, well within its clock; about a duplicate payment
        {"openedAt": "2026-12-01T00:00:00Z", "closedAt": "2026-12-03T00:00:00Z",
         "regulatoryDueAt": "2026-12-16T00:00:00Z", "secondaryIntent": "duplicate_payment"},
        # closed in 17.5 days, after an extension to the 20th: still within
        {"openedAt": "2026-12-01T00:00:00Z", "closedAt": "2026-12-18T12:00:00Z", "regulatoryDueAt": "2026-12-20T00:00:00Z"},
        # open and past its clock: judged, not within
        {"openedAt": "2026-12-01T00:00:00Z", "regulatoryDueAt": "2026-12-16T00:00:00Z"},
        # open and not yet due: not judged
        {"openedAt": "2026-12-15T00:00:00Z", "regulatoryDueAt": "2026-12-30T00:00:00Z"},
    ]  # fmt: skip
    figures = complaint_figures(complaints, at)
    assert figures.count == 4 and figures.closed == 2 and figures.shareClosed == 0.5
    assert figures.byType == {"duplicate_payment": 1, "general": 3}
    assert (figures.medianHandlingDays, figures.maxHandlingDays) == (9.75, 17.5)
    assert (figures.withinRegulatory, figures.shareWithinRegulatory) == (2, round(2 / 3, 4))
