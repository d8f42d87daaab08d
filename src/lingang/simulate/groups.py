"""Who belongs with whom: related-party groups, shell clusters, legal representatives and
shareholdings, laid out so each group's enterprises are contiguous."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingang.simulate.params import ZoneParams

I64 = np.ndarray[tuple[int], np.dtype[np.int64]]
F64 = np.ndarray[tuple[int], np.dtype[np.float64]]
GROUP_SHARE = 0.08  # share of enterprises that belong to a related-party group
GROUP_SIZES = (2, 3, 4, 5)
GROUP_SIZE_P = (0.35, 0.35, 0.2, 0.1)


@dataclass(frozen=True, slots=True)
class Layout:
    """Per-enterprise membership: unit (contiguous block), group, shell cluster, role."""

    unit: I64  # consecutive enterprises of one unit are never split across batches or chunks
    group: I64  # related-party group id, -1 when none
    shell: I64  # shell cluster id, -1 when none
    parent: I64  # index of the group's parent enterprise (itself for parents and singletons)
    shares_rep: np.ndarray  # per enterprise: in a shell cluster that shares its legal rep


def layout(rng: np.random.Generator, params: ZoneParams) -> Layout:
    """Draw group and shell-cluster sizes, shuffle the units, and expand per enterprise."""
    n = params.enterprises
    low, high = params.risk.shell_cluster_size
    clusters = round(n * params.risk.shell_clusters_per_1000 / 1000)
    clusters = max(clusters, 1) if n >= 30 and params.risk.shell_clusters_per_1000 > 0 else 0
    shell_sizes = rng.integers(low, high + 1, clusters)
    groups = round((n - shell_sizes.sum()) * GROUP_SHARE / 3.0)
    groups = max(groups, 1) if n >= 20 else groups
    group_sizes = rng.choice(GROUP_SIZES, groups, p=GROUP_SIZE_P)
    if groups:
        group_sizes[0] = max(group_sizes[0], 3)  # at least one group can host a cycle
    singles = n - int(shell_sizes.sum()) - int(group_sizes.sum())
    sizes = np.concatenate([group_sizes, shell_sizes, np.ones(max(singles, 0), dtype=np.int64)])
    kinds = np.concatenate([np.zeros(groups), np.ones(clusters), np.full(max(singles, 0), 2)])
    ids = np.concatenate([np.arange(groups), np.arange(clusters), np.full(max(singles, 0), -1)])
    order = rng.permutation(len(sizes))
    sizes, kinds, ids = sizes[order], kinds[order], ids[order].astype(np.int64)
    unit = np.repeat(np.arange(len(sizes)), sizes)[:n]
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)[:n]
    shell = np.where(kinds[unit] == 1, ids[unit], -1)
    by_rep = np.append(rng.random(clusters) < 0.5, False)  # index -1: not a shell
    return Layout(
        unit=unit,
        group=np.where(kinds[unit] == 0, ids[unit], -1),
        shell=shell,
        parent=np.where(kinds[unit] == 0, first, np.arange(n)),
        shares_rep=by_rep[shell],
    )


@dataclass(frozen=True, slots=True)
class Ownership:
    """Legal representatives and shareholdings, by enterprise and person index."""

    persons: int
    legal_rep: I64  # person index per enterprise
    target: I64  # holdings: enterprise held
    holder_enterprise: I64  # -1 when the holder is a person
    holder_person: I64  # -1 when the holder is an enterprise
    percent: F64


def ownership(rng: np.random.Generator, lay: Layout) -> Ownership:
    """Legal reps (shared within shell clusters and often within groups) and holdings."""
    n = len(lay.unit)
    rep = np.arange(n)
    subsidiary = lay.parent != np.arange(n)
    shares_controller = subsidiary & (rng.random(n) < 0.5)
    rep = np.where(shares_controller, rep[lay.parent], rep)
    shell_first = _first_of(lay.shell)
    rep = np.where(lay.shares_rep, shell_first, rep)
    used, legal_rep = np.unique(rep, return_inverse=True)
    percent = np.where(rng.random(n) < 0.55, 100.0, np.round(rng.uniform(51, 95, n), 1))
    percent = np.where(lay.shell >= 0, 100.0, percent)
    extra = percent < 100
    extra_person = len(used) + np.cumsum(extra) - 1
    main_holder_ent = np.where(subsidiary, lay.parent, -1)
    main_holder_person = np.where(subsidiary, -1, legal_rep)
    target = np.concatenate([np.arange(n), np.flatnonzero(extra)])
    return Ownership(
        persons=len(used) + int(extra.sum()),
        legal_rep=legal_rep.astype(np.int64),
        target=target,
        holder_enterprise=np.concatenate([main_holder_ent, np.full(int(extra.sum()), -1)]),
        holder_person=np.concatenate([main_holder_person, extra_person[extra]]),
        percent=np.concatenate([percent, np.round(100 - percent[extra], 1)]),
    )


def _first_of(cluster: I64) -> I64:
    """For each member of a cluster, the index of the cluster's first member (else itself)."""
    n = len(cluster)
    first = np.arange(n)
    members = np.flatnonzero(cluster >= 0)
    if len(members):
        ids, start = np.unique(cluster[members], return_index=True)
        lookup = dict(zip(ids.tolist(), members[start].tolist(), strict=True))
        first[members] = [lookup[c] for c in cluster[members].tolist()]
    return first
