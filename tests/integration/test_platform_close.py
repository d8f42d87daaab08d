"""Closing a platform on the embedded bus loses no published event: the relay already counts
them as delivered, so ``Platform.close`` waits for the in-process consumers to finish."""

from __future__ import annotations

import threading
import time

import pytest

from lingang import bootstrap as bootstrap_module
from lingang.bootstrap import bootstrap
from lingang.bus.events import Event
from lingang.cases.events import CaseReopened
from lingang.config import Settings
from lingang.demo import demo_uscc


def test_close_waits_for_slow_in_process_consumers_and_says_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(bootstrap_module, "DRAIN_LOG_EVERY_S", 0.05)
    platform = bootstrap(settings)
    handled: list[int] = []
    lock = threading.Lock()

    def slow(event: Event) -> None:
        assert isinstance(event, CaseReopened)
        time.sleep(0.1)
        with lock:
            handled.append(event.case_id)

    platform.bus.subscribe("slow-test", [CaseReopened], slow)
    events = [CaseReopened(case_id=i, enterprise_uscc=demo_uscc(1), scenario="x",
                           previous_outcome=None, reason="test", reopened_by="t")
              for i in range(6)]  # fmt: skip
    for event in events:
        platform.bus.publish(event)
    platform.close()
    assert sorted(handled) == list(range(6))  # 0.6 s of work: longer than a log period
    assert "still being handled" in caplog.text
