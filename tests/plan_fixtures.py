"""A small plan registry for tests that must not need ../shared (written into tmp_path)."""

from __future__ import annotations

from pathlib import Path

from environment import SHARED_DATA

PLAN_FILE = SHARED_DATA.parent / "domain" / "plan-indicators.yaml"
SMALL_REGISTRY = """\
plan: {id: test-plan, title_zh: 测试规划, issued: 2021-07-22, period: [2021, 2025]}
baselines_2020:
  - {id: output, name_zh: 工业总产值, value: 100, unit: 亿元}
targets:
  - {id: output, area: industry, name_zh: 工业总产值, comparator: ">=", value: 200,
     unit: 亿元, quote: 工业总产值不少于200亿元}
  - {id: labs, area: innovation, name_zh: 实验室, comparator: ">=", value: 10, unit: 个,
     quote: 不少于10个}
  - {id: firms, area: innovation, name_zh: 新增企业, comparator: "~", value: 1000, unit: 家,
     cumulative: true, quote: 新增企业1000家左右}
  - {id: green, area: ecology, name_zh: 绿色出行比例, comparator: "~", value: 80,
     unit: "%", quote: 达到80%左右}
  - {id: growth, area: economy, name_zh: 年均增速, comparator: "~", value: 25, unit: "%",
     quote: 年均增速25%左右}
"""


def small_registry(tmp_path: Path, text: str = SMALL_REGISTRY) -> Path:
    """Write the small registry (or ``text``) and return its path."""
    path = tmp_path / "plan-indicators.yaml"
    path.write_text(text, encoding="utf-8")
    return path
