"""The main window: welcome screen, navigation between screens, menus, status bar.

Screens are QWidgets built with ``(session, window)``. They change data only through the
session and redraw on ``session.changed``; to move the researcher elsewhere they call the
window's ``open_case``, ``start_interview``, ``resume_interview`` or ``show_screen``.

Next call (F5, from anywhere) asks ``fieldkit.calling`` for the organisation to phone now
(``fieldkit/ui/next_call.py``); the Call-backs item of the sidebar shows how many are due.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import FieldkitError, StudyDamagedError
from fieldkit.storage.sqlite import DatabaseError
from fieldkit.study import Study, default_folder
from fieldkit.templates import Template
from fieldkit.ui import errors, icons
from fieldkit.ui.qt import (
    QAction,
    QApplication,
    QFileDialog,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSettings,
    QSize,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.retention_banner import RetentionBanner
from fieldkit.ui.session import ATTEMPTS, DETAILS, INTERVIEWS, ORGANISATIONS, Place, StudySession
from fieldkit.ui.welcome import Welcome
from fieldkit.storage.files import study_file

if TYPE_CHECKING:
    from fieldkit.ui.collector import Collector
    from fieldkit.ui.interview_runner import InterviewsScreen
    from fieldkit.ui.next_call import NextCallDialog
    from fieldkit.ui.opening_checks import OpeningChecks
    from fieldkit.ui.organisations import OrganisationsScreen

#: (key, label, module, class) of each screen, in navigation order.
SCREENS = (
    ("organisations", "Organisations", "fieldkit.ui.organisations", "OrganisationsScreen"),
    ("callbacks", "Call-backs", "fieldkit.ui.callbacks", "CallbacksScreen"),
    ("interviews", "Interviews", "fieldkit.ui.interview_runner", "InterviewsScreen"),
    ("pool", "Pool", "fieldkit.ui.pool", "PoolScreen"),
    ("reports", "Reports", "fieldkit.ui.reports", "ReportsScreen"),
    ("settings", "Study settings", "fieldkit.ui.settings", "SettingsScreen"),
)
MAX_RECENT = 8
#: The smallest window the screens are laid out for (width, height): a 1024×768 screen less
#: its task bar and title bar.
MINIMUM_SIZE = (1024, 640)
#: Minutes between automatic backups while a study is open (skipped when nothing changed).
BACKUP_MINUTES = 10
#: The key of Next call (Ctrl+N is File ▸ New study).
NEXT_CALL_KEY = "F5"
#: The key of Edit ▸ Add organisation… (Ctrl+N is taken by File ▸ New study).
ADD_ORGANISATION_KEY = "Ctrl+Shift+N"
#: Keys of particular screens, which Help ▸ Keyboard shortcuts lists after the menus' own.
SCREEN_KEYS = (
    ("Enter", "Open the selected organisation"),
    ("Page Up / Page Down", "Previous / next organisation in the case form"),
    ("Ctrl+L", "Log an attempt (case form)"),
    ("Alt+Left / Alt+Right", "Previous / next section of the interview"),
    ("Ctrl+Return", "Finish the interview"),
    ("Alt+Up / Alt+Down", "Move the selected question, section or choice (interview schedule)"),
)
#: What the status bar says while a study's opening checks take longer than a moment.
CHECKING = "Checking the study…"
#: Changes that can move a call-back into or out of "due" (the sidebar's count).
DUE_RELEVANT = {ATTEMPTS, ORGANISATIONS, INTERVIEWS}
#: The icon (fieldkit.ui.icons) of each menu item that has one; the Go menu's take their screen's.
MENU_ICONS = {
    "&Open…": "open", "Save a &copy as…": "save", "&Import…": "import", "&Export for analysis…": "export",
    "&Backups and restore…": "backups", "&Passphrase…": "passphrase", "Print call &list…": "print",
    "&Undo": "undo", "&Redo": "redo", "&Find": "find", "&Add organisation…": "add", "&Next call…": "next_call",
    **{label: key for key, label, _, _ in SCREENS},
}
#: Where a change was made, as the status bar says it after an undo ("Undid … in the Pool").
WHERE = {"organisations": "in Organisations", "callbacks": "in Call-backs", "interviews": "in Interviews",
         "pool": "in the Pool", "reports": "in Reports", "settings": "in Study settings"}
#: How long the status bar says what an undo or redo changed (ms).
UNDONE_MS = 15_000


class MainWindow(QMainWindow):
    def __init__(self, *, welcome: bool = True) -> None:
        """``welcome=False`` leaves the window empty for a study about to be opened."""
        super().__init__()
        self.session: StudySession | None = None
        self.settings = QSettings("fieldkit", "fieldkit")
        self.screens: dict[str, QWidget] = {}
        #: the clock Next call and the due count read (tests set a fixed one)
        self.now = dt.datetime.now
        #: organisations skipped in Next call since the study was opened
        self.skipped_calls: list[int] = []
        self.next_call_dialog: NextCallDialog | None = None
        self._opening: OpeningChecks | None = None  # the open study's checks, while they run
        self._warnings_shown = 0  # how many of the open study's warnings were shown on opening
        self.setWindowTitle("fieldkit")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(1180, 760)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._saved_label = QLabel()
        self._saved_label.setAccessibleName("Save state")
        self._lock_label = QLabel()
        self._lock_label.setAccessibleName("Encryption")
        self._study_line = ""  # the open study's title and file, as the status bar shows them
        self.statusBar().addPermanentWidget(self._lock_label)
        self.statusBar().addPermanentWidget(self._saved_label)
        self._build_menus()
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_MINUTES * 60_000)
        self._backup_timer.timeout.connect(self.backup_now)
        self._due_timer = QTimer(self)  # call-backs fall due as the minutes pass
        self._due_timer.setInterval(60_000)
        self._due_timer.timeout.connect(self.show_due_count)
        if welcome:
            self.show_welcome()

    # --- menus ---------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut=None, *, study_only: bool = False) -> QAction:
        action = QAction(text, self)
        if text in MENU_ICONS:
            action.setIcon(icons.icon(MENU_ICONS[text]))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        if study_only:
            self._study_actions.append(action)
        return action

    def _build_menus(self) -> None:
        self._study_actions: list[QAction] = []
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New study…", self.show_welcome, QKeySequence.StandardKey.New)
        self._action(file, "&Open…", self.choose_study, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file, "New study from an arc&hive…", lambda _=False: _data_files().new_study_from_archive(self))
        file.addSeparator()
        self._action(file, "Save a &copy as…", self.save_copy, QKeySequence.StandardKey.SaveAs, study_only=True)
        self._action(file, "&Import…", self.import_file, study_only=True)
        self._action(file, "&Merge another copy…", self.merge_copy, study_only=True)
        self._action(file, "&Export for analysis…", lambda _=False: _data_files().export_for_analysis(self),
                     study_only=True)
        self._action(file, "&Archive study…", lambda _=False: _data_files().archive_study(self), study_only=True)
        self._action(file, "&Backups and restore…", self.show_backups, study_only=True)
        self._action(file, "&Passphrase…", self.manage_passphrase, study_only=True)
        file.addSeparator()
        self._action(file, "Print call &list…", lambda _=False: _printing().print_call_list(self), study_only=True)
        self._action(file, "Save call list as P&DF…", lambda _=False: _printing().save_call_list(self),
                     study_only=True)
        file.addSeparator()
        self._action(file, "&Close study", self.close_study, QKeySequence.StandardKey.Close, study_only=True)
        file.addSeparator()
        quit_ = self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        quit_.setMenuRole(QAction.MenuRole.QuitRole)

        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", self._undo, QKeySequence.StandardKey.Undo, study_only=True)
        self.redo_action = self._action(edit, "&Redo", self._redo, QKeySequence.StandardKey.Redo, study_only=True)
        edit.addSeparator()
        self._action(edit, "&Find", self.find_in_screen, QKeySequence.StandardKey.Find, study_only=True)
        edit.addSeparator()
        self._action(edit, "&Add organisation…", self.add_organisation, ADD_ORGANISATION_KEY, study_only=True)

        organisations = bar.addMenu("&Organisations")  # a consortium's shared directory (fieldkit/ui/directory.py)
        self._action(organisations, "&Publish to directory…",
                     lambda _=False: _directory().open_directory(self, "publish"), study_only=True)
        self._action(organisations, "P&ull from directory…",
                     lambda _=False: _directory().open_directory(self, "pull"), study_only=True)

        go = bar.addMenu("&Go")
        for number, (key, label, _, _) in enumerate(SCREENS, start=1):
            self._action(go, label, lambda _=False, k=key: self.show_screen(k), f"Ctrl+{number}",
                         study_only=True)
        go.addSeparator()
        self.next_call_action = self._action(go, "&Next call…", self.next_call, NEXT_CALL_KEY, study_only=True)
        self.next_call_action.setToolTip("The organisation to phone now, and why")

        help_ = bar.addMenu("&Help")
        self._action(help_, "&User guide", self.show_guide, "F1")
        self._action(help_, "&Keyboard shortcuts", self.show_shortcuts)
        about = self._action(help_, "&About fieldkit", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        self._update_actions()

    def _update_actions(self) -> None:
        for action in self._study_actions:
            action.setEnabled(self.session is not None)

    def _undo(self) -> None:
        self._step(undo=True)

    def _redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        """Edit ▸ Undo / Redo: go to the screen the change was made on (as it was then), take
        the change back or make it again, show what it touched, and say in the status bar what
        changed where. A change is never undone out of sight."""
        if self.session is None:
            return
        command = self.session.next_change(undo=undo)
        for _ in range(3):  # leaving a screen saves what was typed there: a newer change, perhaps
            if command is None or command.place is None or self.current_screen() == command.place.screen:
                break
            self.show_screen(command.place.screen)
            command = self.session.next_change(undo=undo)
        if command is None:
            return
        if command.place is not None and command.place.restore is not None:
            command.place.restore()
        text = command.text()
        (self.session.undo_stack.undo if undo else self.session.undo_stack.redo)()
        if not command.ok:  # refused: a dialog said why
            return
        if command.show is not None:
            with contextlib.suppress(RuntimeError):  # what it would select has gone with its widget
                command.show(undo)
        where = f" {command.place.words}" if command.place is not None else ""
        self.statusBar().showMessage(f"{'Undid' if undo else 'Redid'} {text}{where}", UNDONE_MS)

    def _name_step(self, action: QAction, verb: str, text: str) -> None:
        """Edit ▸ Undo / Redo say what they would take back or make again ("Undo redaction of a comment")."""
        action.setText(f"&{verb} {text.replace('&', '&&')}" if text else f"&{verb}")

    def current_screen(self) -> str | None:
        """The key of the screen shown (None on the welcome screen)."""
        if self.session is None or not self.screens:
            return None
        shown = self.stack.currentWidget()
        return next((key for key, widget in self.screens.items() if widget is shown), None)

    def _place(self) -> Place | None:
        """Where an edit is being made: the screen shown, and what puts it back as it is now."""
        key = self.current_screen()
        if key is None:
            return None
        keep = getattr(self.screens[key], "place", None)
        return Place(key, WHERE.get(key, ""), keep() if keep is not None else None)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in self.recent_studies() if Path(p).exists()]
        for path in recent:
            action = self.recent_menu.addAction(Path(path).stem)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_study(Path(p)))
        if not recent:
            self.recent_menu.addAction("No recent studies").setEnabled(False)

    def recent_studies(self) -> list[str]:
        value = self.settings.value("study/recent") or []
        return [value] if isinstance(value, str) else list(value)

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_studies() if p != str(path)]
        self.settings.setValue("study/recent", recent[:MAX_RECENT])
        self.settings.setValue("study/last", str(path))

    # --- welcome and studies -------------------------------------------------------------

    def show_welcome(self) -> None:
        if self.session is not None:
            self.close_study()
        self.setCentralWidget(Welcome(self))
        self.setWindowTitle("fieldkit")
        self._show_study_line("No study open")
        self._saved_label.clear()
        self._show_encryption()  # no study: nothing is said to be encrypted

    def open_study(self, path: Path, *, allow_risky_location: bool = False, passphrase: str | None = None) -> bool:
        """Open ``path`` as the window's study, asking for its passphrase if it is encrypted."""
        from fieldkit.errors import PassphraseError
        from fieldkit.storage.location import RiskyLocationError

        try:
            study = _busy(lambda: Study.open(path, allow_risky_location=allow_risky_location, passphrase=passphrase,
                                             defer_checks=True))
        except PassphraseError as e:
            typed = _passphrases().ask_passphrase(self, Path(path), wrong=not e.needed)
            return typed is not None and self.open_study(path, allow_risky_location=allow_risky_location,
                                                         passphrase=typed)
        except RiskyLocationError as e:
            answer = QMessageBox.warning(
                self,
                "This is not a safe place for a study",
                str(e),
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            return answer == QMessageBox.StandardButton.Open and self.open_study(path, allow_risky_location=True,
                                                                  passphrase=passphrase)
        except StudyDamagedError as e:
            return self._offer_backup(path, e, passphrase)
        except FieldkitError as e:
            errors.warn(self, "Cannot open the study", str(e))
            return False
        for warning in study.warnings:
            errors.warn(self, "Please note", warning)
        self._warnings_shown = len(study.warnings)
        if self.session is not None:
            self._close_session()
        self.session = StudySession(study, self)
        self.session.saved.connect(self._show_saved)
        self.session.save_state.connect(self._saved_label.setText)
        self.session.changed.connect(self._on_changed)
        self.session.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.session.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.session.undo_stack.undoTextChanged.connect(lambda t: self._name_step(self.undo_action, "Undo", t))
        self.session.undo_stack.redoTextChanged.connect(lambda t: self._name_step(self.redo_action, "Redo", t))
        self.session.place_of_edit = self._place
        if study.checking:
            from fieldkit.ui.opening_checks import OpeningChecks

            self._opening = OpeningChecks(study, lambda: self._checked(path, passphrase), self._checking_slowly, self)
        try:
            self._build_study_view()
        except DatabaseError:
            # The first page met damage before the checks did: let them finish and say what it is.
            if self._opening is None:
                raise
            self.wait_for_checks()
            if self.session is None:  # closed as damaged, its backup offered
                return False
            raise
        self._show_encryption()
        self._remember(study.path)
        self._update_actions()
        self._backup_timer.start()
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.skipped_calls = []
        self._due_timer.start()
        if not self.checking:
            self.show_due_count()
        return True

    @property
    def checking(self) -> bool:
        """True while the open study's opening checks run (it cannot be changed until they pass)."""
        return self._opening is not None and self._opening.running

    def wait_for_checks(self) -> None:
        """Wait for the open study's opening checks and act on what they found, now."""
        if self._opening is not None:
            self._opening.wait()

    def _checking_slowly(self) -> None:
        self._saved_label.setText(CHECKING)
        self._saved_label.setToolTip("The study is read through once on opening; changes can be made "
                                     "as soon as that is done")

    def _checked(self, path: Path, passphrase: str | None) -> None:
        """The opening checks are done: allow changes, or close a damaged study and offer its backup."""
        self._opening = None
        if self.session is None:
            return
        study = self.session.study
        warned = self._warnings_shown  # a change may have finished the opening already, on any thread
        try:
            study.finish_opening()
        except StudyDamagedError as e:
            self._close_session()
            self.show_welcome()
            self._offer_backup(path, e, passphrase)
            return
        except FieldkitError as e:
            self._close_session()
            self.show_welcome()
            errors.warn(self, "Cannot open the study", str(e))
            return
        if self._saved_label.text() == CHECKING:  # else it says how saving goes, which stays
            self._saved_label.setText(self.session.save_text)
            self._saved_label.setToolTip("")
        for warning in study.warnings[warned:]:
            errors.warn(self, "Please note", warning)
        self.show_due_count()

    def _offer_backup(self, path: Path, e: StudyDamagedError, passphrase: str | None) -> bool:
        """A damaged study was set aside: say so and offer to restore its newest good backup."""
        if e.backup is None:
            errors.warn(self, "The study is damaged", str(e))
            return False
        answer = QMessageBox.warning(
            self,
            "The study is damaged",
            f"{e}\n\nA backup lacks the anonymous answers that were still held with "
            "their interviews (the last few finished interviews' and any unfinished "
            "one's); the damaged file is kept beside the restored one.\n\n"
            "Restore that backup now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self._restore(path, Path(e.backup), passphrase)

    def _build_study_view(self) -> None:
        assert self.session is not None
        self.screens = {}
        self.nav = QListWidget()
        self.nav.setAccessibleName("Screens")
        self.nav.setMaximumWidth(200)
        self.nav.setSpacing(3)
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.nav.setFont(font)
        self.nav.setIconSize(QSize(16, 16))
        for key, label, _, _ in SCREENS:
            self.nav.addItem(QListWidgetItem(icons.icon(key), label))
        # Wide enough for the longest label with a count ("Call-backs (99 due)"): the screens
        # beside it give way, not the sidebar.
        metrics = self.nav.fontMetrics()
        widest = max([metrics.horizontalAdvance(label) for _, label, _, _ in SCREENS]
                     + [metrics.horizontalAdvance("Call-backs (99 due)")])
        needed = widest + 24 + self.nav.iconSize().width() + 4
        self.nav.setMaximumWidth(max(self.nav.maximumWidth(), needed))  # a large font widens it, never cuts it
        self.nav.setMinimumWidth(needed)
        # Every screen's item in view in the smallest window: the sidebar never scrolls.
        self.nav.setMinimumHeight(sum(self.nav.sizeHintForRow(row) + 2 * self.nav.spacing()
                                      for row in range(self.nav.count())) + 2 * self.nav.frameWidth())
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.next_call_button = QPushButton(icons.icon("next_call"), f"Next call ({NEXT_CALL_KEY})")
        self.next_call_button.setAccessibleName("Next call")
        self.next_call_button.setToolTip("The organisation to phone now, and why")
        self.next_call_button.clicked.connect(self.next_call)
        sidebar = QWidget()
        sidebar.setMaximumWidth(self.nav.maximumWidth())
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 6)
        side.setSpacing(6)
        side.addWidget(self.nav, 1)
        side.addWidget(self.next_call_button)
        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        state = self.settings.value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([170, 1000])
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.retention_banner = RetentionBanner(self)
        column.addWidget(self.retention_banner)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(lambda row: self.show_screen(SCREENS[row][0]))
        study = self.session.study
        self.setWindowTitle(f"{study.title} — fieldkit")
        self._show_study_line(f"{study.title} · {study.path}")
        self._saved_label.setText(self.session.save_text)
        self.nav.setCurrentRow(0)
        self.retention_banner.check(study)  # the deletion date has passed: say so, once per opening

    def show_due_count(self) -> None:
        """The sidebar's Call-backs item with how many call-backs are due now ("Call-backs (3 due)")."""
        if self.session is None:
            return
        due = len(self.session.study.attempts.callbacks_due(self.now()).overdue)
        row = [s[0] for s in SCREENS].index("callbacks")
        item = self.nav.item(row)
        label = SCREENS[row][1]
        item.setText(f"{label} ({due} due)" if due else label)
        item.setToolTip(f"{due} call-back{'s are' if due != 1 else ' is'} due now" if due
                        else "No call-back is due now")

    def screen_for(self, key: str) -> QWidget:
        """The screen ``key``, built the first time it is asked for."""
        if key not in self.screens:
            _, _, module, cls = next(s for s in SCREENS if s[0] == key)
            widget = getattr(importlib.import_module(module), cls)(self.session, self)
            self.screens[key] = widget
            self.stack.addWidget(widget)
        return self.screens[key]

    def show_screen(self, key: str) -> QWidget:
        widget = self.screen_for(key)
        self.stack.setCurrentWidget(widget)
        row = [s[0] for s in SCREENS].index(key)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        return widget

    def choose_study(self) -> None:
        folder = default_folder()
        name, _ = QFileDialog.getOpenFileName(self, "Open a study", str(folder if folder.exists() else Path.home()),
                                              "fieldkit studies (*.fieldkit)")
        if name:
            self.open_study(Path(name))

    def open_demo(self) -> None:
        from fieldkit.demo import demo_path
        from fieldkit.demo_report import create_demo

        path = demo_path()
        if not path.exists():
            try:
                create_demo(path).close()
            except FieldkitError as e:
                errors.warn(self, "Cannot create the demo study", str(e))
                return
        self.open_study(path)

    def new_study(self, template_path: Path) -> None:
        """A new study from the template file ``template_path`` (a card on the welcome screen)."""
        from fieldkit.template_toml import load_template

        try:
            template = load_template(template_path)
        except FieldkitError as e:
            errors.warn(self, "The template has problems", str(e))
            return
        from fieldkit.ui.area_picker import ask_areas

        try:
            chosen = ask_areas(self, template)  # the template's own, none, or picked (pick_areas)
        except FieldkitError as e:
            errors.warn(self, "Cannot use those areas", str(e))
            return
        if chosen is not None:
            self._create_study(chosen)

    def new_study_from_study(self) -> None:
        """A new study from the template another study has now (its schedule, vocabularies,
        tick boxes, targets and themes). That study is only read; nothing of it is copied but
        its template."""
        folder = default_folder()
        name, _ = QFileDialog.getOpenFileName(self, "Start from another study",
                                              str(folder if folder.exists() else Path.home()),
                                              "fieldkit studies (*.fieldkit)")
        if not name:
            return
        template = self._template_of_study(Path(name))
        if template is not None:
            self._create_study(template)

    def _template_of_study(self, path: Path) -> Template | None:
        """``path``'s current template, asking for its passphrase if it is encrypted; None
        (having said why) when it cannot be read or the user cancelled."""
        from fieldkit.errors import PassphraseError
        from fieldkit.study import template_of_study

        passphrase: str | None = None
        while True:
            try:
                return _busy(lambda typed=passphrase: template_of_study(path, passphrase=typed))
            except PassphraseError as e:
                passphrase = _passphrases().ask_passphrase(self, path, wrong=not e.needed)
                if passphrase is None:
                    return None
            except FieldkitError as e:
                errors.warn(self, "Cannot start from that study", str(e))
                return None

    def _create_study(self, template: Template) -> None:
        """Ask where the new study goes and whether to encrypt it, create it and open it."""
        folder = default_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name, _ = QFileDialog.getSaveFileName(self, "New study", str(folder / f"{template.title}.fieldkit"),
                                              "fieldkit studies (*.fieldkit)")
        if not name:
            return
        path = study_file(name)
        go_on, secret = _passphrases().ask_for_new_study(self, path.stem)
        if not go_on:
            return
        try:
            Study.create(path, template, passphrase=secret).close()
        except FieldkitError as e:
            errors.warn(self, "Cannot create the study", str(e))
            return
        self.open_study(path, passphrase=secret)

    def save_copy(self) -> None:
        if self.session is None:
            return
        study = self.session.study
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the study",
                                              str(study.path.with_name(f"{study.path.stem} (copy).fieldkit")),
                                              "fieldkit studies (*.fieldkit)")
        if not name:
            return
        copy = self.session.call(study.save_copy, Path(name), changes=set(), what="the copy")
        if copy is None:
            return
        self.statusBar().showMessage(f"Saved a copy as {copy}", 15_000)
        if study.held.count():  # say what the copy lacks, when it lacks something
            from fieldkit.ui.backups import held_note

            QMessageBox.information(self, "Copy saved", f"Saved a copy as {copy}.\n\n"
                                    + held_note(study, "The copy", after=", and goes on moving them to its pool"))

    def merge_copy(self) -> QWidget | None:
        """File ▸ Merge another copy…: the other researcher's copy of the study merged back in
        (``fieldkit.ui.merge``); every screen redraws once it is in."""
        if self.session is None:
            return None
        from fieldkit.ui.merge import MergeDialog

        dialog = MergeDialog(self.session, self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(dialog.result_text(), 15_000))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def import_file(self) -> QWidget | None:
        """File ▸ Import…: organisations, contact attempts or interviews from a CSV file, workbook
        or Access table (``fieldkit.ui.import_wizard``); the screens redraw once an import is in."""
        if self.session is None:
            return None
        from fieldkit.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.session.study, self)
        wizard.imported.connect(self.session.notify)
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        return wizard

    def backup_now(self) -> None:
        """The periodic backup: skipped when nothing changed; a failure is a warning only."""
        if self.session is None:
            return
        study = self.session.study
        before = len(study.warnings)
        study.backup("auto", only_if_changed=True)
        for warning in study.warnings[before:]:
            self.statusBar().showMessage(warning, 15_000)
        self.retention_banner.check(study)  # the deletion date may come while the study is open

    def show_backups(self) -> None:
        if self.session is None:
            return
        from fieldkit.ui.backups import BackupsDialog

        path = self.session.study.path
        dialog = BackupsDialog(path, self, study=self.session.study)
        if dialog.exec() and dialog.chosen is not None:
            self._close_session()
            if not self._restore(path, dialog.chosen):
                self.open_study(path)

    def manage_passphrase(self) -> None:
        """File ▸ Passphrase…: encrypt the study, or change or remove its passphrase."""
        if self.session is None:
            return
        organisations = self.screens.get("organisations")
        release = getattr(getattr(organisations, "loader", None), "release_reader", lambda: None)
        if _passphrases().manage(self, self.session, release):
            self._show_encryption()
            for warning in self.session.study.warnings:
                self.statusBar().showMessage(warning, 15_000)

    def _show_encryption(self) -> None:
        encrypted = self.session is not None and self.session.study.encrypted
        self._lock_label.setText("Encrypted" if encrypted else "")
        self._lock_label.setToolTip("The study and its backups are encrypted with a passphrase" if encrypted else "")

    def _restore(self, path: Path, backup: Path, passphrase: str | None = None) -> bool:
        """Put ``backup`` in place of the study and open it; an encrypted backup needs its
        passphrase (asked for unless the one just typed to open the study is given)."""
        from fieldkit.errors import PassphraseError
        from fieldkit.storage import backups

        while True:
            try:
                aside = backups.restore(path, backup, passphrase=passphrase)
                break
            except PassphraseError as e:
                passphrase = _passphrases().ask_passphrase(self, backup, wrong=not e.needed)
                if passphrase is None:
                    return False
            except FieldkitError as e:
                errors.warn(self, "Not restored", str(e))
                return False
        if not self.open_study(path, passphrase=passphrase):
            return False
        self.statusBar().showMessage(f"Restored. The file as it was is kept as {aside.name}.", 20_000)
        return True

    def _close_session(self) -> None:
        if self._opening is not None:
            self._opening.cancel()
            self._opening = None
        self._backup_timer.stop()
        self._due_timer.stop()
        if self.next_call_dialog is not None:
            self.next_call_dialog.reject()
        self.skipped_calls = []
        if self.session is None:
            return
        for widget in self.screens.values():
            close = getattr(widget, "close_study", None)
            if close is not None:
                close()
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.session.undo_stack.clear()  # no undo reaches into another study (and the menu says so)
        self.session.study.close()
        self.session.deleteLater()
        self.session = None
        self.screens = {}
        from fieldkit.ui.collector import Collector

        Collector.release()  # the closed study's screens can be freed now
        self._update_actions()

    def close_study(self) -> None:
        self._close_session()
        self.show_welcome()

    # --- moving the researcher around ------------------------------------------------------

    def open_case(self, org_id: int, ids: list[int] | None = None) -> None:
        """Show one organisation's case form; ``ids`` is the list Previous/Next walks."""
        self._show_organisations().open_case(org_id, ids)

    def start_interview(self, org_id: int) -> None:
        self._show_interviews().start(org_id)

    def resume_interview(self, interview_id: int) -> None:
        self._show_interviews().resume(interview_id)

    def _show_organisations(self) -> OrganisationsScreen:
        from fieldkit.ui.organisations import OrganisationsScreen

        screen = self.show_screen("organisations")
        assert isinstance(screen, OrganisationsScreen)
        return screen

    def _show_interviews(self) -> InterviewsScreen:
        from fieldkit.ui.interview_runner import InterviewsScreen

        screen = self.show_screen("interviews")
        assert isinstance(screen, InterviewsScreen)
        return screen

    def next_call(self) -> None:
        """Show the organisation to phone now (the calling queue's first not skipped)."""
        if self.session is None:
            return
        from fieldkit.ui.next_call import NextCallDialog

        if self.next_call_dialog is not None:
            self.next_call_dialog.close()
        dialog = NextCallDialog(self.session, self, skipped=self.skipped_calls, now=self.now)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _=0, d=dialog: self._next_call_closed(d))
        self.next_call_dialog = dialog
        dialog.open()

    def _next_call_closed(self, dialog) -> None:
        if self.next_call_dialog is dialog:
            self.next_call_dialog = None

    def add_organisation(self) -> None:
        """Edit ▸ Add organisation… (Ctrl+Shift+N, from anywhere): the Organisations screen,
        adding one as its Add organisation… button does."""
        if self.session is not None:
            self._show_organisations().add_organisation()

    def find_in_screen(self) -> None:
        """Edit ▸ Find: the current screen's search box, where it has one."""
        widget = self.stack.currentWidget() if self.session is not None else None
        focus = getattr(widget, "focus_search", None)
        if focus is not None:
            focus()

    # --- status and help -------------------------------------------------------------------

    def _show_saved(self) -> None:
        """A write landed: say what the session says of saving (an interview's answer that
        does not fit is still not saved, whatever else was)."""
        if self.session is not None:
            self._saved_label.setText(self.session.save_text)

    def _show_study_line(self, line: str, *, now: bool = True) -> None:
        """The study's title and file (or "No study open") in the status bar. With ``now``
        False (a rename), only in place of the old line: another message showing stays."""
        bar = self.statusBar()
        if now or bar.currentMessage() == self._study_line:
            bar.showMessage(line)
        self._study_line = line

    def _on_changed(self, kinds: set[str]) -> None:
        if kinds & DUE_RELEVANT:
            self.show_due_count()
        if DETAILS in kinds and self.session is not None:
            self.setWindowTitle(f"{self.session.study.title} — fieldkit")
            self._show_study_line(f"{self.session.study.title} · {self.session.study.path}", now=False)
            self.retention_banner.check(self.session.study)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Help ▸ Keyboard shortcuts' rows: every menu command that has a key, read from the menus
        themselves (so the list cannot fall behind them), then the keys of particular screens."""
        rows = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            for action in menu.actions() if isinstance(menu, QMenu) else ():
                key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if key:
                    what = action.text().replace("&", "").rstrip("…")
                    rows.append((key, f"{menu_action.text().replace('&', '')} ▸ {what}"))
        return rows + list(SCREEN_KEYS)

    def show_shortcuts(self) -> None:
        def cell(text: str) -> str:
            return html.escape(text).replace(" ", "&nbsp;")  # each on one line

        rows = "".join(f"<tr><td><b>{cell(k)}</b>&nbsp;&nbsp;&nbsp;</td><td>{cell(v)}</td></tr>"
                       for k, v in self.shortcut_rows())
        text = f'<table cellpadding="2">{rows}</table>'
        QMessageBox.information(self, "Keyboard shortcuts", text)

    def show_about(self) -> None:
        """Help ▸ About: versions, licence and fieldkit's folders (fieldkit/ui/about.py)."""
        from fieldkit.ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.exec()
        dialog.deleteLater()

    def show_guide(self) -> None:
        """Help ▸ User guide: docs/guide.md in a window of its own (fieldkit/ui/user_guide.py)."""
        from fieldkit.ui.user_guide import show_guide

        show_guide(self)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.settings.setValue("window/geometry", self.saveGeometry())
        self._close_session()
        super().closeEvent(event)


