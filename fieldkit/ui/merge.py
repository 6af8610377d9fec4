"""File ▸ Merge another copy…: bring the other researcher's copy of the study back in.

The dialog shows what ``fieldkit.merge.plan`` found (what comes across, what is taken from
the other copy), a table of the fields edited differently in both copies with a choice for
each, and the organisations added in both that may be the same one, each with a tick box.
Merging calls ``fieldkit.merge.apply`` through the study's session; the rules are the core's.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit import merge
from fieldkit.errors import FieldkitError, PassphraseError
from fieldkit.merge_plan import MergePlan
from fieldkit.ui import errors
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import ChangeKind, StudySession

MINE, THEIRS = "This study's", "The other copy's"


class MergeDialog(QDialog):
    """Choose the other copy, see what merging it does, settle conflicts, merge."""

    def __init__(self, session: StudySession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.plan: MergePlan | None = None
        self.merged: merge.Merged | None = None
        self.setWindowTitle("Merge another copy")
        self.resize(820, 620)
        layout = QVBoxLayout(self)
        intro = QLabel("When two researchers each took a copy of this study, merge the other copy back in: its "
                       "attempts, interviews, comments and edits join this study, none twice. The other file is "
                       "only read. A backup of this study is taken first.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.path_field = QLineEdit()
        self.path_field.setReadOnly(True)
        self.path_field.setPlaceholderText("The other copy of the study")
        self.path_field.setAccessibleName("The other copy")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        row.addWidget(self.path_field, 1)
        row.addWidget(choose)
        layout.addLayout(row)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setAccessibleName("What merging does")
        self.summary.setPlaceholderText("Choose the other copy to see what merging it would do.")
        layout.addWidget(self.summary, 2)
        self.conflicts_label = QLabel("Edited differently in both copies: choose which to keep")
        layout.addWidget(self.conflicts_label)
        self.conflicts = QTableWidget(0, 4)
        self.conflicts.setHorizontalHeaderLabels(["Organisation", "Field", "Values", "Keep"])
        self.conflicts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts.verticalHeader().setVisible(False)
        header = self.conflicts.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.conflicts, 2)
        self.matches_label = QLabel("Added in both copies and perhaps the same organisation: tick those that are")
        layout.addWidget(self.matches_label)
        self.matches = QListWidget()
        self.matches.setAccessibleName("Possible matches")
        layout.addWidget(self.matches, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.merge)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show_plan()

    # --- the other copy --------------------------------------------------------------------

    def choose_file(self) -> None:
        here = self.session.study.path
        name, _ = QFileDialog.getOpenFileName(self, "The other copy of the study", str(here.parent),
                                              "fieldkit studies (*.fieldkit)")
        if name:
            self.load(Path(name))

    def load(self, path: Path, passphrase: str | None = None) -> bool:
        """Read the copy at ``path`` and show what merging it would do; False (said in a
        dialog) when it cannot be merged."""
        needed, problem = True, ""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a second or so for a large study
        try:
            found: MergePlan | None = merge.plan(self.session.study, path, passphrase=passphrase)
        except PassphraseError as e:
            found, needed, problem = None, e.needed, ""
        except FieldkitError as e:
            found, needed, problem = None, True, str(e)
        finally:
            QApplication.restoreOverrideCursor()
        if found is None and not problem:
            from fieldkit.ui.passphrase import ask_passphrase

            secret = ask_passphrase(self, path, wrong=not needed)
            return self.load(path, secret) if secret else False
        if found is None:
            errors.warn(self, "Cannot merge that copy", problem)
            return False
        self.path_field.setText(str(path))
        self.plan = found
        self._show_plan()
        return True

    def _show_plan(self) -> None:
        found = self.plan
        lines = [] if found is None else [
            line for line in found.lines(keys=False) if not line.startswith(("conflict:", "offered match:"))]
        self.summary.setPlainText("\n".join(lines))
        conflicts = found.conflicts if found else []
        self.conflicts.setRowCount(len(conflicts))
        for row, c in enumerate(conflicts):
            who = c.organisation if c.record == "organisation" else f"{c.organisation} (contact)"
            values = f"this study: {c.mine_shown or c.mine or '(blank)'}\nthe other copy: " \
                     f"{c.theirs_shown or c.theirs or '(blank)'}"
            for column, text in enumerate((who, c.field, values)):
                self.conflicts.setItem(row, column, QTableWidgetItem(text))
            keep = ComboBox()
            keep.addItems([MINE, THEIRS])
            keep.setAccessibleName(f"Keep for {c.field} of {c.organisation}")
            self.conflicts.setCellWidget(row, 3, keep)
        self.conflicts.resizeRowsToContents()
        self.conflicts_label.setVisible(bool(conflicts))
        self.conflicts.setVisible(bool(conflicts))
        self.matches.clear()
        for offer in found.matches if found else []:
            item = QListWidgetItem(f"“{offer.theirs_name}” in the other copy is “{offer.mine_name}” here "
                                   f"({', '.join(offer.reasons)})")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, offer.key)
            self.matches.addItem(item)
        self.matches_label.setVisible(bool(found and found.matches))
        self.matches.setVisible(bool(found and found.matches))
        self.merge_button.setEnabled(found is not None and not found.empty)

    # --- choices and merging ---------------------------------------------------------------

    def choose(self, row: int, side: str) -> None:
        """Keep ``side`` ("mine" or "theirs") for the conflict in ``row``."""
        combo = self.conflicts.cellWidget(row, 3)
        assert isinstance(combo, ComboBox)
        combo.setCurrentIndex(0 if side == "mine" else 1)

    def tick_match(self, row: int, on: bool = True) -> None:
        self.matches.item(row).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def choices(self) -> dict[str, str]:
        out = {}
        for row, c in enumerate(self.plan.conflicts if self.plan else []):
            combo = self.conflicts.cellWidget(row, 3)
            assert isinstance(combo, ComboBox)
            out[c.key] = "mine" if combo.currentIndex() == 0 else "theirs"
        return out

    def chosen_matches(self) -> list[str]:
        return [self.matches.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.matches.count())
                if self.matches.item(row).checkState() == Qt.CheckState.Checked]

    def merge(self) -> bool:
        """Merge as chosen; the screens redraw. False when it was not done (a dialog said why)."""
        if self.plan is None:
            return False
        done = self.session.call(merge.apply, self.session.study, self.plan, choices=self.choices(),
                                 matches=self.chosen_matches(), changes=set(ChangeKind), what="the merge")
        if done is None:
            return False
        self.merged = done
        self.session.undo_stack.clear()  # not undone step by step: the backup holds the study as it was
        self.accept()
        return True

    def result_text(self) -> str:
        """What the merge did, in a line (the window's status bar shows it)."""
        done = self.merged
        if done is None:
            return ""
        if done.backup is None:
            return done.describe().capitalize()
        return f"Merged {Path(self.path_field.text()).name}: {done.describe()} (backup: {done.backup.name})"
