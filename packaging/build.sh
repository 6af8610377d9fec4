#!/usr/bin/env bash
# Builds fieldkit's desktop bundle for the machine it runs on, and the installer that goes with it
# (PyInstaller builds for the system it runs on only: build each on its own system):
#   Linux    packaging/build/dist/fieldkit/          and packaging/build/fieldkit_VERSION_ARCH.deb
#   macOS    packaging/build/dist/fieldkit.app       and packaging/build/fieldkit-VERSION.dmg
#   Windows  packaging/build/dist/fieldkit/          and, when Inno Setup's iscc is on PATH,
#            (Git Bash)                                  packaging/build/fieldkit-VERSION-setup.exe
# It installs what the build needs first: on Debian/Ubuntu the system libraries Qt links (so the
# .deb's Depends can be worked out from them), and everywhere the .venv virtual environment with
# fieldkit and PyInstaller (`pip install -e .[bundle]`).
#   bash packaging/build.sh
# Settings: FIELDKIT_BUILD_DIR  where to build (default packaging/build, which git ignores);
# FIELDKIT_PYTHON  the Python to make .venv with when there is none.
set -euo pipefail

FK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${FIELDKIT_BUILD_DIR:-$FK_ROOT/packaging/build}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
started=$SECONDS

log() { printf '[fieldkit build] %s\n' "$*" >&2; }
die() { printf '[fieldkit build] error: %s\n' "$*" >&2; exit 1; }

case "$(uname -s)" in
    Linux*) os=linux ;;
    Darwin*) os=macos ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "unknown system $(uname -s): build on Linux, macOS or Windows (Git Bash)" ;;
esac

if [ "$os" = linux ]; then
    # shellcheck source-path=SCRIPTDIR source=lib/setup-env.sh
    . "$FK_ROOT/packaging/lib/setup-env.sh"
    # The libraries Qt's window-system plugins link (as packaging/run-demo.sh installs), so the
    # bundle's needs can all be mapped to packages; binutils for objdump, appstream and
    # desktop-file-utils to check the desktop files.
    fk_setup bundle \
        libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 'libglib2.0-0t64|libglib2.0-0' \
        libdbus-1-3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
        libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
        libwayland-client0 libwayland-cursor0 libwayland-egl1 \
        binutils appstream desktop-file-utils
    python="$FK_VENV_PY"
else
    venv="$FK_ROOT/.venv"
    if [ "$os" = windows ]; then python="$venv/Scripts/python.exe"; else python="$venv/bin/python"; fi
    if [ ! -x "$python" ]; then
        base="${FIELDKIT_PYTHON:-}"
        if [ -z "$base" ]; then
            for candidate in python3 python py; do
                if command -v "$candidate" >/dev/null 2>&1 \
                        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
                    base="$candidate"
                    break
                fi
            done
        fi
        [ -n "$base" ] || die "no Python 3.11 or newer found; install one (or set FIELDKIT_PYTHON)"
        log "creating $venv with $("$base" -V 2>&1)"
        "$base" -m venv "$venv"
    fi
    log "installing fieldkit and PyInstaller into $venv: pip install -e '.[bundle]'"
    (cd "$FK_ROOT" && "$python" -m pip install --disable-pip-version-check -q -e ".[bundle]")
fi

version="$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle_layout; print(bundle_layout.version())' \
    "$FK_ROOT/packaging")"
log "building fieldkit $version for $os in $out"
rm -rf "$out/dist"
(cd "$FK_ROOT" && "$python" -m PyInstaller --noconfirm --log-level WARN \
    --workpath "$out/work" --distpath "$out/dist" packaging/fieldkit.spec)

case "$os" in
    linux) program="$out/dist/fieldkit/fieldkit" ;;
    macos) program="$out/dist/fieldkit.app/Contents/MacOS/fieldkit" ;;
    windows) program="$out/dist/fieldkit/fieldkit-cli.exe" ;;
esac
log "the bundle says: $("$program" --version)"
bundle_size="$(du -sh "$out/dist/fieldkit" | cut -f1)"
log "bundle: $out/dist/fieldkit ($bundle_size)"

case "$os" in
    linux)
        FIELDKIT_BUILD_PYTHON="$python" bash "$FK_ROOT/packaging/linux/make-deb.sh" "$out/dist/fieldkit" "$version" "$out"
        ;;
    macos)
        bash "$FK_ROOT/packaging/macos/make-dmg.sh" "$out/dist/fieldkit.app" "$version" "$out"
        ;;
    windows)
        if command -v iscc >/dev/null 2>&1; then
            # No MSYS path conversion: iscc's options start with "/" and are not paths.
            MSYS2_ARG_CONV_EXCL='*' iscc /Q "/DAppVersion=$version" "/DBundleDir=$(cygpath -w "$out/dist/fieldkit")" \
                "/O$(cygpath -w "$out")" "$(cygpath -w "$FK_ROOT/packaging/windows/fieldkit.iss")"
            log "installer: $out/fieldkit-$version-setup.exe"
        else
            log "Inno Setup's iscc is not on PATH: the bundle is built, the installer is not (see docs/install.md)"
        fi
        ;;
esac
log "done in $((SECONDS - started)) s"
