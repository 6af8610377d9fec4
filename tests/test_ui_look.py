"""The finished look: one icon registry used everywhere, icons and colours that follow the
palette, text that reads at WCAG's 4.5:1 under a dark palette on every screen of the demo
study, and no colour written into a screen's code (fieldkit/ui/palette.py holds them all)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from ui_screens import describe, open_demo_window, settle, shown, walk

from fieldkit.ui.qt import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QColor,
    QFrame,
    QHeaderView,
    QIcon,
    QLabel,
    QLineEdit,
    QPalette,
    QRadioButton,
    QSize,
    Qt,
    QTreeWidget,
    QWidget,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

UI = Path(__file__).resolve().parents[1] / "fieldkit" / "ui"


@pytest.fixture
def demo_window(qtbot, tmp_path, monkeypatch):
    """The main window on a new demo study."""
    w = open_demo_window(qtbot, tmp_path, monkeypatch, size=(1180, 760))
    yield w
    w.close()


@pytest.fixture
def dark(qapp):
    """The app under fieldkit's dark palette (Fusion), as a dark desktop without a theme of its
    own shows it; light again afterwards."""
    from fieldkit.ui import palette

    palette.apply_scheme(qapp, dark=True)
    assert palette.is_dark()
    yield
    palette.apply_scheme(qapp, dark=False)
    assert not palette.is_dark()


def _inked(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> list[QColor]:
    """The fully opaque pixels of ``icon`` drawn at 24 pixels."""
    image = icon.pixmap(QSize(24, 24), mode).toImage()
    pixels = [QColor.fromRgba(image.pixel(x, y)) for x in range(image.width()) for y in range(image.height())]
    return [c for c in pixels if c.alpha() == 255]


def _is(colour: QColor, expected: QColor) -> bool:
    return max(abs(colour.red() - expected.red()), abs(colour.green() - expected.green()),
               abs(colour.blue() - expected.blue())) <= 2


# --- icons ------------------------------------------------------------------------------------


def test_every_screen_in_the_sidebar_has_an_icon_in_the_palettes_colours(demo_window, qapp):
    from fieldkit.ui.main_window import SCREENS

    nav = demo_window.nav
    assert nav.count() == len(SCREENS)
    text = qapp.palette().color(QPalette.ColorRole.WindowText)
    selected = qapp.palette().color(QPalette.ColorRole.HighlightedText)
    for row, (_key, label, _, _) in enumerate(SCREENS):
        icon = nav.item(row).icon()
        assert not icon.isNull(), f"{label} has no icon"
        inked = _inked(icon)
        assert len(inked) > 20, f"{label}'s icon draws nothing"
        assert all(_is(c, text) for c in inked), f"{label}'s icon is not in the palette's text colour"
        assert all(_is(c, selected) for c in _inked(icon, QIcon.Mode.Selected)), f"{label} selected"
    drawn = {bytes(_inked_key(nav.item(row).icon())) for row in range(nav.count())}
    assert len(drawn) == len(SCREENS), "two screens share an icon"


def _inked_key(icon: QIcon) -> bytes:
    image = icon.pixmap(QSize(24, 24)).toImage()
    return bytes(image.constBits())


def test_icons_are_drawn_again_in_the_dark_palettes_colour(demo_window, qapp, dark):
    icon = demo_window.nav.item(0).icon()
    light_text = qapp.palette().color(QPalette.ColorRole.WindowText)
    assert light_text.lightness() > 200  # a dark palette's text is light
    inked = _inked(icon)
    assert inked and all(_is(c, light_text) for c in inked)


def _names_used() -> dict[str, set[str]]:
    """Every icon name the UI's code asks for, and where: ``icons.icon("name")`` calls, the
    main window's menu icons and screens, and the Markdown toolbar's actions (named by their text)."""
    from fieldkit.ui.main_window import MENU_ICONS, SCREENS

    used: dict[str, set[str]] = {}
    for path in sorted(UI.rglob("*.py")):
        for name in re.findall(r"icons\.icon\(\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(path.name)
    for name in MENU_ICONS.values():
        used.setdefault(name, set()).add("main_window.py MENU_ICONS")
    for key, *_ in SCREENS:
        used.setdefault(key, set()).add("main_window.py SCREENS")
    toolbar = re.findall(r"self\._action\(\s*\"([A-Za-z]+)\"", (UI / "markdown_editor.py").read_text(encoding="utf-8"))
    for text in toolbar:
        used.setdefault(text.lower(), set()).add("markdown_editor.py toolbar")
    return used


def test_the_icon_registry_covers_every_name_used_and_ships_every_file(qapp):
    from fieldkit.ui import icons

    used = _names_used()
    assert {"organisations", "add", "export", "undo", "bold", "next_call", "print"} <= set(used)
    missing = {name: sorted(where) for name, where in used.items() if name not in icons.ICONS}
    assert not missing, f"names used but not in fieldkit.ui.icons.ICONS: {missing}"
    folder = icons.folder()
    assert (folder / "LICENSE").is_file() and "ISC License" in (folder / "LICENSE").read_text(encoding="utf-8")
    for name, file in icons.ICONS.items():
        assert (folder / f"{file}.svg").is_file(), f"{name}: {file}.svg is not shipped"
        assert len(_inked(icons.icon(name))) > 10, f"{name} draws nothing"


def test_the_report_texts_toolbar_shows_an_icon_on_every_button(qtbot):
    from fieldkit.ui.markdown_editor import MarkdownEditor

    editor = MarkdownEditor("Background", lambda: None)
    qtbot.addWidget(editor)
    actions = editor.toolbar.actions()
    assert len(actions) >= 7
    for action in actions:
        if action.isSeparator():
            continue
        widget = editor.toolbar.widgetForAction(action)
        icon = action.icon() if action.text() else widget.icon()
        assert not icon.isNull(), f"{action.text() or widget.text()} has no icon"


# --- contrast under a dark palette ------------------------------------------------------------


def _background(widget: QWidget) -> QColor:
    """The colour behind ``widget``: that of the nearest of it and its parents that paints a
    background (filled, or given one by a style sheet), else the window's."""
    w: QWidget | None = widget
    while w is not None:
        if w.autoFillBackground() or w.testAttribute(Qt.WidgetAttribute.WA_StyledBackground) or w.isWindow():
            return w.palette().color(w.backgroundRole())
        w = w.parentWidget()
    return widget.palette().color(QPalette.ColorRole.Window)


