"""An incremental build (kb.build.incremental) gives the database a full build of the same
sources gives: every table's rows (rowids aside: updated rows are appended), every full-text
index's terms, documents and positions, the stored counts and the matching index."""

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from kb.build import build
from kb.build.incremental import plan

ROOT = Path(__file__).resolve().parent.parent


def contents(db: Path) -> dict:
    """Each table's rows (sorted, without rowids), and each FTS5 index's postings by the primary
    key of the row they index (so that appended rows compare equal)."""
    conn = sqlite3.connect(db)
    master = conn.execute("select type, name, sql from sqlite_master").fetchall()
    virtual = {name for kind, name, sql in master if kind == "table" and sql and "VIRTUAL" in sql.upper()}
    shadow = {f"{v}_{s}" for v in virtual for s in ("data", "idx", "content", "docsize", "config")}
    out = {}
    for kind, name, sql in master:
        if kind != "table" or name in virtual or name in shadow or name.startswith("sqlite_"):
            continue
        cols = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        if name == "build_files":  # (a file's stat is when it was read: not the build's content)
            cols = ["path", "sha256"]
        out[name] = sorted(map(repr, conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{name}]")))
    for name in sorted(virtual):
        sql = next(s for _, n, s in master if n == name)
        if "fts5vocab" in sql.lower():
            out[name] = sorted(map(repr, conn.execute(f"select * from [{name}]")))
            continue
        table = name[: -len("_fts")]
        pk = [r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[5]]
        conn.execute(f"create virtual table temp.[v_{name}] using fts5vocab(main, [{name}], 'instance')")
        out[name] = sorted(map(repr, conn.execute(
            f"select v.term, {', '.join(f't.[{c}]' for c in pk)}, v.col, v.offset from temp.[v_{name}] v "
            f"join [{table}] t on t.rowid = v.doc")))
    conn.close()
    return out


def assert_same(a: Path, b: Path) -> None:
    ca, cb = contents(a), contents(b)
    assert sorted(ca) == sorted(cb)
    for table in ca:
        assert ca[table] == cb[table], f"table {table} differs"


@pytest.fixture()
def kb_copy(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(ROOT / "claims", root / "claims")
    shutil.copy(ROOT / "references.bib", root / "references.bib")
    return root


def rebuild_both(root: Path, tmp_path: Path, db: Path):
    """(what the incremental build said, the full build's database) after an edit."""
    from kb.build.atomic import build as atomic_build
    built = atomic_build(root, db, full=False)
    full = tmp_path / "full.db"
    atomic_build(root, full, full=True)
    assert_same(db, full)
    return built


def first_article(root: Path) -> Path:
    return sorted((root / "claims" / "articles").glob("*.yaml"))[0]


def test_a_full_build_records_every_input_file(kb_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    conn = sqlite3.connect(db)
    recorded = dict(conn.execute("select path, sha256 from build_files"))
    assert "references.bib" in recorded and f"claims/articles/{first_article(kb_copy).name}" in recorded
    assert plan(kb_copy, db).up_to_date


def test_an_edited_article_title_is_updated_in_place(kb_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    path = first_article(kb_copy)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: \"", "title: \"Edited ", 1), encoding="utf-8")
    built = rebuild_both(kb_copy, tmp_path, db)
    assert built.incremental and "1 changed file" in built.how, built.how


def test_a_claim_statement_edit_reindexes_its_match_texts(kb_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    path = kb_copy / "claims" / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    old = "For sciatica, bed rest is no more effective than staying active."
    assert old in text
    path.write_text(text.replace(old, "For sciatica, bed rest is no more effective than walking and keeping active.", 1),
                    encoding="utf-8")
    built = rebuild_both(kb_copy, tmp_path, db)
    assert built.incremental and "claims re-indexed" in built.how and " 0 claims re-indexed" not in built.how


def test_only_the_edited_claim_is_rewritten_when_lines_move(kb_copy, tmp_path):
    """A line added at the top moves every claim of the file: they get new line numbers, and
    only the one whose statement changed is rewritten."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    path = kb_copy / "claims" / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    old = "For sciatica, bed rest is no more effective than staying active."
    path.write_text("# a note for curators\n" + text.replace(old, old[:-1] + ", at any time.", 1),
                    encoding="utf-8")
    built = rebuild_both(kb_copy, tmp_path, db)
    assert "1 claims and 0 articles rewritten" in built.how, built.how


def test_an_appearance_removed_from_an_article(kb_copy, tmp_path):
    """The claim keeps other appearances; its articles list, counts and search document change."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    conn = sqlite3.connect(db)
    claim, article = conn.execute(
        "select claim_id, min(article_id) from appearances group by claim_id "
        "having count(distinct article_id) > 1 order by claim_id limit 1").fetchone()
    conn.close()
    path = kb_copy / "claims" / "articles" / f"{article}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- claim: {claim}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- claim:")
                or not lines[i].startswith(" ")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    built = rebuild_both(kb_copy, tmp_path, db)
    assert built.incremental, built.how


def test_a_new_claims_file_and_an_appearance_of_its_claim(kb_copy, tmp_path):
    """Adding a claim changes the number of claims (which every term's weight holds: the
    weights are computed by the checker, so no stored text changes) and its terms' frequencies."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    claims = kb_copy / "claims" / "claims.yaml"
    conn = sqlite3.connect(db)
    article, start, end, quote, claim = conn.execute(
        "select article_id, start, end, quote, claim_id from appearances order by id limit 1").fetchone()
    row = conn.execute("select source_file from claims where id = ?", (claim,)).fetchone()
    conn.close()
    # A second claim quoted by the same words (a new claims file, as a large KB would split them).
    extra = kb_copy / "claims" / "claims-extra.yaml"
    original = (kb_copy / row[0]).read_text(encoding="utf-8")
    block = _claim_block(original, claim)
    extra.write_text("claims:\n" + block.replace(f"id: {claim}", f"id: {claim}-copy", 1), encoding="utf-8")
    art = kb_copy / "claims" / "articles" / f"{article}.yaml"
    text = art.read_text(encoding="utf-8").rstrip("\n") + "\n"
    text += (f"  - claim: {claim}-copy\n    start: {start}\n    end: {end}\n"
             f"    quote: {yaml.safe_dump(quote, default_style=chr(34), width=10**6).strip()}\n")
    art.write_text(text, encoding="utf-8")
    assert claims.exists()
    built = rebuild_both(kb_copy, tmp_path, db)
    assert built.incremental and "1 claims re-indexed" in built.how, built.how
    assert built.counts["claims"] == sqlite3.connect(tmp_path / "full.db").execute(
        "select count(*) from claims").fetchone()[0]


def _claim_block(text: str, claim_id: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {claim_id}")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip()
                and len(lines[i]) - len(lines[i].lstrip()) <= indent), len(lines))
    return "".join(lines[start:end])


def test_a_problem_in_a_changed_file_fails_as_a_full_build_does(kb_copy, tmp_path):
    """An unknown claim id in an edited article: the database is left as it was, and the
    problems reported are the full validation's."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    before = db.read_bytes()
    path = first_article(kb_copy)
    text = path.read_text(encoding="utf-8")
    first_claim = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                       if line.strip().startswith("- claim:"))
    path.write_text(text.replace(f"- claim: {first_claim}", "- claim: no-such-claim", 1), encoding="utf-8")
    from kb.build.atomic import build as atomic_build
    from kb.sources import ValidationFailed
    with pytest.raises(ValidationFailed) as caught:
        atomic_build(kb_copy, db, full=False)
    assert any("unknown claim id 'no-such-claim'" in p.message for p in caught.value.problems)
    assert db.read_bytes() == before


def test_removing_the_only_article_of_a_claim_fails(kb_copy, tmp_path):
    """A claim of an unchanged claims file whose every appearance was in a deleted article."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    conn = sqlite3.connect(db)
    article = conn.execute(
        "select a.article_id from appearances a group by a.claim_id having count(distinct a.article_id) = 1 "
        "order by a.claim_id limit 1").fetchone()[0]
    conn.close()
    (kb_copy / "claims" / "articles" / f"{article}.yaml").unlink()
    (kb_copy / "claims" / "articles" / f"{article}.txt").unlink()
    from kb.build.atomic import build as atomic_build
    from kb.sources import ValidationFailed
    with pytest.raises(ValidationFailed) as caught:
        atomic_build(kb_copy, db, full=False)
    assert any("has no appearance in any article" in p.message for p in caught.value.problems)


def test_a_changed_bib_or_topics_file_builds_in_full(kb_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    topics = kb_copy / "claims" / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "topic vocabulary" in plan(kb_copy, db).full_because
    from kb.build.atomic import build as atomic_build
    built = atomic_build(kb_copy, db, full=False)
    assert not built.incremental and built.how.startswith("full build: the topic vocabulary")
    bib = kb_copy / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "references.bib" in plan(kb_copy, db).full_because


def test_the_command_says_what_it_rebuilt(kb_copy, tmp_path):
    from click.testing import CliRunner
    from kb.cli import cli
    db = tmp_path / "kb.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--root", str(kb_copy), "--db", str(db)])
    assert first.exit_code == 0 and "full build: there is no database to update" in first.output
    again = runner.invoke(cli, ["build", "--root", str(kb_copy), "--db", str(db)])
    assert "up to date" in again.output
    path = first_article(kb_copy)
    path.write_text(path.read_text(encoding="utf-8").replace("title: \"", "title: \"New ", 1), encoding="utf-8")
    edited = runner.invoke(cli, ["build", "--root", str(kb_copy), "--db", str(db)])
    assert edited.exit_code == 0 and "updated from 1 changed file" in edited.output, edited.output
    forced = runner.invoke(cli, ["build", "--root", str(kb_copy), "--db", str(db), "--full"])
    assert "full build: a full build was asked for" in forced.output


def test_an_article_added_then_removed(kb_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    source = first_article(kb_copy)
    copy = source.with_name("zz-copy.yaml")
    copy.write_text(source.read_text(encoding="utf-8").replace(f"id: {source.stem}", "id: zz-copy", 1),
                    encoding="utf-8")
    shutil.copy(source.with_suffix(".txt"), copy.with_suffix(".txt"))
    added = rebuild_both(kb_copy, tmp_path, db)
    assert added.incremental and "0 claims and 1 articles rewritten" in added.how, added.how
    copy.unlink()
    copy.with_suffix(".txt").unlink()
    removed = rebuild_both(kb_copy, tmp_path, db)
    assert removed.incremental and "0 claims and 0 articles rewritten" in removed.how, removed.how


def test_an_edited_article_text_is_caught_as_a_full_build_would(kb_copy, tmp_path):
    """Article texts are verbatim copies: editing one fails its recorded sha256."""
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    txt = first_article(kb_copy).with_suffix(".txt")
    txt.write_text(txt.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    from kb.build.atomic import build as atomic_build
    from kb.sources import ValidationFailed
    with pytest.raises(ValidationFailed) as caught:
        atomic_build(kb_copy, db, full=False)
    assert any("has changed: its sha256" in p.message for p in caught.value.problems)


def test_unchanged_files_are_not_read_again(kb_copy, tmp_path, monkeypatch):
    """A file whose size and modification time are those recorded keeps its recorded sha256
    (git's rule); one changed moments before a build is always read again (racy)."""
    import os
    import time
    old = time.time() - 3600
    for path in kb_copy.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    db = tmp_path / "kb.db"
    build(kb_copy, db)
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    assert plan(kb_copy, db).up_to_date and reads == []
    article = first_article(kb_copy)
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("title: \"", "title: \"X", 1), encoding="utf-8")
    p = plan(kb_copy, db)
    assert p.article_files == [f"claims/articles/{article.name}"] and reads == [article.name]
    conn = sqlite3.connect(db)
    assert conn.execute("select size from build_files where path = ?",
                        (f"claims/articles/{article.name}",)).fetchone()[0] is not None


def test_a_relative_root_names_the_files_as_an_absolute_one(kb_copy, tmp_path, monkeypatch):
    """`kb build --root .` records and compares the same paths as an absolute root."""
    from click.testing import CliRunner
    from kb.cli import cli
    monkeypatch.chdir(kb_copy)
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--root", ".", "--db", "k.db"]).exit_code == 0
    path = first_article(kb_copy)
    path.write_text(path.read_text(encoding="utf-8").replace("title: \"", "title: \"New ", 1), encoding="utf-8")
    edited = runner.invoke(cli, ["build", "--root", ".", "--db", "k.db"])
    assert f"updated from 1 changed file (claims/articles/{path.name})" in edited.output, edited.output
    assert plan(kb_copy, kb_copy / "k.db").up_to_date
