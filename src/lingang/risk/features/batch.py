"""Batch features over the lake with DuckDB: the same numbers as :mod:`.online`.

For each window feature the events' distinct (key, day) pairs are joined to the source rows
of their window (a range join on the day number plus key equality), aggregated once per pair
and joined back to the events. Source rows are read from the lake once per source dataset,
projected to each feature's key, value and filter (computed by the rule language's SQL).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS
from lingang.lake.store import LakeStore
from lingang.risk.features.catalog import FeatureCatalog, NetworkSource, WindowFeature
from lingang.risk.features.days import from_day, sql_day

_INTERP = """
CREATE MACRO __interp(l, q) AS CASE
  WHEN l IS NULL OR len(l) = 0 THEN NULL
  WHEN floor((len(l) - 1) * q) = ceil((len(l) - 1) * q)
    THEN l[CAST(floor((len(l) - 1) * q) AS BIGINT) + 1]
  ELSE l[CAST(floor((len(l) - 1) * q) AS BIGINT) + 1]
    + (l[CAST(ceil((len(l) - 1) * q) AS BIGINT) + 1]
       - l[CAST(floor((len(l) - 1) * q) AS BIGINT) + 1])
    * ((len(l) - 1) * q - floor((len(l) - 1) * q))
END
"""
_HALF = "CAST(0.5 AS DOUBLE)"
# Aggregates folded per (key, day) first, then over a RANGE window frame of days that also
# holds one probe row per event (key, day): a segment tree instead of a join.
_FRAMED = {
    "count": ("count(*) AS n", "sum(n) OVER w", "CAST(coalesce(x, 0) AS DOUBLE)"),
    "sum": ("fsum(v) AS s", "fsum(s) OVER w", "x"),
    "avg": ("fsum(v) AS s, count(v) AS c", "fsum(s) OVER w / NULLIF(sum(c) OVER w, 0)", "x"),
    "min": ("min(v) AS m", "min(m) OVER w", "x"),
    "max": ("max(v) AS m", "max(m) OVER w", "x"),
}


def _listed(feature: WindowFeature) -> tuple[str, str, str]:
    """(per-day aggregate as ``l``, window aggregate of the days' ``l`` as ``x``, final)."""
    agg = feature.agg
    if agg == "distinct":
        return (
            "list(DISTINCT v) AS l",
            "list_distinct(flatten(list(l)))",
            "CAST(coalesce(len(x), 0) AS DOUBLE)",
        )
    merged = "list_sort(flatten(list(l)))"
    if agg == "median":
        return "list(v) AS l", merged, f"__interp(x, {_HALF})"
    if agg == "percentile":
        return "list(v) AS l", merged, f"__interp(x, CAST('{feature.spec.q!r}' AS DOUBLE))"
    deviations = f"list_sort(list_transform(x, lambda v: abs(v - __interp(x, {_HALF}))))"
    return "list(v) AS l", merged, f"__interp({deviations}, {_HALF})"


def _source_query(dataset: str, features: list[tuple[int, WindowFeature]]) -> str:
    """``dataset``'s rows of days [$first_<dataset>, $last_<dataset>]: the day, and per feature
    its key parts, value and filter as columns ``f<i>_k<j>``, ``f<i>_v``, ``f<i>_w``."""
    columns = [f"'{dataset}' AS __src", f"{sql_day(DATASETS[dataset])} AS __d"]
    for i, feature in features:
        columns += [f"({k.sql}) AS f{i}_k{j}" for j, k in enumerate(feature.key)]
        if feature.value is not None:
            columns.append(f"({feature.value.sql}) AS f{i}_v")
        columns.append(f"({feature.where.sql}) AS f{i}_w" if feature.where else f"TRUE AS f{i}_w")
    return (
        f"SELECT {', '.join(columns)} FROM {dataset} "
        f"WHERE day BETWEEN $first_{dataset} AND $last_{dataset}"
    )


def _source_rows(
    lake: LakeStore, windows: list[tuple[int, WindowFeature]], first: int | None, last: int | None
) -> pa.Table:
    """Every source row the windows of events dated [first, last] can see, in one lake scan."""
    queries: list[str] = []
    params: dict[str, dt.date] = {}
    for dataset in dict.fromkeys(w.dataset for _, w in windows):
        used = [(i, w) for i, w in windows if w.dataset == dataset]
        span = max(w.days for _, w in used)
        queries.append(_source_query(dataset, used))
        empty = first is None or last is None
        params[f"first_{dataset}"] = from_day(1 if empty else first - span)  # type: ignore[operator]
        params[f"last_{dataset}"] = from_day(0 if empty else last)  # type: ignore[arg-type]
    return lake.sql(" UNION ALL BY NAME ".join(f"({q})" for q in queries), params)


def _window_sql(i: int, feature: WindowFeature, event_dataset: str) -> str:
    """The feature's value for every row of ``ev``, in ``__rid`` order."""
    parts = range(len(feature.key))
    keys = ", ".join(f"k{j}" for j in parts)
    event_key = ", ".join(
        f"({e.sql}) AS k{j}" for j, e in enumerate(feature.event_key[event_dataset])
    )
    src_filter = " AND ".join(
        [f"f{i}_w"]
        + [f"f{i}_k{j} IS NOT NULL" for j in parts]
        + ([f"f{i}_v IS NOT NULL"] if feature.value is not None else [])
    )
    src_keys = ", ".join(f"f{i}_k{j} AS k{j}" for j in parts)
    value = f", f{i}_v AS v" if feature.value is not None else ""
    present = " AND ".join(f"k{j} IS NOT NULL" for j in parts)
    head = f"""
WITH ek AS (SELECT __rid, __d AS d, {event_key} FROM ev),
pairs AS (SELECT DISTINCT d, {keys} FROM ek WHERE {present}),
src AS (SELECT __d AS d, {src_keys}{value} FROM src_{feature.dataset} WHERE {src_filter}),"""
    low, high = feature.days, feature.last_offset
    if feature.agg in _FRAMED:
        per_day, framed, final = _FRAMED[feature.agg]
        body = f"""
days AS (SELECT d, {keys}, {per_day}, FALSE AS probe FROM src GROUP BY ALL),
framed AS (
  SELECT d, {keys}, probe, {framed} AS x
  FROM (SELECT * FROM days UNION ALL BY NAME SELECT d, {keys}, TRUE AS probe FROM pairs)
  WINDOW w AS (PARTITION BY {keys} ORDER BY d RANGE BETWEEN {low} PRECEDING AND {high} PRECEDING)
),
agg AS (SELECT d, {keys}, x FROM framed WHERE probe)"""
    else:
        per_day, merged, final = (
            ("", "stddev_samp(s.v)", "x") if feature.agg == "stddev" else _listed(feature)
        )
        rows = (
            "src"
            if feature.agg == "stddev"
            else f"(SELECT d, {keys}, {per_day} FROM src GROUP BY ALL)"
        )
        on = " AND ".join(f"s.k{j} = p.k{j}" for j in parts)
        body = f"""
agg AS (
  SELECT p.d, {", ".join(f"p.k{j}" for j in parts)}, {merged} AS x
  FROM pairs p JOIN {rows} s ON {on} AND s.d BETWEEN p.d - {low} AND p.d - {high}
  GROUP BY ALL
)"""
    back = " AND ".join(f"a.k{j} = e.k{j}" for j in parts)
    return f"""{head}{body}
SELECT {final} AS value
FROM ek e LEFT JOIN agg a ON a.d = e.d AND {back}
ORDER BY e.__rid
"""


def compute_batch(
    catalog: FeatureCatalog,
    lake: LakeStore,
    event_dataset: str,
    events: pa.Table,
    *,
    network: NetworkSource | None = None,
) -> pa.Table:
    """One float64 column per feature of ``catalog.for_event(event_dataset)``, one row per
    event in the order of ``events`` (which has the event dataset's fields). Network features
    are looked up in ``network`` per event (null without one), as online."""
    names = catalog.for_event(event_dataset)
    windows = catalog.windows_for(event_dataset)
    spec = DATASETS[event_dataset]
    if spec.partition_by not in events.column_names:
        raise Invalid(spec.partition_by, f"the events lack {event_dataset}'s date field")
    columns: dict[str, pa.Array[Any] | pa.ChunkedArray[Any]] = {}
    with duckdb.connect() as con:
        con.sql("SET threads = 2")
        con.sql(_INTERP)
        rid = pa.array(range(events.num_rows), pa.int64())
        con.register("__events", events.append_column("__rid", rid))
        con.sql(f"CREATE TEMP TABLE ev AS SELECT *, {sql_day(spec)} AS __d FROM __events")
        first, last = con.sql("SELECT min(__d), max(__d) FROM ev").fetchall()[0]
        indexed = list(enumerate(windows))
        if indexed:
            con.register("__sources", _source_rows(lake, indexed, first, last))
            for source in dict.fromkeys(w.dataset for w in windows):
                con.sql(
                    f"CREATE VIEW src_{source} AS SELECT * FROM __sources WHERE __src = '{source}'"
                )
        for i, feature in indexed:
            result = con.sql(_window_sql(i, feature, event_dataset)).to_arrow_table()
            columns[feature.name] = result.column(0)
        if catalog.network_for(event_dataset):
            days = con.sql("SELECT __d FROM ev ORDER BY __rid").fetchnumpy()["__d"].tolist()
            columns.update(_network_columns(catalog, event_dataset, events, days, network))
    table = events
    for derived in catalog.derived_for(event_dataset):
        for name, column in columns.items():
            if name not in table.column_names:
                table = table.append_column(name, column)
        array = derived.compiled[event_dataset].batch(table)
        columns[derived.name] = array.cast(pa.float64())
    return pa.table({name: columns[name] for name in names}) if names else _empty(events)


def _network_columns(
    catalog: FeatureCatalog,
    event_dataset: str,
    events: pa.Table,
    days: list[int],
    network: NetworkSource | None,
) -> dict[str, pa.Array[Any]]:
    """Each network feature's lookups for every event (the online path's exact question)."""
    out: dict[str, pa.Array[Any]] = {}
    for feature in catalog.network_for(event_dataset):
        keys = feature.event_key[event_dataset].batch(events).to_pylist()
        values = [
            None if network is None or key is None else network.lookup(feature.measure, key, day)
            for key, day in zip(keys, days, strict=True)
        ]
        out[feature.name] = pa.array(values, pa.float64())
    return out


def _empty(events: pa.Table) -> pa.Table:
    return pa.table({"__row": pa.array(range(events.num_rows), pa.int64())}).drop_columns(["__row"])


def compute_batch_range(
    catalog: FeatureCatalog,
    lake: LakeStore,
    event_dataset: str,
    start: dt.date,
    end: dt.date,
    *,
    network: NetworkSource | None = None,
) -> pa.Table:
    """The features of every ``event_dataset`` row of the lake dated ``start``..``end``
    (both included): the dataset's key columns and date, then one column per feature,
    ordered by date and key."""
    spec = DATASETS.get(event_dataset)
    if spec is None:
        raise Invalid("dataset", f"unknown dataset {event_dataset!r}")
    order = ", ".join([spec.partition_by, *spec.key])
    events = lake.sql(
        f"SELECT {', '.join(spec.field_names)} FROM {event_dataset} "
        f"WHERE day BETWEEN $start AND $end ORDER BY {order}",
        {"start": start, "end": end},
    ).cast(pa.schema([pa.field(f.name, f.type) for f in spec.fields]))
    features = compute_batch(catalog, lake, event_dataset, events, network=network)
    keep = events.select([*spec.key, spec.partition_by])
    for name in features.column_names:
        keep = keep.append_column(name, features.column(name))
    return keep
