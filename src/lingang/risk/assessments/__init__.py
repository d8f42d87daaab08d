"""Assessments: one event scored online by the published rule set, stored and alerted on."""
