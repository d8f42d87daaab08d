"""Working days (工作日) and SLA clocks in Chinese working days.

:class:`WorkCalendar` knows weekends, public holidays and make-up working days (调休) from the
``chinesecalendar`` package; :class:`SlaClock` counts a time limit in working days with pauses.
Used by case management, online services and city operations. Rules: docs/workdays.md.
"""

from __future__ import annotations

from lingang.workdays.calendar import (
    DEFAULT_CUTOFF,
    SHANGHAI,
    WorkCalendar,
    default_calendar,
    library_coverage,
)
from lingang.workdays.clock import (
    STATUS_LABELS,
    Pause,
    SlaClock,
    SlaStatus,
    pauses_from_json,
    pauses_to_json,
)

__all__ = [
    "DEFAULT_CUTOFF",
    "SHANGHAI",
    "STATUS_LABELS",
    "Pause",
    "SlaClock",
    "SlaStatus",
    "WorkCalendar",
    "default_calendar",
    "library_coverage",
    "pauses_from_json",
    "pauses_to_json",
]
