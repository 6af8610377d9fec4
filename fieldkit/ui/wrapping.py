"""What wraps where Qt's stock widgets would be cut off: a tick box whose label takes more
lines when narrow, the rows of a list or tree that grow to their wrapped text, and a row of
widgets that goes on to a second line.

The first two keep their whole text (``text()``, the model's data) for screen readers and tests.
"""

from __future__ import annotations

from typing import Any

from fieldkit.ui.qt import (
    QCheckBox,
    QEvent,
    QLayout,
    QLayoutItem,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRadioButton,
    QRect,
    QSize,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QStylePainter,
    Qt,
    QTimer,
    QListView,
    QTreeView,
    QWidget,
)

_WRAP = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextShowMnemonic


class _Wrapping:
    """What a tick box and a radio button share when their text wraps onto more lines when
    they are given less than one line's width; the whole button, text included, takes the click.
    Mixed in before QCheckBox or QRadioButton, which say their style's parts in ``_PARTS``."""

    #: (indicator width, label spacing, indicator, contents, indicator drawing) of the style
    _PARTS: tuple[QStyle.PixelMetric, QStyle.PixelMetric, QStyle.SubElement, QStyle.SubElement,
                  QStyle.PrimitiveElement]

    def _wrap_init(self: Any) -> None:
        # narrower than one line, and as tall as its lines (Fixed would hold it to one)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _plain(self: Any) -> str:
        return self.text().replace("&&", "\0").replace("&", "").replace("\0", "&")

    def _indent(self: Any) -> int:
        """What one line takes besides the text: the indicator, the spacing, the style's margins."""
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self._plain())  # type: ignore[misc]

    def minimumSizeHint(self: Any) -> QSize:  # noqa: N802 - Qt's name
        words = self._plain().split() or [""]
        widest = max(self.fontMetrics().horizontalAdvance(w) for w in words)
        return QSize(self._indent() + widest + 2, super().minimumSizeHint().height())  # type: ignore[misc]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self: Any, width: int) -> int:  # noqa: N802 - Qt's name
        one = super().sizeHint()  # type: ignore[misc]
        if width >= one.width():
            return one.height()
        text = self.fontMetrics().boundingRect(QRect(0, 0, max(width - self._indent(), 1), 100_000),
                                               int(_WRAP.value), self.text())
        return max(one.height(), text.height() + 2)

    def hitButton(self: Any, pos) -> bool:  # noqa: N802 - Qt's name
        return self.rect().contains(pos)

    def paintEvent(self: Any, event) -> None:  # noqa: N802 - Qt's name
        if self.width() >= super().sizeHint().width():  # type: ignore[misc]
            super().paintEvent(event)  # type: ignore[misc]
            return
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        style = self.style()
        _, _, indicator_part, contents_part, drawing = self._PARTS
        indicator = style.subElementRect(indicator_part, option, self)
        line = self.fontMetrics().height()
        indicator.moveTop(max(0, (line - indicator.height()) // 2 + 1))  # beside the first line
        box = QStyleOptionButton(option)
        box.rect = indicator
        painter.drawPrimitive(drawing, box)
        left = style.subElementRect(contents_part, option, self).left()
        text_rect = QRect(left, 1, self.width() - self._indent(), self.height() - 1)  # as heightForWidth has it
        flags = int((_WRAP | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop).value)
        style.drawItemText(painter, text_rect, flags, self.palette(), self.isEnabled(), self.text(),
                           self.foregroundRole())
        if option.state & QStyle.StateFlag.State_HasFocus:
            focus = QStyleOptionButton(option)
            focus.rect = style.itemTextRect(self.fontMetrics(), text_rect, int(_WRAP.value), self.isEnabled(),
                                            self.text()).adjusted(-1, 0, 1, 0)
            painter.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus)


class WrappingCheckBox(_Wrapping, QCheckBox):
    """A QCheckBox whose text wraps when it is narrower than one line."""

    _PARTS = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_CheckBoxLabelSpacing,
              QStyle.SubElement.SE_CheckBoxIndicator, QStyle.SubElement.SE_CheckBoxContents,
              QStyle.PrimitiveElement.PE_IndicatorCheckBox)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._wrap_init()


