"""The evaluation PDF reads correctly in Chinese: every status, the at-risk list, the areas and
the method, for the mid-term evaluation of the plan's own indicators on the demo data."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf

from environment import SHARED_DATA, require_shared
from lingang.plan.demo import simulated_observations
from lingang.plan.evaluation import EvaluationKind, build_evaluation
from lingang.plan.model import (
    Observation,
    ProgressStatus,
    forecast,
    progress,
    required_path,
    yearly_values,
)
from lingang.plan.registry import load_registry, load_thresholds
from lingang.plan.report import build_report

INDICATORS = SHARED_DATA.parent / "domain" / "plan-indicators.yaml"
NOW = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


class _Series:
    def __init__(self, values: dict[int, float], required: dict[int, float]) -> None:
        self.values, self.required = values, required


def test_the_midterm_pdf_names_every_status_and_indicator_in_chinese() -> None:
    require_shared(Path(INDICATORS))
    indicators = load_registry(INDICATORS).indicators
    observed: dict[str, list[Observation]] = {}
    for row in simulated_observations(indicators):
        observed.setdefault(row["indicator_id"], []).append(Observation(
            row["indicator_id"], row["year"], row["value"], row["unit"], row["source"], "demo",
            NOW, simulated=True))  # fmt: skip
    thresholds = load_thresholds()
    statuses = {i.id: progress(i, observed.get(i.id, []), 2023, thresholds) for i in indicators}
    outlooks = {i.id: forecast(i, observed.get(i.id, [])) for i in indicators}
    report = build_evaluation(EvaluationKind.MIDTERM, 2023, indicators, statuses, outlooks, NOW)
    series = {}
    for i in indicators:
        mine = observed.get(i.id, [])
        series[i.id] = _Series(yearly_values(mine), required_path(i, mine))
    pdf = build_report(report, series=series, generated_by="planner-1")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for status in ProgressStatus:
        if status is not ProgressStatus.NO_DATA:
            assert status.label() in text, status
    for expected in ("2023年中期评估", "需关注指标", "分领域指标", "计算方法", "planner-1",
                     indicators[0].name_zh, "年均复合增长率"):  # fmt: skip
        assert expected in text, expected
    assert build_report(report, series=series, generated_by="planner-1") == pdf  # invariant
