"""fieldkit's icons: one registry from the app's own names to Lucide's SVG files.

Every icon the app shows comes from ``icon(name)``, with ``name`` one of ``ICONS`` (a screen's
key, ``add``, ``print``, ``export``, ``undo``, …), so the set stays small and consistent and a
new use is one line here. The files are Lucide's (ISC), shipped in ``resources/icons/lucide``
with their licence. Lucide draws in ``currentColor``; the icons here are drawn when painted, in
the current palette's text colour (its highlighted-text colour when selected, its disabled
colour when disabled), so they follow a switch between light and dark with nothing redrawn by hand.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fieldkit.templates import shipped_dir
from fieldkit.ui.qt import (
    QBuffer,
    QByteArray,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QImageReader,
    QPainter,
    QPalette,
    QPixmap,
    QRect,
    QSize,
)

#: fieldkit's name for each icon → the Lucide icon drawn for it.
ICONS: dict[str, str] = {
    # the screens (the sidebar; keys of fieldkit.ui.main_window.SCREENS)
    "organisations": "building-2",
    "callbacks": "phone-call",
    "interviews": "messages-square",
    "pool": "message-square-quote",
    "reports": "file-chart-column",
    "settings": "settings",
    "schedule": "list-checks",
    # actions
    "add": "plus",
    "remove": "minus",
    "delete": "trash-2",
    "edit": "pencil",
    "print": "printer",
    "export": "file-output",
    "import": "file-input",
    "undo": "undo-2",
    "redo": "redo-2",
    "next_call": "phone-outgoing",
    "previous": "chevron-left",
    "next": "chevron-right",
    "back": "arrow-left",
    "history": "history",
    "find": "search",
    "open": "folder-open",
    "save": "save",
    "backups": "archive-restore",
    "passphrase": "lock",
    "start_interview": "circle-play",
    "finish": "check",
    "merge": "merge",
    # the report text's toolbar
    "bold": "bold",
    "italic": "italic",
    "list": "list",
    "quote": "text-quote",
    "footnote": "superscript",
    "table": "table",
    "figure": "sigma",
}
#: How many drawn pixmaps are kept (each name in a few sizes, modes and palettes).
_CACHE_SIZE = 512


def folder() -> Path:
    """Where the SVG files are (``resources/icons/lucide``, in a checkout, a wheel or the bundle)."""
    return shipped_dir("resources") / "icons" / "lucide"


def icon(name: str) -> QIcon:
    """The icon for ``name`` (a key of ``ICONS``), drawn in the palette's colours when painted."""
    return QIcon(_Engine(name, _svg(name)))


@cache
def _svg(name: str) -> bytes:
    """The SVG of ``name``'s icon. An unknown name or a missing file is a mistake in the app
    itself, so it fails loudly (tests/test_ui_look.py keeps every name used in ``ICONS``)."""
    return (folder() / f"{ICONS[name]}.svg").read_bytes()


_drawn: dict[tuple[str, str, int, int], QPixmap] = {}


def _colour_for(mode: QIcon.Mode) -> str:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        colour = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    elif mode == QIcon.Mode.Selected:
        colour = palette.color(QPalette.ColorRole.HighlightedText)
    else:
        colour = palette.color(QPalette.ColorRole.WindowText)
    return colour.name()


def draw(name: str, size: QSize, mode: QIcon.Mode = QIcon.Mode.Normal) -> QPixmap:
    """``name``'s icon as a pixmap of ``size`` device pixels, in the current palette's colour for ``mode``."""
    colour = _colour_for(mode)
    key = (name, colour, size.width(), size.height())
    pixmap = _drawn.get(key)
    if pixmap is None:
        data = QByteArray(_svg(name).replace(b"currentColor", colour.encode("ascii")))
        buffer = QBuffer(data)
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer, QByteArray(b"svg"))
        reader.setScaledSize(size)
        pixmap = QPixmap.fromImage(reader.read())
        buffer.close()
        if len(_drawn) >= _CACHE_SIZE:
            _drawn.clear()
        _drawn[key] = pixmap
    return pixmap


class _Engine(QIconEngine):
    """Draws one named icon at whatever size and device pixel ratio it is asked for."""

    def __init__(self, name: str, svg: bytes) -> None:
        super().__init__()
        self.name = name
        self._svg = svg  # read already: an engine never fails when painting

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return QPixmap(draw(self.name, size, mode))

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,  # noqa: N802 - Qt's name
                     scale: float) -> QPixmap:
        pixmap = QPixmap(draw(self.name, QSize(round(size.width() * scale), round(size.height() * scale)), mode))
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802 - Qt's name
        side = min(size.width(), size.height())  # Lucide's icons are square
        return QSize(side, side)

    def isNull(self) -> bool:  # noqa: N802 - Qt's name
        return not self._svg

    def key(self) -> str:
        return "fieldkit"

    def clone(self) -> QIconEngine:
        return _Engine(self.name, self._svg)

    def iconName(self) -> str:  # noqa: N802 - Qt's name
        return self.name
