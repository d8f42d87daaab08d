"""The plan's indicator registry, read from ``plan-indicators.yaml`` (../shared/domain/, or
``LINGANG_PLAN_INDICATORS``); never copied into the repository.

Every target row becomes an :class:`Indicator`. A 2020 baseline with the same id gives the
base value and year; a row with ``base_year`` and the unit 倍 (a multiple) starts from 1.
Rows with ``cumulative: true`` are cumulative counts; a ``%`` row whose name says 年均增速 is an
average annual rate; every other row is a level. The responsible department comes from
the area (:data:`DEPARTMENTS`) unless the row names one. A bad row raises ``Invalid`` naming
``<indicator id>.<field>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lingang.errors import Invalid, NotFound
from lingang.plan.model import (
    AREA_LABELS,
    PLAN_BASE_YEAR,
    PLAN_TARGET_YEAR,
    Comparator,
    Indicator,
    IndicatorKind,
    ProgressThresholds,
)
from lingang.yamltext import load_yaml

DEPARTMENTS: dict[str, str] = {
    "economy": "经济发展处",
    "innovation": "科技创新处",
    "industry": "产业发展处",
    "services": "金融贸易处",
    "openness": "开放创新处",
    "talent": "人才服务处",
    "digital": "数字化转型办公室",
    "transport": "交通建设处",
    "ecology": "生态环境处",
    "education": "社会事业处",
    "welfare": "社会事业处",
    "housing": "住房保障处",
    "city": "城市建设处",
    "governance": "城市运行管理处",
    "energy": "能源管理处",
}
"""The default responsible department of each area (管委会 divisions; editable per indicator)."""
MULTIPLE_UNIT = "倍"
RATE_WORDS = "年均增速"


@dataclass(frozen=True, slots=True)
class Baseline:
    """A 2020 figure the plan states."""

    id: str
    name_zh: str
    value: float
    unit: str
    year: int = PLAN_BASE_YEAR


@dataclass(frozen=True, slots=True)
class PlanRegistry:
    """The plan's header, its baselines and its indicators, in file order."""

    plan_id: str
    title_zh: str
    issued: dt.date | None
    indicators: tuple[Indicator, ...]
    baselines: tuple[Baseline, ...]


def load_registry(path: Path) -> PlanRegistry:
    """Read and check the registry file."""
    if not path.is_file():
        raise NotFound(f"plan indicator file {path} not found (set LINGANG_PLAN_INDICATORS)")
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise Invalid("file", f"{path.name} is not valid YAML: {exc}") from exc
    return parse_registry(document)


def parse_registry(document: Any) -> PlanRegistry:
    """Check every row of a parsed registry document; the first bad row is refused."""
    if not isinstance(document, Mapping) or not isinstance(document.get("targets"), list):
        raise Invalid("targets", "the file needs a list of targets")
    plan = document.get("plan") or {}
    baselines = tuple(_baseline(row, i) for i, row in enumerate(document.get("baselines_2020")
                                                                 or [], 1))  # fmt: skip
    by_id = {b.id: b for b in baselines}
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for index, row in enumerate(document["targets"], 1):
        indicator = parse_indicator(row, index, by_id)
        if indicator.id in seen:
            raise Invalid(f"{indicator.id}.id", "appears twice")
        seen.add(indicator.id)
        indicators.append(indicator)
    issued = plan.get("issued") if isinstance(plan, Mapping) else None
    return PlanRegistry(
        plan_id=str(plan.get("id", "plan")), title_zh=str(plan.get("title_zh", "")),
        issued=issued if isinstance(issued, dt.date) else None,
        indicators=tuple(indicators), baselines=baselines,
    )  # fmt: skip


