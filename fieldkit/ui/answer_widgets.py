"""One input per question type, and the card that shows a question with its help.

A field knows how to show a stored value and how to read the researcher's answer back as
the value the core stores (``Question.clean``), without touching the study: the interview
runner decides when to save. Invalid input (a number that is not a number) is marked on
the card and never saved. Anonymous questions get their own colour and say where their
answer is: held with this interview, or moved to the pool (the runner tells each card, with
the sentences of fieldkit/ui/held.py).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from fieldkit.errors import InvalidValueError
from fieldkit.templates import Question, Section
from fieldkit.ui.held import section_band
from fieldkit.ui.qt import (
    QButtonGroup,
    QCheckBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPalette,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.welcome import heading

ANONYMOUS_WORDS = "Anonymous — moves to the comment pool, never stored against this organisation"
ANONYMOUS_BAND = "#efe6fb"
ANONYMOUS_EDGE = "#6b3fa0"
ANONYMOUS_TEXT = "#3d1f66"
ERROR_COLOUR = "#b00020"

#: Save at once (a click) rather than after a pause in typing.
INSTANT = "instant"
TYPED = "typed"

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class AnswerField(QWidget):
    """Base of the per-type inputs. ``edited`` fires on every change the researcher makes."""

    edited = Signal()
    timing = INSTANT

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = question

    def raw(self) -> Any:
        """What the widget holds, before cleaning."""
        raise NotImplementedError

    def value(self) -> Any:
        """The answer as stored (None: no answer). Raises InvalidValueError if it does not fit."""
        return self.question.clean(self.raw())

    def set_value(self, value: Any) -> None:
        """Show a stored value without counting it as an edit."""
        self.blockSignals(True)
        try:
            self._show(value)
        finally:
            self.blockSignals(False)

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def focus_target(self) -> QWidget:
        return self


class TextField(AnswerField):
    timing = TYPED

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if question.type == "long_text":
            self.editor = QPlainTextEdit()
            self.editor.setTabChangesFocus(True)  # Tab moves to the next question
            line = self.editor.fontMetrics().lineSpacing()
            self.editor.setFixedHeight(line * 4 + 14)
            self.editor.textChanged.connect(self.edited)
        else:
            self.editor = QLineEdit()
            self.editor.textEdited.connect(self.edited)
        self.editor.setAccessibleName(question.label)
        layout.addWidget(self.editor)
        self.setFocusProxy(self.editor)

    def raw(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def _show(self, value: Any) -> None:
        self.editor.blockSignals(True)
        if isinstance(self.editor, QPlainTextEdit):
            self.editor.setPlainText(value or "")
        else:
            self.editor.setText(value or "")
        self.editor.blockSignals(False)

    def focus_target(self) -> QWidget:
        return self.editor


def parse_number(text: str) -> int | float | None:
    """Digits as typed ("12", "-3.5", "1,200") to a number; None when blank. ValueError otherwise."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise ValueError(text)
    return float(text) if "." in text else int(text)


class NumberField(AnswerField):
    timing = TYPED

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor = QLineEdit()
        self.editor.setAccessibleName(question.label)
        self.editor.setMaximumWidth(self.editor.fontMetrics().horizontalAdvance("0") * 16 + 16)
        hint = []
        if question.min is not None:
            hint.append(f"from {question.min:g}")
        if question.max is not None:
            hint.append(f"to {question.max:g}")
        self.editor.setPlaceholderText(" ".join(hint) if hint else "a number")
        self.editor.textEdited.connect(self.edited)
        layout.addWidget(self.editor)
        layout.addStretch(1)
        self.setFocusProxy(self.editor)

    def raw(self) -> Any:
        return self.editor.text()

    def value(self) -> Any:
        text = self.editor.text().strip()
        try:
            number = parse_number(text)
        except ValueError:
            raise InvalidValueError(f"“{text}” is not a number") from None
        q = self.question
        if number is not None and q.min is not None and number < q.min:
            raise InvalidValueError(f"{number:g} is below the lowest allowed, {q.min:g}")
        if number is not None and q.max is not None and number > q.max:
            raise InvalidValueError(f"{number:g} is above the highest allowed, {q.max:g}")
        return q.clean(number)

    def _show(self, value: Any) -> None:
        self.editor.setText("" if value is None else self.question.as_text(value))

    def focus_target(self) -> QWidget:
        return self.editor


