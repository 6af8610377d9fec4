# shellcheck shell=bash
# Shared set-up for packaging/run-demo.sh and packaging/run-tests.sh. Source it; do not run it.
#
# fk_setup EXTRAS DEB...   makes sure that
#   1. the Debian/Ubuntu packages DEB... (and a Python 3.11+ able to make a venv) are installed,
#      calling apt only when something is missing: one `apt-get update` at most, sudo only when
#      not root, never a question (DEBIAN_FRONTEND=noninteractive, -y);
#   2. the virtual environment $FK_ROOT/.venv exists and works (made if absent, remade if broken);
#   3. the project is installed into it in editable mode (`pip install -e .` or `-e .[EXTRAS]`;
#      EXTRAS "" means none). This step is skipped when pyproject.toml has not changed since the
#      last install, so a second run works offline; FIELDKIT_REINSTALL=1 forces it.
# A DEB can name alternatives, "a|b": any one installed is enough; the first that apt knows is
# installed (for renamed packages such as Ubuntu 24.04's libglib2.0-0t64).
#
# Settings (environment): FIELDKIT_PYTHON  the interpreter to make the venv with (default: the
# first of python3, python3.13, python3.12, python3.11 that is 3.11 or newer);
# FIELDKIT_REINSTALL=1  run pip even if nothing changed.

FK_ROOT="${FK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FK_VENV="$FK_ROOT/.venv"
FK_VENV_PY="$FK_VENV/bin/python"
FK_MIN_PY="3.11"

_fk_apt_updated=0

fk_log() { printf '[fieldkit setup] %s\n' "$*" >&2; }
fk_die() { printf '[fieldkit setup] error: %s\n' "$*" >&2; exit 1; }

# Dies, saying what to run by hand, unless this process can act as root: it is root, or sudo
# can be used (which may ask for a password on a terminal; with no terminal, as in CI, sudo
# must not need one).
fk_check_root() {
    local packages="$1"
    [ "$(id -u)" -eq 0 ] && return 0
    if ! command -v sudo >/dev/null 2>&1; then
        fk_die "installing system packages needs root, and sudo is not installed; as root, apt-get install: $packages"
    fi
    if [ ! -t 0 ] && ! sudo -n true 2>/dev/null; then
        fk_die "installing system packages needs sudo, which wants a password, and there is no terminal to ask on; run this from a terminal, or first apt-get install: $packages"
    fi
}

# Runs a command as root: directly when root, else through sudo.
fk_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif [ -t 0 ]; then
        sudo "$@"
    else
        sudo -n "$@"
    fi
}

# True when the Debian package (any of "a|b") is installed.
fk_deb_installed() {
    local alt
    local IFS='|'
    for alt in $1; do
        if dpkg-query -W -f='${db:Status-Abbrev}\n' "$alt" 2>/dev/null | grep -q '^ii'; then
            return 0
        fi
    done
    return 1
}

# Prints the first of "a|b" that apt has a candidate version for (else the first).
fk_deb_pick() {
    local alt candidate
    local IFS='|'
    for alt in $1; do
        candidate="$(LC_ALL=C apt-cache policy -- "$alt" 2>/dev/null | awk '/^  Candidate:/ {print $2; exit}')"
        if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
            printf '%s\n' "$alt"
            return 0
        fi
    done
    printf '%s\n' "${1%%|*}"
}

fk_apt_get() {
    fk_as_root env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
        apt-get -y -qq -o DPkg::Lock::Timeout=300 "$@"
}

# Installs whichever of the given Debian packages are missing.
fk_ensure_debs() {
    local spec missing=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        fk_log "not a Debian/Ubuntu system: cannot check system packages; make sure these (or your system's equivalents) are installed: $*"
        return 0
    fi
    for spec in "$@"; do
        fk_deb_installed "$spec" || missing+=("$spec")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || fk_die "missing system packages and no apt-get to install them: ${missing[*]}"

    fk_log "installing missing system packages (this takes a minute): ${missing[*]//|/ or }"
    fk_check_root "${missing[*]//|/ or }"
    if [ "$_fk_apt_updated" -eq 0 ]; then
        fk_apt_get update || fk_die "apt-get update failed"
        _fk_apt_updated=1
    fi
    local names=()
    for spec in "${missing[@]}"; do
        names+=("$(fk_deb_pick "$spec")")
    done
    fk_apt_get install --no-install-recommends "${names[@]}" \
        || fk_die "could not install: ${names[*]}"
}

# True when "$1" runs and is Python 3.11 or newer.
fk_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# Prints the interpreter to make the venv with, or nothing.
fk_find_python() {
    local py
    if [ -n "${FIELDKIT_PYTHON:-}" ]; then
        fk_python_ok "$FIELDKIT_PYTHON" || fk_die "FIELDKIT_PYTHON=$FIELDKIT_PYTHON is not a working Python $FK_MIN_PY or newer"
        printf '%s\n' "$FIELDKIT_PYTHON"
        return 0
    fi
    for py in python3 python3.13 python3.12 python3.11; do
        if command -v "$py" >/dev/null 2>&1 && fk_python_ok "$py"; then
            command -v "$py"
            return 0
        fi
    done
    return 0
}