def _rich_colours(text: str) -> list[QColor]:
    return [QColor(value) for value in re.findall(r"color\s*:\s*([#\w]+)", text)]


def _text_problems(widget: QWidget, place: str) -> list[str]:
    """Text in ``widget`` (a label or a tick box) that reads at less than 4.5:1."""
    from fieldkit.ui.palette import TEXT_CONTRAST, contrast

    text = widget.text()
    if not text.strip() or not widget.isEnabled():  # WCAG exempts what is disabled
        return []
    background = _background(widget)
    colours = [widget.palette().color(widget.foregroundRole())]
    if isinstance(widget, QLabel) and (widget.textFormat() == Qt.TextFormat.RichText or Qt.mightBeRichText(text)):
        colours += _rich_colours(text)
        if "<a " in text:
            colours.append(widget.palette().color(QPalette.ColorRole.Link))
    out = []
    for colour in colours:
        ratio = contrast(colour, background)
        if ratio < TEXT_CONTRAST:
            out.append(f"{place}: {describe(widget)} {text[:40]!r}: {colour.name()} on {background.name()} "
                       f"is {ratio:.2f}:1")
    return out


def _item_problems(view: QAbstractItemView, place: str) -> list[str]:
    """Rows of ``view`` given a colour of their own that reads at less than 4.5:1 on their background."""
    from fieldkit.ui.palette import TEXT_CONTRAST, contrast

    model = view.model()
    if model is None:
        return []
    base = view.palette().color(QPalette.ColorRole.Base)
    out = []
    todo = [(row, view.rootIndex()) for row in range(min(model.rowCount(view.rootIndex()), 200))]
    while todo:
        row, parent = todo.pop()
        try:
            columns = model.columnCount(parent)
        except TypeError:  # a list widget's model keeps it private: one column
            columns = 1
        for column in range(columns):
            index = model.index(row, column, parent)
            brush = index.data(Qt.ItemDataRole.ForegroundRole)
            if brush is not None and index.flags() & Qt.ItemFlag.ItemIsEnabled:
                colour = brush.color() if hasattr(brush, "color") else QColor(brush)
                back = index.data(Qt.ItemDataRole.BackgroundRole)
                behind = (back.color() if hasattr(back, "color") else QColor(back)) if back is not None else base
                ratio = contrast(colour, behind)
                if ratio < TEXT_CONTRAST:
                    out.append(f"{place}: {describe(view)} row {index.data()!r}: {colour.name()} on "
                               f"{behind.name()} is {ratio:.2f}:1")
        first = model.index(row, 0, parent)  # and the rows below it, in a tree
        todo += [(r, first) for r in range(min(model.rowCount(first), 50))]
    return out


