"""The audit chain names every kind of tampering: edit, delete, insert, reorder, head edit."""

from __future__ import annotations

import dataclasses
import datetime as dt

from lingang.audit.model import (
    GENESIS,
    AuditEntry,
    AuditHead,
    FindingKind,
    digest,
    entry_mac,
    head_mac,
    verify_chain,
)

KEY = b"unit-test-key"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def build_chain(n: int) -> tuple[list[AuditEntry], AuditHead]:
    entries: list[AuditEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        draft = AuditEntry(
            seq,
            T0 + dt.timedelta(seconds=seq),
            "alice",
            "test.act",
            "thing",
            str(seq),
            None,
            digest({"n": seq}),
            "",
            prev,
            "",
        )
        entry = dataclasses.replace(draft, hash=entry_mac(KEY, draft))
        entries.append(entry)
        prev = entry.hash
    return entries, AuditHead(n, prev, head_mac(KEY, n, prev))


def kinds(entries: list[AuditEntry], head: AuditHead) -> list[tuple[FindingKind, int]]:
    return [(f.kind, f.seq) for f in verify_chain(entries, head, KEY).findings]


def test_intact_chain_verifies() -> None:
    entries, head = build_chain(5)
    report = verify_chain(entries, head, KEY)
    assert report.ok and report.checked == 5


def test_empty_chain_verifies() -> None:
    assert verify_chain([], AuditHead(0, GENESIS, ""), KEY).ok


def test_edited_row_is_named() -> None:
    entries, head = build_chain(5)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    assert kinds(entries, head) == [(FindingKind.EDITED, 3)]


def test_edited_row_with_recomputed_plain_hash_is_still_named_once() -> None:
    entries, head = build_chain(5)
    entries[1] = dataclasses.replace(entries[1], detail="x", hash="f" * 64)
    assert kinds(entries, head) == [(FindingKind.EDITED, 2)]


def test_deleted_middle_row_is_named() -> None:
    entries, head = build_chain(5)
    del entries[2]
    assert kinds(entries, head) == [(FindingKind.DELETED, 3)]


def test_deleted_last_rows_are_caught_by_the_head() -> None:
    entries, head = build_chain(5)
    report = verify_chain(entries[:3], head, KEY)
    assert [(f.kind, f.seq) for f in report.findings] == [(FindingKind.DELETED, 4)]
    assert "rows 4–5" in report.findings[0].message


def test_deleted_row_with_renumbering_is_caught() -> None:
    entries, head = build_chain(5)
    shifted = entries[:2] + [dataclasses.replace(e, seq=e.seq - 1) for e in entries[3:]]
    found = kinds(shifted, head)
    assert (FindingKind.DELETED, 3) in found


def test_inserted_row_at_the_end_is_named() -> None:
    entries, head = build_chain(3)
    forged = AuditEntry(
        4, T0, "mallory", "test.act", "thing", "9", None, None, "", entries[-1].hash, "e" * 64
    )
    assert kinds([*entries, forged], head) == [(FindingKind.INSERTED, 4)]


def test_inserted_row_in_the_middle_is_named() -> None:
    entries, head = build_chain(4)
    forged = AuditEntry(
        3, T0, "mallory", "test.act", "thing", "9", None, None, "", entries[1].hash, "e" * 64
    )
    renumbered = [dataclasses.replace(e, seq=e.seq + 1) for e in entries[2:]]
    head = AuditHead(5, head.hash, head_mac(KEY, 5, head.hash))
    found = kinds([*entries[:2], forged, *renumbered], head)
    assert found == [(FindingKind.INSERTED, 3)]


def test_swapped_rows_are_reported_as_reordered() -> None:
    entries, head = build_chain(6)
    third, fifth = entries[2], entries[4]
    entries[2] = dataclasses.replace(fifth, seq=3)
    entries[4] = dataclasses.replace(third, seq=5)
    found = kinds(entries, head)
    assert found and all(kind is FindingKind.REORDERED for kind, _ in found)
    assert {seq for _, seq in found} >= {3, 5}


def test_edited_head_is_named() -> None:
    entries, head = build_chain(3)
    forged = dataclasses.replace(head, mac="0" * 64)
    assert kinds(entries, forged) == [(FindingKind.HEAD, 3)]


def test_a_different_key_rejects_every_row() -> None:
    entries, head = build_chain(2)
    report = verify_chain(entries, head, b"other-key")
    assert {f.kind for f in report.findings} >= {FindingKind.EDITED}
