"""The feature catalog: specs compiled once against the lake's dataset schemas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS
from lingang.risk.features.spec import (
    REPLAY_ORDER,
    DerivedSpec,
    NetworkSpec,
    WindowSpec,
    parse_specs,
)
from lingang.risk.rules import ast
from lingang.risk.rules.evaluate import (
    CompiledExpression,
    CompiledRule,
    compile_expression,
    compile_rule,
)
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import Type

# Aggregates whose batch and online results are bit-identical (order statistics and counts);
# sums, means and standard deviations depend on summation order (docs/features.md).
EXACT_AGGS = frozenset({"count", "distinct", "min", "max", "percentile", "median", "mad"})
KEY_TYPES = frozenset({Type.STRING, Type.NUMBER, Type.DATE, Type.BOOL})


@dataclass(frozen=True, eq=False)
class WindowFeature:
    """A window spec with its expressions compiled (source side and each event side)."""

    spec: WindowSpec
    key: tuple[CompiledExpression, ...]
    event_key: Mapping[str, tuple[CompiledExpression, ...]]
    value: CompiledExpression | None
    where: CompiledRule | None

    @property
    def name(self) -> str:
        """The feature's name."""
        return self.spec.name

    @property
    def agg(self) -> str:
        """The aggregate (count, sum, … mad)."""
        return self.spec.agg

    @property
    def dataset(self) -> str:
        """The source dataset whose rows are aggregated."""
        return self.spec.dataset

    @property
    def days(self) -> int:
        """How many days before the event's day the window reaches back."""
        return self.spec.days

    @property
    def last_offset(self) -> int:
        """0 when the event's own day is in the window (``same_day``), else 1."""
        return 0 if self.spec.same_day else 1

    @property
    def exact(self) -> bool:
        """Whether online and batch agree bit for bit (else to a relative 1e-9)."""
        return self.agg in EXACT_AGGS

    def empty(self) -> float | None:
        """The value over an empty window: 0 for count and distinct, else null."""
        return 0.0 if self.agg in ("count", "distinct") else None


@dataclass(frozen=True, eq=False)
class DerivedFeature:
    """A derived spec, compiled for every event dataset whose fields it can see."""

    spec: DerivedSpec
    inputs: frozenset[str]
    compiled: Mapping[str, CompiledExpression]
    exact: bool

    @property
    def name(self) -> str:
        """The feature's name."""
        return self.spec.name


class NetworkSource(Protocol):
    """Where network features are read (``lingang.risk.network.NetworkHistory``)."""

    def lookup(self, measure: str, key: str, day: int) -> float | None:
        """The measure of enterprise ``key`` for an event of day number ``day``."""
        ...


@dataclass(frozen=True, eq=False)
class NetworkFeature:
    """A network spec with its event keys compiled (one string expression per dataset).

    Online and batch both read the same :class:`NetworkSource`; with none attached the
    feature is null."""

    spec: NetworkSpec
    event_key: Mapping[str, CompiledExpression]

    @property
    def name(self) -> str:
        """The feature's name."""
        return self.spec.name

    @property
    def measure(self) -> str:
        """The snapshot measure it reads."""
        return self.spec.measure

    @property
    def exact(self) -> bool:
        """Network features are looked up, never summed: always bit-identical."""
        return True


Feature = WindowFeature | NetworkFeature | DerivedFeature


