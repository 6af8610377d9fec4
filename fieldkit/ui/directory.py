"""Organisations ▸ Publish to directory… and Pull from directory…: the shared directory in the app.

One dialog for each direction (fieldkit.directory does the work). Publishing first shows,
without connecting, exactly what would leave the laptop (the dry run: each organisation and
the details it agreed to); pressing Publish sends it. Pulling says what came in and changed.
The connection string and password are typed each time; a password goes to the system's
keyring (fieldkit.directory.credentials) and nowhere else, and a connection string is not kept.

The core call runs on a thread of its own (a directory server can be slow or far away); as
elsewhere in the UI that thread never touches Qt: it writes its progress into the job, and
the dialog polls for it and for the answer. The dialog is window-modal, so nothing else is
edited meanwhile; the screens are told what changed when it ends.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fieldkit.directory import FIELD_LABELS
from fieldkit.errors import FieldkitError
from fieldkit.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSettings,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import ORGANISATIONS
from fieldkit.ui.welcome import heading

if TYPE_CHECKING:
    from fieldkit.ui.session import StudySession


#: The connection string last published to or pulled from, without a password (QSettings key).
LAST_DIRECTORY = "directory/last"


class DirectoryJob:
    """A publish or pull running on its own thread: progress, then a result or an error."""

    def __init__(self) -> None:
        self.done_count = 0
        self.total = 0
        self.result: Any = None
        self.error: str | None = None
        self.finished = threading.Event()

    def progress(self, done: int, total: int) -> None:
        self.done_count, self.total = done, total

    def run(self, fn: Any) -> None:
        def work() -> None:
            try:
                self.result = fn()
            except FieldkitError as e:
                self.error = str(e)
            except Exception as e:  # noqa: BLE001 - a bug still ends the job, and says so
                self.error = f"unexpected error: {type(e).__name__}: {e}"
            finally:
                self.finished.set()

        threading.Thread(target=work, name="fieldkit-directory", daemon=True).start()


def _organisations(n: int) -> str:
    return f"{n:,} organisation{'' if n == 1 else 's'}"


class DirectoryDialog(QDialog):
    """Publish to or pull from a shared directory (``mode`` "publish" or "pull")."""

    def __init__(self, session: StudySession, mode: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.study, self.mode = session, session.study, mode
        self.job: DirectoryJob | None = None
        self._prepared: Any = None  # a publish's Prepared, sent by the job
        publishing = mode == "publish"
        self.setWindowTitle("Publish to directory" if publishing else "Pull from directory")
        self.resize(760, 540)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Publish to a shared directory" if publishing else "Pull from a shared directory",
                                 1.2))
        note = QLabel(
            "Only organisations with “Permission to list” ticked are published, each with its name and only the "
            "details it agreed to (Directory listing… on its case form). Nothing else leaves this computer."
            if publishing else
            "The other members' records come into your organisation list as “identified”. Pulling again updates "
            "them; organisations you added yourself are never changed.")
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.dsn = QLineEdit()
        self.dsn.setPlaceholderText("host=db.example.org dbname=york_directory user=york_cvs")
        self.dsn.setAccessibleName("Connection string")
        # The last one used, without its password (that is in the system's keyring, if anywhere).
        self.dsn.setText(str(QSettings("fieldkit", "fieldkit").value(LAST_DIRECTORY, "") or ""))
        form.addRow("Connection string", self.dsn)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("only the first time: then kept in the system's keyring")
        self.password.setAccessibleName("Password")
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("What would be sent" if publishing else "What came in")
        self.table.setHorizontalHeaderLabels(["Organisation", "Details sent" if publishing else "What happened"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 280)
        layout.addWidget(self.table, 1)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go = QPushButton("Publish" if publishing else "Pull")
        self.go.setDefault(True)
        buttons.addButton(self.go, QDialogButtonBox.ButtonRole.ActionRole)
        self.go.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._poll)
        if publishing:
            self._show_preview()

    def _rows(self, rows: list[tuple[str, str]]) -> None:
        self.table.setRowCount(len(rows))
        for n, (name, text) in enumerate(rows):
            self.table.setItem(n, 0, QTableWidgetItem(name))
            self.table.setItem(n, 1, QTableWidgetItem(text))

    def _show_preview(self) -> None:
        """The dry run: exactly what a publish would send, read from the study alone."""
        from fieldkit.directory.publish import publish

        result = publish(self.study, None, dry_run=True)
        self._rows([(r.name, "; ".join(f"{FIELD_LABELS[k]}: {v}" for k, v in r.values.items()) or "name only")
                    for r in result.records])
        gone = f", and {len(result.withdrawn)} taken off" if result.withdrawn else ""
        self.summary.setText(f"{_organisations(len(result.records))} would be published{gone}. Nothing has been "
                             "sent yet.")

    def start(self) -> None:
        """Publish or pull now, on a thread of its own."""
        dsn = self.dsn.text().strip()
        if not dsn:
            self.summary.setText("Type the directory's connection string first (its administrator gives it).")
            return
        from fieldkit.directory.credentials import with_password

        try:
            target = with_password(dsn, self.password.text())
        except FieldkitError as e:
            self.summary.setText(str(e))
            return
        from fieldkit.directory.credentials import without_password

        self.password.clear()
        self.dsn.setText(without_password(dsn))  # a password typed into it is not left on show
        QSettings("fieldkit", "fieldkit").setValue(LAST_DIRECTORY, without_password(dsn))
        # Only the server's side runs on the job's thread: the study is read before it and
        # written after it, here, on the thread that owns the study's connection.
        job = self.job = DirectoryJob()
        try:
            if self.mode == "publish":
                from fieldkit.directory.publish import prepare, send

                self._prepared = prepare(self.study)
                job.run(lambda: send(target, self._prepared, progress=job.progress))
            else:
                from fieldkit.directory.listing import source_id
                from fieldkit.directory.pull import fetch

                source = source_id(self.study)
                job.run(lambda: fetch(target, source))
        except FieldkitError as e:
            self.summary.setText(str(e))
            return
        self.go.setEnabled(False)
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)
        self.summary.setText("Publishing…" if self.mode == "publish" else "Pulling…")
        self.timer.start()

    def _poll(self) -> None:
        job = self.job
        if job is None:
            return
        if job.total:
            self.bar.setRange(0, job.total)
            self.bar.setValue(job.done_count)
        if job.finished.is_set():
            self.timer.stop()
            self._finish(job)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the job ends and show its result (for the tests)."""
        if self.job is not None:
            self.job.finished.wait(timeout)
            self._poll()

    def _finish(self, job: DirectoryJob) -> None:
        self.bar.setVisible(False)
        self.go.setEnabled(True)
        if job.error is not None:
            self.summary.setText(f"Nothing was changed: {job.error}")
            return
        try:
            if self.mode == "publish":
                self._published(job.result)
            else:
                self._pulled(job.result)
        except FieldkitError as e:
            self.summary.setText(str(e))
            return
        self.session.notify({ORGANISATIONS})

    def _published(self, sent: Any) -> None:
        from fieldkit.directory.publish import record_sent

        result = record_sent(self.study, self._prepared, sent)
        self.summary.setText(f"Published {_organisations(len(result.records))} to {result.directory}: "
                             f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged, "
                             f"{len(result.withdrawn)} taken off.")

    def _pulled(self, fetched: Any) -> None:
        from fieldkit.directory.pull import bring_in

        result = bring_in(self.study, fetched.directory, fetched.records, fetched.duplicates)
        rows = [(name, "new") for name in result.new] + [(name, "changed") for name in result.changed]
        rows += [(name, "withdrawn by its member (kept here)") for name in result.withdrawn]
        rows += [(d.records[0][2], f"listed by {len(d.records)} members ({d.reason}): both kept")
                 for d in result.duplicates]
        self._rows(rows)
        self.summary.setText(f"Pulled from {result.directory}: {len(result.new)} new, {len(result.changed)} "
                             f"changed, {len(result.withdrawn)} withdrawn, {result.unchanged} unchanged."
                             + (f" {len(result.left_out)} values not in the study's vocabularies were left "
                                "blank." if result.left_out else ""))


def open_directory(window: Any, mode: str) -> DirectoryDialog | None:
    """Organisations ▸ Publish to directory… (``mode`` "publish") or Pull from directory… ("pull")."""
    if window.session is None:
        return None
    dialog = DirectoryDialog(window.session, mode, window)
    dialog.finished.connect(dialog.deleteLater)
    window.directory_dialog = dialog
    dialog.open()
    return dialog
