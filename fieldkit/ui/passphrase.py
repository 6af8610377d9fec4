"""Passphrase dialogs: unlocking an encrypted study, and setting, changing or removing its
passphrase. What is typed stays in the dialog's memory until the study has it; nothing is
saved, remembered or logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.storage.sqlite import MIN_PASSPHRASE
from fieldkit.ui import palette
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    Qt,
    QVBoxLayout,
    QWidget,
)

KEEP_IT_SAFE = ("Keep the passphrase somewhere safe, such as a password manager. Without it nobody, "
                "you included, can open the study or its backups: it cannot be recovered.")
WHY = ("Encryption protects the names and numbers in the study if the laptop is lost or stolen, "
       "as the ICO expects for personal data on portable devices.")


def _secret_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(320)
    return field


def _wrapped(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class UnlockDialog(QDialog):
    """Asks for the passphrase of an encrypted study."""

    def __init__(self, parent: QWidget | None, path: Path, *, wrong: bool = False):
        super().__init__(parent)
        self.setWindowTitle("Passphrase")
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(f"“{path.stem}” is encrypted. Enter its passphrase to open it.", "intro"))
        if wrong:
            problem = _wrapped("That passphrase does not open this study. Check Caps Lock and the keyboard "
                               "layout, and try again.", "problem")
            palette.set_style_sheet(problem, "color: $problem;")
            layout.addWidget(problem)
        self.field = _secret_field("passphrase")
        layout.addWidget(self.field)
        show = QCheckBox("Show the passphrase")
        show.toggled.connect(lambda on: self.field.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        layout.addWidget(show)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.field.setFocus()

    def passphrase(self) -> str:
        return self.field.text()


def ask_passphrase(parent: QWidget | None, path: Path, *, wrong: bool = False) -> str | None:
    """The passphrase typed for ``path``, or None if the user cancelled."""
    dialog = UnlockDialog(parent, path, wrong=wrong)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.passphrase():
        return None
    return dialog.passphrase()


class NewPassphraseDialog(QDialog):
    """A new passphrase, typed twice, checked before the dialog can be accepted."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, *, ok_text: str = "Encrypt",
                 skip_text: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.skipped = False
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(intro, "intro"))
        layout.addWidget(_wrapped(KEEP_IT_SAFE, "keep_safe"))
        form = QFormLayout()
        self.first = _secret_field("new_passphrase")
        self.second = _secret_field("repeat_passphrase")
        form.addRow("New passphrase:", self.first)
        form.addRow("The same again:", self.second)
        layout.addLayout(form)
        self.hint = _wrapped("", "hint")
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        if skip_text:
            skip = self.buttons.addButton(skip_text, QDialogButtonBox.ButtonRole.DestructiveRole)
            skip.clicked.connect(self._skip)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.first.textChanged.connect(self._check)
        self.second.textChanged.connect(self._check)
        self._check()
        self.first.setFocus()

    def _skip(self) -> None:
        self.skipped = True
        self.accept()

    def _check(self) -> None:
        first, second = self.first.text(), self.second.text()
        if len(first) < MIN_PASSPHRASE:
            hint = (f"At least {MIN_PASSPHRASE} characters. A few unrelated words are easy to type and "
                    "hard to guess.")
        elif first != second:
            hint = "Type the same passphrase in both boxes." if second else "Now type it again below."
        else:
            hint = "The passphrases match."
        self.hint.setText(hint)
        self.ok.setEnabled(len(first) >= MIN_PASSPHRASE and first == second)

    def passphrase(self) -> str | None:
        """The new passphrase, or None when the user chose to go on without one."""
        return None if self.skipped else self.first.text()


def ask_new_passphrase(parent: QWidget | None, title: str, intro: str, *, ok_text: str = "Encrypt",
                       skip_text: str | None = None) -> tuple[bool, str | None]:
    """(accepted, passphrase): accepted is False on Cancel; passphrase is None on ``skip_text``."""
    dialog = NewPassphraseDialog(parent, title, intro, ok_text=ok_text, skip_text=skip_text)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False, None
    return True, dialog.passphrase()


def confirm_removal(parent: QWidget | None, name: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "Remove the passphrase",
                      f"Remove the passphrase from “{name}”?\n\nThe study and its backups will be stored "
                      "unencrypted: anyone with the file, or the laptop, can read the names and numbers in it.",
                      QMessageBox.StandardButton.Cancel, parent)
    remove = box.addButton("Remove passphrase", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is remove


def new_study_dialog(parent: QWidget | None, name: str) -> NewPassphraseDialog:
    return NewPassphraseDialog(
        parent, "Protect the new study",
        f"Protect “{name}” with a passphrase? {WHY} You can also do this later, with File ▸ Passphrase…, "
        "but it is best done before any personal data goes in.",
        ok_text="Encrypt", skip_text="Not now")


def ask_for_new_study(parent: QWidget | None, name: str) -> tuple[bool, str | None]:
    """Offered when a study is created: (go on?, passphrase or None for no encryption)."""
    dialog = new_study_dialog(parent, name)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False, None
    return True, dialog.passphrase()


def manage(parent: QWidget | None, session, before_change: Callable[[], None]) -> bool:
    """File ▸ Passphrase…: encrypt the open study, or change or remove its passphrase.

    ``before_change`` closes the screens' read-only connections (the file is replaced).
    Returns True when something changed."""
    study = session.study
    name = study.path.stem
    if not study.encrypted:
        accepted, passphrase = ask_new_passphrase(
            parent, "Encrypt the study",
            f"Encrypt “{name}” with a passphrase. {WHY} The study and all its backups are rewritten "
            "encrypted; this takes a moment for a large study.")
        if not accepted:
            return False
        done = "is now encrypted, and so are its backups"
    else:
        box = QMessageBox(QMessageBox.Icon.Question, "Passphrase",
                          f"“{name}” is encrypted with a passphrase. Change the passphrase, or remove it?",
                          QMessageBox.StandardButton.Cancel, parent)
        change = box.addButton("Change passphrase…", QMessageBox.ButtonRole.AcceptRole)
        remove = box.addButton("Remove passphrase…", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(change)
        box.exec()
        if box.clickedButton() is change:
            accepted, passphrase = ask_new_passphrase(
                parent, "Change the passphrase",
                f"Choose a new passphrase for “{name}”. The study and all its backups are re-encrypted with "
                "it; the old one will no longer open them.", ok_text="Change passphrase")
            if not accepted:
                return False
            done = "has its new passphrase, and so have its backups"
        elif box.clickedButton() is remove and confirm_removal(parent, name):
            passphrase = None
            done = "is no longer encrypted, nor are its backups"
        else:
            return False
    before_change()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        ok = session.run(study.set_passphrase, passphrase, changes=set(), what="the passphrase")
    finally:
        QApplication.restoreOverrideCursor()
    if ok:
        QMessageBox.information(parent, "Passphrase", f"“{name}” {done}."
                                + (f"\n\n{KEEP_IT_SAFE}" if passphrase is not None else ""))
    return ok
