"""Working-day calendar (工作日历) of mainland China, from the ``chinesecalendar`` package.

Public holidays and make-up working days (调休) come from ``chinesecalendar`` (module
``chinese_calendar``), which carries the State Council schedules year by year. A year it has
no data for raises :class:`~lingang.errors.Invalid` unless the calendar's overrides cover it.
The rules (what counts as day 1, the 17:00 cut-off) are in docs/workdays.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]

from lingang.errors import Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""The zone working days are counted in."""

DEFAULT_CUTOFF = dt.time(17, 0)
"""Close of business: an instant at or after it (local time) belongs to the next working day."""

_ONE_DAY = dt.timedelta(days=1)


def _library_workday(day: dt.date) -> bool | None:
    """``chinesecalendar``'s verdict on ``day``: a working day or not, ``None`` without data.

    The only place the untyped package is called for a day.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@cache
def library_coverage() -> tuple[str, int, int]:
    """The installed ``chinesecalendar`` version and the first and last year it has data for."""
    years = [int(day.year) for day in chinese_calendar.holidays]
    return str(chinese_calendar.__version__), min(years), max(years)


def require_aware(value: dt.datetime, field: str) -> dt.datetime:
    """Return ``value`` if it carries a time zone, else raise ``Invalid(field, …)``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(field, f"{value.isoformat()} must be timezone-aware")
    return value


def _require_date(day: dt.date, field: str) -> dt.date:
    """Refuse a ``datetime`` where a calendar date is expected (its date would be ambiguous)."""
    if isinstance(day, dt.datetime):
        raise Invalid(field, f"expected a date, got the datetime {day.isoformat()}")
    return day


class WorkCalendar:
    """Working days of mainland China: weekends, public holidays and make-up working days.

    ``overrides`` maps a date to ``True`` (a working day) or ``False`` (a day off) and wins
    over the library: local decisions, or a year ``chinesecalendar`` has no data for yet. A
    year with at least one override counts as covered: its other days follow the Monday-to-
    Friday rule. ``cutoff`` is the local close of business (default 17:00): an instant at or
    after it belongs to the next working day. Answers are cached per day.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        cutoff: dt.time = DEFAULT_CUTOFF,
    ) -> None:
        self._overrides = self._checked_overrides(overrides or {})
        self._override_years = frozenset(day.year for day in self._overrides)
        if cutoff.tzinfo is not None or cutoff == dt.time(0, 0):
            raise Invalid("cutoff", "must be a local time of day after 00:00, without zone")
        self.cutoff = cutoff
        self._cache: dict[dt.date, bool] = {}

    @staticmethod
    def _checked_overrides(overrides: Mapping[dt.date, bool]) -> dict[dt.date, bool]:
        """Copy the overrides, refusing datetimes as keys and non-booleans as values."""
        checked: dict[dt.date, bool] = {}
        for day, working in overrides.items():
            _require_date(day, "overrides")
            if not isinstance(working, bool):
                raise Invalid("overrides", f"{day.isoformat()}: expected True or False")
            checked[day] = working
        return checked

    def __repr__(self) -> str:
        return f"WorkCalendar(overrides={len(self._overrides)}, cutoff={self.cutoff.isoformat()})"

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (make-up working days included)."""
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._decide(_require_date(day, "day"))
        return cached

    def _decide(self, day: dt.date) -> bool:
        """Override first, then the library, then the weekday rule for an overridden year."""
        if day in self._overrides:
            return self._overrides[day]
        verdict = _library_workday(day)
        if verdict is not None:
            return verdict
        if day.year in self._override_years:
            return day.weekday() < 5
        version, first, last = library_coverage()
        raise Invalid(
            "day",
            f"{day.isoformat()}: no public-holiday data for {day.year} (chinesecalendar "
            f"{version} covers {first}–{last}); upgrade chinesecalendar or add overrides "
            f"for {day.year}",
        )

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day``, which never counts itself (n = 0: ``day``)."""
        if n < 0:
            raise Invalid("n", f"must be ≥ 0, got {n}")
        _require_date(day, "day")
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (``start``, ``end``].

        Reversed (``end`` < ``start``): minus the working days in (``end``, ``start``].
        """
        _require_date(start, "start")
        _require_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count

    def working_day_of(self, at: dt.datetime) -> dt.date:
        """The working day an instant belongs to, in Asia/Shanghai.

        Its local date when that is a working day and the local time is before the cut-off;
        otherwise the next working day (after hours, weekends and holidays roll forward).
        """
        local = require_aware(at, "at").astimezone(SHANGHAI)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.cutoff:
            return day
        return self.next_working_day(day)

    def close_of(self, day: dt.date) -> dt.datetime:
        """The end of working day ``day``: its cut-off in Asia/Shanghai, as aware UTC."""
        local = dt.datetime.combine(_require_date(day, "day"), self.cutoff, tzinfo=SHANGHAI)
        return local.astimezone(dt.UTC)

    def deadline(self, start: dt.datetime, n: int) -> dt.datetime:
        """The end (cut-off, aware UTC) of the ``n``-th working day after ``start``'s working day.

        ``start`` belongs to :meth:`working_day_of` (after 17:00 or on a day off: the next
        working day); that day is day 0, the next working day is day 1.
        """
        day = self.working_day_of(require_aware(start, "start"))
        return self.close_of(self.add_working_days(day, n))


@cache
def default_calendar() -> WorkCalendar:
    """The shared calendar without overrides (its per-day cache is shared too)."""
    return WorkCalendar()
