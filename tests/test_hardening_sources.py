"""Issue 15, items 10-12 and 14: what the sources and the build do when a file is broken, changes
under a build, or cannot be written; every failure is one line naming the file, never a traceback,
and the previous database is left as it was."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import tempfile

import pytest
from click.testing import CliRunner

from kb.build import build, is_stale, stored_digest
from kb.cli import cli
from kb.sources import inputs_digest, load_project
from tests.conftest import BIB, CLAIMS, TOPICS, write_kb

BROKEN = "claims:\n  - id: [unclosed\n"  # a flow sequence that never closes: a YAML syntax error


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def fails_in_one_line(*args) -> list[str]:
    """Run the CLI; it must fail with a message, not an exception. Returns the output's lines."""
    result = invoke(*args)
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"raised {result.exception!r}; output: {result.output}"
    assert "Traceback" not in result.output
    return result.output.splitlines()


# --- 10: a file that cannot be parsed is the cause; what follows from its absence is not listed ---

def test_a_yaml_syntax_error_is_listed_first_without_its_consequences(repo_copy):
    claims = repo_copy / "claims/claims.yaml"
    lines = claims.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    certainty:"))
    lines[at] = "    certainty: [moderate"
    claims.write_text("\n".join(lines), encoding="utf-8")
    out = fails_in_one_line("validate", "--root", repo_copy)
    assert out[0].startswith("claims/claims.yaml:") and "invalid YAML" in out[0]
    assert out[1].startswith("… and ") and \
        out[1].endswith("problems that follow from it (unknown claim ids the unreadable file would "
                        "define) are not shown")
    assert int(out[1].split()[2]) > 100  # every appearance of a claim claims.yaml defines
    assert out[2:] == ["1 problem(s) found"]


def test_the_causes_come_first_and_independent_problems_still_show(tmp_path):
    root = write_kb(tmp_path / "kb", **{
        "claims/topics.yaml": TOPICS.replace("  - id: imaging", "  - id: [imaging"),
        "claims/claims-extra.yaml": BROKEN,
        "references.bib": BIB.replace("  title = {Systematic", "  note = {Systematic"),
    })
    out = fails_in_one_line("validate", "--root", root)
    assert out[0].startswith("claims/claims-extra.yaml:3: invalid YAML")
    assert out[1].startswith("claims/topics.yaml:") and "invalid YAML" in out[1]
    assert out[2] == ("… and 2 problems that follow from them (unknown topic ids the unreadable files "
                      "would define) are not shown")
    assert out[3].startswith("references.bib:") and "missing required field 'title'" in out[3]
    assert out[-1] == "3 problem(s) found"
    assert not any("unknown topic '" in line for line in out)


def test_an_unreadable_article_hides_only_what_it_would_record(tmp_path):
    root = write_kb(tmp_path / "kb", **{"claims/articles/demo-article.yaml": "id: [demo\n"})
    project = load_project(root)
    assert [str(p) for p in project.problems] == [
        "claims/articles/demo-article.yaml:2: invalid YAML: did not find expected ',' or ']'"]
    assert project.suppressed.counts == {"article": 2}
    db = tmp_path / "sciatica.db"
    db.write_bytes(b"previous")
    out = fails_in_one_line("build", "--root", root, "--db", db)
    assert out == [
        "claims/articles/demo-article.yaml:2: invalid YAML: did not find expected ',' or ']'",
        "… and 2 problems that follow from it (claims without an appearance the unreadable file "
        "would record) are not shown",
        f"1 problem(s) found; build failed, {db} was left as it was"]
    assert db.read_bytes() == b"previous"


# --- 11: the digest is of the bytes the build read, as it read them ------------------------------

