"""Every place of the main window on the demo study, shown in turn, and what a person would
find wrong there: text cut off, a control a screen reader cannot name.

``walk`` shows the screens, the case form, an interview's sections, the pool's questions,
the reports' and settings' tabs, one after another; ``cut_text`` and ``unnamed_controls``
look at whatever is on screen at that moment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fieldkit.ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QTabBar,
    QTextDocument,
    QTextEdit,
    QToolButton,
    QTreeView,
    QWidget,
    Qt,
)

#: The smallest window fieldkit supports (fieldkit.ui.main_window.MINIMUM_SIZE).
MINIMUM = (1024, 640)


def open_demo_window(qtbot, tmp_path, monkeypatch, size: tuple[int, int] | None = None):
    """The main window on a new demo study (fieldkit.demo), shown at ``size`` (None: its
    minimum size), the opening checks done."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.demo import build_demo
    from fieldkit.ui.main_window import MainWindow

    study = build_demo(tmp_path / "Demo study")
    path = study.path
    study.close()
    w = MainWindow()
    qtbot.addWidget(w)
    if size is not None:
        w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_study(path)
    w.wait_for_checks()
    if size is None:
        w.resize(w.minimumSize())
    settle(qtbot)
    return w


def settle(qtbot, ms: int = 30) -> None:
    """Let layouts, timers and the list loaders run."""
    QApplication.processEvents()
    qtbot.wait(ms)
    QApplication.processEvents()


