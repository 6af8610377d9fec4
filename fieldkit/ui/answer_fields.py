"""One input per kind of question: how a stored value is shown and how the researcher's
answer is read back as the value the core stores (``Question.clean``), without touching the
study (the interview runner decides when to save). ``fieldkit.ui.answer_widgets.WIDGETS``
says which input asks which question type.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fieldkit.errors import InvalidValueError
from fieldkit.templates import Question
from fieldkit.ui.qt import (
    QButtonGroup,
    QCheckBox,
    QDate,
    QDateEdit,
    QEvent,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.wrapping import WrappingCheckBox, WrappingRadioButton

#: Save at once (a click) rather than after a pause in typing.
INSTANT = "instant"
TYPED = "typed"
#: Room around every input for the focus ring (``answer_widgets.FocusRing``) to be drawn in.
RING_ROOM = 3

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class AnswerField(QWidget):
    """Base of the per-type inputs. ``edited`` fires on every change the researcher makes."""

    edited = Signal()
    timing = INSTANT
    #: False for an input the researcher never types into (a calculated value).
    takes_focus = True

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = question
        self.language: str | None = None

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

    def set_language(self, language: str | None) -> None:
        """Word the input's own texts (choices) in ``language``."""
        self.language = language

    def set_label(self, label: str) -> None:
        """The question's words, for the screen reader's names of the input's parts."""

    def focus_target(self) -> QWidget:
        return self


def _room(layout) -> None:
    layout.setContentsMargins(RING_ROOM, RING_ROOM, RING_ROOM, RING_ROOM)


class TextField(AnswerField):
    timing = TYPED

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, parent)
        layout = QVBoxLayout(self)
        _room(layout)
        self.editor: QPlainTextEdit | QLineEdit
        if not question.qtype.one_line:
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
        _room(layout)
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
    Space (or the choice's number, or Y / N) picks, Delete clears.

    Moving with the keyboard gives focus for a keyboard reason (Tab, or Shortcut for a picking
    key): with any other reason Qt takes the window for mouse-driven and stops drawing the
    focus rectangle, so the focus seemed to vanish after the first arrow key.
    """

    def __init__(self, question: Question, labels: list[str], *, exclusive: bool, columns: int = 1,
                 row: bool = False, parent: QWidget | None = None):
        super().__init__(question, parent)
        self.exclusive = exclusive
        self.group = QButtonGroup(self)
        self.group.setExclusive(exclusive)
        self.buttons: list[QCheckBox | QRadioButton] = []
        grid = QGridLayout()
        _room(grid)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        per_column = -(-len(labels) // columns)
        for i, text in enumerate(labels):
            # the text wraps in a narrow window (a long choice, a scale's row of them)
            button: QCheckBox | QRadioButton = WrappingRadioButton(text) if exclusive else WrappingCheckBox(text)
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            button.installEventFilter(self)
            self.group.addButton(button, i)
            self.buttons.append(button)
            if row:
                grid.addWidget(button, 0, i)
            else:
                grid.addWidget(button, i % per_column, i // per_column)
        self.set_label(question.label)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(grid)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setToolTip("Remove this answer (or press Delete)")
        self.clear_button.clicked.connect(self.clear)
        outer.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)
        self.group.buttonClicked.connect(self._clicked)
        self._entry = self.buttons[0]
        self._roving(self._entry)
        self._update_clear()

    def set_label(self, label: str) -> None:
        for button in self.buttons:
            button.setAccessibleName(f"{button.text()} ({label})")

    def _roving(self, button: QCheckBox | QRadioButton) -> None:
        """Make ``button`` the group's one Tab stop."""
        self._entry.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._entry = button
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(button)

    def shown_buttons(self) -> list[QCheckBox | QRadioButton]:
        """The buttons offered now (a choice_filter may leave some out)."""
        return [b for b in self.buttons if not b.isHidden()]

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
        button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _step(self, key: int) -> int:
        """+1 or -1: which way an arrow key moves (Left and Right swap when right to left)."""
        forward = {Qt.Key.Key_Down, Qt.Key.Key_Right} if self.layoutDirection() == Qt.LayoutDirection.LeftToRight \
            else {Qt.Key.Key_Down, Qt.Key.Key_Left}
        return 1 if key in forward else -1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn and obj in self.buttons:
            self._roving(obj)
        elif event.type() == QEvent.Type.KeyPress and obj in self.buttons and not (
                event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)):
            key = event.key()
            shown = self.shown_buttons()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Left) and obj in shown:
                index = shown.index(obj)
                shown[(index + self._step(key)) % len(shown)].setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if key == Qt.Key.Key_Space:
                self._pick(self.buttons.index(obj))
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear()
                return True
            picked = self._shortcut(event.text())
            if picked is not None:
                self._pick(picked)
                return True
        return super().eventFilter(obj, event)

    def _shortcut(self, text: str) -> int | None:
        """The button a typed character picks: a digit counts the buttons offered now."""
        shown = self.shown_buttons()
        if text.isdigit() and 1 <= int(text) <= min(len(shown), 9):
            return self.buttons.index(shown[int(text) - 1])
        return None

    def checked(self) -> list[int]:
        return [i for i, b in enumerate(self.buttons) if b.isChecked()]


