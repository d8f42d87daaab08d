"""Vectorised field checks: per check kind, a polars expression that flags bad values and one
that explains them, plus the check-digit arithmetic of USCCs and ISO 6346 container numbers.

Every expression works on a whole column at once; the check-digit maths runs in numpy over a
byte matrix (one row per value), never value by value in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.lib.stride_tricks import sliding_window_view

from lingang.entities.model import USCC_ALPHABET, USCC_WEIGHTS
from lingang.lake.catalog import DG_CLASSES, USCC_PATTERN, Check, Field
from lingang.lake.reference import countries, currencies, load_hs

CONTAINER_PATTERN = r"[A-Z]{3}[UJZ]\d{7}"
HS_PATTERN = r"\d{6}(?:\d{2}){0,2}"
FOREIGN_CODE_PATTERN = r"[0-9A-Z]{6,17}"
UN_NUMBER_PATTERN = r"\d{4}"


@dataclass(frozen=True, slots=True)
class References:
    """The reference sets checks compare against (HS 2022 subheadings, ISO codes)."""

    hs6: frozenset[str]
    countries: frozenset[str]
    currencies: frozenset[str]


def load_references(hs_path: Path | None) -> References:
    """Reference sets; HS subheadings only when a path is given (datasets without HS codes).

    Comtrade's "not specified according to kind" rows (section ``TOTAL``: 99, 9999, 999999)
    are not WCO codes, so 999999 is not accepted as a subheading.
    """
    hs6: frozenset[str] = frozenset()
    if hs_path is not None:
        table = load_hs(hs_path)
        hs6 = frozenset(c for c, hs in table.items() if hs.level == 6 and hs.section != "TOTAL")
    return References(hs6=hs6, countries=countries(), currencies=currencies())


def full_match(value: pl.Expr, pattern: str) -> pl.Expr:
    """True where the whole string matches ``pattern``."""
    return value.str.contains(f"^(?:{pattern})$")


def _code_matrix(values: pl.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the non-null values exactly ``width`` bytes long, and those bytes as an
    (n, width) matrix, read straight from the Arrow buffers."""
    array = values.to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    _, offset_buffer, data_buffer = array.buffers()
    assert offset_buffer is not None
    offsets = np.frombuffer(memoryview(offset_buffer), dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    present = np.asarray(array.is_valid())
    rows = np.flatnonzero((np.diff(offsets) == width) & present)
    if rows.size == 0 or data_buffer is None:
        return rows[:0], np.zeros((0, width), dtype=np.uint8)
    windows = sliding_window_view(np.frombuffer(memoryview(data_buffer), dtype=np.uint8), width)
    return rows, windows[offsets[rows]]


def _lookup(alphabet: dict[str, int]) -> np.ndarray:
    table = np.full(256, -1, dtype=np.int8)
    for char, value in alphabet.items():
        table[ord(char)] = value
    return table


USCC_VALUES = _lookup({c: i for i, c in enumerate(USCC_ALPHABET)})
USCC_WEIGHT_ARRAY = np.array(USCC_WEIGHTS, dtype=np.int64)
# ISO 6346: letters count from 10 upwards, skipping multiples of 11.
_LETTERS = [v for v in range(10, 39) if v % 11][:26]
CONTAINER_VALUES = _lookup(
    {**{str(d): d for d in range(10)}, **{chr(65 + i): v for i, v in enumerate(_LETTERS)}}
)
CONTAINER_WEIGHTS = 2 ** np.arange(10, dtype=np.int64)
CATEGORY_VALUES = CONTAINER_VALUES[[ord(c) for c in "UJZ"]]


def _spread(values: pl.Series, rows: np.ndarray, ok: np.ndarray) -> pl.Series:
    result = np.zeros(len(values), dtype=bool)
    result[rows] = ok
    return pl.Series(values.name, result)


def uscc_valid(values: pl.Series) -> pl.Series:
    """True where a value is a USCC: 18 characters of the GB 32100-2015 alphabet, digits in
    places 3–8 (the division code), and the matching check character."""
    rows, matrix = _code_matrix(values, 18)
    digits = np.take(USCC_VALUES, matrix)
    ok = (digits.min(axis=1) >= 0) & ((matrix[:, 2:8] - 48).max(axis=1) < 10)
    total = (digits[:, :17] * USCC_WEIGHT_ARRAY).sum(axis=1)  # no BLAS: its threads spin
    return _spread(values, rows, ok & (digits[:, 17] == (31 - total % 31) % 31))


def container_valid(values: pl.Series) -> pl.Series:
    """True where a value is an ISO 6346 container number: three owner letters, a category
    letter U, J or Z, six serial digits and the matching check digit."""
    rows, matrix = _code_matrix(values, 11)
    digits = np.take(CONTAINER_VALUES, matrix).astype(np.int64)
    total = (digits[:, :10] * CONTAINER_WEIGHTS).sum(axis=1)
    shape = (digits[:, :3] >= 10).all(axis=1) & np.isin(digits[:, 3], CATEGORY_VALUES)
    shape &= ((digits[:, 4:] >= 0) & (digits[:, 4:] < 10)).all(axis=1)
    return _spread(values, rows, shape & (digits[:, 10] == total % 11 % 10))


SeriesCheck = Callable[[pl.Series], pl.Series]


def expression_check(make: Callable[[pl.Expr], pl.Expr]) -> SeriesCheck:
    """A check written as an expression, applied to a series."""
    return lambda values: values.to_frame("v").select(make(pl.col("v"))).to_series()


def by_distinct(value: pl.Expr, check: SeriesCheck) -> pl.Expr:
    """Run a costly per-value ``check`` once per distinct value and map the verdicts back
    with a hash lookup: codes repeat (an importer files many declarations)."""
    good = value.drop_nulls().unique().map_batches(lambda s: s.filter(check(s)))
    return value.is_in(good.implode())


def enterprise_code_valid(values: pl.Series) -> pl.Series:
    """A USCC when 18 characters long, else a 6–17 character code of 0-9 A-Z."""
    usccs = uscc_valid(values)
    foreign = values.str.contains(f"^(?:{FOREIGN_CODE_PATTERN})$").fill_null(False)
    return pl.select(
        pl.when(values.str.len_bytes() == 18).then(usccs).otherwise(foreign)
    ).to_series()


def _hs_ok(value: pl.Expr, refs: References) -> pl.Expr:
    known = pl.Series(sorted(refs.hs6), dtype=pl.String)
    return full_match(value, HS_PATTERN) & value.str.slice(0, 6).is_in(known.implode())


def _un_ok(value: pl.Expr) -> pl.Expr:
    number = value.cast(pl.Int32, strict=False)
    return full_match(value, UN_NUMBER_PATTERN) & number.is_between(4, 3599)


def passes(field: Field, value: pl.Expr, refs: References) -> pl.Expr | None:
    """True where a typed, non-null value passes the field's check; None for no check."""
    rules: dict[Check, Callable[[], pl.Expr]] = {
        Check.ENUM: lambda: value.is_in(list(field.values)),
        Check.PATTERN: lambda: full_match(value, field.pattern),
        Check.POSITIVE: lambda: value > 0,
        Check.NON_NEGATIVE: lambda: value >= 0,
        Check.HS_CODE: lambda: _hs_ok(value, refs),
        Check.COUNTRY: lambda: value.is_in(sorted(refs.countries)),
        Check.CURRENCY: lambda: value.is_in(sorted(refs.currencies)),
        Check.USCC: lambda: by_distinct(value, uscc_valid),
        Check.ENTERPRISE_CODE: lambda: by_distinct(value, enterprise_code_valid),
        Check.UN_NUMBER: lambda: _un_ok(value),
        Check.DG_CLASS: lambda: value.is_in(list(DG_CLASSES)),
        Check.CONTAINER: lambda: by_distinct(value, container_valid),
    }
    rule = rules.get(field.check)
    return rule() if rule else None


def _say(text: pl.Expr, template: str) -> pl.Expr:
    """``template`` with its leading ``{}`` replaced by the value (no other braces parsed)."""
    return pl.concat_str([text, pl.lit(template.removeprefix("{}"))])


def _listed(values: tuple[str, ...]) -> str:
    shown = ", ".join(values[:12])
    return shown + (", …" if len(values) > 12 else "")


def _hs_reason(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(~full_match(text, HS_PATTERN))
        .then(_say(text, "{} is not 6, 8 or 10 digits"))
        .when(text.str.len_bytes() == 6)
        .then(_say(text, "{} is not an HS 2022 subheading"))
        .otherwise(
            pl.concat_str([text, pl.lit(": "), text.str.slice(0, 6)])
            + pl.lit(" is not an HS 2022 subheading")
        )
    )


def _uscc_reason(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(~full_match(text, USCC_PATTERN))
        .then(_say(text, "{} is not 18 characters of the USCC alphabet"))
        .otherwise(_say(text, "{} check character does not match (GB 32100-2015)"))
    )


def _container_reason(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(~full_match(text, CONTAINER_PATTERN))
        .then(_say(text, "{} is not 4 letters (owner + U/J/Z) and 7 digits (ISO 6346)"))
        .otherwise(_say(text, "{} check digit does not match (ISO 6346)"))
    )


def _enterprise_reason(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.len_bytes() == 18)
        .then(_uscc_reason(text))
        .otherwise(_say(text, "{} is neither a USCC nor a 6–17 character code of 0-9 A-Z"))
    )


