"""Rule-set governance: drafts, submission, second-officer approval, publishing, shadow runs.

Life of a version: ``draft`` → ``pending`` (submitted by its author) → ``published`` (approved
by a *different* risk officer or administrator; the previous version becomes ``retired``) or
``rejected``. A draft or pending version may run in *shadow* beside the published one: every
online assessment is then also scored by the candidate and the difference is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.risk.lists.service import RiskListService
from lingang.risk.rulesets import store
from lingang.risk.rulesets.events import RuleSetPublished, ShadowChanged
from lingang.risk.scenarios.compiled import CompiledRuleSet
from lingang.risk.scenarios.library import shipped_document, standard_lists
from lingang.risk.scenarios.model import RuleSetDocument, load_document
from lingang.types import SYSTEM, Actor, Role, utcnow

AUTHORS = frozenset({Role.ADMIN, Role.RISK_OFFICER})
STATUS_LABELS = {
    "draft": ("草稿", "draft"),
    "pending": ("待审批", "pending approval"),
    "published": ("生效中", "published"),
    "retired": ("已停用", "retired"),
    "rejected": ("已驳回", "rejected"),
}
Compiler = Callable[[RuleSetDocument], CompiledRuleSet]


@dataclass(frozen=True, slots=True)
class RuleSetVersion:
    """A version of the scenario library, as officers see it."""

    version: int
    status: str
    based_on: int | None
    document: RuleSetDocument
    sha256: str
    note: str
    author: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    published_at: dt.datetime | None
    shadow: bool

    @property
    def rule_count(self) -> int:
        """How many rules the version has."""
        return sum(len(s.rules) for s in self.document.scenarios)


def document_sha256(data: dict[str, Any]) -> str:
    """A stable digest of a rule-set document."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _to_version(row: store.RuleSetVersionRow) -> RuleSetVersion:
    return RuleSetVersion(
        version=row.version, status=row.status, based_on=row.based_on,
        document=load_document(row.document), sha256=row.sha256, note=row.note,
        author=row.author, created_at=row.created_at, submitted_at=row.submitted_at,
        decided_by=row.decided_by, decided_at=row.decided_at, decision_note=row.decision_note,
        published_at=row.published_at, shadow=row.shadow,
    )  # fmt: skip


