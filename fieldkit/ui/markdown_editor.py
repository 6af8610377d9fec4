"""A Markdown editor beside a live preview, for the texts the researcher writes in a report.

The text is typed in a plain editor; the preview beside it shows it as the report will, its
live figures (``{interviewed}``, ``{RR1}``) filled in from the study: the core parses it
(``fieldkit.reports.markup.parse``) and gives the HTML (``text_html``), so the preview, the
PDF and the Word document never disagree about what a text says. The preview follows the
typing after a short pause. A figure the study cannot fill is named in one line under the
editor (the core's words: which text, which line), and the preview shows the text unfilled.

The editor saves nothing itself: it says when the researcher has changed the text
(``edited``), and its owner saves it through the core. A toolbar inserts a figure (each with
what it counts as its tooltip) and formats the selection: bold, italic, a list, a quotation,
a footnote, a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.reports import markup
from fieldkit.ui import icons, palette
from fieldkit.ui.qt import (
    QAction,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTextBrowser,
    QTextCursor,
    QTimer,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: The pause in typing after which the preview is drawn again.
PREVIEW_DELAY_MS = 300
HELP = ("Markdown: **bold**, *italic*, a line starting “- ” or “1. ” is a list item, “> ” a quotation, "
        "“## ” a sub-heading; [^1] marks a footnote. A blank line starts a new paragraph. Figures in braces, "
        "such as {interviewed}, are filled in when the report is made.")
TABLE = "| Heading | Heading |\n| --- | --- |\n| Text | Text |\n"
_RATE = re.compile(r"^\{([A-Z]+\d|e)\}$")
_FOOTNOTE = re.compile(r"\[\^(\d+)\]")


def figure_groups(help_rows: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures (``Figures.help()``) in the menus the toolbar shows them in."""
    groups: dict[str, list[tuple[str, str]]] = {"Counts": [], "Rates": [], "By category or area": [],
                                                "Tables": []}
    for name, meaning in help_rows:
        if name.startswith("{table:"):
            groups["Tables"].append((name, meaning))
        elif ":" in name:
            groups["By category or area"].append((name, meaning))
        elif _RATE.match(name):
            groups["Rates"].append((name, meaning))
        else:
            groups["Counts"].append((name, meaning))
    return [(title, rows) for title, rows in groups.items() if rows]


