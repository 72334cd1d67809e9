"""kb.sources.yamlfile: the fast loaders give exactly what the reference PyYAML loader gives.

``load_yaml`` tries ``_parse_simple`` (a line reader for the plain block style), then
``_load_fast`` (libyaml's node tree, walked), then ``_load_reference`` (PyYAML's own
CSafeLoader with the LineDict constructor). Each of the first two either gives up or returns
the same values, types, ``.line`` and ``.key_lines`` as the reference; errors always come from
the reference.
"""

from __future__ import annotations

import gc
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.sources import yamlfile
from kb.sources import Problem
from kb.sources.yamlfile import (
    LineDict,
    _Fallback,
    _load,
    _load_fast,
    _load_reference,
    _parse_simple,
    load_yaml,
)
from tests.conftest import REPO

from kb import generate as generate_kb


def assert_same(got, want, path="$"):
    """Equal values of the same types, and LineDicts with the same lines, all the way down."""
    assert type(got) is type(want), f"{path}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, dict):
        assert list(got) == list(want), path
        if isinstance(want, LineDict):
            assert got.line == want.line, f"{path}: line {got.line} != {want.line}"
            assert list(got.key_lines.items()) == list(want.key_lines.items()), f"{path}: key_lines"
        for key in want:
            assert_same(got[key], want[key], f"{path}.{key!r}")
    elif isinstance(want, list):
        assert len(got) == len(want), f"{path}: length"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), path
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def check(text: str) -> dict:
    """Compare every loader with the reference on ``text``; say which ones took it."""
    try:
        want, error = _load_reference(text), None
    except Exception as exc:  # noqa: BLE001 - any error: the fast paths must not accept it
        want, error = None, exc
    taken = {}
    for name, loader, gives_up in (("simple", _parse_simple, _Fallback), ("fast", _load_fast, Exception)):
        try:
            got = loader(text)
        except gives_up:
            taken[name] = False
            continue
        assert error is None, f"{name} accepted a document the reference rejects: {error!r}"
        assert_same(got, want)
        taken[name] = True
    if error is None:
        assert_same(_load(text), want)
    else:
        with pytest.raises(type(error)):
            _load(text)
    return taken


def yaml_files(root):
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


# --- real and generated sources -----------------------------------------------------------

@pytest.mark.parametrize("path", yaml_files(REPO / "claims"), ids=lambda p: str(p.relative_to(REPO)))
def test_project_sources_load_as_the_reference_does(path):
    check(path.read_text(encoding="utf-8"))


def test_generated_kb_loads_as_the_reference_does_on_the_fast_line_path(tmp_path, monkeypatch):
    monkeypatch.setattr(generate_kb, "CLAIMS_PER_FILE", 150)
    generate_kb.generate(tmp_path, 400, seed=3)
    files = yaml_files(tmp_path)
    assert len(files) > 10
    for path in files:
        taken = check(path.read_text(encoding="utf-8"))
        assert taken == {"simple": True, "fast": True}, path  # the fast path is really used


# --- documents by hand: each feature of the line reader, and where it must give up ---------

