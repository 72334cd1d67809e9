#!/usr/bin/env bash
# Set up .venv and run the whole test suite (the README's second command; CI runs it too).
# The browser tests need Debian's chromium: installed here when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed; the browser tests will be skipped (apt-get install chromium)"
  fi
fi
./scripts/setup.sh
.venv/bin/kb validate
.venv/bin/python -m pytest "$@"
