"""Help ▸ About fieldkit: the version and licence, what it runs on, and where it keeps things.

Everything shown comes from ``fieldkit.about``; this module only lays it out. "Copy details"
puts the versions on the clipboard for a support email, and each folder has an "Open folder"
button that shows it in the desktop's file manager (made first if nothing was written there
yet). The dialog needs no open study.
"""

from __future__ import annotations

from collections.abc import Callable

from fieldkit import about
from fieldkit.errors import FieldkitError
from fieldkit.ui import qt
from fieldkit.ui.qt import (
    QApplication,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
)

#: Opens a URL on the desktop (a folder in the file manager): QDesktopServices.openUrl, or a
#: stand-in that records the URL where nothing may really be opened.
OpenUrl = Callable[[QUrl], object]


def qt_rows() -> list[tuple[str, str]]:
    """The Qt library and the PySide6 binding the window runs on (the core cannot ask Qt)."""
    return [("Qt", qt.qVersion()), ("PySide6", qt.__version__)]  # every PySide6 module carries its version


def _selectable(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    return label


class AboutDialog(QDialog):
    """The About box. ``open_url`` shows a folder (QDesktopServices.openUrl unless given)."""

    def __init__(self, parent: QWidget | None = None, *, open_url: OpenUrl | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About fieldkit")
        self.setAccessibleName("About fieldkit")
        self._open_url: OpenUrl = open_url or QDesktopServices.openUrl
        #: (name, value) of each version shown, as "Copy details" copies them
        self.rows = about.details(qt_rows())
        self.details = about.details_text(self.rows)
        #: the folders shown, and the "Open folder" button of each (by ``Place.key``)
        self.places = about.places()
        self.folder_buttons: dict[str, QPushButton] = {}

        layout = QVBoxLayout(self)
        title = QLabel(f"fieldkit {about.version()}")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName("Program and version")
        layout.addWidget(title)
        blurb = QLabel("Offline research by interview: organisations, attempts, interviews and an anonymous "
                       "comment pool, in one file on this computer.")
        blurb.setWordWrap(True)
        layout.addWidget(blurb)

        versions = QGroupBox("Versions")
        versions.setAccessibleName("Versions")
        form = QFormLayout(versions)
        for name, value in self.rows:
            form.addRow(f"{name}:", _selectable(value, f"{name} version" if name != "Licence" else name))
        layout.addWidget(versions)

        folders = QGroupBox("Where fieldkit keeps things")
        folders.setAccessibleName("Where fieldkit keeps things")
        grid = QGridLayout(folders)
        grid.setColumnStretch(1, 1)
        for row, place in enumerate(self.places):
            heading = QLabel(f"<b>{place.label}</b>")
            grid.addWidget(heading, row * 2, 0, Qt.AlignmentFlag.AlignTop)
            path = _selectable(str(place.path), f"{place.label} folder")
            grid.addWidget(path, row * 2, 1)
            what = QLabel(place.what)
            what.setWordWrap(True)
            grid.addWidget(what, row * 2 + 1, 1)
            button = QPushButton("Open folder")
            button.setAccessibleName(f"Open the {place.label.lower()} folder")
            button.setToolTip(f"Show {place.path} in the file manager")
            button.clicked.connect(lambda _=False, p=place: self.open_folder(p))
            grid.addWidget(button, row * 2, 2)
            self.folder_buttons[place.key] = button
        layout.addWidget(folders)

        #: what the last action did ("Copied…", or why a folder could not be opened)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setAccessibleName("Copy details")
        self.copy_button.setToolTip("Put the versions above on the clipboard, to paste into an email")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 620), self.sizeHint().height())

    def copy_details(self) -> None:
        """Put the versions on the clipboard, as plain text for a support email."""
        QApplication.clipboard().setText(self.details)
        self.message.setText("The details are on the clipboard: paste them into your email.")

    def open_folder(self, place: about.Place) -> None:
        """Show ``place``'s folder in the file manager, making it first if it does not exist."""
        try:
            path = place.ensure()
        except FieldkitError as e:
            self.message.setText(str(e))
            return
        if self._open_url(QUrl.fromLocalFile(str(path))) is False:
            self.message.setText(f"No program on this computer opens folders; the folder is {path}.")
        else:
            self.message.setText("")