class RuleSetService:
    """Versions of the scenario library and who may move them along."""

    def __init__(self, uow: UnitOfWorkFactory, audit: AuditService, lists: RiskListService,
                 compiler: Compiler) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self._lists = lists
        self._compile = compiler
        self._seeded = False

    def _ensure(self) -> None:
        """Seed the shipped library the first time rule sets are used (not on every start,
        so a platform that never screens events writes nothing)."""
        if not self._seeded:
            self.ensure_shipped()
            self._seeded = True

    def ensure_shipped(self) -> None:
        """On a new platform: create the standard lists and publish the shipped library as v1."""
        existing = set(self._lists.snapshot())
        for item in standard_lists():
            if item.name not in existing:
                self._lists.create_list(item.name, item.kind, item.element_type, actor=SYSTEM,
                                        description_zh=item.description_zh,
                                        description_en=item.description_en)  # fmt: skip
                if item.values:
                    self._lists.add_values(item.name, item.values, actor=SYSTEM,
                                           note="shipped with the scenario library")  # fmt: skip
        with self._uow() as uow:
            if store.all_versions(uow.session):
                return
            document = shipped_document()
            self._compile(document)
            row = self._new_row(uow.session, document.to_data(), SYSTEM, "shipped library", None)
            row.status, row.decided_by, row.decided_at = "published", SYSTEM.username, utcnow()
            row.published_at = row.decided_at
            self._audit.record(uow.session, actor=SYSTEM, action="risk.publish_rule_set",
                               object_type="rule_set", object_id="1",
                               detail="shipped scenario library")  # fmt: skip
            uow.emit(RuleSetPublished(version=1, previous=None, approved_by=SYSTEM.username))
            uow.commit()

    # --- reading ---------------------------------------------------------------------------

    def list_versions(self, *, actor: Actor) -> list[RuleSetVersion]:
        """Every version, newest first (staff only)."""
        self._ensure()
        _require_staff(actor)
        with self._uow.read() as session:
            return [_to_version(r) for r in store.all_versions(session)]

    def get(self, version: int, *, actor: Actor) -> RuleSetVersion:
        """One version (staff only)."""
        self._ensure()
        _require_staff(actor)
        with self._uow.read() as session:
            return _to_version(_existing(session, version))

    def published(self) -> RuleSetVersion:
        """The version in force (the engine's own read)."""
        self._ensure()
        with self._uow.read() as session:
            row = store.published(session)
            if row is None:
                raise NotFound("no rule set is published yet")
            return _to_version(row)

    def fingerprint(self) -> tuple[int | None, int | None]:
        """(published version, shadow version): cheap, to tell evaluators when to rebuild."""
        self._ensure()
        with self._uow.read() as session:
            live, shadow = store.published(session), store.in_shadow(session)
            return (live.version if live else None, shadow.version if shadow else None)

    def shadow(self) -> RuleSetVersion | None:
        """The candidate running in shadow, if any (the engine's own read)."""
        self._ensure()
        with self._uow.read() as session:
            row = store.in_shadow(session)
            return _to_version(row) if row is not None else None

    # --- changing --------------------------------------------------------------------------

    def create_draft(self, data: Any, *, actor: Actor, note: str = "",
                     based_on: int | None = None) -> RuleSetVersion:  # fmt: skip
        """A new draft from a whole document; it must load and compile."""
        self._ensure()
        _require_author(actor)
        document = load_document(data)
        self._compile(document)
        with self._uow() as uow:
            if based_on is not None:
                _existing(uow.session, based_on)
            row = self._new_row(uow.session, document.to_data(), actor, note, based_on)
            self._audit.record(uow.session, actor=actor, action="risk.draft_rule_set",
                               object_type="rule_set", object_id=str(row.version),
                               detail=f"based on {based_on}; {note[:200]}")  # fmt: skip
            uow.commit()
            return _to_version(row)

    def update_draft(self, version: int, data: Any, *, actor: Actor,
                     note: str | None = None) -> RuleSetVersion:  # fmt: skip
        """Replace a draft's document (its author only)."""
        _require_author(actor)
        document = load_document(data)
        self._compile(document)
        with self._uow() as uow:
            row = _existing(uow.session, version)
            _require_state(row, "draft")
            if row.author != actor.username:
                raise Forbidden("only the author edits a draft")
            before = row.sha256
            row.document = document.to_data()
            row.sha256 = document_sha256(row.document)
            if note is not None:
                row.note = note[:500]
            self._audit.record(uow.session, actor=actor, action="risk.edit_rule_set",
                               object_type="rule_set", object_id=str(version),
                               before={"sha256": before}, after={"sha256": row.sha256})  # fmt: skip
            uow.commit()
            return _to_version(row)

    def submit(self, version: int, *, actor: Actor) -> RuleSetVersion:
        """Ask for approval (the author only)."""
        _require_author(actor)
        with self._uow() as uow:
            row = _existing(uow.session, version)
            _require_state(row, "draft")
            if row.author != actor.username:
                raise Forbidden("only the author submits a draft")
            row.status, row.submitted_at = "pending", utcnow()
            self._audit.record(uow.session, actor=actor, action="risk.submit_rule_set",
                               object_type="rule_set", object_id=str(version))  # fmt: skip
            uow.commit()
            return _to_version(row)

    def approve(self, version: int, *, actor: Actor, note: str = "") -> RuleSetVersion:
        """A second officer approves: the version is published and the previous one retired."""
        _require_author(actor)
        with self._uow() as uow:
            row = _existing(uow.session, version)
            _require_state(row, "pending")
            if row.author == actor.username:
                raise Forbidden("a second officer must approve: the author cannot approve")
            self._compile(load_document(row.document))  # lists may have changed since
            previous = store.published(uow.session)
            now = utcnow()
            if previous is not None:
                previous.status, previous.retired_at = "retired", now
            row.status, row.decided_by, row.decided_at = "published", actor.username, now
            row.decision_note, row.published_at, row.shadow = note[:500], now, False
            self._audit.record(uow.session, actor=actor, action="risk.publish_rule_set",
                               object_type="rule_set", object_id=str(version),
                               before={"published": previous.version if previous else None},
                               detail=f"approved; author {row.author}; {note[:200]}")  # fmt: skip
            uow.emit(RuleSetPublished(version=version,
                                      previous=previous.version if previous else None,
                                      approved_by=actor.username))  # fmt: skip
            uow.commit()
            return _to_version(row)

    def reject(self, version: int, *, actor: Actor, note: str) -> RuleSetVersion:
        """A second officer sends a pending version back, with the reason."""
        _require_author(actor)
        if not note.strip():
            raise Invalid("note", "give the reason for the rejection")
        with self._uow() as uow:
            row = _existing(uow.session, version)
            _require_state(row, "pending")
            if row.author == actor.username:
                raise Forbidden("the author cannot reject their own version; edit a new draft")
            was_shadow = row.shadow
            row.status, row.decided_by, row.decided_at = "rejected", actor.username, utcnow()
            row.decision_note, row.shadow = note[:500], False
            self._audit.record(uow.session, actor=actor, action="risk.reject_rule_set",
                               object_type="rule_set", object_id=str(version),
                               detail=note[:200])  # fmt: skip
            if was_shadow:
                uow.emit(ShadowChanged(version=None))
            uow.commit()
            return _to_version(row)

    def set_shadow(self, version: int | None, *, actor: Actor) -> RuleSetVersion | None:
        """Run a draft or pending version in shadow (``None`` stops the shadow run)."""
        _require_author(actor)
        with self._uow() as uow:
            current = store.in_shadow(uow.session)
            if current is not None:
                current.shadow = False
            row = None
            if version is not None:
                row = _existing(uow.session, version)
                if row.status not in ("draft", "pending"):
                    raise Conflict(f"version {version} is {row.status}; only a draft or a "
                                   "pending version runs in shadow")  # fmt: skip
                self._compile(load_document(row.document))
                row.shadow = True
            self._audit.record(uow.session, actor=actor, action="risk.shadow_rule_set",
                               object_type="rule_set", object_id=str(version or "-"),
                               before={"shadow": current.version if current else None})  # fmt: skip
            uow.emit(ShadowChanged(version=version))
            uow.commit()
            return _to_version(row) if row is not None else None

    def _new_row(self, session: Session, data: dict[str, Any], actor: Actor, note: str,
                 based_on: int | None) -> store.RuleSetVersionRow:  # fmt: skip
        row = store.RuleSetVersionRow(
            version=store.next_version(session), status="draft", based_on=based_on,
            document=data, sha256=document_sha256(data), note=note[:500],
            author=actor.username, created_at=utcnow(), shadow=False,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row


def _existing(session: Session, version: int) -> store.RuleSetVersionRow:
    row = store.by_version(session, version)
    if row is None:
        raise NotFound(f"rule set version {version} not found")
    return row


def _require_state(row: store.RuleSetVersionRow, wanted: str) -> None:
    if row.status != wanted:
        raise Conflict(f"version {row.version} is {row.status}, not {wanted}")


def _require_author(actor: Actor) -> None:
    if actor.role not in AUTHORS:
        raise Forbidden("only risk officers and administrators manage rule sets")


def _require_staff(actor: Actor) -> None:
    if actor.is_enterprise:
        raise Forbidden("enterprise users do not read rule sets")
