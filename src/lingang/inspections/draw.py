"""A verifiable 双随机 draw (regulations digest §3): random targets, random inspectors, and a
record anyone can check ("一公开").

Commit–reveal
    Before the draw, publish :func:`announcement`: ``seed_commitment`` =
    ``sha256(b"lingang-draw-seed:" + seed.encode("utf-8")).hexdigest()`` (the prefix separates
    this hash from any other use of the seed) together with ``inputs_digest`` =
    ``sha256(canonical_inputs(...)).hexdigest()``. The seed (:func:`new_seed`, 64 hex digits)
    stays secret until the result is published, so nobody can choose the seed after seeing
    the inputs, nor change the inputs after learning the seed.

Canonical inputs
    UTF-8 JSON, keys sorted, no whitespace (``separators=(",", ":")``, ``ensure_ascii=False``),
    targets sorted by USCC, inspectors by id, every set as a sorted list; rates are JSON
    floats. Shape: ``{"format", "plan", "targets", "inspectors"}`` (see :func:`inputs_dict`).

Random stream
    Value ``i`` (from 0) of the stream named ``label`` is the first 8 bytes, big-endian, of
    ``HMAC-SHA256(key=seed.encode("utf-8"), msg=label.encode("utf-8") + b"\\x00" +
    i.to_bytes(8, "big"))``, shifted right by 11: an integer ``k`` in [0, 2**53). As a float
    it is ``k / 2**53``; an index below ``n`` is ``(k * n) >> 53`` (exact integer arithmetic).

Targets
    The population of credit class ``c`` is every target the item applies to (``items`` None
    or holding the item code), less, for a general item, those with ``last_drawn_year ==
    year`` (reported as skipped), sorted by USCC; ``N`` its size. The quota is ``q = r × N``
    with the rate ``r`` read exactly as its shortest decimal (``Fraction(repr(r))``: 0.15 is
    15/100). Stream ``"select/<c>"``: value 0 resolves the fractional part — the count is
    ``floor(q) + 1`` when ``k0 / 2**53 < q - floor(q)``, else ``floor(q)`` — so each target
    is drawn with probability exactly ``r``, and the count is ``q`` itself when whole. Then a
    partial Fisher–Yates shuffle: for ``i`` in ``0..count-1`` swap positions ``i`` and
    ``i + index_below(N - i)``; the first ``count`` are drawn, in that order. Classes run
    A, B, C, D; ``selected`` concatenates them.

Directed targets
    A plan may list ``directed`` USCCs (sorted; present in the plan's JSON only when not
    empty, so older inputs read and hash as before): enterprises inspected whatever the draw,
    such as the post-issue checks of 告知承诺 licences. They are removed from every class
    population before sampling and come first in ``selected``, in USCC order.

Inspectors
    The pool is every inspector of the plan's department holding ``required_qualification``
    (when set), sorted by id. For each drawn target in ``selected`` order: pool members who
    declared a conflict with it are recused (recorded); if fewer than ``inspectors_per_target``
    remain the target is unstaffed; otherwise, ``inspectors_per_target`` times, take the
    remaining candidates with the fewest assignments so far in this draw (sorted by id) and
    pick ``candidates[index_below(len)]`` from stream ``"inspect/<uscc>"``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from lingang.errors import Invalid
from lingang.inspections.model import (
    CREDIT_CLASSES,
    Assignment,
    ClassTally,
    DrawPlan,
    DrawResult,
    Inspector,
    Recusal,
    SamplingRates,
    Skip,
    Target,
    Unstaffed,
)

SEED_DOMAIN = b"lingang-draw-seed:"
INPUTS_FORMAT = "lingang-draw-inputs/1"
RECORD_FORMAT = "lingang-draw-record/1"
ANNOUNCEMENT_FORMAT = "lingang-draw-announcement/1"
MIN_SEED_HEX = 32
_BITS = 53

T = TypeVar("T")

# --- commit–reveal --------------------------------------------------------------------------


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes as 64 lowercase hex digits."""
    return secrets.token_hex(32)