def _passphrases() -> Any:
    """fieldkit.ui.passphrase (asking for and managing passphrases), imported when first used:
    most studies are not encrypted, and its dialogs' classes cost time to load at start-up."""
    return importlib.import_module("fieldkit.ui.passphrase")


def _data_files():
    """fieldkit.ui.data_files (exports for analysis and archives), imported when first used."""
    return importlib.import_module("fieldkit.ui.data_files")


def _directory():
    """fieldkit.ui.directory (publishing to and pulling from a shared directory), imported when first used."""
    return importlib.import_module("fieldkit.ui.directory")


def _printing():
    """fieldkit.ui.printing (the call list and case sheets on paper), imported when first used."""
    return importlib.import_module("fieldkit.ui.printing")


def _busy(work):
    """Run ``work`` with the busy cursor: opening checks the file and takes a backup, which
    takes a second or two for a very large study."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return work()
    finally:
        QApplication.restoreOverrideCursor()


#: The app's cycle collector (``run`` makes it), kept for as long as the app runs.
_collector: Collector | None = None


def run(path: Path | None = None) -> int:
    """Start the desktop app, on ``path`` if given, else on the last study or the welcome screen."""
    import sys

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("fieldkit")
    app.setOrganizationName("fieldkit")
    from fieldkit.ui.launch import StudyFileOpener, quit_after_paint_if_asked, set_app_icon

    set_app_icon()
    from fieldkit.ui.palette import follow_system

    follow_system(app)  # light or dark as the system is, and as it changes
    errors.install_excepthook()
    from fieldkit.ui.fonts import install_app_fonts

    install_app_fonts()  # names in every script show on screen, even where the system lacks fonts
    from fieldkit.ui.collector import Collector

    global _collector
    _collector = Collector(app)  # cycles freed on this thread, never on a worker's
    window = MainWindow(welcome=False)
    if path is None:
        last = window.settings.value("study/last")
        if not (last and Path(last).exists() and window.open_study(Path(last))):
            window.show_welcome()
    elif not window.open_study(path):
        return 1
    app.installEventFilter(StudyFileOpener(window, app))  # a study double-clicked in macOS's Finder
    quit_after_paint_if_asked(app, window)
    window.show()
    QTimer.singleShot(0, window.raise_)
    return app.exec()