def test_a_source_saved_during_the_build_leaves_the_database_stale(mini_kb, tmp_path, monkeypatch):
    import kb.build.writer as writer

    claims = mini_kb / "claims/claims.yaml"
    write_article = writer.write_article

    def saved_meanwhile(*args, **kwargs):  # claims.yaml was read already; the build goes on
        claims.write_text(CLAIMS.replace("Bed rest makes sciatica worse.", "Bed rest hurts."))
        return write_article(*args, **kwargs)

    monkeypatch.setattr(writer, "write_article", saved_meanwhile)
    db = tmp_path / "sciatica.db"
    build(mini_kb, db)
    statement = sqlite3.connect(db).execute(
        "select statement from claims where id = 'bed-rest-worsens-sciatica'").fetchone()[0]
    assert statement == "Bed rest makes sciatica worse."  # the database holds what was read...
    assert is_stale(mini_kb, db)  # ...and knows the sources have moved on since


def test_a_normal_build_is_fresh(repo_copy, tmp_path):
    db = tmp_path / "sciatica.db"
    build(repo_copy, db)
    assert stored_digest(db) == inputs_digest(repo_copy)
    assert not is_stale(repo_copy, db)
    (repo_copy / "claims/articles/notes.txt").write_text("a stray text file, not an input\n")
    assert not is_stale(repo_copy, db)


# --- 12: the new file reaches the disk before it replaces the old one ----------------------------

def test_the_database_is_flushed_before_the_rename_and_its_folder_after(mini_kb, tmp_path,
                                                                         monkeypatch):
    calls = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        calls.append(("fsync", kind, os.fstat(fd).st_ino))
        fsync(fd)

    def recording_replace(src, dst):
        calls.append(("replace", os.stat(src).st_ino))
        replace(src, dst)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    db = tmp_path / "out" / "sciatica.db"
    build(mini_kb, db)
    new_file = os.stat(db).st_ino
    assert calls == [("fsync", "file", new_file), ("replace", new_file),
                     ("fsync", "folder", os.stat(db.parent).st_ino)]


# --- 14: write failures, directories where files belong, NUL bytes: one line, no traceback -------

@pytest.fixture
def built(mini_kb, tmp_path):
    """A project and its database, already built: every failure below must leave it as it is."""
    db = tmp_path / "out" / "sciatica.db"
    build(mini_kb, db)
    (mini_kb / "claims/claims.yaml").write_text(CLAIMS + "\n# edited: the database is stale\n")
    return mini_kb, db, db.read_bytes()


def _no_temporaries(db) -> bool:
    return not [p for p in db.parent.iterdir() if p.name.endswith(".tmp")]


def test_building_into_a_folder_without_write_permission_is_one_line(built, monkeypatch):
    root, db, before = built
    if os.geteuid() == 0:  # root writes anyway: the refusal a user would get, simulated
        def refused(*args, dir=None, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", os.path.join(dir, ".x.tmp"))
        monkeypatch.setattr(tempfile, "mkstemp", refused)
    db.parent.chmod(0o500)
    try:
        out = fails_in_one_line("build", "--root", root, "--db", db)
    finally:
        db.parent.chmod(0o700)
    assert out == [f"Error: cannot write {db}: Permission denied (no permission to write in "
                   f"{db.parent}); build failed, {db} was left as it was"]
    assert db.read_bytes() == before


def test_building_on_a_read_only_file_system_is_one_line(built, monkeypatch):
    root, db, before = built

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", os.path.join(dir, ".x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    out = fails_in_one_line("build", "--root", root, "--db", db)
    assert out == [f"Error: cannot write {db}: Read-only file system; build failed, {db} was left "
                   "as it was"]
    assert db.read_bytes() == before


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("database or disk is full"),
    sqlite3.OperationalError("disk I/O error"),
    sqlite3.OperationalError("attempt to write a readonly database"),
    OSError(errno.ENOSPC, "No space left on device"),
], ids=["full", "io", "readonly", "enospc"])
@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_write_failure_mid_build_is_one_line(built, monkeypatch, error, mode):
    import kb.build.incremental as incremental
    import kb.build.writer as writer

    root, db, before = built

    def fail(*args, **kwargs):
        raise error

    if mode == "full":
        monkeypatch.setattr(writer, "finish_match_index", fail)
    else:  # (the database is updated from the edited claims file)
        monkeypatch.setattr(incremental, "_update_match_index", fail)
    out = fails_in_one_line("build", "--root", root, "--db", db, *(["--full"] if mode == "full" else []))
    reason = error.strerror if isinstance(error, OSError) else str(error)
    assert out == [f"Error: cannot write {db}: {reason}; build failed, {db} was left as it was"]
    assert db.read_bytes() == before and _no_temporaries(db)


