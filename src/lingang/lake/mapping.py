"""Column-mapping files: bring a foreign layout through the same import door.

A mapping is a JSON file naming its target dataset, one rule per target field, and the
source columns to carry along beside the lake::

    {
      "name": "kcs-declarations",
      "dataset": "declarations",
      "fields": {
        "declaration_id": {"column": "Declaration ID"},
        "item_no": {"value": "1"},
        "hs_code": {"column": "HS6 Code", "pad": 6},
        "transport_mode": {"column": "Mode of Transport", "map": {"10": "sea", "40": "air"}}
      },
      "carry": ["Fraud", "Critical Fraud"]
    }

A rule takes exactly one of ``column`` (a source column) or ``value`` (a constant), then
applies, in this order: ``case`` (``upper``/``lower``), ``pad`` (left-pad with zeros to a
width), ``map`` (value → value; ``unmapped``: ``keep`` the source value so the validator
reports it, or ``null``), ``date_format`` (a strptime format, rewritten to ISO), ``scale``
(multiply a number) and ``default`` (used where the value is missing). The result goes
through the ordinary validation. Unknown targets, keys or options are refused when the file
is loaded, naming them. Mappings shipped with the platform live in ``lake/mappings/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl

from lingang.errors import Invalid, NotFound
from lingang.lake.catalog import DATASETS, Dataset
from lingang.lake.readers import LINE

RULE_KEYS = frozenset(
    {"column", "value", "case", "pad", "map", "unmapped", "date_format", "scale", "default"}
)
MAPPING_KEYS = frozenset({"name", "dataset", "description", "fields", "carry", "notes"})


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one target field is made from the source row."""

    target: str
    column: str | None = None
    value: str | None = None
    case: str | None = None
    pad: int | None = None
    map: tuple[tuple[str, str], ...] = ()
    unmapped: str = "keep"
    date_format: str | None = None
    scale: float | None = None
    default: str | None = None

    def expr(self, present: bool) -> pl.Expr:
        """The target column as an expression over the source frame."""
        if self.column is None or not present:
            return pl.lit(self.value if self.column is None else self.default, pl.String)
        value = pl.col(self.column)
        if self.case or self.pad or self.map or self.date_format or self.scale is not None:
            value = value.cast(pl.String).str.strip_chars()
        value = _transformed(self, value)
        return value if self.default is None else value.fill_null(pl.lit(self.default))


def _transformed(rule: FieldRule, value: pl.Expr) -> pl.Expr:
    if rule.case:
        value = value.str.to_uppercase() if rule.case == "upper" else value.str.to_lowercase()
    if rule.pad:
        value = value.str.zfill(rule.pad)
    if rule.map:
        old, new = zip(*rule.map, strict=True)
        default = value if rule.unmapped == "keep" else pl.lit(None, pl.String)
        value = value.replace_strict(list(old), list(new), default=default)
    if rule.date_format:
        parsed = value.str.to_date(rule.date_format, strict=False).dt.to_string("%Y-%m-%d")
        value = pl.coalesce(parsed, value)
    if rule.scale is not None:
        number = value.cast(pl.Float64, strict=False) * rule.scale
        value = pl.when(number.is_not_null()).then(number.cast(pl.String)).otherwise(value)
    return value


