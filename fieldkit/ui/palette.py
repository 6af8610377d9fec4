"""The app's colours, in one place: light or dark as the system is, and every colour a screen
shows beyond the palette's own roles worked out from the palette.

The screens never name a colour. They ask for a *tone* (``problem``, ``success``, ``note``,
``anonymous``, ``warning``) in one of its uses: ``text`` (readable on the window, at least
WCAG's 4.5:1), ``tint`` (a band behind text), ``on_tint`` (text on that band), ``edge`` (a
border or marker, at least 3:1), ``band`` and ``on_band`` (a filled strip and its text).
Each is chosen by the palette's lightness, so the same call reads on a light and a dark desktop.

Style sheets go through ``set_style_sheet(widget, "color: $problem;")``: the ``$names`` are
filled from the current palette, and filled again when the palette changes (the system
switching between light and dark while the app runs).

``follow_system(app)`` makes the app follow the system's colour scheme (Qt 6.5's
``QStyleHints.colorScheme``): where the platform gives no dark palette of its own (Linux
without a desktop theme plugin, the classic Windows style), a dark scheme gets Qt's Fusion
style with the dark palette below, and a light one the style's own again.
"""

from __future__ import annotations

import string
from typing import Any

from fieldkit.ui.qt import (
    QApplication,
    QColor,
    QCoreApplication,
    QGuiApplication,
    QPalette,
    QStyleFactory,
    Qt,
    QWidget,
)

#: WCAG 2's least contrast for body text, and for borders and markers that carry meaning.
TEXT_CONTRAST = 4.5
EDGE_CONTRAST = 3.0
#: What the tones aim for: a little above the least, so rounding to 8-bit colours never drops below.
_TEXT_AIM = 4.8
_EDGE_AIM = 3.2

#: Each tone's hue (degrees) and saturation: the only colours the screens use beyond the palette.
TONES: dict[str, tuple[float, float]] = {
    "problem": (356.0, 0.62),  # a problem to put right: red
    "success": (140.0, 0.55),  # done, saved: green
    "note": (36.0, 0.85),  # worth a look, not a problem: amber
    "warning": (40.0, 0.90),  # a banner that asks for attention: amber, warmer
    "anonymous": (268.0, 0.45),  # anonymous questions and what is said of them: purple
    "chart": (212.0, 0.40),  # bars in the Pool's small charts: blue
}

#: The dark palette used where the platform has none (Fusion's roles, WCAG-checked pairs).
DARK_ROLES: dict[str, str] = {
    "Window": "#2b2b2b",
    "WindowText": "#ececec",
    "Base": "#1f1f1f",
    "AlternateBase": "#272727",
    "ToolTipBase": "#3a3a3a",
    "ToolTipText": "#ececec",
    "PlaceholderText": "#a8a8a8",
    "Text": "#ececec",
    "Button": "#363636",
    "ButtonText": "#ececec",
    "BrightText": "#ff7b7b",
    "Light": "#4b4b4b",
    "Midlight": "#3e3e3e",
    "Mid": "#5c5c5c",
    "Dark": "#1a1a1a",
    "Shadow": "#0d0d0d",
    "Highlight": "#2f6db5",
    "HighlightedText": "#ffffff",
    "Link": "#7ab4ff",
    "LinkVisited": "#b99cff",
}
DARK_DISABLED: dict[str, str] = {
    "WindowText": "#858585",
    "Text": "#858585",
    "ButtonText": "#858585",
    "Highlight": "#464646",
    "HighlightedText": "#a0a0a0",
}

_SHEET = "fieldkitSheet"  # the template a widget's style sheet was filled from (a dynamic property)
_FILLED = "fieldkitSheetFilled"  # what it was filled as, so a sheet set directly since is left alone
_state: dict[str, Any] = {}


# --- measuring ------------------------------------------------------------------------------


def luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of ``colour`` (its alpha ignored)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def over(colour: QColor, background: QColor) -> QColor:
    """``colour`` as it shows over ``background``: its alpha composited (a placeholder text is
    the text colour at half opacity)."""
    a = colour.alphaF()
    return QColor.fromRgbF(colour.redF() * a + background.redF() * (1 - a),
                           colour.greenF() * a + background.greenF() * (1 - a),
                           colour.blueF() * a + background.blueF() * (1 - a))


