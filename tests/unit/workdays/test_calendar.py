"""The working-day calendar against the State Council schedules of 2025 and 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lingang.errors import Invalid
from lingang.workdays import SHANGHAI, WorkCalendar, default_calendar, library_coverage
from lingang.workdays import calendar as calendar_module
from lingang.workdays.calendar import statutory_holidays

D = dt.date
CAL = WorkCalendar()


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """An aware Asia/Shanghai datetime."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


# -- the schedules ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(2026, 2, d) for d in range(15, 24)])
def test_spring_festival_2026_days_off(day: dt.date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_days_off(day: dt.date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    ("day", "weekday"),
    [(D(2026, 2, 14), 5), (D(2026, 2, 28), 5), (D(2025, 9, 28), 6), (D(2025, 10, 11), 5)],
)
def test_make_up_working_days_fall_on_weekends_and_count(day: dt.date, weekday: int) -> None:
    assert day.weekday() == weekday
    assert CAL.is_working_day(day)


def test_ordinary_weekdays_and_weekends() -> None:
    assert CAL.is_working_day(D(2026, 3, 2))  # Monday
    assert not CAL.is_working_day(D(2026, 3, 1))  # Sunday
    assert not CAL.is_working_day(D(2025, 10, 12))  # Sunday after the make-up Saturday


# -- counting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 2, 13), 0, D(2026, 2, 13)),
        (D(2026, 2, 15), 0, D(2026, 2, 15)),
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 20, D(2026, 3, 19)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        (D(2025, 9, 26), 20, D(2025, 10, 30)),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_next_working_day_skips_the_holiday() -> None:
    assert CAL.next_working_day(D(2025, 9, 30)) == D(2025, 10, 9)
    assert CAL.next_working_day(D(2026, 2, 27)) == D(2026, 2, 28)


def test_working_days_between_is_half_open_and_signed() -> None:
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert CAL.working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 13)) == 0
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert CAL.working_days_between(D(2025, 9, 26), D(2025, 10, 30)) == 20


def test_negative_n_is_refused() -> None:
    with pytest.raises(Invalid) as info:
        CAL.add_working_days(D(2026, 2, 13), -1)
    assert info.value.field == "n"


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(Invalid) as info:
        CAL.is_working_day(local(2026, 2, 13, 10))
    assert info.value.field == "day"


# -- instants and deadlines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (local(2026, 2, 13, 16, 59, 59), D(2026, 2, 13)),
        (local(2026, 2, 13, 17, 0), D(2026, 2, 14)),
        (local(2026, 2, 14, 18, 0), D(2026, 2, 24)),
        (local(2026, 2, 16, 10, 0), D(2026, 2, 24)),
        (dt.datetime(2026, 2, 13, 8, 30, tzinfo=dt.UTC), D(2026, 2, 13)),  # 16:30 local
        (dt.datetime(2026, 2, 13, 9, 30, tzinfo=dt.UTC), D(2026, 2, 14)),  # 17:30 local
        (dt.datetime(2026, 2, 12, 23, 0, tzinfo=dt.UTC), D(2026, 2, 13)),  # 07:00 next day
    ],
)
def test_working_day_of_rolls_after_hours_and_days_off_forward(
    at: dt.datetime, day: dt.date
) -> None:
    assert CAL.working_day_of(at) == day


def test_deadline_is_the_cut_off_of_the_nth_working_day_in_utc() -> None:
    due = CAL.deadline(local(2026, 2, 13, 10, 0), 5)
    assert due == dt.datetime(2026, 2, 27, 9, 0, tzinfo=dt.UTC)
    assert due.utcoffset() == dt.timedelta(0)
    assert due.astimezone(SHANGHAI) == local(2026, 2, 27, 17, 0)


def test_deadline_after_the_cut_off_starts_a_working_day_later() -> None:
    assert CAL.deadline(local(2026, 2, 13, 17, 30), 5) == local(2026, 2, 28, 17, 0)
    assert CAL.deadline(local(2026, 2, 16, 10, 0), 5) == local(2026, 3, 2, 17, 0)
    assert CAL.deadline(local(2025, 9, 26, 10, 0), 20) == local(2025, 10, 30, 17, 0)


def test_deadline_with_zero_days_is_the_close_of_the_acceptance_day() -> None:
    assert CAL.deadline(local(2026, 2, 13, 10, 0), 0) == local(2026, 2, 13, 17, 0)
    assert CAL.deadline(local(2026, 2, 20, 10, 0), 0) == local(2026, 2, 24, 17, 0)


def test_deadline_refuses_a_naive_start() -> None:
    with pytest.raises(Invalid) as info:
        CAL.deadline(dt.datetime(2026, 2, 13, 10, 0), 5)  # noqa: DTZ001
    assert info.value.field == "start"


def test_custom_cut_off() -> None:
    late = WorkCalendar(cutoff=dt.time(18, 0))
    assert late.working_day_of(local(2026, 2, 13, 17, 30)) == D(2026, 2, 13)
    assert late.deadline(local(2026, 2, 13, 17, 30), 1) == local(2026, 2, 14, 18, 0)
    with pytest.raises(Invalid) as info:
        WorkCalendar(cutoff=dt.time(0, 0))
    assert info.value.field == "cutoff"


