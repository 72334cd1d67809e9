#!/usr/bin/env bash
# Set up .venv and run the whole test suite (the README's second command; CI runs it too).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/kb validate
.venv/bin/python -m pytest "$@"
