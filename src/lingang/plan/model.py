"""Plan indicators, observations and their progress status — pure rules, no I/O.

The status follows the UN SDG progress measure as Open SDG's sdg-build implements it
(``sdg/ProgressMeasure.py``): the observed compound annual growth rate (CAGR) from the base
year to the current year, divided by the CAGR required to reach the target by the target
year. docs/plan.md states every formula with a worked example.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lingang.errors import Invalid

PLAN_BASE_YEAR = 2020
"""The year before the plan period (2021–2025): where cumulative counts start from 0."""
PLAN_TARGET_YEAR = 2025
EPSILON = 1e-9


class Comparator(StrEnum):
    """How the plan states a target."""

    AT_LEAST = ">="  # 不少于 / 不低于 / 以上
    MORE_THAN = ">"  # 超过 / 突破
    ABOUT = "~"  # 左右 / 约: a tolerance band
    EXACTLY = "="  # 全部 / 100% / 建设 N 个
    RANGE = "range"  # 3-5 个

    def label(self, lang: str = "zh") -> str:
        """The comparator in words."""
        return _COMPARATOR_LABELS[self][0 if lang.startswith("zh") else 1]


_COMPARATOR_LABELS = {
    Comparator.AT_LEAST: ("不少于", "at least"),
    Comparator.MORE_THAN: ("超过", "more than"),
    Comparator.ABOUT: ("左右", "about"),
    Comparator.EXACTLY: ("达到", "exactly"),
    Comparator.RANGE: ("区间", "range"),
}


class IndicatorKind(StrEnum):
    """What an observation of the indicator is."""

    LEVEL = "level"  # the value at year end (a stock, a share, a multiple)
    CUMULATIVE = "cumulative"  # the total added since the plan began (0 at the base year)
    RATE = "rate"  # the growth rate of that year in %; the target is the average annual rate

    def label(self, lang: str = "zh") -> str:
        """The kind in words."""
        return _KIND_LABELS[self][0 if lang.startswith("zh") else 1]


_KIND_LABELS = {
    IndicatorKind.LEVEL: ("水平值", "level"),
    IndicatorKind.CUMULATIVE: ("累计值", "cumulative"),
    IndicatorKind.RATE: ("年均增速", "average annual rate"),
}


class ProgressStatus(StrEnum):
    """The UN SDG progress statuses, plus no data."""

    TARGET_ACHIEVED = "target_achieved"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    LIMITED_PROGRESS = "limited_progress"
    DETERIORATION = "deterioration"
    NO_DATA = "no_data"

    def label(self, lang: str = "zh") -> str:
        """The status in Chinese (default) or English."""
        return _STATUS_LABELS[self][0 if lang.startswith("zh") else 1]

    @property
    def colour(self) -> str:
        """A hex colour for dashboards and reports (green → red, grey for no data)."""
        return _STATUS_COLOURS[self]

    @property
    def at_risk(self) -> bool:
        """Needs acceleration, limited progress or deterioration."""
        return self in AT_RISK


_STATUS_LABELS = {
    ProgressStatus.TARGET_ACHIEVED: ("已达标", "Target achieved"),
    ProgressStatus.ON_TRACK: ("进度正常", "On track"),
    ProgressStatus.NEEDS_ACCELERATION: ("需加快", "Needs acceleration"),
    ProgressStatus.LIMITED_PROGRESS: ("进展有限", "Limited progress"),
    ProgressStatus.DETERIORATION: ("倒退", "Deterioration"),
    ProgressStatus.NO_DATA: ("无数据", "No data"),
}
_STATUS_COLOURS = {
    ProgressStatus.TARGET_ACHIEVED: "#1b7837",
    ProgressStatus.ON_TRACK: "#5aae61",
    ProgressStatus.NEEDS_ACCELERATION: "#f1a340",
    ProgressStatus.LIMITED_PROGRESS: "#e66101",
    ProgressStatus.DETERIORATION: "#b2182b",
    ProgressStatus.NO_DATA: "#999999",
}
AT_RISK = frozenset(
    {
        ProgressStatus.NEEDS_ACCELERATION,
        ProgressStatus.LIMITED_PROGRESS,
        ProgressStatus.DETERIORATION,
    }
)

AREA_LABELS: dict[str, tuple[str, str]] = {
    "economy": ("经济发展", "Economy"),
    "innovation": ("科技创新", "Innovation"),
    "industry": ("产业发展", "Industry"),
    "services": ("现代服务业", "Modern services"),
    "openness": ("开放枢纽", "Openness"),
    "talent": ("人才发展", "Talent"),
    "digital": ("数字化", "Digital"),
    "transport": ("综合交通", "Transport"),
    "ecology": ("生态环境", "Ecology"),
    "education": ("教育", "Education"),
    "welfare": ("民生保障", "Welfare"),
    "housing": ("住房", "Housing"),
    "city": ("城市功能", "City functions"),
    "governance": ("城市治理", "Governance"),
    "energy": ("能源", "Energy"),
}


def area_label(area: str, lang: str = "zh") -> str:
    """An area's label (the id itself when unknown)."""
    pair = AREA_LABELS.get(area)
    return area if pair is None else pair[0 if lang.startswith("zh") else 1]


