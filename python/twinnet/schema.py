"""Checking a JSON value against the spec's JSON Schema, without jsonschema (R: R/schema.R).

Both languages check a spec with the same small evaluator of the keywords that
``shared_specs/schema/`` uses, and report the same first error. The order is the one written in
``shared_specs/README.md`` ("Which error is reported"): the document is read from the top, and
at each value its own keywords are checked first (``$ref``, ``type``, ``const``, ``enum``,
``pattern``, the bounds, ``propertyNames``, unknown keys, ``required``, ``anyOf``, ``allOf``,
``if``/``then``/``else``), then its members or items in the order they are written. Checking
stops at the first error, so a long array of wrong values costs no more than one.

Patterns follow JSON Schema (ECMA-262): ``$`` matches only at the very end of a string, so a
name with a trailing newline does not match ``^[A-Za-z][A-Za-z0-9_]*$``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .tables import shared

__all__ = ["Failure", "Validator", "compile_schema"]

# The order in which one value's own keywords are checked; the keywords that say something about
# members or items (checked after the value's own keywords); keywords that check nothing here, or
# are read with another keyword (shared_specs/spec_format.json, read by R/schema.R too).
_KEYWORDS = shared("spec_format.json")["schema_keywords"]
KEYWORD_ORDER: tuple[str, ...] = tuple(_KEYWORDS["order"])
MEMBER_KEYWORDS: tuple[str, ...] = tuple(_KEYWORDS["members"])
QUIET_KEYWORDS: tuple[str, ...] = tuple(_KEYWORDS["quiet"])


class Failure:
    """The first place where a value fails a schema.

    Attributes:
        tokens: the path from the checked value to the failing one (keys and 0-based indices).
        keyword: the keyword that failed (``"required"``, ``"anyOf"``, ``"false"`` for a false schema).
        schema: the schema object that holds the keyword.
        instance: the value that failed it.
        key: for ``required``, ``additionalProperties`` and ``propertyNames``: the key concerned.
    """

    __slots__ = ("instance", "key", "keyword", "schema", "tokens")

    def __init__(self, keyword: str, schema: Any, instance: Any, key: str | None = None):
        self.keyword = keyword
        self.schema = schema
        self.instance = instance
        self.key = key
        self.tokens: list[str | int] = []  # built in reverse while the check unwinds

    def path(self) -> list[str | int]:
        return self.tokens[::-1]


Check = Callable[[Any], Failure | None]


def is_integer(x: Any) -> bool:
    """An integer as JSON Schema counts one: 3 and 3.0, not true."""
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "integer": is_integer,
    "number": is_number,
    "string": lambda x: isinstance(x, str),
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as JSON Schema defines it: true is not 1, 1 is 1.0, keys unordered."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) or is_number(b):
        return is_number(a) and is_number(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern as a Python regular expression: ``$`` at the end matches only at the end."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


class Validator:
    """A compiled schema: ``first_error(x)`` gives the first :class:`Failure` or None."""

    def __init__(self, schema: Any, root: Any = None):
        self._root = schema if root is None else root
        self._refs: dict[str, Check] = {}
        self.first_error: Check = self._compile(schema)

    def is_valid(self, x: Any) -> bool:
        return self.first_error(x) is None

    # -- compiling ------------------------------------------------------------
    def _ref(self, pointer: str) -> Check:
        if pointer not in self._refs:
            if not pointer.startswith("#/"):
                raise ValueError(f"internal error: the schema reference {pointer!r} is not supported")
            target = self._root
            for token in pointer[2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            box: list[Check] = []
            self._refs[pointer] = lambda x: box[0](x)  # a reference may be used before it is compiled
            box.append(self._compile(target))
        return self._refs[pointer]

    def _compile(self, node: Any) -> Check:
        if node is True or node == {}:
            return _passes
        if node is False:
            return lambda x: Failure("false", node, x)
        unknown = set(node) - set(KEYWORD_ORDER) - set(MEMBER_KEYWORDS) - set(QUIET_KEYWORDS)
        if unknown:
            raise ValueError(f"internal error: the schema keyword {sorted(unknown)[0]!r} is not supported")
        checks = [c for c in (self._keyword(k, node) for k in KEYWORD_ORDER if k in node) if c is not None]
        members = self._members(node)
        if members is not None:
            checks.append(members)
        if not checks:
            return _passes
        return checks[0] if len(checks) == 1 else _first_failure(checks)

    def _keyword(self, key: str, node: dict[str, Any]) -> Check | None:
        rule = node[key]

        def fails(test: Callable[[Any], bool]) -> Check:
            return lambda x: None if test(x) else Failure(key, node, x)

        if key == "$ref":
            return self._ref(rule)
        if key == "type":
            tests = [TYPE_TESTS[t] for t in ([rule] if isinstance(rule, str) else rule)]
            return fails(lambda x: any(t(x) for t in tests))
        if key == "const":
            return fails(lambda x: json_equal(rule, x))
        if key == "enum":
            if all(isinstance(v, str) for v in rule):
                names = frozenset(rule)
                return fails(lambda x: isinstance(x, str) and x in names)
            return fails(lambda x: any(json_equal(v, x) for v in rule))
        if key == "pattern":
            regex = ecma_pattern(rule)
            return fails(lambda x: not isinstance(x, str) or regex.search(x) is not None)
        bounds: dict[str, Callable[[Any], bool]] = {
            "minimum": lambda x: x >= rule, "maximum": lambda x: x <= rule,
            "exclusiveMinimum": lambda x: x > rule, "exclusiveMaximum": lambda x: x < rule,
        }
        if key in bounds:
            within = bounds[key]
            return fails(lambda x: not is_number(x) or within(x))
        if key == "minItems":
            return fails(lambda x: not isinstance(x, list) or len(x) >= rule)
        if key == "maxItems":
            return fails(lambda x: not isinstance(x, list) or len(x) <= rule)
        if key == "required":
            return self._required(node, rule)
        if key == "propertyNames":
            name_check = self._compile(rule)
            return self._first_key(node, "propertyNames", lambda k: name_check(k) is not None)
        if key == "additionalProperties":
            if rule is not False:
                return None
            known = frozenset(node.get("properties", {}))
            return self._first_key(node, "additionalProperties", lambda k: k not in known)
        if key == "anyOf":
            options = [self._compile(o) for o in rule]
            return fails(lambda x: any(o(x) is None for o in options))
        if key == "allOf":
            return _first_failure([self._compile(p) for p in rule])
        if key == "if":
            return self._if_then_else(node)
        raise ValueError(f"internal error: the schema keyword {key!r} is not supported")

    @staticmethod
    def _required(node: dict[str, Any], wanted: list[str]) -> Check:
        def check(x: Any) -> Failure | None:
            if isinstance(x, dict):
                for k in wanted:
                    if k not in x:
                        return Failure("required", node, x, k)
            return None

        return check

    @staticmethod
    def _first_key(node: dict[str, Any], keyword: str, bad: Callable[[str], bool]) -> Check:
        """The failure of ``keyword`` at the first key of an object that is ``bad``."""
        def check(x: Any) -> Failure | None:
            if isinstance(x, dict):
                for k in x:
                    if bad(k):
                        return Failure(keyword, node, x, k)
            return None

        return check

    def _if_then_else(self, node: dict[str, Any]) -> Check:
        test = self._compile(node["if"])
        then = self._compile(node["then"]) if "then" in node else _passes
        other = self._compile(node["else"]) if "else" in node else _passes
        return lambda x: then(x) if test(x) is None else other(x)

    def _members(self, node: dict[str, Any]) -> Check | None:
        props = {k: self._compile(v) for k, v in node.get("properties", {}).items()}
        extra_rule = node.get("additionalProperties", True)
        extra = self._compile(extra_rule) if isinstance(extra_rule, dict) else None
        item = self._compile(node["items"]) if "items" in node else None
        if not props and extra is None and item is None:
            return None

        def check(x: Any) -> Failure | None:
            if isinstance(x, dict) and (props or extra is not None):
                for k, v in x.items():
                    c = props.get(k, extra)
                    if c is not None:
                        f = c(v)
                        if f is not None:
                            f.tokens.append(k)
                            return f
            elif isinstance(x, list) and item is not None:
                for i, v in enumerate(x):
                    f = item(v)
                    if f is not None:
                        f.tokens.append(i)
                        return f
            return None

        return check


def _first_failure(checks: list[Check]) -> Check:
    """The first failure of ``checks``, in their order."""
    def check(x: Any) -> Failure | None:
        for c in checks:
            f = c(x)
            if f is not None:
                return f
        return None

    return check


def _passes(x: Any) -> None:
    return None


def compile_schema(schema: Any, root: Any = None) -> Validator:
    """A :class:`Validator` of ``schema``; ``root`` resolves its ``$ref``s (default: the schema itself)."""
    return Validator(schema, root)
