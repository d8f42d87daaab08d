"""How busy each simulated day is: weekday rhythm, the Spring Festival dip, the year-end peak.

Factors are simulation assumptions: weekends run at a fraction of a weekday, trade nearly
stops in the Spring Festival week and recovers over the next fortnight, National Day week
is quiet, and November–December run above average.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

# 春节 (first day of the lunar year), 2015–2035.
SPRING_FESTIVAL: dict[int, dt.date] = {
    y: dt.date(y, m, d)
    for y, m, d in (
        (2015, 2, 19),
        (2016, 2, 8),
        (2017, 1, 28),
        (2018, 2, 16),
        (2019, 2, 5),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        (2030, 2, 3),
        (2031, 1, 23),
        (2032, 2, 11),
        (2033, 1, 31),
        (2034, 2, 19),
        (2035, 2, 8),
    )
}
WEEKDAY_FACTOR = np.array([1.0, 1.05, 1.05, 1.0, 0.95, 0.3, 0.15])  # Monday first
GROWTH_PER_YEAR = 0.08


def day_weights(start: dt.date, days: int) -> np.ndarray:
    """Relative declaration volume of each day in the window (mean 1)."""
    dates = np.arange(np.datetime64(start), np.datetime64(start) + days)
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = WEEKDAY_FACTOR[weekday] * _seasonal(dates)
    weights *= (1 + GROWTH_PER_YEAR) ** (np.arange(days) / 365)
    return np.asarray(weights / weights.mean(), dtype=np.float64)


def _seasonal(dates: np.ndarray) -> np.ndarray:
    factor = np.ones(len(dates))
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    factor[month >= 11] *= 1.2
    factor[(month == 10) & (day <= 7)] *= 0.45  # National Day golden week
    for festival in SPRING_FESTIVAL.values():
        offset = (dates - np.datetime64(festival)).astype(np.int64)
        factor[(offset >= -21) & (offset < -7)] *= 1.1  # pre-holiday rush
        factor[(offset >= -7) & (offset < -2)] *= 0.6
        factor[(offset >= -2) & (offset <= 7)] *= 0.2
        factor[(offset > 7) & (offset <= 17)] *= 0.65
    return factor


def spring_festival_in(start: dt.date, days: int) -> dt.date | None:
    """The Spring Festival date inside the window, if any."""
    end = start + dt.timedelta(days=days - 1)
    return next((d for d in SPRING_FESTIVAL.values() if start <= d <= end), None)