@dataclass(frozen=True, slots=True)
class ProgressThresholds:
    """Ratio thresholds (observed ÷ required growth) and the default band of "about"."""

    on_track: float = 0.95
    needs_acceleration: float = 0.6
    limited_progress: float = 0.0
    tolerance: float = 0.05

    def __post_init__(self) -> None:
        if not self.on_track > self.needs_acceleration > self.limited_progress:
            raise Invalid("thresholds", "need on_track > needs_acceleration > limited_progress")
        if not 0 <= self.tolerance < 1:
            raise Invalid("thresholds.tolerance", "must be in [0, 1)")

    def status_of(self, ratio: float) -> ProgressStatus:
        """The status a growth ratio earns (the target not yet met)."""
        if ratio >= self.on_track:
            return ProgressStatus.ON_TRACK
        if ratio >= self.needs_acceleration:
            return ProgressStatus.NEEDS_ACCELERATION
        if ratio >= self.limited_progress:
            return ProgressStatus.LIMITED_PROGRESS
        return ProgressStatus.DETERIORATION


@dataclass(frozen=True, slots=True)
class Indicator:
    """One quantitative target of the plan. ``target`` is the number compared against
    (for a range, ``target_low``); ``tolerance`` overrides the default band of "about"."""

    id: str
    name_zh: str
    area: str
    department: str
    unit: str
    comparator: Comparator
    target: float
    target_year: int = PLAN_TARGET_YEAR
    kind: IndicatorKind = IndicatorKind.LEVEL
    name_en: str | None = None
    target_low: float | None = None
    target_high: float | None = None
    base_value: float | None = None
    base_year: int | None = None
    quote: str = ""
    tolerance: float | None = None

    def __post_init__(self) -> None:
        validate_indicator(self)

    def target_text(self) -> str:
        """The target as the plan words it, e.g. ``≥ 10 个`` or ``3–5 个``."""
        if self.comparator is Comparator.RANGE:
            return f"{_num(self.target_low)}–{_num(self.target_high)} {self.unit}"
        sign = {">=": "≥", ">": ">", "~": "≈", "=": "="}[self.comparator.value]
        return f"{sign} {_num(self.target)} {self.unit}"