ACCEPTED = [  # the line reader takes these (and must agree with the reference)
    "a: 1\nb: -2\nc: +3\nd: 0x1F\ne: 0o17\nf: 0b101\ng: 1_000\nh: 12:30\ni: 007\nj: 0\nk: 190:20:30\n",
    "a: 1.5\nb: .5\nc: -.inf\nd: .NaN\ne: 1e3\nf: 6.8523015e+5\ng: 1_0.5\nh: -2.\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: y\ng: n\nh: ~\ni: null\nj: NULL\nk:\nl: nul\n",
    "reviewed: 2026-11-25\nat: 2001-12-14t21:59:43.10-05:00\nd: 2026-1-5\n",
    "yes: 1\nno: 2\n2: two\n1.5: x\n0x1F: hex\nnull: n\n2026-11-25: date\non-off: z\n",
    ("a: a:b\nb: C# sharp\nc: http://example.org/a?b=c#d\nd: text # comment\ne: trailing   \n"
     "f: q'q \"x\"\ng: a , b [c] {d}\nh: -5x\ni: <b>\nj: ...\nk: Müller 日本語 😀\n"),
    ('a: "x: y # z"\nb: "esc \\"q\\" \\\\ \\t \\/ \\x41 \\u00e9 \\U0001F600 \\N \\_ \\0"\nc: ""\n'
     "d: 'it''s # not'\ne: ''\nf: \"a\"   # c\ng: 'b' # c\n"),
    "a: [x, 1, yes, ~, 2026-11-25, -1.5]\nb: []\nc: [ \"q, r\" , 's''t' ]\nd: [a b, c.d/e]  # c\n",
    ("a: |\n  line 1\n    more\n\n  # not a comment\nb: |-\n  x\n  y\nc: >\n  folded\n  text\n\n\n  para\n"
     "d: >-\n   x\n   y\n  \n   z\n# c\ne: 1\n"),
    "top:\n  - a\n  - b: 1\n    c: 2\n  -   d: 3\n      e: [x]\nnext:\n- 1\n- x: 2\n  y:\n  - 3\n  z: 4\n",
    "# head\n\nk:   # c\n  # c\n    n: 1\n\n    m: 2\n  # c\nz: 3\n",
    "- 1\n- two\n- k: v\n- [a]\n- |\n  block\n",
    "a: b",  # no final line break
]