class _Buttons(AnswerField):
    """Radio buttons or check boxes, one Tab stop for the group: arrows move between them,
    Space (or the choice's number, or Y / N) picks, Delete clears."""

    def __init__(self, question: Question, labels: list[str], *, exclusive: bool, columns: int = 1,
                 row: bool = False, parent: QWidget | None = None):
        super().__init__(question, parent)
        self.exclusive = exclusive
        self.group = QButtonGroup(self)
        self.group.setExclusive(exclusive)
        self.buttons: list[QCheckBox | QRadioButton] = []
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        per_column = -(-len(labels) // columns)
        for i, text in enumerate(labels):
            button: QCheckBox | QRadioButton = QRadioButton(text) if exclusive else QCheckBox(text)
            button.setAccessibleName(f"{text} ({question.label})")
            button.setFocusPolicy(Qt.ClickFocus)
            button.installEventFilter(self)
            self.group.addButton(button, i)
            self.buttons.append(button)
            if row:
                grid.addWidget(button, 0, i)
            else:
                grid.addWidget(button, i % per_column, i // per_column)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(grid)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setFocusPolicy(Qt.NoFocus)
        self.clear_button.setToolTip("Remove this answer (or press Delete)")
        self.clear_button.clicked.connect(self.clear)
        outer.addWidget(self.clear_button, 0, Qt.AlignTop)
        outer.addStretch(1)
        self.group.buttonClicked.connect(self._clicked)
        self._entry = self.buttons[0]
        self._roving(self._entry)
        self._update_clear()

    def _roving(self, button: QWidget) -> None:
        """Make ``button`` the group's one Tab stop."""
        self._entry.setFocusPolicy(Qt.ClickFocus)
        self._entry = button
        button.setFocusPolicy(Qt.StrongFocus)
        self.setFocusProxy(button)

    def _clicked(self, _button=None) -> None:
        self._update_clear()
        chosen = self.checked()
        if self.exclusive and chosen and not any(b.hasFocus() for b in self.buttons):
            self._roving(self.buttons[chosen[0]])  # Tab comes back to the answer
        self.edited.emit()

    def _update_clear(self) -> None:
        self.clear_button.setVisible(any(b.isChecked() for b in self.buttons))

    def clear(self) -> None:
        if not any(b.isChecked() for b in self.buttons):
            return
        self._set_checked(set())
        self._clicked()

    def _set_checked(self, indexes: set[int]) -> None:
        self.group.setExclusive(False)
        for i, b in enumerate(self.buttons):
            b.setChecked(i in indexes)
        self.group.setExclusive(self.exclusive)
        self._update_clear()
        if indexes and not any(b.hasFocus() for b in self.buttons):
            self._roving(self.buttons[min(indexes)])  # Tab comes back to the answer

    def _pick(self, index: int) -> None:
        button = self.buttons[index]
        if self.exclusive:
            if not button.isChecked():
                self._set_checked({index})
                self._clicked()
        else:
            button.setChecked(not button.isChecked())
            self._clicked()
        button.setFocus(Qt.OtherFocusReason)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.FocusIn and obj in self.buttons:
            self._roving(obj)
        elif event.type() == QEvent.KeyPress and obj in self.buttons and not (
                event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)):
            key, index = event.key(), self.buttons.index(obj)
            if key in (Qt.Key_Down, Qt.Key_Right, Qt.Key_Up, Qt.Key_Left):
                step = 1 if key in (Qt.Key_Down, Qt.Key_Right) else -1
                self.buttons[(index + step) % len(self.buttons)].setFocus(Qt.OtherFocusReason)
                return True
            if key == Qt.Key_Space:
                self._pick(index)
                return True
            if key in (Qt.Key_Delete, Qt.Key_Backspace):
                self.clear()
                return True
            picked = self._shortcut(event.text())
            if picked is not None:
                self._pick(picked)
                return True
        return super().eventFilter(obj, event)

    def _shortcut(self, text: str) -> int | None:
        if text.isdigit() and 1 <= int(text) <= min(len(self.buttons), 9):
            return int(text) - 1
        return None

    def checked(self) -> list[int]:
        return [i for i, b in enumerate(self.buttons) if b.isChecked()]


class ChoiceField(_Buttons):
    """Single choice (a column of radios), scale (a row in order) or multiple choice (check boxes)."""

    def __init__(self, question: Question, parent: QWidget | None = None):
        labels = list(question.choices)
        many = question.type == "multiple_choice"
        columns = 1 if len(labels) <= 6 else (2 if len(labels) <= 12 else 3)
        super().__init__(question, labels, exclusive=not many, columns=columns,
                         row=question.type == "scale", parent=parent)

    def raw(self) -> Any:
        chosen = [self.question.choices[i] for i in self.checked()]
        if self.question.type == "multiple_choice":
            return chosen
        return chosen[0] if chosen else None

    def _show(self, value: Any) -> None:
        values = value if isinstance(value, list) else ([] if value is None else [value])
        self._set_checked({self.question.choices.index(v) for v in values if v in self.question.choices})


class YesNoField(_Buttons):
    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, ["Yes", "No"], exclusive=True, row=True, parent=parent)

    def _shortcut(self, text: str) -> int | None:
        return {"y": 0, "n": 1}.get(text.lower(), super()._shortcut(text))

    def raw(self) -> Any:
        chosen = self.checked()
        return None if not chosen else chosen[0] == 0

    def _show(self, value: Any) -> None:
        self._set_checked(set() if value is None else {0 if value else 1})


