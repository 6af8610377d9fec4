"""Files for other people: File ▸ Export for analysis… (``fieldkit.datasets``: a table or the
codebook for a statistician, in CSV, Excel, SPSS or Stata), File ▸ Archive study… and New
study from an archive… (``fieldkit.archive``: the whole study as documented JSON in one zip,
and a new study made from one).

The rules are the core's. This module asks where files go and for passphrases, writes off
the UI thread (``wait_for``: a large study takes a while, and the window goes on drawing),
and says what was written, with what the command line says (``fieldkit export``, ``archive``
and ``unarchive``): for the pool, the answers hidden among fewer than k interviews and the
comments that name someone; for an archive, whether it is encrypted and what it left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fieldkit import datasets
from fieldkit.errors import FieldkitError, PassphraseError
from fieldkit.ui import errors, palette
from fieldkit.ui import passphrase as passphrases
from fieldkit.ui.export_offer import ExportOffer
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEventLoop,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.welcome import heading
from fieldkit.storage.files import study_file

if TYPE_CHECKING:
    from fieldkit.study import Study

T = TypeVar("T")

#: How often the UI thread looks whether the work is done (ms).
POLL_MS = 30
#: The folder the last export or archive went to (QSettings key).
FOLDER_KEY = "data_files/folder"

EXPORT_INTRO = ("The study's data as files for analysis: for a spreadsheet, R (a CSV with the codebook "
                "beside it), SPSS or Stata. Choices are written as codes, with their words as value labels "
                "and in the codebook. Nothing in the study changes.")
ARCHIVE_INTRO = ("The whole study in one .zip, to hand over or deposit: every record, the comment pool "
                 "(in a shuffled order) and every version of the template, as documented JSON files that "
                 "any zip tool and JSON reader can open. File ▸ New study from an archive… makes a study "
                 "of it again.")
ENCRYPTED_NOTE = ("The study is encrypted, so its archive is too, with a new passphrase you choose for the "
                  "archive: not the study's own, because an archive's passphrase is far quicker to guess "
                  "and the archive goes to other people.")
PLAIN_NOTE = ("Encrypt the archive when it holds names, phone numbers or anything said in confidence and "
              "will travel: it gets a passphrase of its own, which its reader needs.")
ARCHIVE_KEEP_SAFE = ("Keep the passphrase somewhere safe, such as a password manager, and give it to whoever "
                     "receives the archive separately from the archive. Without it nobody can open the "
                     "archive: it cannot be recovered.")
ARCHIVE_CIPHER = "AES-256, WinZip AES: 7-Zip and most archivers open it"


def wait_for(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread of its own and return what it returns (or raise what it
    raises). Meanwhile the window goes on drawing, takes no clicks or keys, and the cursor
    says wait. ``work`` must not touch Qt."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldkit-files")
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        future = executor.submit(work)
        timer.timeout.connect(lambda: loop.quit() if future.done() else None)
        timer.start()
        if not future.done():
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        timer.stop()
        QApplication.restoreOverrideCursor()
        executor.shutdown(wait=True)
    return future.result()


def sentence(text: str) -> str:
    """``text`` with a capital first and a full stop last."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _wrapped(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def _file_name(title: str) -> str:
    """A study title as a file name: no characters any of the three systems refuse."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "-", title).strip(" .") or "study"


class FittedDialog(QDialog):
    """A dialog that stays tall enough for every wrapped line at the width it is given (a
    window's minimum height does not follow its labels' wrapping by itself), growing when a
    message appears in it."""

    def fit(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.setMinimumHeight(layout.totalHeightForWidth(self.width()))

    def start_size(self, min_width: int, width: int) -> None:
        self.setMinimumWidth(min_width)
        layout = self.layout()
        assert layout is not None  # every fitted dialog is built with its layout first
        self.resize(width, layout.totalHeightForWidth(width))
        self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.fit()


class _WritingDialog(FittedDialog):
    """A dialog of the open study that writes a file on a thread of its own: it cannot be
    closed half way through writing (``busy``)."""

    TITLE = ""  # each dialog's window title

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.study: Study = window.session.study
        self.setWindowTitle(self.TITLE)
        self.busy = False

    def reject(self) -> None:
        if not self.busy:  # never closed half way through writing
            super().reject()

    @classmethod
    def open_for(cls, window) -> None:
        """Show the dialog on ``window``'s study until it is closed (nothing without a study)."""
        if window.session is None:
            return
        dialog = cls(window)
        dialog.exec()
        dialog.deleteLater()


