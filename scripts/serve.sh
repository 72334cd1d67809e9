#!/usr/bin/env bash
# Set up .venv, build the knowledge base from claims/ and references.bib, and serve it
# in Datasette on http://127.0.0.1:8001/ (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/kb serve "$@"
