"""Errors the user sees: plain-words dialogs, and a net for the unexpected.

An unexpected exception never kills the window silently: it is written to
``fieldkit.log`` in the platformdirs log folder and shown with a "Copy details" button.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from fieldkit.ui.qt import QApplication, QMessageBox, QWidget

log = logging.getLogger("fieldkit")


def log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("fieldkit", appauthor=False)) / "fieldkit.log"


def setup_logging() -> Path:
    """Log warnings and errors to the log file (created on first use)."""
    path = log_path()
    if not any(isinstance(h, logging.FileHandler) for h in log.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A problem the user can understand and act on (a bad file, a value that does not fit)."""
    QMessageBox.warning(parent, title, text)


def show_unexpected(parent: QWidget | None, details: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText("fieldkit hit a problem it did not expect. Your study is safe: every change "
                "made before this was saved.")
    box.setInformativeText(f"The details are in {log_path()}.")
    box.setDetailedText(details)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    copy.clicked.disconnect()  # keep the box open after copying
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.exec()


def install_excepthook() -> None:
    """Route exceptions raised inside Qt callbacks to the log and a dialog."""
    setup_logging()

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error\n%s", details)
        if QApplication.instance() is not None:
            show_unexpected(QApplication.activeWindow(), details)
        else:  # pragma: no cover - before the app exists
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = hook
