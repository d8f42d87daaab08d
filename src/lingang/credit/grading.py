"""The credit-grading engine (issue #6): pure, reproducible, every number from the rule sets.

``grade(inp, rulesets)`` gives an enterprise's customs credit category under the instrument
in force on ``inp.as_of`` (Order 251 up to 2026-03-31, Order 282 from 2026-04-01), the
codes of the 失信 criteria that fired, and the zone score 0–1000 with its class A–D and the
factors that explain it (``base + Σ factor.points == score``).

Reproducibility: only records with ``occurred_on <= as_of`` count, and every age and
every number of days overdue is computed as of ``as_of``; a debt paid after ``as_of`` is
unpaid on ``as_of``.

AEO precedence: the latest ``aeo_certification`` record on or before ``as_of`` decides
(``revoked`` or ``valid_until`` before ``as_of`` → no AEO); with no such record the
enterprise's registered ``aeo_status`` applies. Records are dated and so reproducible for a
past date; the registered status is only today's.

Record details (missing keys as explained):

- violation: ``penalty_rmb`` at top level or in ``disposal.penalty_rmb`` (0 when absent);
  ``violation_type`` (``obstruction`` / ``bribery`` are 失信 criteria); ``subjective_intent``
  (default true); ``goods_category`` (``solid_waste`` with the serious-list amount).
- unpaid_duty / unpaid_fine: ``amount_rmb`` (0), ``due_on`` (the record's date), ``paid_on``
  (null = unpaid).
- smuggling: ``criminal`` (false), ``penalty_rmb`` (0), ``goods_category``.
- case_outcome: ``outcome``. aeo_certification: ``level``, ``revoked``, ``valid_until``.
- award: ``points`` (the rule set's default). public_credit: ``polarity``, ``severity``.

Bad values raise ``Invalid("details.<key>", reason)`` with the record id in the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lingang.credit.model import CreditRecord, RecordKind
from lingang.credit.rulesets import (
    CASE_OUTCOMES,
    SERIOUS_LIST_CAP,
    SEVERITY_ORDER,
    CustomsCategory,
    CustomsRuleset,
    PerRecord,
    Rulesets,
    Severity,
    ZoneClass,
    ZoneScoreRuleset,
)
from lingang.entities.model import AeoStatus
from lingang.errors import Invalid

__all__ = [
    "CreditGrade",
    "CustomsCategory",
    "CustomsFinding",
    "Factor",
    "GradingInput",
    "ZoneClass",
    "assess_customs",
    "effective_aeo",
    "grade",
]

TEN_THOUSAND = Decimal(10000)
ZERO = Decimal(0)
OUTCOME_ZH = {
    "confirmed_violation": "查实违规",
    "referred": "移送",
    "inconclusive": "无法认定",
    "false_positive": "误报",
}
SEVERITY_ZH = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
AEO_ZH = {AeoStatus.ADVANCED: "高级认证", AeoStatus.GENERAL: "一般认证", AeoStatus.NONE: "无"}

FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "aeo": ("AEO 认证", "AEO certification"),
    "violations": ("违规记录", "Violations"),
    "unpaid_duty": ("欠缴税款", "Unpaid duties"),
    "unpaid_fine": ("未缴罚款", "Unpaid fines"),
    "smuggling": ("走私记录", "Smuggling"),
    "case_outcomes": ("案件结果", "Case outcomes"),
    "public_credit_negative": ("负面公共信用信息", "Negative public credit"),
    "public_credit_positive": ("正面公共信用信息", "Positive public credit"),
    "awards": ("表彰奖励", "Awards"),
    "clamp": ("分值上下限", "Score bounds"),
    "category_cap": ("海关信用类别封顶", "Customs category cap"),
}


@dataclass(frozen=True, slots=True)
class GradingInput:
    """What grading an enterprise needs; ``records`` may include later ones (ignored)."""

    uscc: str
    as_of: dt.date
    is_broker: bool  # 报关企业
    aeo_status: AeoStatus
    declarations_previous_year: int | None  # None = not computable
    records: tuple[CreditRecord, ...]
    #: records whose 失信 effect an approved credit repair lifted (信用修复): they no longer
    #: fire a customs criterion, and still weigh in the zone score (decayed)
    repaired: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Factor:
    """One contribution to the score: signed ``points``, a zh ``detail`` with the numbers,
    and the ids of the records behind it."""

    code: str
    label_zh: str
    label_en: str
    points: int
    detail: str
    record_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CustomsFinding:
    """The customs side of a grade: category, fired criteria and the violation numbers."""

    category: CustomsCategory
    reasons: tuple[str, ...]
    serious_list: bool
    aeo_status: AeoStatus
    violations_in_window: int
    penalties_in_window: Decimal
    per_mille: Decimal | None
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CreditGrade:
    """An enterprise's credit on ``as_of``: customs category and zone score with reasons."""

    uscc: str
    as_of: dt.date
    instrument: str
    customs_category: CustomsCategory
    dishonest_reasons: tuple[str, ...]
    on_serious_list: bool
    aeo_status: AeoStatus
    base: int
    score: int
    zone_class: ZoneClass
    factors: tuple[Factor, ...]
    ruleset_versions: dict[str, str]