def validate_indicator(indicator: Indicator) -> None:
    """Refuse an inconsistent indicator, naming the field."""
    if not indicator.id.strip():
        raise Invalid("id", "required")
    if not indicator.name_zh.strip():
        raise Invalid(f"{indicator.id}.name_zh", "required")
    if not indicator.unit.strip():
        raise Invalid(f"{indicator.id}.unit", "required")
    if not math.isfinite(indicator.target):
        raise Invalid(f"{indicator.id}.target", "must be a finite number")
    if indicator.comparator is Comparator.RANGE:
        low, high = indicator.target_low, indicator.target_high
        if low is None or high is None or low > high:
            raise Invalid(f"{indicator.id}.target", "a range needs low ≤ high")
    if indicator.base_year is not None and indicator.base_year >= indicator.target_year:
        raise Invalid(f"{indicator.id}.base_year", "must be before the target year")
    if (indicator.base_value is None) != (indicator.base_year is None):
        raise Invalid(f"{indicator.id}.base_value", "base value and base year go together")
    if indicator.tolerance is not None and not 0 <= indicator.tolerance < 1:
        raise Invalid(f"{indicator.id}.tolerance", "must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class Observation:
    """One observed value: yearly (``quarter`` None) or quarterly. A correction names the
    observation it ``replaces``; the replaced one is kept but no longer counts."""

    indicator_id: str
    year: int
    value: float
    unit: str
    source: str
    entered_by: str
    entered_at: dt.datetime
    quarter: int | None = None
    replaces: int | None = None
    simulated: bool = False
    id: int | None = None


def validate_observation(indicator: Indicator, obs: Observation) -> None:
    """Units must match the indicator's; years lie in 2000–2100; quarters 1–4."""
    if obs.indicator_id != indicator.id:
        raise Invalid("indicator_id", f"{obs.indicator_id} is not {indicator.id}")
    if obs.unit != indicator.unit:
        raise Invalid("unit", f"{indicator.id} is measured in {indicator.unit}, not {obs.unit}")
    if not 2000 <= obs.year <= 2100:
        raise Invalid("year", "must be between 2000 and 2100")
    if obs.quarter is not None and obs.quarter not in (1, 2, 3, 4):
        raise Invalid("quarter", "must be 1, 2, 3 or 4")
    if not math.isfinite(obs.value):
        raise Invalid("value", "must be a finite number")
    if not obs.source.strip():
        raise Invalid("source", "required")


@dataclass(frozen=True, slots=True)
class Progress:
    """An indicator's status in a year, with every number the status came from."""

    indicator_id: str
    year: int
    status: ProgressStatus
    observed: float | None
    observed_year: int | None
    required: float | None
    ratio: float | None
    cagr_observed: float | None
    cagr_required: float | None
    base_value: float | None
    base_year: int | None
    method: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """The trend's value in the target year with a 95 % prediction interval."""

    indicator_id: str
    year: int
    value: float | None
    low: float | None
    high: float | None
    method: str
    points: int


# --- values per year ----------------------------------------------------------------------


def effective(observations: Sequence[Observation]) -> list[Observation]:
    """The observations that count: those no correction replaces."""
    replaced = {o.replaces for o in observations if o.replaces is not None}
    return [o for o in observations if o.id is None or o.id not in replaced]


def yearly_values(observations: Sequence[Observation]) -> dict[int, float]:
    """One value per year: the yearly observation, else the latest quarter's (the newest
    entry wins a tie)."""
    best: dict[int, tuple[int, dt.datetime, float]] = {}
    for obs in effective(observations):
        rank = 5 if obs.quarter is None else obs.quarter
        key = (rank, obs.entered_at, obs.value)
        if obs.year not in best or key[:2] >= best[obs.year][:2]:
            best[obs.year] = key
    return {year: best[year][2] for year in sorted(best)}


# --- progress -----------------------------------------------------------------------------


def direction(indicator: Indicator, base: float | None) -> int:
    """+1 when the target lies above the base (or is a floor), -1 when below."""
    if indicator.comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN) or base is None:
        return 1
    if indicator.comparator is Comparator.RANGE:
        return -1 if indicator.target_high is not None and base > indicator.target_high else 1
    return 1 if indicator.target >= base else -1


