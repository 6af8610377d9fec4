#!/usr/bin/env bash
# Opens fieldkit on its demo study: installs what it needs (system packages via apt when missing,
# the .venv virtual environment, fieldkit), then runs `fieldkit demo --open`, which makes the
# demo study in your data folder the first time and opens the desktop app on it.
# Arguments go to `fieldkit demo --open`, e.g. `bash packaging/run-demo.sh --organisations 120`.
set -euo pipefail

FK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/setup-env.sh
. "$FK_ROOT/packaging/lib/setup-env.sh"

# What Qt 6 (6.5 and later) needs for a desktop window, beyond what these pull in themselves:
# its X11 platform (xcb) first, then the three libraries its Wayland platform adds.
fk_setup "" \
    libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 'libglib2.0-0t64|libglib2.0-0' \
    libdbus-1-3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
    libwayland-client0 libwayland-cursor0 libwayland-egl1

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    fk_die "fieldkit is installed, but there is no desktop to open its window on (DISPLAY is not set). Run this from a terminal in your desktop session, or start it later with: $FK_VENV/bin/fieldkit demo --open"
fi

exec "$FK_VENV/bin/fieldkit" demo --open "$@"
