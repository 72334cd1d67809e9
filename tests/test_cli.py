from click.testing import CliRunner

from kb.cli import cli
from kb.site.settings import datasette_args
from tests.conftest import CLAIMS


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_validate_ok(mini_kb):
    result = run("validate", "--root", str(mini_kb))
    assert result.exit_code == 0
    assert "OK: 1 articles, 2 claims, 3 appearances, 2 references, 2 topics" in result.output


def test_validate_reports_file_line_and_exits_non_zero(mini_kb):
    (mini_kb / "claims/claims.yaml").write_text(CLAIMS.replace("type: diagnosis-imaging", "type: x"))
    result = run("validate", "--root", str(mini_kb))
    assert result.exit_code == 1
    assert "claims/claims.yaml:16: claim mri-bulges-common-without-pain: type 'x' is not one of" \
        in result.output
    assert "1 problem(s) found" in result.output


def test_build_then_failed_build_keeps_database(mini_kb, tmp_path):
    db = tmp_path / "out" / "sciatica.db"
    assert run("build", "--root", str(mini_kb), "--db", str(db)).exit_code == 0
    before = db.read_bytes()
    (mini_kb / "references.bib").write_text("@article{broken,\n title = {x}\n")
    result = run("build", "--root", str(mini_kb), "--db", str(db))
    assert result.exit_code == 1 and "was left as it was" in result.output
    assert db.read_bytes() == before


def test_serve_arguments_are_immutable_and_quiet():
    args = datasette_args("x.db", "127.0.0.1", 8001)
    assert args[args.index("--immutable") + 1] == "x.db"
    assert "suggest_facets" in args and args[args.index("suggest_facets") + 1] == "off"
    assert args[args.index("--host") + 1] == "127.0.0.1"


def test_setup_installs_only_when_pyproject_or_python_changed(tmp_path):
    """scripts/setup.sh (run by serve.sh and test.sh) re-ran pip on every start (~7 s): now a
    stamp of pyproject.toml and the Python version decides. A stand-in .venv records pip calls."""
    import shutil
    import subprocess

    from tests.conftest import REPO

    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "calls.log"
    (bin_dir / "python").write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    (bin_dir / "kb").write_text("#!/bin/sh\n")
    for f in ("python", "kb"):
        (bin_dir / f).chmod(0o755)

    def pip_runs() -> int:
        log.write_text("")
        subprocess.run(["bash", "scripts/setup.sh"], cwd=tmp_path, check=True, capture_output=True)
        return sum("-m pip install" in line for line in log.read_text().splitlines())

    assert pip_runs() == 2  # first run: pip upgraded, the package installed
    assert pip_runs() == 0  # nothing changed: nothing installed
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\ndependencies = ['y']\n")
    assert pip_runs() == 2  # a changed pyproject.toml installs again
    assert pip_runs() == 0
