"""Per-entity features computed the same way online and in batch (docs/features.md).

Specs are data (``library.yaml`` ships the risk scenarios' features)::

    catalog = FeatureCatalog.load(specs)             # or load_library()
    online = OnlineFeatures(catalog, state_from_url(redis_url_or_none))
    online.warm(lake, until=yesterday)
    values = online.compute("declarations", event)  # then online.observe("declarations", event)
    table = compute_batch(catalog, lake, "declarations", events)  # same numbers, in DuckDB
"""

from lingang.risk.features.batch import compute_batch, compute_batch_range
from lingang.risk.features.catalog import DerivedFeature, FeatureCatalog, WindowFeature
from lingang.risk.features.library import library_specs, load_library
from lingang.risk.features.online import OnlineFeatures, replay, replay_order
from lingang.risk.features.state import FeatureState, InProcessState, state_from_url

__all__ = [
    "DerivedFeature",
    "FeatureCatalog",
    "FeatureState",
    "InProcessState",
    "OnlineFeatures",
    "WindowFeature",
    "compute_batch",
    "compute_batch_range",
    "library_specs",
    "load_library",
    "replay",
    "replay_order",
    "state_from_url",
]
