#!/usr/bin/env bash
# Proves fieldkit's .deb on a bare Debian 12: a minimal system made with debootstrap in a
# temporary folder, with no Python, no fonts and no project checkout. There it installs the .deb
# with apt (so its Depends: must name every system library the bundle needs, or the app fails
# to start), and as an ordinary user on Qt's offscreen platform:
#   1. creates the demo study            (fieldkit demo STUDY)
#   2. writes its report as a PDF        (fieldkit report STUDY -o report.pdf), whose fonts can
#                                         only have come from the bundle
#   3. opens the study as a double click does (fieldkit STUDY): the window opens on it, paints
#                                         and quits by itself (FIELDKIT_QUIT_AFTER_PAINT=1)
# and exits 0 only if all of that worked. Needs root (debootstrap, chroot) and Debian's mirror.
#   sudo bash packaging/prove-deb.sh [FILE.deb]    (default: the newest packaging/build/*.deb)
# Settings: FIELDKIT_DEBIAN_MIRROR (default http://deb.debian.org/debian); FIELDKIT_PROVE_KEEP=1
# keeps the chroot for a look afterwards (its path is printed).
set -euo pipefail

FK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirror="${FIELDKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
started=$SECONDS

log() { printf '[prove-deb] %s\n' "$*" >&2; }
die() { printf '[prove-deb] FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot): run it with sudo"
deb="${1:-$(ls -t "$FK_ROOT"/packaging/build/fieldkit_*.deb 2>/dev/null | head -n 1)}"
[ -n "$deb" ] && [ -f "$deb" ] || die "no .deb given and none in packaging/build (run: bash packaging/build.sh)"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"

# debootstrap, and Debian's archive keys for checking what it fetches (an Ubuntu host lacks them).
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if ! command -v debootstrap >/dev/null 2>&1 || [ ! -f "$keyring" ]; then
    log "installing debootstrap and debian-archive-keyring"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        debootstrap debian-archive-keyring >/dev/null; } || die "could not install debootstrap"
fi

chroot_dir="$(mktemp -d "${TMPDIR:-/var/tmp}/fieldkit-prove.XXXXXX")"
chmod 0755 "$chroot_dir"  # apt's _apt user and the test user must reach into it
cleanup() {
    mountpoint -q "$chroot_dir/proc" && umount "$chroot_dir/proc"
    if [ "${FIELDKIT_PROVE_KEEP:-0}" = 1 ]; then
        log "kept the chroot in $chroot_dir"
    else
        rm -rf --one-file-system "$chroot_dir"
    fi
}
trap cleanup EXIT

t=$SECONDS
log "debootstrap --variant=minbase bookworm into $chroot_dir"
debootstrap --variant=minbase --keyring="$keyring" bookworm "$chroot_dir" "$mirror" >"$chroot_dir.debootstrap.log" 2>&1 \
    || { tail -n 20 "$chroot_dir.debootstrap.log" >&2; rm -f "$chroot_dir.debootstrap.log"; die "debootstrap failed"; }
rm -f "$chroot_dir.debootstrap.log"
debootstrap_s=$((SECONDS - t))
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$chroot_dir/proc"

in_chroot() { chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

t=$SECONDS
cp "$deb" "$chroot_dir/tmp/"
log "apt-get install ./$(basename "$deb") in the chroot (its Depends: come from Debian's mirror)"
in_chroot apt-get update -qq >/dev/null || die "apt-get update failed in the chroot"
in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$deb")" >"$chroot_dir/tmp/apt.log" 2>&1 \
    || { tail -n 30 "$chroot_dir/tmp/apt.log" >&2; die "apt could not install the .deb"; }
install_s=$((SECONDS - t))
added="$(grep -c '^Setting up ' "$chroot_dir/tmp/apt.log" || true)"
log "installed: fieldkit and $((added - 1)) packages it depends on, in ${install_s} s"

# What the bare system must lack, or the proof proves nothing.
in_chroot sh -c '! command -v python3 && ! command -v python' >/dev/null || die "the chroot has a Python"
in_chroot sh -c '! command -v fc-list' >/dev/null || die "the chroot has fontconfig's tools"
fonts="$({ find "$chroot_dir/usr/share/fonts" "$chroot_dir/usr/local/share/fonts" -type f 2>/dev/null || true; } | wc -l)"
[ "$fonts" -eq 0 ] || die "the chroot has $fonts font files in /usr/share/fonts"
[ ! -e "$chroot_dir/work" ] || die "the chroot has a /work folder"
log "the chroot has no python3, no fc-list and no font files"

in_chroot useradd --create-home --shell /bin/sh researcher
as_user() {
    chroot --userspec=researcher:researcher "$chroot_dir" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
        HOME=/home/researcher XDG_RUNTIME_DIR=/home/researcher/.run QT_QPA_PLATFORM=offscreen "$@"
}
as_user mkdir -m 0700 /home/researcher/.run
home="$chroot_dir/home/researcher"

step() {  # step NAME COMMAND...: runs it as the user, timed; its output is shown
    local name="$1" t0 t1 status=0
    shift
    t0=$(date +%s.%N)
    as_user "$@" >"$chroot_dir/tmp/step.txt" 2>&1 || status=$?
    t1=$(date +%s.%N)
    sed 's/^/    /' "$chroot_dir/tmp/step.txt" >&2
    [ "$status" -eq 0 ] || die "$name: exit status $status"
    log "$name: ok ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
}

step "fieldkit --version" fieldkit --version
step "fieldkit demo" fieldkit demo /home/researcher/demo.fieldkit
step "fieldkit report" fieldkit report /home/researcher/demo.fieldkit -o /home/researcher/report.pdf
[ -s "$home/report.pdf" ] || die "no report was written"
# reportlab embeds each font as a subset named "ABCDEF+FontName": every one must be a shipped Noto.
embedded="$(grep -ao '/FontName /[A-Z]\{6\}+[A-Za-z0-9-]*' "$home/report.pdf" | sed 's/.*+//' | sort -u | tr '\n' ' ')"
[ -n "$embedded" ] || die "the report embeds no fonts"
for font in $embedded; do
    [ -f "$chroot_dir/opt/fieldkit/_internal/fieldkit/_resources/fonts/$font.ttf" ] \
        || die "the report embeds $font, which is not one of the bundle's fonts"
done
log "report.pdf: $(du -h "$home/report.pdf" | cut -f1), fonts embedded from the bundle: $embedded"

painted="$chroot_dir/tmp/painted.txt"
t0=$(date +%s.%N)
as_user env FIELDKIT_QUIT_AFTER_PAINT=1 fieldkit /home/researcher/demo.fieldkit >"$painted" 2>&1 \
    || { sed 's/^/    /' "$painted" >&2; die "fieldkit STUDY did not open, paint and quit"; }
t1=$(date +%s.%N)
sed 's/^/    /' "$painted" >&2
grep -q '^fieldkit: painted “.* — fieldkit”; quitting$' "$painted" || die "the window did not paint a study"
log "fieldkit demo.fieldkit (a double click): ok ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"

log "debootstrap ${debootstrap_s} s, install ${install_s} s, whole proof $((SECONDS - started)) s"
log "PASSED: $(basename "$deb") installs on a bare Debian 12 and runs with no Python and no fonts of its own"
