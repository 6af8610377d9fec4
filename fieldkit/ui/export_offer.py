"""After a file is written for the researcher (a report, a table, an export, a call list): a bar
that offers to open it, or to show the folder it is in, without stopping them.

``ExportOffer`` is the bar itself: the file's name, **Open**, **Show in folder** and a close
button. It sits inline in a dialog that writes files, or in the main window's status bar
(``offer_in_status_bar``) for files written from a screen or a menu. It goes away when closed,
when the next file replaces it, or after a few minutes. Both buttons hand a file URL to the
desktop through ``open_url``, the one call to ``QDesktopServices``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldkit.ui.qt import (
    QDesktopServices,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStatusBar,
    QTimer,
    QUrl,
    QWidget,
)

#: How long the offer stays in the status bar when left alone (ms).
STATUS_BAR_MS = 5 * 60_000
OFFER_NAME = "export-offer"


def open_url(url: QUrl) -> bool:
    """Open ``url`` with the desktop's own application for it (a file, or a folder in the file manager)."""
    return QDesktopServices.openUrl(url)


class ExportOffer(QFrame):
    """"Saved Report.pdf  [Open] [Show in folder] [×]" for the last file written."""

    def __init__(self, parent: QWidget | None = None, *, closable: bool = True):
        super().__init__(parent)
        self.setObjectName(OFFER_NAME)
        self.setAccessibleName("Open the file just saved")
        self.path: Path | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setAccessibleName("File just saved")
        row.addWidget(self.label)
        row.addSpacing(8)
        self.open_button = QPushButton("&Open")
        self.open_button.setAccessibleName("Open the file")
        self.open_button.clicked.connect(self.open_file)
        self.folder_button = QPushButton("Show in &folder")
        self.folder_button.setAccessibleName("Show the file in its folder")
        self.folder_button.clicked.connect(self.show_folder)
        for button in (self.open_button, self.folder_button):
            button.setAutoDefault(False)  # Enter in a dialog keeps doing what it did
            row.addWidget(button)
        self.close_button = QPushButton("×")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setFlat(True)
        self.close_button.setAutoDefault(False)
        self.close_button.setFixedWidth(self.close_button.fontMetrics().horizontalAdvance("×") + 16)
        self.close_button.clicked.connect(self.dismiss)
        self.close_button.setVisible(closable)
        row.addWidget(self.close_button)
        row.addStretch(1)  # the buttons stay beside the file's name
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def offer(self, path: Path, text: str | None = None, *, timeout_ms: int | None = None) -> None:
        """Offer ``path`` (replacing any file offered before); ``text`` instead of "Saved NAME";
        ``timeout_ms``: hide by itself after that long."""
        self.path = Path(path)
        self.label.setText(text or f"Saved {self.path.name}")
        self.label.setToolTip(str(self.path))
        self.show()
        if timeout_ms is not None:
            self._timer.start(timeout_ms)

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()

    def open_file(self) -> bool:
        """Open the file with the application the desktop uses for it."""
        return self.path is not None and open_url(QUrl.fromLocalFile(str(self.path)))

    def show_folder(self) -> bool:
        """Open the folder the file is in."""
        return self.path is not None and open_url(QUrl.fromLocalFile(str(self.path.parent)))


def status_bar_offer(window: Any) -> ExportOffer:
    """The offer in ``window``'s status bar (made the first time it is needed)."""
    bar: QStatusBar = window.statusBar()
    found = bar.findChild(ExportOffer, OFFER_NAME)
    if found is not None:
        return found
    offer = ExportOffer(bar)
    bar.addWidget(offer, 1)
    return offer


def offer_in_status_bar(window: Any, path: Path, text: str | None = None) -> ExportOffer:
    """Offer ``path`` in ``window``'s status bar; any message showing there gives way to it."""
    offer = status_bar_offer(window)
    window.statusBar().clearMessage()  # a temporary message hides the status bar's widgets
    offer.offer(path, text, timeout_ms=STATUS_BAR_MS)
    return offer
