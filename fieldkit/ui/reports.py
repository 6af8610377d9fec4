"""Reports screen: the client report (its outline, options, a preview of the real PDF, export),
its words and its cover, and the figures it is built from.

The "Client report" tab is ``report_panel.ReportPanel``; "Write" (``report_writing.WriteTab``)
is where each section's heading and text are written, the method, the recommendations and the
findings theme by theme; "Cover" (``report_cover.CoverTab``) the first page's words and logos.
The "Figures and tables" tab shows
the method summary and the summary tables (by category with targets, by area), always
current, so the researcher can watch progress; each table saves as CSV or XLSX, and every
summary table (crosstabs included) saves at once as a workbook with a sheet per table, its
questions and choices worded in the study's report language (chosen on the first tab).

Above both tabs, a warning box (``anonymity.AnonymityWarnings``) names every pooled question
whose answers hide among fewer than k interviews, and the categories of each question counted
by category that have not yet reached k.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit import summary
from fieldkit.errors import FieldkitError
from fieldkit.ui import errors
from fieldkit.ui.anonymity import AnonymityWarnings
from fieldkit.ui.export_offer import offer_in_status_bar
from fieldkit.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.report_cover import CoverTab
from fieldkit.ui.report_panel import ReportPanel
from fieldkit.ui.report_writing import WriteTab
from fieldkit.ui.session import ATTEMPTS, DETAILS, INTERVIEWS, ORGANISATIONS, POOL, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

RELEVANT = {ORGANISATIONS, ATTEMPTS, INTERVIEWS, TEMPLATE}
#: What can change the anonymity warnings: the pool, held answers, k, categories.
ANONYMITY_RELEVANT = {POOL, INTERVIEWS, DETAILS, TEMPLATE, ORGANISATIONS}


def _table(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def _fill(table: QTableWidget, heads: list[str], rows: list[list[object]]) -> None:
    table.setColumnCount(len(heads))
    table.setHorizontalHeaderLabels(heads)
    table.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            if j:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, j, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(heads)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.setFixedHeight(header.height() + 4 + sum(table.rowHeight(i) for i in range(len(rows))))


class ReportsScreen(QWidget):
    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        outer = QVBoxLayout(self)
        outer.addWidget(heading("Reports"))
        self.anonymity = AnonymityWarnings(self)
        outer.addWidget(self.anonymity)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Reports")
        outer.addWidget(self.tabs, 1)
        self.report = ReportPanel(session, window)
        self.write = WriteTab(session, window)
        self.cover = CoverTab(session)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.tabs.addTab(self.report, "&Client report")
        self.tabs.addTab(self.write, "&Write")
        self.tabs.addTab(self.cover, "Co&ver")
        self.tabs.addTab(scroll, "&Figures and tables")
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        intro = QHBoxLayout()
        intro.addWidget(QLabel("The figures the client report is built from, as they stand now."), 1)
        save_all = QPushButton("Save all tables as a workbook…")
        save_all.setAccessibleName("Save all tables as an XLSX workbook")
        save_all.clicked.connect(self.save_all)
        intro.addWidget(save_all)
        layout.addLayout(intro)

        layout.addWidget(heading("How the study went", 1.15))
        self.method = QGridLayout()
        self.method.setHorizontalSpacing(12)
        self.method.setColumnStretch(6, 1)  # keep each label next to its number
        for column in (1, 3, 5):
            self.method.setColumnMinimumWidth(column + 1, 24)
        layout.addLayout(self.method)

        self.tables: dict[str, QTableWidget] = {}
        for key, title in (("category", "Organisations by category"), ("area", "Organisations by area")):
            row = QHBoxLayout()
            row.addWidget(heading(title, 1.15), 1)
            save = QPushButton("Save as CSV or XLSX…")
            save.setAccessibleName(f"Save {title.lower()} as CSV or XLSX")
            save.clicked.connect(lambda _=False, k=key: self.save_table(k))
            row.addWidget(save)
            layout.addLayout(row)
            self.tables[key] = _table(title)
            layout.addWidget(self.tables[key])
        layout.addStretch(1)
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT else None)
        session.changed.connect(
            lambda kinds: self.anonymity.refresh(session.study) if kinds & ANONYMITY_RELEVANT else None)
        self.refresh()
        self.anonymity.refresh(session.study)

    def refresh(self) -> None:
        study = self.session.study
        m = summary.method(study)
        facts = [
            ("Organisations found", m.total),
            ("Contacted", m.contacted),
            ("Excluded", m.excluded),
            ("On the database", m.on_database),
            ("Interviewed", m.interviewed),
            ("Full interviews", m.full_interviews),
            ("Not reached", m.not_reached),
            ("Declined", m.declined),
            ("Listed with permission", m.listed_with_permission),
        ] + [(f"Excluded: {reason}", n) for reason, n in m.excluded_by_reason]
        while self.method.count():
            taken = self.method.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        for i, (label, value) in enumerate(facts):
            number = QLabel(str(value))
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            number.setAccessibleName(label)
            self.method.addWidget(QLabel(label), i % 5, (i // 5) * 2)
            self.method.addWidget(number, i % 5, (i // 5) * 2 + 1)
        for by, table in self.tables.items():
            data = summary.by_group(study, by)
            targets = by == "category" and any(r.target is not None for r in data.rows)
            heads = [by.capitalize(), "On database", "Interviewed"] + (["Target"] if targets else [])
            rows = [[r.group, r.on_database, r.interviewed] + ([r.target] if targets else [])
                    for r in data.rows + [data.total]]
            _fill(table, heads, rows)

    def _ask_file(self, title: str, stem: str, filters: str) -> Path | None:
        study = self.session.study
        name, chosen = QFileDialog.getSaveFileName(self, title, str(Path.home() / f"{study.title} {stem}"), filters)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            path = path.with_name(path.name + (".xlsx" if "xlsx" in chosen else ".csv"))
        return path

    def save_table(self, by: str) -> None:
        path = self._ask_file("Save the table", f"by {by}.xlsx",
                              "Excel workbook (*.xlsx);;CSV for any spreadsheet (*.csv)")
        if path is not None:
            self.write_table(by, path)

    def write_table(self, by: str, path: Path) -> bool:
        """Write the table by category (with targets) or by area to a .csv or .xlsx file."""
        from fieldkit.reports import tables

        return self._write(lambda: tables.write_table(tables.by_group(self.session.study, by), path))

    def save_all(self) -> None:
        path = self._ask_file("Save all tables", "tables.xlsx", "Excel workbook (*.xlsx)")
        if path is not None:
            self.write_all(path.with_suffix(".xlsx"))

    def write_all(self, path: Path) -> bool:
        """Every summary table, crosstabs included, as a workbook with a sheet per table."""
        from fieldkit.reports import tables

        return self._write(lambda: tables.write_xlsx(tables.all_tables(self.session.study), path))

    def _write(self, write) -> bool:
        """Run ``write`` (which returns the file it wrote), then offer to open that file."""
        try:
            written = write()
        except FieldkitError as e:
            errors.warn(self, "Not saved", str(e))
            return False
        window = self.window()
        if hasattr(window, "statusBar"):
            offer_in_status_bar(window, written)
        return True

    def flush(self) -> None:
        """Save what is being typed on the Write and Cover tabs."""
        self.write.flush()
        self.cover.flush()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.flush()
        super().hideEvent(event)

    def close_study(self) -> None:
        self.flush()
        self.report.close_study()