# -- coverage and overrides ------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(2027, 1, 4), D(2003, 6, 2)])
def test_a_year_without_data_is_invalid_and_says_what_to_do(day: dt.date) -> None:
    with pytest.raises(Invalid) as info:
        CAL.is_working_day(day)
    assert info.value.field == "day"
    assert day.isoformat() in info.value.reason
    assert "upgrade chinesecalendar" in info.value.reason
    assert "overrides" in info.value.reason


def test_counting_into_a_year_without_data_is_invalid() -> None:
    with pytest.raises(Invalid):
        CAL.add_working_days(D(2026, 12, 30), 5)


def test_library_coverage_includes_2025_and_2026() -> None:
    version, first, last = library_coverage()
    assert version
    assert first <= 2025 and last >= 2026


def test_overrides_win_over_the_library() -> None:
    cal = WorkCalendar({D(2026, 3, 2): False, D(2026, 3, 1): True, D(2026, 2, 16): True})
    assert not cal.is_working_day(D(2026, 3, 2))
    assert cal.is_working_day(D(2026, 3, 1))
    assert cal.is_working_day(D(2026, 2, 16))
    assert cal.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 16)
    assert cal.add_working_days(D(2026, 2, 28), 2) == D(2026, 3, 3)
    assert CAL.is_working_day(D(2026, 3, 2))  # the shared calendar is untouched


def test_an_override_covers_a_year_the_library_lacks() -> None:
    cal = WorkCalendar({D(2027, 1, 1): False, D(2027, 2, 20): True})
    assert not cal.is_working_day(D(2027, 1, 1))  # Friday, declared a holiday
    assert not cal.is_working_day(D(2027, 1, 2))  # Saturday, weekday rule
    assert cal.is_working_day(D(2027, 1, 4))  # Monday, weekday rule
    assert cal.is_working_day(D(2027, 2, 20))  # Saturday, declared a make-up day
    assert cal.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    with pytest.raises(Invalid):
        cal.is_working_day(D(2028, 1, 3))


@pytest.mark.parametrize(
    "overrides",
    [{dt.datetime(2026, 3, 2, tzinfo=dt.UTC): False}, {D(2026, 3, 2): 0}],
)
def test_malformed_overrides_are_refused(overrides: dict[dt.date, bool]) -> None:
    with pytest.raises(Invalid) as info:
        WorkCalendar(overrides)
    assert info.value.field == "overrides"


def test_answers_are_cached_per_day(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dt.date] = []
    original = calendar_module._library_workday

    def counting(day: dt.date) -> bool | None:
        calls.append(day)
        return original(day)

    monkeypatch.setattr(calendar_module, "_library_workday", counting)
    cal = WorkCalendar()
    for _ in range(3):
        cal.working_days_between(D(2026, 2, 1), D(2026, 3, 1))
    assert len(calls) == 28
    assert default_calendar() is default_calendar()


# -- property --------------------------------------------------------------------------------

# one override covers 2027, so limits from late 2026 can run into it
PROPERTY_CAL = WorkCalendar({D(2027, 1, 1): False})


@settings(max_examples=300, deadline=None)
@given(day=st.dates(D(2024, 1, 1), D(2026, 12, 31)), n=st.integers(0, 40))
def test_add_and_between_are_inverse(day: dt.date, n: int) -> None:
    end = PROPERTY_CAL.add_working_days(day, n)
    assert PROPERTY_CAL.working_days_between(day, end) == n
    assert PROPERTY_CAL.working_days_between(end, day) == -n
    if n > 0:
        assert PROPERTY_CAL.is_working_day(end)
        # the first such day: one day earlier falls short
        assert PROPERTY_CAL.working_days_between(day, end - dt.timedelta(days=1)) == n - 1
    else:
        assert end == day


# -- the provisional rule for a year the library does not carry yet ----------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_holidays_are_days_off_in_every_published_schedule(year: int) -> None:
    statutory = statutory_holidays(year)
    assert len(statutory) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days (2024 revision)
    assert not [day for day in statutory if CAL.is_working_day(day)]


def test_a_provisional_calendar_counts_a_later_year_by_the_statutory_holidays() -> None:
    cal = WorkCalendar(provisional=True)
    assert not cal.is_working_day(D(2027, 1, 1))  # 元旦, a Friday
    assert cal.is_working_day(D(2027, 1, 4))
    spring = [D(2027, 2, 5), D(2027, 2, 8)]  # 除夕 Friday 02-05 … 初三 Monday 02-08
    assert not any(cal.is_working_day(day) for day in spring)
    assert cal.is_working_day(D(2027, 2, 9))
    assert not cal.is_working_day(D(2027, 10, 1)) and not cal.is_working_day(D(2027, 6, 9))
    assert cal.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    assert cal.is_provisional(D(2027, 3, 1)) and not cal.is_provisional(D(2026, 3, 2))
    assert not CAL.is_provisional(D(2027, 3, 1))  # a strict calendar never guesses
    with pytest.raises(Invalid):
        cal.is_working_day(D(2003, 6, 2))  # before the library: still refused
    assert default_calendar().provisional


def test_overrides_still_win_over_the_provisional_rule() -> None:
    cal = WorkCalendar({D(2027, 2, 20): True}, provisional=True)
    assert cal.is_working_day(D(2027, 2, 20)) and cal.is_working_day(D(2027, 1, 1))
    assert not cal.is_provisional(D(2027, 1, 1))