def test_a_full_disk_at_the_flush_is_one_line(built, monkeypatch):
    root, db, before = built

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = fails_in_one_line("build", "--root", root, "--db", db)
    assert out == [f"Error: cannot write {db}: No space left on device; build failed, {db} was "
                   "left as it was"]
    assert db.read_bytes() == before and _no_temporaries(db)


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_sql_mistake_is_not_disguised_as_a_write_failure(built, monkeypatch, mode):
    import kb.build.incremental as incremental
    import kb.build.writer as writer

    root, db, before = built

    def bug(*args, **kwargs):
        raise sqlite3.OperationalError("no such column: nonsense")

    monkeypatch.setattr(*((writer, "finish_match_index") if mode == "full" else
                          (incremental, "_update_match_index")), bug)
    result = invoke("build", "--root", root, "--db", db, *(["--full"] if mode == "full" else []))
    assert isinstance(result.exception, sqlite3.OperationalError)  # a bug: its traceback is wanted
    assert db.read_bytes() == before and _no_temporaries(db)


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["export", "ris"]])
@pytest.mark.parametrize("directory, named", [
    ("references.bib", "references.bib:0: cannot read file: Is a directory"),
    ("claims/claims.yaml", "claims/claims.yaml:0: cannot read file: Is a directory"),
    ("sciatica.db", "is a directory"),
])
def test_serve_and_export_name_an_input_that_is_a_directory(mini_kb, monkeypatch, command,
                                                            directory, named):
    def no_server(*args):
        raise AssertionError("kb serve started a server on broken sources")

    monkeypatch.setattr(os, "execv", no_server)
    db = mini_kb / "sciatica.db"
    if directory != "sciatica.db":
        build(mini_kb, db)
    path = mini_kb / directory
    before = db.read_bytes() if db.is_file() else None
    path.unlink(missing_ok=True)
    path.mkdir()
    out = fails_in_one_line(*command, "--root", mini_kb)
    assert any(named.lower() in line.lower() and directory in line for line in out), out
    if before is not None:
        assert db.read_bytes() == before


def test_a_db_option_or_root_of_the_wrong_kind_is_a_usage_error(mini_kb):
    out = fails_in_one_line("export", "ris", "--root", mini_kb, "--db", mini_kb / "claims")
    assert any("is a directory" in line for line in out)
    out = fails_in_one_line("export", "ris", "--root", mini_kb / "references.bib")
    assert any("references.bib" in line and "is a file" in line for line in out)
    out = fails_in_one_line("serve", "--root", mini_kb / "nowhere")
    assert any("nowhere" in line and "does not exist" in line for line in out)
    assert not (mini_kb / "nowhere").exists()


def test_a_nul_byte_is_one_line_naming_file_line_and_column(mini_kb):
    (mini_kb / "claims/claims.yaml").write_text(CLAIMS.replace("Bed rest makes", "Bed\0 rest makes"))
    out = fails_in_one_line("validate", "--root", mini_kb)
    assert out[0] == ("claims/claims.yaml:3: contains a NUL byte (column 19); a text file cannot "
                      "hold one")
    assert out[-1] == "1 problem(s) found"
    assert not any(line.startswith(" ") for line in out)


def test_a_nul_byte_after_wide_characters_is_at_its_column(mini_kb):
    (mini_kb / "claims/topics.yaml").write_text(
        TOPICS.replace("description: Resting in bed.", "description: Résting — in bed.\0"),
        encoding="utf-8")
    problems = [str(p) for p in load_project(mini_kb).problems]
    assert problems[0] == ("claims/topics.yaml:4: contains a NUL byte (column 35); a text file "
                           "cannot hold one")


def test_exporting_to_a_path_that_cannot_be_written_is_one_line(built):
    root, db, _ = built
    target = root / "no" / "such" / "folder" / "refs.ris"
    out = fails_in_one_line("export", "ris", "--root", root, "--db", db, "-o", target)
    assert out == [f"Error: cannot write {target}: No such file or directory"]
