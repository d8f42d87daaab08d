"""Risk engine benchmark harness: the 20 FTZ flat rules of shared/research/risk-engines.md §6.

Usage:
    .venv/bin/python benchmarks/bench_risk.py [--sizes 1000000 10000000] [--online 100000]
    .venv/bin/python benchmarks/bench_risk.py --sections end_to_end http nats --pg [--e2e N]
    .venv/bin/python benchmarks/bench_risk.py --quick          # tiny sizes (smoke test)
    .venv/bin/python benchmarks/bench_risk.py --json out.json  # also write the figures

Every engine returns, per event, the total score and which rules hit (a bit mask); every
result is cross-checked against the plain-Python if-chain, and the mismatch count printed.
Ratios are against each section's baseline, measured in the same run.

The ``end_to_end``, ``http`` and ``nats`` sections (benchmarks/bench_risk_e2e.py) assess
declarations of a simulated zone through the whole platform: windowed features over a year of
history, the published rule set, storage, outbox and alerts; in process, over HTTP and through
NATS JetStream, each checked to give the same verdicts for the same events.

Adding a section: write ``def bench_<name>(ctx: Bench) -> list[Row]`` and register it in
``SECTIONS``; it gets the synthetic data, the compiled rules and the parsed arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.functions import Context
from lingang.risk.rules.ruleset import RuleSetEvaluator, compile_rule_set
from lingang.risk.rules.types import RuleSchema, Type

SEED = 7
OK_CCY = ["USD", "CNY", "EUR", "HKD", "JPY", "GBP"]
HIGH_RISK = ["KP", "IR", "SY", "CU", "MM", "AF"]
OFFSHORE = ["VG", "KY", "PA", "SC", "BZ", "WS"]
SANCTIONED = ["KP", "IR", "SY", "CU", "RU", "BY"]
COMMON = ["CN", "US", "DE", "JP", "KR", "VN", "TH", "MY", "SG", "IN", "BR", "AU", "GB"]
COMMON += ["FR", "IT", "NL", "RU", "TR", "AE", "ZA", "MX", "CA", "ID", "PH", "HK"]
LISTS = {"ok_currencies": OK_CCY, "high_risk": HIGH_RISK, "offshore": OFFSHORE}
LISTS |= {"sanctioned": SANCTIONED}
SCORES = [20, 10, 40, 30, 25, 35, 10, 50, 50, 20, 25, 5, 20, 15, 15, 10, 40, 10, 30, 15]

# ---------------------------------------------------------------- the event and the rules

N, S, B = Type.NUMBER, Type.STRING, Type.BOOL
SCHEMA = RuleSchema(
    fields={
        "amount": N, "currency": S, "country_of_origin": S, "destination_country": S,
        "payer_country": S, "hs_code": S, "declared_unit_price": N, "reference_unit_price": N,
        "quantity": N, "gross_weight_kg": N, "counterparty_risk": N, "is_dangerous_goods": B,
        "un_number": S, "enterprise_age_days": N, "fx_purchase_amount": N, "trade_mode": S,
        "is_reexport": B, "days_in_bond": N,
    },
    lists=dict.fromkeys(LISTS, S),
)  # fmt: skip
RULES = [
    "amount > 1000000",
    "not in_list('ok_currencies', currency)",
    "in_list('high_risk', country_of_origin)",
    "declared_unit_price / reference_unit_price < 0.5",
    "declared_unit_price / reference_unit_price > 2",
    "counterparty_risk >= 0.8",
    "counterparty_risk >= 0.5 and counterparty_risk < 0.8",
    "starts_with(hs_code, '93')",
    "starts_with(hs_code, '2844') or starts_with(hs_code, '2845')",
    "(starts_with(hs_code, '28') or starts_with(hs_code, '29') or starts_with(hs_code, '38'))"
    " and not is_dangerous_goods",
    "enterprise_age_days < 90 and amount > 200000",
    "amount >= 50000 and round(amount / 10000) * 10000 = amount",  # amount % 10000 = 0
    "in_list('offshore', payer_country)",
    "quantity > 100000 and declared_unit_price < 0.01",
    "fx_purchase_amount > 500000 and trade_mode = 'service'",
    "amount / gross_weight_kg > 10000",
    "in_list('sanctioned', destination_country) and is_reexport",
    "trade_mode = 'bonded' and days_in_bond > 365",
    "is_dangerous_goods and un_number = ''",
    "amount >= 45000 and amount < 50000",
]


def _weights(n: int, head: float) -> np.ndarray[Any, Any]:
    return np.r_[np.full(n, head / n)]


def make_events(n: int, seed: int = SEED) -> pa.Table:
    """``n`` synthetic declaration-like events (19 fields plus ``rid``), seeded."""
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(10, 1.5, n), 2)
    u = rng.random(n)
    amount = np.where(u < 0.03, rng.integers(1, 200, n) * 10000.0, amount)
    band = np.round(rng.uniform(45000, 50000, n), 2)
    amount = np.where((u >= 0.03) & (u < 0.05), band, amount)
    ccy = rng.choice([*OK_CCY, "RUB", "AED", "TRY", "KRW"], n,
                     p=[.5, .25, .1, .05, .03, .02, .0125, .0125, .0125, .0125])  # fmt: skip
    origin = rng.choice(COMMON + HIGH_RISK, n, p=np.r_[_weights(25, 0.98), _weights(6, 0.02)])
    dest = rng.choice([*COMMON, "KP", "IR", "SY", "CU", "BY"], n,
                      p=np.r_[_weights(25, 0.97), np.full(5, 0.006)])  # fmt: skip
    payers = rng.choice(COMMON + OFFSHORE, n, p=np.r_[_weights(25, 0.9), _weights(6, 0.1)])
    payer = np.where(rng.random(n) < 0.7, origin, payers)
    ref_price = np.round(rng.lognormal(3, 1, n), 4) + 0.01
    decl_price = np.round(ref_price * rng.lognormal(0, 0.35, n), 4)
    decl_price = np.where(rng.random(n) < 0.01, 0.005, decl_price)
    chapter = rng.integers(1, 98, n)
    hs = np.char.add(np.char.zfill(chapter.astype(str), 2),
                     np.char.zfill(rng.integers(0, 10000, n).astype(str), 4))  # fmt: skip
    rare = rng.random(n)
    hs = np.where(rare < 0.002, np.where(rare < 0.001, "284410", "284590"), hs)
    dg = np.where(np.isin(chapter, [27, 28, 29, 36, 38]), rng.random(n) < 0.6, rng.random(n) < 0.03)
    un_codes = np.char.add("UN", np.char.zfill(rng.integers(1, 3500, n).astype(str), 4))
    un = np.where(dg & (rng.random(n) < 0.9), un_codes, "")
    mode = rng.choice(["general", "bonded", "processing", "service", "cbec"], n,
                      p=[.45, .2, .15, .1, .1])  # fmt: skip
    days_in_bond = np.where(mode == "bonded", rng.integers(0, 720, n), 0)
    fx = np.where(rng.random(n) < 0.5, 0.0, np.round(amount * rng.uniform(0.5, 1.5, n), 2))
    return pa.table({
        "rid": np.arange(n, dtype=np.int64), "amount": amount, "currency": ccy,
        "country_of_origin": origin, "destination_country": dest, "payer_country": payer,
        "hs_code": hs, "declared_unit_price": decl_price, "reference_unit_price": ref_price,
        "quantity": (rng.lognormal(5, 2, n) + 1).astype(np.int64),
        "gross_weight_kg": np.round(rng.lognormal(6, 1.5, n) + 0.1, 3),
        "counterparty_risk": np.round(rng.beta(2, 5, n), 4), "is_dangerous_goods": dg,
        "un_number": un, "enterprise_age_days": rng.exponential(1500, n).astype(np.int64),
        "fx_purchase_amount": fx, "trade_mode": mode, "is_reexport": rng.random(n) < 0.15,
        "days_in_bond": days_in_bond.astype(np.int64),
    })  # fmt: skip


# ---------------------------------------------------------------- baselines, by hand

S_OK, S_HR, S_OFF, S_SAN = set(OK_CCY), set(HIGH_RISK), set(OFFSHORE), set(SANCTIONED)


def score_py(e: dict[str, Any]) -> tuple[int, int]:
    """The plain Python if-chain: (total score, hit mask)."""
    s = m = 0
    amt = e["amount"]
    ratio = e["declared_unit_price"] / e["reference_unit_price"]
    risk, hs, dg = e["counterparty_risk"], e["hs_code"], e["is_dangerous_goods"]
    if amt > 1_000_000:
        s += 20
        m |= 1 << 0
    if e["currency"] not in S_OK:
        s += 10
        m |= 1 << 1
    if e["country_of_origin"] in S_HR:
        s += 40
        m |= 1 << 2
    if ratio < 0.5:
        s += 30
        m |= 1 << 3
    if ratio > 2:
        s += 25
        m |= 1 << 4
    if risk >= 0.8:
        s += 35
        m |= 1 << 5
    if 0.5 <= risk < 0.8:
        s += 10
        m |= 1 << 6
    if hs.startswith("93"):
        s += 50
        m |= 1 << 7
    if hs.startswith(("2844", "2845")):
        s += 50
        m |= 1 << 8
    if hs.startswith(("28", "29", "38")) and not dg:
        s += 20
        m |= 1 << 9
    if e["enterprise_age_days"] < 90 and amt > 200_000:
        s += 25
        m |= 1 << 10
    if amt >= 50_000 and amt % 10000 == 0:
        s += 5
        m |= 1 << 11
    if e["payer_country"] in S_OFF:
        s += 20
        m |= 1 << 12
    if e["quantity"] > 100_000 and e["declared_unit_price"] < 0.01:
        s += 15
        m |= 1 << 13
    if e["fx_purchase_amount"] > 500_000 and e["trade_mode"] == "service":
        s += 15
        m |= 1 << 14
    if amt / e["gross_weight_kg"] > 10_000:
        s += 10
        m |= 1 << 15
    if e["destination_country"] in S_SAN and e["is_reexport"]:
        s += 40
        m |= 1 << 16
    if e["trade_mode"] == "bonded" and e["days_in_bond"] > 365:
        s += 10
        m |= 1 << 17
    if dg and e["un_number"] == "":
        s += 30
        m |= 1 << 18
    if 45_000 <= amt < 50_000:
        s += 15
        m |= 1 << 19
    return s, m


def _sql_in(xs: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{x}'" for x in xs) + ")"


SQL_CONDS = [
    "amount > 1000000", f"currency NOT IN {_sql_in(OK_CCY)}",
    f"country_of_origin IN {_sql_in(HIGH_RISK)}",
    "declared_unit_price / reference_unit_price < 0.5",
    "declared_unit_price / reference_unit_price > 2", "counterparty_risk >= 0.8",
    "counterparty_risk >= 0.5 AND counterparty_risk < 0.8", "starts_with(hs_code, '93')",
    "(starts_with(hs_code, '2844') OR starts_with(hs_code, '2845'))",
    "(starts_with(hs_code, '28') OR starts_with(hs_code, '29') OR starts_with(hs_code, '38'))"
    " AND NOT is_dangerous_goods",
    "enterprise_age_days < 90 AND amount > 200000", "amount >= 50000 AND amount % 10000 = 0",
    f"payer_country IN {_sql_in(OFFSHORE)}", "quantity > 100000 AND declared_unit_price < 0.01",
    "fx_purchase_amount > 500000 AND trade_mode = 'service'", "amount / gross_weight_kg > 10000",
    f"destination_country IN {_sql_in(SANCTIONED)} AND is_reexport",
    "trade_mode = 'bonded' AND days_in_bond > 365", "is_dangerous_goods AND un_number = ''",
    "amount >= 45000 AND amount < 50000",
]  # fmt: skip
HAND_SQL = (
    "SELECT "
    + " + ".join(
        f"(CASE WHEN {c} THEN {s} ELSE 0 END)" for c, s in zip(SQL_CONDS, SCORES, strict=True)
    )
    + " AS score, "
    + " + ".join(f"(CASE WHEN {c} THEN {1 << i} ELSE 0 END)" for i, c in enumerate(SQL_CONDS))
    + " AS hit_mask, rid FROM events"
)


def polars_exprs() -> list[Any]:
    """The 20 rules as one polars ``select`` of a score and a hit mask."""
    import polars as pl

    c = pl.col
    ratio = c("declared_unit_price") / c("reference_unit_price")
    hs = c("hs_code").str
    conds = [
        c("amount") > 1_000_000, ~c("currency").is_in(OK_CCY),
        c("country_of_origin").is_in(HIGH_RISK), ratio < 0.5, ratio > 2,
        c("counterparty_risk") >= 0.8,
        (c("counterparty_risk") >= 0.5) & (c("counterparty_risk") < 0.8), hs.starts_with("93"),
        hs.starts_with("2844") | hs.starts_with("2845"),
        (hs.starts_with("28") | hs.starts_with("29") | hs.starts_with("38"))
        & ~c("is_dangerous_goods"),
        (c("enterprise_age_days") < 90) & (c("amount") > 200_000),
        (c("amount") >= 50_000) & (c("amount") % 10000 == 0),
        c("payer_country").is_in(OFFSHORE),
        (c("quantity") > 100_000) & (c("declared_unit_price") < 0.01),
        (c("fx_purchase_amount") > 500_000) & (c("trade_mode") == "service"),
        c("amount") / c("gross_weight_kg") > 10_000,
        c("destination_country").is_in(SANCTIONED) & c("is_reexport"),
        (c("trade_mode") == "bonded") & (c("days_in_bond") > 365),
        c("is_dangerous_goods") & (c("un_number") == ""),
        (c("amount") >= 45_000) & (c("amount") < 50_000),
    ]  # fmt: skip
    score = [
        pl.when(cd).then(pl.lit(s)).otherwise(pl.lit(0))
        for cd, s in zip(conds, SCORES, strict=True)
    ]
    mask = [pl.when(cd).then(pl.lit(1 << i)).otherwise(pl.lit(0)) for i, cd in enumerate(conds)]
    return [pl.sum_horizontal(score).alias("score"), pl.sum_horizontal(mask).alias("hit_mask")]


# ---------------------------------------------------------------- GoRules ZEN, rule-engine

ZEN_COLS = [("amt", "amount"), ("ccy", "currency"), ("org", "country_of_origin"),
            ("ratio", "declared_unit_price / reference_unit_price"), ("risk", "counterparty_risk"),
            ("hs", "hs_code"), ("dg", "is_dangerous_goods"), ("age", "enterprise_age_days"),
            ("mod", "amount % 10000"), ("payer", "payer_country"), ("qty", "quantity"),
            ("price", "declared_unit_price"), ("fx", "fx_purchase_amount"), ("mode", "trade_mode"),
            ("dens", "amount / gross_weight_kg"), ("dest", "destination_country"),
            ("rex", "is_reexport"), ("bond", "days_in_bond"), ("un", "un_number")]  # fmt: skip


def _zen_list(xs: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{x}'" for x in xs) + "]"


_CHEM = "startsWith($, '28') or startsWith($, '29') or startsWith($, '38')"
ZEN_ROWS: list[dict[str, str]] = [
    {"amt": "> 1000000"}, {"ccy": f"not in {_zen_list(OK_CCY)}"},
    {"org": f"in {_zen_list(HIGH_RISK)}"}, {"ratio": "< 0.5"}, {"ratio": "> 2"},
    {"risk": ">= 0.8"}, {"risk": "[0.5..0.8)"}, {"hs": "startsWith($, '93')"},
    {"hs": "startsWith($, '2844') or startsWith($, '2845')"}, {"hs": _CHEM, "dg": "false"},
    {"age": "< 90", "amt": "> 200000"}, {"amt": ">= 50000", "mod": "== 0"},
    {"payer": f"in {_zen_list(OFFSHORE)}"}, {"qty": "> 100000", "price": "< 0.01"},
    {"fx": "> 500000", "mode": "'service'"}, {"dens": "> 10000"},
    {"dest": f"in {_zen_list(SANCTIONED)}", "rex": "true"},
    {"mode": "'bonded'", "bond": "> 365"}, {"dg": "true", "un": "''"},
    {"amt": "[45000..50000)"},
]  # fmt: skip


def zen_graph() -> dict[str, Any]:
    """One decision table (hit policy collect) and an expression node summing the scores."""
    rows = []
    for i, (score, cells) in enumerate(zip(SCORES, ZEN_ROWS, strict=True)):
        row = {"_id": f"R{i:02d}", "o_rule": str(i), "o_score": str(score)}
        rows.append(row | {cid: cells.get(cid, "") for cid, _ in ZEN_COLS})
    inputs = [{"id": c, "name": c, "field": f, "type": "expression"} for c, f in ZEN_COLS]
    outputs = [{"id": f"o_{k}", "name": k, "field": k, "type": "expression"}
               for k in ("rule", "score")]  # fmt: skip
    table = {"hitPolicy": "collect", "inputs": inputs, "outputs": outputs, "rules": rows}
    sums = [{"id": "x1", "key": "score", "value": "sum(map($nodes.rules, #.score))"},
            {"id": "x2", "key": "hits", "value": "map($nodes.rules, #.rule)"}]  # fmt: skip
    at = {"x": 0, "y": 0}
    nodes = [
        {"id": "in", "type": "inputNode", "name": "event", "position": at},
        {"id": "tbl", "type": "decisionTableNode", "name": "rules", "position": at,
         "content": table},
        {"id": "agg", "type": "expressionNode", "name": "agg", "position": at,
         "content": {"expressions": sums}},
        {"id": "out", "type": "outputNode", "name": "result", "position": at},
    ]  # fmt: skip
    edges = [
        {"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
        for i, (a, b) in enumerate([("in", "tbl"), ("tbl", "agg"), ("agg", "out")])
    ]
    return {"nodes": nodes, "edges": edges}


def _quoted(xs: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


RULE_ENGINE_RULES = [
    "amount > 1000000", f"currency not in {_quoted(OK_CCY)}",
    f"country_of_origin in {_quoted(HIGH_RISK)}",
    "declared_unit_price / reference_unit_price < 0.5",
    "declared_unit_price / reference_unit_price > 2", "counterparty_risk >= 0.8",
    "counterparty_risk >= 0.5 and counterparty_risk < 0.8", 'hs_code =~ "^93"',
    'hs_code =~ "^284[45]"', 'hs_code =~ "^(28|29|38)" and not is_dangerous_goods',
    "enterprise_age_days < 90 and amount > 200000", "amount >= 50000 and amount % 10000 == 0",
    f"payer_country in {_quoted(OFFSHORE)}", "quantity > 100000 and declared_unit_price < 0.01",
    'fx_purchase_amount > 500000 and trade_mode == "service"', "amount / gross_weight_kg > 10000",
    f"destination_country in {_quoted(SANCTIONED)} and is_reexport",
    'trade_mode == "bonded" and days_in_bond > 365', 'is_dangerous_goods and un_number == ""',
    "amount >= 45000 and amount < 50000",
]  # fmt: skip


# ---------------------------------------------------------------- the harness


@dataclass
class Row:
    """One measured engine in one section."""

    section: str
    engine: str
    n: int
    seconds: float
    unit: str  # "events/s" or "rows/s"
    baseline: bool = False
    mismatches: int | None = None
    p50_us: float | None = None
    p99_us: float | None = None
    note: str = ""
    ratio: float | None = None

    @property
    def rate(self) -> float:
        """Events or rows per second."""
        return self.n / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class Bench:
    """What every section may use: the arguments, the data, and the compiled rules."""

    args: argparse.Namespace
    rows: list[Row] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)  # what a section builds once per run
    closers: list[Callable[[], None]] = field(default_factory=list)  # run at the end, reversed

    @cached_property
    def rules(self) -> list[CompiledRule]:
        """The 20 rules, compiled once."""
        return [compile_rule(source, SCHEMA) for source in RULES]

    @cached_property
    def rule_set(self) -> RuleSetEvaluator:
        """The 20 rules as one rule set."""
        return compile_rule_set(self.rules)

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        """The online events, as dicts of plain Python values."""
        return make_events(self.args.online, SEED + 1).to_pylist()

    @cached_property
    def reference(self) -> list[tuple[int, int]]:
        """(score, mask) of the plain-Python if-chain for every online event."""
        return [score_py(e) for e in self.events]


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """(best wall time of ``repeat`` runs, the last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def latency(
    fn: Callable[[dict[str, Any]], Any], events: list[dict[str, Any]]
) -> tuple[float, float]:
    """p50 and p99 of one call per event, in µs (a separate pass with perf_counter_ns)."""
    samples = []
    clock = time.perf_counter_ns
    for e in events:
        started = clock()
        fn(e)
        samples.append(clock() - started)
    samples.sort()
    return samples[len(samples) // 2] / 1e3, samples[int(len(samples) * 0.99) - 1] / 1e3


def mask_of(indexes: Sequence[int]) -> int:
    """A bit mask of rule indexes."""
    m = 0
    for i in indexes:
        m |= 1 << i
    return m


Scorer = Callable[[dict[str, Any]], tuple[int, int]]
Engines = list[tuple[str, Scorer, int]]


def _online_engines(ctx: Bench) -> Engines:
    """(name, per-event scorer returning (score, mask), events to run) for each engine."""
    run = ctx.rule_set.bind(LISTS)

    def ours(e: dict[str, Any]) -> tuple[int, int]:
        s = m = 0
        for i in run(e):
            s += SCORES[i]
            m |= 1 << i
        return s, m

    bound = [rule.bind(LISTS) for rule in ctx.rules]

    def ours_one_by_one(e: dict[str, Any]) -> tuple[int, int]:
        hits = [i for i, b in enumerate(bound) if b(e)]
        return sum(SCORES[i] for i in hits), mask_of(hits)

    closures = [rule.python for rule in ctx.rules]
    prepared = {name: frozenset(values) for name, values in LISTS.items()}

    def ours_closures(e: dict[str, Any]) -> tuple[int, int]:
        c = Context(prepared, {})
        hits = [i for i, fn in enumerate(closures) if fn(e, c)]
        return sum(SCORES[i] for i in hits), mask_of(hits)

    n = len(ctx.events)
    engines = [
        ("plain Python if-chain", score_py, n),
        ("ours: generated rule set, lists bound once", ours, n),
        ("ours: 20 generated rules, bound one by one", ours_one_by_one, n),
        ("ours: 20 closures (the old path)", ours_closures, n),
    ]
    return engines + _foreign_engines(n)


def _foreign_engines(n: int) -> Engines:
    found: Engines = []
    try:
        import zen

        loader = {"type": "static", "content": {"ftz.json": zen_graph()}}
        engine = zen.ZenEngine({"loader": loader})

        def zen_eval(e: dict[str, Any]) -> tuple[int, int]:
            result = engine.evaluate("ftz.json", e)["result"]
            hits = [int(h) for h in result.get("hits") or []]
            return int(result.get("score") or 0), mask_of(hits)

        found.append(("GoRules zen-engine, ZenEngine.evaluate(key)", zen_eval, n))
    except ImportError:
        pass
    try:
        import rule_engine

        rules = [rule_engine.Rule(text) for text in RULE_ENGINE_RULES]

        def rule_engine_eval(e: dict[str, Any]) -> tuple[int, int]:
            hits = [i for i, rule in enumerate(rules) if rule.matches(e)]
            return sum(SCORES[i] for i in hits), mask_of(hits)

        found.append(("rule-engine, 20 × Rule.matches", rule_engine_eval, min(n, 20_000)))
    except ImportError:
        pass
    return found


def bench_online(ctx: Bench) -> list[Row]:
    """One event at a time: throughput pass, then a separate latency pass."""
    rows = []
    for name, fn, n in _online_engines(ctx):
        events, reference = ctx.events[:n], ctx.reference[:n]
        for e in events[:1000]:  # warm up
            fn(e)
        seconds, out = timed(lambda fn=fn, events=events: [fn(e) for e in events])
        bad = sum(1 for got, want in zip(out, reference, strict=True) if got != want)
        p50, p99 = latency(fn, events[: min(n, ctx.args.latency)])
        row = Row("online, 20 flat rules", name, n, seconds, "events/s", mismatches=bad)
        row.baseline, row.p50_us, row.p99_us = not rows, p50, p99
        rows.append(row)
    return rows


#: low-cardinality string columns, dictionary-encoded as Parquet stores them (``hs_code``,
#: ~970k distinct values here, stays plain: Parquet falls back to plain pages for it too)
ENCODED = ["currency", "country_of_origin", "destination_country", "payer_country",
           "trade_mode", "un_number"]  # fmt: skip


def dictionary_encoded(table: pa.Table) -> pa.Table:
    """``table`` with the :data:`ENCODED` columns dictionary-encoded."""
    for name in ENCODED:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).dictionary_encode())
    return table