class ChoiceField(_Buttons):
    """Single choice (a column of radios), scale (a row in order) or multiple choice (check boxes)."""

    def __init__(self, question: Question, parent: QWidget | None = None):
        labels = [c.text() for c in question.options]
        many = question.qtype.several
        columns = 1 if len(labels) <= 6 else (2 if len(labels) <= 12 else 3)
        super().__init__(question, labels, exclusive=not many, columns=columns,
                         row=question.qtype.ordered, parent=parent)

    def set_language(self, language: str | None) -> None:
        super().set_language(language)
        for choice, button in zip(self.question.options, self.buttons, strict=True):
            button.setText(choice.text(language))

    def offer(self, names: set[str]) -> list[str]:
        """Show only the choices ``names`` (a choice_filter's); a picked one stays in sight.
        Returns the picked choices that are not offered."""
        stale = []
        for choice, button in zip(self.question.options, self.buttons, strict=True):
            offered = choice.name in names
            if not offered and button.isChecked():
                stale.append(choice.name)
            if button.isHidden() == (offered or button.isChecked()):
                button.setVisible(offered or button.isChecked())
        if self._entry.isHidden():
            shown = self.shown_buttons()
            if shown:
                self._roving(shown[0])
        return stale

    def raw(self) -> Any:
        chosen = [self.question.choices[i] for i in self.checked()]
        if self.question.qtype.several:
            return chosen
        return chosen[0] if chosen else None

    def _show(self, value: Any) -> None:
        values = value if isinstance(value, list) else ([] if value is None else [value])
        self._set_checked({self.question.choices.index(v) for v in values if v in self.question.choices})


class YesNoField(_Buttons):
    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, [question.text("yes_label"), question.text("no_label")], exclusive=True,
                         row=True, parent=parent)

    def set_language(self, language: str | None) -> None:
        """The two answers' words in ``language``."""
        super().set_language(language)
        for button, key in zip(self.buttons, ("yes_label", "no_label"), strict=True):
            button.setText(self.question.text(key, language))

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
        if self.date() == self.NONE and (
            event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
            or event.text().isdigit()
        ):
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
        _room(layout)
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
        self.clear_button.clicked.connect(lambda: self.editor.setDate(_DateEdit.NONE))
        self.set_label(question.label)
        layout.addWidget(self.editor)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.setFocusProxy(self.editor)
        self.clear_button.setVisible(False)

    def set_label(self, label: str) -> None:
        self.clear_button.setAccessibleName(f"Clear the date ({label})")

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


class CalculatedField(AnswerField):
    """A calculate question's value, worked out by the core from earlier answers (the runner
    shows ``InterviewSession.state().calculated``): read only, never a Tab stop."""

    takes_focus = False

    def __init__(self, question: Question, parent: QWidget | None = None):
        super().__init__(question, parent)
        layout = QHBoxLayout(self)
        _room(layout)
        self.display = QLabel()
        self.display.setObjectName("calculated")
        self.display.setTextFormat(Qt.TextFormat.PlainText)
        self.display.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.display.setStyleSheet("QLabel#calculated { font-weight: bold; padding: 3px 10px; "
                                   "border: 1px solid palette(mid); border-radius: 3px; "
                                   "background: palette(alternate-base); }")
        self.display.setToolTip("Worked out from the answers before it; it cannot be typed")
        self.display.setAccessibleDescription("Calculated from earlier answers")
        layout.addWidget(self.display)
        layout.addStretch(1)
        self._value: Any = None
        self._show(None)

    def raw(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def _show(self, value: Any) -> None:
        self._value = value
        text = "—" if value is None else self.question.as_text(value, self.language)
        if text != self.display.text():
            self.display.setText(text)

    def focus_target(self) -> QWidget:
        return self.display
