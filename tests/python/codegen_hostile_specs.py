"""A hypothesis strategy of valid specs whose free-form parts are hostile: titles and descriptions
with line breaks, invisible characters and code; names that are keywords, builtins or names the
generated code uses; parameters that stand for nothing; any float32 number. Used by
test_codegen_hostile.py and by the cross-language harness (tests/cross/test_codegen_cross.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import twinnet
from twinnet.codegen import RESERVED

PAYLOADS = ["\nopen('PWNED', 'w')\n", "\rimport os; os.system('touch PWNED')", "\r\nfile.create('PWNED')\n#",
            "\u2028__import__('os').system('touch PWNED')", "\x00\x0b\x0c\x1c\x85\u2029\u202e",
            '"); open("PWNED", "w"); ("', "\\n'''\"\"\"", "{name}", "$x", "`r system('touch PWNED')`"]
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(PAYLOADS)), max_size=4).map("".join)
NAMES = st.one_of(st.sampled_from(sorted(RESERVED | {"x_", "b", "u", "d", "input_1", "dense_1"})),
                  st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True))
NUMBERS = st.floats(allow_nan=False, allow_infinity=False, width=32)  # Keras keeps initializers in float32


@st.composite
def hostile_specs(draw: Any) -> dict[str, Any]:
    """A valid spec of blocks and layers whose every free-form part is drawn to be hostile."""
    params = draw(st.lists(NAMES, min_size=3, max_size=3, unique=True))
    units, rate, init = params
    inner = [{"type": "Dense", "name": draw(NAMES), "units": f"${units}", "kernel_initializer": f"${init}"},
             {"type": "Dropout", "rate": f"${rate}"}]
    if draw(st.booleans()):  # a graph inside the block
        inner.append({"type": "Concatenate", "inputs": ["@input", inner[0]["name"]]})
    block: dict[str, Any] = {"params": {units: draw(st.one_of(st.none(), st.integers(1, 4))),
                                        rate: draw(st.floats(0, 0.9)),
                                        init: draw(st.sampled_from(["zeros", {"class_name": "Ones"}]))},
                             "layers": inner}
    if draw(st.booleans()):
        block["description"] = draw(TEXT)
    if draw(st.booleans()):
        block["params"][draw(NAMES.filter(lambda n: n not in params))] = draw(TEXT)  # stands for nothing
    block_name = draw(NAMES)
    value = draw(NUMBERS)
    layers: list[dict[str, Any]] = [{"type": "Input", "shape": [3], "name": draw(NAMES)}]
    for _ in range(draw(st.integers(1, 2))):
        use: dict[str, Any] = {"block": block_name, "args": {units: draw(st.integers(1, 4))}}
        if draw(st.booleans()):
            use["name"] = draw(NAMES)
        if draw(st.booleans()):
            use["repeat"] = 2
        layers.append(use)
    layers.append({"type": "Dense", "units": 2, "name": draw(NAMES),
                   "bias_initializer": {"class_name": "Constant", "config": {"value": value}}})
    spec: dict[str, Any] = {"format_version": "1.0", "name": draw(NAMES), "blocks": {block_name: block},
                            "layers": layers}
    if draw(st.booleans()):
        spec["title"] = draw(TEXT)
    if draw(st.booleans()):  # refer to the first layers by name: variables of the functional API
        spec["layers"][-1]["inputs"] = [layers[-2].get("name") or f"{block_name}_{len(layers) - 2}"]
    return spec


def loads(spec: dict[str, Any]) -> bool:
    try:
        twinnet.load_spec(spec)
    except twinnet.SpecError:
        return False
    return True