def _aim(indicator: Indicator, sign: int) -> float:
    """The number the required path aims at: the near end of a range."""
    if indicator.comparator is Comparator.RANGE:
        low, high = indicator.target_low, indicator.target_high
        assert low is not None and high is not None
        return low if sign > 0 else high
    return indicator.target


def achieved(indicator: Indicator, value: float, sign: int, thresholds: ProgressThresholds) -> bool:
    """Whether ``value`` meets the target as its comparator reads it (docs/plan.md §2)."""
    target = indicator.target
    match indicator.comparator:
        case Comparator.AT_LEAST:
            return value >= target - EPSILON
        case Comparator.MORE_THAN:
            return value > target + EPSILON
        case Comparator.EXACTLY:
            return abs(value - target) <= EPSILON * max(1.0, abs(target))
        case Comparator.ABOUT:
            band = _tolerance(indicator, thresholds) * abs(target)
            return value >= target - band if sign > 0 else value <= target + band
        case Comparator.RANGE:
            low, high = indicator.target_low, indicator.target_high
            assert low is not None and high is not None
            return value >= low - EPSILON if sign > 0 else value <= high + EPSILON
    raise AssertionError(indicator.comparator)  # pragma: no cover


def _tolerance(indicator: Indicator, thresholds: ProgressThresholds) -> float:
    return thresholds.tolerance if indicator.tolerance is None else indicator.tolerance


def progress(
    indicator: Indicator,
    observations: Sequence[Observation],
    year: int,
    thresholds: ProgressThresholds | None = None,
) -> Progress:
    """The indicator's status in ``year`` from the observations up to that year."""
    limits = thresholds or ProgressThresholds()
    values = {y: v for y, v in yearly_values(observations).items() if y <= year}
    if indicator.kind is IndicatorKind.RATE:
        return _rate_progress(indicator, values, year, limits)
    base = _base(indicator, values)
    if not values or base is None:
        return _no_data(indicator, year, "尚无观测值 no observation up to this year")
    now_year = max(values)
    now = values[now_year]
    base_year, base_value = base
    sign = direction(indicator, base_value)
    common = _Common(indicator, year, now, now_year, base_value, base_year)
    if achieved(indicator, now, sign, limits):
        return common.done(f"{now_year}年{_num(now)}{indicator.unit}，已达到目标"
                           f"{indicator.target_text()}")  # fmt: skip
    if now_year <= base_year:
        return _no_data(indicator, year, f"仅有基期{base_year}年数据，无法计算增速", now, now_year)
    aim = _aim(indicator, sign)
    if sign * (aim - base_value) <= EPSILON:
        return _met_at_base(common, aim)
    if indicator.kind is IndicatorKind.CUMULATIVE or base_value <= 0 or now <= 0 or aim <= 0:
        return _linear(common, aim, limits)
    return _geometric(common, aim, limits)


@dataclass(frozen=True, slots=True)
class _Common:
    indicator: Indicator
    year: int
    now: float
    now_year: int
    base_value: float
    base_year: int

    def make(self, status: ProgressStatus, **numbers: float | str | None) -> Progress:
        return Progress(
            indicator_id=self.indicator.id, year=self.year, status=status, observed=self.now,
            observed_year=self.now_year, base_value=self.base_value, base_year=self.base_year,
            required=_opt(numbers.get("required")), ratio=_opt(numbers.get("ratio")),
            cagr_observed=_opt(numbers.get("cagr_observed")),
            cagr_required=_opt(numbers.get("cagr_required")),
            method=str(numbers.get("method", "")), explanation=str(numbers["explanation"]),
        )  # fmt: skip

    def done(self, explanation: str) -> Progress:
        return self.make(ProgressStatus.TARGET_ACHIEVED, method="achieved",
                         explanation=explanation)  # fmt: skip


def _opt(value: float | str | None) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)