def _batch_rows(ctx: Bench, table: pa.Table, size: int, label: str) -> list[Row]:
    import polars as pl

    repeat, section = ctx.args.repeat, f"batch, 20 rules, {size:,} rows, {label}"
    con = duckdb.connect()
    con.register("events", table)
    t_hand, hand = timed(lambda: con.sql(HAND_SQL).to_arrow_table(), repeat)
    order = np.argsort(_np(hand, "rid"), kind="stable")  # a parallel scan may reorder rows
    want_s, want_m = _np(hand, "score")[order], _np(hand, "hit_mask")[order]
    t_ours, ours = timed(lambda: ctx.rule_set.batch(table, LISTS, SCORES), repeat)
    t_sql, sql = timed(lambda: ctx.rule_set.batch(table, LISTS, SCORES, "duckdb"), repeat)
    exprs = polars_exprs()

    def by_hand() -> pl.DataFrame:  # from the same Arrow table as every other engine
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame.lazy().select(exprs).collect()

    t_pl, out_pl = timed(by_hand, repeat)
    head = min(size, len(ctx.reference))
    ref_s = np.array([s for s, _ in ctx.reference[:head]])
    ref_m = np.array([m for _, m in ctx.reference[:head]])
    online_bad = _diff(want_s[:head], ref_s) + _diff(want_m[:head], ref_m) if size == head else 0

    def bad(out: pa.Table) -> int:
        return _diff(_np(out, "score"), want_s) + _diff(_np(out, "hits_0"), want_m)

    rows = [
        Row(section, "DuckDB, hand-written SQL", size, t_hand, "rows/s", True, online_bad),
        Row(section, "ours: rule set → one polars lazy plan", size, t_ours, "rows/s",
            mismatches=bad(ours)),
        Row(section, "ours: rule set → one DuckDB query", size, t_sql, "rows/s",
            mismatches=bad(sql)),
        Row(section, "polars by hand, one lazy select", size, t_pl, "rows/s",
            mismatches=_diff(out_pl["score"].to_numpy(), want_s)
            + _diff(out_pl["hit_mask"].to_numpy(), want_m)),
    ]  # fmt: skip
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    rows[0].note = f"best of {repeat}; duckdb threads={threads[0] if threads else '?'}"
    return rows


