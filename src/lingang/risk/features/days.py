"""Event dates as day numbers (days since 1970-01-01, UTC), the same in Python and SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from lingang.errors import Invalid
from lingang.lake.catalog import Dataset
from lingang.risk.rules.compile_sql import quote_identifier

EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_US_PER_DAY = 86_400_000_000


def day_number(value: Any) -> int | None:
    """The day of a date, or the UTC day of a timestamp (naive timestamps are UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return int(value.date().toordinal() - _EPOCH_ORDINAL)
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, str):
        return day_number(dt.datetime.fromisoformat(value))
    raise Invalid("date", f"not a date or timestamp: {value!r}")


def from_day(day: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=day)


def is_timestamp(dataset: Dataset) -> bool:
    """Whether the dataset's partition field is a timestamp (its day is the UTC date)."""
    return pa.types.is_timestamp(dataset.get(dataset.partition_by).type)


def sql_day(dataset: Dataset, column: str | None = None) -> str:
    """A DuckDB expression of the day number of the dataset's partition field.

    It does not depend on the connection's TimeZone: a timestamp's day comes from its epoch.
    """
    name = quote_identifier(column or dataset.partition_by)
    if is_timestamp(dataset):
        return f"CAST(floor(epoch_us({name}) / {_US_PER_DAY}) AS BIGINT)"
    return f"CAST(({name} - DATE '1970-01-01') AS BIGINT)"