def _base(indicator: Indicator, values: dict[int, float]) -> tuple[int, float] | None:
    """(base year, base value): the plan's, 0 at 2020 for cumulative counts, else the first
    observation."""
    if indicator.base_value is not None and indicator.base_year is not None:
        return indicator.base_year, indicator.base_value
    if indicator.kind is IndicatorKind.CUMULATIVE:
        return PLAN_BASE_YEAR, 0.0
    if not values:
        return None
    first = min(values)
    return first, values[first]


def _geometric(common: _Common, aim: float, limits: ProgressThresholds) -> Progress:
    ind, t0, x0 = common.indicator, common.base_year, common.base_value
    span_o, span_r = common.now_year - t0, ind.target_year - t0
    cagr_o = (common.now / x0) ** (1 / span_o) - 1
    cagr_r = (aim / x0) ** (1 / span_r) - 1
    required = x0 * (1 + cagr_r) ** span_o
    ratio = cagr_o / cagr_r
    status = limits.status_of(ratio)
    text = (f"基期{t0}年{_num(x0)}，{common.now_year}年{_num(common.now)}{ind.unit}；"
            f"实际年均增速{cagr_o:.2%}，达到目标{_num(aim)}所需年均增速{cagr_r:.2%}，"
            f"比值{ratio:.2f} → {status.label()}")  # fmt: skip
    return common.make(status, required=required, ratio=ratio, cagr_observed=cagr_o,
                       cagr_required=cagr_r, method="cagr", explanation=text)  # fmt: skip


def _linear(common: _Common, aim: float, limits: ProgressThresholds) -> Progress:
    ind, t0, x0 = common.indicator, common.base_year, common.base_value
    span_o, span_r = common.now_year - t0, ind.target_year - t0
    slope_o = (common.now - x0) / span_o
    slope_r = (aim - x0) / span_r
    required = x0 + slope_r * span_o
    ratio = slope_o / slope_r
    status = limits.status_of(ratio)
    what = "累计" if ind.kind is IndicatorKind.CUMULATIVE else "线性"
    text = (f"{what}：基期{t0}年{_num(x0)}，{common.now_year}年{_num(common.now)}{ind.unit}；"
            f"按线性路径{common.now_year}年应达{_num(required)}，"
            f"实际进度÷所需进度 = {ratio:.2f} → {status.label()}")  # fmt: skip
    return common.make(status, required=required, ratio=ratio, method="linear",
                       explanation=text)  # fmt: skip


def _met_at_base(common: _Common, required: float) -> Progress:
    """The base already met the target but the current value does not: deterioration."""
    text = (f"基期{common.base_year}年已达到目标，{common.now_year}年"
            f"{_num(common.now)}{common.indicator.unit}未达标 → 倒退")  # fmt: skip
    return common.make(ProgressStatus.DETERIORATION, required=required, method="base_met",
                       explanation=text)  # fmt: skip


def _rate_progress(
    indicator: Indicator, values: dict[int, float], year: int, limits: ProgressThresholds
) -> Progress:
    """Average annual rate so far (compounded) against the target rate."""
    start = indicator.base_year if indicator.base_year is not None else PLAN_BASE_YEAR
    rates = [values[y] for y in sorted(values) if y > start]
    if not rates:
        return _no_data(indicator, year, f"{start}年之后尚无增速观测 no rate observed")
    growth = math.prod(1 + r / 100 for r in rates)
    average = (growth ** (1 / len(rates)) - 1) * 100 if growth > 0 else -100.0
    now_year = max(y for y in values if y > start)
    common = _Common(indicator, year, average, now_year, 0.0, start)
    target = _aim(indicator, 1)
    sign = 1 if target >= 0 else -1
    if now_year >= indicator.target_year and achieved(indicator, average, sign, limits):
        return common.done(f"{start + 1}–{now_year}年年均增速{average:.2f}%，已达到目标"
                           f"{indicator.target_text()}")  # fmt: skip
    ratio = average / target if abs(target) > EPSILON else 0.0
    status = limits.status_of(ratio)
    text = (
        f"{start + 1}–{now_year}年各年增速{'、'.join(_num(r) for r in rates)}%，"
        f"复合年均{average:.2f}%，目标{_num(target)}%，比值{ratio:.2f} → {status.label()}"
    )
    return common.make(status, required=target, ratio=ratio, cagr_observed=average / 100,
                       cagr_required=target / 100, method="rate", explanation=text)  # fmt: skip