class WrappingRadioButton(_Wrapping, QRadioButton):
    """A QRadioButton whose text wraps when it is narrower than one line."""

    _PARTS = (QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, QStyle.PixelMetric.PM_RadioButtonLabelSpacing,
              QStyle.SubElement.SE_RadioButtonIndicator, QStyle.SubElement.SE_RadioButtonContents,
              QStyle.PrimitiveElement.PE_IndicatorRadioButton)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._wrap_init()


class WrappedRows(QStyledItemDelegate):
    """Rows of a tree (its first column) or a list as tall as their text wrapped to the width it
    is shown at; they are measured again when that width changes."""

    def __init__(self, view: QTreeView | QListView) -> None:
        super().__init__(view)
        self.view = view
        view.setWordWrap(True)
        if isinstance(view, QTreeView):
            view.setUniformRowHeights(False)
        else:
            view.setUniformItemSizes(False)
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._width = -1
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(view.doItemsLayout)
        view.viewport().installEventFilter(self)
        if isinstance(view, QTreeView):  # a column narrows as another grows to its contents
            view.header().sectionResized.connect(lambda *_: self._relayout.start())
        view.setItemDelegateForColumn(0, self)

    def room(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The width the row of ``index`` has: a list's viewport, a tree's column less the
        indentation and branch."""
        view = self.view
        if not isinstance(view, QTreeView):
            return view.viewport().width() - 2 * view.spacing()
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        indent = view.indentation() * (depth + (1 if view.rootIsDecorated() else 0))
        return view.columnWidth(index.column()) - indent

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint(option, index)
        wrapped = QStyleOptionViewItem(option)
        self.initStyleOption(wrapped, index)
        wrapped.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        width = self.room(index)
        wrapped.rect = QRect(0, 0, width, 100_000)
        style = self.view.style()
        size = style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, wrapped, QSize(width, 100_000), self.view)
        # Measured a second way too, and the taller kept: the two break lines a little differently,
        # and a row one line short cuts its last words off.
        text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, wrapped, self.view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1
        lines = wrapped.fontMetrics.boundingRect(QRect(0, 0, max(text.width() - 2 * margin, 1), 100_000),
                                                 int(Qt.TextFlag.TextWordWrap.value), wrapped.text).height()
        padding = max(hint.height() - wrapped.fontMetrics.height(), 0)  # the style's, above and below a line
        return QSize(min(hint.width(), width), max(hint.height(), size.height(), lines + padding))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.view.viewport().width() != self._width:
            self._width = self.view.viewport().width()
            self._relayout.start()
        return False


class FlowLayout(QLayout):
    """Widgets left to right, going on to the next line where the width runs out: a row of
    buttons or tick boxes that fits a narrow window. A widget wider than a line gets the line
    (a WrappingCheckBox then wraps its text)."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, line_spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Everything on one line."""
        hints = [item.sizeHint() for item in self._shown()]
        margins = self.contentsMargins()
        width = sum(h.width() for h in hints) + self._spacing * max(len(hints) - 1, 0)
        return QSize(width + margins.left() + margins.right(),
                     max((h.height() for h in hints), default=0) + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest and the tallest widget's minimum (the lines' height is heightForWidth's)."""
        margins = self.contentsMargins()
        items = [item.minimumSize() for item in self._shown()]
        return QSize(max((m.width() for m in items), default=0) + margins.left() + margins.right(),
                     max((m.height() for m in items), default=0) + margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Lay the widgets out in ``rect`` (only measure unless ``move``); returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = max(min(hint.width(), area.width()), item.minimumSize().width())
            if x > area.x() and x + width > area.x() + area.width():
                x, y, line = area.x(), y + line + self._line_spacing, 0
            height = item.heightForWidth(width) if item.hasHeightForWidth() else hint.height()
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
            x += width + self._spacing
            line = max(line, height)
        return y + line - rect.y() + margins.bottom()
