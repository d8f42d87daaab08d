"""The rule language: parse once, type-check, compile to Python (one event) and DuckDB (batch).

Start at :func:`lingang.risk.rules.evaluate.compile_rule`; the language is in docs/rules.md.
"""
