"""The public Korea Customs declarations come in through the shipped column mapping.

The data is read from ``../shared`` beside the repository, never copied into it; the test
skips when it is missing, and fails instead under CI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from environment import SHARED_DATA, require_shared
from lingang.bootstrap import Platform, bootstrap
from lingang.config import Settings
from lingang.errors import Invalid
from lingang.lake.mapping import load_mapping, parse_mapping
from lingang.types import SYSTEM

KCS_TRAIN = SHARED_DATA / "customs-kcs-synthetic" / "df_syn_train_eng.csv"
HS_TABLE = SHARED_DATA / "hs-nomenclature" / "harmonized-system.csv"


def require(path: Path) -> None:
    """Skip when shared data is missing (fail under CI, where .ci provides ../shared)."""
    require_shared(path)


@pytest.fixture
def kcs_platform(tmp_path: Path) -> Iterator[Platform]:
    require(KCS_TRAIN)
    require(HS_TABLE)
    settings = Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'kcs.db'}",
        audit_key="kcs-test-key", hs_nomenclature=HS_TABLE, console=False,  # type: ignore[arg-type]
    )  # fmt: skip
    built = bootstrap(settings)
    try:
        yield built
    finally:
        built.close()


def test_kcs_train_file_imports_through_the_mapping(kcs_platform: Platform) -> None:
    lake = kcs_platform.lake
    summary = lake.import_file("declarations", KCS_TRAIN, actor=SYSTEM, mapping="kcs-declarations")
    assert (summary.rows, summary.accepted, summary.duplicates) == (37_385, 35_409, 0)
    assert summary.rejected_by_field == {
        "hs_code": 1_555, "declared_value": 321, "transport_mode": 73,
        "origin_country": 17, "departure_country": 10,
    }  # fmt: skip
    stored = lake.store.sql(
        "SELECT count(*) AS n, min(declared_on) AS first, max(currency) AS ccy, "
        "count(DISTINCT transport_mode) AS modes FROM declarations"
    ).to_pylist()[0]
    assert (stored["n"], str(stored["first"]), stored["ccy"]) == (35_409, "2020-01-01", "KRW")
    carried = pl.read_parquet(summary.carried or "")
    assert carried.height == 35_409
    assert carried.columns[:2] == ["declaration_id", "item_no"]
    assert {"Fraud", "Critical Fraud"} <= set(carried.columns)
    assert carried["Fraud"].cast(pl.Int32).sum() > 0
    held = lake.quarantine("declarations", actor=SYSTEM, limit=5000).rejects
    hs_reject = next(r for r in held if r.field == "hs_code")
    assert hs_reject.reason.endswith("is not an HS 2022 subheading")
    assert hs_reject.raw["HS6 Code"] in hs_reject.reason and hs_reject.line >= 2


def test_reimporting_the_kcs_file_adds_nothing(kcs_platform: Platform) -> None:
    lake = kcs_platform.lake
    lake.import_file("declarations", KCS_TRAIN, actor=SYSTEM, mapping="kcs-declarations")
    again = lake.import_file("declarations", KCS_TRAIN, actor=SYSTEM, mapping="kcs-declarations")
    assert (again.accepted, again.duplicates, again.rejected) == (0, 35_409, 1_976)


def test_a_file_without_the_mapped_columns_is_refused(
    kcs_platform: Platform, tmp_path: Path
) -> None:
    lopped = tmp_path / "kcs.csv"
    pl.read_csv(KCS_TRAIN, infer_schema=False, n_rows=10).drop("HS6 Code", "Fraud").write_csv(
        lopped
    )
    with pytest.raises(Invalid, match="missing required columns: HS6 Code, Fraud"):
        kcs_platform.lake.import_file(
            "declarations", lopped, actor=SYSTEM, mapping="kcs-declarations"
        )
    assert kcs_platform.lake.store.files("declarations") == []


def test_mapping_files_are_checked_when_loaded(tmp_path: Path) -> None:
    shipped = load_mapping("kcs-declarations")
    assert shipped.dataset.name == "declarations" and "Fraud" in shipped.carry
    document = json.loads(
        json.dumps({"dataset": "declarations", "fields": {"hs_kode": {"column": "x"}}})
    )
    with pytest.raises(Invalid, match="unknown target field 'hs_kode' for dataset declarations"):
        parse_mapping(document, "bad.json")
    path = tmp_path / "m.json"
    path.write_text(
        '{"dataset": "payments", "fields": {"payment_id": {"column": "a", "pad": 6, "oops": 1}}}'
    )
    with pytest.raises(Invalid, match="unknown keys: oops"):
        load_mapping(str(path))
