"""The pipeline's rules, read from the imports: files -> sources -> build -> check / site.

A lower stage never imports a higher one, check and site read the built database only, the
ground floor (vocabularies, tokeniser, formatter, exports...) imports no stage, and no module
imports another module's private names. Each rule is named so a failure explains itself.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGES = ("kb.sources", "kb.build", "kb.check", "kb.site")
FRONT = ("kb.cli", "kb.curate")  # the command line and curator commands may use every stage

RULES = [
    ("sources is pure: it never imports the build, check or site", ("kb.sources",),
     ("kb.build", "kb.check", "kb.site", *FRONT)),
    ("the build reads the sources, never the check or site", ("kb.build",),
     ("kb.check", "kb.site", *FRONT)),
    ("check reads the built database only: never the sources or the build", ("kb.check",),
     ("kb.sources", "kb.build", "kb.site", *FRONT)),
    ("site reads the built database only: never the sources or the build", ("kb.site",),
     ("kb.sources", "kb.build", *FRONT)),
    ("the ground floor is shared by all and imports no stage", ("kb.",), (*STAGES, *FRONT)),
]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import in the file, relative ones resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            names = [a.name for a in node.names]
            if node.level and not node.module:  # "from . import vocab": each name is a module
                found += [(node.lineno, f"{target}.{n}", []) for n in names]
            else:
                found.append((node.lineno, target, names))
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".") or (prefix.endswith(".") and
                                                                    module.startswith(prefix))


def stage_of(module: str) -> str | None:
    return next((s for s in (*STAGES, *FRONT) if _within(module, s)), None)


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "kb").rglob("*.py")):
        here = module_name(path, root)
        if path.parent.name == "plugins":  # Datasette loads these by path; they belong to the site
            here = "kb.site.plugins." + path.stem
        for line, target, names in imports(path, root):
            if not _within(target, "kb"):
                continue
            where = f"{path.relative_to(root)}:{line}: imports {target}"
            for rule, owners, forbidden in RULES:
                owner = next((o for o in owners if _within(here, o)), None)
                if owner is None or (owner == "kb." and stage_of(here) is not None):
                    continue
                if any(_within(target, f) for f in forbidden) and not _within(target, owner.rstrip(".")) \
                        or (owner == "kb." and stage_of(target)):
                    found.append(f"{where}: broken rule: {rule}")
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != here:
                found.append(f"{where}: broken rule: no private names across modules "
                             f"({', '.join(private)})")
    return found


def test_the_pipeline_rules_hold():
    assert violations(REPO) == []


def test_the_rules_catch_an_offending_import(tmp_path):
    """Plant one import of each forbidden kind in a copy of the package: each is reported."""
    shutil.copytree(REPO / "kb", tmp_path / "kb", ignore=shutil.ignore_patterns("__pycache__"))
    planted = {
        "kb/sources/records.py": "from ..build import build\n",
        "kb/build/writer.py": "from ..check.engine import Checker\n",
        "kb/check/engine.py": "from ..sources import load_project\n",
        "kb/site/pages.py": "from kb.build.schema import TABLES\n",
        "kb/site/plugins/row_pages.py": "from kb.sources import SourceReader\n",
        "kb/text.py": "from .check.citations import find_citations\n",
        "kb/export.py": "from .check.engine import _summary\n",
    }
    for rel, line in planted.items():
        path = tmp_path / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    found = violations(tmp_path)
    for rel in planted:
        assert any(v.startswith(rel + ":") for v in found), (rel, found)
    assert any("sources is pure" in v for v in found)
    assert any("private names" in v for v in found)
