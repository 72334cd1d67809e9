#!/usr/bin/env bash
# The pre-commit hook's entry (.pre-commit-hooks.yaml): run from pre-commit's copy of this
# repository, with the writer's repository as the working directory and the changed drafts
# as arguments. Sets up this copy's .venv (once: scripts/setup.sh skips when nothing
# changed) unless KB_VENV names one with kb installed, then checks against this copy's
# knowledge base (built on first use).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${KB_VENV:-}"
if [ -z "$venv" ]; then
  "$root/scripts/setup.sh" >&2
  venv="$root/.venv"
fi
exec "$venv/bin/kb" check-drafts --root "$root" "$@"
