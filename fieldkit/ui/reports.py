"""Reports screen: the numbers a client report is built from, always current.

The PDF report itself is made elsewhere; this screen shows the method summary and the
summary tables (by category with targets, by area) so the researcher can watch progress,
and saves each table as CSV for a spreadsheet.
"""

from __future__ import annotations

import csv
from pathlib import Path

from fieldkit import summary
from fieldkit.ui import errors
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
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.session import StudySession
from fieldkit.ui.welcome import heading

RELEVANT = {"organisations", "attempts", "interviews", "template"}


def _table(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
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
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(i, j, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.Stretch)
    for column in range(1, len(heads)):
        header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
    table.setFixedHeight(header.height() + 4 + sum(table.rowHeight(i) for i in range(len(rows))))


class ReportsScreen(QWidget):
    def __init__(self, session: StudySession, window=None):
        super().__init__(window)
        self.session = session
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.addWidget(heading("Reports"))
        layout.addWidget(QLabel("The figures the client report is built from, as they stand now."))

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
            save = QPushButton("Save as CSV…")
            save.setAccessibleName(f"Save {title.lower()} as CSV")
            save.clicked.connect(lambda _=False, k=key: self.save_csv(k))
            row.addWidget(save)
            layout.addLayout(row)
            self.tables[key] = _table(title)
            layout.addWidget(self.tables[key])
        layout.addStretch(1)
        session.changed.connect(lambda kinds: self.refresh() if kinds & RELEVANT else None)
        self.refresh()

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
            self.method.takeAt(0).widget().deleteLater()
        for i, (label, value) in enumerate(facts):
            number = QLabel(str(value))
            number.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
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

    def save_csv(self, by: str) -> None:
        study = self.session.study
        name, _ = QFileDialog.getSaveFileName(self, "Save as CSV", str(Path.home() / f"{study.title} by {by}.csv"),
                                              "CSV files (*.csv)")
        if name:
            self.write_csv(by, Path(name))

    def write_csv(self, by: str, path: Path) -> None:
        data = summary.by_group(self.session.study, by).as_json(targets=by == "category")
        keys = ["on_database", "interviewed"] + (["target"] if by == "category" else [])
        try:
            with open(path, "w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel reads UTF-8
                writer = csv.writer(f)
                writer.writerow([by] + keys)
                for r in data["rows"]:
                    writer.writerow([r["group"]] + [r[k] for k in keys])
                writer.writerow(["Total"] + [data["total"][k] for k in keys])
        except OSError as e:
            errors.warn(self, "Not saved", f"{path}: {e.strerror or e}")
