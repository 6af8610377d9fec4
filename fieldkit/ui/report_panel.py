"""The client report on the Reports screen: its outline, options, a preview of the real PDF,
and export as PDF or as a Word document.

The outline is the study's (``fieldkit.reports.outline``): every section in the researcher's
order, ticked when it is printed, moved with Move up / Move down or by dragging; a change is
saved at once and the preview follows it (the report is built with ``sections=None``: the
study's outline). The Write tab (``report_writing``) shows the same outline beside each
section's words.

The preview is the report itself, rendered in memory off the UI thread whenever an option
(or the study) changes, and drawn page by page with PDFium (pypdfium2; Qt's own PDF module
needs a newer PySide6 than fieldkit uses) from those bytes. No file is written for the
preview, not even a temporary one: it holds the pooled comments in plain text. Export
renders the report again (the comments come in a new order every time, and the date is the
day of export) to the file the researcher chooses, a PDF or a Word document (.docx), with a
progress bar and a Cancel button.
Before a report with comments is written, the pooled comments are checked for names of
organisations and contacts in the study; flagged comments are listed, each one a click away
in the Pool screen for redaction.

When the schedule is written in more than one language, a "Report language" choice picks the
language of the questions and answers in the report (and the study's tables and case sheets):
it is the study's own setting, saved through the core (``Study.set_report_language``) the
moment it is changed, so the next export, the command line and another computer all use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.reports import outline
from fieldkit.ui import errors, icons
from fieldkit.ui.export_offer import offer_in_status_bar
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QImage,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.report_job import (
    Job,
    JobCancelled,
    PageImage,
    ReportWorker,
    make_preview,
    make_report,
    render_page,
)
from fieldkit.reports import sections as report_sections
from fieldkit.ui.report_cover import OutlineList
from fieldkit.ui.session import (
    ATTEMPTS,
    CONTACTS,
    DETAILS,
    INTERVIEWS,
    ORGANISATIONS,
    POOL,
    REPORT,
    TEMPLATE,
    StudySession,
)

#: The report's sections in order and their labels: the one registry (fieldkit.reports.sections).
SECTIONS = tuple((section.name, section.label) for section in report_sections.SECTIONS)
#: Small-number protection choices: (label, value of ReportOptions.small_numbers).
SMALL_NUMBERS = (
    ("Off", None),
    ("NHS Digital rule: 1–7 shown as *, other counts rounded to 5", "nhs"),
    ("ONS 10-5 rule: under 10 hidden, other counts rounded to 5", "ons"),
    ("Hide counts under a number of my choosing", "custom"),
)
PAGE_SIZES = (("A4", "a4"), ("US Letter", "letter"))
RELEVANT = {ORGANISATIONS, CONTACTS, ATTEMPTS, INTERVIEWS, POOL, TEMPLATE, DETAILS, REPORT}
PREVIEW_DELAY_MS = 400
#: What the export writes, by the file's ending: (ending, the file dialog's filter).
FORMATS = ((".pdf", "PDF (*.pdf)"), (".docx", "Word document (*.docx)"))
#: What can change the languages offered (the schedule) or the one chosen (the study's details).
LANGUAGE_RELEVANT = {TEMPLATE, DETAILS}


def show_comment(window: Any, comment_id: int) -> bool:
    """Show the Pool screen with one comment selected, ready for redacting."""
    pool = window.show_screen("pool")
    return bool(pool.select_comment(comment_id, edit=True))  # the focus on its words, ready for redacting


class NamesDialog(QDialog):
    """The pooled comments that name organisations or contacts: open one, or export anyway."""

    def __init__(self, hits: list[Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Names in the comments")
        self.hits = hits
        self.chosen: int | None = None
        layout = QVBoxLayout(self)
        n = len(hits)
        intro = QLabel(f"{n} pooled comment{'s' if n != 1 else ''} contain{'s' if n == 1 else ''} the name of "
                       "an organisation or a contact in this study. The report quotes comments without "
                       "names; open a comment to redact it, or export the report as it is.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName("Flagged comments")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        for hit in hits:
            item = QListWidgetItem(f"{hit.question_label}\nNames: {', '.join(hit.names)}\n“{hit.text}”")
            item.setData(Qt.ItemDataRole.UserRole, hit.comment_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _: self.open_selected())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("&Open for redaction", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button = buttons.addButton("&Export anyway", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_button.setDefault(True)  # Enter redacts; exporting names takes a deliberate click
        self.export_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_selected)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def open_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.done(QDialog.DialogCode.Rejected)


class ReportPanel(QWidget):
    """Options on the left, the preview on the right, export underneath."""

    def __init__(self, session: StudySession, window: Any = None):
        super().__init__()
        self.session = session
        self.window_ = window
        self.worker = ReportWorker(self)
        #: The PDF of the preview shown, in memory (never written to a file).
        self.preview_pdf: bytes | None = None
        self._preview_job: Job | None = None
        self._page_job: Job | None = None
        self._export_job: Job | None = None
        self._stale = True
        self._page = 0
        self._page_count = 0
        self.names_dialog: NamesDialog | None = None
        self.last_export: Path | None = None

        outer = QHBoxLayout(self)
        outer.addWidget(self._build_options(), 0)
        outer.addWidget(self._build_preview(), 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        session.changed.connect(lambda kinds: self.refresh_languages() if kinds & LANGUAGE_RELEVANT else None)
        session.changed.connect(lambda kinds: self._outline_changed() if REPORT in kinds else None)
        session.changed.connect(lambda kinds: self._mark_stale() if kinds & RELEVANT else None)

    # --- building ---------------------------------------------------------------------------

    def _build_options(self) -> QWidget:
        panel = QWidget()
        panel.setMaximumWidth(380)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        sections = QGroupBox("Outline")
        box = QVBoxLayout(sections)
        hint = QLabel("Tick the sections to print; drag a section, or use Move up and Move down, to put them "
                      "in order. Write them on the Write tab.")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.outline = OutlineList(self.session, name="Report outline")
        directory = self.outline.item("directory")
        if directory is not None:
            directory.setToolTip("Only organisations that gave permission to be listed")
        box.addWidget(self.outline, 1)
        self.person_box = QCheckBox("Name the person interviewed in the directory")
        self.person_box.setAccessibleName("Name the person interviewed in the directory")
        self.person_box.toggled.connect(self._options_changed)
        box.addWidget(self.person_box)
        layout.addWidget(sections, 1)

        form_box = QGroupBox("Numbers and paper")
        form = QFormLayout(form_box)
        self.small_numbers = ComboBox()
        self.small_numbers.setAccessibleName("Small-number protection")
        for label, value in SMALL_NUMBERS:
            self.small_numbers.addItem(label.split(":")[0], value)
            self.small_numbers.setItemData(self.small_numbers.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.small_numbers.currentIndexChanged.connect(self._small_numbers_chosen)
        form.addRow("Small &numbers", self.small_numbers)
        self.threshold = QSpinBox()
        self.threshold.setAccessibleName("Hide counts under")
        from fieldkit.reports.suppression import MIN_THRESHOLD  # a light module: no reportlab

        self.threshold.setRange(MIN_THRESHOLD, 100)
        self.threshold.setValue(5)
        self.threshold.valueChanged.connect(self._small_numbers_chosen)
        form.addRow("Hide counts &under", self.threshold)
        self.small_numbers_note = QLabel()
        self.small_numbers_note.setWordWrap(True)
        form.addRow(self.small_numbers_note)
        self.page_size = ComboBox()
        self.page_size.setAccessibleName("Page size")
        for label, value in PAGE_SIZES:
            self.page_size.addItem(label, value)
        self.page_size.currentIndexChanged.connect(self._options_changed)
        form.addRow("&Page size", self.page_size)
        self.language = ComboBox()
        self.language.setAccessibleName("Report language")
        self.language.setToolTip("The language of the questions and answers in the report, the tables "
                                 "and the case sheets; a text not written in it is printed in the schedule's "
                                 "main language")
        self.language_label = QLabel("Report &language")
        self.language_label.setBuddy(self.language)
        form.addRow(self.language_label, self.language)
        self._language_form = form
        self.refresh_languages()
        self.language.currentIndexChanged.connect(self._language_chosen)
        layout.addWidget(form_box)

        self.export_button = QPushButton(icons.icon("export"), "&Export as PDF or Word…")
        self.export_button.setAccessibleName("Export the report as PDF or Word")
        self.export_button.clicked.connect(lambda: self.export())
        layout.addWidget(self.export_button)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the export")
        self.cancel_button.clicked.connect(self.cancel_export)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        self.export_status = QLabel()
        self.export_status.setAccessibleName("Export status")
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.export_status)
        self._show_exporting(False)
        self.load_small_numbers()
        self._small_numbers_changed()
        self._outline_changed()
        return panel

    def _build_preview(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setAccessibleName("Previous page")
        self.previous_button.clicked.connect(lambda: self.show_page(self._page - 1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.setAccessibleName("Next page")
        self.next_button.clicked.connect(lambda: self.show_page(self._page + 1))
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Page shown")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_status = QLabel()
        self.preview_status.setAccessibleName("Preview status")
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label, 1)
        bar.addWidget(self.next_button)
        layout.addLayout(bar)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setAccessibleName("Report preview")
        self.page_view = QLabel("The preview appears here.")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidget(self.page_view)
        self.scroll_area.setWidgetResizable(False)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.preview_status)
        self._update_navigation()
        return panel

    # --- options ----------------------------------------------------------------------------

    def sections(self) -> tuple[str, ...]:
        """The sections the study's outline prints, in its order."""
        return outline.included(self.session.study)

    def _outline_changed(self) -> None:
        """The outline changed (here, on the Write tab or elsewhere): the person's option
        goes with the directory, and there is nothing to export without a section."""
        sections = self.sections()
        self.person_box.setEnabled("directory" in sections)
        self.export_button.setEnabled(bool(sections) and self._export_job is None)

    def refresh_languages(self) -> None:
        """Offer the schedule's languages, the study's report language chosen; the choice is
        shown only when there is more than one."""
        study = self.session.study
        languages = list(study.template.languages)
        chosen = study.report_language
        self.language.blockSignals(True)
        try:
            if [self.language.itemData(i) for i in range(self.language.count())] != languages:
                self.language.clear()
                for language in languages:
                    self.language.addItem(language, language)
            self.language.setCurrentIndex(max(languages.index(chosen) if chosen in languages else 0, 0))
        finally:
            self.language.blockSignals(False)
        self._language_form.setRowVisible(self.language, len(languages) > 1)

    def language_value(self) -> str | None:
        """The report language chosen here (None when the schedule has only one)."""
        return self.language.currentData() if self.language.count() > 1 else None

    def _language_chosen(self, *_: Any) -> None:
        language = self.language.currentData()
        if language is None or language == self.session.study.report_language:
            return
        # "details": the preview redraws. Read back either way: a refused choice goes back.
        self.session.call(self.session.study.set_report_language, language, changes={DETAILS},
                          what="the report language")
        self.refresh_languages()

    def load_small_numbers(self) -> None:
        """Show the study's own small-number setting (protection is on unless it was turned off)."""
        from fieldkit.reports import suppression

        choice = suppression.study_choice(self.session.study)
        values = [value for _, value in SMALL_NUMBERS]
        index = values.index(choice) if choice in values else values.index("custom")
        for widget in (self.small_numbers, self.threshold):
            widget.blockSignals(True)
        try:
            self.small_numbers.setCurrentIndex(index)
            if isinstance(choice, int):
                self.threshold.setValue(choice)
        finally:
            for widget in (self.small_numbers, self.threshold):
                widget.blockSignals(False)

    def _small_numbers_chosen(self, *_: Any) -> None:
        """Save the choice as the study's setting (the command line and the next export use it)."""
        from fieldkit.reports import suppression

        value = self.small_numbers_value()
        if value != suppression.study_choice(self.session.study):
            self.session.call(suppression.set_study_choice, self.session.study, value, changes={REPORT},
                              what="small-number protection")
            self.load_small_numbers()  # a refused value goes back to what the study has
        self._options_changed()

    def small_numbers_value(self) -> None | str | int:
        value = self.small_numbers.currentData()
        return self.threshold.value() if value == "custom" else value

    def options(self) -> Any:
        """The report options the researcher has chosen (a ``ReportOptions``)."""
        from fieldkit.reports.data import ReportOptions

        sections = self.sections()
        # sections=None: the study's outline, read by the job itself (and in its order).
        return ReportOptions(sections=None, directory="directory" in sections,
                             small_numbers=self.small_numbers_value(), page_size=self.page_size.currentData(),
                             include_person=self.person_box.isChecked() and "directory" in sections,
                             language=self.language_value())

    def _small_numbers_changed(self) -> None:
        custom = self.small_numbers.currentData() == "custom"
        self.threshold.setEnabled(custom)
        label = SMALL_NUMBERS[self.small_numbers.currentIndex()][0]
        self.small_numbers_note.setText(
            "Counts in the answer tables are shown in full." if self.small_numbers.currentData() is None
            else (f"Counts under {self.threshold.value()} are hidden in the answer tables." if custom
                  else label.split(": ", 1)[1].capitalize() + " in the answer tables."))

    def _options_changed(self, *_: Any) -> None:
        self._small_numbers_changed()
        self.export_button.setEnabled(bool(self.sections()) and self._export_job is None)
        self._mark_stale()

    def _mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._timer.start(0 if self.preview_pdf is None else PREVIEW_DELAY_MS)

    # --- preview ----------------------------------------------------------------------------

    def _page_width(self) -> int:
        css = max(360, min(self.scroll_area.viewport().width() - 24, 900))
        return int(css * self.devicePixelRatioF())

    def update_preview(self) -> None:
        """Render the report as it would be exported, in the background, and show it."""
        self._timer.stop()
        if self._preview_job is not None:
            self._preview_job.cancel()
        self._stale = False
        if not self.sections():
            self._preview_job = None
            self.preview_status.setText("Choose at least one section.")
            return
        options = self.options()
        open_reader, page, width = self.session.study.open_reader, self._page, self._page_width()
        self.preview_status.setText("Updating the preview…")
        self._preview_job = self.worker.submit(
            lambda job: make_preview(open_reader, options, page, width, job),
            on_done=self._preview_ready, on_failed=self._preview_failed)

    def _preview_ready(self, image: PageImage) -> None:
        self._preview_job = None
        self.preview_pdf = image.pdf
        self._page_count = image.page_count
        self._show_image(image)
        self.preview_status.setText("")

    def _preview_failed(self, job: Any, error: BaseException) -> None:
        if job is self._preview_job:
            self._preview_job = None
        if job.cancelled:
            return  # overtaken by newer options
        if isinstance(error, FieldkitError):
            self.preview_status.setText(f"No preview: {error}")
        else:
            self.preview_status.setText("No preview: something went wrong.")
            raise error

    def show_page(self, index: int) -> None:
        """Draw another page of the current preview (in the background)."""
        if self.preview_pdf is None or not 0 <= index < self._page_count:
            return
        pdf, width = self.preview_pdf, self._page_width()
        self._page_job = self.worker.submit(lambda job: render_page(pdf, index, width),
                                            on_done=self._page_ready, on_failed=self._preview_failed)

    def _page_ready(self, image: PageImage) -> None:
        if image.pdf is self.preview_pdf:  # not a page of a preview since replaced
            self._show_image(image)

    def _show_image(self, image: PageImage) -> None:
        qimage = QImage(image.pixels, image.width, image.height, image.stride, QImage.Format.Format_RGB888).copy()
        pixmap = QPixmap.fromImage(qimage)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.page_view.setPixmap(pixmap)
        self.page_view.resize(pixmap.deviceIndependentSize().toSize())
        self._page = image.index
        self._update_navigation()

    def _update_navigation(self) -> None:
        self.page_label.setText(f"Page {self._page + 1} of {self._page_count}" if self._page_count else "")
        self.previous_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page + 1 < self._page_count)

    # --- export -----------------------------------------------------------------------------

    def export(self, path: Path | None = None) -> None:
        """Check the pool for names, ask where to save (unless ``path``), then write the report."""
        if self._export_job is not None or not self.sections():
            return
        if "comments" in self.sections():
            pool_screen = getattr(self.window_, "screens", {}).get("pool")
            if pool_screen is not None:
                pool_screen.flush()  # a redaction still being typed counts
            from fieldkit.reports.names import find_names_in_pool

            hits = find_names_in_pool(self.session.study)
            if hits:
                self.names_dialog = NamesDialog(hits, self)
                self.names_dialog.finished.connect(lambda result: self._names_answered(result, path))
                self.names_dialog.open()
                return
        self._choose_and_start(path)

    def _names_answered(self, result: int, path: Path | None) -> None:
        dialog, self.names_dialog = self.names_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self._choose_and_start(path)
        elif dialog.chosen is not None and self.window_ is not None:
            show_comment(self.window_, dialog.chosen)

    def _choose_and_start(self, path: Path | None) -> None:
        chosen = ""
        if path is None:
            study = self.session.study
            last = self.last_export
            folder = last.parent if last is not None else Path.home()
            ending = last.suffix.lower() if last is not None and last.suffix.lower() in dict(FORMATS) else ".pdf"
            filters = [f for e, f in FORMATS if e == ending] + [f for e, f in FORMATS if e != ending]
            name, chosen = QFileDialog.getSaveFileName(self, "Export the report",
                                                       str(folder / f"{study.title}{ending}"), ";;".join(filters))
            if not name:
                return
            path = Path(name)
        if path.suffix.lower() not in dict(FORMATS):
            ending = next((e for e, f in FORMATS if f == chosen), FORMATS[0][0])
            path = path.with_name(path.name + ending)
        options, open_reader = self.options(), self.session.study.open_reader
        self.progress.setValue(0)
        self.export_status.setText(f"Writing {path.name}…")
        self._show_exporting(True)
        self._export_job = self.worker.submit(
            lambda job: make_report(open_reader, options, path, job),
            on_done=self._exported, on_failed=self._export_failed,
            on_progress=lambda f: self.progress.setValue(round(f * 100)))

    def cancel_export(self) -> None:
        if self._export_job is not None:
            self._export_job.cancel()
            self.export_status.setText("Cancelling…")

    def _exported(self, done: Any) -> None:
        self._export_job = None
        self._show_exporting(False)
        self.progress.setValue(100)
        self.last_export = Path(done.path)
        text = f"Saved the report to {done.path}"
        if done.missing:  # said, not hidden: the client would see a gap or a box
            shown = list(done.missing[:5]) + ([f"… and {len(done.missing) - 5} more"] if len(done.missing) > 5 else [])
            text += ". Not every character could be printed:\n" + "\n".join(shown)
        self.export_status.setText(text)
        if self.window_ is not None:
            offer_in_status_bar(self.window_, self.last_export)

    def _export_failed(self, job: Any, error: BaseException) -> None:
        self._export_job = None
        self._show_exporting(False)
        self.progress.setValue(0)
        if job.cancelled or isinstance(error, JobCancelled):
            self.export_status.setText("Export cancelled; no file was written.")
        elif isinstance(error, FieldkitError):
            self.export_status.setText("Not exported.")
            errors.warn(self, "The report was not exported", str(error))
        else:
            self.export_status.setText("Not exported.")
            raise error

    def _show_exporting(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.export_button.setEnabled(not running and bool(self.sections()))

    # --- closing ----------------------------------------------------------------------------

    def close_study(self) -> None:
        """Stop report work and let go of the preview (it was only ever in memory)."""
        self._timer.stop()
        self.worker.close()
        self.preview_pdf = None
