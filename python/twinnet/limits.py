"""Resource limits: how large a spec, a model file or a diagram may be (R: R/limits.R).

The values are shared_specs/limits.json's, which R reads too. Fixed limits:
    MAX_SPEC_BYTES   the size of a spec's JSON text (kind "too_large"), and of a .keras file's
                     config.json and metadata.json
    MAX_JSON_DEPTH   how deeply arrays and objects nest (kind "too_deep", checked before parsing)
    MAX_KEY_BYTES    the length of an object key in bytes (R cannot name a list element with
                     more than 10,000)
    MAX_BLOCK_DEPTH  how deeply blocks may use blocks (kind "too_deep")
    SUGGEST_MAX_CANDIDATES, SUGGEST_MAX_LENGTH  what a "did you mean" hint looks at, at most

Limits the user may raise with :func:`set_limits` (R: ``options(twinnet.max_params = ...)``):
    max_params          parameters of the whole model
    max_activation      values one layer outputs per sample (lengths that vary count as 1)
    max_layers          layers after blocks and repeats are unrolled
    max_model_bytes     what the members of a .keras file add up to, uncompressed
    max_diagram_layers  layers that diagram() and handout() hand to Graphviz
    dot_timeout         seconds Graphviz's dot may run for one picture
Crossing one of the first three is a SpecError of kind "too_large" at the layer (or "repeat")
that crosses it; a model file is refused with a ModelFileError, a diagram with a GraphvizError.
"""

from __future__ import annotations

import math
from numbers import Real

from .tables import shared

__all__ = ["DEFAULT_LIMITS", "MAX_BLOCK_DEPTH", "MAX_JSON_DEPTH", "MAX_KEY_BYTES", "MAX_SPEC_BYTES",
           "SUGGEST_MAX_CANDIDATES", "SUGGEST_MAX_LENGTH", "get_limit", "set_limits"]

_LIMITS = shared("limits.json")
MAX_SPEC_BYTES: int = _LIMITS["fixed"]["max_spec_bytes"]
MAX_JSON_DEPTH: int = _LIMITS["fixed"]["max_json_depth"]
MAX_KEY_BYTES: int = _LIMITS["fixed"]["max_key_bytes"]
MAX_BLOCK_DEPTH: int = _LIMITS["fixed"]["max_block_depth"]
SUGGEST_MAX_CANDIDATES: int = _LIMITS["suggest"]["max_candidates"]
SUGGEST_MAX_LENGTH: int = _LIMITS["suggest"]["max_length"]

# yolov1, the catalog's largest network, has 271,703,550 parameters and 3,211,264 values per
# sample; saved with Adam's two slots per weight, its .keras file holds about 3.3 GB. resnet50, the
# catalog's longest, has 177 layers; Graphviz draws it in under a second.
DEFAULT_LIMITS: dict[str, int] = dict(_LIMITS["defaults"])

# How to raise a limit, for messages (R names its option instead).
HOW_TO_RAISE = "raise it with twinnet.set_limits({name}=...)"

_limits: dict[str, float] = dict(DEFAULT_LIMITS)


def get_limit(name: str) -> float:
    """The limit in effect for ``name``, one of the keys of :data:`DEFAULT_LIMITS`."""
    return _limits[name]


def set_limits(max_params: float | None = None, max_activation: float | None = None,
               max_layers: float | None = None, max_model_bytes: float | None = None,
               max_diagram_layers: float | None = None, dot_timeout: float | None = None) -> dict[str, float]:
    """Raise (or lower) the limits that twinnet enforces before it allocates or runs anything.

    Args:
        max_params: the most parameters a model may have (default 500,000,000); also applies to
            the model a .keras file describes, checked before Keras allocates it.
        max_activation: the most values one layer may output per sample (default 50,000,000).
        max_layers: the most layers a model may have after blocks are unrolled (default 10,000).
        max_model_bytes: the most bytes the members of a .keras file may add up to, uncompressed
            (default 4,000,000,000).
        max_diagram_layers: the most layers :func:`twinnet.diagram` and :func:`twinnet.handout`
            hand to Graphviz (default 1,000).
        dot_timeout: the most seconds Graphviz's ``dot`` may run for one picture (default 30).

        ``None`` leaves a limit as it is; ``math.inf`` turns it off.

    Returns:
        The limits in effect before the call, so that ``set_limits(**old)`` restores them.

    Raises:
        ValueError: when a limit is not a positive number.

    >>> old = set_limits(max_params=2_000_000_000)
    >>> set_limits(**old)["max_params"]
    2000000000
    """
    new = {"max_params": max_params, "max_activation": max_activation, "max_layers": max_layers,
           "max_model_bytes": max_model_bytes, "max_diagram_layers": max_diagram_layers,
           "dot_timeout": dot_timeout}
    for name, value in new.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number (math.inf for no limit), found {value!r}")
    old = dict(_limits)
    _limits.update({name: value for name, value in new.items() if value is not None})
    return old
