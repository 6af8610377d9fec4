"""File ▸ Backups: where a study's backups live, when the last was taken, and restoring one."""

from __future__ import annotations

from pathlib import Path

from fieldkit.storage import backups
from fieldkit.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

REASONS = {
    "open": "When the study was opened",
    "auto": "Automatic, while working",
    "manual": "Taken by hand",
    "before-import": "Before an import",
    "before-migration": "Before an update of the study format",
    "before-restore": "Before a restore",
    "before-erasure": "Before personal data was erased",
}


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} kB"


class BackupsDialog(QDialog):
    """Lists the backups of one study; ``chosen`` is the backup to restore after ``accept``."""

    def __init__(self, study_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.resize(720, 420)
        self.chosen: Path | None = None
        self.items = backups.list_backups(study_path)
        layout = QVBoxLayout(self)
        folder = backups.folder_for(study_path)
        last = (f"The last was taken {self.items[0].taken:%d %B %Y at %H:%M}." if self.items
                else "None has been taken yet.")
        where = QLabel(f"Backups of this study are kept in {folder}. {last} fieldkit keeps every backup "
                       "of the last two days, then one a day for a month, then one a week.")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(where)
        if backups.is_paused(study_path):
            paused = QLabel("Old backups are not being cleared away, because this study was restored.")
            paused.setWordWrap(True)
            layout.addWidget(paused)
        self.table = QTableWidget(len(self.items), 3)
        self.table.setAccessibleName("Backups")
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Size"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        for row, b in enumerate(self.items):
            for column, text in enumerate((f"{b.taken:%a %d %b %Y %H:%M:%S}", REASONS.get(b.reason, b.reason),
                                           _size(b.size))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.restore_button = QPushButton("Restore this backup…")
        self.restore_button.setEnabled(False)
        buttons.addButton(self.restore_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._restore)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(bool(self.table.selectedItems())))
        layout.addWidget(buttons)

    def _restore(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        b = self.items[row]
        answer = QMessageBox.question(
            self, "Restore this backup?",
            f"The study will go back to how it was on {b.taken:%d %B %Y at %H:%M}. The current file is "
            "backed up first and kept beside it, so nothing is lost.",
            QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        if answer == QMessageBox.Yes:
            self.chosen = b.path
            self.accept()
