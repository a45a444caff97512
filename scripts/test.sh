#!/usr/bin/env bash
# The README's second command: install everything the tests need from the project's own files, then run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# The browser tests drive Debian's chromium (Playwright's own browser download is not reachable); install it when missing.
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
            || echo "could not install chromium; the browser tests will be skipped" >&2
    else
        echo "chromium is missing and this is not root; the browser tests will be skipped" >&2
    fi
fi

# The Neo4j tests run a real Neo4j Community with Graph Data Science (orgnet/java/pom.xml): a JDK and Maven
# fetch it into ~/.m2. Install them when missing, as chromium above; if the fetch still fails, those tests
# are skipped with Maven's own words for what failed.
if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven) >/dev/null 2>&1 \
            || echo "could not install a JDK and Maven; the Neo4j tests will be skipped" >&2
    else
        echo "a JDK or Maven is missing and this is not root; the Neo4j tests will be skipped" >&2
    fi
fi
# Fetched here (mvn -q dependency:build-classpath, then cached), not in the middle of the test session.
.venv/bin/python - <<'PY' || true
import sys
from orgnet.graph_server import ServerError, fetch
try:
    fetch()
except ServerError as error:
    sys.exit(f"the Neo4j tests will be skipped: {error}")
PY

# The house checks itself first: lint and format (ruff), then types (mypy over the installed layout); both
# configured in pyproject.toml, which lists the modules mypy does not hold to --strict yet, with the reason.
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/python scripts/typecheck.py

exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
