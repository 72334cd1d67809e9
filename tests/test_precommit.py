"""The pre-commit hook (issue 16, item 9), run by the real `pre-commit` tool from a writer's
repository against a local copy of this one."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
GIT = ["git", "-c", "user.email=writer@example.org", "-c", "user.name=Writer", "-c", "commit.gpgsign=false"]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory) -> tuple[Path, str]:
    """This repository's files (tracked and new, not ignored) committed into a fresh git repo."""
    if not PRE_COMMIT.exists():
        pytest.fail("pre-commit is not installed: it is in the test extras (pip install -e '.[test]')")
    dest = tmp_path_factory.mktemp("kb-hook-repo")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "knowledge base")
    return dest, _git(dest, "rev-parse", "HEAD").strip()


def _writer_repo(tmp_path: Path, kb: tuple[Path, str], draft: str) -> Path:
    writer = tmp_path / "writer"
    writer.mkdir()
    _git(writer, "init", "-q")
    (writer / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {kb[0]}\n    rev: {kb[1]}\n    hooks:\n      - id: kb-check\n"
        f"        args: [--fail-on, 'contradicted,overstated']\n")
    (writer / "draft.md").write_text(draft)
    (writer / "notes.txt").write_text("Cauda equina syndrome is common and harmless.\n")  # not a draft
    _git(writer, "add", "-A")
    return writer


def _run(writer: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"),
               KB_VENV=str(Path(sys.executable).parent.parent))  # this venv, not a new install
    return subprocess.run([str(PRE_COMMIT), "run", "--all-files", "--color", "never"], cwd=writer,
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_hook_fails_a_commit_whose_draft_the_evidence_contradicts(kb_copy, tmp_path):
    writer = _writer_repo(tmp_path, kb_copy, "# Sciatica\n\nStay in bed.\n\nCauda equina syndrome is common and harmless.\n")
    result = _run(writer, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "draft.md:5: contradicted: Cauda equina syndrome is common and harmless." in result.stdout
    assert "notes.txt" not in result.stdout  # only Markdown drafts are checked
    assert "1 draft(s) checked; 1 fail the check" in result.stdout


def test_the_hook_passes_a_draft_that_agrees_with_the_evidence(kb_copy, tmp_path):
    writer = _writer_repo(tmp_path, kb_copy, "# Sciatica\n\nCauda equina syndrome is rare but a medical emergency.\n")
    result = _run(writer, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
