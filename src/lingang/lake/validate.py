"""Validate a raw table against a catalog dataset, whole columns at a time (polars).

Each field is cast to its Arrow type (dates ``YYYY-MM-DD``, ISO 8601 timestamps, integers,
finite numbers), checked for presence when required, then checked by its ``Check`` kind. A
row that fails is rejected with its *first* failing field, in catalog order, and a reason
that names the field and the value: ``hs_code: 999999 is not an HS 2022 subheading``.

Strings are trimmed and an empty string counts as missing. Columns the dataset does not
declare are ignored here (a mapping may carry them elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from lingang.errors import Invalid
from lingang.lake.catalog import Check, Dataset, Field
from lingang.lake.checks import References, passes, reason

TYPED = "__typed__"
FAIL = "__fail__"
OK = "__ok__"
ROW = "__row__"


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome for one batch, in polars.

    ``typed`` holds the rows cast to the dataset's types, ``ok`` says which of them are
    valid, and ``rows`` gives each one's position in the input batch (rows that only passed
    once trimmed come last). ``rejects`` has ``row`` (position), ``field`` and ``reason``.
    Keeping the mask instead of filtering lets the writer filter once, with its dedupe.
    """

    typed: pl.DataFrame
    ok: pl.Series
    rows: pl.Series
    rejects: pl.DataFrame

    @property
    def valid(self) -> pl.DataFrame:
        """The valid rows, typed."""
        return self.typed.filter(self.ok)

    @property
    def valid_rows(self) -> pl.Series:
        """Positions of the valid rows in the input batch."""
        return self.rows.filter(self.ok)


@dataclass(frozen=True, slots=True)
class Validated:
    """The outcome for one batch, in Arrow: valid rows in the dataset's field schema, their
    positions in the input, and the rejects (``row``, ``field``, ``reason``)."""

    valid: pa.Table
    valid_rows: np.ndarray
    rejects: pa.Table


def field_schema(dataset: Dataset) -> pa.Schema:
    """The declared fields' Arrow schema (the stored schema without lineage columns)."""
    return pa.schema([dataset.arrow_schema().field(f.name) for f in dataset.fields])


def missing_required(dataset: Dataset, columns: list[str]) -> list[str]:
    """Required fields that have no column."""
    present = set(columns)
    return [f.name for f in dataset.fields if f.required and f.name not in present]


def validate(table: pa.Table, dataset: Dataset, refs: References) -> Validated:
    """Split an Arrow table into rows that conform to ``dataset`` and rejects with reasons."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    checked = check_frame(frame, dataset, refs)
    return Validated(
        valid=to_arrow(checked.valid, field_schema(dataset)),
        valid_rows=checked.valid_rows.to_numpy().astype(np.int64),
        rejects=to_arrow(checked.rejects, REJECT_SCHEMA),
    )


def check_frame(frame: pl.DataFrame, dataset: Dataset, refs: References) -> Checked:
    """Split a polars frame into typed valid rows and rejects (first failing field each).

    The first pass trims only free-text fields (a checked field rejects a padded value); the
    rows it rejects are checked once more with every text value trimmed, so ``" CN "`` is
    still accepted as ``CN`` without paying for trimming every value of every column.
    """
    absent = missing_required(dataset, frame.columns)
    if absent:
        raise Invalid("header", f"missing required columns: {', '.join(absent)}")
    first = _check(frame, dataset, refs, trim_all=False)
    if first.rejects.is_empty():
        return first
    retry = first.rejects["row"].cast(pl.UInt32)
    suspects = frame.select(n for n in dataset.field_names if n in frame.columns).select(
        pl.all().gather(retry)
    )
    return _rescued(first, retry, suspects, dataset, refs) if _padded(suspects) else first


def _padded(frame: pl.DataFrame) -> bool:
    """Whether some text value starts or ends with a space or a tab."""
    text = [n for n, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return False
    edges = [
        getattr(pl.col(n).str, end)(edge)
        for n in text for end in ("starts_with", "ends_with") for edge in (" ", "\t")
    ]  # fmt: skip
    return bool(frame.select(pl.any_horizontal(edges).any()).item())


def _rescued(
    first: Checked, retry: pl.Series, suspects: pl.DataFrame, dataset: Dataset, refs: References
) -> Checked:
    """Check the rejected rows again with every text value trimmed; keep those that pass."""
    again = _check(suspects, dataset, refs, trim_all=True)
    rescued = again.valid
    rejects = again.rejects.with_columns(
        pl.Series("row", retry.gather(again.rejects["row"].cast(pl.UInt32))).cast(pl.Int64)
    )
    if rescued.is_empty():
        return Checked(first.typed, first.ok, first.rows, rejects)
    return Checked(
        typed=pl.concat([first.typed, rescued]),
        ok=pl.concat([first.ok, pl.repeat(True, rescued.height, eager=True)]),
        rows=pl.concat([first.rows, retry.gather(again.valid_rows)]),
        rejects=rejects,
    )


def _check(frame: pl.DataFrame, dataset: Dataset, refs: References, *, trim_all: bool) -> Checked:
    prepared = _prepared(frame, dataset, trim_all=trim_all)
    checked = (
        prepared.lazy()
        .with_columns(
            _typed(f, prepared.schema[f.name]).alias(TYPED + f.name) for f in dataset.fields
        )
        .with_columns(pl.all_horizontal(_field_ok(f, refs) for f in dataset.fields).alias(OK))
        .with_row_index(ROW)
        .collect()
    )
    ok = checked[OK]
    typed = checked.select(pl.col(TYPED + f.name).alias(f.name) for f in dataset.fields)
    failed = checked.clear() if ok.all() else checked.filter(~ok)
    failed = failed.with_columns(_first_failure(dataset, refs).alias(FAIL))
    return Checked(typed, ok, checked[ROW], _rejects(failed, dataset))


def _prepared(frame: pl.DataFrame, dataset: Dataset, *, trim_all: bool) -> pl.DataFrame:
    """The dataset's columns only; text trimmed (all, or free text only), empty text null,
    absent optional columns null."""
    frame = frame.select(n for n in dataset.field_names if n in frame.columns)
    free = {f.name for f in dataset.fields if f.check is Check.NONE}
    text = [n for n, dtype in frame.schema.items() if dtype == pl.String]
    strip = [n for n in text if trim_all or n in free]
    return frame.with_columns(
        [_blank_to_null(pl.col(n).str.strip_chars()).alias(n) for n in strip]
        + [_blank_to_null(pl.col(n)).alias(n) for n in _with_empty(frame, text, strip)]
        + [pl.lit(None, pl.String).alias(n) for n in dataset.field_names if n not in frame.columns]
    )


def _with_empty(frame: pl.DataFrame, text: list[str], skip: list[str]) -> list[str]:
    """Text columns holding an empty string (CSV reads empty fields as null already)."""
    rest = [n for n in text if n not in skip]
    if not rest or frame.is_empty():
        return []
    flags = frame.select((pl.col(n).str.len_bytes() == 0).any().alias(n) for n in rest)
    return [n for n, flag in flags.row(0, named=True).items() if flag]


def _blank_to_null(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.len_bytes() > 0).then(text)


def _typed(field: Field, source: pl.DataType) -> pl.Expr:
    """The column cast to the field's type; null where the value does not parse."""
    raw = pl.col(field.name)
    target = field.type
    if pa.types.is_string(target):
        return raw if source == pl.String else raw.cast(pl.String)
    if pa.types.is_floating(target):
        number = raw.cast(pl.Float64, strict=False)
        return pl.when(number.is_finite()).then(number)
    if pa.types.is_integer(target):
        whole = raw.round(0) == raw if source.is_float() else pl.lit(True)
        cast = raw.cast(pl.Int64, strict=False)
        fits = cast.is_between(-(2**31), 2**31 - 1) & whole
        return pl.when(fits).then(cast.cast(pl.Int32))
    if pa.types.is_date(target):
        return _as_date(raw, source)
    if pa.types.is_timestamp(target):
        return _as_timestamp(raw, source)
    raise Invalid(field.name, f"type {target} is not supported by the validator")