def contrast(foreground: QColor, background: QColor) -> float:
    """WCAG 2's contrast ratio of ``foreground`` (composited over ``background``) and ``background``."""
    a, b = luminance(over(foreground, background)), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) is a dark one: its window darker than its text."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return luminance(palette.color(QPalette.ColorRole.Window)) < luminance(palette.color(QPalette.ColorRole.WindowText))


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` with ``share`` of ``b`` mixed in."""
    return QColor.fromRgbF(a.redF() * (1 - share) + b.redF() * share,
                           a.greenF() * (1 - share) + b.greenF() * share,
                           a.blueF() * (1 - share) + b.blueF() * share)


# --- the tones ------------------------------------------------------------------------------


def _hsl(tone: str, lightness: float) -> QColor:
    hue, saturation = TONES[tone]
    return QColor.fromHslF(hue / 360.0, saturation, min(max(lightness, 0.0), 1.0))


def _reaching(tone: str, against: QColor, aim: float, start_light: float, start_dark: float) -> QColor:
    """The tone's colour nearest to mid lightness that reaches ``aim`` against ``against``:
    darker on a light background, lighter on a dark one."""
    dark_background = luminance(against) < 0.18
    lightness = start_dark if dark_background else start_light
    step = 0.01 if dark_background else -0.01
    while 0.0 <= lightness <= 1.0:
        colour = _hsl(tone, lightness)
        if contrast(colour, against) >= aim:
            return colour
        lightness += step
    return QColor(255, 255, 255) if dark_background else QColor(0, 0, 0)


def window(palette: QPalette | None = None) -> QColor:
    palette = palette if palette is not None else QGuiApplication.palette()
    return QColor(palette.color(QPalette.ColorRole.Window))


def base(palette: QPalette | None = None) -> QColor:
    """The background of lists, tables and text fields."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return QColor(palette.color(QPalette.ColorRole.Base))


def text(tone: str, against: QColor | None = None) -> QColor:
    """The tone as text on ``against`` (the window by default), at least 4.5:1."""
    return _reaching(tone, against if against is not None else window(), _TEXT_AIM, 0.42, 0.68)


def edge(tone: str, against: QColor | None = None) -> QColor:
    """The tone for a border or a marker beside text, at least 3:1 against ``against``."""
    return _reaching(tone, against if against is not None else window(), _EDGE_AIM, 0.50, 0.58)


def tint(tone: str, base: QColor | None = None) -> QColor:
    """A band of the tone behind text: ``base`` (the window by default) with some of the tone in it."""
    base = base if base is not None else window()
    dark = luminance(base) < 0.18
    return mix(base, _hsl(tone, 0.5), 0.24 if dark else 0.14)


def on_tint(tone: str, base: QColor | None = None) -> QColor:
    """The tone as text on its own tint."""
    return text(tone, tint(tone, base))


def band(tone: str) -> QColor:
    """A filled strip of the tone that carries text (``on_band``), at least 4.5:1 with it."""
    against = on_band(tone)
    return _reaching(tone, against, _TEXT_AIM, 0.62, 0.45)


def on_band(tone: str) -> QColor:
    """The text on the tone's band: the window's colour (light text on a dark strip in a light
    palette, dark text on a light strip in a dark one)."""
    return window()


def muted(palette: QPalette | None = None, against: QColor | None = None) -> QColor:
    """Text that steps back (a hint, an id): the palette's placeholder colour made solid on
    ``against`` (the window by default), taken towards the text colour until it reads at 4.5:1."""
    palette = palette if palette is not None else QGuiApplication.palette()
    background = against if against is not None else palette.color(QPalette.ColorRole.Window)
    colour = over(palette.color(QPalette.ColorRole.PlaceholderText), background)
    full = palette.color(QPalette.ColorRole.WindowText)
    share = 0.0
    while contrast(colour, background) < _TEXT_AIM and share < 1.0:  # some styles' placeholder is fainter
        share += 0.05
        colour = mix(over(palette.color(QPalette.ColorRole.PlaceholderText), background), full, share)
    return colour


def colours() -> dict[str, str]:
    """Every name a style sheet template may use, as CSS colours for the current palette:
    ``$muted``; for each tone ``$problem``, ``$problem_tint``, ``$problem_on_tint``, ``$problem_edge``,
    ``$problem_band``, ``$problem_on_band``; and a tone's text on another's tint,
    ``$problem_on_anonymous_tint``."""
    key = QGuiApplication.palette().cacheKey()
    if _state.get("colours_of") != key:
        out = {"muted": muted().name()}
        for tone in TONES:
            out[tone] = text(tone).name()
            out[f"{tone}_tint"] = tint(tone).name()
            out[f"{tone}_on_tint"] = on_tint(tone).name()
            out[f"{tone}_edge"] = edge(tone).name()
            out[f"{tone}_band"] = band(tone).name()
            out[f"{tone}_on_band"] = on_band(tone).name()
            for other in TONES:
                out[f"{tone}_on_{other}_tint"] = text(tone, tint(other)).name()
        _state["colours"], _state["colours_of"] = out, key
    return dict(_state["colours"])


# --- style sheets that follow the palette -----------------------------------------------------


def fill(template: str) -> str:
    """``template`` with its ``$names`` filled from the current palette (see ``colours``)."""
    return string.Template(template).substitute(colours()) if "$" in template else template


def set_style_sheet(widget: QWidget, template: str) -> None:
    """Set ``widget``'s style sheet from ``template`` (``"color: $problem;"``), and set it again
    from the same template whenever the application's palette changes. ``""`` clears it."""
    filled = fill(template)
    widget.setProperty(_SHEET, template if "$" in template else None)
    widget.setProperty(_FILLED, filled)
    widget.setStyleSheet(filled)
    _watch()


def _restyle() -> None:
    """Fill every templated style sheet again, for the palette now in force."""
    for widget in QApplication.allWidgets():
        template = widget.property(_SHEET)
        if not template or widget.styleSheet() != widget.property(_FILLED):
            continue  # no template, or a sheet set directly since: not ours to change
        filled = fill(template)
        widget.setProperty(_FILLED, filled)
        widget.setStyleSheet(filled)


def _watch() -> None:
    app = QApplication.instance()
    if app is not None and _state.get("watching") is not app:
        app.paletteChanged.connect(lambda _palette: _restyle())  # type: ignore[attr-defined]
        _state["watching"] = app


# --- following the system ---------------------------------------------------------------------


def dark_palette() -> QPalette:
    """The dark palette for Fusion where the platform gives none."""
    palette = QPalette()
    for name, value in DARK_ROLES.items():
        palette.setColor(getattr(QPalette.ColorRole, name), QColor(value))
    for name, value in DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, name), QColor(value))
    return palette


def apply_scheme(app: QApplication, *, dark: bool) -> None:
    """Show the app dark or light. Dark: the platform's own palette where it is dark already,
    else Fusion with ``dark_palette()``. Light: the style and palette the app started with."""
    forced = _state.get("forced_from")
    if not dark:
        if forced is not None:
            app.setStyle(QStyleFactory.create(forced))
            app.setPalette(QPalette())  # back to the platform's palette
            _state["forced_from"] = None
    elif forced is None and not is_dark(app.palette()):
        _state["forced_from"] = app.style().name()
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette())
        _watch()
    readable_placeholders(app)


def readable_placeholders(app: QApplication) -> None:
    """Give the app's palette a placeholder colour that reads at 4.5:1 on a field's background:
    Fusion's light placeholder (black at half opacity) reads at about 3.9:1 on white, and a
    placeholder is often the only hint of what a field wants."""
    current = app.palette()
    base = current.color(QPalette.ColorRole.Base)
    if contrast(current.color(QPalette.ColorRole.PlaceholderText), base) >= TEXT_CONTRAST:
        return
    readable = muted(current, against=base)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        current.setColor(group, QPalette.ColorRole.PlaceholderText, readable)
    app.setPalette(current)


def follow_system(app: QCoreApplication) -> None:
    """Light or dark as the system's colour scheme is, now and whenever it changes (``app``:
    the running QApplication)."""
    assert isinstance(app, QApplication)
    hints = app.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is None:  # Qt before 6.5 cannot tell: the platform's palette stands
        readable_placeholders(app)
        return

    def follow(*_: object) -> None:
        now = hints.colorScheme()
        if now != Qt.ColorScheme.Unknown:
            apply_scheme(app, dark=now == Qt.ColorScheme.Dark)

    follow()
    readable_placeholders(app)  # also where the system does not say (follow() changed nothing)
    hints.colorSchemeChanged.connect(follow)
    _watch()
