"""Working-day calendar (工作日历) of mainland China, from the ``chinesecalendar`` package.

Public holidays and make-up working days (调休) come from ``chinesecalendar`` (module
``chinese_calendar``), which carries the State Council schedules year by year. A year it has
no data for raises :class:`~lingang.errors.Invalid` unless the calendar's overrides cover it,
or, for a year after the library's last one, the calendar is ``provisional``: then the
statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, Art. 2) are days off, with
no 调休 make-up days, until the package carries that year's schedule. The rules (what counts as
day 1, the 17:00 cut-off) are in docs/workdays.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
from lunardate import LunarDate  # type: ignore[import-untyped]

from lingang.errors import Invalid

log = logging.getLogger(__name__)

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


@cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The statutory public holidays of ``year`` (《全国年节及纪念日放假办法》, 2024 revision,
    Art. 2): 元旦 1 Jan; 春节 农历除夕 and 正月初一–初三; 清明 (the solar term); 劳动节 1–2 May;
    端午 农历五月初五; 中秋 农历八月十五; 国庆 1–3 Oct. The State Council's yearly schedule adds
    bridge days and make-up working days around them, which only it can say."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = [day for day, name in chinese_calendar.get_solar_terms(
        dt.date(year, 4, 1), dt.date(year, 4, 10)) if name == "清明"]  # fmt: skip
    days = {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2),
            dt.date(year, 10, 1), dt.date(year, 10, 2), dt.date(year, 10, 3),
            LunarDate(year, 5, 5).to_solar_date(), LunarDate(year, 8, 15).to_solar_date(),
            *qingming}  # fmt: skip
    days.update(new_year + dt.timedelta(days=offset) for offset in (-1, 0, 1, 2))
    return frozenset(day for day in days if day.year == year)


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

    ``provisional``: a year after the library's last one, not covered by overrides, counts
    Monday to Friday less :func:`statutory_holidays` (logged once per year) instead of being
    refused; :meth:`is_provisional` tells such days.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        cutoff: dt.time = DEFAULT_CUTOFF,
        provisional: bool = False,
    ) -> None:
        self.provisional = provisional
        self._warned: set[int] = set()
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
        return (f"WorkCalendar(overrides={len(self._overrides)}, cutoff={self.cutoff.isoformat()}, "
            f"provisional={self.provisional})")  # fmt: skip

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
        if self.provisional and day.year > last:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("chinesecalendar %s has no schedule for %d: counting provisional "
                            "working days (statutory holidays, no 调休)", version, day.year)
            return day.weekday() < 5 and day not in statutory_holidays(day.year)
        raise Invalid(
            "day",
            f"{day.isoformat()}: no public-holiday data for {day.year} (chinesecalendar "
            f"{version} covers {first}–{last}); upgrade chinesecalendar or add overrides "
            f"for {day.year}",
        )

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` is counted by the provisional rule (its year's schedule unknown)."""
        _require_date(day, "day")
        if not self.provisional or day in self._overrides or day.year in self._override_years:
            return False
        return _library_workday(day) is None and day.year > library_coverage()[2]

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
    """The shared calendar the services count with: no overrides, provisional for a year the
    library does not carry yet (its per-day cache is shared too)."""
    return WorkCalendar(provisional=True)
