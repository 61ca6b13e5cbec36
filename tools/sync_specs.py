"""Derive the JSON Schema from the layer registry and copy shared_specs/ into both packages.

shared_specs/ and shared_data/ are the one source of truth.  This script writes
  shared_specs/schema/twinnet-spec-v1.schema.json  (generated from shared_specs/layers.json and the
                                                    patterns of shared_specs/spec_format.json; committed)
  python/twinnet/specs/, python/twinnet/data/      (copies for the Python package; git-ignored)
  inst/specs/, inst/extdata/                       (copies for the R package; git-ignored)
The copies are also made when a package is built: by setup.py's build step for Python and by
the configure script for R; they take the .json and .html files of shared_specs/ and every file
of shared_data/. Run with --check to fail (exit 1) when the schema, or a copy that exists, has drifted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from copy import deepcopy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "shared_specs"
SCHEMA = SHARED / "schema" / "twinnet-spec-v1.schema.json"
COPIES = [ROOT / "python" / "twinnet" / "specs", ROOT / "inst" / "specs"]
DATA = ROOT / "shared_data"
DATA_COPIES = [ROOT / "python" / "twinnet" / "data", ROOT / "inst" / "extdata"]
SHARED_SUFFIXES = {".json", ".html"}  # what the packages get of shared_specs/ (not its README)
# The patterns of names, parameters, references and versions, which both packages read too.
PATTERNS: dict[str, str] = json.loads((SHARED / "spec_format.json").read_text())["patterns"]
NAME_PATTERN = PATTERNS["name"]
# The kinds of spec warnings, which a layer's "allow" list may name (messages.json's spec_warnings).
WARNING_KINDS: list[str] = sorted({w["kind"] for w in
                                   json.loads((SHARED / "messages.json").read_text())["spec_warnings"].values()})
INITIALIZER_DESCRIPTION = 'the name of a Keras initializer, or {"class_name": "Constant", "config": {"value": 1}}'


def kind_schema(arg: dict[str, Any], registry: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one argument kind, with a description a student can read."""
    kind = arg["kind"]
    if kind == "int":
        low = arg.get("min", 1)
        return {"type": "integer", "minimum": low, "description": f"an integer >= {low}"}
    if kind == "ints":
        n = arg["n"]
        one = {"type": "integer", "minimum": 1}
        sch: dict[str, Any] = {
            "anyOf": [one, {"type": "array", "items": one, "minItems": n, "maxItems": n}],
            "description": "a positive integer" + ("" if n == 1 else f" or a list of {n} positive integers"),
        }
        if "null_means" in arg:
            sch["anyOf"].append({"type": "null"})
            sch["description"] += f" (null: the same as {arg['null_means']})"
        return sch
    if kind == "float":
        sch = {"type": "number"}
        words = []
        for key, word in (("min", ">="), ("min_exclusive", ">"), ("max", "<="), ("max_exclusive", "<")):
            if key in arg:
                sch[{"min": "minimum", "min_exclusive": "exclusiveMinimum", "max": "maximum",
                     "max_exclusive": "exclusiveMaximum"}[key]] = arg[key]
                words.append(f"{word} {arg[key]}")
        desc = "a number" + (" " + " and ".join(words) if words else "")
        if arg.get("nullable"):
            return {"anyOf": [sch, {"type": "null"}], "description": desc + ", or null"}
        sch["description"] = desc
        return sch
    if kind == "bool":
        return {"type": "boolean", "description": "true or false"}
    if kind == "enum":
        return {"enum": arg["values"], "description": "one of " + ", ".join(f'"{v}"' for v in arg["values"])}
    if kind == "activation":
        return {"enum": registry["activations"], "description": "the name of a Keras activation"}
    if kind == "initializer":  # one definition that every initializer argument refers to
        return {"$ref": "#/$defs/initializer", "description": INITIALIZER_DESCRIPTION}
    if kind == "shape":
        return {
            "type": "array", "minItems": 1,
            "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
            "description": "a list of positive integers (null for a length that varies)",
        }
    if kind == "target_shape":
        return {
            "type": "array", "minItems": 1,
            "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"const": -1}]},
            "description": "a list of positive integers (one may be -1)",
        }
    if kind == "pairs":
        n = arg["n"]
        nat = {"type": "integer", "minimum": 0}
        pair = {"type": "array", "items": nat, "minItems": 2, "maxItems": 2}
        if n == 1:  # one axis: Keras's own form, an integer or one [before, after] pair
            return {"anyOf": [nat, pair], "description": "an integer >= 0, or a [before, after] pair"}
        return {
            "anyOf": [nat, {"type": "array", "items": nat, "minItems": n, "maxItems": n},
                      {"type": "array", "items": pair, "minItems": n, "maxItems": n}],
            "description": f"an integer >= 0, a list of {n} of them (one per axis), "
                           f"or {n} [before, after] pairs",
        }
    if kind == "axis":
        return {"type": "integer", "description": "an integer axis"}
    if kind == "factor":
        number = {"type": "number"}
        sch = {"anyOf": [number, {"type": "array", "items": number, "minItems": 2, "maxItems": 2}],
               "description": "a number f (the range -f to f), or a [low, high] pair of numbers"}
        if "default" in arg and arg["default"] is None:
            sch["anyOf"].append({"type": "null"})
            sch["description"] += ", or null"
        return sch
    if kind == "layer":
        return {
            "type": "object", "required": ["type"],
            "properties": {"type": {"enum": arg["types"], "description": "a layer type that can be wrapped here"}},
            "allOf": [{"if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                       "then": {"$ref": f"#/$defs/wrapped_{t}"}} for t in arg["types"]],
            "description": 'a layer object without a name or inputs, such as {"type": "' + arg["types"][0] + '", ...}',
        }
    if kind == "regularizer":
        factor = {"type": "number", "minimum": 0}
        return {
            "anyOf": [{"type": "null"},
                      {"type": "object", "additionalProperties": False, "properties": {"l1": factor, "l2": factor},
                       "anyOf": [{"required": ["l1"]}, {"required": ["l2"]}]}],
            "description": 'null, or a penalty such as {"l2": 0.0001}: "l1", "l2" or both, numbers >= 0',
        }
    if kind == "steps":
        return {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0},
                "description": "a non-empty list of integers >= 0 (training steps)"}
    if kind == "rates":
        return {"type": "array", "minItems": 2, "items": {"type": "number", "minimum": 0},
                "description": "a list of at least 2 numbers >= 0"}
    if kind == "monitor":
        return {"type": "string", "pattern": PATTERNS["name"],
                "description": 'the name of a quantity Keras logs, such as "val_loss"'}
    raise ValueError(f"unknown argument kind {kind!r}")


def initializer_schema(registry: dict[str, Any]) -> dict[str, Any]:
    """The schema of an initializer: a name, or an object naming its class with that class's arguments."""
    objects = [
        {
            "type": "object",
            "required": ["class_name"] + (["config"] if init["required"] else []),
            "additionalProperties": False,
            "properties": {
                "class_name": {"const": name},
                "config": {"type": "object", "required": init["required"], "additionalProperties": False,
                           "properties": {a: {"type": ["number", "null"]} for a in init["args"]}},
            },
        }
        for name, init in registry["initializer_classes"].items()
    ]
    return {
        "anyOf": [{"enum": registry["initializers"]}, *objects],
        "description": 'the name of a Keras initializer, or {"class_name": "Constant", "config": {"value": 1}}',
    }


def typed_objects(table: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
    """Schema $defs for objects that name their class in `key` (a schedule, a callback), one per class.

    Returns the $defs: `<key>` dispatches on the class name to `<key>_<Class>`, which allows that class's
    arguments (each of its kind) and requires those without a default.
    """
    defs: dict[str, Any] = {}
    dispatch = []
    for cls, args in table.items():
        props: dict[str, Any] = {key: {"const": cls}}
        props.update({name: kind_schema(arg, {}) for name, arg in args.items()})
        defs[f"{key}_{cls}"] = {
            "type": "object", "additionalProperties": False, "properties": props,
            "required": [key] + [name for name, arg in args.items() if arg.get("required")],
        }
        dispatch.append({"if": {"properties": {key: {"const": cls}}, "required": [key]},
                         "then": {"$ref": f"#/$defs/{key}_{cls}"}})
    defs[key] = {
        "type": "object", "required": [key],
        "properties": {key: {"enum": list(table), "description": f"{what}: " + ", ".join(f'"{c}"' for c in table)}},
        "allOf": dispatch,
        "description": f'an object that names its class in "{key}"',
    }
    return defs


def compile_schema(registry: dict[str, Any]) -> dict[str, Any]:
    """The schema of a spec's compile: optimizer, loss, metrics, learning_rate (a number or a schedule) and
    the optimizer arguments of layers.json's compile.optimizer_arguments (which optimizer takes which is
    checked by the expansion)."""
    table = registry["compile"]
    props: dict[str, Any] = {
        "optimizer": {"enum": table["optimizers"], "description": "the name of a Keras optimizer"},
        "loss": {"enum": table["losses"], "description": "the name of a Keras loss"},
        "metrics": {"type": "array", "items": {"enum": table["metrics"], "description": "the name of a Keras metric"},
                    "description": "a list of metric names"},
        "learning_rate": {
            "if": {"type": "object"},
            "then": {"$ref": "#/$defs/schedule"},
            "else": {"type": "number", "exclusiveMinimum": 0,
                     "description": 'a number > 0, or a schedule such as {"schedule": "ExponentialDecay", ...}'},
        },
    }
    props.update({name: kind_schema(arg, registry) for name, arg in table["optimizer_arguments"].items()})
    return {"type": "object", "additionalProperties": False, "required": ["optimizer", "loss"], "properties": props}


def fit_schema(registry: dict[str, Any]) -> dict[str, Any]:
    """The schema of a spec's fit: Model.fit()'s settings and a list of callbacks (layers.json's "fit")."""
    props: dict[str, Any] = {name: kind_schema(arg, registry) for name, arg in registry["fit"]["settings"].items()}
    props["callbacks"] = {"type": "array", "items": {"$ref": "#/$defs/callback"},
                          "description": 'a list of callbacks such as {"callback": "EarlyStopping", "patience": 5}'}
    return {"type": "object", "additionalProperties": False, "properties": props}


def with_param(sch: dict[str, Any]) -> dict[str, Any]:
    """An argument inside a block may also be a parameter reference such as "$filters"."""
    desc = sch.get("description", "")
    inner = {k: v for k, v in sch.items() if k != "description"}
    return {
        "anyOf": [inner, {"$ref": "#/$defs/param_ref"}],
        "description": desc + ' (inside a block, also a parameter such as "$filters")',
    }


def generate_schema(registry: dict[str, Any]) -> dict[str, Any]:
    layers = registry["layers"]
    defs: dict[str, Any] = {
        "name": {"type": "string", "pattern": NAME_PATTERN,
                 "description": "a name of letters, digits and underscores, starting with a letter"},
        "param_ref": {"type": "string", "pattern": PATTERNS["parameter"]},
        "ref_list": {
            "type": "array", "minItems": 1,
            "items": {"type": "string", "pattern": PATTERNS["reference"]},
            "description": "a list of layer names",
        },
        "weights": {"type": "array", "description": "a list of arrays, as Keras's get_weights() gives them"},
        "allow": {"type": "array",
                  "items": {"enum": WARNING_KINDS,
                            "description": "the kind of a spec warning: " + ", ".join(f'"{k}"' for k in WARNING_KINDS)},
                  "description": "a list of the kinds of spec warnings that the layer means to have"},
        "initializer": initializer_schema(registry),
    }
    dispatch = []
    for type_name, info in layers.items():
        props: dict[str, Any] = {
            "type": {"const": type_name},
            "name": {"$ref": "#/$defs/name"},
            "inputs": {"$ref": "#/$defs/ref_list"},
            "weights": {"$ref": "#/$defs/weights"},
            "comment": {"type": "string"},
            "allow": {"$ref": "#/$defs/allow"},
        }
        for arg_name, arg in info["args"].items():
            sch = kind_schema(arg, registry)
            props[arg_name] = sch if arg["kind"] == "layer" else with_param(sch)  # a wrapped layer is written out
        required = ["type"] + [k for k, a in info["args"].items() if a.get("required")]
        defs[f"layer_{type_name}"] = {
            "type": "object", "properties": props, "required": required, "additionalProperties": False,
        }
        dispatch.append({
            "if": {"properties": {"type": {"const": type_name}}, "required": ["type"]},
            "then": {"$ref": f"#/$defs/layer_{type_name}"},
        })
    wrapped = {t for info in layers.values() for arg in info["args"].values() if arg["kind"] == "layer"
               for t in arg["types"]}
    for type_name in (t for t in layers if t in wrapped):  # a layer inside a wrapper: no name, inputs or weights
        inner = deepcopy(defs[f"layer_{type_name}"])
        for key in ("name", "inputs", "weights", "allow"):
            inner["properties"].pop(key, None)
        defs[f"wrapped_{type_name}"] = inner
    defs["layer"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(layers), "description": "a supported Keras layer class"}},
        "allOf": dispatch,
    }
    defs["block_instance"] = {
        "type": "object",
        "required": ["block"],
        "additionalProperties": False,
        "properties": {
            "block": {"$ref": "#/$defs/name"},
            "name": {"$ref": "#/$defs/name"},
            "inputs": {"$ref": "#/$defs/ref_list"},
            "repeat": {"type": "integer", "minimum": 1, "description": "an integer >= 1"},
            "args": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                     "description": "an object of block arguments"},
            "comment": {"type": "string"},
        },
    }
    defs["layer_entry"] = {
        "type": "object",
        "description": 'a layer object with a "type", or a block use with a "block"',
        "if": {"required": ["block"]},
        "then": {"$ref": "#/$defs/block_instance"},
        "else": {"$ref": "#/$defs/layer"},
    }
    defs["layer_list"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer_entry"},
                          "description": "a non-empty list of layers"}
    defs["block"] = {
        "type": "object",
        "required": ["layers"],
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string"},
            "params": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                       "description": "an object of parameter defaults (null: required)"},
            "layers": {"$ref": "#/$defs/layer_list"},
        },
    }
    defs.update(typed_objects(registry["compile"]["schedules"], "schedule", "a Keras learning-rate schedule"))
    defs.update(typed_objects(registry["fit"]["callbacks"], "callback", "a Keras callback"))
    count = {"type": "integer", "minimum": 0, "description": "a count >= 0"}
    text = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://twinnet.invalid/schema/twinnet-spec-v1.schema.json",
        "title": "twinnet spec, format 1.x",
        "description": "Generated by tools/sync_specs.py from shared_specs/layers.json and spec_format.json; "
                       "do not edit by hand.",
        "type": "object",
        "required": ["format_version", "name", "layers"],
        "additionalProperties": False,
        "properties": {
            "format_version": {"type": "string", "pattern": PATTERNS["format_version"],
                               "description": 'a version string such as "1.0"'},
            "name": {"$ref": "#/$defs/name"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "source": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 100,
                     "description": "a list of at most 100 strings"},
            "layers": {"$ref": "#/$defs/layer_list"},
            "blocks": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                       "additionalProperties": {"$ref": "#/$defs/block"},
                       "description": "an object of named blocks"},
            "outputs": {"$ref": "#/$defs/ref_list"},
            "expect": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "output_shape": {"type": "array", "description": "the output shape, null for the batch"},
                    "params": {
                        "type": "object", "additionalProperties": False,
                        "properties": {"total": count, "trainable": count, "non_trainable": count},
                        "description": "an object of parameter counts",
                    },
                    "macs": {
                        "type": "object", "additionalProperties": False,
                        "required": ["value", "tolerance", "source"],
                        "properties": {"value": count, "tolerance": count, "source": text, "note": text},
                        "description": "a published count of multiply-accumulates per sample: value, tolerance "
                                       "(how far the model's count may be from it), source",
                    },
                    "connections": {
                        "type": "object", "additionalProperties": False,
                        "required": ["layers", "source"],
                        "properties": {
                            "source": text,
                            "note": text,
                            "layers": {
                                "type": "array", "minItems": 1,
                                "items": {
                                    "type": "object", "additionalProperties": False,
                                    "required": ["name", "layers", "value"],
                                    "properties": {"name": text, "layers": {"$ref": "#/$defs/ref_list"},
                                                   "value": count},
                                    "description": "an object with name (the source's name of the layer), "
                                                   "layers (the spec's layers that make it) and value",
                                },
                                "description": "a non-empty list of published connection counts",
                            },
                        },
                        "description": "published connection counts per layer: layers, source",
                    },
                },
            },
            "compile": compile_schema(registry),
            "fit": fit_schema(registry),
        },
        "$defs": defs,
    }


