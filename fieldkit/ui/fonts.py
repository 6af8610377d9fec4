"""The report fonts for the app too, so a name in any script shows on screen as it will print.

Registers the font files shipped in ``resources/fonts`` with Qt; Qt's own font fallback then
finds them for Arabic, Urdu, Bengali, Gujarati, Gurmukhi and Chinese text on machines that
have no such fonts installed. Needs a QGuiApplication.
"""

from __future__ import annotations

from fieldkit.templates import shipped_dir
from fieldkit.ui.qt import QFontDatabase

_installed: list[str] = []


def install_app_fonts() -> list[str]:
    """Register every shipped font with Qt (once); returns the font families now available."""
    if not _installed:
        families: set[str] = set()
        for path in sorted((shipped_dir("resources") / "fonts").glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                families.update(QFontDatabase.applicationFontFamilies(font_id))
        _installed.extend(sorted(families))
    return list(_installed)