def _anonymous_marker(window: QWidget, place: str, seen: list[str]) -> list[str]:
    """The anonymous questions' cards and all-anonymous section band: text at 4.5:1 on them,
    and the card's edge at 3:1 against the window around it. The card's background is checked
    against its drawn pixels, so the measure is of what shows."""
    from fieldkit.ui import palette

    out = []
    for card in window.findChildren(QFrame, "anonymous"):
        if not shown(card):
            continue
        seen.append(place)
        card_back = _background(card)
        image = card.grab().toImage()
        drawn = QColor(image.pixel(image.width() - 12, image.height() - 4))
        if not _is(drawn, card_back):
            out.append(f"{place}: the anonymous card is drawn {drawn.name()}, not {card_back.name()}")
        edge = QColor(re.search(r"solid\s+(#[0-9a-f]{6})", card.styleSheet()).group(1))
        around = _background(card.parentWidget())
        if palette.contrast(edge, around) < palette.EDGE_CONTRAST:
            out.append(f"{place}: the anonymous card's edge {edge.name()} on {around.name()}")
        words = card.findChild(QLabel, "anonymous_words")
        if words is None or not shown(words):
            out.append(f"{place}: an anonymous card without its words")
    for band in window.findChildren(QLabel, "anonymous_section"):
        if shown(band):
            seen.append(place)
    return out


def test_under_a_dark_palette_every_screens_text_and_the_anonymous_marker_read_at_4_5_to_1(
        qtbot, dark, demo_window):
    w = demo_window
    problems: list[str] = []
    anonymous_seen: list[str] = []
    places = texts = 0
    for place in walk(qtbot, w):
        places += 1
        for widget in w.findChildren(QWidget):
            if not shown(widget):
                continue
            if isinstance(widget, QLabel | QCheckBox | QRadioButton):
                texts += bool(widget.text().strip())
                problems += _text_problems(widget, place)
            elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
                problems += _item_problems(widget, place)
        problems += _anonymous_marker(w, place, anonymous_seen)
    print(f"{places} places, {texts} texts, the anonymous marker in {len(set(anonymous_seen))}")
    assert places > 10 and texts > 300
    assert anonymous_seen, "no anonymous question was on screen: the walk missed the marker"
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_overdue_call_backs_and_the_schedules_anonymous_marker_read_in_the_dark(qtbot, dark, demo_window):
    """Rows coloured by hand: overdue call-backs, anonymous questions in the schedule editor."""
    from fieldkit.ui.palette import TEXT_CONTRAST, contrast

    w = demo_window
    callbacks = w.show_screen("callbacks")
    settle(qtbot)
    tree = callbacks.findChild(QTreeWidget)
    coloured = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).data(0, Qt.ItemDataRole.ForegroundRole) is not None]
    assert coloured, "the demo has no overdue call-backs to look at"
    base = tree.palette().color(QPalette.ColorRole.Base)
    for item in coloured:
        assert contrast(item.foreground(0).color(), base) >= TEXT_CONTRAST
    settings = w.show_screen("settings")
    settle(qtbot)
    schedule_tree = settings.schedule.tree
    marked = []
    for i in range(schedule_tree.topLevelItemCount()):
        section = schedule_tree.topLevelItem(i)
        marked += [section.child(j) for j in range(section.childCount()) if section.child(j).text(3) == "anonymous"]
    assert marked, "the demo's schedule has no anonymous question"
    for row in marked:
        assert contrast(row.foreground(3).color(), schedule_tree.palette().color(QPalette.ColorRole.Base)) \
            >= TEXT_CONTRAST


