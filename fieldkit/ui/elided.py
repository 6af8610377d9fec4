"""A one-line label that shortens its text with "…" where the room runs out.

For text that cannot wrap (a name in a header, a status on one line): given less room than
its text needs, it draws as much as fits and an ellipsis, and its tooltip says the whole
text. ``text()`` is always the whole text, so nothing that reads the label is misled.
"""

from __future__ import annotations

from fieldkit.ui.qt import QLabel, QPainter, QSize, QStyle, Qt, QWidget


class ElidedLabel(QLabel):
    """A plain-text, one-line QLabel that elides instead of cutting off or widening its parent."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self._mode = mode
        self._tip = ""  # a tooltip of the label's own, shown while the text is whole
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._tip = tip
        self._update_tip()

    def elided(self) -> bool:
        """True when the text is drawn shortened."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self._room()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        narrow = self.fontMetrics().horizontalAdvance(self.text()[:3] + "…")
        return QSize(min(hint.width(), narrow + margins.left() + margins.right() + 2 * self.margin()),
                     hint.height())

    def _room(self) -> int:
        return self.contentsRect().width() - 2 * self.margin()

    def _update_tip(self) -> None:
        tip = self.text() if self.elided() else self._tip
        if tip != super().toolTip():
            super().setToolTip(tip)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.elided():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        rect = self.contentsRect().adjusted(self.margin(), self.margin(), -self.margin(), -self.margin())
        text = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        self.style().drawItemText(painter, rect, int(QStyle.visualAlignment(self.layoutDirection(),
                                                                              self.alignment()).value),
                                  self.palette(), self.isEnabled(), text, self.foregroundRole())


def elided_heading(text: str = "", size: float = 1.6) -> ElidedLabel:
    """A bold heading on one line, ``size`` times the normal font (as ``welcome.heading``), that
    elides: for a name that would otherwise push the buttons beside it off the screen."""
    label = ElidedLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    return label
