"""Audit chain: pure hashing and verification, no I/O.

Each entry's ``hash`` is an HMAC-SHA256 (keyed, so a row cannot be forged without the key)
over its content and the previous entry's hash. The head records the last sequence number
and hash, itself MAC'd, so deletions at the end are caught too. The sequence number is not
part of the MAC: the chain of ``prev_hash`` links is the order, and ``seq`` must agree with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, ISO datetimes, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(state: Any) -> str | None:
    """SHA-256 of a state's canonical JSON; None stays None (nothing before a create)."""
    if state is None:
        return None
    return hashlib.sha256(canonical_json(state).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One record of the chain as stored."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: str
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """Everything the MAC covers."""
        return {
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before_digest,
            "after": self.after_digest,
            "detail": self.detail,
            "prev": self.prev_hash,
        }


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The chain's head: last sequence number and hash, with a MAC over both."""

    seq: int
    hash: str
    mac: str


def entry_mac(key: bytes, entry: AuditEntry) -> str:
    """The MAC an entry must carry."""
    return hmac.new(key, canonical_json(entry.content()).encode(), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, last_hash: str) -> str:
    """The MAC the head must carry."""
    return hmac.new(key, f"head:{seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()


class FindingKind(StrEnum):
    """What verification found wrong."""

    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    HEAD = "head"


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect in the chain, naming the row (sequence number) it concerns."""

    kind: FindingKind
    seq: int
    message: str


@dataclass(slots=True)
class VerifyReport:
    """The outcome of a full verification."""

    checked: int
    head_seq: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return not self.findings


def verify_chain(entries: Sequence[AuditEntry], head: AuditHead, key: bytes) -> VerifyReport:
    """Walk the chain in ``seq`` order and report every edited, deleted, inserted or moved row."""
    report = VerifyReport(checked=len(entries), head_seq=head.seq)
    valid = [hmac.compare_digest(entry_mac(key, e), e.hash) for e in entries]
    seq_of_hash = {e.hash: e.seq for e, ok in zip(entries, valid, strict=True) if ok}
    expected: str | None = GENESIS
    last_seq = 0
    for index, entry in enumerate(entries):
        if not valid[index]:
            kind = _classify_forged(entries, index, head)
            report.findings.append(_forged_finding(kind, entry))
            if kind is FindingKind.EDITED:
                expected = None  # the next link points at the original content: don't check it
            last_seq = entry.seq
            continue
        if expected is not None and entry.prev_hash != expected:
            report.findings.append(_link_finding(entry, last_seq, seq_of_hash))
        elif entry.seq != last_seq + 1 and expected is not None:
            report.findings.append(
                Finding(FindingKind.EDITED, entry.seq, f"row {entry.seq}: sequence number changed")
            )
        expected, last_seq = entry.hash, entry.seq
    report.findings.extend(_head_findings(entries, head, key))
    return report


def _classify_forged(entries: Sequence[AuditEntry], index: int, head: AuditHead) -> FindingKind:
    entry = entries[index]
    if entry.seq > head.seq:
        return FindingKind.INSERTED
    before = entries[index - 1].hash if index > 0 else GENESIS
    after = entries[index + 1] if index + 1 < len(entries) else None
    if after is not None and after.prev_hash == before and entry.prev_hash == before:
        return FindingKind.INSERTED
    return FindingKind.EDITED


def _forged_finding(kind: FindingKind, entry: AuditEntry) -> Finding:
    if kind is FindingKind.INSERTED:
        text = f"row {entry.seq}: inserted — it is not part of the chain (MAC invalid)"
    else:
        text = f"row {entry.seq}: edited — content does not match its MAC ({entry.action})"
    return Finding(kind, entry.seq, text)


def _link_finding(entry: AuditEntry, last_seq: int, seq_of_hash: dict[str, int]) -> Finding:
    if entry.prev_hash in seq_of_hash:
        origin = seq_of_hash[entry.prev_hash]
        return Finding(
            FindingKind.REORDERED,
            entry.seq,
            f"row {entry.seq}: out of order — in the chain it follows row {origin}, "
            f"not row {last_seq}",
        )
    if entry.seq > last_seq + 1:
        missing = _range_text(last_seq + 1, entry.seq - 1)
        return Finding(FindingKind.DELETED, last_seq + 1, f"{missing} deleted")
    return Finding(
        FindingKind.DELETED, entry.seq, f"row {entry.seq}: the row it follows was deleted"
    )


def _head_findings(entries: Sequence[AuditEntry], head: AuditHead, key: bytes) -> list[Finding]:
    findings: list[Finding] = []
    if head.seq and not hmac.compare_digest(head_mac(key, head.seq, head.hash), head.mac):
        findings.append(Finding(FindingKind.HEAD, head.seq, "chain head edited (MAC invalid)"))
    last = entries[-1] if entries else None
    last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS)
    if head.seq > last_seq:
        if head.hash == last_hash:
            text = f"{head.seq - last_seq} row(s) deleted and later rows renumbered"
        else:
            text = f"{_range_text(last_seq + 1, head.seq)} deleted at the end of the chain"
        findings.append(Finding(FindingKind.DELETED, last_seq + 1, text))
    return findings


def _range_text(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}–{last}"