def parse_indicator(row: Any, index: int, baselines: Mapping[str, Baseline]) -> Indicator:
    """One target row → an indicator; errors name ``<id>.<field>``."""
    if not isinstance(row, Mapping):
        raise Invalid(f"targets[{index}]", "must be a mapping")
    ident = row.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise Invalid(f"targets[{index}].id", "required")
    name = f"{ident}.{{}}"
    area = _text(row, "area", name)
    if area not in AREA_LABELS:
        raise Invalid(name.format("area"), f"unknown area {area!r}")
    try:
        comparator = Comparator(str(row.get("comparator")))
    except ValueError:
        choices = ", ".join(c.value for c in Comparator)
        raise Invalid(name.format("comparator"), f"must be one of {choices}") from None
    low, high, target = _target(row.get("value"), comparator, name)
    unit = _text(row, "unit", name)
    base_value, base_year = _base(row, ident, unit, baselines, name)
    return Indicator(
        id=ident, name_zh=_text(row, "name_zh", name), name_en=_optional(row, "name_en"),
        area=area, department=_optional(row, "department") or DEPARTMENTS[area], unit=unit,
        comparator=comparator, target=target, target_low=low, target_high=high,
        target_year=_year(row.get("target_year", PLAN_TARGET_YEAR), name.format("target_year")),
        base_value=base_value, base_year=base_year, kind=_kind(row, unit, name),
        quote=_text(row, "quote", name), tolerance=_tolerance(row.get("tolerance"), name),
    )  # fmt: skip


def _text(row: Mapping[str, Any], key: str, name: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(name.format(key), "required text")
    return value.strip()


def _optional(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(field, f"must be a number, not {value!r}")
    return float(value)


def _year(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise Invalid(field, f"must be a year between 2000 and 2100, not {value!r}")
    return value


def _target(
    value: Any, comparator: Comparator, name: str
) -> tuple[float | None, float | None, float]:
    field = name.format("value")
    if comparator is Comparator.RANGE:
        if not isinstance(value, list) or len(value) != 2:
            raise Invalid(field, "a range is [low, high]")
        low, high = _number(value[0], field), _number(value[1], field)
        if low > high:
            raise Invalid(field, "a range needs low ≤ high")
        return low, high, low
    return None, None, _number(value, field)


def _base(
    row: Mapping[str, Any], ident: str, unit: str, baselines: Mapping[str, Baseline], name: str
) -> tuple[float | None, int | None]:
    if row.get("base_value") is not None:
        year = _year(row.get("base_year", PLAN_BASE_YEAR), name.format("base_year"))
        return _number(row["base_value"], name.format("base_value")), year
    if row.get("base_year") is not None:
        year = _year(row["base_year"], name.format("base_year"))
        if unit != MULTIPLE_UNIT:
            raise Invalid(name.format("base_value"), "a base year needs a base value")
        return 1.0, year  # a multiple of the base year's value starts at 1
    baseline = baselines.get(ident)
    if baseline is None:
        return None, None
    if baseline.unit != unit:
        raise Invalid(name.format("unit"), f"baseline is in {baseline.unit}, target in {unit}")
    return baseline.value, baseline.year


def _kind(row: Mapping[str, Any], unit: str, name: str) -> IndicatorKind:
    if row.get("kind") is not None:
        try:
            return IndicatorKind(row["kind"])
        except ValueError:
            raise Invalid(name.format("kind"), "level, cumulative or rate") from None
    cumulative = row.get("cumulative", False)
    if not isinstance(cumulative, bool):
        raise Invalid(name.format("cumulative"), "must be true or false")
    if cumulative:
        return IndicatorKind.CUMULATIVE
    if unit == "%" and RATE_WORDS in str(row.get("name_zh", "")):
        return IndicatorKind.RATE
    return IndicatorKind.LEVEL


def _tolerance(value: Any, name: str) -> float | None:
    if value is None:
        return None
    share = _number(value, name.format("tolerance"))
    if not 0 <= share < 1:
        raise Invalid(name.format("tolerance"), "must be in [0, 1)")
    return share


def _baseline(row: Any, index: int) -> Baseline:
    if not isinstance(row, Mapping) or not isinstance(row.get("id"), str):
        raise Invalid(f"baselines_2020[{index}].id", "required")
    name = f"{row['id']}.{{}}"
    return Baseline(id=row["id"], name_zh=_text(row, "name_zh", name),
                    value=_number(row.get("value"), name.format("value")),
                    unit=_text(row, "unit", name))  # fmt: skip


def load_thresholds(path: Path | None = None) -> ProgressThresholds:
    """The progress thresholds: ``path`` if given, else the package's ``thresholds.yaml``."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = (resources.files("lingang.plan") / "thresholds.yaml").read_text(encoding="utf-8")
    data = load_yaml(text) or {}
    fields = ("on_track", "needs_acceleration", "limited_progress", "tolerance")
    unknown = set(data) - set(fields)
    if unknown:
        raise Invalid("thresholds", f"unknown keys {sorted(unknown)}")
    return ProgressThresholds(**{k: _number(data[k], f"thresholds.{k}") for k in data})