GIVES_UP = [  # the line reader leaves these to libyaml (valid or not)
    "a: b\n  continued\n",  # multi-line plain scalar
    "- a\n  b\n",
    'a: "multi\n  line"\n',
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "<<: {a: 1}\n",
    "a: |+\n  keep\n\n",
    "a: |2\n   x\n",
    "a: >\n  x\n    more\n  y\n",
    "a: |\n  trailing  \n",
    "a: |\n  no final break",
    "---\na: 1\n",
    "a: 1\n...\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a: {b: 1}\n",
    "? a\n: b\n",
    '"a": 1\n',
    "a: b: c\n",
    "a: 1\na: 2\n",
    "a: [b, ]\n",
    "a: 'x' y\n",
    '"\\q": 1\n',
    'a: "\\ud800"\n',
    "-\n  a: 1\n",
    "a:\n  - b\n c: 1\n",
    "",
    "# only a comment\n",
    "plain scalar\n",
    "  a: 1\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_line_reader_accepts_and_agrees(text):
    assert check(text)["simple"] is True


@pytest.mark.parametrize("text", GIVES_UP)
def test_line_reader_gives_up_and_the_others_agree(text):
    assert check(text)["simple"] is False


def test_aliases_share_objects_as_the_reference_does():
    text = "base: &b {x: 1, y: [1, 2]}\nother: *b\nlist: &l [a, b]\nagain: *l\n"
    for data in (_load_fast(text), _load_reference(text), _load(text)):
        assert data["base"] is data["other"] and data["list"] is data["again"]
    assert_same(_load(text), _load_reference(text))
    recursive = "a: &a\n  b: *a\n"
    with pytest.raises(Exception) as want:
        _load_reference(recursive)
    with pytest.raises(type(want.value)):
        _load(recursive)


def test_merge_keys_and_set_tags_go_to_the_reference():
    for text in ("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n", "s: !!set {a, b}\n", "o: !!omap [a: 1]\n",
                 "b: !!binary aGVsbG8=\n", "t: !!timestamp 2026-11-25\n", "f: !!float 1\n"):
        check(text)


def test_deep_nesting_falls_back_past_python_recursion():
    text = "".join(" " * i + f"k{i}:\n" for i in range(400)) + " " * 400 + "v: 1\n"
    assert_same(_load(text), _load_reference(text))


def test_garbage_collector_state_is_restored():
    assert gc.isenabled()
    _load("a: 1\n")
    assert gc.isenabled()
    gc.disable()
    try:
        _load("a: 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- generated documents ---------------------------------------------------------------------

# Scalars of the shapes the implicit resolvers and the plain-scalar rules care about.
TRICKY = [
    "0", "7", "42", "-3", "+5", "007", "0x1F", "0o17", "0b101", "1_000", "12:30", "1:20:30", "-1_0",
    "1.5", "-2.", ".5", "1e3", "1.0e+3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "1_0.5",
    "190:20:30.15", "yes", "No", "YES", "on", "Off", "true", "False", "y", "n", "~", "null", "Null",
    "NULL", "nul", "2026-11-25", "2001-12-14t21:59:43.10-05:00", "2026-1-5", "1 2", "-0", "+0", "0.0",
    "a:b", "a#b", "C#", "http://example.org/a?b=c#d", "-x", "-1x", "<b>", "==", "q'q", 'q"q', "x,y",
    "a]", "a}", "a - b", "a -", "12%", "(95% CI 5% to 19%)", "back\\slash", "Müller", "日本語",
    "emoji 😀", "a  b", "x:y:z", "1.2.3", "a/b", "_", ".", "..", "x.", "e", "E5",
]
# Scalars that are errors, or need something outside the line reader's subset.
WEIRD = [
    "a: b", "a #b", "#x", "x:", "- x", "-", "--", "---", "...", "[a]", "{a: 1}", "&a", "*a",
    "!t", "|", ">", "%x", "@x", "`x", "'q'", '"q"', "?x", ":x", "? x", "tab\there", " lead",
    "trail ", "<<", "=", "\\", "a\x07b", "\ufeffx", "a\u2028b", "a\x85b", "a\rb",
]
KEYS = ["id", "title", "statement", "claims", "ref", "stance", "type", "topics", "key", "k",
        "x1", "a-b", "_x", "on-off", "1_0", "yes", "no", "on", "null", "true", "Y", "1", "00",
        "0x1F", "2026-11-25", "12:30", "1.5"]
WEIRD_KEYS = ["~", "<<", "=", '"q"', "'q'", "a b", "a:b", "[a]", "? a", "&a a", "!!str x", "-1"]

SAFE_TEXT = st.text(st.sampled_from(list("abcxyz ABZ0123456789.-_,/()%:#'\"éü日😀")), min_size=1,
                    max_size=20).map(lambda s: s.strip().replace(": ", ":").replace(" #", "#")
                                     .lstrip("-:#'\"%,") or "x")
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


class _Doc:
    """Writes one YAML document; ``level`` is how often (percent) to pick something weird."""

    def __init__(self, draw):
        self.draw = draw
        self.level = draw(st.sampled_from([0, 0, 0, 1, 3, 10, 30]))

    def weird(self):
        return self.level and self.draw(st.integers(0, 99)) < self.level

    def text(self):
        if self.weird():
            return self.draw(st.one_of(st.sampled_from(WEIRD), ANY_TEXT))
        return self.draw(st.one_of(st.sampled_from(TRICKY), SAFE_TEXT, SAFE_TEXT))

    def key(self):
        if self.weird():
            return self.draw(st.sampled_from(WEIRD_KEYS))
        return self.draw(st.one_of(st.sampled_from(KEYS), st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True)))

    def quoted(self, text, style):
        if style == "dq":
            return json.dumps(text, ensure_ascii=self.draw(st.booleans()))
        return "'" + text.replace("'", "''") + "'"

    def scalar(self):
        draw = self.draw
        style = draw(st.sampled_from(["plain"] * 6 + ["dq", "dq", "sq", "raw", "flow", "flow", "comment"]))
        if style == "plain":
            return self.text()
        if style in ("dq", "sq"):
            return self.quoted(self.text(), style)
        if style == "raw":
            return draw(st.sampled_from(
                ['"\\x41\\u00e9\\U0001F600"', '"a\\tb\\/c\\ d\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\r"', '""', "''",
                 '"a" # c', "'a''b' # c", '"a\\"b\\\\"'] + (
                    ['"\\q"', '"\\ud800"', '"\\U00110000"', '"\\x4"', '"a\\\'b"', '"a"#c', '"a" b', '"a', "'a"]
                    if self.weird() else [])))
        if style == "comment":
            return self.text() + draw(st.sampled_from([" # c", "  #c", " #", "   "] + (["#c"] if self.weird() else [])))
        items = []
        for _ in range(draw(st.integers(0, 4))):
            item_style = draw(st.sampled_from(["plain", "plain", "dq", "sq"]))
            items.append(self.text() if item_style == "plain" else self.quoted(self.text(), item_style))
        sep = draw(st.sampled_from([", ", ",", " , ", ",  "]))
        end = draw(st.sampled_from(["]", " ]", "] # c"] + ([",]", "]x"] if self.weird() else [])))
        return "[" + sep.join(items) + end

    def block_scalar(self, indent):
        draw = self.draw
        headers = ["|", "|-", ">", ">-", "| # c", ">-  "] + (["|+", ">+", "|2", ">1-", "|x"] if self.weird() else [])
        header = draw(st.sampled_from(headers))
        pad = " " * (indent + draw(st.integers(1, 3)))
        lines = []
        for _ in range(draw(st.integers(0 if self.weird() else 1, 5))):
            kind = draw(st.sampled_from(["text"] * 4 + ["empty", "more", "comment", "spaces"]))
            if not lines and kind in ("empty", "more", "spaces"):
                kind = "text"
            if self.weird():
                kind = draw(st.sampled_from(["spaces", "trailing", "less", "text", "empty", "more"]))
            lines.append({
                "text": lambda: pad + (self.text().strip(" ") or "t"),
                "empty": lambda: "",
                "more": lambda: pad + "  " + self.text().strip(" "),
                "comment": lambda: pad + "# not a comment",
                "spaces": lambda: " " * draw(st.integers(1, len(pad) + (3 if self.weird() else 0))),
                "trailing": lambda: pad + "t  ",
                "less": lambda: pad[:-1] + "less",
            }[kind]())
        return " " + header, "".join(line + "\n" for line in lines)

    def value(self, indent, depth):
        """(what follows 'key:' or '-' on its line, the lines after it) for a value."""
        draw = self.draw
        kind = draw(st.sampled_from(["scalar"] * 5 + ["block", "empty"] + (["map", "seq"] * 2 if depth < 3 else [])))
        if kind == "scalar":
            return " " + self.scalar(), ""
        if kind == "empty":
            return draw(st.sampled_from(["", " ", " # c"])), ""
        if kind == "block":
            return self.block_scalar(indent)
        step = draw(st.sampled_from([1, 2, 2, 4]))
        comment = draw(st.sampled_from(["", "", " # c"]))
        if kind == "map":
            return comment, self.mapping(indent + step, depth + 1)
        same = draw(st.booleans())  # an indentless sequence under a key
        return comment, self.sequence(indent if same else indent + step, depth + 1)

    def mapping(self, indent, depth, inline_first=False):
        out, keys = [], set()
        for n in range(self.draw(st.integers(1, 5))):
            key = self.key()
            if key in keys and not self.weird():
                continue
            keys.add(key)
            inline, rest = self.value(indent, depth)
            pad = "" if inline_first and n == 0 else " " * indent
            out.append(f"{pad}{key}:{inline}\n{rest}{self.filler(indent)}")
        return "".join(out)

    def sequence(self, indent, depth):
        draw = self.draw
        out = []
        for _ in range(draw(st.integers(1, 4))):
            gap = draw(st.sampled_from([1, 1, 1, 2, 3]))
            if depth < 3 and draw(st.booleans()):
                out.append(" " * indent + "-" + " " * gap + self.mapping(indent + 1 + gap, depth + 1, True))
            else:
                inline, rest = self.value(indent, depth + 1)
                if inline.startswith(" "):
                    inline = " " * (gap - 1) + inline
                out.append(" " * indent + "-" + inline + "\n" + rest)
            out.append(self.filler(indent))
        return "".join(out)

    def filler(self, indent):
        return self.draw(st.sampled_from(
            [""] * 8 + ["\n", "   \n", "# comment\n", " " * indent + "# c\n", "      # deep\n"]))


@st.composite
def documents(draw):
    doc = _Doc(draw)
    body = doc.mapping(0, 0) if draw(st.integers(0, 3)) else doc.sequence(0, 0)
    weird = doc.weird()
    head = draw(st.sampled_from([""] * 5 + ["# head\n", "\n"] + (["---\n", "%YAML 1.1\n---\n", " "] if weird else [])))
    tail = draw(st.sampled_from([""] * 5 + ["# tail\n", "\n\n"] + (["...\n", "---\nb: 1\n", "x"] if weird else [])))
    text = head + body + tail
    if doc.weird():  # a small mutation: often an error, sometimes not
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(
            [" ", ":", "#", "-", "\t", "'", '"', "\n", ": ", " #", "- ", "&a ", "*a", "\r\n", "\ufeff", "x", "  "]
        )) + text[pos:]
    if draw(st.integers(0, 6)) == 0:
        text = text.rstrip("\n")
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents())
def test_generated_documents_load_as_the_reference_does(text):
    check(text)