class MarkdownEditor(QWidget):
    """A plain-text Markdown editor, a live preview beside it, a toolbar and a help line.

    ``figures()`` gives the ``Figures`` to fill the text with (its owner works them out once
    and keeps them until the study changes); ``groups(figure)`` the names a figure such as
    ``{interviewed:name}`` may take (categories, areas)."""

    #: the researcher changed the text (typing, a toolbar button); not emitted by ``set_text``
    edited = Signal()

    def __init__(self, name: str, figures: Callable[[], Any], parent: QWidget | None = None, *,
                 groups: Callable[[str], list[str]] | None = None):
        super().__init__(parent)
        self.name = name
        self._figures = figures
        self._groups = groups
        self._where = name
        self._loading = False
        self._empty_note = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout.addWidget(self.toolbar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(140)
        self.editor.setMinimumWidth(220)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)  # offline: a link in the text is shown, never followed
        self.preview.setMinimumWidth(200)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.preview)
        self.splitter.setSizes([500, 400])
        layout.addWidget(self.splitter, 1)
        self.problem = problem_label(f"Problem in {name}")
        layout.addWidget(self.problem)
        self.help = QLabel(HELP)
        self.help.setAccessibleName("How to write the text")
        self.help.setWordWrap(True)
        palette.set_style_sheet(self.help, "color: $muted;")
        layout.addWidget(self.help)
        self.set_name(name)
        self._build_toolbar()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.show_preview)
        self.editor.textChanged.connect(self._text_changed)

    # --- building ---------------------------------------------------------------------------

    def _action(self, text: str, tip: str, slot: Callable[[], None], shortcut: Any = None) -> QAction:
        action = QAction(icons.icon(text.lower()), text, self)  # the icon of the same name (fieldkit.ui.icons)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.toolbar.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        self.figure_button = QToolButton()
        self.figure_button.setText("Insert figure ▾")
        self.figure_button.setIcon(icons.icon("figure"))
        self.figure_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.figure_button.setAccessibleName("Insert a figure")
        self.figure_button.setToolTip("A number from the study, kept up to date: filled in when the report is made")
        self.figure_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.figure_menu = QMenu(self.figure_button)
        self.figure_menu.setToolTipsVisible(True)
        self.figure_menu.aboutToShow.connect(self._fill_figure_menu)
        self.figure_button.setMenu(self.figure_menu)
        self.toolbar.addWidget(self.figure_button)
        self.toolbar.addSeparator()
        self._action(
            "Bold", "Bold (Ctrl+B): **words**", lambda: self.wrap("**", "bold words"), QKeySequence.StandardKey.Bold
        )
        self._action("Italic", "Italic (Ctrl+I): *words*", lambda: self.wrap("*", "italic words"),
                     QKeySequence.StandardKey.Italic)
        self._action("List", "Make the lines a bulleted list: “- ” before each", lambda: self.prefix_lines("- "))
        self._action("Quote", "Make the lines a quotation: “> ” before each", lambda: self.prefix_lines("> "))
        self._action("Footnote", "A footnote here ([^1]); its text goes at the end", self.add_footnote)
        self._action("Table", "A table of two columns to fill in", lambda: self.insert_block(TABLE))

    def _fill_figure_menu(self) -> None:
        self.figure_menu.clear()
        figures = self._figures()
        if figures is None:
            return
        for title, rows in figure_groups(figures.help()):
            menu = self.figure_menu.addMenu(title)
            menu.setToolTipsVisible(True)
            for name, meaning in rows:
                names = self._groups(name) if self._groups is not None and ":name}" in name else []
                if names:
                    sub = menu.addMenu(name)
                    sub.setToolTipsVisible(True)
                    sub.menuAction().setToolTip(meaning)
                    for group in names:
                        filled = name.replace(":name}", f":{group}}}")
                        action = sub.addAction(group)
                        action.setToolTip(f"{filled}: {meaning}")
                        action.triggered.connect(lambda _=False, f=filled: self.insert_figure(f))
                    continue
                action = menu.addAction(name)
                action.setToolTip(meaning)
                action.setStatusTip(meaning)
                action.triggered.connect(lambda _=False, n=name: self.insert_figure(n))

    # --- the text ---------------------------------------------------------------------------

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str, where: str | None = None) -> None:
        """Show ``text`` (not an edit: ``edited`` is not emitted) and draw its preview now."""
        if where is not None:
            self._where = where
        self._loading = True
        try:
            if text != self.editor.toPlainText():
                self.editor.setPlainText(text)
        finally:
            self._loading = False
        self.show_preview()

    def set_where(self, where: str) -> None:
        """What the text is called in a message ("Background"): the heading it prints under."""
        if where != self._where:
            self._where = where
            self.schedule_preview()

    def set_name(self, name: str) -> None:
        """What the text is called for a screen reader ("Background")."""
        self.name = name
        self.toolbar.setAccessibleName(f"Format {name}")
        self.editor.setAccessibleName(f"{name}, in Markdown")
        self.preview.setAccessibleName(f"{name}, as printed")
        self.problem.setAccessibleName(f"Problem in {name}")

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)
        self.toolbar.setEnabled(not read_only)

    def set_placeholder(self, text: str) -> None:
        self.editor.setPlaceholderText(text)

    def set_empty_note(self, text: str) -> None:
        """What the preview says when nothing is written ("Not printed: nothing written yet")."""
        self._empty_note = text

    def _text_changed(self) -> None:
        if self._loading:
            return
        self.edited.emit()
        self.schedule_preview()

    def schedule_preview(self) -> None:
        self._timer.start()

    def show_preview(self) -> None:
        """Draw the preview now: the text filled with the study's figures, or, when a figure is
        unknown, the text unfilled and the core's one-line message under the editor."""
        self._timer.stop()
        source, problem = self.text(), ""
        try:
            parsed = markup.parse(source, where=self._where, figures=self._figures())
        except FieldkitError as e:
            problem = str(e).splitlines()[0] if str(e) else "the text cannot be read"
            parsed = markup.parse(source, where=self._where)
        show_problem(self.problem, problem)
        html = markup.text_html(parsed)
        if not html and self._empty_note:
            html = f"<p><i>{self._empty_note}</i></p>"
        self.preview.setHtml(html)

    # --- formatting -------------------------------------------------------------------------

    def _cursor(self) -> QTextCursor:
        return self.editor.textCursor()

    def wrap(self, marker: str, placeholder: str) -> None:
        """Put ``marker`` around the selection, or around ``placeholder`` (selected, to type over)."""
        cursor = self._cursor()
        selected = cursor.selectedText().replace("\u2029", "\n")
        cursor.beginEditBlock()
        if selected:
            cursor.insertText(f"{marker}{selected}{marker}")
        else:
            cursor.insertText(f"{marker}{placeholder}{marker}")
            end = cursor.position() - len(marker)
            cursor.setPosition(end - len(placeholder))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.endEditBlock()
        self.editor.setTextCursor(cursor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def prefix_lines(self, prefix: str) -> None:
        """Start every line of the selection (or the cursor's line) with ``prefix``."""
        cursor = self._cursor()
        document = self.editor.document()
        first = document.findBlock(cursor.selectionStart()).blockNumber()
        last = document.findBlock(cursor.selectionEnd()).blockNumber()
        edit = QTextCursor(document)
        edit.beginEditBlock()
        for number in range(first, last + 1):
            block = document.findBlockByNumber(number)
            if not block.text().startswith(prefix):
                edit.setPosition(block.position())
                edit.insertText(prefix)
        edit.endEditBlock()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def insert_block(self, block: str) -> None:
        """Insert ``block`` on lines of its own, a blank line before and after."""
        cursor = self._cursor()
        cursor.clearSelection()
        before = self.text()[:cursor.position()]
        lead = "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
        cursor.insertText(lead + block + ("" if block.endswith("\n") else "\n"))
        self.editor.setTextCursor(cursor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def insert_figure(self, name: str) -> None:
        """Insert a figure at the cursor; a table on a line of its own; "name" selected to type over."""
        if name.startswith("{table:"):
            self.insert_block(name + "\n")
            return
        cursor = self._cursor()
        cursor.insertText(name)
        if ":name}" in name:
            end = cursor.position() - 1
            cursor.setPosition(end - len("name"))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_footnote(self) -> None:
        """A footnote mark at the cursor and its line at the end of the text, the cursor there."""
        used = [int(n) for n in _FOOTNOTE.findall(self.text())]
        number = max(used, default=0) + 1
        cursor = self._cursor()
        cursor.clearSelection()
        cursor.beginEditBlock()
        cursor.insertText(f"[^{number}]")
        cursor.movePosition(QTextCursor.MoveOperation.End)
        text = self.text()
        lead = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        cursor.insertText(f"{lead}[^{number}]: ")
        cursor.endEditBlock()
        self.editor.setTextCursor(cursor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)


def problem_label(name: str) -> QLabel:
    """A one-line message in the house's problem colour, hidden until there is something to say."""
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette.set_style_sheet(label, "color: $problem;")
    label.hide()
    return label


def shown(problem: str) -> str:
    """A problem as a label shows it: the core's words, less the list of every figure there is
    that follows an unknown one (the Insert figure menu lists them; the label's tooltip too)."""
    line, listed, _ = problem.partition(" (figures: ")
    return f"{line} (Insert figure ▾ lists the figures)" if listed else problem


def show_problem(label: QLabel, text: str) -> None:
    """Show one problem a line (or none); the core's words in full in the tooltip."""
    lines = [line for line in text.splitlines() if line.strip()]
    label.setText("\n".join(shown(line) for line in lines))
    label.setToolTip("\n".join(lines) if any(shown(line) != line for line in lines) else "")
    label.setVisible(bool(lines))


def button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
    """A push button with its accessible name, calling ``slot`` when clicked."""
    push = QPushButton(text)
    push.setAccessibleName(name)
    push.clicked.connect(lambda _=False: slot())
    return push


def row(*widgets: QWidget, stretch_last: bool = False) -> QHBoxLayout:
    """Widgets side by side, the rest of the line empty (or given to the last)."""
    layout = QHBoxLayout()
    for widget in widgets:
        layout.addWidget(widget)
    if stretch_last:
        layout.setStretchFactor(widgets[-1], 1)
    else:
        layout.addStretch(1)
    return layout
