"""Plan indicator monitoring and evaluation (规划年度跟踪监测、中期评估和末期评估, issue #7)."""
