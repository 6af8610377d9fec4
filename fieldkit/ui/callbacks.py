"""Call-backs screen."""

from __future__ import annotations

from fieldkit.ui.qt import QLabel, QVBoxLayout, QWidget
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading


class CallbacksScreen(QWidget):
    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Call-backs"))
        layout.addWidget(QLabel("Not built yet."))
        layout.addStretch(1)
