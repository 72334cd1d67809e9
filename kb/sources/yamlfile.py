"""YAML loading that remembers the line each mapping starts on.

Validation messages must name ``file:line``, so every mapping loaded here is a
``LineDict``: a plain dict with a ``line`` attribute (1-based) and
``key_lines`` for the line of each key.

Loading is the build's hot path (a million claims is about a gigabyte of YAML), so
``load_yaml`` tries three ways in turn, each giving exactly what the one after it would:

1. ``_parse_simple``: a line-by-line reader for the block style the sources are written in
   (``key: value`` lines, quoted and flow-list scalars, ``|``/``>`` block scalars). It gives
   up (``_Fallback``) on any line whose meaning is not certain. 5-9x faster than 3.
2. ``_load_fast``: libyaml composes the node tree (with a cheaper resolver) and one tight
   walk (``_build``) makes the values. 2-4x faster than 3. It gives up on merge keys,
   ``!!set``/``!!omap``, unknown tags, duplicate keys, recursive aliases and any error.
3. ``_load_reference``: PyYAML's own CSafeLoader with the ``LineDict`` constructor, the
   definition of the result; every error message (invalid YAML, duplicate key) comes from it.

All three resolve and construct scalars with PyYAML's own resolvers and SafeConstructor
functions (dates stay strings), and tests/test_yamlfile.py checks them against 3.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..textfile import NotUTF8, decode_text
from .problems import Problem, cannot_read


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


# --- _load_fast: libyaml's node tree, walked -------------------------------------------

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_SEQ = _LineLoader.DEFAULT_SEQUENCE_TAG
_MAP = _LineLoader.DEFAULT_MAPPING_TAG
if _LineLoader.DEFAULT_SCALAR_TAG != _STR or None in _LineLoader.yaml_implicit_resolvers:
    raise ImportError("kb.sources.yamlfile: the fast path assumes PyYAML's default resolvers")
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


def _plain_value(value: str, cache: dict) -> object:
    """The value of a plain (unquoted, untagged) scalar whose first character has implicit
    resolvers, as PyYAML's resolvers and SafeConstructor make it; cached per text. Raises
    _Fallback for the tags only the reference loader handles (merge '<<', value '=')."""
    try:
        return cache[value]
    except KeyError:
        pass
    result = value
    for tag, regexp in _IMPLICIT[value[:1]]:
        if regexp.match(value):
            if tag == _NULL:
                result = None
            elif tag == _BOOL:
                result = _BOOL_VALUES[value.lower()]
            elif tag == _INT and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
                result = int(value)  # what construct_yaml_int makes of it, without the call
            elif tag in _SCALAR_CONSTRUCTORS:
                result = _SCALAR_CONSTRUCTORS[tag](_CONSTRUCTOR, ScalarNode(tag, value))
            else:
                raise _Fallback(tag)
            break
    cache[value] = result
    return result


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

    def scalar(node: ScalarNode) -> object:
        tag = node.tag
        if tag is _PLAIN:
            return _plain_value(node.value, plain_values) if node.value[:1] in implicit else node.value
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
                        key = _plain_value(key_node.value, plain_values)
                elif key_node.__class__ is ScalarNode:
                    key = scalar(key_node)
                else:
                    raise _Fallback("collection key")
                if key in result:
                    raise _Fallback("duplicate key")
                tag = value_node.tag
                if tag is _PLAIN:
                    value = value_node.value
                    result[key] = _plain_value(value, plain_values) if value[:1] in implicit else value
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
                    append(_plain_value(value, plain_values) if value[:1] in implicit else value)
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


# --- _parse_simple: the plain block style the sources are written in -------------------
#
# Nearly every source file is block mappings and sequences, one ``key: value`` per line,
# with plain, quoted, flow-list and ``|``/``>`` block scalars. ``_parse_simple`` reads that
# subset with one regex pass over the lines, twice as fast again as libyaml through PyYAML's
# node objects. It accepts a file only when every line is in a form whose YAML meaning is
# certain; anything else (tabs, anchors, tags, "---", multi-line plain or quoted scalars,
# "|+" or "|2", more-indented lines in a folded scalar, a ``key:value`` that is really an
# error, a duplicate key ...) raises _Fallback and the file goes through libyaml. Plain
# scalars are resolved with PyYAML's own implicit resolvers and constructed by its own
# SafeConstructor functions.

# Characters that are not printable in YAML, line breaks other than "\n" ("\r", NEL,
# U+2028/9), tabs and the byte-order mark: a file with any of them takes the libyaml path.
_SIMPLE_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# One line: indentation, a sequence entry's "- ", a simple key (ASCII word characters, '-'
# and '.') with its colon and spaces, then the rest of the line: a plain scalar with no ':' or
# '#' that cannot be anything else, a double-quoted one without escapes, or anything else.
_SIMPLE_LINE = re.compile(
    r"( *+)(- ++)?(?:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}):(?: ++|(?=\n)))?"
    r"(?:([^ \n\-?:,\[\]{}#&*!|>'\"%@`][^:#\n]*+(?<! ))(?=\n)"
    r'|"([^"\\\n]++)"(?=\n)'
    r"|([^\n]*+))\n"
)
_END = r"(?: +#.*| *)$"  # what may follow a quoted scalar, a flow list, a block indicator
_DOUBLE = re.compile(r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"' + _END)
_SINGLE = re.compile(r"'([^']*+(?:''[^']*+)*+)'" + _END)
_BLOCK = re.compile(r"([|>])(-?)" + _END)
_FLOW = re.compile(r"\[([^\[\]{}#]*+)\]" + _END)
_FLOW_PLAIN = r"(?:[A-Za-z0-9_.~]|[-+](?=[0-9.]))[A-Za-z0-9_.+/-]*+(?: [A-Za-z0-9_.+/-]++)*+"
_FLOW_ITEM = re.compile(
    r' *(?:"([^"\\]*+(?:\\.[^"\\]*+)*+)"'  # double-quoted
    r"|'([^']*+(?:''[^']*+)*+)'"  # single-quoted
    rf"|({_FLOW_PLAIN})"  # plain
    r") *(?:,|$)"
)
_FLOW_ALL_PLAIN = re.compile(rf" *{_FLOW_PLAIN} *(?:, *{_FLOW_PLAIN} *)*+")
# What a plain scalar may not start with (indicators, errors); '-' may start a number.
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_NUMBER_START = frozenset("0123456789.")
# Values the mapping loop leaves to value_of(): quoted, flow, block scalars, comments.
_NOT_PLAIN = frozenset("#|>'\"[")
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # libyaml's, from yaml_parser_scan_flow_scalar
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    if len(code) == 1:
        if code not in _ESCAPES:
            raise _Fallback("escape")
        return _ESCAPES[code]
    value = int(code[1:], 16)
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        raise _Fallback("escape")
    return chr(value)


def _double(content: str) -> str:
    return _ESCAPE.sub(_unescape, content) if "\\" in content else content


def _plain_text(rest: str) -> str:
    """The plain scalar that ``rest`` (the rest of a line, not empty) holds, if it is one."""
    first = rest[0]
    if first in _PLAIN_START and (first != "-" or rest[1:2] not in _NUMBER_START):
        raise _Fallback("plain")
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut]
    rest = rest.rstrip(" ")
    if ": " in rest or rest[-1] == ":":
        raise _Fallback("plain")  # a mapping where it cannot be: an error
    return rest


def _parse_simple(text: str) -> object:
    """Parse ``text`` if it is in the simple block subset (else raise _Fallback)."""
    if _SIMPLE_UNSAFE.search(text):
        raise _Fallback("characters")
    final_break = text.endswith("\n")
    if not final_break:
        text += "\n"
    # For each line: (indent, "- ", key, plain scalar, double-quoted content, anything else).
    tokens = _SIMPLE_LINE.findall(text)
    lines = text.split("\n")  # for block scalars
    n = len(tokens)
    implicit = _IMPLICIT
    plain_values: dict = {}

    def resolve(value: str) -> object:
        return _plain_value(value, plain_values)

    def next_content(i: int) -> tuple:
        # The next line from i that is not blank or a comment: (index, column, token).
        while i < n:
            token = tokens[i]
            if token[1] or token[2] or token[3] or token[4] or token[5][:1] not in ("", "#"):
                return i, len(token[0]), token
            i += 1
        return n, -1, None

    def flow(inner: str) -> list:
        items: list = []
        if _FLOW_ALL_PLAIN.fullmatch(inner):  # the common case: "[a, b, c]"
            for item in inner.split(","):
                item = item.strip(" ")
                items.append(resolve(item) if item[:1] in implicit else item)
            return items
        if not inner.strip(" "):
            return items
        pos, end = 0, len(inner)
        while pos < end:
            m = _FLOW_ITEM.match(inner, pos)
            if m is None:
                raise _Fallback("flow")
            double, single, plain = m.groups()
            if double is not None:
                items.append(_double(double))
            elif single is not None:
                items.append(single.replace("''", "'"))
            else:
                items.append(resolve(plain) if plain[:1] in implicit else plain)
            pos = m.end()
        if inner.rstrip(" ")[-1] == ",":
            raise _Fallback("flow")  # a trailing comma
        return items

    def block_scalar(header: str, i: int, col: int) -> tuple:
        # A '|' or '>' scalar (clip or strip) on the lines after line i, more indented than col.
        m = _BLOCK.match(header)
        if m is None:
            raise _Fallback("block scalar header")
        folded = m.group(1) == ">"
        j = i + 1
        if j >= n:
            raise _Fallback("block scalar")
        line = lines[j]
        content = line.lstrip(" ")
        indent = len(line) - len(content)
        if indent <= col or not content:  # empty, or starting with empty lines
            raise _Fallback("block scalar")
        prefix = " " * indent
        parts: list = []
        empties = 0
        while j < n:
            line = lines[j]
            content = line[indent:]
            if not content and not line.strip(" "):
                # An empty line, or only spaces, no more than the indentation.
                empties += 1
                j += 1
                continue
            if not line.startswith(prefix):
                break  # less indented: the scalar has ended
            if content[-1] == " " or (folded and content[0] == " "):
                raise _Fallback("block scalar")  # trailing spaces, more-indented folded lines
            if parts:
                if folded:
                    parts.append("\n" * empties if empties else " ")
                else:
                    parts.append("\n" * (empties + 1))
            parts.append(content)
            empties = 0
            j += 1
        if j == n and empties == 0 and not final_break:
            raise _Fallback("block scalar")  # its last line has no line break
        if not m.group(2):
            parts.append("\n")
        return "".join(parts), j

    def value_of(token: tuple, i: int, col: int, in_mapping: bool) -> tuple:
        # The value that line i (token) holds after its key or "- ", in a collection at
        # column col. Returns it and then the next content line, as next_content() does.
        plain, double, rest = token[3], token[4], token[5]
        j = i + 1
        if plain:
            value = resolve(plain) if plain[:1] in implicit else plain
        elif double:
            value = double
        elif not rest or rest[0] == "#":
            j, indent, token = next_content(j)
            if indent > col:
                return block(j, indent, token)
            if in_mapping and indent == col and token[1]:
                return sequence(j, indent, token)  # "key:\n- item" (same indentation)
            return None, j, indent, token
        else:
            first = rest[0]
            if first == '"':
                m = _DOUBLE.match(rest)
                if m is None:
                    raise _Fallback("double-quoted")
                value = _double(m.group(1))
            elif first == "'":
                m = _SINGLE.match(rest)
                if m is None:
                    raise _Fallback("single-quoted")
                value = m.group(1).replace("''", "'")
            elif first == "[":
                m = _FLOW.match(rest)
                if m is None:
                    raise _Fallback("flow")
                value = flow(m.group(1))
            elif first == "|" or first == ">":
                value, j = block_scalar(rest, i, col)
            else:
                value = _plain_text(rest)
                if value[:1] in implicit:
                    value = resolve(value)
        j, indent, token = next_content(j)
        if indent > col:
            raise _Fallback("continuation line")  # of a multi-line plain scalar, or an error
        return value, j, indent, token

    def mapping(i: int, col: int, token: tuple) -> tuple:
        result = LineDict()
        result.line = i + 1
        key_lines = result.key_lines = {}
        while True:
            key = token[2]
            if key[:1] in implicit:
                key = resolve(key)
            if key in result:
                raise _Fallback("duplicate key")
            key_lines[key] = i + 1
            # The common cases inlined from value_of(): a one-line plain or quoted scalar.
            value = token[3]
            if value:
                result[key] = resolve(value) if value[:1] in implicit else value
            elif token[4]:
                result[key] = token[4]
            else:
                result[key], i, indent, token = value_of(token, i, col, True)
                if indent == col and token[2] and not token[1]:
                    continue
                if indent >= col:
                    raise _Fallback("indentation")  # or not "key: ..." in a mapping
                return result, i, indent, token
            i += 1
            while i < n:
                token = tokens[i]
                if token[1] or token[2] or token[3] or token[4] or token[5][:1] not in ("", "#"):
                    break
                i += 1
            else:
                return result, n, -1, None
            indent = len(token[0])
            if indent == col and token[2] and not token[1]:
                continue
            if indent >= col:
                raise _Fallback("indentation")  # a continuation line, or not "key: ..."
            return result, i, indent, token

    def sequence(i: int, col: int, token: tuple) -> tuple:
        result: list = []
        append = result.append
        while True:
            if token[2]:
                item, i, indent, token = mapping(i, col + len(token[1]), token)
            elif not (token[3] or token[4] or token[5][:1] not in ("", "#")):
                raise _Fallback("empty sequence entry")  # or a nested block on the next lines
            else:
                item, i, indent, token = value_of(token, i, col, False)
            append(item)
            if indent != col or not token[1]:
                if indent > col:
                    raise _Fallback("indentation")
                return result, i, indent, token

    def block(i: int, col: int, token: tuple) -> tuple:
        if token[1]:
            return sequence(i, col, token)
        if token[2]:
            return mapping(i, col, token)
        raise _Fallback("not a mapping or sequence")

    i, indent, token = next_content(0)
    if indent != 0:
        raise _Fallback("document")  # empty, or indented
    result, i, indent, token = block(i, 0, token)
    if i != n:
        raise _Fallback("document")  # e.g. '---', a sequence then a mapping
    return result


def _load(text: str) -> object:
    # A load makes many small objects and no garbage cycles: the cyclic collector would
    # only rescan them over and over (it took half the time of a large file).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # _Fallback, or anything else (RecursionError on very deep nesting): the next way.
        try:
            return _parse_simple(text)
        except Exception:  # noqa: BLE001, S110
            pass
        # Bad YAML, a duplicate key, or something _build leaves alone: the reference loader
        # gives the exact result or error.
        try:
            return _load_fast(text)
        except Exception:  # noqa: BLE001
            return _load_reference(text)
    finally:
        if gc_was_enabled:
            gc.enable()


def load_yaml(path: Path, display: str) -> tuple[object, list[Problem]]:
    """Read and parse one YAML file. Returns (data, problems); data is None on failure."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [cannot_read(display, exc)]
    return parse_yaml(raw, display)