# --- problems for bad input: exactly as before -----------------------------------------------

BAD = [
    (b"id: a\ntitle: t\nid: b\n", 3, "invalid YAML: duplicate key 'id'"),
    (b"claims:\n  - id: a\n    type: x\n    type: y\n", 4, "invalid YAML: duplicate key 'type'"),
    (b"a:\n  yes: 1\n  true: 2\n", 3, "invalid YAML: duplicate key True"),
    (b"a: b: c\n", 1, "invalid YAML: mapping values are not allowed in this context"),
    (b"a: 1\n  b: 2\n", 2, "invalid YAML: mapping values are not allowed in this context"),
    (b'a: "open\nb: 1\n', 3, "invalid YAML: found unexpected end of stream"),
    (b"a:\n\t- b\n", 2, "invalid YAML: found character that cannot start any token"),
    (b"a: 1\n---\nb: 2\n", 2, "invalid YAML: but found another document"),
    (b"a: 1\nb: caf\xe9\n", 2, "byte 0xe9 is not valid UTF-8; save the file as UTF-8 (it may be Latin-1 or Windows-1252)"),
    (b"a: 1\n\n\nb: \xff\xfe\n", 4, "byte 0xff is not valid UTF-8; save the file as UTF-8 (it may be Latin-1 or Windows-1252)"),
]


@pytest.mark.parametrize("raw,line,message", BAD)
def test_bad_input_gives_the_same_problem_as_before(tmp_path, monkeypatch, raw, line, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    got = load_yaml(path, "claims/bad.yaml")
    assert got == (None, [Problem("claims/bad.yaml", line, message)])
    monkeypatch.setattr(yamlfile, "_load", _load_reference)  # the loader as it was
    assert load_yaml(path, "claims/bad.yaml") == got


def test_unreadable_file_is_a_problem(tmp_path):
    assert load_yaml(tmp_path / "missing.yaml", "x.yaml") == (
        None, [Problem("x.yaml", 0, "cannot read file: No such file or directory")])


def test_load_yaml_returns_line_dicts(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("# c\nid: a\nlist:\n  - k: v\n    w: [1]\n", encoding="utf-8")
    data, problems = load_yaml(path, "ok.yaml")
    assert problems == []
    assert isinstance(data, LineDict) and data.line == 2 and data.key_lines == {"id": 2, "list": 3}
    item = data["list"][0]
    assert isinstance(item, LineDict) and item.line == 4 and item.line_of("w") == 5 and item.line_of("x") == 4
