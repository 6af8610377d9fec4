"""The desktop application: a welcome screen, and a window onto one open study."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldkit import summary
from fieldkit.errors import FieldkitError
from fieldkit.study import Study
from fieldkit.ui.organisations import OrganisationTableModel
from fieldkit.ui.qt import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFont,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSettings,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)


def _heading(text: str, size: float = 1.6) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class StudyView(QWidget):
    """Overview of an open study: its numbers, a searchable organisation list, a summary."""

    def __init__(self, study: Study, parent=None):
        super().__init__(parent)
        self.study = study
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(study.title))
        details = " · ".join(x for x in (f"Client: {study.client}" if study.client else "",
                                          f"Author: {study.author}" if study.author else "") if x)
        self.details = QLabel(details or study.template.title)
        layout.addWidget(self.details)
        self.counts = QLabel()
        self.counts.setAccessibleName("Study counts")
        layout.addWidget(self.counts)

        layout = layout
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search organisations, contacts and answers")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = OrganisationTableModel(study, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self._size_columns()
        self.table.setAccessibleName("Organisations")
        layout.addWidget(self.table, 1)

        self.summary = QTableWidget()
        self.summary.setAccessibleName("Organisations by category")
        self.summary.verticalHeader().setVisible(False)
        self.summary.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.summary.setEditTriggers(QAbstractItemView.NoEditTriggers)
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh_list)
        self.search.textChanged.connect(self._debounce.start)
        self.refresh()

    def _size_columns(self) -> None:
        """Widths from the vocabularies, not the rows: measuring rows would read them all."""
        from fieldkit.organisations import STATUS_LABELS

        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        template = self.study.template

        def width(texts, cap: int) -> int:
            return min(max([metrics.horizontalAdvance(t) for t in texts] + [60]) + 24, cap)

        widths = {1: width(template.categories, 200), 2: width(template.areas, 130),
                  3: width(STATUS_LABELS.values(), 160)}
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.Interactive)
            title = self.model.headerData(column, Qt.Horizontal)
            header.resizeSection(column, widths.get(column, metrics.horizontalAdvance(title) + 24))
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setMinimumSectionSize(48)

    def refresh_list(self) -> None:
        self.model.set_ids(self.study.organisations.ids(search=self.search.text()))

    def refresh(self) -> None:
        self.refresh_list()
        m = summary.method(self.study)
        self.counts.setText(f"{m.total} organisations · {m.on_database} on database · "
                            f"{m.interviewed} interviewed · {m.excluded} excluded · "
                            f"{len(self.study.attempts.callbacks())} call-backs open")
        s = summary.by_group(self.study, "category")
        has_targets = any(r.target is not None for r in s.rows)
        heads = ["Category", "On database", "Interviewed"] + (["Target"] if has_targets else [])
        self.summary.setColumnCount(len(heads))
        self.summary.setHorizontalHeaderLabels(heads)
        rows = s.rows + [s.total]
        self.summary.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [r.group, r.on_database, r.interviewed] + ([r.target if r.target is not None else ""]
                                                              if has_targets else [])
            for j, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if j:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.summary.setItem(i, j, item)
        header = self.summary.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(heads)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        # Tall enough for every row, no taller: the organisation list gets the rest.
        self.summary.setFixedHeight(self.summary.horizontalHeader().height() + 4 + sum(
            self.summary.rowHeight(i) for i in range(self.summary.rowCount())))


class Welcome(QWidget):
    """Shown when no study is open: the demo, open a study, or start one from a template."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Welcome to fieldkit", 2.0))
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
        layout.addWidget(_heading("Start a new study from a template", 1.2))
        from fieldkit.templates import shipped_templates

        for info in shipped_templates():
            card = QFrame()
            card.setFrameShape(QFrame.StyledPanel)
            card_layout = QHBoxLayout(card)
            text = QVBoxLayout()
            text.addWidget(_heading(info.title, 1.1))
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


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.study: Study | None = None
        self.settings = QSettings("fieldkit", "fieldkit")
        self.setWindowTitle("fieldkit")
        self.resize(1100, 720)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.show_welcome()

    def show_welcome(self) -> None:
        self.setCentralWidget(Welcome(self))
        self.statusBar().showMessage("No study open")

    def open_study(self, path: Path) -> bool:
        try:
            study = Study.open(path)
        except FieldkitError as e:
            QMessageBox.warning(self, "Cannot open the study", str(e))
            return False
        self._close_study()
        self.study = study
        self.setCentralWidget(StudyView(study, self))
        self.setWindowTitle(f"{study.title} — fieldkit")
        self.statusBar().showMessage(f"{study.path} · All changes saved")
        self.settings.setValue("study/last", str(study.path))
        return True

    def open_demo(self) -> None:
        from fieldkit.demo import build_demo, demo_path

        path = demo_path()
        if not path.exists():
            try:
                build_demo(path).close()
            except FieldkitError as e:
                QMessageBox.warning(self, "Cannot create the demo study", str(e))
                return
        self.open_study(path)

    def choose_study(self) -> None:
        from fieldkit.study import default_folder

        name, _ = QFileDialog.getOpenFileName(self, "Open a study", str(default_folder()),
                                              "fieldkit studies (*.fieldkit)")
        if name:
            self.open_study(Path(name))

    def new_study(self, template_path: Path) -> None:
        from fieldkit.study import default_folder
        from fieldkit.templates import load_template

        try:
            template = load_template(template_path)
        except FieldkitError as e:
            QMessageBox.warning(self, "The template has problems", str(e))
            return
        folder = default_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name, _ = QFileDialog.getSaveFileName(self, "New study", str(folder / f"{template.title}.fieldkit"),
                                              "fieldkit studies (*.fieldkit)")
        if not name:
            return
        try:
            Study.create(Path(name), template).close()
        except FieldkitError as e:
            QMessageBox.warning(self, "Cannot create the study", str(e))
            return
        self.open_study(Path(name) if name.endswith(".fieldkit") else Path(name + ".fieldkit"))

    def _close_study(self) -> None:
        if self.study is not None:
            self.study.close()
            self.study = None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.settings.setValue("window/geometry", self.saveGeometry())
        self._close_study()
        super().closeEvent(event)


def run(path: Path | None = None) -> int:
    """Start the desktop app, on ``path`` if given, else on the last study or the welcome screen."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("fieldkit")
    app.setOrganizationName("fieldkit")
    window = MainWindow()
    if path is None:
        last = window.settings.value("study/last")
        if last and Path(last).exists():
            window.open_study(Path(last))
    elif not window.open_study(path):
        return 1
    window.show()
    return app.exec()
