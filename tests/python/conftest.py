from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that share a catalog spec's model (support.SHARES_CATALOG_MODEL) run one after the other
    for each spec, where the first of them was, in SHARES_CATALOG_MODEL's order; every other test keeps its
    place. (This hook sees the whole session's items, tests/python's and any others.)"""
    from support import SHARES_CATALOG_MODEL, shared_catalog_spec

    def rank(item: pytest.Item) -> int:
        return SHARES_CATALOG_MODEL.index((item.path.name, getattr(item, "originalname", "")))

    specs = [shared_catalog_spec(item) for item in items]
    groups: dict[str, list[pytest.Item]] = {}
    for item, spec in zip(items, specs, strict=True):
        if spec is not None:
            groups.setdefault(spec, []).append(item)
    ordered: list[pytest.Item] = []
    for item, spec in zip(items, specs, strict=True):
        if spec is None:
            ordered.append(item)
        elif spec in groups:
            ordered.extend(sorted(groups.pop(spec), key=rank))
    items[:] = ordered


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last test of a spec's group, its shared model is freed (YOLO's is 1.1 GB)."""
    from support import release_catalog_model, shared_catalog_spec

    spec = shared_catalog_spec(item)
    if spec is not None and (nextitem is None or shared_catalog_spec(nextitem) != spec):
        release_catalog_model()