def _refit(label: QLabel) -> None:
    """After ``label``'s text changed: its dialog still shows every line."""
    dialog = label.window()
    if isinstance(dialog, FittedDialog):
        dialog.fit()


def _folder(window) -> Path:
    folder = Path(str(window.settings.value(FOLDER_KEY) or Path.home()))
    return folder if folder.is_dir() else Path.home()


class _Status(QLabel):
    """What the last try did: a success in green, a problem (one line) in red."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("status")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str, *, problem: bool = False, tone: str | None = None) -> None:
        """Show ``text`` in the problem or success tone, or in ``tone`` (fieldkit.ui.palette)."""
        tone = tone or ("problem" if problem else "success")
        palette.set_style_sheet(self, f"QLabel#status {{ color: ${tone}; }}")
        self.setProperty("problem", problem)
        self.setText(text)
        self.setVisible(bool(text))
        _refit(self)


class _Warnings(QLabel):
    """A yellow box of lines to note (the pool's anonymity and names warnings)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("warnings")
        self.setAccessibleName("Warnings")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        palette.set_style_sheet(self, "QLabel#warnings { background: $warning_tint; color: $warning_on_tint; "
                                      "border-left: 5px solid $warning_edge; padding: 6px 10px; }")
        self.lines: tuple[str, ...] = ()
        self.hide()

    def show_lines(self, lines: tuple[str, ...]) -> None:
        self.lines = lines
        self.setText("<b>Please note</b>" + "".join(f"<br>• {html.escape(line)}" for line in lines))
        self.setVisible(bool(lines))
        _refit(self)


# --- Export for analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    """An export written: where, and what to note about it (one sentence a line)."""

    path: Path
    warnings: tuple[str, ...] = ()


def pool_warnings(study: Study) -> tuple[str, ...]:
    """What ``fieldkit export STUDY pool`` warns of: pooled answers hidden among fewer than k
    interviews, and comments naming organisations or contacts of the study."""
    from fieldkit import anonymity
    from fieldkit.reports.names import find_names_in_pool

    lines = [sentence(line.removeprefix("anonymity:")) for line in anonymity.warnings(study)]
    named = len(find_names_in_pool(study))
    if named:
        lines.append(f"{_plural(named, 'pooled comment')} contain{'s' if named == 1 else ''} names of "
                     "organisations or contacts in the study: redact them in the Pool screen.")
    return tuple(lines)


def write_export(open_reader: Callable[[], Study], what: str, path: Path, language: str | None) -> Exported:
    """Write the export ``what`` to ``path`` from a read-only view of the study (so it can run
    off the UI thread while the window's connection goes on writing)."""
    with open_reader() as study:
        written = datasets.export(study, what, path, language=language)
        return Exported(written, pool_warnings(study) if what == "pool" else ())


def format_label(fmt: str) -> str:
    return f"{datasets.FORMAT_NAMES.get(fmt, fmt.upper())} (.{fmt})"


class ExportDialog(_WritingDialog):
    """File ▸ Export for analysis…: each export of ``datasets.EXPORTS`` with its formats and
    an Export… button that asks where to save it."""

    TITLE = "Export for analysis"

    def __init__(self, window) -> None:
        super().__init__(window)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(EXPORT_INTRO, "intro"))
        layout.addSpacing(6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        self.formats: dict[str, QComboBox] = {}
        self.export_buttons: dict[str, QPushButton] = {}
        for row, entry in enumerate(datasets.EXPORTS.values()):
            text = QVBoxLayout()
            text.setSpacing(1)
            text.addWidget(heading(entry.label, 1.0))
            text.addWidget(_wrapped(sentence(entry.description)))
            grid.addLayout(text, row, 0)
            combo = ComboBox()
            combo.setAccessibleName(f"Format of the {entry.label.lower()} export")
            for fmt in entry.formats:
                combo.addItem(format_label(fmt), fmt)
            remembered = self.window_.settings.value(f"data_files/format/{entry.name}")
            if remembered in entry.formats:
                combo.setCurrentIndex(entry.formats.index(remembered))
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignVCenter)
            button = QPushButton("Export…")
            button.setAccessibleName(f"Export {entry.label.lower()}")
            button.clicked.connect(lambda _=False, name=entry.name: self.export(name))
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignVCenter)
            self.formats[entry.name] = combo
            self.export_buttons[entry.name] = button
        grid.setColumnStretch(0, 1)
        layout.addLayout(grid)
        self.language = ComboBox()
        self.language.setAccessibleName("Language of the questions and choices")
        languages = list(self.study.template.languages)
        for language in languages:
            self.language.addItem(language, language)
        chosen = self.study.report_language
        self.language.setCurrentIndex(languages.index(chosen) if chosen in languages else 0)
        language_form = QFormLayout()
        language_form.addRow("Questions and choices &in:", self.language)
        layout.addLayout(language_form)
        language_form.setRowVisible(self.language, len(languages) > 1)
        self.status = _Status()
        layout.addWidget(self.status)
        self.offer = ExportOffer(self)
        layout.addWidget(self.offer)
        self.warnings = _Warnings()
        layout.addWidget(self.warnings)
        layout.addStretch(1)
        layout.addSpacing(6)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.start_size(620, 760)

    def language_value(self) -> str | None:
        return self.language.currentData() if self.language.count() > 1 else None

    def choose_path(self, what: str) -> Path | None:
        """Ask where to save ``what`` in the format chosen for it; the suffix is added when the
        name typed lacks one of the export's."""
        entry = datasets.EXPORTS[what]
        fmt = self.formats[what].currentData()
        suggested = _folder(self.window_) / f"{_file_name(self.study.title)} - {entry.label.lower()}.{fmt}"
        name, _ = QFileDialog.getSaveFileName(self, f"Export {entry.label.lower()}", str(suggested),
                                              f"{datasets.FORMAT_NAMES.get(fmt, fmt)} files (*.{fmt})")
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower().lstrip(".") not in entry.formats:
            path = path.with_name(f"{path.name}.{fmt}")
        return path

    def export(self, what: str, path: Path | None = None) -> Exported | None:
        """Write ``what`` (asking where unless ``path`` is given); say what was written, or the
        one line that says why not. None when nothing was written."""
        entry = datasets.EXPORTS[what]
        if path is None:
            path = self.choose_path(what)
            if path is None:
                return None
        self.warnings.show_lines(())
        self.offer.dismiss()
        self.status.say(f"Writing {path.name}…", tone="warning")
        open_reader, language = self.study.open_reader, self.language_value()
        self.busy = True
        try:
            done = wait_for(lambda: write_export(open_reader, what, path, language))
        except FieldkitError as e:
            self.status.say(str(e), problem=True)
            return None
        finally:
            self.busy = False
        self.window_.settings.setValue(FOLDER_KEY, str(done.path.parent))
        self.window_.settings.setValue(f"data_files/format/{what}", done.path.suffix.lower().lstrip("."))
        said = f"Wrote {entry.label.lower()} to {done.path}"
        self.status.say(said + ".")
        self.offer.offer(done.path)
        self.warnings.show_lines(done.warnings)
        self.window_.statusBar().showMessage(said, 15_000)
        return done