# --- record facts -----------------------------------------------------------------------------


def _bad(record: CreditRecord, key: str, reason: str) -> Invalid:
    return Invalid(f"details.{key}", f"record {record.id}: {reason}")


def _amount(record: CreditRecord, data: Mapping[str, Any], key: str, path: str) -> Decimal:
    value = data.get(key)
    if value is None:
        return ZERO
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _bad(record, path, f"must be an amount in RMB, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise _bad(record, path, f"must be an amount in RMB, got {value!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise _bad(record, path, f"must be a finite amount ≥ 0, got {value!r}")
    return amount


def _flag(record: CreditRecord, key: str, default: bool) -> bool:
    value = record.details.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _bad(record, key, f"must be true or false, got {value!r}")
    return value


def _day(record: CreditRecord, key: str) -> dt.date | None:
    value = record.details.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise _bad(record, key, f"must be an ISO date, got {value!r}") from exc
    raise _bad(record, key, f"must be an ISO date, got {value!r}")


def _word(record: CreditRecord, key: str, allowed: Iterable[str] | None = None) -> str | None:
    value = record.details.get(key)
    if value is None:
        return None
    options = tuple(allowed) if allowed is not None else None
    if not isinstance(value, str) or (options is not None and value not in options):
        expected = f"one of {', '.join(options)}" if options else "text"
        raise _bad(record, key, f"must be {expected}, got {value!r}")
    return value


def _required_word(record: CreditRecord, key: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    value = _word(record, key, options)
    if value is None:
        raise _bad(record, key, f"missing; expected one of {', '.join(options)}")
    return value


def _penalty(record: CreditRecord) -> Decimal:
    """A violation's or smuggling case's penalty: top level, else ``disposal.penalty_rmb``."""
    if record.details.get("penalty_rmb") is not None:
        return _amount(record, record.details, "penalty_rmb", "penalty_rmb")
    disposal = record.details.get("disposal")
    if disposal is None:
        return ZERO
    if not isinstance(disposal, dict):
        raise _bad(record, "disposal", f"must be a mapping, got {disposal!r}")
    return _amount(record, disposal, "penalty_rmb", "disposal.penalty_rmb")


@dataclass(frozen=True, slots=True)
class _Debt:
    record: CreditRecord
    amount: Decimal
    due_on: dt.date
    paid_on: dt.date | None

    @staticmethod
    def of(record: CreditRecord) -> _Debt:
        due_on = _day(record, "due_on") or record.occurred_on
        amount = _amount(record, record.details, "amount_rmb", "amount_rmb")
        return _Debt(record, amount, due_on, _day(record, "paid_on"))

    def paid_by(self, as_of: dt.date) -> bool:
        return self.paid_on is not None and self.paid_on <= as_of

    def overdue_days(self, as_of: dt.date) -> int:
        end = self.paid_on if self.paid_on is not None and self.paid_on <= as_of else as_of
        return (end - self.due_on).days


def _age(record: CreditRecord, as_of: dt.date) -> int:
    return (as_of - record.occurred_on).days


def _of_kind(records: Iterable[CreditRecord], kind: RecordKind) -> list[CreditRecord]:
    return [r for r in records if r.kind is kind]


def _in_scope(inp: GradingInput) -> tuple[CreditRecord, ...]:
    """The records of ``inp.uscc`` that occurred on or before ``as_of``, oldest first."""
    for record in inp.records:
        if record.enterprise_uscc != inp.uscc:
            raise Invalid(
                "records", f"record {record.id} belongs to {record.enterprise_uscc}, not {inp.uscc}"
            )
    kept = (r for r in inp.records if r.occurred_on <= inp.as_of)
    return tuple(sorted(kept, key=lambda r: (r.occurred_on, r.id)))


def effective_aeo(
    inp: GradingInput, records: Iterable[CreditRecord]
) -> tuple[AeoStatus, int | None]:
    """The AEO status on ``as_of`` and the record that set it (None: the registered one)."""
    latest = _of_kind(records, RecordKind.AEO_CERTIFICATION)
    if not latest:
        return AeoStatus(inp.aeo_status), None
    record = latest[-1]
    level = AeoStatus(_required_word(record, "level", ("advanced", "general")))
    valid_until = _day(record, "valid_until")
    if _flag(record, "revoked", False) or (valid_until is not None and valid_until < inp.as_of):
        return AeoStatus.NONE, record.id
    return level, record.id


# --- customs category -------------------------------------------------------------------------


def _relaxed(rules: CustomsRuleset, inp: GradingInput, record: CreditRecord) -> bool:
    """Whether a dated exception takes a violation without subjective intent out of the count."""
    if _flag(record, "subjective_intent", True):
        return False
    for ex in rules.relaxations:
        day = inp.as_of if ex.applies_by == "as_of" else record.occurred_on
        if ex.covers(is_broker=inp.is_broker) and ex.start <= day <= ex.end:
            return True
    return False


def _event_reasons(
    rules: CustomsRuleset, inp: GradingInput, records: Iterable[CreditRecord]
) -> dict[str, list[int]]:
    """Event criteria (smuggling, obstruction, bribery, serious list) within the lookback."""
    fired: dict[str, list[int]] = {}
    for record in records:
        if _age(record, inp.as_of) > rules.event_lookback_days:
            continue
        goods = _word(record, "goods_category")
        solid_waste_over = (
            goods == "solid_waste" and _penalty(record) > rules.solid_waste_penalty_rmb_gt
        )
        if record.kind is RecordKind.SMUGGLING:
            criminal = _flag(record, "criminal", False)
            code = "smuggling_criminal" if criminal else "smuggling_administrative"
            fired.setdefault(code, []).append(record.id)
            if (criminal and goods in rules.serious_goods) or solid_waste_over:
                fired.setdefault("serious_list", []).append(record.id)
        elif record.kind is RecordKind.VIOLATION:
            kind = _word(record, "violation_type")
            if kind in ("obstruction", "bribery"):
                fired.setdefault(kind, []).append(record.id)
            if solid_waste_over:
                fired.setdefault("serious_list", []).append(record.id)
    return fired


def _debt_reasons(
    rules: CustomsRuleset, inp: GradingInput, records: Iterable[CreditRecord]
) -> dict[str, list[int]]:
    """Duties unpaid > N days, fines unpaid > M days (and above the amount, when set)."""
    fired: dict[str, list[int]] = {}
    for record in records:
        if record.kind not in (RecordKind.UNPAID_DUTY, RecordKind.UNPAID_FINE):
            continue
        debt = _Debt.of(record)
        if debt.paid_by(inp.as_of):
            continue
        if record.kind is RecordKind.UNPAID_DUTY:
            hit = debt.overdue_days(inp.as_of) > rules.duty_overdue_days_gt
        else:
            big = rules.fine_amount_rmb_gt == 0 or debt.amount > rules.fine_amount_rmb_gt
            hit = big and debt.overdue_days(inp.as_of) > rules.fine_overdue_days_gt
        if hit:
            fired.setdefault(record.kind.value, []).append(record.id)
    return fired


def _per_mille(count: int, declarations: int | None) -> Decimal | None:
    if not declarations:
        return None
    return Decimal(count) * 1000 / Decimal(declarations)


def _window_violations(
    rules: CustomsRuleset, inp: GradingInput, records: Iterable[CreditRecord]
) -> list[tuple[CreditRecord, Decimal]]:
    """Violations inside the window that count (not excused by a dated exception)."""
    return [
        (r, _penalty(r))
        for r in _of_kind(records, RecordKind.VIOLATION)
        if _age(r, inp.as_of) < rules.window_days and not _relaxed(rules, inp, r)
    ]


def _threshold_hit(
    rules: CustomsRuleset, inp: GradingInput, count: int, penalties: Decimal
) -> bool:
    """Criterion 3: count ratio above the per-mille AND penalties above the amount; with
    the previous-year count not computable (None or 0), the penalties alone."""
    limits = rules.broker if inp.is_broker else rules.non_broker
    if penalties <= limits.penalty_rmb_gt:
        return False
    declarations = inp.declarations_previous_year
    if not declarations:
        return True
    return Decimal(count) * 1000 > limits.per_mille_gt * declarations


def _category(rules: CustomsRuleset, reasons: Iterable[str], aeo: AeoStatus) -> CustomsCategory:
    """The worst severity among the fired criteria that maps to a category; else by AEO."""
    fired = {rules.severities[code] for code in reasons}
    for severity in reversed(SEVERITY_ORDER):
        category = rules.severity_categories[severity]
        if severity in fired and category is not None:
            return category
    return rules.aeo_categories[aeo]


def assess_customs(
    rules: CustomsRuleset, inp: GradingInput, records: tuple[CreditRecord, ...]
) -> CustomsFinding:
    """The customs category of ``records`` (already cut to ``as_of``) under ``rules``."""
    fired = _event_reasons(rules, inp, records) | _debt_reasons(rules, inp, records)
    window = _window_violations(rules, inp, records)
    penalties = sum((p for _, p in window), ZERO)
    if _threshold_hit(rules, inp, len(window), penalties):
        fired["violation_threshold"] = [r.id for r, _ in window]
    aeo, _ = effective_aeo(inp, records)
    reasons = tuple(code for code in rules.severities if code in fired)
    return CustomsFinding(
        category=_category(rules, reasons, aeo),
        reasons=reasons,
        serious_list="serious_list" in fired,
        aeo_status=aeo,
        violations_in_window=len(window),
        penalties_in_window=penalties,
        per_mille=_per_mille(len(window), inp.declarations_previous_year),
        evidence=tuple(sorted({i for ids in fired.values() for i in ids})),
    )


# --- zone score -------------------------------------------------------------------------------


def _rmb(amount: Decimal) -> str:
    if amount == amount.to_integral_value():
        return f"¥{int(amount):,}"
    return f"¥{amount:,.2f}"


def _points(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _factor(code: str, points: int, detail: str, ids: Iterable[int]) -> Factor:
    zh, en = FACTOR_LABELS[code]
    return Factor(code, zh, en, points, detail, tuple(ids))


def _capped(rule: PerRecord, units: Decimal) -> Decimal:
    return min(Decimal(rule.per_record) + units * rule.per_unit, Decimal(rule.max_per_record))


def _violation_factor(
    score: ZoneScoreRuleset, finding: CustomsFinding, inp: GradingInput, records: list[CreditRecord]
) -> Factor | None:
    if not records:
        return None
    total = sum(
        (_capped(score.violation, _penalty(r) / TEN_THOUSAND) * score.weight(_age(r, inp.as_of))
         for r in records),
        ZERO,
    )  # fmt: skip
    ratio = (
        "上年报关单数不可计算"
        if finding.per_mille is None
        else f"占上年报关单 {finding.per_mille:.2f}‰"
    )
    detail = (
        f"近一年违规 {finding.violations_in_window} 次，{ratio}；"
        f"罚款合计 {_rmb(finding.penalties_in_window)}；计分违规记录 {len(records)} 条"
    )
    return _factor("violations", -_points(total), detail, (r.id for r in records))


def _debt_factor(
    code: str, rule: PerRecord, score: ZoneScoreRuleset, inp: GradingInput,
    records: list[CreditRecord],
) -> Factor | None:  # fmt: skip
    debts = [d for d in map(_Debt.of, records) if d.overdue_days(inp.as_of) > 0]
    if not debts:
        return None
    total = ZERO
    for debt in debts:
        units = Decimal(debt.overdue_days(inp.as_of) // 30)
        weight = (
            score.weight((inp.as_of - debt.paid_on).days)
            if debt.paid_on is not None and debt.paid_by(inp.as_of)
            else Decimal(1)
        )
        total += _capped(rule, units) * weight
    unpaid = sum(1 for d in debts if not d.paid_by(inp.as_of))
    longest = max(d.overdue_days(inp.as_of) for d in debts)
    amount = sum((d.amount for d in debts), ZERO)
    detail = (
        f"逾期 {len(debts)} 笔，合计 {_rmb(amount)}；最长逾期 {longest} 天；"
        f"截至评价日未缴 {unpaid} 笔"
    )
    return _factor(code, -_points(total), detail, (d.record.id for d in debts))


def _smuggling_factor(
    score: ZoneScoreRuleset, inp: GradingInput, records: list[CreditRecord]
) -> Factor | None:
    if not records:
        return None
    total, criminal = ZERO, 0
    for record in records:
        is_criminal = _flag(record, "criminal", False)
        criminal += is_criminal
        base = score.smuggling_criminal if is_criminal else score.smuggling_administrative
        total += Decimal(base) * score.weight(_age(record, inp.as_of))
    detail = f"走私 {len(records)} 起（刑事 {criminal}，行政 {len(records) - criminal}）"
    return _factor("smuggling", -_points(total), detail, (r.id for r in records))


def _outcome_factor(
    score: ZoneScoreRuleset, inp: GradingInput, records: list[CreditRecord]
) -> Factor | None:
    if not records:
        return None
    total, seen = ZERO, Counter[str]()
    for record in records:
        outcome = _required_word(record, "outcome", CASE_OUTCOMES)
        seen[outcome] += 1
        total += Decimal(score.case_outcome[outcome]) * score.weight(_age(record, inp.as_of))
    detail = "案件结果：" + "，".join(f"{OUTCOME_ZH[o]} {n} 件" for o, n in sorted(seen.items()))
    return _factor("case_outcomes", -_points(total), detail, (r.id for r in records))


def _public_credit_factors(
    score: ZoneScoreRuleset, inp: GradingInput, records: list[CreditRecord]
) -> list[Factor]:
    factors = []
    for polarity, table, sign in (
        ("negative", score.public_credit_negative, -1),
        ("positive", score.public_credit_positive, 1),
    ):
        total, seen, ids = ZERO, Counter[Severity](), []
        for record in records:
            if _required_word(record, "polarity", ("positive", "negative")) != polarity:
                continue
            severity = Severity(_required_word(record, "severity", (s.value for s in Severity)))
            seen[severity] += 1
            ids.append(record.id)
            total += Decimal(table[severity]) * score.weight(_age(record, inp.as_of))
        if ids:
            detail = "，".join(f"{SEVERITY_ZH[s]} {seen[s]} 条" for s in SEVERITY_ORDER if seen[s])
            factors.append(_factor(f"public_credit_{polarity}", sign * _points(total), detail, ids))
    return factors


def _award_points(record: CreditRecord, default: int) -> int:
    value = record.details.get("points", default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(record, "points", f"must be a whole number ≥ 0, got {value!r}")
    return value


def _award_factor(
    score: ZoneScoreRuleset, inp: GradingInput, records: list[CreditRecord]
) -> Factor | None:
    if not records:
        return None
    total = sum(
        (Decimal(min(_award_points(r, score.award_default), score.award_max_per_record))
         * score.weight(_age(r, inp.as_of)) for r in records),
        ZERO,
    )  # fmt: skip
    points = min(_points(total), score.award_max_total)
    detail = f"表彰奖励 {len(records)} 项，加分上限 {score.award_max_total}"
    return _factor("awards", points, detail, (r.id for r in records))


def _aeo_factor(
    score: ZoneScoreRuleset, inp: GradingInput, records: tuple[CreditRecord, ...]
) -> Factor | None:
    status, record_id = effective_aeo(inp, records)
    if status is AeoStatus.NONE and record_id is None:
        return None
    source = "登记状态" if record_id is None else f"认证记录 #{record_id}"
    detail = f"AEO {AEO_ZH[status]}（{source}）"
    return _factor("aeo", score.aeo[status], detail, () if record_id is None else (record_id,))


def _score_factors(
    score: ZoneScoreRuleset, finding: CustomsFinding, inp: GradingInput,
    records: tuple[CreditRecord, ...],
) -> list[Factor]:  # fmt: skip
    def kind(k: RecordKind) -> list[CreditRecord]:
        return _of_kind(records, k)

    candidates = [
        _aeo_factor(score, inp, records),
        _violation_factor(score, finding, inp, kind(RecordKind.VIOLATION)),
        _debt_factor("unpaid_duty", score.unpaid_duty, score, inp, kind(RecordKind.UNPAID_DUTY)),
        _debt_factor("unpaid_fine", score.unpaid_fine, score, inp, kind(RecordKind.UNPAID_FINE)),
        _smuggling_factor(score, inp, kind(RecordKind.SMUGGLING)),
        _outcome_factor(score, inp, kind(RecordKind.CASE_OUTCOME)),
        *_public_credit_factors(score, inp, kind(RecordKind.PUBLIC_CREDIT)),
        _award_factor(score, inp, kind(RecordKind.AWARD)),
    ]
    return [f for f in candidates if f is not None]


def _clamp(score: ZoneScoreRuleset, raw: int) -> Factor | None:
    bounded = max(score.min_score, min(score.max_score, raw))
    if bounded == raw:
        return None
    detail = f"原始分 {raw}，限定在 {score.min_score}–{score.max_score}"
    return _factor("clamp", bounded - raw, detail, ())


def _cap(
    score: ZoneScoreRuleset, finding: CustomsFinding, by_score: ZoneClass
) -> tuple[ZoneClass, Factor | None]:
    """The class after the customs category's cap, and a zero-point factor when it bites."""
    keys = [finding.category.value] + ([SERIOUS_LIST_CAP] if finding.serious_list else [])
    caps = [score.caps[k] for k in keys if k in score.caps]
    if not caps:
        return by_score, None
    cap = max(caps, key=lambda c: c.value)  # later letter = worse class
    if cap.value <= by_score.value:
        return by_score, None
    serious = finding.serious_list and score.caps.get(SERIOUS_LIST_CAP) is cap
    name = "严重失信主体名单" if serious else finding.category.label()
    detail = f"海关信用类别（{name}）封顶 {cap.value} 级，按分值为 {by_score.value} 级"
    return cap, _factor("category_cap", 0, detail, finding.evidence)


def grade(inp: GradingInput, rulesets: Rulesets) -> CreditGrade:
    """Grade an enterprise as of ``inp.as_of`` under the rule sets in force on that day."""
    customs = rulesets.customs(inp.as_of)
    score_rules = rulesets.zone_score(inp.as_of)
    records = _in_scope(inp)
    unrepaired = tuple(r for r in records if r.id not in inp.repaired)
    finding = assess_customs(customs, inp, unrepaired)
    factors = _score_factors(score_rules, finding, inp, records)
    raw = score_rules.base + sum(f.points for f in factors)
    clamp = _clamp(score_rules, raw)
    if clamp is not None:
        factors.append(clamp)
    score = raw + (clamp.points if clamp is not None else 0)
    zone_class, cap = _cap(score_rules, finding, score_rules.zone_class(score))
    if cap is not None:
        factors.append(cap)
    return CreditGrade(
        uscc=inp.uscc,
        as_of=inp.as_of,
        instrument=customs.meta.instrument,
        customs_category=finding.category,
        dishonest_reasons=finding.reasons,
        on_serious_list=finding.serious_list,
        aeo_status=finding.aeo_status,
        base=score_rules.base,
        score=score,
        zone_class=zone_class,
        factors=tuple(factors),
        ruleset_versions={
            "customs": customs.meta.tag,
            "zone_score": score_rules.meta.tag,
        },
    )
