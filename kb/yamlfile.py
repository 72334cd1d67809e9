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
if _LineLoader.DEFAULT_SCALAR_TAG != _STR or None in _LineLoader.yaml_implicit_resolvers:
    raise ImportError("kb.yamlfile: the fast path assumes PyYAML's default resolvers")
# The implicit resolvers by first character ('' for the empty value), as
# BaseResolver.resolve tries them; a plain scalar starting with any other character is a str.
_IMPLICIT = {ch: rs for ch, rs in _LineLoader.yaml_implicit_resolvers.items() if rs}
# Scalar tags whose SafeConstructor function returns the value directly (not a generator),
# so calling it on the node is exactly what construct_object would do.
_SCALAR_CONSTRUCTORS = {
    tag: _LineLoader.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:timestamp",
        _INT,
    )
}
_BOOL_VALUES = _LineLoader.bool_values


class _Plain:
    """The tag ``_resolve`` gives a plain scalar without a tag: ``_build`` resolves it."""


_PLAIN = _Plain()


def _resolve(kind, value, implicit):
    """Stands in for BaseResolver.resolve, which the composer calls once per node.

    Ours has no path resolvers, so the tag only depends on the node itself; the implicit
    resolvers (regexes) of a plain scalar are left to ``_build``, which caches them.
    """
    if kind is ScalarNode:
        return _PLAIN if implicit[0] else _STR
    if kind is SequenceNode:
        return _SEQ
    return _MAP


def _noop(*args) -> None:
    return None


class _Fallback(Exception):
    """The fast path cannot reproduce the reference loader here: use it instead."""


def _build(loader, root, shared: bool) -> object:
    """Construct ``root`` exactly as the reference loader would (or raise _Fallback).

    ``shared``: the document may have anchors, so a node can be reached more than once.
    """
    plain_values: dict = {}  # text of a plain scalar -> its value (if its tag is not str)
    memo: dict = {}  # id(node) -> object, for collections reached again through an alias
    in_progress: set = set()
    implicit = _IMPLICIT

    def plain(node: ScalarNode) -> object:
        # A plain scalar whose first character has implicit resolvers.
        value = node.value
        try:
            return plain_values[value]
        except KeyError:
            pass
        result = value
        for tag, regexp in implicit[value[:1]]:
            if regexp.match(value):
                node.tag = tag
                result = scalar(node)
                break
        plain_values[value] = result
        return result

    def scalar(node: ScalarNode) -> object:
        tag = node.tag
        if tag is _PLAIN:
            return plain(node) if node.value[:1] in implicit else node.value
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOL_VALUES[node.value.lower()]
        if tag == _INT:
            value = node.value
            if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
                return int(value)
        constructor = _SCALAR_CONSTRUCTORS.get(tag)
        if constructor is None:  # merge keys, '=', !!set, unknown tags ...
            raise _Fallback(tag)
        return constructor(loader, node)

    def build(node) -> object:
        cls = node.__class__
        if cls is ScalarNode:
            return scalar(node)
        if shared:
            if id(node) in memo:
                return memo[id(node)]
            if id(node) in in_progress:  # a recursive alias
                raise _Fallback("recursive")
            in_progress.add(id(node))
        if cls is MappingNode and node.tag == _MAP:
            result = LineDict()
            result.line = node.start_mark.line + 1
            key_lines = result.key_lines = {}
            for key_node, value_node in node.value:
                if key_node.tag is _PLAIN:
                    key = key_node.value
                    if key[:1] in implicit:
                        key = plain(key_node)
                elif key_node.__class__ is ScalarNode:
                    key = scalar(key_node)
                else:
                    raise _Fallback("collection key")
                if key in result:
                    raise _Fallback("duplicate key")
                tag = value_node.tag
                if tag is _PLAIN:
                    value = value_node.value
                    result[key] = plain(value_node) if value[:1] in implicit else value
                elif tag is _STR:
                    result[key] = value_node.value
                else:
                    result[key] = build(value_node)
                key_lines[key] = key_node.start_mark.line + 1
        elif cls is SequenceNode and node.tag == _SEQ:
            result = []
            append = result.append
            for item in node.value:
                tag = item.tag
                if tag is _PLAIN:
                    value = item.value
                    append(plain(item) if value[:1] in implicit else value)
                elif tag is _STR:
                    append(item.value)
                else:
                    append(build(item))
        else:
            raise _Fallback(node.tag)
        if shared:
            in_progress.discard(id(node))
            memo[id(node)] = result
        return result

    return build(root)


def _load_fast(text: str) -> object:
    loader = _LineLoader(text)
    try:
        # libyaml's composer calls these three per node; without path resolvers
        # descend/ascend do nothing.
        loader.resolve = _resolve
        loader.descend_resolver = _noop
        loader.ascend_resolver = _noop
        node = loader.get_single_node()
        # Only an anchor ('&name') lets a node appear twice in the tree.
        return None if node is None else _build(loader, node, "&" in text)
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
