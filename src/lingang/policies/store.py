"""Policy persistence: the editable catalogue, each enterprise's current match per policy, the
inbox of new eligibilities, 免申即享 grants and self-declared profile facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.policies.model import Area, Condition, Grant, InboxMessage, Match, Policy, Verdict


class PolicyRow(Base):
    """One incentive policy (loaded from the catalogue, then editable)."""

    __tablename__ = "policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(32), index=True)
    benefit_zh: Mapped[str] = mapped_column(Text)
    benefit_en: Mapped[str] = mapped_column(Text)
    amount_wan: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    exempt_application: Mapped[bool] = mapped_column(Boolean)
    eligibility: Mapped[str] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PolicyMatchRow(Base):
    """An enterprise's current verdict for one policy, with its trace."""

    __tablename__ = "policy_matches"
    __table_args__ = (
        UniqueConstraint("enterprise_uscc", "policy_id", name="uq_policy_matches_enterprise"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    policy_id: Mapped[str] = mapped_column(String(64), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    failed: Mapped[str | None] = mapped_column(Text, nullable=True)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PolicyInboxRow(Base):
    """A message in an enterprise's policy inbox."""

    __tablename__ = "policy_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PolicyGrantRow(Base):
    """A benefit granted without an application (免申即享), once per enterprise and policy."""

    __tablename__ = "policy_grants"
    __table_args__ = (
        UniqueConstraint("enterprise_uscc", "policy_id", name="uq_policy_grants_enterprise"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    amount_wan: Mapped[float | None] = mapped_column(Float, nullable=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    granted_by: Mapped[str] = mapped_column(String(64))


class PolicyProfileRow(Base):
    """Facts an enterprise declares for matching (R&D spending, employees…)."""

    __tablename__ = "policy_profiles"

    enterprise_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def to_policy(row: PolicyRow) -> Policy:
    """The domain policy of a row."""
    return Policy(
        id=row.id, title_zh=row.title_zh, title_en=row.title_en, issuer=row.issuer,
        area=Area(row.area), benefit_zh=row.benefit_zh, benefit_en=row.benefit_en,
        amount_wan=row.amount_wan, valid_from=row.valid_from, valid_to=row.valid_to,
        exempt_application=row.exempt_application, eligibility=row.eligibility,
        illustrative=row.illustrative, version=row.version,
    )  # fmt: skip


def fill(row: PolicyRow, policy: Policy) -> None:
    """Copy a policy's fields onto its row."""
    row.title_zh, row.title_en, row.issuer = policy.title_zh, policy.title_en, policy.issuer
    row.area, row.benefit_zh, row.benefit_en = (
        policy.area.value,
        policy.benefit_zh,
        policy.benefit_en,
    )
    row.amount_wan, row.valid_from, row.valid_to = (
        policy.amount_wan,
        policy.valid_from,
        policy.valid_to,
    )
    row.exempt_application, row.eligibility = policy.exempt_application, policy.eligibility
    row.illustrative, row.version = policy.illustrative, policy.version


def to_match(row: PolicyMatchRow) -> Match:
    """The domain match of a row."""
    trace = tuple(Condition(str(c["kind"]), str(c["source"]), c["result"],
                            tuple(c.get("missing") or ())) for c in row.trace)  # fmt: skip
    return Match(row.policy_id, row.enterprise_uscc, Verdict(row.verdict), trace,
                 failed=row.failed, missing=tuple(row.missing or ()),
                 evaluated_at=row.evaluated_at)  # fmt: skip


def to_message(row: PolicyInboxRow) -> InboxMessage:
    """The domain inbox message of a row."""
    return InboxMessage(row.id, row.enterprise_uscc, row.policy_id, row.text, row.created_at,
                        row.read_at)  # fmt: skip


def to_grant(row: PolicyGrantRow) -> Grant:
    """The domain grant of a row."""
    return Grant(row.id, row.enterprise_uscc, row.policy_id, row.amount_wan, row.granted_at,
                 row.granted_by)  # fmt: skip
