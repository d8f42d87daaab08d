"""Every generated table conforms to the lake catalog, and every register row to the entity
rules, so the whole zone loads with zero rejects."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lingang.entities.model import validate_id_number
from lingang.lake.catalog import DATASETS
from lingang.lake.checks import load_references
from lingang.lake.validate import validate
from lingang.simulate import PATTERNS, SimulatedZone
from lingang.simulate.risk.truth import SCHEMAS
from lingang.simulate.tables import dataset_schema


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_row_passes_the_lake_validator(zone: SimulatedZone, hs_path: Path, name: str) -> None:
    table = zone.datasets[name]
    assert table.num_rows > 0
    assert table.schema == dataset_schema(name)
    checked = validate(table, DATASETS[name], load_references(hs_path))
    assert checked.rejects.num_rows == 0, checked.rejects.slice(0, 5).to_pylist()
    assert checked.valid.equals(table)


@pytest.mark.parametrize("name", list(DATASETS))
def test_dataset_keys_are_unique(zone: SimulatedZone, name: str) -> None:
    table = zone.datasets[name]
    key = DATASETS[name].key
    joined = pc.binary_join_element_wise(*[table[k].cast(pa.string()) for k in key], "|")
    assert pc.count_distinct(joined).as_py() == table.num_rows


def test_the_stored_schema_is_the_declared_fields_plus_lineage(zone: SimulatedZone) -> None:
    for name, dataset in DATASETS.items():
        stored = dataset.arrow_schema()
        assert pa.schema(list(stored)[: len(dataset.fields)]) == zone.datasets[name].schema


def test_register_batches_hold_valid_drafts_and_people(zone: SimulatedZone) -> None:
    batches = list(zone.batches(size=250))
    assert sum(len(b.enterprises) for b in batches) == zone.params.enterprises
    for batch in batches:
        for draft in batch.enterprises:
            assert draft.validated().uscc == draft.uscc
            assert draft.name_zh.endswith("（模拟）") and draft.name_en.endswith("(simulated)")
        keys = {p.key for p in batch.persons}
        assert all(validate_id_number(p.id_number) == p.id_number for p in batch.persons)
        assert set((batch.legal_rep_keys or {}).values()) <= keys
        usccs = {d.uscc for d in batch.enterprises}
        for target, holder, percent in batch.holdings:
            assert target in usccs and (holder in keys or holder in usccs) and 0 < percent <= 100
    numbers = [p.id_number for b in batches for p in b.persons]
    assert len(numbers) == len(set(numbers))


def test_truth_tables_have_their_declared_schemas(zone: SimulatedZone) -> None:
    assert list(zone.truth) == list(PATTERNS)
    for pattern, table in zone.truth.items():
        assert table.schema == SCHEMAS[pattern]
