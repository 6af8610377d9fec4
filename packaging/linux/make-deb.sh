#!/usr/bin/env bash
# Makes fieldkit's .deb from a one-folder bundle (packaging/fieldkit.spec's dist/fieldkit):
#   /opt/fieldkit/                   the bundle as PyInstaller made it
#   /usr/bin/fieldkit                a symbolic link to /opt/fieldkit/fieldkit
#   /usr/share/applications/         the desktop entry (Exec=fieldkit %f, the study MIME type)
#   /usr/share/mime/packages/        *.fieldkit as application/x-fieldkit-study
#   /usr/share/icons/hicolor/        the app icon (and the study files' icon), 16 to 512 px and SVG
#   /usr/share/metainfo/             AppStream metadata for software centres
# Depends: is computed from what the bundle links (deb_depends.py beside this script). dpkg's own
# triggers (shared-mime-info, desktop-file-utils, the icon cache) update the desktop's databases,
# so there are no maintainer scripts.
#   bash packaging/linux/make-deb.sh BUNDLE_DIR VERSION OUT_DIR     (packaging/build.sh runs it)
# Set FIELDKIT_MAINTAINER to put a real name and address in the package.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="$(cd "$1" && pwd)"
version="$2"
out="$(mkdir -p "$3" && cd "$3" && pwd)"
arch="$(dpkg --print-architecture)"
maintainer="${FIELDKIT_MAINTAINER:-The fieldkit authors <fieldkit@example.invalid>}"
app_id="org.fieldkit.Fieldkit"
icons="$root/resources/icons/app"
python="${FIELDKIT_BUILD_PYTHON:-python3}"

[ -x "$bundle/fieldkit" ] || { echo "make-deb: $bundle/fieldkit is not a bundle's program" >&2; exit 1; }
stage="$out/deb-root"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin"
umask 022

cp -a "$bundle" "$stage/opt/fieldkit"
chmod -R u+rwX,go+rX,go-w "$stage/opt/fieldkit"
ln -s /opt/fieldkit/fieldkit "$stage/usr/bin/fieldkit"

install -D -m 0644 "$here/$app_id.desktop" "$stage/usr/share/applications/$app_id.desktop"
install -D -m 0644 "$here/fieldkit-mime.xml" "$stage/usr/share/mime/packages/fieldkit.xml"
release_date="$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%F)"
install -d "$stage/usr/share/metainfo"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$release_date/" "$here/$app_id.metainfo.xml" \
    > "$stage/usr/share/metainfo/$app_id.metainfo.xml"
chmod 0644 "$stage/usr/share/metainfo/$app_id.metainfo.xml"
# Checked where the tools are installed (apt-get install appstream desktop-file-utils).
if command -v appstreamcli >/dev/null 2>&1; then
    appstreamcli validate --no-net --explain "$stage/usr/share/metainfo/$app_id.metainfo.xml" >&2
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$stage/usr/share/applications/$app_id.desktop" >&2
fi
for size in 16 22 24 32 48 64 128 256 512; do
    for kind in apps/fieldkit mimetypes/application-x-fieldkit-study; do
        install -D -m 0644 "$icons/fieldkit-$size.png" "$stage/usr/share/icons/hicolor/${size}x${size}/$kind.png"
    done
done
install -D -m 0644 "$icons/fieldkit.svg" "$stage/usr/share/icons/hicolor/scalable/apps/fieldkit.svg"
install -D -m 0644 "$icons/fieldkit.svg" "$stage/usr/share/icons/hicolor/scalable/mimetypes/application-x-fieldkit-study.svg"

mkdir -p "$stage/usr/share/doc/fieldkit"
cat > "$stage/usr/share/doc/fieldkit/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fieldkit

Files: *
Copyright: The fieldkit authors
License: MIT

Files: opt/fieldkit/_internal/fieldkit/_resources/fonts/*
Copyright: The Noto Project Authors
License: OFL-1.1
 The full licence is opt/fieldkit/_internal/fieldkit/_resources/fonts/OFL.txt.

Files: opt/fieldkit/_internal/*
Comment: Python, Qt (PySide6, LGPL-3.0) and the other libraries fieldkit runs on, each under
 its own licence, as shipped in their Python packages (their *.dist-info folders hold them).

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 and associated documentation files (the "Software"), to deal in the Software without
 restriction, including without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
 DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

depends="$("$python" "$here/deb_depends.py" "$bundle")"
installed_kb="$(du -sk --apparent-size "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<EOF
Package: fieldkit
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: $depends
Section: science
Priority: optional
Description: offline research by interview
 fieldkit is a desktop application for research by interview, such as mapping
 the voluntary organisations of a region: the organisations, every attempt and
 call-back, a standard interview, tick boxes for follow-up, and a PDF report for
 the commissioning client. What interviewees say about the wider sector can go
 into an anonymous comment pool that is never linked back to them.
 .
 Everything stays on this computer: one study is one file. This package holds
 fieldkit with its own Python, Qt and fonts in /opt/fieldkit.
EOF

deb="$out/fieldkit_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "Depends: $depends"
echo "$deb ($(du -h "$deb" | cut -f1), $((installed_kb / 1024)) MiB installed)"