def test_style_sheets_follow_a_switch_between_light_and_dark(qtbot, qapp):
    """A style sheet set through the palette module is filled again when the palette changes;
    one set directly since is left as it is."""
    from fieldkit.ui import palette

    label = QLabel("Not saved")
    qtbot.addWidget(label)
    palette.set_style_sheet(label, "color: $problem;")
    light = label.styleSheet()
    other = QLabel("Set by hand")
    qtbot.addWidget(other)
    palette.set_style_sheet(other, "color: $problem;")
    other.setStyleSheet("font-weight: bold;")
    palette.apply_scheme(qapp, dark=True)
    try:
        QApplication.processEvents()
        assert label.styleSheet() != light
        assert label.styleSheet() == f"color: {palette.text('problem').name()};"
        assert other.styleSheet() == "font-weight: bold;"
    finally:
        palette.apply_scheme(qapp, dark=False)
    QApplication.processEvents()
    assert label.styleSheet() == light


def test_the_tones_read_on_light_and_dark_palettes_alike(qapp):
    from fieldkit.ui import palette

    for dark_scheme in (False, True):
        palette.apply_scheme(qapp, dark=dark_scheme)
        try:
            window = palette.window()
            for tone in palette.TONES:
                assert palette.contrast(palette.text(tone), window) >= palette.TEXT_CONTRAST, tone
                assert palette.contrast(palette.on_tint(tone), palette.tint(tone)) >= palette.TEXT_CONTRAST, tone
                assert palette.contrast(palette.on_band(tone), palette.band(tone)) >= palette.TEXT_CONTRAST, tone
                assert palette.contrast(palette.edge(tone), window) >= palette.EDGE_CONTRAST, tone
            assert palette.contrast(palette.muted(), window) >= palette.TEXT_CONTRAST
        finally:
            palette.apply_scheme(qapp, dark=False)


def test_placeholders_read_on_light_and_dark_palettes_alike(qapp):
    """A field's placeholder (often the only hint of what it wants) reads at 4.5:1 on the field:
    Fusion's own light one, black at half opacity, reads at about 3.9:1."""
    from fieldkit.ui import palette

    for dark_scheme in (False, True):
        palette.apply_scheme(qapp, dark=dark_scheme)
        try:
            field = QLineEdit()
            field.setPlaceholderText("Search organisations")
            colours = field.palette()
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                ratio = palette.contrast(colours.color(group, QPalette.ColorRole.PlaceholderText),
                                         colours.color(group, QPalette.ColorRole.Base))
                assert ratio >= palette.TEXT_CONTRAST, (dark_scheme, group, ratio)
        finally:
            palette.apply_scheme(qapp, dark=False)


def test_the_app_follows_the_systems_colour_scheme(qapp, monkeypatch):
    """A dark scheme from a platform with no dark palette of its own: Fusion, dark; back to light
    when the system goes light again."""
    from fieldkit.ui import palette

    hints = qapp.styleHints()
    scheme = [Qt.ColorScheme.Dark]
    monkeypatch.setattr(type(hints), "colorScheme", lambda self: scheme[0])
    before = qapp.style().name()
    palette.follow_system(qapp)
    try:
        assert palette.is_dark() and qapp.style().name().lower() == "fusion"
        scheme[0] = Qt.ColorScheme.Light
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert not palette.is_dark() and qapp.style().name().lower() == before.lower()
    finally:
        hints.colorSchemeChanged.disconnect()
        palette.apply_scheme(qapp, dark=False)


