"""The drop-down every screen uses: type-to-select that takes spaces, and text that elides.

A stock QComboBox opens its list on Space, so "BME n" can never be typed to pick "BME network"
over "BME organisations". Here, printable keys typed within the platform's keyboard input
interval add up to one prefix, spaces included, and the first item starting with it
(case-insensitive) is chosen, as a click would choose it. A space typed on its own, Alt+Down
and F4 still open the list.

Given less room than its current text needs, it draws the text shortened with "…" and its
tooltip says it whole (a stock combo cuts the text off mid-letter).
"""

from __future__ import annotations

import time

from fieldkit.ui.qt import (
    QApplication,
    QComboBox,
    QEvent,
    QKeyEvent,
    QSize,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    Qt,
    QWidget,
)

#: Modifiers that make a key a command rather than typing.
_COMMAND = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class ComboBox(QComboBox):
    """A QComboBox whose keyboard search accepts spaces and whose text elides to fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed = ""
        self._typed_at = 0.0
        self._tip = ""  # a tooltip of the combo's own, shown while its text is whole
        self._narrowest: int | None = None  # characters it may shrink to (None: as QComboBox)
        self.currentIndexChanged.connect(lambda _: self._update_tip())

    def shrink_to(self, characters: int) -> None:
        """As wide as its longest item where there is room, and down to ``characters`` wide
        (eliding) where there is not."""
        self._narrowest = characters
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        if self._narrowest is None:
            return hint
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        text = QSize(self.fontMetrics().horizontalAdvance("x") * self._narrowest, hint.height())
        narrow = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self)
        return QSize(min(hint.width(), narrow.width()), hint.height())

    # --- typing to select -------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        text = event.text()
        if (self.isEditable() or event.modifiers() & _COMMAND or not text or not text.isprintable()
                or (text == " " and not self._searching())):
            self._typed = ""
            super().keyPressEvent(event)
            return
        self.type_ahead(text)
        event.accept()

    def _searching(self) -> bool:
        """True while keys typed a moment ago still make up a prefix."""
        return bool(self._typed) and (time.monotonic() - self._typed_at) * 1000 <= QApplication.keyboardInputInterval()

    def type_ahead(self, text: str) -> None:
        """Add ``text`` to the prefix being typed and choose the first item that starts with it;
        the same letter again moves on to the next item starting with that letter."""
        self._typed = (self._typed if self._searching() else "") + text
        self._typed_at = time.monotonic()
        row = self._first_starting(self._typed, 0)
        if row is None and len(set(self._typed.casefold())) == 1:
            row = self._first_starting(self._typed[0], self.currentIndex() + 1)
        if row is not None and row != self.currentIndex():
            self.setCurrentIndex(row)
            self.activated.emit(row)
            self.textActivated.emit(self.itemText(row))

    def _first_starting(self, prefix: str, start: int) -> int | None:
        """The first choosable item from ``start`` on (wrapping round) whose text starts with ``prefix``."""
        model = self.model()
        count = self.count()
        wanted = prefix.casefold()
        choosable = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        for step in range(count):
            row = (start + step) % count
            flags = model.flags(model.index(row, self.modelColumn(), self.rootModelIndex()))
            if flags & choosable == choosable and self.itemText(row).casefold().startswith(wanted):
                return row
        return None

    # --- eliding -----------------------------------------------------------------------------

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._tip = tip
        self._update_tip()

    def _text_room(self, option: QStyleOptionComboBox) -> int:
        rect = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self)
        room = rect.width() - 2
        if not option.currentIcon.isNull():
            room -= option.iconSize.width() + 4
        return room

    def elided(self) -> bool:
        """True when the current text is drawn shortened."""
        if self.isEditable() or not self.currentText():
            return False
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return self.fontMetrics().horizontalAdvance(self.currentText()) > self._text_room(option)

    def _update_tip(self) -> None:
        text = self.currentText()
        tip = self._tip
        if self.elided():
            tip = text if not self._tip or self._tip == text else f"{text}\n\n{self._tip}"
        if tip != super().toolTip():
            super().setToolTip(tip)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self._update_tip()  # the items may have been renamed since
        return super().event(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """As QComboBox draws itself, with the current text elided to the room it has."""
        self._update_tip()  # the items may have been renamed since the last look
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(self.palette().ColorRole.Text))
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        if self.currentIndex() < 0 and self.placeholderText():
            option.palette.setBrush(option.palette.ColorRole.ButtonText, option.palette.placeholderText())
            option.currentText = self.placeholderText()
        if not self.isEditable():
            option.currentText = self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                                                               self._text_room(option))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
