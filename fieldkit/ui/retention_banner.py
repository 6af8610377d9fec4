"""The banner across the main window once a study's deletion date for personal data has passed.

Apart from the personal-data screen it leads to, so that opening a study does not load that
screen's module.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fieldkit import personal_data
from fieldkit.ui import palette
from fieldkit.ui.qt import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, Qt

if TYPE_CHECKING:
    from fieldkit.study import Study

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def day_words(day: dt.date) -> str:
    """A date as a reader says it: "31 January 2027" (in English whatever the system's locale)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


class RetentionBanner(QFrame):
    """Shown across the top of the main window while the deletion date has passed: says so,
    and leads straight to removing the personal details, or to changing the date."""

    def __init__(self, window: Any):
        super().__init__()
        self.window_ = window
        self.setObjectName("retention_banner")
        self.setAccessibleName("Personal data reminder")
        palette.set_style_sheet(self, "QFrame#retention_banner { background: $warning_tint; "
                                      "border: 1px solid $warning_edge; border-left: 6px solid $warning_edge; "
                                      "border-radius: 3px; } "
                                      "QFrame#retention_banner QLabel { color: $warning_on_tint; }")
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.text, 0, 0)
        self.remove_button = QPushButton("Remove personal details…")
        self.remove_button.clicked.connect(self._remove)
        self.date_button = QPushButton("Change the date")
        self.date_button.clicked.connect(self._change_date)
        self.later_button = QPushButton("Not now")
        self.later_button.setToolTip("Hide this until the study is next opened")
        self.later_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        for button in (self.remove_button, self.date_button, self.later_button):
            buttons.addWidget(button)
        layout.addLayout(buttons, 0, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.setColumnStretch(0, 1)
        self.dismissed = False
        self.hide()

    def check(self, study: Study | None) -> None:
        """Show the banner if ``study``'s deletion date has passed (and it was not put off)."""
        due = study is not None and personal_data.retention_due(study)
        if study is not None and due:
            day = personal_data.retention_date(study)
            assert day is not None  # it is due, so there is a date
            self.text.setText(f"<b>The personal data in this study was to be deleted by {day_words(day)}.</b> "
                              "Remove the personal details now, or set a later date if you still need them.")
        self.setVisible(due and not self.dismissed)

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def _settings(self) -> Any:
        return self.window_.show_screen("settings")

    def _remove(self) -> None:
        self._settings().retention.ask_strip()

    def _change_date(self) -> None:
        screen = self._settings()
        screen.show_retention()