def _check_seed(seed: str) -> None:
    if not isinstance(seed, str) or len(seed) < MIN_SEED_HEX:
        raise Invalid("seed", f"must be at least {MIN_SEED_HEX} hex digits")
    try:
        bytes.fromhex(seed if len(seed) % 2 == 0 else "0" + seed)
    except ValueError:
        raise Invalid("seed", "must be hex digits") from None


def commitment(seed: str) -> str:
    """The published commitment to a seed: sha256 hex of ``b"lingang-draw-seed:" + seed``."""
    return hashlib.sha256(SEED_DOMAIN + seed.encode("utf-8")).hexdigest()


def check_commitment(seed: str, seed_commitment: str) -> bool:
    """Whether ``seed`` is the one committed to (constant-time comparison)."""
    if not isinstance(seed, str) or not isinstance(seed_commitment, str):
        return False
    return hmac.compare_digest(commitment(seed), seed_commitment.lower())


# --- the random stream ----------------------------------------------------------------------


class RandomStream:
    """A named deterministic stream of 53-bit values from HMAC-SHA256 (see module docs)."""

    def __init__(self, seed: str, label: str) -> None:
        self._key = seed.encode("utf-8")
        self._label = label.encode("utf-8") + b"\x00"
        self._counter = 0

    def bits(self) -> int:
        """The next value: an integer in [0, 2**53)."""
        msg = self._label + self._counter.to_bytes(8, "big")
        self._counter += 1
        block = hmac.new(self._key, msg, hashlib.sha256).digest()
        return int.from_bytes(block[:8], "big") >> (64 - _BITS)

    def uniform(self) -> float:
        """The next value as a float in [0, 1)."""
        return self.bits() / (1 << _BITS)

    def below(self, n: int) -> int:
        """The next value as an index in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        return (self.bits() * n) >> _BITS


# --- canonical inputs -----------------------------------------------------------------------


def _sorted_unique(items: Iterable[T], key: Callable[[T], str], field: str) -> list[T]:
    ordered = sorted(items, key=key)
    for before, after in itertools.pairwise(ordered):
        if key(before) == key(after):
            raise Invalid(field, f"duplicate {key(after)!r}")
    return ordered


def _plan_dict(plan: DrawPlan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id, "year": plan.year, "item_code": plan.item_code,
        "department": plan.department,
        "rates": {c: float(r) for c, r in plan.rates.as_dict().items()},
        "inspectors_per_target": plan.inspectors_per_target,
        "required_qualification": plan.required_qualification, "key_item": plan.key_item,
    } | ({"directed": list(plan.directed)} if plan.directed else {})  # fmt: skip


def _target_dict(target: Target) -> dict[str, Any]:
    items = None if target.items is None else sorted(target.items)
    return {
        "uscc": target.uscc, "name": target.name, "credit_class": target.credit_class,
        "last_drawn_year": target.last_drawn_year, "items": items,
    }  # fmt: skip


def _inspector_dict(inspector: Inspector) -> dict[str, Any]:
    return {
        "id": inspector.id, "name": inspector.name, "department": inspector.department,
        "qualifications": sorted(inspector.qualifications),
        "conflicts": sorted(inspector.conflicts),
    }  # fmt: skip


def inputs_dict(
    plan: DrawPlan, targets: Iterable[Target], inspectors: Iterable[Inspector]
) -> dict[str, Any]:
    """Everything the draw depends on, as plain JSON data in canonical order."""
    ordered_targets = _sorted_unique(targets, lambda t: t.uscc, "targets")
    ordered_inspectors = _sorted_unique(inspectors, lambda i: i.id, "inspectors")
    return {
        "format": INPUTS_FORMAT,
        "plan": _plan_dict(plan),
        "targets": [_target_dict(t) for t in ordered_targets],
        "inspectors": [_inspector_dict(i) for i in ordered_inspectors],
    }


def _canonical_json(data: Any) -> bytes:
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def canonical_inputs(
    plan: DrawPlan, targets: Iterable[Target], inspectors: Iterable[Inspector]
) -> bytes:
    """The canonical JSON bytes of the draw's inputs (see module docs)."""
    return _canonical_json(inputs_dict(plan, targets, inspectors))