@dataclass(frozen=True, eq=False)
class FeatureCatalog:
    """Validated, compiled features: window features first, then derived ones in dependency
    order. Build it with :meth:`load`."""

    windows: tuple[WindowFeature, ...]
    derived: tuple[DerivedFeature, ...]
    network: tuple[NetworkFeature, ...] = ()
    _by_name: dict[str, Feature] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, specs: Sequence[Mapping[str, Any]]) -> FeatureCatalog:
        """Parse, validate and compile ``specs``; ``Invalid("<feature>.<field>", …)`` if not."""
        parsed = parse_specs(specs)
        names = [s.name for s in parsed]
        for name in names:
            for dataset in DATASETS.values():
                if name in dataset.field_names:
                    raise Invalid(f"{name}.name", f"is a field of {dataset.name}")
        windows = tuple(_window(s) for s in parsed if isinstance(s, WindowSpec))
        network = tuple(_network(s) for s in parsed if isinstance(s, NetworkSpec))
        exact = {w.name: w.exact for w in windows} | {n.name: True for n in network}
        derived_specs = {s.name: s for s in parsed if isinstance(s, DerivedSpec)}
        compiled = {n: _derived(s, names) for n, s in derived_specs.items()}
        derived: list[DerivedFeature] = []
        for name in _order(compiled):
            spec, (inputs, by_dataset) = derived_specs[name], compiled[name]
            exact[name] = all(exact[i] for i in inputs)
            derived.append(DerivedFeature(spec, inputs, by_dataset, exact[name]))
        catalog = cls(windows, tuple(derived), network)
        catalog._by_name.update({f.name: f for f in catalog})
        return catalog

    def __iter__(self) -> Iterator[Feature]:
        yield from self.windows
        yield from self.network
        yield from self.derived

    def __len__(self) -> int:
        return len(self.windows) + len(self.network) + len(self.derived)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Feature:
        """The feature called ``name``; ``Invalid`` if there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise Invalid("feature", f"unknown feature {name!r}") from None

    @property
    def names(self) -> tuple[str, ...]:
        """Every feature name: window, then network, then derived in dependency order."""
        return tuple(f.name for f in self)

    def types(self) -> dict[str, Type]:
        """The rule-language type of every feature (all numbers), for ``schema_for``."""
        return dict.fromkeys(self.names, Type.NUMBER)

    @cached_property
    def longest_days(self) -> int:
        """The longest window: online state older than this is never read."""
        return max((w.days for w in self.windows), default=0)

    def sources(self) -> tuple[str, ...]:
        """Datasets that window features aggregate, in replay order."""
        used = {w.dataset for w in self.windows}
        return tuple(d for d in REPLAY_ORDER if d in used)

    def source_features(self, dataset: str) -> tuple[WindowFeature, ...]:
        """Window features that aggregate rows of ``dataset``."""
        return tuple(w for w in self.windows if w.dataset == dataset)

    def for_event(self, dataset: str) -> list[str]:
        """Features computable for an event of ``dataset``: window features whose event_key
        names it, then derived features whose inputs are all computable and whose fields
        the dataset has."""
        return list(self._applicable(dataset))

    def windows_for(self, dataset: str) -> tuple[WindowFeature, ...]:
        """The window features applicable to events of ``dataset``."""
        return tuple(w for w in self.windows if dataset in w.event_key)

    def network_for(self, dataset: str) -> tuple[NetworkFeature, ...]:
        """The network features applicable to events of ``dataset``."""
        return tuple(n for n in self.network if dataset in n.event_key)

    def derived_for(self, dataset: str) -> tuple[DerivedFeature, ...]:
        """The derived features applicable to events of ``dataset``, in dependency order."""
        names = set(self._applicable(dataset))
        return tuple(d for d in self.derived if d.name in names)

    def _applicable(self, dataset: str) -> tuple[str, ...]:
        if dataset not in DATASETS:
            raise Invalid("dataset", f"unknown dataset {dataset!r}")
        found = [w.name for w in self.windows_for(dataset)]
        found += [n.name for n in self.network_for(dataset)]
        known = set(found)
        for derived in self.derived:
            if dataset in derived.compiled and derived.inputs <= known:
                found.append(derived.name)
                known.add(derived.name)
        return tuple(found)


def _compile(source: str, dataset: str, where: str, *, rule: bool = False) -> Any:
    schema = schema_for(DATASETS[dataset])
    try:
        return compile_rule(source, schema) if rule else compile_expression(source, schema)
    except Invalid as exc:
        raise Invalid(where, f"{exc.field}: {exc.reason}") from exc


def _window(spec: WindowSpec) -> WindowFeature:
    name = spec.name
    key = tuple(_compile(k, spec.dataset, f"{name}.key") for k in spec.key)
    types = [k.type for k in key]
    for part, type_ in zip(spec.key, types, strict=True):
        if type_ not in KEY_TYPES:
            raise Invalid(f"{name}.key", f"{part!r} is {type_}; a key part must have a type")
    event_key: dict[str, tuple[CompiledExpression, ...]] = {}
    for dataset, parts in spec.event_key.items():
        where = f"{name}.event_key.{dataset}"
        compiled = tuple(_compile(p, dataset, where) for p in parts)
        for part, expr, type_ in zip(parts, compiled, types, strict=True):
            if expr.type is not type_:
                raise Invalid(where, f"{part!r} is {expr.type} but the key part is {type_}")
        event_key[dataset] = compiled
    value = None
    if spec.value is not None:
        value = _compile(spec.value, spec.dataset, f"{name}.value")
        if spec.agg == "distinct":
            if value.type not in KEY_TYPES:
                raise Invalid(
                    f"{name}.value", f"distinct values must have a type, not {value.type}"
                )
        elif value.type is not Type.NUMBER:
            raise Invalid(f"{name}.value", f"{spec.agg} needs a number, not {value.type}")
    where_ = None
    if spec.where is not None:
        where_ = _compile(spec.where, spec.dataset, f"{name}.where", rule=True)
    return WindowFeature(spec, key, event_key, value, where_)


def _network(spec: NetworkSpec) -> NetworkFeature:
    event_key: dict[str, CompiledExpression] = {}
    for dataset, part in spec.event_key.items():
        where = f"{spec.name}.event_key.{dataset}"
        compiled = _compile(part, dataset, where)
        if compiled.type is not Type.STRING:
            raise Invalid(where, f"{part!r} is {compiled.type}; an enterprise key is a string")
        event_key[dataset] = compiled
    return NetworkFeature(spec, event_key)


def _derived(
    spec: DerivedSpec, names: Sequence[str]
) -> tuple[frozenset[str], dict[str, CompiledExpression]]:
    features = dict.fromkeys(names, Type.NUMBER)
    compiled: dict[str, CompiledExpression] = {}
    first_error: Invalid | None = None
    for dataset in REPLAY_ORDER:
        try:
            compiled[dataset] = compile_expression(
                spec.expression, schema_for(DATASETS[dataset], features=features)
            )
        except Invalid as exc:
            first_error = first_error or exc
    where = f"{spec.name}.expression"
    if not compiled:
        assert first_error is not None
        raise Invalid(where, f"{first_error.field}: {first_error.reason}")
    any_compiled = next(iter(compiled.values()))
    if any_compiled.type not in (Type.NUMBER, Type.NULL):
        raise Invalid(where, f"a feature must be a number, not {any_compiled.type}")
    inputs = frozenset(_feature_refs(any_compiled.tree))
    if spec.name in inputs:
        raise Invalid(where, "refers to itself")
    return inputs, compiled


def _feature_refs(node: ast.Node) -> Iterator[str]:
    if isinstance(node, ast.FeatureRef):
        yield node.name
    elif isinstance(node, ast.Unary | ast.IsNull):
        yield from _feature_refs(node.operand)
    elif isinstance(node, ast.Binary):
        yield from _feature_refs(node.left)
        yield from _feature_refs(node.right)
    elif isinstance(node, ast.InSet):
        for child in (node.needle, *node.items):
            yield from _feature_refs(child)
    elif isinstance(node, ast.Call):
        for child in node.args:
            yield from _feature_refs(child)


def _order(
    compiled: Mapping[str, tuple[frozenset[str], Mapping[str, CompiledExpression]]],
) -> list[str]:
    """Derived names in dependency order; a cycle is refused naming one of its members."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join([*path[path.index(name) :], name])
            raise Invalid(f"{name}.expression", f"derived features form a cycle: {cycle}")
        state[name] = 1
        for dep in sorted(compiled[name][0]):
            if dep in compiled:
                visit(dep, [*path, name])
        state[name] = 2
        order.append(name)

    for name in compiled:
        visit(name, [])
    return order
