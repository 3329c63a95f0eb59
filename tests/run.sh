#!/usr/bin/env bash
# Installs everything the tests need and runs every tier:
#   CPython tests, Pyodide-in-Node tests, and Chromium (Playwright) tests.
# Needs: python3 (>= 3.11), Node.js with npm, and apt-get for Debian's chromium if it is missing.
# Extra arguments go to pytest (e.g. -m "not browser", -k callback).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null || { echo "Node.js is required (the Pyodide-in-Node tier)" >&2; exit 1; }

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/ruff check webdash tests bench
.venv/bin/mypy
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