def inputs_digest(
    plan: DrawPlan, targets: Iterable[Target], inspectors: Iterable[Inspector]
) -> str:
    """sha256 hex of :func:`canonical_inputs`."""
    return hashlib.sha256(canonical_inputs(plan, targets, inspectors)).hexdigest()


def announcement(
    plan: DrawPlan, targets: Iterable[Target], inspectors: Iterable[Inspector], seed: str
) -> dict[str, str]:
    """What to publish before the draw: the seed commitment and the inputs digest together."""
    _check_seed(seed)
    return {
        "format": ANNOUNCEMENT_FORMAT, "plan_id": plan.plan_id,
        "seed_commitment": commitment(seed),
        "inputs_digest": inputs_digest(plan, targets, inspectors),
    }  # fmt: skip


# --- the draw -------------------------------------------------------------------------------


def _quota(rate: float, population: int, stream: RandomStream) -> int:
    """floor(rate × N), plus one with probability equal to the fractional part."""
    exact = Fraction(repr(float(rate))) * population
    base = exact.numerator // exact.denominator
    rest = exact - base
    extra = stream.bits() * rest.denominator < rest.numerator * (1 << _BITS)
    return base + int(extra)


def _sample(population: list[str], count: int, stream: RandomStream) -> list[str]:
    """The first ``count`` of a partial Fisher–Yates shuffle."""
    pool = list(population)
    for i in range(count):
        j = i + stream.below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def _select(
    plan: DrawPlan, targets: Sequence[Target], seed: str
) -> tuple[list[ClassTally], list[str], list[Skip]]:
    skipped: list[Skip] = []
    tallies: list[ClassTally] = []
    selected: list[str] = list(plan.directed)
    directed = set(plan.directed)
    for credit_class in CREDIT_CLASSES:
        population: list[str] = []
        for target in targets:
            if target.credit_class != credit_class or not target.applies(plan.item_code):
                continue
            if target.uscc in directed:
                continue
            if not plan.key_item and target.last_drawn_year == plan.year:
                skipped.append(Skip(target.uscc))
            else:
                population.append(target.uscc)
        rate = plan.rates.rate(credit_class)
        stream = RandomStream(seed, f"select/{credit_class}")
        drawn = _sample(population, _quota(rate, len(population), stream), stream)
        tallies.append(ClassTally(credit_class, len(population), float(rate), len(drawn)))
        selected.extend(drawn)
    skipped.sort(key=lambda s: s.uscc)
    return tallies, selected, skipped


def _pick(
    eligible: list[Inspector], load: dict[str, int], n: int, stream: RandomStream
) -> tuple[str, ...]:
    """``n`` distinct inspectors, always among those with the fewest assignments so far."""
    remaining = list(eligible)
    chosen: list[str] = []
    for _ in range(n):
        least = min(load[i.id] for i in remaining)
        candidates = [i for i in remaining if load[i.id] == least]
        pick = candidates[stream.below(len(candidates))]
        remaining.remove(pick)
        chosen.append(pick.id)
    return tuple(chosen)


def _staff(
    plan: DrawPlan, selected: list[str], inspectors: Sequence[Inspector], seed: str
) -> tuple[list[Assignment], list[Recusal], list[Unstaffed]]:
    need = plan.required_qualification
    pool = [
        i for i in inspectors
        if i.department == plan.department and (need is None or need in i.qualifications)
    ]  # fmt: skip
    load = {i.id: 0 for i in pool}
    assignments: list[Assignment] = []
    recusals: list[Recusal] = []
    unstaffed: list[Unstaffed] = []
    n = plan.inspectors_per_target
    for uscc in selected:
        recusals.extend(Recusal(uscc, i.id) for i in pool if uscc in i.conflicts)
        eligible = [i for i in pool if uscc not in i.conflicts]
        if len(eligible) < n:
            unstaffed.append(Unstaffed(uscc, len(eligible), n))
            continue
        chosen = _pick(eligible, load, n, RandomStream(seed, f"inspect/{uscc}"))
        for inspector_id in chosen:
            load[inspector_id] += 1
        assignments.append(Assignment(uscc, chosen))
    return assignments, recusals, unstaffed