class _DateEdit(QDateEdit):
    """A date edit whose lowest date means "not answered"; the first arrow or digit starts today."""

    NONE = QDate(1800, 1, 1)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.date() == self.NONE and (event.key() in (Qt.Key_Up, Qt.Key_Down, Qt.Key_PageUp, Qt.Key_PageDown)
                                         or event.text().isdigit()):
            self.setDate(QDate.currentDate())
            self.setCurrentSectionIndex(0)
            if not event.text().isdigit():
                return
        super().keyPressEvent(event)


class DateField(AnswerField):
    timing = TYPED

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor = _DateEdit()
        self.editor.setAccessibleName(question.label)
        self.editor.setDisplayFormat("d MMM yyyy")
        self.editor.setMinimumDate(_DateEdit.NONE)
        self.editor.setMaximumDate(QDate(2200, 12, 31))
        self.editor.setSpecialValueText("Not answered")
        self.editor.setDate(_DateEdit.NONE)
        self.editor.setMinimumWidth(self.editor.fontMetrics().horizontalAdvance("Not answered") + 60)
        self.editor.dateChanged.connect(self._changed)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setAccessibleName(f"Clear the date ({question.label})")
        self.clear_button.clicked.connect(lambda: self.editor.setDate(_DateEdit.NONE))
        layout.addWidget(self.editor)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.setFocusProxy(self.editor)
        self.clear_button.setVisible(False)

    def _changed(self) -> None:
        self.clear_button.setVisible(self.editor.date() != _DateEdit.NONE)
        if not self.signalsBlocked():
            self.edited.emit()

    def raw(self) -> Any:
        d = self.editor.date()
        return None if d == _DateEdit.NONE else dt.date(d.year(), d.month(), d.day())

    def _show(self, value: Any) -> None:
        if value is None:
            self.editor.setDate(_DateEdit.NONE)
        else:
            d = dt.date.fromisoformat(value)
            self.editor.setDate(QDate(d.year, d.month, d.day))

    def focus_target(self) -> QWidget:
        return self.editor


def make_field(question: Question) -> AnswerField:
    """The input for ``question``'s type."""
    if question.type in ("short_text", "long_text"):
        return TextField(question)
    if question.type == "number":
        return NumberField(question)
    if question.type in ("single_choice", "multiple_choice", "scale"):
        return ChoiceField(question)
    if question.type == "yes_no":
        return YesNoField(question)
    if question.type == "date":
        return DateField(question)
    raise ValueError(f"no input for question type {question.type}")  # pragma: no cover


