"""Renders fieldkit's application icon from its one source, resources/icons/app/fieldkit.svg.

Writes beside it: ``fieldkit-N.png`` for the hicolor sizes (16 to 512; Linux), ``fieldkit.ico``
(Windows: the executable, the installer and the Start-menu entry) and ``fieldkit.icns`` (macOS).
Qt's own SVG renderer draws each size from the vector, so the small sizes are sharp rather than
scaled down from a large bitmap; Pillow (installed with reportlab) packs the .ico and .icns.
Run it after changing the SVG, from the project's virtual environment:

    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons" / "app"
SOURCE = ICONS / "fieldkit.svg"
#: The freedesktop hicolor theme's usual sizes (the .deb installs each under /usr/share/icons).
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(size: int) -> bytes:
    """The icon drawn at ``size`` × ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs one
    drawn = {size: render(size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    for size in PNG_SIZES:
        (ICONS / f"fieldkit-{size}.png").write_bytes(drawn[size])
    images = {size: Image.open(io.BytesIO(png)) for size, png in drawn.items()}
    # Each size drawn from the vector, not Pillow's resampling of the largest.
    images[256].save(ICONS / "fieldkit.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != 256])
    images[1024].save(ICONS / "fieldkit.icns", format="ICNS",
                      append_images=[images[s] for s in ICNS_SIZES if s != 1024])
    print(f"wrote {len(PNG_SIZES)} PNGs, fieldkit.ico and fieldkit.icns in {ICONS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