def _as_date(raw: pl.Expr, source: pl.DataType) -> pl.Expr:
    if source == pl.String:
        return raw.str.to_date("%Y-%m-%d", strict=False)
    if source == pl.Date:
        return raw
    if isinstance(source, pl.Datetime):
        return raw.dt.date()
    return pl.lit(None, pl.Date)


def _as_timestamp(raw: pl.Expr, source: pl.DataType) -> pl.Expr:
    if source == pl.String:
        return raw.str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
    if isinstance(source, pl.Datetime):
        aware = raw.dt.replace_time_zone("UTC") if source.time_zone is None else raw
        return aware.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if source == pl.Date:
        return raw.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return pl.lit(None, pl.Datetime("us", "UTC"))


def _field_ok(field: Field, refs: References) -> pl.Expr:
    """True where the value parsed and passes its check, or is absent and optional."""
    raw, typed = pl.col(field.name), pl.col(TYPED + field.name)
    check = passes(field, typed, refs)
    ok = typed.is_not_null() if check is None else check.fill_null(False)
    return ok if field.required else ok | raw.is_null()


def _first_failure(dataset: Dataset, refs: References) -> pl.Expr:
    """Index of the first failing field, or null when the row is valid."""
    return pl.coalesce(
        pl.when(~_field_ok(f, refs)).then(pl.lit(i, pl.Int16)) for i, f in enumerate(dataset.fields)
    )


TYPE_WORDS = {"int": "an integer", "float": "a finite number", "date": "a date (YYYY-MM-DD)"}


def _type_word(field: Field) -> str:
    kind = field.type
    if pa.types.is_integer(kind):
        return TYPE_WORDS["int"]
    if pa.types.is_floating(kind):
        return TYPE_WORDS["float"]
    if pa.types.is_date(kind):
        return TYPE_WORDS["date"]
    return "an ISO 8601 timestamp"


def _field_reason(field: Field) -> pl.Expr:
    raw = pl.col(field.name)
    text = raw.cast(pl.String)
    return pl.lit(field.name + ": ") + (
        pl.when(raw.is_null())
        .then(pl.lit("required value is missing"))
        .when(pl.col(TYPED + field.name).is_null())
        .then(text + pl.lit(" is not " + _type_word(field)))
        .otherwise(reason(field, text))
    )


def _rejects(failed: pl.DataFrame, dataset: Dataset) -> pl.DataFrame:
    names = pl.Series(dataset.field_names)
    return failed.select(
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(FAIL)
        .replace_strict(range(len(names)), names, return_dtype=pl.String)
        .alias("field"),
        pl.coalesce(
            pl.when(pl.col(FAIL) == i).then(_field_reason(f)) for i, f in enumerate(dataset.fields)
        ).alias("reason"),
    )


_REJECT_TYPES: dict[str, pa.DataType] = {
    "row": pa.int64(),
    "field": pa.string(),
    "reason": pa.string(),
}
REJECT_SCHEMA = pa.schema(_REJECT_TYPES)


def to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """A polars frame as an Arrow table of exactly ``schema`` (plain strings, not views)."""
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(schema)
