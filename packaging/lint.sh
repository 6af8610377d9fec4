#!/usr/bin/env bash
# Lints fieldkit as CI does: ruff, with the rules in pyproject.toml ([tool.ruff]), over the
# code, the tests, the benchmarks and the docs' scripts; then mypy ([tool.mypy]). Makes or
# updates the same .venv the tests use (ruff and mypy come with the test extras). Exits
# non-zero on any finding.
#   bash packaging/lint.sh
set -euo pipefail

FK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/setup-env.sh
. "$FK_ROOT/packaging/lib/setup-env.sh"

fk_setup test
cd "$FK_ROOT"
fk_log "running: ruff check fieldkit tests bench docs"
"$FK_VENV/bin/ruff" check fieldkit tests bench docs
fk_log "running: mypy (the files and settings in pyproject.toml)"
exec "$FK_VENV/bin/mypy"
