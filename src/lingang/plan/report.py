"""An evaluation of the plan (年度跟踪监测 · 中期评估 · 末期全面评估) as a PDF in Chinese.

Sections: the summary (indicators per status, as a table and a bar chart), the indicators at
risk (worst first) with a chart each — observed values, the path required to reach the
target, the target line and the trend's forecast — then every area's indicators (target,
latest value, status, ratio of observed to required growth, the 2025 forecast with its
interval), and how statuses are computed. Built with reportlab; CJK text via ``lingang.pdf``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Protocol

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Spacer

from lingang.pdf import cjk_font, grid, paragraph, styles
from lingang.plan.evaluation import Evaluation, EvaluationItem
from lingang.plan.model import ProgressStatus
from lingang.workdays import SHANGHAI

MAX_RISK_CHARTS = 12
METHOD_NOTE = (
    "状态计算方法（联合国可持续发展目标进展评估方法）：以基期值为起点，计算实际年均复合增长率与"
    "实现目标所需年均复合增长率之比；比值 ≥ 0.95 为“进度正常”，≥ 0.6 为“需加快”，≥ 0 为"
    "“进展有限”，< 0 为“倒退”；当年数值已满足目标（“左右”目标含容差带）为“已达标”。累计类"
    "指标按基期至目标年的线性所需路径计算。阈值可配置，详见 docs/plan.md。"
)


def build_report(
    evaluation: Evaluation,
    *,
    series: Mapping[str, SeriesLike] | None = None,
    generated_by: str,
) -> bytes:
    """The PDF bytes of ``evaluation``; ``series`` (indicator id → observed and required
    values per year) draws the at-risk charts."""
    style = styles()
    story: list[Flowable] = [
        paragraph(evaluation.title_zh, style["title"]),
        paragraph(
            f"{evaluation.title_en} · 生成时间 {_when(evaluation.generated_at)} · "
            f"生成人 {generated_by}",
            style["small"],
        ),
        Spacer(1, 4 * mm),
        paragraph("一、总体情况", style["h"]),
        grid(
            [["状态", "指标数"]]
            + [[s.label(), evaluation.counts.get(s, 0)] for s in ProgressStatus]
            + [["合计", evaluation.total]],
            [60, 30],
            style["p"],
        ),
        Spacer(1, 3 * mm),
        _status_chart(evaluation),
        paragraph("二、需关注指标", style["h"]),
    ]
    if not evaluation.at_risk:
        story.append(paragraph("无", style["p"]))
    story += _risk_section(evaluation.at_risk, series or {}, style)
    story.append(PageBreak())
    story.append(paragraph("三、分领域指标", style["h"]))
    for area in evaluation.areas:
        story.append(paragraph(f"{area.label_zh}（{area.label_en}）", style["p"]))
        story.append(
            grid(
                _header() + [_row(item) for item in area.items],
                [46, 26, 26, 20, 16, 36],
                style["small"],
            )
        )
        story.append(Spacer(1, 3 * mm))
    story.append(paragraph("四、计算方法", style["h"]))
    story.append(paragraph(METHOD_NOTE, style["p"]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=evaluation.title_zh,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()


class SeriesLike(Protocol):
    """What a chart reads of an indicator's series (``plan.service.Series`` has these)."""

    @property
    def values(self) -> dict[int, float]: ...

    @property
    def required(self) -> dict[int, float]: ...


def _header() -> list[list[object]]:
    return [["指标", "目标", "最新值", "状态", "比值", "2025 年预测（95% 区间）"]]


def _row(item: EvaluationItem) -> list[object]:
    progress, indicator, forecast = item.progress, item.indicator, item.forecast
    latest = (
        "—"
        if progress.observed is None
        else f"{_num(progress.observed)} {indicator.unit}（{progress.observed_year}）"
    )
    ratio = "—" if progress.ratio is None else f"{progress.ratio:.2f}"
    outlook = "—"
    if forecast is not None and forecast.value is not None:
        outlook = f"{_num(forecast.value)}"
        if forecast.low is not None and forecast.high is not None:
            outlook += f"（{_num(forecast.low)}–{_num(forecast.high)}）"
    return [
        indicator.name_zh,
        indicator.target_text(),
        latest,
        progress.status.label(),
        ratio,
        outlook,
    ]


def _risk_section(
    items: Sequence[EvaluationItem],
    series: Mapping[str, SeriesLike],
    style: Mapping[str, ParagraphStyle],
) -> list[Flowable]:
    body = style["p"]
    story: list[Flowable] = []
    for index, item in enumerate(items):
        story.append(
            paragraph(
                f"{item.indicator.name_zh}：{item.progress.status.label()}。"
                f"{item.progress.explanation}",
                body,
            )
        )
        found = series.get(item.indicator.id)
        if found is not None and index < MAX_RISK_CHARTS and found.values:
            story.append(_line_chart(item, found))
        story.append(Spacer(1, 2 * mm))
    return story


def _status_chart(evaluation: Evaluation) -> Drawing:
    """Indicators per status, one bar per status in its colour."""
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 25
    chart.width, chart.height = int(150 * mm - 30), int(40 * mm)
    statuses = list(ProgressStatus)
    chart.data = [[evaluation.counts.get(s, 0) for s in statuses]]
    chart.categoryAxis.categoryNames = [s.label() for s in statuses]
    chart.categoryAxis.labels.fontName = cjk_font()
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars.strokeColor = None
    for index, status in enumerate(statuses):
        chart.bars[(0, index)].fillColor = colors.HexColor(status.colour)
    drawing.add(chart)
    return drawing


def _line_chart(item: EvaluationItem, series: SeriesLike) -> Drawing:
    """Observed values (solid), the required path (dashed), the target (red line)."""
    drawing = Drawing(170 * mm, 48 * mm)
    plot = LinePlot()
    plot.x, plot.y = 40, 20
    plot.width, plot.height = int(120 * mm), int(34 * mm)
    observed = sorted(series.values.items())
    required = sorted(series.required.items())
    target_year = item.indicator.target_year
    target = [
        (min(y for y, _ in observed + required), item.indicator.target),
        (target_year, item.indicator.target),
    ]
    lines = [observed, required or observed[:1], target]
    plot.data = [[(float(x), float(y)) for x, y in line] for line in lines]
    plot.lines[0].strokeColor = colors.HexColor("#1f4e8c")
    plot.lines[0].strokeWidth = 1.5
    plot.lines[1].strokeColor = colors.grey
    plot.lines[1].strokeDashArray = [3, 2]
    plot.lines[2].strokeColor = colors.HexColor("#b2182b")
    plot.xValueAxis.valueSteps = list(range(min(x for x, _ in target), target_year + 1))
    plot.xValueAxis.labelTextFormat = "%d"
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    legend = "实线：实际值　虚线：所需路径　红线：目标"
    drawing.add(String(40, 2, legend, fontName=cjk_font(), fontSize=7))
    return drawing


def _when(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
