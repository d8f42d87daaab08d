"""Column frames: dicts of equal-length numpy arrays that are concatenated, sorted and
numbered before they become Arrow tables."""

from __future__ import annotations

import numpy as np

Frame = dict[str, np.ndarray]


def concat(frames: list[Frame]) -> Frame:
    """Frames with the same columns, one after the other."""
    keys = list(frames[0])
    return {k: np.concatenate([f[k] for f in frames]) for k in keys}


def take(frame: Frame, index: np.ndarray) -> Frame:
    """Rows ``index`` of every column."""
    return {k: v[index] for k, v in frame.items()}


def sort_by(frame: Frame, key: str, rng: np.random.Generator) -> Frame:
    """Rows ordered by ``key``, ties broken at random (so a row's place says nothing)."""
    tiebreak = rng.integers(0, 2**31, len(frame[key]), dtype=np.int64)
    order = np.argsort((frame[key].astype(np.int64) << 31) | tiebreak, kind="stable")
    return take(frame, order)


def size(frame: Frame) -> int:
    """Number of rows."""
    return len(next(iter(frame.values()))) if frame else 0