def walk(qtbot, window) -> Iterator[str]:
    """Show each place of ``window`` (a main window on the demo study) in turn, yielding a
    name for it once it is drawn."""
    from fieldkit.ui.qt import QTabWidget

    study = window.session.study

    screen = window.show_screen("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy)
    settle(qtbot)
    yield "Organisations"

    for org_id in _cases(study):
        window.open_case(org_id, study.organisations.ids())
        settle(qtbot)
        yield f"the case form of {study.organisations.get(org_id).name}"
    screen.show_list()

    window.show_screen("callbacks")
    settle(qtbot)
    yield "Call-backs"

    interviews = window.show_screen("interviews")
    settle(qtbot)
    yield "Interviews"

    (org_id,) = [o for o in _cases(study) if not study.interviews.for_organisation(o)][:1] or _cases(study)[:1]
    window.start_interview(org_id)
    runner = interviews.runner
    for row in range(runner.sections.count()):
        runner.show_section(row)
        settle(qtbot)
        yield f"the interview's section {runner.sections.item(row).text()!r}"
    runner.leave_button.click()  # leave it (no call-back), as a researcher would
    settle(qtbot)
    dialog = QApplication.activeModalWidget()
    if dialog is not None:
        dialog.reject()
        settle(qtbot)

    pool = window.show_screen("pool")
    settle(qtbot)
    yield "Pool"
    from fieldkit.ui.pool_quotations import COMMENT

    comment = next(row for row in range(pool.list.count()) if pool.list.item(row).data(COMMENT) is not None)
    pool.list.setCurrentRow(comment)  # the editor with its theme and quotation boxes
    settle(qtbot)
    yield "Pool, a comment chosen"
    groups = pool.groups  # all comments, each theme and its questions
    for item in [groups.topLevelItem(i) for i in range(groups.topLevelItemCount())]:
        for shown_item in [item] + [item.child(j) for j in range(item.childCount())]:
            groups.setCurrentItem(shown_item)
            settle(qtbot)
            yield f"the pool's {shown_item.text(0)!r}"

    for key, title in (("reports", "Reports"), ("settings", "Study settings")):
        screen = window.show_screen(key)
        tabs = screen.findChild(QTabWidget)
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            settle(qtbot, 60)
            yield f"{title} ▸ {tabs.tabText(i).replace('&', '')}"
            if tabs.widget(i) is getattr(screen, "write", None):
                sections = screen.write.outline.list
                for row in range(1, sections.count()):
                    sections.setCurrentRow(row)
                    settle(qtbot)
                    yield f"{title} ▸ Write ▸ {sections.item(row).text()}"


def _cases(study) -> list[int]:
    """Case forms worth looking at: the demo's longest contact name, exclusion reason and name,
    and one interviewed (with its interviews listed)."""
    orgs = study.organisations
    everyone = [orgs.get(i) for i in orgs.ids()]
    picks = [
        max(everyone, key=lambda o: max((len(c.name or "") for c in orgs.contacts(o.id)), default=0)),
        max(everyone, key=lambda o: len(o.exclusion_reason or "")),
        max(everyone, key=lambda o: len(o.name)),
        next(o for o in everyone if o.status == "interviewed"),
    ]
    return list(dict.fromkeys(o.id for o in picks))


# --- text that does not fit ------------------------------------------------------------------


def shown(widget: QWidget) -> bool:
    """On screen: shown with all its parents, and not squeezed to nothing."""
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def describe(widget: QWidget) -> str:
    """The widget's class and object name, and its parents', for a failure message."""
    chain = []
    w: QWidget | None = widget
    while w is not None:
        name = w.objectName()
        chain.append(f"{type(w).__name__}{'#' + name if name else ''}")
        w = w.parentWidget()
    return " < ".join(chain)


def _mnemonic_free(text: str) -> str:
    return re.sub(r"&(.)", r"\1", text)


def _elided_with_tip(widget: QWidget) -> bool:
    """An elided label (fieldkit.ui.elided) that says its whole text in its tooltip."""
    from fieldkit.ui.elided import ElidedLabel

    return isinstance(widget, ElidedLabel) and widget.toolTip() == widget.text()


def label_problem(label: QLabel) -> str | None:
    """Why ``label``'s text does not show whole, or None."""
    text = label.text()
    if not text.strip() or _elided_with_tip(label):
        return None
    rect = label.contentsRect()
    margin = label.margin()
    width = rect.width() - 2 * margin - max(label.indent(), 0)
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    if rich:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        if not label.wordWrap():
            need = doc.idealWidth()
            return f"needs {need:.0f}px, has {width}" if need > width + 1 else None
        doc.setTextWidth(width)
        if doc.idealWidth() > width + 1:
            return f"a word needs {doc.idealWidth():.0f}px, has {width}"
        if doc.size().height() > rect.height() - 2 * margin + 2:
            return f"wraps to {doc.size().height():.0f}px high, has {rect.height()}"
        return None
    if label.buddy() is not None:
        text = _mnemonic_free(text)
    metrics = label.fontMetrics()
    lines = text.split("\n")
    if not label.wordWrap():
        need = max(metrics.horizontalAdvance(line) for line in lines)
        return f"needs {need}px, has {width}" if need > width else None
    for word in text.split():
        if metrics.horizontalAdvance(word) > width:
            return f"the word {word!r} needs {metrics.horizontalAdvance(word)}px, has {width}"
    flags = int(Qt.TextFlag.TextWordWrap.value) | int(label.alignment().value)
    bound = metrics.boundingRect(0, 0, width, 100_000, flags, text)
    if bound.height() > rect.height() - 2 * margin + 1:
        return f"wraps to {bound.height()}px high, has {rect.height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    """Why ``button``'s text does not show whole, or None."""
    text = _mnemonic_free(button.text())
    if not text.strip():
        return None
    metrics = button.fontMetrics()
    need = metrics.horizontalAdvance(text)
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    style = button.style()
    if isinstance(button, (QCheckBox, QRadioButton)):
        if button.hasHeightForWidth():  # one that wraps (fieldkit.ui.wrapping)
            need = button.minimumSizeHint().width()
            if need > button.width():
                return f"a word needs {need}px, has {button.width()}"
            from fieldkit.ui.qt import QRect

            if button.width() >= button.sizeHint().width():
                return None  # on one line
            metrics = button.fontMetrics()
            indent = button.sizeHint().width() - metrics.horizontalAdvance(_mnemonic_free(button.text()))
            flags = int((Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextShowMnemonic).value)
            tall = metrics.boundingRect(QRect(0, 0, button.width() - indent, 100_000), flags, button.text()).height()
            return f"wraps to {tall}px high, has {button.height()}" if tall > button.height() else None
        # the indicator, the spacing and the text, as the style lays them out (no minimum)
        need = button.sizeHint().width()
        return f"needs {need}px, has {button.width()}" if need > button.width() else None
    elif isinstance(button, QPushButton):
        need += (style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
                 + 2 * style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, button))
        if button.menu() is not None:
            need += style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    elif isinstance(button, QToolButton):
        need += 6
    else:
        return None
    return f"needs {need}px, has {button.contentsRect().width()}" if need > button.contentsRect().width() else None