def render(obj: Any) -> str:
    return json.dumps(obj, indent=2) + "\n"


def build_tree(dest: Path) -> None:
    """Write the schema and both package copies under dest (a mirror of the repo root)."""
    registry = json.loads((SHARED / "layers.json").read_text())
    schema_path = dest / SCHEMA.relative_to(ROOT)
    schema_path.parent.mkdir(parents=True, exist_ok=True)
    schema_path.write_text(render(generate_schema(registry)))
    for copy in COPIES:
        target = dest / copy.relative_to(ROOT)
        for src in sorted(p for p in SHARED.rglob("*") if p.suffix in SHARED_SUFFIXES):
            rel = src.relative_to(SHARED)
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            if src == SCHEMA:
                out.write_text(schema_path.read_text())
            else:
                shutil.copyfile(src, out)
    for copy in DATA_COPIES:
        target = dest / copy.relative_to(ROOT)
        target.mkdir(parents=True, exist_ok=True)
        for src in sorted(DATA.iterdir()):
            shutil.copyfile(src, target / src.name)


def tree_files(base: Path, roots: list[Path]) -> dict[str, bytes]:
    files = {}
    for r in roots:
        d = base / r.relative_to(ROOT)
        if d.is_file():
            files[str(r.relative_to(ROOT))] = d.read_bytes()
        elif d.exists():
            for f in sorted(p for p in d.rglob("*") if p.is_file()):
                files[str(f.relative_to(base))] = f.read_bytes()
    return files


def write_changed(want: dict[str, bytes], roots: list[Path]) -> None:
    """Make the files under roots what want says: write what differs, remove what is not wanted."""
    have = tree_files(ROOT, roots)
    for name, data in want.items():
        if have.get(name) != data:
            out = ROOT / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
    for name in have.keys() - want.keys():
        (ROOT / name).unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args(argv)
    # The schema is always checked; a package copy only where it exists (a fresh clone has none).
    roots = [SCHEMA, *(c for c in [*COPIES, *DATA_COPIES] if not args.check or c.exists())]
    with tempfile.TemporaryDirectory() as tmp:
        # the schema must exist in the mirror before the copies are made
        build_tree(Path(tmp))
        want = tree_files(Path(tmp), roots)
    if not args.check:
        write_changed(want, roots)
        print("synced: schema and package copies of shared_specs/")
        return 0
    have = tree_files(ROOT, roots)
    drift = sorted(set(want) ^ set(have) | {k for k in want.keys() & have.keys() if want[k] != have[k]})
    if drift:
        print("derived files differ from shared_specs/ (run: python tools/sync_specs.py):")
        for name in drift:
            print("  " + name)
        return 1
    print("derived files match shared_specs/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