def export_for_analysis(window) -> None:
    """File ▸ Export for analysis…"""
    ExportDialog.open_for(window)


# --- Archive study ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archived:
    """An archive written: where, whether encrypted, how many held answers it left out."""

    path: Path
    encrypted: bool
    held_left_out: int


def write_archive(open_reader: Callable[[], Study], path: Path, passphrase: str | None,
                  without_held: bool) -> Archived:
    """Archive the study from a read-only view of it (off the UI thread)."""
    from fieldkit.archive import archive_study

    with open_reader() as study:
        held = study.held.count() if without_held else 0
        written = archive_study(study, path, passphrase=passphrase, without_held=without_held)
    return Archived(written, passphrase is not None, held)


class ArchiveDialog(_WritingDialog):
    """File ▸ Archive study…: what an archive is, whether to encrypt it, and Archive…"""

    TITLE = "Archive the study"

    def __init__(self, window) -> None:
        super().__init__(window)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(ARCHIVE_INTRO, "intro"))
        self.encrypt = QCheckBox("&Encrypt the archive with a passphrase of its own")
        encrypted = self.study.encrypted
        self.encrypt.setChecked(encrypted)
        self.encrypt.setEnabled(not encrypted)  # an encrypted study's archive is always encrypted
        layout.addWidget(self.encrypt)
        self.note = _wrapped(ENCRYPTED_NOTE if encrypted else PLAIN_NOTE, "note")
        self.note.setIndent(self.encrypt.style().pixelMetric(self.encrypt.style().PixelMetric.PM_IndicatorWidth)
                            + 6)
        layout.addWidget(self.note)
        self.status = _Status()
        layout.addWidget(self.status)
        self.offer = ExportOffer(self)
        layout.addWidget(self.offer)
        layout.addStretch(1)
        layout.addSpacing(6)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.archive_button = buttons.addButton("&Archive…", QDialogButtonBox.ButtonRole.ActionRole)
        self.archive_button.setDefault(True)
        self.archive_button.clicked.connect(lambda: self.archive())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.start_size(480, 620)

    def ask_about_held(self) -> str | None:
        """Answers are held with their interviews: "without" (archive without them), "pool"
        (show the Pool screen to move them) or None (cancel)."""
        n = self.study.held.count()
        one = n == 1
        box = QMessageBox(QMessageBox.Icon.Warning, "Answers still held with their interviews",
                          f"{_plural(n, 'anonymous answer')} {'is' if one else 'are'} still held with "
                          f"{'its interview' if one else 'their interviews'}, and an archive never holds them: "
                          "set beside the pool later, they would tell whose each comment is.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(
            "<p>Move them to the pool first with <b>Move to the pool now…</b> on the Pool screen (on the command "
            "line: <nobr>fieldkit pool STUDY --move-now</nobr>), or archive without them: they stay in the study "
            "and move to its pool as usual, but the archive will not have them.</p>")
        without = box.addButton("Archive &without them", QMessageBox.ButtonRole.AcceptRole)
        pool = box.addButton("Show the &Pool screen", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "without" if clicked is without else "pool" if clicked is pool else None

    def choose_path(self) -> Path | None:
        suggested = _folder(self.window_) / f"{_file_name(self.study.title)}.zip"
        name, _ = QFileDialog.getSaveFileName(self, "Archive the study", str(suggested), "Zip archives (*.zip)")
        if not name:
            return None
        return Path(name) if name.lower().endswith(".zip") else Path(f"{name}.zip")

    def ask_passphrase(self, path: Path) -> tuple[bool, str | None]:
        """(go on?, the archive's new passphrase)."""
        intro = (ENCRYPTED_NOTE if self.study.encrypted else
                 f"Choose a passphrase for “{path.name}”. Whoever opens the archive needs it.")
        dialog = passphrases.NewPassphraseDialog(self, "Passphrase for the archive", intro, ok_text="Archive")
        keep = dialog.findChild(QLabel, "keep_safe")
        if keep is not None:
            keep.setText(ARCHIVE_KEEP_SAFE)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        passphrase = dialog.passphrase() if accepted else None
        dialog.deleteLater()
        return accepted, passphrase

    def archive(self, path: Path | None = None) -> Archived | None:
        """Archive the study (asking where unless ``path`` is given): first what to do about
        answers still held, then the archive's passphrase when it is to be encrypted."""
        from fieldkit.archive import ArchiveError, check_archivable

        without_held = False
        try:
            check_archivable(self.study)
        except ArchiveError:
            choice = self.ask_about_held()
            if choice == "pool":
                self.reject()
                self.window_.show_screen("pool")
                return None
            if choice is None:
                return None
            without_held = True
        if path is None:
            path = self.choose_path()
            if path is None:
                return None
        passphrase = None
        if self.study.encrypted or self.encrypt.isChecked():
            go_on, passphrase = self.ask_passphrase(path)
            if not go_on:
                return None
        self.offer.dismiss()
        self.status.say(f"Writing {path.name}…", tone="warning")
        open_reader = self.study.open_reader
        self.busy = True
        try:
            done = wait_for(lambda: write_archive(open_reader, path, passphrase, without_held))
        except FieldkitError as e:
            self.status.say(str(e), problem=True)
            return None
        finally:
            self.busy = False
        self.window_.settings.setValue(FOLDER_KEY, str(done.path.parent))
        said = f"Wrote the archive of {self.study.path.stem} to {done.path}."
        if done.encrypted:
            said += (f" It is encrypted ({ARCHIVE_CIPHER}) with the passphrase you chose for it: keep that "
                     "passphrase safe, as without it nobody can read the archive.")
        if done.held_left_out:
            n = done.held_left_out
            said += (f" Left out {_plural(n, 'anonymous answer')} still held with "
                     f"{'its interview' if n == 1 else 'their interviews'}.")
        self.status.say(said)
        self.offer.offer(done.path)
        self.fit()
        self.window_.statusBar().showMessage(f"Wrote the archive to {done.path}", 15_000)
        return done

def archive_study(window) -> None:
    """File ▸ Archive study…"""
    ArchiveDialog.open_for(window)


# --- New study from an archive ------------------------------------------------------------------


def ask_archive_passphrase(parent: QWidget | None, path: Path, *, wrong: bool = False) -> str | None:
    """The passphrase of the encrypted archive at ``path`` (the study unlock dialog, worded
    for an archive), or None when cancelled."""
    dialog = passphrases.UnlockDialog(parent, path, wrong=wrong)
    intro = dialog.findChild(QLabel, "intro")
    assert intro is not None  # the unlock dialog always opens with its intro
    intro.setText(
        f"The archive “{path.name}” is encrypted. Enter the passphrase chosen for it when it was made.")
    problem = dialog.findChild(QLabel, "problem")
    if problem is not None:
        problem.setText("That passphrase does not open this archive. Check Caps Lock and the keyboard layout, "
                        "and try again.")
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    typed = dialog.passphrase() if accepted else ""
    dialog.deleteLater()
    return typed or None


def _free_study_path(folder: Path, stem: str) -> Path:
    """``folder/stem.fieldkit``, or ``stem (2).fieldkit`` and so on when that is taken."""
    path, n = folder / f"{stem}.fieldkit", 1
    while path.exists():
        n += 1
        path = folder / f"{stem} ({n}).fieldkit"
    return path


def choose_new_study_path(parent: QWidget, source: Path) -> Path | None:
    """Where the study made from ``source`` goes. The dialog does not offer to replace a
    file: the archive never goes over one (the core refuses, in one line)."""
    from fieldkit.study import default_folder

    folder = default_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name, _ = QFileDialog.getSaveFileName(parent, "Where the new study goes",
                                          str(_free_study_path(folder, _file_name(source.stem))),
                                          "fieldkit studies (*.fieldkit)",
                                          options=QFileDialog.Option.DontConfirmOverwrite)
    if not name:
        return None
    return study_file(name)


def new_study_from_archive(window, source: Path | None = None) -> bool:
    """File ▸ New study from an archive…: choose the archive (unless ``source`` is given), its
    passphrase when it is encrypted, and where the new study goes; make it and open it in
    ``window``. True when the new study is open."""
    from fieldkit import archive
    from fieldkit.storage.location import RiskyLocationError

    if source is None:
        name, _ = QFileDialog.getOpenFileName(window, "New study from an archive", str(_folder(window)),
                                              "fieldkit archives (*.zip)")
        if not name:
            return False
        source = Path(name)
    try:
        encrypted = wait_for(lambda: archive.is_encrypted(source))
    except FieldkitError as e:
        errors.warn(window, "Cannot read the archive", str(e))
        return False
    passphrase = ask_archive_passphrase(window, source) if encrypted else None
    if encrypted and passphrase is None:
        return False
    target = choose_new_study_path(window, source)
    if target is None:
        return False
    if not encrypted:  # as for every new study: offered before any personal data is in it
        go_on, passphrase = passphrases.ask_for_new_study(window, target.stem)
        if not go_on:
            return False
    risky = False
    while True:
        try:
            made = wait_for(partial(archive.unarchive, source, target, passphrase=passphrase,
                                    allow_risky_location=risky))
            break
        except PassphraseError as e:
            if not encrypted:
                errors.warn(window, "Cannot make a study of the archive", str(e))
                return False
            passphrase = ask_archive_passphrase(window, source, wrong=not e.needed)
            if passphrase is None:
                return False
        except RiskyLocationError as e:
            answer = QMessageBox.warning(window, "This is not a safe place for a study", str(e),
                                         QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                                         QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Save:
                return False
            risky = True
        except FieldkitError as e:
            errors.warn(window, "Cannot make a study of the archive", str(e))
            return False
    window.settings.setValue(FOLDER_KEY, str(source.parent))
    if not window.open_study(made, allow_risky_location=risky, passphrase=passphrase):
        return False
    said = f"Made the study {made.name} from {source.name}"
    if encrypted:
        said += ", encrypted with the archive's passphrase"
    window.statusBar().showMessage(said, 20_000)
    return True

