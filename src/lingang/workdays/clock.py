"""SLA clock (时限计时) in working days: a limit, pauses while waiting, a stop.

A pure value object: every move returns a new clock, nothing is stored. The rules (day 1,
cut-off, how pauses move the deadline, the statuses) are in docs/workdays.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from lingang.errors import Invalid
from lingang.workdays.calendar import WorkCalendar, default_calendar, require_aware

Pause = tuple[dt.datetime, dt.datetime | None]
"""One pause: when it began, and when it ended (``None`` while it lasts)."""

Language = Literal["zh-CN", "en"]


def pauses_to_json(pauses: Sequence[Pause]) -> list[list[str | None]]:
    """Pauses as ISO 8601 pairs, as the stores keep them in an ``sla_pauses`` JSON column."""
    return [[start.isoformat(), end.isoformat() if end else None] for start, end in pauses]


def pauses_from_json(stored: Sequence[Sequence[str | None]]) -> tuple[Pause, ...]:
    """Pauses read back from :func:`pauses_to_json`'s form."""
    return tuple(
        (dt.datetime.fromisoformat(str(start)), dt.datetime.fromisoformat(end) if end else None)
        for start, end in stored
    )


class SlaStatus(StrEnum):
    """Where a clock stands at an instant."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    PAUSED = "paused"
    BREACHED = "breached"
    STOPPED = "stopped"

    def label(self, lang: Language = "zh-CN") -> str:
        """The status in zh-CN (default) or English."""
        if lang not in ("zh-CN", "en"):
            raise Invalid("lang", f"expected zh-CN or en, got {lang!r}")
        zh, en = STATUS_LABELS[self]
        return en if lang == "en" else zh


STATUS_LABELS: dict[SlaStatus, tuple[str, str]] = {
    SlaStatus.ON_TRACK: ("正常", "On track"),
    SlaStatus.DUE_SOON: ("即将到期", "Due soon"),
    SlaStatus.PAUSED: ("已暂停", "Paused"),
    SlaStatus.BREACHED: ("已超期", "Breached"),
    SlaStatus.STOPPED: ("已结束", "Stopped"),
}


@dataclass(frozen=True)
class SlaClock:
    """A time limit of ``limit`` working days from ``started_at``, with pauses and a stop.

    ``pauses`` are ordered, non-overlapping ``(start, end)`` pairs after ``started_at``; only
    the last may be open (``end`` = ``None``). Working days spent paused push the deadline back
    one for one. All datetimes must be timezone-aware. Build one with ``SlaClock(limit,
    started_at)`` and move it with :meth:`pause`, :meth:`resume` and :meth:`stop`.
    """

    limit: int
    started_at: dt.datetime
    pauses: Sequence[Pause] = ()
    stopped_at: dt.datetime | None = None
    calendar: WorkCalendar = field(default_factory=default_calendar, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0:
            raise Invalid(
                "limit", f"must be a whole number of working days ≥ 0, got {self.limit!r}"
            )
        require_aware(self.started_at, "started_at")
        object.__setattr__(self, "pauses", self._checked_pauses())
        if self.stopped_at is not None:
            self._check_stop(self.stopped_at)

    def _checked_pauses(self) -> tuple[Pause, ...]:
        """The pauses as a tuple, refusing naive, overlapping, reversed or early ones."""
        checked: list[Pause] = []
        last = self.started_at
        for number, (start, end) in enumerate(self.pauses, start=1):
            if checked and checked[-1][1] is None:
                raise Invalid("pauses", f"pause {number - 1} is open; only the last may be")
            if require_aware(start, "pauses") < last:
                raise Invalid("pauses", f"pause {number} begins before {last.isoformat()}")
            if end is not None and require_aware(end, "pauses") < start:
                raise Invalid("pauses", f"pause {number} ends before it begins")
            checked.append((start, end))
            last = end if end is not None else start
        return tuple(checked)

    def _check_stop(self, stopped_at: dt.datetime) -> None:
        """A stop comes after every other move and never while a pause is open."""
        require_aware(stopped_at, "stopped_at")
        if self.open_pause is not None:
            raise Invalid("stopped_at", "a stopped clock cannot have an open pause")
        if stopped_at < self.last_move:
            raise Invalid("stopped_at", f"is before the last move at {self.last_move.isoformat()}")

    # -- state -----------------------------------------------------------------------------

    @property
    def open_pause(self) -> dt.datetime | None:
        """When the pause still running began; ``None`` when the clock is not paused."""
        if self.pauses and self.pauses[-1][1] is None:
            return self.pauses[-1][0]
        return None

    @property
    def last_move(self) -> dt.datetime:
        """The latest of the start, pause starts and pause ends (the stop excluded)."""
        if not self.pauses:
            return self.started_at
        start, end = self.pauses[-1]
        return end if end is not None else start

    # -- moves -----------------------------------------------------------------------------

    def _check_move(self, at: dt.datetime) -> None:
        """Refuse any move on a stopped clock, or at a time before the start or the last move."""
        require_aware(at, "at")
        if self.stopped_at is not None:
            raise Invalid("stopped_at", f"the clock stopped at {self.stopped_at.isoformat()}")
        if at < self.started_at:
            raise Invalid(
                "at", f"{at.isoformat()} is before the start {self.started_at.isoformat()}"
            )
        if at < self.last_move:
            raise Invalid(
                "at", f"{at.isoformat()} is before the last move {self.last_move.isoformat()}"
            )

    def pause(self, at: dt.datetime) -> SlaClock:
        """A clock paused from ``at`` (e.g. waiting for the enterprise)."""
        self._check_move(at)
        if self.open_pause is not None:
            raise Invalid("pauses", f"already paused since {self.open_pause.isoformat()}")
        return dataclasses.replace(self, pauses=(*self.pauses, (at, None)))

    def resume(self, at: dt.datetime) -> SlaClock:
        """A clock running again from ``at``."""
        self._check_move(at)
        began = self.open_pause
        if began is None:
            raise Invalid("pauses", "the clock is not paused")
        return dataclasses.replace(self, pauses=(*self.pauses[:-1], (began, at)))

    def stop(self, at: dt.datetime) -> SlaClock:
        """A clock stopped at ``at`` (case closed); an open pause ends at ``at``."""
        if self.open_pause is not None:
            return dataclasses.replace(self.resume(at), stopped_at=at)
        self._check_move(at)
        return dataclasses.replace(self, stopped_at=at)

    # -- readings --------------------------------------------------------------------------

    def _as_of(self, now: dt.datetime) -> dt.datetime:
        """``now``, checked and held at the stop: a stopped clock reads as at its stop."""
        if require_aware(now, "now") < self.started_at:
            raise Invalid(
                "now", f"{now.isoformat()} is before the start {self.started_at.isoformat()}"
            )
        if self.stopped_at is not None and now > self.stopped_at:
            return self.stopped_at
        return now

    def _paused_working_days(self, until: dt.datetime | None) -> int:
        """Working days spent paused up to ``until`` (``None``: closed pauses only, in full)."""
        total = 0
        working_day_of = self.calendar.working_day_of
        for start, end in self.pauses:
            if until is None:
                if end is None:
                    continue
                stop = end
            elif start > until:
                continue
            else:
                stop = until if end is None or end > until else end
            total += self.calendar.working_days_between(working_day_of(start), working_day_of(stop))
        return total

    @property
    def due_at(self) -> dt.datetime:
        """The deadline (aware UTC), pushed back by the working days of the closed pauses.

        While a pause is open this is provisional: it moves again when the clock resumes
        (:meth:`due_at_as_of` counts the open pause up to an instant).
        """
        return self.calendar.deadline(self.started_at, self.limit + self._paused_working_days(None))

    def due_at_as_of(self, now: dt.datetime) -> dt.datetime:
        """The deadline (aware UTC) counting every pause, the open one up to ``now``."""
        paused = self._paused_working_days(self._as_of(now))
        return self.calendar.deadline(self.started_at, self.limit + paused)

    def is_paused(self, now: dt.datetime) -> bool:
        """Whether a pause covers ``now`` (a pause covers [start, end))."""
        now = self._as_of(now)
        return any(start <= now and (end is None or now < end) for start, end in self.pauses)

    def elapsed_working_days(self, now: dt.datetime) -> int:
        """Working days used up to ``now``: those since the start, less those paused."""
        now = self._as_of(now)
        working_day_of = self.calendar.working_day_of
        since_start = self.calendar.working_days_between(
            working_day_of(self.started_at), working_day_of(now)
        )
        return since_start - self._paused_working_days(now)

    def remaining_working_days(self, now: dt.datetime) -> int:
        """Working days left at ``now``; 0 on the due day, negative once overdue."""
        return self.limit - self.elapsed_working_days(now)

    def status(self, now: dt.datetime, *, due_soon_within: int = 1) -> SlaStatus:
        """The status at ``now``, first match of the order below.

        STOPPED (at or after the stop), BREACHED (overdue, even while paused), PAUSED,
        DUE_SOON (at most ``due_soon_within`` working days left), ON_TRACK.
        """
        if due_soon_within < 0:
            raise Invalid("due_soon_within", f"must be ≥ 0, got {due_soon_within}")
        require_aware(now, "now")
        if self.stopped_at is not None and now >= self.stopped_at:
            return SlaStatus.STOPPED
        remaining = self.remaining_working_days(now)
        if remaining < 0:
            return SlaStatus.BREACHED
        if self.is_paused(now):
            return SlaStatus.PAUSED
        if remaining <= due_soon_within:
            return SlaStatus.DUE_SOON
        return SlaStatus.ON_TRACK
