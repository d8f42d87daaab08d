"""Bonded-zone gate events and dangerous-goods manifests of one chunk.

Every bonded declaration moves through one of the zone's two compound gates: one event per
container (sea) or per truck (other modes), ``in`` for imports and ``out`` for exports,
within a few days of the declaration. Every declared dangerous-goods line has a manifest.
"""

from __future__ import annotations

import numpy as np

from lingang.lake.catalog import TRANSPORT_MODES
from lingang.simulate import text
from lingang.simulate.frames import Frame
from lingang.simulate.registry import Registry
from lingang.simulate.trade import Headers, Lines

GATES = ("YS-G1", "YS-G2")  # 洋山特殊综合保税区 two compound gates
OWNERS = ("MSCU", "MAEU", "COSU", "CMAU", "OOLU", "HLXU", "EGHU", "ONEU", "YMLU", "TGHU", "CSNU")
PLATE_LETTERS = "ABCDEFGHJKLMN"
CONTAINER_KG = 18_000.0
TARE_KG = 3_800.0
SECONDS_PER_DAY = 86_400
SHANGHAI_OFFSET_S = 8 * 3600


def header_containers(heads: Headers, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Owner code index and serial of each header's first container (sea only, else -1)."""
    sea = heads.transport == TRANSPORT_MODES.index("sea")
    owner = np.where(sea, rng.integers(0, len(OWNERS), len(sea)), -1)
    return owner, rng.integers(0, 999_000, len(sea))


def gate_frame(
    reg: Registry,
    heads: Headers,
    lines: Lines,
    containers: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> Frame:
    """Gate events for the bonded declarations."""
    kg = np.bincount(lines.header, weights=lines.net_kg, minlength=len(heads.day))
    first = np.cumsum(heads.items) - heads.items
    owner, serial = containers
    bonded = np.flatnonzero(heads.bonded)
    boxes = np.where(owner[bonded] >= 0, np.clip(np.ceil(kg[bonded] / CONTAINER_KG), 1, 6), 1)
    header = np.repeat(bonded, boxes.astype(np.int64))
    box = np.arange(len(header)) - np.repeat(
        np.cumsum(boxes) - boxes, boxes.astype(np.int64)
    ).astype(np.int64)
    per_box = kg[header] / boxes[np.searchsorted(bonded, header)]
    lag = rng.integers(0, 4, len(header))
    return {
        "enterprise": heads.enterprise[header],
        "time": event_times(heads.day[header] + lag, rng),
        "out": heads.export[header],
        "owner": owner[header],
        "serial": serial[header] + box,
        "hs": lines.hs[first[header]],
        "header": header,
        "gross_kg": np.round(per_box * 1.05 + np.where(owner[header] >= 0, TARE_KG, 0.0), 1),
        "flag": np.zeros(len(header), dtype=np.int64),
        "fake_seq": np.full(len(header), -1, dtype=np.int64),
    }


def event_times(day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seconds since the window start (UTC) of events on local ``day``s, mostly 06:00–22:00."""
    hour = np.where(
        rng.random(len(day)) < 0.9, rng.uniform(6, 22, len(day)), rng.uniform(0, 24, len(day))
    )
    return day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64) - SHANGHAI_OFFSET_S


def container_numbers(owner: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """ISO 6346 numbers (owner code, category U, serial, check digit) as a byte matrix."""
    codes = np.array([list(o.encode()) for o in OWNERS], dtype=np.uint8)
    body = text.join(codes[np.maximum(owner, 0)], text.digits(serial % 1_000_000, 6))
    return text.container_with_check(body)


def plates(rng: np.random.Generator, n: int) -> text.Bytes:
    """The ASCII part of Shanghai truck plates (a letter and five digits); prefix 沪 later."""
    letters = np.frombuffer(PLATE_LETTERS.encode(), dtype=np.uint8)[
        rng.integers(0, len(PLATE_LETTERS), n)
    ]
    return text.join(letters[:, None], text.digits(rng.integers(0, 100_000, n), 5))


def manifest_frame(
    heads: Headers, lines: Lines, containers: tuple[np.ndarray, np.ndarray]
) -> Frame:
    """One manifest per declared dangerous-goods line."""
    rows = np.flatnonzero(lines.dg >= 0)
    header = lines.header[rows]
    owner, serial = containers
    return {
        "enterprise": heads.enterprise[header],
        "day": heads.day[header],
        "header": header,
        "dg": lines.dg[rows],
        "kg": np.maximum(lines.net_kg[rows], 0.001),
        "owner": owner[header],
        "serial": serial[header],
    }
