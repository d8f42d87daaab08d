"""The shipped feature library (``library.yaml`` and ``network.yaml``, package data)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from lingang.errors import Invalid
from lingang.risk.features.catalog import FeatureCatalog
from lingang.yamltext import load_yaml

LIBRARY_FILE = "library.yaml"  # window and derived features
NETWORK_FILE = "network.yaml"  # network features (docs/network.md): they need a NetworkSource


def library_specs(*, network: bool = True) -> list[dict[str, Any]]:
    """The shipped specs as plain dicts; ``network=False`` leaves the network features out."""
    specs: list[dict[str, Any]] = []
    for name in (LIBRARY_FILE, NETWORK_FILE) if network else (LIBRARY_FILE,):
        text = resources.files("lingang.risk.features").joinpath(name).read_text("utf-8")
        loaded = load_yaml(text)
        if not isinstance(loaded, list):
            raise Invalid(name, "must be a list of feature specs")
        specs.extend(loaded)
    return specs


@cache
def load_library(*, network: bool = True) -> FeatureCatalog:
    """The shipped feature catalog, validated and compiled, with the network features of
    ``network.yaml`` unless ``network=False`` (they are null unless OnlineFeatures /
    compute_batch are given a NetworkSource). Compiled once per process (about a second):
    the shipped files do not change while it runs, and the catalog is read-only."""
    return FeatureCatalog.load(library_specs(network=network))
