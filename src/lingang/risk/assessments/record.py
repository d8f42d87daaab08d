"""Check one incoming event against its lake dataset's fields, as the lake checks a file.

The online door (API and bus) takes one record at a time, so this is plain Python rather
than the importer's vectorised polars checks; the rules are the catalog's: presence, type,
enumerations, patterns, signs, HS codes, ISO countries and currencies, USCC check characters.
The first failing field is refused with ``Invalid(field, reason)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import polars as pl
import pyarrow as pa

from lingang.entities.model import validate_uscc
from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS, DG_CLASSES, Check, Dataset, Field
from lingang.lake.checks import (
    CONTAINER_PATTERN,
    FOREIGN_CODE_PATTERN,
    HS_PATTERN,
    container_valid,
)
from lingang.lake.reference import countries, currencies

MAX_TEXT = 500


def dataset_of(name: str) -> Dataset:
    """The catalog dataset called ``name``; ``Invalid('dataset', …)`` otherwise."""
    spec = DATASETS.get(name)
    if spec is None:
        raise Invalid("dataset", f"unknown dataset {name!r}; use one of {', '.join(DATASETS)}")
    return spec


def check_record(dataset: Dataset, raw: Mapping[str, Any],
                 hs_subheadings: frozenset[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """The record with typed values (dates as ``date``, numbers as float/int); unknown fields
    are refused, so a misspelt field is not silently ignored."""
    unknown = sorted(set(raw) - set(dataset.field_names))
    if unknown:
        raise Invalid(unknown[0], f"is not a field of {dataset.name}")
    record: dict[str, Any] = {}
    for field in dataset.fields:
        value = raw.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                raise Invalid(field.name, "required value is missing")
            record[field.name] = None
            continue
        typed = _typed(field, value)
        _check(field, typed, hs_subheadings)
        record[field.name] = typed
    return record


def event_day(dataset: Dataset, record: Mapping[str, Any]) -> dt.date:
    """The day an event belongs to (its partition date; timestamps by their UTC date)."""
    value = record[dataset.partition_by]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date()
    assert isinstance(value, dt.date)
    return value


def record_key(dataset: Dataset, record: Mapping[str, Any]) -> str:
    """The record's key as one text, e.g. ``223320250000012345/3``."""
    return "/".join(str(record[k]) for k in dataset.key)


def _typed(field: Field, value: Any) -> Any:
    kind = field.type
    try:
        if pa.types.is_integer(kind):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if pa.types.is_floating(kind):
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        if pa.types.is_date(kind):
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if pa.types.is_timestamp(kind):
            return _timestamp(value)
        if pa.types.is_boolean(kind):
            if not isinstance(value, bool):
                raise ValueError
            return value
    except (TypeError, ValueError):
        raise Invalid(field.name, f"{str(value)[:40]!r} is not {_type_word(field)}") from None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise Invalid(field.name, f"at most {MAX_TEXT} characters")
    return text


def _timestamp(value: Any) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if stamp.tzinfo is None:
        raise ValueError
    return stamp.astimezone(dt.UTC)


def _type_word(field: Field) -> str:
    kind = field.type
    if pa.types.is_integer(kind):
        return "an integer"
    if pa.types.is_floating(kind):
        return "a finite number"
    if pa.types.is_date(kind):
        return "a date (YYYY-MM-DD)"
    if pa.types.is_timestamp(kind):
        return "an ISO 8601 timestamp with a time zone"
    return "true or false"


def _check(field: Field, value: Any, hs: frozenset[str] | None) -> None:
    problem = _problem(field, value, hs)
    if problem:
        raise Invalid(field.name, problem)


def _problem(field: Field, value: Any, hs: frozenset[str] | None) -> str | None:
    check = field.check
    if check is Check.ENUM and value not in field.values:
        return f"{value!r} is not one of {', '.join(field.values)}"
    if check is Check.PATTERN and not _full(field.pattern, value):
        return f"{value!r} does not match {field.pattern}"
    if check is Check.POSITIVE and not value > 0:
        return "must be greater than 0"
    if check is Check.NON_NEGATIVE and not value >= 0:
        return "must not be negative"
    if check is Check.HS_CODE:
        return _hs_problem(value, hs)
    if check is Check.COUNTRY and value not in countries():
        return f"{value!r} is not an ISO 3166-1 alpha-2 country code"
    if check is Check.CURRENCY and value not in currencies():
        return f"{value!r} is not an ISO 4217 currency code"
    if check is Check.USCC or (check is Check.ENTERPRISE_CODE and len(value) == 18):
        return _uscc_problem(value)
    if check is Check.ENTERPRISE_CODE and not _full(FOREIGN_CODE_PATTERN, value):
        return f"{value!r} is neither a USCC nor a 6–17 character code"
    if check is Check.UN_NUMBER and not (_full(r"\d{4}", value) and "0004" <= value <= "3599"):
        return f"{value!r} is not a UN number (0004–3599, four digits)"
    if check is Check.DG_CLASS and value not in DG_CLASSES:
        return f"{value!r} is not a GB 6944 class or division"
    if check is Check.CONTAINER and not _container_ok(value):
        return f"{value!r} is not an ISO 6346 container number with a valid check digit"
    return None


def _hs_problem(value: str, hs: frozenset[str] | None) -> str | None:
    if not _full(HS_PATTERN, value):
        return f"{value!r} must be 6, 8 or 10 digits"
    if hs is not None and value[:6] not in hs:
        return f"{value[:6]} is not an HS 2022 subheading"
    return None


def _uscc_problem(value: str) -> str | None:
    try:
        validate_uscc(value)
    except Invalid as exc:
        return exc.reason
    return None


def _container_ok(value: str) -> bool:
    return _full(CONTAINER_PATTERN, value) and bool(container_valid(pl.Series([value]))[0])


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _full(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None
