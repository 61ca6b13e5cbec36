"""Hostile .keras files, all small on disk, that read_model() must refuse in both languages.

``hostile_files(tmp_path)`` writes them next to a good file and returns name -> (path, kind,
reason): what Python's ModelFileError and R's twinnet_model_file_error must say.
"""

from __future__ import annotations

import copy
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import twinnet

TINY = {"format_version": "1.0", "name": "tiny", "layers": [{"type": "Input", "shape": [3]},
                                                           {"type": "Dense", "units": 2}]}

BOMB_BYTES = 1536 * 2**20  # config.json expands to 1.5 GiB
HUGE = 10**6


def good_parts(tmp_path: Path) -> dict[str, bytes]:
    """The members of a good .keras file (TINY, written by twinnet)."""
    path = twinnet.write_model(twinnet.build_model(TINY, seed=1), tmp_path / "good.keras")
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip archive from (name, data as stored, method, CRC-32, uncompressed size) per member."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)
        out += raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset)
        central += raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return (name, data, 0, zlib.crc32(data), len(data))


def bomb(name: str, size: int) -> tuple[str, bytes, int, int, int]:
    """A deflated member of ``size`` spaces: each MiB compresses to the same thousand bytes."""
    chunk = b" " * 2**20
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    data = block * (size // len(chunk)) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return (name, data, 8, crc, size)


def craft(path: Path, parts: dict[str, bytes], config: bytes | None = None, drop: tuple[str, ...] = (),
          **extra: bytes) -> Path:
    """A .keras file with the good members, config.json replaced, some left out, others added."""
    members = [stored(n, config if n == "config.json" and config is not None else d)
               for n, d in parts.items() if n not in drop]
    return write_zip(path, members + [stored(n.replace("__", "/"), d) for n, d in extra.items()])


def huge_dense(parts: dict[str, bytes], build: bool, shapes: bool, inexpressible: bool = False) -> bytes:
    """TINY's config with an input of a million values and a Dense layer of a million units; inexpressible:
    with a kernel constraint, which a spec cannot hold, so that twinnet estimates instead of importing."""
    config: dict[str, Any] = json.loads(parts["config.json"])
    layers = config["config"]["layers"]
    layers[0]["config"]["batch_shape"] = [None, HUGE]
    dense = layers[1]
    dense["config"]["units"] = HUGE
    if inexpressible:
        dense["config"]["kernel_constraint"] = {"module": "keras.constraints", "class_name": "MaxNorm",
                                                "config": {"max_value": 2.0, "axis": 0}, "registered_name": None}
    if build:
        dense["build_config"]["input_shape"] = [None, HUGE]
    else:
        del dense["build_config"]
    if shapes:
        dense["inbound_nodes"][0]["args"][0]["config"]["shape"] = [None, HUGE]
    return json.dumps(config).encode()


def many_layers(n: int) -> bytes:
    layers = [{"class_name": "Dropout", "config": {"rate": 0.5}} for _ in range(n)]
    return json.dumps({"class_name": "Sequential", "config": {"layers": layers}}).encode()


def hostile_files(tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    """name -> (file, kind, reason) for each hostile file, written under tmp_path."""
    parts = good_parts(tmp_path)
    config = json.loads(parts["config.json"])
    units = copy.deepcopy(config)
    units["config"]["layers"][1]["config"]["units"] = "two"
    out: dict[str, tuple[Path, str, str]] = {}

    def add(name: str, path: Path, kind: str, reason: str) -> None:
        out[name] = (path, kind, reason)

    def cfg(name: str, text: bytes, kind: str, reason: str) -> None:
        add(name, craft(tmp_path / f"{name}.keras", parts, text), kind, reason)

    bomb_member = bomb("config.json", BOMB_BYTES)
    members = [bomb_member if n == "config.json" else stored(n, d) for n, d in parts.items()]
    add("zip_bomb", write_zip(tmp_path / "zip_bomb.keras", members), "too_large",
        f"config.json is {BOMB_BYTES:,} bytes uncompressed ({len(bomb_member[1]):,} compressed), more than the "
        "10,000,000 bytes that a model's configuration may have")
    cfg("empty", b"", "malformed", "config.json is not valid JSON")
    cfg("blank", b"  \n", "malformed", "config.json is not valid JSON")
    cfg("list", b"[]", "malformed", "config.json holds an array, not an object that describes a model")
    cfg("list_of_models", b"[" + parts["config.json"] + b"]", "malformed",
        "config.json holds an array, not an object that describes a model")
    cfg("string", b'"Functional"', "malformed", "config.json holds a string, not an object that describes a model")
    cfg("not_json", b"model = Sequential()", "malformed", "config.json is not valid JSON")
    cfg("not_utf8", b'{"class_name": "\xff"}', "malformed", "config.json is not UTF-8 text")
    cfg("deep", b'{"class_name": "Functional", "config": ' + b"[" * 5000 + b"]" * 5000 + b"}", "malformed",
        "config.json nests arrays and objects more than 64 levels deep")
    cfg("repeated_key", b'{"class_name": "Functional", "class_name": "Sequential", "config": {}}', "malformed",
        "config.json repeats a key in one object")
    cfg("no_class", b'{"config": {"layers": []}}', "malformed",
        "config.json has no class_name (a string) and config (an object) of a Keras object")
    cfg("no_layers", b'{"class_name": "Functional", "config": {}}', "malformed",
        "config.json describes a Functional model without a list of layers")
    cfg("bad_layer", b'{"class_name": "Sequential", "config": {"layers": [1]}}', "malformed",
        "layer 0 in config.json is not an object with a class_name (a string) and a config (an object)")
    cfg("many_layers", many_layers(10_001), "too_large", "config.json describes 10,001 layers, more than the limit "
        "of 10,000")
    cfg("huge_dense", huge_dense(parts, build=True, shapes=True), "too_large",
        "layer 'dense_1' (Dense) brings the model it describes to about 1,000,001,000,000 parameters, above the "
        "limit of 500,000,000")
    cfg("huge_dense_recorded", huge_dense(parts, build=False, shapes=True, inexpressible=True), "too_large",
        "layer 'dense_1' (Dense) brings the model it describes to about 1,000,001,000,000 parameters, above the "
        "limit of 500,000,000")
    cfg("huge_dense_flowing", huge_dense(parts, build=False, shapes=False), "too_large",
        "the model it describes is too large: layer 'dense_1' (Dense) brings the model to 1,000,001,000,000 "
        "parameters, above the limit of 500,000,000")
    cfg("huge_dense_unshaped", huge_dense(parts, build=False, shapes=False, inexpressible=True), "malformed",
        "layer 'dense_1' (Dense) records no input shape (build_config), which Keras writes for every layer it has "
        "built, so what building it costs is unknown")
    cfg("keras_refuses", json.dumps(units).encode(), "malformed",
        "Keras cannot load it (TypeError: Received an invalid value for `units`, expected a positive integer. "
        "Received: units=two)")
    add("metadata_bomb", craft(tmp_path / "metadata_bomb.keras", parts, **{"metadata.json": b" " * 10_000_001}),
        "too_large", "metadata.json is 10,000,001 bytes uncompressed (10,000,001 compressed), more than the "
                     "10,000,000 bytes that a model's configuration may have")
    add("no_config", craft(tmp_path / "no_config.keras", parts, drop=("config.json",)), "malformed",
        "it has no config.json")
    add("no_weights", craft(tmp_path / "no_weights.keras", parts, drop=("model.weights.h5",)), "malformed",
        "it has neither model.weights.h5 nor model.weights.npz")
    damaged = bytearray(craft(tmp_path / "damaged.keras", parts).read_bytes())
    at = damaged.find(b"config.json") - 30  # config.json's local header
    damaged[at:at + 4] = b"PK\x09\x09"
    (tmp_path / "damaged.keras").write_bytes(bytes(damaged))
    add("damaged", tmp_path / "damaged.keras", "not_a_keras_file",
        "it is not a readable zip archive (BadZipFile: Bad magic number for file header)")
    (tmp_path / "text.keras").write_text("not a zip archive")
    add("not_zip", tmp_path / "text.keras", "not_a_keras_file",
        "it is not a .keras file (a zip archive that Keras writes)")
    return out
