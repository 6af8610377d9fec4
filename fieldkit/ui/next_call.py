"""Next call: the organisation to phone now, as ``fieldkit.calling`` chooses it, and why.

One key from anywhere (F5) opens it: the name, the number to ring, the person to ask for and
the reason it comes now; Enter opens the case, Skip shows the next one, Esc closes. Skipped
organisations stay skipped until the study is closed (the window keeps the list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fieldkit import calling
from fieldkit.calling import NextCall
from fieldkit.contact_details import display_phone
from fieldkit.ui.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading

NOBODY = ("No one to call now: every organisation is finished, waiting for a later call-back or "
          "outside its opening hours.")
NO_PHONE = "No working phone number: open the case to add one"


def choose(study, now: dt.datetime, skipped: list[int]) -> NextCall | None:
    """The first organisation of the calling queue not in ``skipped`` (None: nobody waiting)."""
    return calling.next_call(study, now, skip=skipped)


class NextCallDialog(QDialog):
    """The organisation to phone now, with Open case (Enter), Start interview, Skip and Close (Esc)."""

    def __init__(self, session: StudySession, window, *, skipped: list[int],
                 now: Callable[[], dt.datetime] = dt.datetime.now):
        super().__init__(window)
        self.session, self.window_, self.skipped, self.now = session, window, skipped, now
        self.call: NextCall | None = None
        self.setWindowTitle("Next call")
        self.setObjectName("next-call")
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # the wrapped reason is never cut

        self.name = heading("", 1.35)
        self.name.setAccessibleName("Organisation to call")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.name)

        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.phone = QLabel()
        self.phone.setAccessibleName("Phone number to ring")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        font = self.phone.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.phone.setFont(font)
        self.contact = QLabel()
        self.contact.setAccessibleName("Ask for")
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why = QLabel()
        self.why.setAccessibleName("Why this organisation now")
        self.why.setWordWrap(True)
        form.addRow("Phone", self.phone)
        form.addRow("Ask for", self.contact)
        form.addRow("Why now", self.why)
        layout.addWidget(self.details)

        self.message = QLabel()
        self.message.setAccessibleName("Nobody to call")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.skipped_note = QLabel()
        self.skipped_note.setAccessibleName("Skipped this session")
        self.skipped_note.setWordWrap(True)
        layout.addWidget(self.skipped_note)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open case")
        self.open_button.setToolTip("Open the organisation's case form (Enter)")
        self.open_button.clicked.connect(self.open_case)
        self.interview_button = QPushButton("Start &interview")
        self.interview_button.clicked.connect(self.start_interview)
        self.skip_button = QPushButton("&Skip")
        self.skip_button.setToolTip("Leave this organisation for now and show the next one")
        self.skip_button.clicked.connect(self.skip)
        self.again_button = QPushButton("Show s&kipped again")
        self.again_button.setToolTip("Forget the organisations skipped since the study was opened")
        self.again_button.clicked.connect(self.forget_skipped)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.clicked.connect(self.reject)
        for b in (self.open_button, self.interview_button, self.skip_button, self.again_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        width = self.fontMetrics().horizontalAdvance("x") * 86
        self.name.setMinimumWidth(width)  # the layout sets the dialog's least size from its contents
        self.show_next()

    def show_next(self) -> NextCall | None:
        """Ask the queue again and show what it gives."""
        self.call = choose(self.session.study, self.now(), self.skipped)
        self._show()
        return self.call

    def _show(self) -> None:
        call = self.call
        found = call is not None
        self.details.setVisible(found)
        self.message.setVisible(not found)
        for b in (self.open_button, self.interview_button, self.skip_button):
            b.setVisible(found)
        self.again_button.setVisible(not found and bool(self.skipped))
        n = len(self.skipped)
        self.skipped_note.setText(f"{n} organisation{'s' if n != 1 else ''} skipped since the study was opened."
                                  if n else "")
        self.skipped_note.setVisible(bool(n))
        if call is None:
            self.name.setText("Nobody to call")
            self.message.setText(NOBODY if not self.skipped else
                                 "No one else to call now: the rest are skipped, finished, waiting for a "
                                 "later call-back or outside their opening hours.")
            self.close_button.setDefault(True)
            self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
            self._fit()
            return
        self.name.setText(call.name)
        self.phone.setText(display_phone(call.phone, self.session.study.country) or NO_PHONE)
        self.phone.setEnabled(call.phone is not None)
        self.contact.setText(call.contact or "Nobody named: ask for whoever deals with this")
        self.contact.setEnabled(call.contact is not None)
        self.why.setText(call.why[:1].upper() + call.why[1:] + "." if call.why else "")
        self.open_button.setDefault(True)
        self.open_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._fit()

    def _fit(self) -> None:
        """Grow to the wrapped reason's height (a form layout does not do it by itself)."""
        layout = self.layout()
        assert layout is not None  # set in __init__
        layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    # --- actions ---------------------------------------------------------------------------

    def open_case(self) -> None:
        if self.call is None:
            return
        org_id = self.call.organisation_id
        self.accept()
        self.window_.open_case(org_id)

    def start_interview(self) -> None:
        if self.call is None:
            return
        org_id = self.call.organisation_id
        self.accept()
        self.window_.start_interview(org_id)

    def skip(self) -> None:
        if self.call is not None:
            self.skipped.append(self.call.organisation_id)
        self.show_next()

    def forget_skipped(self) -> None:
        self.skipped.clear()
        self.show_next()