def draw(
    plan: DrawPlan, targets: Iterable[Target], inspectors: Iterable[Inspector], seed: str
) -> DrawResult:
    """Draw targets and inspectors for ``plan``; deterministic in the inputs and the seed,
    whatever the order of ``targets`` and ``inspectors`` (algorithm in the module docs)."""
    _check_seed(seed)
    ordered_targets = _sorted_unique(targets, lambda t: t.uscc, "targets")
    ordered_inspectors = _sorted_unique(inspectors, lambda i: i.id, "inspectors")
    tallies, selected, skipped = _select(plan, ordered_targets, seed)
    assignments, recusals, unstaffed = _staff(plan, selected, ordered_inspectors, seed)
    return DrawResult(
        plan_id=plan.plan_id, tallies=tuple(tallies), selected=tuple(selected),
        assignments=tuple(assignments), recusals=tuple(recusals), skipped=tuple(skipped),
        unstaffed=tuple(unstaffed), directed=plan.directed,
    )  # fmt: skip


# --- parsing JSON data ----------------------------------------------------------------------


def _obj(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise Invalid(field, "must be an object")
    return value


def _get(data: Mapping[str, object], key: str, field: str) -> object:
    if key not in data:
        raise Invalid(f"{field}.{key}", "missing")
    return data[key]


def _str(data: Mapping[str, object], key: str, field: str) -> str:
    value = _get(data, key, field)
    if not isinstance(value, str):
        raise Invalid(f"{field}.{key}", "must be a string")
    return value


def _opt_str(data: Mapping[str, object], key: str, field: str) -> str | None:
    return None if _get(data, key, field) is None else _str(data, key, field)


def _int(data: Mapping[str, object], key: str, field: str) -> int:
    value = _get(data, key, field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field}.{key}", "must be an integer")
    return value


def _opt_int(data: Mapping[str, object], key: str, field: str) -> int | None:
    return None if _get(data, key, field) is None else _int(data, key, field)


def _num(data: Mapping[str, object], key: str, field: str) -> float:
    value = _get(data, key, field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{field}.{key}", "must be a number")
    return float(value)


def _bool(data: Mapping[str, object], key: str, field: str) -> bool:
    value = _get(data, key, field)
    if not isinstance(value, bool):
        raise Invalid(f"{field}.{key}", "must be true or false")
    return value


def _list(data: Mapping[str, object], key: str, field: str) -> list[object]:
    value = _get(data, key, field)
    if not isinstance(value, list):
        raise Invalid(f"{field}.{key}", "must be a list")
    return value


def _strs(data: Mapping[str, object], key: str, field: str) -> list[str]:
    values = _list(data, key, field)
    if not all(isinstance(v, str) for v in values):
        raise Invalid(f"{field}.{key}", "must be a list of strings")
    return [str(v) for v in values]


def _objs(
    data: Mapping[str, object], key: str, field: str
) -> list[tuple[str, Mapping[str, object]]]:
    return [
        (f"{field}.{key}[{n}]", _obj(v, f"{field}.{key}[{n}]"))
        for n, v in enumerate(_list(data, key, field))
    ]


def _build(field: str, make: Callable[[], T]) -> T:
    """Run a constructor, prefixing the field of any Invalid with ``field``."""
    try:
        return make()
    except Invalid as error:
        raise Invalid(f"{field}.{error.field}", error.reason) from None


# --- inputs from JSON -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrawInputs:
    """The inputs of a draw, as read back from canonical JSON."""

    plan: DrawPlan
    targets: tuple[Target, ...]
    inspectors: tuple[Inspector, ...]


def _plan_from(data: Mapping[str, object], f: str) -> DrawPlan:
    raw_rates = _obj(_get(data, "rates", f), f"{f}.rates")
    by_class = {c: _num(raw_rates, c, f"{f}.rates") for c in raw_rates}
    rates = _build(f, lambda: SamplingRates.from_mapping(by_class))
    plan_id, year = _str(data, "plan_id", f), _int(data, "year", f)
    item_code, department = _str(data, "item_code", f), _str(data, "department", f)
    per_target = _int(data, "inspectors_per_target", f)
    qualification = _opt_str(data, "required_qualification", f)
    key_item = _bool(data, "key_item", f)
    directed = tuple(_strs(data, "directed", f)) if "directed" in data else ()
    return _build(f, lambda: DrawPlan(
        plan_id=plan_id, year=year, item_code=item_code, department=department, rates=rates,
        inspectors_per_target=per_target, required_qualification=qualification,
        key_item=key_item, directed=directed,
    ))  # fmt: skip


def _target_from(data: Mapping[str, object], f: str) -> Target:
    uscc, name = _str(data, "uscc", f), _str(data, "name", f)
    credit_class = _str(data, "credit_class", f)
    last_drawn_year = _opt_int(data, "last_drawn_year", f)
    items = None if _get(data, "items", f) is None else frozenset(_strs(data, "items", f))
    return _build(f, lambda: Target(uscc, name, credit_class, last_drawn_year, items))


def _inspector_from(data: Mapping[str, object], f: str) -> Inspector:
    id_, name = _str(data, "id", f), _str(data, "name", f)
    department = _str(data, "department", f)
    qualifications = frozenset(_strs(data, "qualifications", f))
    conflicts = frozenset(_strs(data, "conflicts", f))
    return _build(f, lambda: Inspector(id_, name, department, qualifications, conflicts))


def parse_inputs(text: str | bytes) -> DrawInputs:
    """Read canonical inputs back; raises Invalid naming the field (``inputs.…``)."""
    f = "inputs"
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(f, "not valid JSON") from None
    data = _obj(raw, f)
    if _str(data, "format", f) != INPUTS_FORMAT:
        raise Invalid(f"{f}.format", f"must be {INPUTS_FORMAT!r}")
    return DrawInputs(
        plan=_plan_from(_obj(_get(data, "plan", f), f"{f}.plan"), f"{f}.plan"),
        targets=tuple(_target_from(d, p) for p, d in _objs(data, "targets", f)),
        inspectors=tuple(_inspector_from(d, p) for p, d in _objs(data, "inspectors", f)),
    )


# --- results to and from JSON ---------------------------------------------------------------


def result_dict(result: DrawResult) -> dict[str, Any]:
    """A draw result as plain JSON data."""
    return {
        "plan_id": result.plan_id,
        "tallies": [
            {"credit_class": t.credit_class, "eligible": t.eligible, "rate": t.rate,
             "drawn": t.drawn} for t in result.tallies
        ],
        "selected": list(result.selected),
        "assignments": [
            {"uscc": a.uscc, "inspector_ids": list(a.inspector_ids)} for a in result.assignments
        ],
        "recusals": [
            {"uscc": r.uscc, "inspector_id": r.inspector_id, "reason": r.reason}
            for r in result.recusals
        ],
        "skipped": [{"uscc": s.uscc, "reason": s.reason} for s in result.skipped],
        "unstaffed": [
            {"uscc": u.uscc, "eligible": u.eligible, "required": u.required}
            for u in result.unstaffed
        ],
    } | ({"directed": list(result.directed)} if result.directed else {})  # fmt: skip


def result_from(value: object, field: str = "result") -> DrawResult:
    """A draw result from plain JSON data; raises Invalid naming the field."""
    f = field
    data = _obj(value, f)
    return DrawResult(
        plan_id=_str(data, "plan_id", f),
        tallies=tuple(
            ClassTally(_str(d, "credit_class", p), _int(d, "eligible", p), _num(d, "rate", p),
                       _int(d, "drawn", p)) for p, d in _objs(data, "tallies", f)
        ),
        selected=tuple(_strs(data, "selected", f)),
        assignments=tuple(
            Assignment(_str(d, "uscc", p), tuple(_strs(d, "inspector_ids", p)))
            for p, d in _objs(data, "assignments", f)
        ),
        recusals=tuple(
            Recusal(_str(d, "uscc", p), _str(d, "inspector_id", p), _str(d, "reason", p))
            for p, d in _objs(data, "recusals", f)
        ),
        skipped=tuple(
            Skip(_str(d, "uscc", p), _str(d, "reason", p)) for p, d in _objs(data, "skipped", f)
        ),
        unstaffed=tuple(
            Unstaffed(_str(d, "uscc", p), _int(d, "eligible", p), _int(d, "required", p))
            for p, d in _objs(data, "unstaffed", f)
        ),
        directed=tuple(_strs(data, "directed", f)) if "directed" in data else (),
    )  # fmt: skip


# --- the published record -------------------------------------------------------------------


def _hex64(data: Mapping[str, object], key: str, field: str) -> str:
    value = _str(data, key, field).lower()
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise Invalid(f"{field}.{key}", "must be 64 hex digits (sha256)")
    return value


@dataclass(frozen=True, slots=True)
class PublishedDraw:
    """The public record of a draw: the commitment and digest announced before it, the
    canonical inputs (a JSON string, hashed as its UTF-8 bytes) and the result. The seed is
    revealed beside it, and :func:`verify_draw` checks all three against each other."""

    plan_id: str
    seed_commitment: str
    inputs_digest: str
    inputs: str
    result: DrawResult

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON data."""
        return {
            "format": RECORD_FORMAT, "plan_id": self.plan_id,
            "seed_commitment": self.seed_commitment, "inputs_digest": self.inputs_digest,
            "inputs": self.inputs, "result": result_dict(self.result),
        }  # fmt: skip


def published_record(
    plan: DrawPlan,
    targets: Iterable[Target],
    inspectors: Iterable[Inspector],
    seed: str,
    result: DrawResult,
) -> dict[str, Any]:
    """The JSON-serialisable public record of a draw; ``result`` must be this draw's."""
    targets, inspectors = list(targets), list(inspectors)
    if draw(plan, targets, inspectors, seed) != result:
        raise Invalid("result", "is not the draw of these inputs with this seed")
    inputs = canonical_inputs(plan, targets, inspectors)
    record = PublishedDraw(
        plan_id=plan.plan_id, seed_commitment=commitment(seed),
        inputs_digest=hashlib.sha256(inputs).hexdigest(), inputs=inputs.decode("utf-8"),
        result=result,
    )  # fmt: skip
    return record.to_dict()


def from_published(data: Mapping[str, Any]) -> PublishedDraw:
    """Read a published record; raises Invalid naming the field."""
    f = "record"
    record = _obj(data, f)
    if _str(record, "format", f) != RECORD_FORMAT:
        raise Invalid(f"{f}.format", f"must be {RECORD_FORMAT!r}")
    return PublishedDraw(
        plan_id=_str(record, "plan_id", f),
        seed_commitment=_hex64(record, "seed_commitment", f),
        inputs_digest=_hex64(record, "inputs_digest", f),
        inputs=_str(record, "inputs", f),
        result=result_from(_get(record, "result", f), f"{f}.result"),
    )


# --- verification ---------------------------------------------------------------------------


class Check(StrEnum):
    """The checks of :func:`verify_draw`, in the order they run."""

    SEED = "seed"
    INPUTS = "inputs"
    RESULT = "result"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify_draw`: ``failed`` names the first failing check (None
    when all pass) and the messages say why, in zh-CN and English."""

    ok: bool
    failed: Check | None
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh-CN") -> str:
        """The message in zh-CN, or ``en``."""
        return self.message_en if lang == "en" else self.message_zh


_MESSAGES: dict[str, tuple[str, str]] = {
    "seed": (
        "随机种子与事先公布的承诺值不符。",
        "The seed does not match the commitment published before the draw.",
    ),
    "announced_seed": (
        "记录中的种子承诺值与抽取前公布的不符。",
        "The record's seed commitment differs from the one announced before the draw.",
    ),
    "announced_inputs": (
        "记录中的输入摘要与抽取前公布的不符。",
        "The record's inputs digest differs from the one announced before the draw.",
    ),
    "seed_invalid": ("随机种子无效：{detail}", "The seed is invalid: {detail}"),
    "digest": (
        "输入数据与公布的摘要不符，可能已被篡改。",
        "The inputs do not match the published digest; they may have been altered.",
    ),
    "unreadable": ("输入数据无法解析：{detail}", "The inputs cannot be read: {detail}"),
    "not_canonical": ("输入数据不是规范格式。", "The inputs are not in canonical form."),
    "plan_id": (
        "记录的计划编号与输入数据不符。",
        "The record's plan id differs from the inputs' plan.",
    ),
    "result": (
        "重新抽取的结果与公布结果不符（{detail}）。",
        "Drawing again does not give the published result ({detail}).",
    ),
    "ok": (
        "核验通过：种子、输入和结果均一致。",
        "Verified: the seed, the inputs and the result all match.",
    ),
}


def _fail(check: Check, message: str, detail: str = "") -> Verification:
    zh, en = _MESSAGES[message]
    return Verification(
        ok=False,
        failed=check,
        message_zh=zh.format(detail=detail),
        message_en=en.format(detail=detail),
    )


def _first_difference(expected: DrawResult, published: DrawResult) -> str:
    for name in ("plan_id", "tallies", "selected", "assignments", "recusals", "skipped"):
        if getattr(expected, name) != getattr(published, name):
            return name
    return "unstaffed"


def _check_inputs(record: PublishedDraw) -> DrawInputs | Verification:
    raw = record.inputs.encode("utf-8")
    if hashlib.sha256(raw).hexdigest() != record.inputs_digest:
        return _fail(Check.INPUTS, "digest")
    try:
        inputs = parse_inputs(raw)
    except Invalid as error:
        return _fail(Check.INPUTS, "unreadable", error.message)
    if canonical_inputs(inputs.plan, inputs.targets, inputs.inspectors) != raw:
        return _fail(Check.INPUTS, "not_canonical")
    if inputs.plan.plan_id != record.plan_id:
        return _fail(Check.INPUTS, "plan_id")
    return inputs


def _check_announced(record: PublishedDraw, announced: Mapping[str, Any]) -> Verification | None:
    if announced.get("seed_commitment") != record.seed_commitment:
        return _fail(Check.SEED, "announced_seed")
    if announced.get("inputs_digest") != record.inputs_digest:
        return _fail(Check.INPUTS, "announced_inputs")
    return None


def verify_draw(
    published: PublishedDraw | Mapping[str, Any],
    seed: str,
    announced: Mapping[str, Any] | None = None,
) -> Verification:
    """Check a published draw against the revealed seed: the seed matches the commitment,
    the inputs match the digest, and drawing again gives the identical result. With
    ``announced`` (the :func:`announcement` published before the draw), the record's
    commitment and digest must also be the announced ones. A malformed record raises Invalid
    naming the field; a failed check is reported, not raised."""
    record = published if isinstance(published, PublishedDraw) else from_published(published)
    failure = None if announced is None else _check_announced(record, announced)
    if failure is not None:
        return failure
    if not check_commitment(seed, record.seed_commitment):
        return _fail(Check.SEED, "seed")
    inputs = _check_inputs(record)
    if isinstance(inputs, Verification):
        return inputs
    try:
        expected = draw(inputs.plan, inputs.targets, inputs.inspectors, seed)
    except Invalid as error:
        return _fail(Check.SEED, "seed_invalid", error.message)
    if expected != record.result:
        return _fail(Check.RESULT, "result", _first_difference(expected, record.result))
    zh, en = _MESSAGES["ok"]
    return Verification(ok=True, failed=None, message_zh=zh, message_en=en)
