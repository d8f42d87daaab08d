"""Audit use cases: record a write inside its unit of work; verify the whole chain."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lingang.audit import store
from lingang.audit.model import AuditEntry, VerifyReport, digest, entry_mac, head_mac, verify_chain
from lingang.errors import Forbidden
from lingang.types import Actor, Role, utcnow

READERS = frozenset({Role.ADMIN, Role.AUDITOR})


def load_or_create_key(path: Path) -> bytes:
    """Read the audit HMAC key from ``path``, creating a random one (mode 0600) if absent."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    path.write_text(key.hex())
    path.chmod(0o600)
    return key


class AuditService:
    """Appends to and verifies the hash-chained audit log."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def record(
        self,
        session: Session,
        *,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str,
        before: Any = None,
        after: Any = None,
        detail: str = "",
    ) -> AuditEntry:
        """Append one record in the caller's transaction; it commits (or not) with the change."""
        seq, prev_hash = store.claim_next_seq(session)
        draft = AuditEntry(
            seq=seq,
            at=utcnow(),
            actor=actor.username,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before_digest=digest(before),
            after_digest=digest(after),
            detail=detail,
            prev_hash=prev_hash,
            hash="",
        )
        entry = dataclasses.replace(draft, hash=entry_mac(self._key, draft))
        store.append_entry(session, entry, head_mac(self._key, seq, entry.hash))
        return entry

    def verify(self, session: Session, *, actor: Actor) -> VerifyReport:
        """Check every record and the head; the report names each defective row."""
        _require_reader(actor)
        entries = list(store.iter_entries(session))
        return verify_chain(entries, store.load_head(session), self._key)

    def list_records(
        self, session: Session, *, actor: Actor, limit: int = 50, before_seq: int | None = None
    ) -> list[AuditEntry]:
        """Newest records first, for auditors and administrators."""
        _require_reader(actor)
        return store.page_entries(session, limit=limit, before_seq=before_seq)

    def count(self, session: Session) -> int:
        """Number of records."""
        return store.count_entries(session)


def _require_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise Forbidden("only auditors and administrators read the audit log")
