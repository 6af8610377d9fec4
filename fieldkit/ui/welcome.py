"""The welcome screen: shown when no study is open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.ui.qt import (
    QFont,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)


def heading(text: str, size: float = 1.6) -> QLabel:
    """A bold label, ``size`` times the normal font."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def buddy_label(text: str, widget: QWidget) -> QLabel:
    """A label that names ``widget`` (its mnemonic moves focus there; screen readers read it)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class Welcome(QWidget):
    """Shown when no study is open: the demo, open a study, or start one from a template or
    from another study's."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        # In a scroll area: with recent studies and every template listed, a short window
        # scrolls rather than squashing the cards' text.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        page = QWidget()
        scroll.setWidget(page)
        layout = QVBoxLayout(page)
        layout.addWidget(heading("Welcome to fieldkit", 2.0))
        layout.addWidget(QLabel("Map organisations, log every attempt, run interviews and keep "
                                "an anonymous comment pool. Everything stays on this computer."))
        buttons = QHBoxLayout()
        demo = QPushButton("Open the demo study")
        demo.clicked.connect(window.open_demo)
        open_ = QPushButton("Open a study…")
        open_.clicked.connect(window.choose_study)
        buttons.addWidget(demo)
        buttons.addWidget(open_)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        recent = [Path(p) for p in window.recent_studies() if Path(p).exists()]
        self.recent_buttons: list[QPushButton] = []
        if recent:
            layout.addWidget(heading("Recent studies", 1.2))
            for path in recent:
                row = QHBoxLayout()
                button = QPushButton(path.stem)
                button.setAccessibleName(f"Open the recent study {path.stem}")
                button.setToolTip(str(path))
                button.clicked.connect(lambda _=False, p=path: window.open_study(p))
                row.addWidget(button)
                where = QLabel(str(path.parent))
                row.addWidget(where, 1)
                layout.addLayout(row)
                self.recent_buttons.append(button)
        layout.addWidget(heading("Start a new study from a template", 1.2))
        from fieldkit.template_toml import shipped_templates

        for info in shipped_templates():
            layout.addWidget(_card(info.title, info.description.strip(), "New study…",
                                   f"New study from the template {info.title}",
                                   lambda _=False, path=info.path: window.new_study(Path(path))))
        layout.addWidget(_card(
            "From another study",
            "Start from the template a study of yours has now, with the changes made to it: its "
            "schedule, vocabularies, tick boxes, targets and themes. That study is only read, never "
            "changed, and none of its organisations, contacts or answers come with it.",
            "From another study…", "New study from another study's template", window.new_study_from_study))
        from fieldkit.ui.xlsform_start import start_from_xlsform

        layout.addWidget(_card(
            "From an XLSForm",
            "Start from a form built in KoboToolbox, ODK or another XLSForm editor (.xlsx): its "
            "questions, choices, languages, groups and logic become the study's schedule. What "
            "fieldkit cannot hold (repeats, photos, GPS points…) is listed before anything is made.",
            "From an XLSForm…", "New study from an XLSForm", lambda _=False: start_from_xlsform(window)))

        def from_archive(_: bool = False) -> None:
            from fieldkit.ui.data_files import new_study_from_archive

            new_study_from_archive(window)

        layout.addWidget(_card(
            "From an archive",
            "Make a study again from a fieldkit archive (.zip), made with File ▸ Archive study…: its "
            "organisations, contacts, attempts, interviews, comment pool and every template version, "
            "as they were when it was archived. The new study is a file of its own.",
            "From an archive…", "New study from a fieldkit archive", from_archive))
        layout.addStretch(1)


def _card(title: str, description: str, button_text: str, accessible_name: str,
          slot: Callable[..., object]) -> QFrame:
    """One way to start a study: its title and description, and the button that starts it."""
    card = QFrame()
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card_layout = QHBoxLayout(card)
    text = QVBoxLayout()
    text.addWidget(heading(title, 1.1))
    label = QLabel(description)
    label.setWordWrap(True)
    text.addWidget(label)
    card_layout.addLayout(text, 1)
    button = QPushButton(button_text)
    button.setAccessibleName(accessible_name)
    button.clicked.connect(slot)
    card_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    return card
