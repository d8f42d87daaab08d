"""The SLA clock: deadlines, pauses, statuses and refused moves, in Chinese working days."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from lingang.errors import Invalid
from lingang.workdays import SHANGHAI, STATUS_LABELS, SlaClock, SlaStatus, WorkCalendar

D = dt.date
CAL = WorkCalendar()
MICRO = dt.timedelta(microseconds=1)


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware Asia/Shanghai datetime (10:00 unless told)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# -- deadline --------------------------------------------------------------------------------


def test_due_at_without_pauses_is_the_calendar_deadline() -> None:
    clock = SlaClock(5, local(2026, 2, 13))
    assert clock.due_at == local(2026, 2, 27, 17)
    assert clock.due_at == CAL.deadline(local(2026, 2, 13), 5)
    assert SlaClock(20, local(2025, 9, 26)).due_at == local(2025, 10, 30, 17)


def test_a_pause_across_the_spring_festival_costs_fewer_working_days_than_calendar_days() -> None:
    start = local(2026, 2, 9)  # Monday; 5 working days: due Saturday 2026-02-14 (make-up day)
    paused_from, paused_to = local(2026, 2, 13), local(2026, 2, 24)
    clock = SlaClock(5, start).pause(paused_from).resume(paused_to)
    assert (paused_to - paused_from).days == 11
    assert SlaClock(5, start).due_at == local(2026, 2, 14, 17)
    # paused working days: 2026-02-14 (make-up Saturday) and 2026-02-24
    assert clock.due_at == CAL.deadline(start, 5 + 2) == local(2026, 2, 25, 17)


def test_a_pause_of_three_working_days_moves_due_at_by_three_working_days() -> None:
    start = local(2026, 3, 2, 9)
    plain = SlaClock(10, start)
    paused = plain.pause(local(2026, 3, 2, 10)).resume(local(2026, 3, 5, 10))  # Mon → Thu
    due_day = plain.due_at.astimezone(SHANGHAI).date()
    assert due_day == D(2026, 3, 16)
    assert paused.due_at == CAL.close_of(CAL.add_working_days(due_day, 3)) == local(2026, 3, 19, 17)


def test_a_pause_within_one_working_day_moves_nothing() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).pause(local(2026, 3, 2, 10))
    assert clock.resume(local(2026, 3, 2, 16)).due_at == SlaClock(5, local(2026, 3, 2, 9)).due_at


def test_an_open_pause_leaves_due_at_provisional() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).pause(local(2026, 3, 3))
    assert clock.due_at == local(2026, 3, 9, 17)
    assert clock.due_at_as_of(local(2026, 3, 3, 12)) == local(2026, 3, 9, 17)
    assert clock.due_at_as_of(local(2026, 3, 6, 12)) == local(2026, 3, 12, 17)


# -- readings --------------------------------------------------------------------------------


def test_elapsed_and_remaining_over_the_spring_festival() -> None:
    clock = SlaClock(5, local(2026, 2, 13))
    assert clock.elapsed_working_days(local(2026, 2, 13, 16)) == 0
    assert clock.remaining_working_days(local(2026, 2, 14, 12)) == 4
    assert clock.remaining_working_days(local(2026, 2, 20, 12)) == 3  # holiday: belongs to 02-24
    assert clock.elapsed_working_days(local(2026, 2, 24, 12)) == 2
    assert clock.remaining_working_days(local(2026, 2, 27, 12)) == 0
    assert clock.remaining_working_days(local(2026, 3, 2, 12)) == -2


def test_elapsed_stands_still_while_paused() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).pause(local(2026, 3, 3))
    assert clock.elapsed_working_days(local(2026, 3, 3, 12)) == 1
    assert clock.elapsed_working_days(local(2026, 3, 20, 12)) == 1
    resumed = clock.resume(local(2026, 3, 10))
    assert resumed.elapsed_working_days(local(2026, 3, 11, 12)) == 2


def test_is_paused_covers_start_up_to_end() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).pause(local(2026, 3, 3)).resume(local(2026, 3, 5))
    assert not clock.is_paused(local(2026, 3, 3, 9))
    assert clock.is_paused(local(2026, 3, 3))
    assert clock.is_paused(local(2026, 3, 4))
    assert not clock.is_paused(local(2026, 3, 5))


def test_readings_before_the_start_are_refused() -> None:
    clock = SlaClock(5, local(2026, 3, 2))
    with pytest.raises(Invalid) as info:
        clock.remaining_working_days(local(2026, 3, 1))
    assert info.value.field == "now"


# -- statuses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (local(2026, 2, 10), SlaStatus.ON_TRACK),  # 4 left
        (local(2026, 2, 12), SlaStatus.ON_TRACK),  # 2 left
        (local(2026, 2, 13), SlaStatus.DUE_SOON),  # 1 left
        (local(2026, 2, 14, 16, 59), SlaStatus.DUE_SOON),  # due day, 0 left
        (local(2026, 2, 14, 17), SlaStatus.BREACHED),
        (local(2026, 2, 20), SlaStatus.BREACHED),
    ],
)
def test_status_over_time(now: dt.datetime, status: SlaStatus) -> None:
    assert SlaClock(5, local(2026, 2, 9)).status(now) == status


def test_breached_exactly_from_due_at() -> None:
    clock = SlaClock(5, local(2026, 2, 13))
    assert clock.status(clock.due_at - MICRO) == SlaStatus.DUE_SOON
    assert clock.remaining_working_days(clock.due_at - MICRO) == 0
    assert clock.status(clock.due_at) == SlaStatus.BREACHED
    assert clock.remaining_working_days(clock.due_at) == -1


def test_due_soon_threshold_is_a_parameter() -> None:
    clock = SlaClock(5, local(2026, 2, 9))
    assert clock.status(local(2026, 2, 11), due_soon_within=3) == SlaStatus.DUE_SOON
    assert clock.status(local(2026, 2, 13), due_soon_within=0) == SlaStatus.ON_TRACK
    with pytest.raises(Invalid) as info:
        clock.status(local(2026, 2, 13), due_soon_within=-1)
    assert info.value.field == "due_soon_within"


def test_paused_and_breached_while_paused() -> None:
    clock = SlaClock(2, local(2026, 3, 2, 9))
    assert clock.pause(local(2026, 3, 3)).status(local(2026, 3, 10)) == SlaStatus.PAUSED
    late = clock.pause(local(2026, 3, 6))  # 2 working days were due on 03-04
    assert late.status(local(2026, 3, 10)) == SlaStatus.BREACHED


def test_stopped_freezes_the_reading() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).stop(local(2026, 3, 4))
    assert clock.status(local(2026, 3, 3)) == SlaStatus.ON_TRACK
    assert clock.status(local(2026, 3, 4)) == SlaStatus.STOPPED
    assert clock.status(local(2026, 4, 30)) == SlaStatus.STOPPED
    assert clock.remaining_working_days(local(2026, 4, 30)) == 3


def test_stop_while_paused_ends_the_pause() -> None:
    clock = SlaClock(5, local(2026, 3, 2, 9)).pause(local(2026, 3, 3)).stop(local(2026, 3, 6))
    assert clock.pauses == ((local(2026, 3, 3), local(2026, 3, 6)),)
    assert clock.stopped_at == local(2026, 3, 6)
    assert not clock.is_paused(local(2026, 3, 9))
    assert clock.elapsed_working_days(local(2026, 3, 9)) == 1


def test_labels_in_both_languages() -> None:
    assert set(STATUS_LABELS) == set(SlaStatus)
    assert SlaStatus.ON_TRACK.label() == "正常"
    assert SlaStatus.DUE_SOON.label("zh-CN") == "即将到期"
    assert SlaStatus.PAUSED.label() == "已暂停"
    assert SlaStatus.BREACHED.label() == "已超期"
    assert SlaStatus.STOPPED.label() == "已结束"
    assert SlaStatus.BREACHED.label("en") == "Breached"
    with pytest.raises(Invalid) as info:
        SlaStatus.BREACHED.label("fr")  # type: ignore[arg-type]
    assert info.value.field == "lang"


# -- moves -----------------------------------------------------------------------------------

START = local(2026, 3, 2, 9)
RUNNING = SlaClock(5, START)
PAUSED = RUNNING.pause(local(2026, 3, 3))
STOPPED = RUNNING.stop(local(2026, 3, 4))


@pytest.mark.parametrize(
    ("move", "field"),
    [
        (lambda: RUNNING.resume(local(2026, 3, 3)), "pauses"),
        (lambda: PAUSED.pause(local(2026, 3, 4)), "pauses"),
        (lambda: STOPPED.pause(local(2026, 3, 5)), "stopped_at"),
        (lambda: STOPPED.resume(local(2026, 3, 5)), "stopped_at"),
        (lambda: STOPPED.stop(local(2026, 3, 5)), "stopped_at"),
        (lambda: RUNNING.pause(local(2026, 3, 1)), "at"),
        (lambda: RUNNING.stop(local(2026, 3, 1)), "at"),
        (lambda: PAUSED.resume(local(2026, 3, 2, 12)), "at"),
        (lambda: PAUSED.resume(local(2026, 3, 4)).pause(local(2026, 3, 3, 12)), "at"),
        (lambda: RUNNING.pause(dt.datetime(2026, 3, 3, 10)), "at"),  # noqa: DTZ001
    ],
    ids=[
        "resume-not-paused",
        "pause-twice",
        "pause-after-stop",
        "resume-after-stop",
        "stop-twice",
        "pause-before-start",
        "stop-before-start",
        "resume-before-pause",
        "pause-before-last-resume",
        "naive-time",
    ],
)
def test_illegal_moves_are_refused(move: Callable[[], object], field: str) -> None:
    with pytest.raises(Invalid) as info:
        move()
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": -1}, "limit"),
        ({"started_at": dt.datetime(2026, 3, 2, 9)}, "started_at"),  # noqa: DTZ001
        ({"pauses": [(local(2026, 3, 1), None)]}, "pauses"),
        ({"pauses": [(local(2026, 3, 3), None), (local(2026, 3, 4), None)]}, "pauses"),
        ({"pauses": [(local(2026, 3, 4), local(2026, 3, 3))]}, "pauses"),
        (
            {"pauses": [(local(2026, 3, 3), local(2026, 3, 5)), (local(2026, 3, 4), None)]},
            "pauses",
        ),
        ({"pauses": [(local(2026, 3, 3), None)], "stopped_at": local(2026, 3, 5)}, "stopped_at"),
        ({"stopped_at": local(2026, 3, 1)}, "stopped_at"),
    ],
)
def test_inconsistent_clocks_are_refused(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"limit": 5, "started_at": START, **kwargs}
    with pytest.raises(Invalid) as info:
        SlaClock(**values)  # type: ignore[arg-type]
    assert info.value.field == field


def test_moves_return_new_clocks() -> None:
    paused = RUNNING.pause(local(2026, 3, 3))
    assert paused is not RUNNING
    assert RUNNING.pauses == ()
    assert paused == PAUSED and hash(paused) == hash(PAUSED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paused.limit = 6  # type: ignore[misc]


def test_pauses_given_as_lists_are_kept_as_tuples() -> None:
    clock = SlaClock(5, START, [[local(2026, 3, 3), local(2026, 3, 5)]])  # type: ignore[list-item]
    assert clock.pauses == ((local(2026, 3, 3), local(2026, 3, 5)),)
    assert clock.due_at == local(2026, 3, 11, 17)


def test_a_clock_uses_its_calendar() -> None:
    cal = WorkCalendar({D(2026, 3, 3): False})
    assert SlaClock(1, START, calendar=cal).due_at == local(2026, 3, 4, 17)
    assert SlaClock(1, START).due_at == local(2026, 3, 3, 17)


def test_a_clock_running_into_a_year_without_data_is_invalid_on_a_strict_calendar() -> None:
    with pytest.raises(Invalid) as info:
        _ = SlaClock(5, local(2026, 12, 29), calendar=CAL).due_at
    assert info.value.field == "day"


def test_the_default_clock_counts_a_later_year_provisionally() -> None:
    # 2026-12-29 (Tue) is day 0; 12-30, 12-31, then 2027-01-04 … 01-06 (元旦 01-01 off)
    assert SlaClock(5, local(2026, 12, 29)).due_at == local(2027, 1, 6, 17)


def test_pauses_round_trip_through_their_stored_json_form() -> None:
    from lingang.workdays import pauses_from_json, pauses_to_json

    start = dt.datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI)
    pauses = ((start, start + dt.timedelta(days=2)), (start + dt.timedelta(days=3), None))
    stored = pauses_to_json(pauses)
    assert stored == [["2026-06-01T09:30:00+08:00", "2026-06-03T09:30:00+08:00"],
                      ["2026-06-04T09:30:00+08:00", None]]  # fmt: skip
    assert pauses_from_json(stored) == pauses
    assert pauses_from_json([]) == ()
