"""File ▸ Backups: where a study's backups live, when the last was taken, and restoring one.

A backup never holds the anonymous answers still held with their interviews (fieldkit.held):
the dialog says so, and what a restore would therefore lack.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.storage import backups
from fieldkit.ui.held import lacks_held
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
    "before-passphrase": "Before the passphrase changed",
    "before-merge": "Before another copy was merged in",
}


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} kB"


class BackupsDialog(QDialog):
    """Lists the backups of one study; ``chosen`` is the backup to restore after ``accept``."""

    def __init__(self, study_path: Path, parent: QWidget | None = None, *, study=None):
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.resize(720, 420)
        self.chosen: Path | None = None
        self.study_path = study_path
        self.items = backups.list_backups(study_path)
        layout = QVBoxLayout(self)
        folder = backups.folder_for(study_path)
        last = (f"The last was taken {self.items[0].taken:%d %B %Y at %H:%M}." if self.items
                else "None has been taken yet.")
        where = QLabel(f"Backups of this study are kept in {folder}. {last} fieldkit keeps every backup "
                       "of the last two days, then one a day for a month, then one a week for a year.")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        #: what a restore lacks (the answers still held with their interviews), when the study is open
        self.held_note = held_note(study, after="; the file as it is now is kept beside a restored study, "
                                   "with them") if study is not None else ""
        if self.held_note:
            lacks = QLabel(self.held_note)
            lacks.setObjectName("held_note")
            lacks.setWordWrap(True)
            layout.addWidget(lacks)
        if backups.is_paused(study_path):
            paused = QLabel("Old backups are not being cleared away, because this study was restored.")
            paused.setWordWrap(True)
            layout.addWidget(paused)
        self.table = QTableWidget(len(self.items), 3)
        self.table.setAccessibleName("Backups")
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Size"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._fill()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.delete_button = QPushButton("Delete older backups…")
        self.delete_button.setToolTip("Delete every backup taken before the chosen one, e.g. after erasing "
                                      "personal data: older backups still hold it")
        self.restore_button = QPushButton("Restore this backup…")
        for button in (self.delete_button, self.restore_button):
            button.setEnabled(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._restore)
        self.delete_button.clicked.connect(self._delete_older)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(buttons)

    def _fill(self) -> None:
        self.table.clearSelection()
        self.table.setRowCount(len(self.items))
        for row, b in enumerate(self.items):
            for column, text in enumerate((f"{b.taken:%a %d %b %Y %H:%M:%S}", REASONS.get(b.reason, b.reason),
                                           _size(b.size))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def _selection_changed(self) -> None:
        row = self.table.currentRow() if self.table.selectedItems() else -1
        self.restore_button.setEnabled(row >= 0)
        self.delete_button.setEnabled(0 <= row < len(self.items) - 1)  # something older to delete

    def _delete_older(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.items) - 1:
            return
        b = self.items[row]
        n = len(self.items) - row - 1
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete older backups?",
                          f"Delete the {n} backup{'s' if n != 1 else ''} taken before {b.taken:%d %B %Y at %H:%M}? "
                          "Do this after erasing personal data, so that no copy of it is left. They cannot be "
                          "brought back; this backup and newer ones are kept.",
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton(f"Delete {n} backup{'s' if n != 1 else ''}", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not delete:
            return
        try:
            backups.delete_older(self.study_path, b.path)
        except (backups.BackupError, OSError) as e:
            QMessageBox.warning(self, "Not deleted", str(e))
        self.items = backups.list_backups(self.study_path)
        self._fill()

    def _restore(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        b = self.items[row]
        answer = QMessageBox.question(
            self, "Restore this backup?",
            f"The study will go back to how it was on {b.taken:%d %B %Y at %H:%M}. The current file is "
            "backed up first and kept beside it, so nothing is lost." + (f"\n\n{self.held_note}" if self.held_note
                                                                        else ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.chosen = b.path
            self.accept()


def held_note(study, what: str = "A study restored from a backup", *, after: str = "") -> str:
    """What a restore from a backup (or a copy: ``what`` = "The copy") lacks: the anonymous
    answers still held with their interviews; then how many the study holds now, and ``after``."""
    by_category = any(q.count_by for q in study.template.questions())
    text = lacks_held(study.anonymity_k, what, by_category=by_category)
    n = study.held.count()
    if n:
        text += f" Right now it holds {n} such answer{'s' if n != 1 else ''}{after}."
    return text