@dataclass(frozen=True, slots=True)
class Mapping:
    """A validated mapping from a source layout to one dataset."""

    name: str
    dataset: Dataset
    rules: tuple[FieldRule, ...]
    carry: tuple[str, ...]
    description: str = ""
    notes: tuple[str, ...] = ()

    def required_columns(self) -> list[str]:
        """Source columns the file must have: those of required targets, and carried ones."""
        required = {f.name for f in self.dataset.fields if f.required}
        used = [r.column for r in self.rules if r.column and r.target in required]
        return list(dict.fromkeys([*used, *self.carry]))

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The dataset's columns (and ``__line__``) made from a batch of the source layout."""
        present = set(frame.columns)
        return frame.select(
            pl.col(LINE),
            *(r.expr(r.column in present).alias(r.target) for r in self.rules),
        )

    def carried(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The carried source columns of a batch, as text."""
        return frame.select(pl.col(c).cast(pl.String) for c in self.carry)


def _fail(origin: str, reason: str) -> Invalid:
    return Invalid("mapping", f"{origin}: {reason}")


def _rule(target: str, spec: Any, origin: str) -> FieldRule:
    if not isinstance(spec, dict):
        raise _fail(origin, f"rule for {target!r} must be an object")
    unknown = sorted(set(spec) - RULE_KEYS)
    if unknown:
        raise _fail(origin, f"rule for {target!r} has unknown keys: {', '.join(unknown)}")
    if ("column" in spec) == ("value" in spec):
        raise _fail(origin, f"rule for {target!r} needs exactly one of 'column' or 'value'")
    if spec.get("case") not in (None, "upper", "lower"):
        raise _fail(origin, f"rule for {target!r}: case must be 'upper' or 'lower'")
    if spec.get("unmapped", "keep") not in ("keep", "null"):
        raise _fail(origin, f"rule for {target!r}: unmapped must be 'keep' or 'null'")
    pairs = tuple((str(k), str(v)) for k, v in (spec.get("map") or {}).items())
    text = {k: None if spec.get(k) is None else str(spec[k]) for k in ("column", "value")}
    return FieldRule(
        target=target, column=text["column"], value=text["value"], case=spec.get("case"),
        pad=int(spec["pad"]) if spec.get("pad") else None, map=pairs,
        unmapped=spec.get("unmapped", "keep"), date_format=spec.get("date_format"),
        scale=float(spec["scale"]) if spec.get("scale") is not None else None,
        default=None if spec.get("default") is None else str(spec["default"]),
    )  # fmt: skip


def parse_mapping(data: Any, origin: str) -> Mapping:
    """Check a mapping document and build it; ``Invalid`` names what is wrong."""
    if not isinstance(data, dict):
        raise _fail(origin, "must be a JSON object")
    unknown = sorted(set(data) - MAPPING_KEYS)
    if unknown:
        raise _fail(origin, f"unknown keys: {', '.join(unknown)}")
    dataset = DATASETS.get(str(data.get("dataset")))
    if dataset is None:
        raise _fail(origin, f"unknown dataset {data.get('dataset')!r}")
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise _fail(origin, "'fields' must map target fields to rules")
    strange = [t for t in fields if t not in dataset.field_names]
    if strange:
        raise _fail(origin, f"unknown target field {strange[0]!r} for dataset {dataset.name}")
    rules = tuple(_rule(t, spec, origin) for t, spec in fields.items())
    unmapped = [f.name for f in dataset.fields if f.required and f.name not in fields]
    if unmapped:
        raise _fail(origin, f"required fields not mapped: {', '.join(unmapped)}")
    carry = data.get("carry") or []
    if not isinstance(carry, list) or not all(isinstance(c, str) for c in carry):
        raise _fail(origin, "'carry' must be a list of column names")
    return Mapping(
        name=str(data.get("name") or origin), dataset=dataset, rules=rules,
        carry=tuple(carry), description=str(data.get("description", "")),
        notes=tuple(str(n) for n in data.get("notes", [])),
    )  # fmt: skip


def shipped_mappings() -> list[str]:
    """Names of the mappings that ship with the platform."""
    folder = files("lingang.lake") / "mappings"
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name (``kcs-declarations``) or a mapping file by path."""
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        if not path.is_file():
            raise NotFound(f"mapping file {path} not found")
        text, origin = path.read_text(encoding="utf-8"), path.name
    else:
        if name_or_path not in shipped_mappings():
            known = ", ".join(shipped_mappings())
            raise NotFound(f"mapping {name_or_path!r} not found (shipped: {known})")
        resource = files("lingang.lake") / "mappings" / f"{name_or_path}.json"
        text, origin = resource.read_text(encoding="utf-8"), name_or_path
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(origin, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    return parse_mapping(data, origin)
