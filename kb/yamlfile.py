"""YAML loading that remembers the line each mapping starts on.

Validation messages must name ``file:line``, so every mapping loaded here is a
``LineDict``: a plain dict with a ``line`` attribute (1-based) and
``key_lines`` for the line of each key.

Loading is the build's hot path (a million claims is about a gigabyte of YAML), so
``load_yaml`` does not use PyYAML's generic constructor. It lets libyaml compose the node
tree, with a cheaper drop-in for the per-scalar resolver, and turns that tree into Python
values with one tight walk (``_build``). Anything that walk does not handle exactly as
PyYAML's SafeLoader would (merge keys, ``!!set``/``!!omap``, unknown tags, duplicate keys,
recursive aliases, any error at all) makes ``load_yaml`` load the file again with the
reference loader (``_load_reference``), which gives the result and the error message.
"""

from __future__ import annotations

import gc
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .problems import Problem


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser (when PyYAML was built with it) is about 10x faster and keeps the marks
# that give line numbers; the pure-Python one is the fallback.
class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: "2026-06-20" in YAML must not silently become a datetime.date.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _LineLoader.yaml_implicit_resolvers.items()
}


def _load_reference(text: str) -> object:
    """The plain PyYAML load: the definition of what ``load_yaml`` returns, and its errors."""
    return yaml.load(text, Loader=_LineLoader)


# --- the fast path -----------------------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_SEQ = _LineLoader.DEFAULT_SEQUENCE_TAG
_MAP = _LineLoader.DEFAULT_MAPPING_TAG
assert _LineLoader.DEFAULT_SCALAR_TAG == _STR
# Scalar tags whose SafeConstructor function returns the value directly (not a generator),
# so calling it on the node is exactly what construct_object would do.
_SCALAR_CONSTRUCTORS = {
    tag: _LineLoader.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:timestamp",
    )
}
_BOOL_VALUES = _LineLoader.bool_values


class _Fallback(Exception):
    """The fast path cannot reproduce the reference loader here: use it instead."""


def _implicit_table() -> dict:
    # BaseResolver.resolve tries the resolvers listed under the value's first character
    # ('' for the empty value), then the wildcard ones (under None).
    resolvers = _LineLoader.yaml_implicit_resolvers
    wildcard = resolvers.get(None, [])
    table = {ch: rs + wildcard for ch, rs in resolvers.items() if ch is not None}
    return {ch: rs for ch, rs in table.items() if rs}


_IMPLICIT = _implicit_table()
_IMPLICIT_WILDCARD = _LineLoader.yaml_implicit_resolvers.get(None, [])


def _resolve(kind, value, implicit):
    """BaseResolver.resolve for a resolver without path resolvers (ours has none)."""
    if kind is ScalarNode:
        if implicit[0]:
            resolvers = _IMPLICIT.get(value[:1], _IMPLICIT_WILDCARD)
            for tag, regexp in resolvers:
                if regexp.match(value):
                    return tag
        return _STR
    if kind is SequenceNode:
        return _SEQ
    return _MAP


def _noop(*args) -> None:
    return None


def _scalar(loader, node: ScalarNode) -> object:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _INT:
        value = node.value
        if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)
    elif tag == _NULL:
        return None
    elif tag == _BOOL:
        return _BOOL_VALUES[node.value.lower()]
    constructor = _SCALAR_CONSTRUCTORS.get(tag) if tag != _INT else _LineLoader.construct_yaml_int
    if constructor is None:
        raise _Fallback(tag)
    return constructor(loader, node)


def _build(loader, root) -> object:
    """Construct ``root`` exactly as the reference loader would (or raise _Fallback)."""
    memo: dict = {}  # id(node) -> object, for collections reached again through an alias
    in_progress: set = set()

    def build(node):
        cls = node.__class__
        if cls is ScalarNode:
            return _scalar(loader, node)
        key = id(node)
        if key in memo:
            return memo[key]
        if key in in_progress:  # a recursive alias: the reference reports it
            raise _Fallback("recursive")
        in_progress.add(key)
        if cls is MappingNode and node.tag == _MAP:
            result = LineDict()
            result.line = node.start_mark.line + 1
            key_lines = result.key_lines = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                    k = key_node.value
                elif key_node.__class__ is ScalarNode and key_node.tag in _KEY_TAGS:
                    k = _scalar(loader, key_node)
                else:
                    raise _Fallback("key")  # merge keys, '=' keys, collection keys
                if k in result:
                    raise _Fallback("duplicate")
                value_cls = value_node.__class__
                if value_cls is ScalarNode and value_node.tag == _STR:
                    result[k] = value_node.value
                elif value_cls is ScalarNode:
                    result[k] = _scalar(loader, value_node)
                else:
                    result[k] = build(value_node)
                key_lines[k] = key_node.start_mark.line + 1
        elif cls is SequenceNode and node.tag == _SEQ:
            result = []
            append = result.append
            for item in node.value:
                if item.__class__ is ScalarNode and item.tag == _STR:
                    append(item.value)
                else:
                    append(build(item))
        else:
            raise _Fallback(node.tag)
        in_progress.discard(key)
        memo[key] = result
        return result

    return build(root)


_KEY_TAGS = frozenset({_INT, _NULL, _BOOL, *_SCALAR_CONSTRUCTORS})


def _load_fast(text: str) -> object:
    loader = _LineLoader(text)
    try:
        # No path resolvers, so resolve() is a pure function and descend/ascend do nothing;
        # libyaml's composer calls these three per node.
        loader.resolve = _resolve
        loader.descend_resolver = _noop
        loader.ascend_resolver = _noop
        node = loader.get_single_node()
        return None if node is None else _build(loader, node)
    finally:
        loader.dispose()


def _load(text: str) -> object:
    # The load makes millions of small objects and no garbage cycles: the cyclic collector
    # would only rescan them over and over (it took half the time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return _load_fast(text)
        except Exception:
            # Bad YAML, a duplicate key, or something the fast path leaves alone: the
            # reference loader gives the exact result or error.
            return _load_reference(text)
    finally:
        if gc_was_enabled:
            gc.enable()


def load_yaml(path: Path, display: str) -> tuple[object, list[Problem]]:
    """Parse one YAML file. Returns (data, problems); data is None on failure."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 0, f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    try:
        return _load(text), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(display, line, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(display, 0, f"invalid YAML: {exc}")]
