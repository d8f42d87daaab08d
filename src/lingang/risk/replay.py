"""Live traffic for the demo: declarations of the simulated zone replayed as new events.

Each tick takes the next few declaration lines of the zone's last simulated month from the
lake, gives them a new declaration number and the day after the lake's last day (so their
features see the simulated year as history), and assesses them online through
the published rule set — so the live feed and the alerts move while the demo runs. Nothing
replayed is written to the lake. Everything replayed is simulated.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from typing import Any

from lingang.errors import LingangError
from lingang.lake.catalog import DECLARATIONS
from lingang.lake.store import LakeStore
from lingang.risk.assessments.service import AssessmentService
from lingang.types import Actor

log = logging.getLogger(__name__)


def replay_lines(store: LakeStore, days: int = 30) -> list[dict[str, Any]]:
    """The declaration lines of the last ``days`` days in the lake (oldest first)."""
    query = (
        f"SELECT {', '.join(DECLARATIONS.field_names)} FROM declarations WHERE declared_on > "
        "(SELECT max(declared_on) FROM declarations) - $days::INTEGER "
        "ORDER BY declared_on, declaration_id, item_no"
    )
    return store.sql(query, {"days": days}).to_pylist()


def renumbered(lines: list[dict[str, Any]], today: dt.date) -> Iterator[dict[str, Any]]:
    """Lines with fresh 18-digit declaration numbers (prefix 9) dated ``today``, forever."""
    serial = 0
    while lines:
        for line in lines:
            serial += 1
            yield {**line, "declared_on": today, "declaration_id": f"9{serial:017d}"[:18]}


class LiveReplay:
    """A daemon thread that assesses ``per_tick`` replayed lines every ``every_s`` seconds."""

    def __init__(self, assessments: AssessmentService, store: LakeStore, actor: Actor, *,
                 per_tick: int = 3, every_s: float = 2.0) -> None:  # fmt: skip
        self._assessments = assessments
        self._store = store
        self._actor = actor
        self._per_tick = per_tick
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.assessed = 0

    def start(self) -> None:
        """Begin replaying (no-op when the lake has no declarations)."""
        lines = replay_lines(self._store)
        if not lines:
            log.info("no declarations to replay")
            return
        self._thread = threading.Thread(target=self._run, args=(lines,), name="live-replay",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current tick."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self, lines: list[dict[str, Any]]) -> None:
        newest = max(line["declared_on"] for line in lines)
        source = renumbered(lines, newest + dt.timedelta(days=1))
        while not self._stop.wait(self._every_s):
            batch = [next(source) for _ in range(self._per_tick)]
            try:
                self._assessments.assess_many("declarations", batch, actor=self._actor,
                                              source="replay")  # fmt: skip
                self.assessed += len(batch)
            except LingangError as exc:
                log.warning("live replay skipped a tick: %s", exc)
