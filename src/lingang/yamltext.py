"""YAML parsing for the platform's rule, catalogue and registry files.

Every shipped YAML file is parsed through :func:`load_yaml`, which uses libyaml's C parser
(``yaml.CSafeLoader``, about ten times faster than the pure-Python one) and falls back to
``yaml.SafeLoader`` where PyYAML was built without libyaml. Both are *safe* loaders: tags that
would construct arbitrary Python objects are refused. Errors are ``yaml.YAMLError`` either way.
"""

from __future__ import annotations

from typing import Any

import yaml

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the fastest safe loader available."""
    return yaml.load(text, Loader=_SafeLoader)