class QuestionCard(QFrame):
    """A question as the researcher reads it: label, help, required mark, the input, any problem."""

    def __init__(self, question: Question, *, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = question
        #: anonymous only: where its answer is (``show_whereabouts``)
        self.whereabouts: QLabel | None = None
        self.setObjectName("anonymous" if question.anonymous else "named")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(5)
        if question.anonymous:
            self.setStyleSheet(
                f"QFrame#anonymous {{ background: {ANONYMOUS_BAND}; border-left: 6px solid {ANONYMOUS_EDGE}; "
                f"border-radius: 3px; }} QFrame#anonymous QLabel {{ color: {ANONYMOUS_TEXT}; }}")
            band = QLabel(f"<b>{ANONYMOUS_WORDS}</b>")
            band.setObjectName("anonymous_words")
            band.setWordWrap(True)
            layout.addWidget(band)
            self.whereabouts = QLabel()
            self.whereabouts.setObjectName("whereabouts")
            self.whereabouts.setTextFormat(Qt.TextFormat.PlainText)
            self.whereabouts.setWordWrap(True)
            font = self.whereabouts.font()
            font.setItalic(True)
            self.whereabouts.setFont(font)
            layout.addWidget(self.whereabouts)
        required = (f" <span style='color:{ERROR_COLOUR}'>· required</span>" if question.required else "")
        self.label = QLabel(f"<span style='color:gray'>{question.id}</span>&nbsp; <b>{_escape(question.label)}</b>"
                            f"{required}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        layout.addWidget(self.label)
        if question.help:
            help_ = QLabel(question.help)
            help_.setTextFormat(Qt.PlainText)
            help_.setWordWrap(True)
            help_.setObjectName("help")
            if not question.anonymous:
                palette = help_.palette()
                palette.setColor(QPalette.WindowText, palette.color(QPalette.PlaceholderText))
                help_.setPalette(palette)
            layout.addWidget(help_)
        self.field = make_field(question)
        target = self.field.focus_target()
        name = question.label + (" (required)" if question.required else "")
        if question.anonymous:
            name += " — anonymous, moves to the comment pool"
        target.setAccessibleName(name)
        target.setAccessibleDescription(question.help)
        self.label.setBuddy(target)
        layout.addWidget(self.field)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        if not question.anonymous:
            self.setFrameShape(QFrame.NoFrame)

    def show_whereabouts(self, text: str) -> None:
        """Say where an anonymous question's answer is (held with this interview, or moved)."""
        if self.whereabouts is not None and self.whereabouts.text() != text:
            self.whereabouts.setText(text)
            self.whereabouts.setAccessibleName(text)

    def show_problem(self, text: str | None) -> None:
        """Mark the input as not saved (``text`` says why), or clear the mark."""
        text = text or ""
        if text == self.problem.text():
            return  # nothing to redraw: this runs on every keystroke
        target = self.field.focus_target()
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        target.setStyleSheet(f"border: 2px solid {ERROR_COLOUR};" if text else "")

    @property
    def has_problem(self) -> bool:
        return not self.problem.isHidden()


class SectionPage(QScrollArea):
    """One section of the schedule: title, intro, a band if it is all anonymous, its question cards."""

    def __init__(self, section: Section, *, k: int, parent: QWidget | None = None):
        super().__init__(parent)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 0, 12, 12)
        layout.setSpacing(10)
        title = heading(section.title, 1.25)
        title.setTextFormat(Qt.PlainText)
        layout.addWidget(title)
        if section.intro:
            intro = QLabel(section.intro)
            intro.setTextFormat(Qt.PlainText)
            intro.setWordWrap(True)
            intro.setObjectName("intro")
            font = intro.font()
            font.setItalic(True)
            intro.setFont(font)
            layout.addWidget(intro)
        if section.questions and all(q.anonymous for q in section.questions):
            band = QLabel(section_band(k))
            band.setWordWrap(True)
            band.setObjectName("anonymous_section")
            band.setStyleSheet(f"QLabel#anonymous_section {{ background: {ANONYMOUS_EDGE}; color: white; "
                               "padding: 8px 10px; border-radius: 3px; }")
            layout.addWidget(band)
        self.cards = [QuestionCard(q) for q in section.questions]
        for card in self.cards:
            layout.addWidget(card)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setWidget(inner)
        self.setAccessibleName(f"Questions: {section.title}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FinishDialog(QDialog):
    """What is still missing, and the "full interview" tick (the researcher's call either way)."""

    def __init__(self, parent: QWidget, organisation: str, missing: list[str], unsaved: list[str],
                 moved_earlier: bool):
        super().__init__(parent)
        self.setWindowTitle("Finish the interview")
        layout = QVBoxLayout(self)
        title = heading(f"Finish the interview with {organisation}", 1.2)
        title.setTextFormat(Qt.PlainText)
        layout.addWidget(title)
        if missing:
            text = (f"{len(missing)} required question{'s have' if len(missing) > 1 else ' has'} no answer:"
                    "<ul>" + "".join(f"<li>{html.escape(m)}</li>" for m in missing[:12]) + "</ul>")
            if len(missing) > 12:
                text += f"and {len(missing) - 12} more."
        else:
            text = "Every required question has an answer."
        self.summary = QLabel(text)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if unsaved:
            bad = QLabel("Not saved, because they do not fit: " + "; ".join(unsaved))
            bad.setTextFormat(Qt.PlainText)
            bad.setWordWrap(True)
            layout.addWidget(bad)
        if moved_earlier:
            note = QLabel("Anonymous answers that have moved to the pool are not counted here.")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.full = QCheckBox("Full interview completed")
        self.full.setChecked(not missing)
        self.full.setToolTip("Ticks “Full interview completed” on the organisation's record")
        layout.addWidget(self.full)
        buttons = QDialogButtonBox()
        self.finish_button = buttons.addButton("Finish interview", QDialogButtonBox.AcceptRole)
        buttons.addButton("Keep going", QDialogButtonBox.RejectRole)
        self.finish_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
