"""How the desktop hands the app a study, and the start-up check of an installed bundle.

A double-clicked ``.fieldkit`` file reaches fieldkit in two ways. On Windows and Linux the
desktop starts ``fieldkit STUDY`` (the file association, the .desktop file's ``Exec=fieldkit %f``).
On macOS Finder sends an Apple event instead, to a running app or one it is starting, and Qt
delivers it to the application object as a ``QFileOpenEvent``: ``StudyFileOpener`` opens it.

``FIELDKIT_QUIT_AFTER_PAINT=1`` makes the app quit by itself once its window has painted, after
saying what it showed: packaging/prove-deb.sh starts the installed program that way on a machine
with no screen, to prove it opens a study end to end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from fieldkit.templates import shipped_dir
from fieldkit.ui.qt import QApplication, QCoreApplication, QEvent, QIcon, QObject, QTimer, QWidget

if TYPE_CHECKING:
    from fieldkit.ui.main_window import MainWindow

QUIT_AFTER_PAINT = "FIELDKIT_QUIT_AFTER_PAINT"
#: The name of the app's desktop entry and AppStream data (packaging/linux/).
DESKTOP_ID = "org.fieldkit.Fieldkit"
#: The app icon's sizes drawn for small screens; Qt scales the nearest for any other.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def set_app_icon() -> None:
    """The app icon on every window (title bar, task bar, Alt+Tab where the desktop takes it
    from the window), and the desktop entry Wayland matches the windows to."""
    QApplication.setDesktopFileName(DESKTOP_ID)
    folder = shipped_dir("resources") / "icons" / "app"
    icon = QIcon()
    for size in ICON_SIZES:
        png = folder / f"fieldkit-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    if not icon.isNull():
        QApplication.setWindowIcon(icon)


class StudyFileOpener(QObject):
    """Opens in ``window`` the study of each file-open event the application receives."""

    def __init__(self, window: MainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.FileOpen:
            return False
        name = event.file()  # type: ignore[attr-defined]  # a QFileOpenEvent
        if name:
            self.open(Path(name))
        return True

    def open(self, path: Path) -> None:
        """Bring the window forward on ``path``'s study: opened now, or already open."""
        session = self.window.session
        if session is None or Path(session.study.path).resolve() != path.resolve():
            self.window.open_study(path)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()


class _QuitAfterPaint(QObject):
    """Quits the application after the first paint of ``window`` or of anything inside it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (not self.done and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and (watched is self.window or self.window.isAncestorOf(watched))):
            self.done = True
            print(f"fieldkit: painted \u201c{self.window.windowTitle()}\u201d; quitting", flush=True)
            QTimer.singleShot(0, self._quit)
        return False

    def _quit(self) -> None:
        self.window.close()
        QApplication.quit()


def quit_after_paint_if_asked(app: QCoreApplication, window: QWidget) -> None:
    """With ``FIELDKIT_QUIT_AFTER_PAINT=1`` in the environment, quit once ``window`` has painted."""
    if os.environ.get(QUIT_AFTER_PAINT) == "1":
        app.installEventFilter(_QuitAfterPaint(window))
