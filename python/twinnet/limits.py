"""Resource limits: how large a spec may be, checked before anything is built (R: R/limits.R).

Fixed limits, the same in R:
    MAX_SPEC_BYTES  the size of a spec's JSON text (kind "too_large")
    MAX_JSON_DEPTH  how deeply arrays and objects nest (kind "too_deep", checked before parsing)

Limits the user may raise with :func:`set_limits` (R: ``options(twinnet.max_params = ...)``):
    max_params      parameters of the whole model
    max_activation  values one layer outputs per sample (lengths that vary count as 1)
    max_layers      layers after blocks and repeats are unrolled
Crossing one is a SpecError of kind "too_large" at the layer (or "repeat") that crosses it.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["DEFAULT_LIMITS", "MAX_JSON_DEPTH", "MAX_SPEC_BYTES", "get_limit", "set_limits"]

MAX_SPEC_BYTES = 10_000_000
MAX_JSON_DEPTH = 64

# yolov1, the catalog's largest network, has 271,703,550 parameters and 3,211,264 values per sample.
DEFAULT_LIMITS: dict[str, int] = {
    "max_params": 500_000_000,
    "max_activation": 50_000_000,
    "max_layers": 10_000,
}

# How to raise a limit, for messages (R names its option instead).
HOW_TO_RAISE = "raise it with twinnet.set_limits({name}=...)"

_limits: dict[str, float] = dict(DEFAULT_LIMITS)


def get_limit(name: str) -> float:
    """The limit in effect for ``name`` ("max_params", "max_activation" or "max_layers")."""
    return _limits[name]


def set_limits(max_params: float | None = None, max_activation: float | None = None,
               max_layers: float | None = None) -> dict[str, float]:
    """Raise (or lower) the limits that :func:`load_spec`, :func:`expand` and :func:`build_model` enforce.

    Args:
        max_params: the most parameters a model may have (default 500,000,000).
        max_activation: the most values one layer may output per sample (default 50,000,000).
        max_layers: the most layers a model may have after blocks are unrolled (default 10,000).
            ``None`` leaves a limit as it is; ``math.inf`` turns it off.

    Returns:
        The limits in effect before the call, so that ``set_limits(**old)`` restores them.

    Raises:
        ValueError: when a limit is not a positive number.

    >>> old = set_limits(max_params=2_000_000_000)
    >>> set_limits(**old)["max_params"]
    2000000000
    """
    new = {"max_params": max_params, "max_activation": max_activation, "max_layers": max_layers}
    for name, value in new.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number (math.inf for no limit), found {value!r}")
    old = dict(_limits)
    _limits.update({name: value for name, value in new.items() if value is not None})
    return old