def _np(table: pa.Table, column: str) -> np.ndarray[Any, Any]:
    return np.asarray(table.column(column).to_numpy(), dtype=np.float64)


def _diff(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> int:
    return int(np.count_nonzero(np.asarray(a, dtype=np.float64) != np.asarray(b, np.float64)))


def bench_batch(ctx: Bench) -> list[Row]:
    """The rule set over Arrow tables of each ``--sizes``, against DuckDB and polars by hand,
    with the low-cardinality strings plain and dictionary-encoded (as the lake's Parquet).

    The first table's head is checked against the if-chain (the events are the same seed)."""
    rows = []
    for size in ctx.args.sizes:
        table = make_events(size, SEED + 1)
        rows += _batch_rows(ctx, table, size, "plain strings")
        rows += _batch_rows(ctx, dictionary_encoded(table), size, "dictionary-encoded strings")
        del table
    return rows


def _end_to_end_section(name: str) -> Callable[[Bench], list[Row]]:
    """A section of benchmarks/bench_risk_e2e.py (imported on first use: it loads the
    whole platform)."""

    def run(ctx: Bench) -> list[Row]:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import bench_risk_e2e

        rows: list[Row] = bench_risk_e2e.SECTIONS[name](ctx, Row)
        return rows

    run.__name__ = f"bench_{name}"
    return run


#: the sections, in order; add one by writing ``bench_<name>(ctx) -> list[Row]``
SECTIONS: dict[str, Callable[[Bench], list[Row]]] = {
    "online": bench_online,
    "batch": bench_batch,
    "end_to_end": _end_to_end_section("end_to_end"),
    "http": _end_to_end_section("http"),
    "nats": _end_to_end_section("nats"),
}


def machine_line() -> str:
    """CPU model and count, Python, package versions and load average."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
                model,
            )
    except OSError:
        pass
    packages = ["duckdb", "polars", "pyarrow", "numpy", "zen-engine", "rule-engine", "lark"]
    versions = " · ".join(f"{p} {_version(p)}" for p in packages)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {model} · {os.cpu_count()} CPUs · {platform.system()} {platform.release()} · "
        f"Python {platform.python_version()}\npackages: {versions}\nload average: {load}"
    )


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def table_text(rows: Sequence[Row]) -> str:
    """The results as a text table, ratios against each section's baseline."""
    head = f"{'engine':46s} {'n':>11s} {'seconds':>8s} {'rate':>13s} {'unit':8s} "
    head += f"{'×base':>7s} {'p50 µs':>7s} {'p99 µs':>7s} {'mismatch':>8s}  note"
    lines, section = [], None
    for row in rows:
        if row.section != section:
            section = row.section
            lines += ["", f"## {section}", head]
        ratio = "base" if row.baseline else f"{row.ratio:.2f}"
        p50 = f"{row.p50_us:.1f}" if row.p50_us is not None else "—"
        p99 = f"{row.p99_us:.1f}" if row.p99_us is not None else "—"
        bad = "—" if row.mismatches is None else str(row.mismatches)
        lines.append(
            f"{row.engine:46s} {row.n:11,d} {row.seconds:8.3f} {row.rate:13,.0f} {row.unit:8s} "
            f"{ratio:>7s} {p50:>7s} {p99:>7s} {bad:>8s}  {row.note}"
        )
    return "\n".join(lines)


def _ratios(rows: list[Row]) -> None:
    bases = {row.section: row for row in rows if row.baseline}
    for row in rows:
        base = bases.get(row.section)
        row.ratio = row.rate / base.rate if base else None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--online", type=int, default=100_000, help="events for online engines")
    parser.add_argument("--latency", type=int, default=20_000, help="events for the p50/p99 pass")
    parser.add_argument("--repeat", type=int, default=5, help="batch runs; the best is kept")
    parser.add_argument("--sections", nargs="+", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    e2e = parser.add_argument_group("end_to_end, http, nats")
    e2e.add_argument("--zone-enterprises", type=int, default=2000, help="simulated enterprises")
    e2e.add_argument("--zone-days", type=int, default=365, help="simulated days of history")
    e2e.add_argument("--e2e", type=int, default=20_000, help="events assessed per path")
    e2e.add_argument(
        "--e2e-sample",
        type=int,
        default=2_000,
        help="events for the one-at-a-time paths (and /healthz round trips)",
    )
    e2e.add_argument(
        "--pg", action="store_true", help="end_to_end also on a scratch PostgreSQL database"
    )
    e2e.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="an admin URL; a scratch database is created and dropped",
    )
    e2e.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.online, args.latency, args.repeat = [3_000], 2_000, 500, 1
        args.zone_enterprises, args.zone_days, args.e2e, args.e2e_sample = 200, 60, 500, 100
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the chosen sections, print the machine line and the table; return the figures."""
    args = parse_args(argv)
    print(machine_line())
    ctx = Bench(args)
    if {"online", "batch"} & set(args.sections):
        hit = sum(1 for s, _ in ctx.reference if s > 0)
        per_event = sum(bin(m).count("1") for _, m in ctx.reference) / len(ctx.events)
        print(f"online events: {len(ctx.events):,}, {hit:,} with ≥1 hit; "
              f"{per_event:.3f} hits/event")  # fmt: skip
    try:
        for name in args.sections:
            ctx.rows += SECTIONS[name](ctx)
    finally:
        for close in reversed(ctx.closers):
            close()
    _ratios(ctx.rows)
    print(table_text(ctx.rows))
    mismatches = sum(row.mismatches or 0 for row in ctx.rows)
    print(f"\ntotal mismatches: {mismatches}")
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    figures = {
        "machine": machine_line(),
        "rows": [asdict(row) | {"rate": row.rate} for row in ctx.rows],
        "mismatches": mismatches,
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)
    return figures


if __name__ == "__main__":
    main()
