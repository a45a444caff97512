#!/usr/bin/env bash
# The README's second command: install everything the tests need from the project's own files, then run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
