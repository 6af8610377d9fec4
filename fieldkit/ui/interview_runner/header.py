"""The interview runner's header: whom the interview is with, where it stands, and how it is
taken (mode, interviewer, date, the person interviewed, and the language it is asked in).

It only shows and reports: each change comes out as a signal, and the runner saves it.
"""

from __future__ import annotations

from fieldkit.interviews import MODE_LABELS, MODES, Interview
from fieldkit.organisations import Contact
from fieldkit.ui.interview_list import day, paradata_words
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QDate,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.welcome import heading

SAVED = "All answers saved"
#: Where an interview stands, by its result (None: still in interview), before the day it ended.
STATES = {None: "In interview", "complete": "Complete", "partial": "Partial", "break_off": "Broken off"}


def state_words(record: Interview) -> str:
    """"In interview", or the result and the day it ended: "Partial 3 Nov 2026"."""
    words = STATES.get(record.result, "In interview")
    return f"{words} {day(record.completed)}" if record.result is not None and record.completed else words


class InterviewHeader(QWidget):
    """Title, state, progress and save state; then mode, interviewer, date, contact, language."""

    mode_changed = Signal(str)
    interviewer_edited = Signal(str)
    #: ISO date
    date_changed = Signal(str)
    contact_changed = Signal(int)
    language_changed = Signal(str)

    def __init__(self, organisation: str, record: Interview, contacts: list[Contact], *,
                 languages: tuple[str, ...], language: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = heading(f"Interview: {organisation}", 1.4)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.title, 1)
        self.state = QLabel(f"{state_words(record)} ·")
        self.state.setAccessibleName("Interview state")
        self.state.setToolTip(paradata_words(record.started, record.sittings, record.seconds))
        top.addWidget(self.state)
        #: "N of M questions answered", counting only the questions asked
        self.progress = QLabel()
        self.progress.setAccessibleName("Progress")
        top.addWidget(self.progress)
        self.save_state = QLabel(SAVED)
        self.save_state.setAccessibleName("Save state")
        self.save_state.setMinimumWidth(self.save_state.fontMetrics().horizontalAdvance(SAVED) + 16)
        # Left-aligned: it reads on from "… questions answered ·" (its width keeps the rest still
        # as it changes between "Saving…" and "All answers saved").
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.save_state)
        layout.addLayout(top)

        row = QHBoxLayout()
        self.mode = ComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(MODES.index(record.mode))
        self.mode.currentIndexChanged.connect(lambda: self.mode_changed.emit(self.mode.currentData()))
        self.interviewer = QLineEdit(record.interviewer)
        self.interviewer.setPlaceholderText("Your initials")
        self.interviewer.textEdited.connect(self.interviewer_edited)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setDate(QDate.fromString(record.date, Qt.DateFormat.ISODate))
        self.date.dateChanged.connect(lambda d: self.date_changed.emit(d.toString(Qt.DateFormat.ISODate)))
        self.contact = ComboBox()
        self.contact.addItem("Not recorded", None)
        for c in contacts:
            self.contact.addItem(f"{c.name}{f' ({c.role})' if c.role else ''}" or f"Contact {c.id}", c.id)
        if record.contact_id is not None:
            self.contact.setCurrentIndex(max(0, self.contact.findData(record.contact_id)))
        self.contact.currentIndexChanged.connect(self._contact_changed)
        fields = [("&Mode", self.mode), ("Inter&viewer", self.interviewer), ("&Date", self.date),
                  ("&Person interviewed", self.contact)]
        #: the schedule's languages, when it has more than one (None otherwise)
        self.language: ComboBox | None = None
        if len(languages) > 1:
            self.language = ComboBox()
            for name in languages:
                self.language.addItem(name, name)
            self.language.setCurrentIndex(languages.index(language))
            self.language.setToolTip("The language the questions are asked in; switch it at any time")
            self.language.currentIndexChanged.connect(lambda: self.language_changed.emit(self.language.currentData()))
            fields.append(("&Language", self.language))
        for text, widget in fields:
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(8)
        if not contacts:
            self.contact.setEnabled(False)
            self.contact.setToolTip("No contacts recorded for this organisation")
        self.interviewer.setMinimumWidth(
            self.interviewer.fontMetrics().horizontalAdvance("Dr Ruth Amankwah-Wells") + 16)
        self.interviewer.setCursorPosition(0)  # a long name shows from its start
        self.contact.setMaximumWidth(self.contact.fontMetrics().horizontalAdvance("M" * 22))
        self.contact.shrink_to(12)  # in a narrow window a long name elides (whole in its tooltip)
        if self.language is not None:
            self.language.shrink_to(8)
        row.addStretch(1)
        layout.addLayout(row)

    def _contact_changed(self) -> None:
        contact_id = self.contact.currentData()
        if contact_id is not None:
            self.contact_changed.emit(contact_id)

    def show_language(self, language: str) -> None:
        """Show ``language`` as chosen (without reporting it as a change)."""
        if self.language is not None and self.language.currentData() != language:
            self.language.blockSignals(True)
            self.language.setCurrentIndex(self.language.findData(language))
            self.language.blockSignals(False)