# For an interpreter that came from a Debian package, prints the packages its venv module
# needs (Debian and Ubuntu ship ensurepip separately, in pythonX.Y-venv).
fk_python_venv_debs() {
    local exe ver
    command -v dpkg-query >/dev/null 2>&1 || return 0
    exe="$("$1" -c 'import os, sys; print(os.path.realpath(sys.executable))')" || return 0
    dpkg-query -S "$exe" >/dev/null 2>&1 || return 0   # not a packaged Python (pyenv, own build)
    ver="$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    printf 'python%s-venv\n' "$ver"
    if [ -e /usr/bin/python3 ] && [ "$(readlink -f /usr/bin/python3)" = "$exe" ]; then
        printf 'python3-venv\n'
    fi
}

# True when .venv has a working Python 3.11+ with pip.
fk_venv_ok() {
    [ -x "$FK_VENV_PY" ] && fk_python_ok "$FK_VENV_PY" \
        && "$FK_VENV_PY" -m pip --version >/dev/null 2>&1
}

fk_make_venv() {
    local py="$1"
    if [ -e "$FK_VENV" ]; then
        # Only ever remove what is plainly a (broken) virtual environment.
        if [ -f "$FK_VENV/pyvenv.cfg" ] || [ -z "$(ls -A "$FK_VENV" 2>/dev/null)" ]; then
            fk_log "$FK_VENV does not work (no Python $FK_MIN_PY+ or no pip): making it again"
            rm -rf "$FK_VENV"
        else
            fk_die "$FK_VENV exists but is not a virtual environment; move it away and run again"
        fi
    fi
    fk_log "creating the virtual environment $FK_VENV with $("$py" -V 2>&1) ($py)"
    "$py" -m venv "$FK_VENV" || fk_die "could not create $FK_VENV with $py"
}

# What the last successful install was made from; pip runs again when this changes.
fk_install_key() {
    "$FK_VENV_PY" -c 'import sys; print(sys.version)'
    cat "$FK_ROOT/pyproject.toml"
}

# True when fieldkit (with the extras $1) was installed from the current pyproject.toml. An
# install with extras also counts for a plain one (run-tests.sh first, then run-demo.sh offline).
fk_install_current() {
    local extras="$1" key stamp
    [ "${FIELDKIT_REINSTALL:-0}" = "1" ] && return 1
    "$FK_VENV_PY" -c 'import fieldkit' >/dev/null 2>&1 || return 1
    key="$(fk_install_key)"
    for stamp in "$FK_VENV/.fieldkit-install${extras:+-$extras}" "$FK_VENV"/.fieldkit-install-*; do
        [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && return 0
        [ -n "$extras" ] && return 1   # extras need their own install
    done
    return 1
}

fk_install_project() {
    local extras="$1" target="." stamp
    [ -n "$extras" ] && target=".[$extras]"
    stamp="$FK_VENV/.fieldkit-install${extras:+-$extras}"
    if fk_install_current "$extras"; then
        fk_log "fieldkit is already installed in $FK_VENV (pyproject.toml unchanged)"
        return 0
    fi
    fk_log "installing fieldkit into $FK_VENV: pip install -e '$target'"
    rm -f "$stamp"
    (cd "$FK_ROOT" && "$FK_VENV_PY" -m pip install --disable-pip-version-check -e "$target") \
        || fk_die "pip install -e '$target' failed"
    fk_install_key > "$stamp"
}

fk_setup() {
    local extras="$1" py="" debs
    shift
    debs=("$@" ca-certificates)   # ca-certificates: pip's HTTPS on Debian's own pip

    if fk_venv_ok; then
        fk_ensure_debs "${debs[@]}"
    else
        py="$(fk_find_python)" || exit 1
        if [ -z "$py" ] && ! command -v python3 >/dev/null 2>&1; then
            fk_ensure_debs "${debs[@]}" python3 python3-venv
            py="$(fk_find_python)" || exit 1
        fi
        if [ -z "$py" ] && command -v apt-get >/dev/null 2>&1; then
            # The system python3 is older than 3.11 (Ubuntu 22.04): add python3.11 beside it.
            fk_ensure_debs "${debs[@]}" python3.11 python3.11-venv
            py="$(fk_find_python)" || exit 1
        fi
        [ -n "$py" ] || fk_die "no Python $FK_MIN_PY or newer found; install one (or set FIELDKIT_PYTHON) and run again"
        local venv_debs
        mapfile -t venv_debs < <(fk_python_venv_debs "$py")
        fk_ensure_debs "${debs[@]}" "${venv_debs[@]}"
        fk_make_venv "$py"
        fk_venv_ok || fk_die "the new virtual environment $FK_VENV does not work"
    fi
    fk_install_project "$extras"
}
