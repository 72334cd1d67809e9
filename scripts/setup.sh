#!/usr/bin/env bash
# Create .venv (if needed) and install the kb package with its test extras. The install is
# editable, so only a change to pyproject.toml (or a new Python) needs pip again: a stamp of
# both is kept in .venv, and a second run with nothing changed installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.kb-installed"
want="$(python3 --version 2>&1) $(sha256sum pyproject.toml | cut -d' ' -f1)"
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/kb ] \
    && .venv/bin/python -c "import kb, datasette, pytest" 2>/dev/null; }; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  echo "$want" > "$stamp"
fi
# Bytecode for the package, as a regular install has: where PYTHONDONTWRITEBYTECODE is set (CI,
# containers), every `kb check` would otherwise compile kb/ from source on start (about 0.05 s).
.venv/bin/python -m compileall -q kb