def parse_yaml(raw: bytes, display: str) -> tuple[object, list[Problem]]:
    """Parse the bytes of one YAML file (``display`` names it). Returns (data, problems); data
    is None on failure."""
    try:
        text = decode_text(raw)
    except NotUTF8 as exc:
        return None, [Problem(display, exc.line, str(exc))]
    if not text.strip():  # an emptied file is a mistake to name, not a file to skip
        return None, [Problem(display, 1, "the file is empty")]
    try:
        return _load(text), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(display, line, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, before parsing
        return None, [_bad_character(text, exc.character, display)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(display, 0, f"invalid YAML: {exc}")]


def _bad_character(text: str, code: int, display: str) -> Problem:
    """A character the YAML reader refused, at its first occurrence (where the reader stopped),
    as one line naming its line and column."""
    if code == 0:
        what, why = "a NUL byte", "a text file cannot hold one"
    else:
        what, why = f"the control character U+{code:04X}", "YAML does not allow it"
    at = text.find(chr(code))
    if at < 0:  # pragma: no cover - the reader found it in this text
        return Problem(display, 0, f"contains {what}; {why}")
    line_start = text.rfind("\n", 0, at) + 1
    return Problem(display, text.count("\n", 0, at) + 1,
                   f"contains {what} (column {at - line_start + 1}); {why}")
