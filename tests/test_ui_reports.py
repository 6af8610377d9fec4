"""The Reports screen shows the current figures and saves tables as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from fieldkit.demo import build_demo


def test_reports_screen_matches_the_core_and_follows_changes(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit import summary
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QLabel

    path = tmp_path / "demo.fieldkit"
    build_demo(path, organisations=40).close()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    screen = w.show_screen("reports")
    study = w.session.study
    m = summary.method(study)
    numbers = {label.accessibleName(): label.text() for label in screen.findChildren(QLabel) if label.accessibleName()}
    assert numbers["On the database"] == str(m.on_database)
    assert numbers["Interviewed"] == str(m.interviewed)
    table = screen.tables["category"]
    total_row = table.rowCount() - 1
    assert table.item(total_row, 0).text() == "Total"
    assert table.item(total_row, 1).text() == str(m.on_database)

    w.session.call(study.organisations.add, "Brand new", category=study.template.categories[0],
                   changes={"organisations"})
    assert table.item(table.rowCount() - 1, 1).text() == str(m.on_database + 1)

    out = tmp_path / "by area.csv"
    screen.write_csv("area", out)
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["area", "on_database", "interviewed"]
    assert rows[-1] == ["Total", str(m.on_database + 1), str(m.interviewed)]
    w.close()
