"""YAML loading that remembers the line each mapping starts on.

Validation messages must name ``file:line``, so every mapping loaded here is a
``LineDict``: a plain dict with a ``line`` attribute (1-based) and
``key_lines`` for the line of each key.
"""

from __future__ import annotations

from pathlib import Path

import yaml

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
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(display, line, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(display, 0, f"invalid YAML: {exc}")]
