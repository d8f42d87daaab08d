"""The vectorised code builders agree with the one-value-at-a-time rules they replace."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from lingang.entities.model import id_check_char, uscc_check_char
from lingang.lake.checks import container_valid
from lingang.simulate import text
from lingang.simulate.firms import usccs
from lingang.simulate.logistics import container_numbers
from lingang.simulate.people import id_numbers


def test_digits_pad_and_split_numbers() -> None:
    values = np.array([0, 7, 42, 123_456_789, 4_294_967_296 + 5])
    got = text.to_arrow(text.digits(values, 10)).to_pylist()
    assert got == [f"{v:010d}" for v in values.tolist()]


def test_usccs_are_distinct_with_valid_check_characters() -> None:
    codes = text.to_arrow(usccs(np.random.default_rng(1), 5000)).to_pylist()
    assert len(set(codes)) == 5000
    assert all(c is not None and uscc_check_char(c[:17]) == c[17] for c in codes)


def test_resident_ids_are_distinct_with_valid_check_characters() -> None:
    numbers = id_numbers(np.random.default_rng(2), 3000, dt.date(1960, 1, 1), dt.date(2000, 1, 1))
    values = [str(n) for n in numbers.to_pylist()]
    assert len(set(values)) == 3000
    assert all(id_check_char(n[:17]) == n[17] for n in values)


def test_container_numbers_pass_the_iso_6346_check() -> None:
    rng = np.random.default_rng(3)
    numbers = text.to_arrow(
        container_numbers(rng.integers(0, 5, 2000), rng.integers(0, 999_999, 2000))
    )
    assert container_valid(pl.Series(numbers.to_pylist())).all()
    # ISO 6346's own worked example
    worked = text.container_with_check(np.frombuffer(b"CSQU305438", dtype=np.uint8).reshape(1, 10))
    assert bytes(worked[0]).decode() == "CSQU3054383"


def test_the_cli_defaults_are_the_simulator_defaults() -> None:
    from lingang.cli import simulate as command
    from lingang.simulate import params

    assert (command.DEFAULT_SEED, command.DEFAULT_START) == (
        params.DEFAULT_SEED,
        params.DEFAULT_START,
    )
