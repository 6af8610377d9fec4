#!/usr/bin/env bash
# Runs fieldkit's tests: installs what they need (system packages via apt when missing, the
# .venv virtual environment, fieldkit with its test extras), then `python -m pytest` from the
# project root. Arguments go to pytest; the exit status is pytest's.
#   bash packaging/run-tests.sh                 # all tests
#   bash packaging/run-tests.sh -k summary -x   # pytest options pass through
set -euo pipefail

FK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/setup-env.sh
. "$FK_ROOT/packaging/lib/setup-env.sh"

# Qt's offscreen platform (tests/conftest.py selects it), poppler-utils for checking PDFs, and
# LibreOffice's Writer (headless) for checking that the Word report converts with its text intact;
# mdbtools for reading Access databases (tests/test_access.py); postgresql for the shared directory's
# tests, which start a throwaway server on a Unix socket (tests/pg_cluster.py).
fk_setup test \
    libgl1 libegl1 libxkbcommon0 libfontconfig1 'libglib2.0-0t64|libglib2.0-0' libdbus-1-3 \
    poppler-utils libreoffice-writer-nogui mdbtools postgresql

cd "$FK_ROOT"
fk_log "running: python -m pytest $*"
exec "$FK_VENV_PY" -m pytest "$@"
