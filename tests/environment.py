"""What the tests need from the machine: one rule for what is missing, and where ../shared is.

Locally a missing service, binary or shared data file skips the test with the reason; under CI
(``CI`` set) it fails, because .ci/run must provide it — nothing may pass silently there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip with ``reason`` on a developer machine; fail with it under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def require_shared(*paths: Path) -> None:
    """Every path must exist in ../shared (read from there, never copied into the repo)."""
    for path in paths:
        if not path.exists():
            skip_or_fail(f"shared data {path} is missing (tests read ../shared, never a copy)")