def reason(field: Field, text: pl.Expr) -> pl.Expr:
    """Why a value failed the field's check (``text`` is the value as a string)."""
    messages: dict[Check, Callable[[], pl.Expr]] = {
        Check.ENUM: lambda: _say(text, "{} is not one of " + _listed(field.values)),
        Check.PATTERN: lambda: _say(text, "{} does not match " + field.pattern),
        Check.POSITIVE: lambda: _say(text, "{} is not greater than 0"),
        Check.NON_NEGATIVE: lambda: _say(text, "{} is negative"),
        Check.HS_CODE: lambda: _hs_reason(text),
        Check.COUNTRY: lambda: _say(text, "{} is not an ISO 3166-1 alpha-2 country code"),
        Check.CURRENCY: lambda: _say(text, "{} is not an ISO 4217 currency code"),
        Check.USCC: lambda: _uscc_reason(text),
        Check.ENTERPRISE_CODE: lambda: _enterprise_reason(text),
        Check.UN_NUMBER: lambda: _say(text, "{} is not a UN number (four digits, 0004–3599)"),
        Check.DG_CLASS: lambda: _say(text, "{} is not a GB 6944 class or division"),
        Check.CONTAINER: lambda: _container_reason(text),
    }
    message = messages.get(field.check)
    return message() if message else _say(text, "{} is not allowed")