def combo_problem(box: QComboBox) -> str | None:
    """Why a drop-down's current text does not show whole (one that elides it with the whole
    text in its tooltip is fine), or None."""
    from fieldkit.ui.combo import ComboBox
    from fieldkit.ui.qt import QStyleOptionComboBox

    text = box.currentText() or (box.placeholderText() if box.currentIndex() < 0 else "")
    if box.isEditable() or not text.strip():
        return None
    if isinstance(box, ComboBox) and box.elided() and box.toolTip().startswith(box.currentText()):
        return None
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    room = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                      QStyle.SubControl.SC_ComboBoxEditField, box).width() - 2
    if not box.itemIcon(max(box.currentIndex(), 0)).isNull():
        room -= box.iconSize().width() + 4
    need = box.fontMetrics().horizontalAdvance(text)
    return f"{text!r} needs {need}px, has {room}" if need > room else None


def tab_problems(bar: QTabBar) -> list[str]:
    """Tabs of ``bar`` whose text is cut or that are scrolled out of the bar."""
    out = []
    for i in range(bar.count()):
        rect = bar.tabRect(i)
        need = bar.tabSizeHint(i).width()
        text = _mnemonic_free(bar.tabText(i))
        if rect.width() < need:
            out.append(f"tab {text!r} needs {need}px, has {rect.width()}")
        elif rect.right() > bar.width() or rect.left() < 0:
            out.append(f"tab {text!r} is outside its bar")
    return out


def item_problems(view: QAbstractItemView) -> list[str]:
    """Items of a list or tree (not a table: its cells elide by design) whose text is cut: the
    text against the room the style gives it in the item's rectangle on screen."""
    from fieldkit.ui.qt import QRect, QStyledItemDelegate, QStyleOptionViewItem

    model = view.model()
    if model is None:
        return []
    out = []
    style = view.style()
    viewport = view.viewport().width()
    word_wrap = getattr(view, "wordWrap", lambda: False)()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1

    def rows(parent):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            yield index
            if isinstance(view, QTreeView) and view.isExpanded(index):
                yield from rows(index)

    for index in rows(view.rootIndex()):
        text = index.data(Qt.ItemDataRole.DisplayRole)
        rect = view.visualRect(index)
        if not isinstance(text, str) or not text.strip() or rect.height() <= 0:
            continue
        option = QStyleOptionViewItem()
        option.initFrom(view)
        delegate = view.itemDelegateForIndex(index)
        if isinstance(delegate, QStyledItemDelegate):
            delegate.initStyleOption(option, index)
        option.rect = QRect(rect.left(), rect.top(), min(rect.left() + rect.width(), viewport) - rect.left(),
                            rect.height())
        if word_wrap:
            option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view).adjusted(
            margin, 0, -margin, 0)
        metrics = option.fontMetrics
        if word_wrap:
            widest = max(metrics.horizontalAdvance(w) for w in text.split())
            tall = metrics.boundingRect(QRect(0, 0, room.width(), 100_000), int(Qt.TextFlag.TextWordWrap.value),
                                        text).height()
            if widest > room.width() or tall > room.height():
                out.append(f"item {text!r} needs more room than {room.width()}x{room.height()}px")
        else:
            need = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
            if need > room.width():
                out.append(f"item {text!r} needs {need}px, has {room.width()}")
    return out


