"""The welcome screen: shown when no study is open."""

from __future__ import annotations

from pathlib import Path

from fieldkit.ui.qt import QFont, QFrame, QHBoxLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget


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
    """Shown when no study is open: the demo, open a study, or start one from a template."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        layout = QVBoxLayout(self)
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
        from fieldkit.templates import shipped_templates

        for info in shipped_templates():
            card = QFrame()
            card.setFrameShape(QFrame.StyledPanel)
            card_layout = QHBoxLayout(card)
            text = QVBoxLayout()
            text.addWidget(heading(info.title, 1.1))
            description = QLabel(info.description.strip())
            description.setWordWrap(True)
            text.addWidget(description)
            card_layout.addLayout(text, 1)
            button = QPushButton("New study…")
            button.setAccessibleName(f"New study from the template {info.title}")
            button.clicked.connect(lambda _=False, path=info.path: window.new_study(Path(path)))
            card_layout.addWidget(button, 0, Qt.AlignTop)
            layout.addWidget(card)
        layout.addStretch(1)