def _no_data(
    indicator: Indicator, year: int, why: str, now: float | None = None,
    now_year: int | None = None,
) -> Progress:  # fmt: skip
    return Progress(indicator_id=indicator.id, year=year, status=ProgressStatus.NO_DATA,
                    observed=now, observed_year=now_year, required=None, ratio=None,
                    cagr_observed=None, cagr_required=None, base_value=indicator.base_value,
                    base_year=indicator.base_year, method="none", explanation=why)  # fmt: skip


def required_path(indicator: Indicator, observations: Sequence[Observation]) -> dict[int, float]:
    """The value each year from the base year to the target year should reach (the chart's
    dashed line): geometric when CAGR applies, else linear; a rate's path is the target."""
    if indicator.kind is IndicatorKind.RATE:
        start = indicator.base_year or PLAN_BASE_YEAR
        return dict.fromkeys(range(start + 1, indicator.target_year + 1), indicator.target)
    base = _base(indicator, yearly_values(observations))
    if base is None:
        return {}
    t0, x0 = base
    span = indicator.target_year - t0
    aim = _aim(indicator, direction(indicator, x0))
    geometric = indicator.kind is IndicatorKind.LEVEL and x0 > 0 and aim > 0
    path: dict[int, float] = {}
    for year in range(t0, indicator.target_year + 1):
        k = (year - t0) / span
        path[year] = x0 * (aim / x0) ** k if geometric else x0 + (aim - x0) * k
    return path


# --- forecast -----------------------------------------------------------------------------

# two-sided 95 % Student t quantiles by degrees of freedom (1.96 beyond 30)
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    return _T975[df - 1] if df <= len(_T975) else 1.96


def forecast(
    indicator: Indicator, observations: Sequence[Observation], target_year: int | None = None
) -> Forecast:
    """The target year's value from an ordinary least-squares trend over the yearly values,
    with a 95 % prediction interval ``ŷ ± t(n−2)·s·√(1 + 1/n + (x₀−x̄)²/Sxx)``. Levels with
    every value positive are fitted on ``ln y`` (log-linear, constant growth) and the
    interval is taken back with ``exp``; cumulative counts and rates are fitted linearly."""
    year = target_year or indicator.target_year
    values = yearly_values(observations)
    log = indicator.kind is IndicatorKind.LEVEL and bool(values) and min(values.values()) > 0
    method = "log-linear OLS" if log else "linear OLS"
    xs = [float(y) for y in values]
    ys = [math.log(v) if log else v for v in values.values()]
    back = math.exp if log else float
    if not xs:
        return Forecast(indicator.id, year, None, None, None, "no data", 0)
    if len(xs) == 1:
        return Forecast(indicator.id, year, values[int(xs[0])], None, None, "last value", 1)
    n, mean_x, mean_y = len(xs), sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    fitted = mean_y + slope * (year - mean_x)
    if n == 2:
        return Forecast(indicator.id, year, back(fitted), None, None, f"{method} (2 points)", 2)
    residuals = [y - (mean_y + slope * (x - mean_x)) for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(sum(r * r for r in residuals) / (n - 2))
    half = t975(n - 2) * s * math.sqrt(1 + 1 / n + (year - mean_x) ** 2 / sxx)
    return Forecast(indicator.id, year, back(fitted), back(fitted - half), back(fitted + half),
                    method, n)  # fmt: skip


def _num(value: float | None) -> str:
    """A number without needless decimals: 1703, 618.2, 0.35."""
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