# --- no colour in a screen's code -----------------------------------------------------------

_HEX = re.compile(r"(?<![&\w])#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\b")
_CSS_VALUE = re.compile(r"\b(?:color|background(?:-color)?|bgcolor)\s*[:=]\s*[\"']?\s*(?![$\s{\"']|palette\(|none\b"
                        r"|transparent\b)([^;}\"'\s]+)", re.IGNORECASE)
_CSS_EDGE = re.compile(r"\b(?:solid|dashed|dotted)\s+(?![$\s{]|palette\()([^;}\"'\s]+)")
_CODE = [
    (re.compile(r"\bQColor\(\s*(?:[\"'\d]|Qt\.)"), "a QColor literal"),
    (re.compile(r"\bQColor\.from\w+\(\s*[\d.]"), "a QColor literal"),
    (re.compile(r"\bQt\.GlobalColor\b|\bQt\.(?:white|black|red|darkRed|green|darkGreen|blue|darkBlue|cyan"
                r"|darkCyan|magenta|darkMagenta|yellow|darkYellow|gray|darkGray|lightGray)\b"), "a Qt colour"),
]


def hard_coded_colours(source: str) -> list[str]:
    """The colours written into ``source`` (Python): hex colours and CSS colour values in its
    strings, QColor literals and Qt's named colours in its code."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            found += [f"line {token.start[0]}: {m.group(0)!r}" for m in _HEX.finditer(token.string)]
            for pattern in (_CSS_VALUE, _CSS_EDGE):  # a value that is a colour, not a word of a sentence
                found += [f"line {token.start[0]}: {m.group(0)!r}" for m in pattern.finditer(token.string)
                          if QColor.isValidColorName(m.group(1)) or re.match(r"(rgb|hsl)a?\(", m.group(1))]
    code = "\n".join(re.sub(r"#.*$", "", line) for line in source.splitlines())
    for pattern, what in _CODE:
        for m in pattern.finditer(code):
            found.append(f"line {code.count(chr(10), 0, m.start()) + 1}: {what} {m.group(0)!r}")
    return found


def test_the_check_finds_colours_written_into_code():
    assert hard_coded_colours('X = "#a4262c"\n')
    assert hard_coded_colours('w.setStyleSheet("color: red;")\n')
    assert hard_coded_colours('w.setStyleSheet(f"QLabel {{ background: #fff; }}")\n')
    assert hard_coded_colours('s = "border: 2px solid gray;"\n')
    assert hard_coded_colours("c = QColor(255, 0, 0)\n")
    assert hard_coded_colours('c = QColor("white")\n')
    assert hard_coded_colours("c = QColor.fromHsvF(0.0, 0.5, 0.5)\n")
    assert hard_coded_colours("c = Qt.GlobalColor.red\n")
    assert hard_coded_colours("<span style='color:gray'>".join(['t = "', '"\n']))
    assert not hard_coded_colours('palette.set_style_sheet(w, "color: $problem; border: 1px solid $problem_edge;")\n')
    assert not hard_coded_colours('s = "border: 1px solid palette(mid); background: palette(alternate-base);"\n')
    assert not hard_coded_colours('t = "&#8203;"  # a zero-width space, #ffffff in a comment\n')
    assert not hard_coded_colours("c = QColor(palette.color(role))\n")


def test_no_screen_writes_a_colour_of_its_own():
    """Every colour comes from the palette or from fieldkit/ui/palette.py, which derives the
    rest from it: so light and dark both work, and a colour is changed in one place."""
    found = {}
    for path in sorted(UI.rglob("*.py")):
        if path.name == "palette.py" and path.parent == UI:
            continue
        hits = hard_coded_colours(path.read_text(encoding="utf-8"))
        if hits:
            found[str(path.relative_to(UI))] = hits
    assert not found, f"colours written into the code (use fieldkit.ui.palette): {found}"