def cut_text(root: QWidget) -> list[str]:
    """Every piece of text on ``root`` that does not show whole, described."""
    out = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not shown(w):
            continue
        problems: list[str] = []
        if isinstance(w, QLabel):
            problem = label_problem(w)
            problems = [problem] if problem else []
        elif isinstance(w, QAbstractButton) and not isinstance(w, QToolButton) or (
                isinstance(w, QToolButton) and w.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonIconOnly):
            problem = button_problem(w)
            problems = [problem] if problem else []
        elif isinstance(w, QTabBar):
            problems = tab_problems(w)
        elif isinstance(w, QScrollArea) and w.horizontalScrollBar().maximum() > 0:
            problems = [f"scrolls sideways ({w.horizontalScrollBar().maximum()}px hidden)"]
        elif isinstance(w, QComboBox):
            problem = combo_problem(w)
            problems = [problem] if problem else []
        elif isinstance(w, (QListView, QTreeView)) and not _is_table(w):
            problems = item_problems(w)
        if isinstance(w, (QLabel, QAbstractButton)) and not problems:
            seen = w.visibleRegion().boundingRect()
            if not seen.isEmpty() and seen.width() < w.width() - 1 and _text_of(w).strip():
                problems = [f"clipped by its parent: {seen.width()} of {w.width()}px show"]
        for problem in problems:
            out.append(f"{_mnemonic_free(_text_of(w))[:60]!r} ({describe(w)}): {problem}")
    return out


def _is_table(view: QWidget) -> bool:
    from fieldkit.ui.qt import QTableView

    return isinstance(view, QTableView) or (isinstance(view, QTreeView) and not view.header().isHidden())


def _text_of(w: QWidget) -> str:
    if isinstance(w, QComboBox):
        return w.currentText()
    text = getattr(w, "text", None)
    return text() if callable(text) else ""


# --- controls a screen reader cannot name ----------------------------------------------------

#: What a screen reader must be able to name.
CONTROLS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QAbstractItemView,
            QAbstractSlider, QAbstractButton)


def _is_control(w: QWidget) -> bool:
    if not isinstance(w, CONTROLS) or w.focusPolicy() == Qt.FocusPolicy.NoFocus and not isinstance(
            w, (QAbstractItemView, QAbstractSlider, QLineEdit)):
        return False
    parent = w.parentWidget()
    # the parts of a compound control (a spin box's or an editable combo box's line edit, a
    # combo box's popup, a scroll area's bars) are named by the control they belong to
    if isinstance(w, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        return False
    if isinstance(w, QAbstractSlider) and type(w).__name__ == "QScrollBar":
        return False
    if isinstance(w, QToolButton) and isinstance(parent, QTabBar):
        return False
    # a table's header: the table is the control
    return not (type(w).__name__ == "QHeaderView" and isinstance(parent, QAbstractItemView))


def named(w: QWidget, buddies: set[int]) -> bool:
    """``w`` has a name a screen reader reads: its own, its text, or a label's it is the buddy of."""
    if w.accessibleName().strip():
        return True
    if isinstance(w, QAbstractButton) and _mnemonic_free(w.text()).strip():
        return True
    return id(w) in buddies


def unnamed_controls(root: QWidget) -> list[str]:
    """Every control shown on ``root`` that a screen reader could not name, described."""
    widgets = [root, *root.findChildren(QWidget)]
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    return [describe(w) for w in widgets if shown(w) and _is_control(w) and not named(w, buddies)]
