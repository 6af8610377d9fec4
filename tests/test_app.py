"""The desktop app's first window: a study overview with a searchable organisation list."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.study import Study
from fieldkit.templates import find_template


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    path = tmp_path / "overview.fieldkit"
    with Study.create(path, find_template("regional-mapping"), client="The Trust", author="A. Researcher") as s:
        for i in range(450):
            s.organisations.add(f"Organisation {i:03d}", category="BME network", area="Coventry")
        org = s.organisations.add("Wolverhampton Somali Women's Network", category="BME network")
        s.interviews.start(org)
        s.organisations.add("陈美玲 Chinese Elders", category="General network")
    return path


@pytest.fixture
def window(qtbot, study_file: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(study_file)
    yield w
    w.close()


def test_overview_shows_counts_and_summary(window):
    view = window.screen("organisations")
    assert "452 organisations" in view.counts.text() and "1 interviewed" in view.counts.text()
    assert view.model.rowCount() == 452
    heads = [view.summary.horizontalHeaderItem(i).text() for i in range(view.summary.columnCount())]
    assert heads == ["Category", "On database", "Interviewed", "Target"]
    assert view.summary.item(1, 0).text() == "BME network" and view.summary.item(1, 1).text() == "451"
    assert window._saved_label.text() == "All changes saved"


def test_model_reads_only_the_rows_drawn(window):
    model = window.screen("organisations").model
    assert len(model._cache) <= 452
    model.set_ids(model._ids)  # reset
    assert len(model._cache) == 0
    index = model.index(300, 0)
    assert model.data(index).startswith("Organisation")
    assert 0 < len(model._cache) <= 200  # one page, not every row


def test_search_filters_as_you_type(window, qtbot):
    view = window.screen("organisations")
    view.search.setText("somali")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=2000)
    assert view.model.data(view.model.index(0, 0)) == "Wolverhampton Somali Women's Network"
    view.search.setText("陈美")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and "Chinese" in view.model.data(view.model.index(0, 0)),
                    timeout=2000)
    view.search.clear()
    qtbot.waitUntil(lambda: view.model.rowCount() == 452, timeout=2000)


def test_bad_file_is_a_dialog_not_a_crash(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.ui import errors
    from fieldkit.ui.main_window import MainWindow

    shown = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: shown.append((title, text)))
    w = MainWindow()
    qtbot.addWidget(w)
    bad = tmp_path / "bad.fieldkit"
    bad.write_bytes(b"")
    assert w.open_study(bad) is False
    assert shown == [("Cannot open the study", f"{bad}: the file is empty (0 bytes), not a fieldkit study")]
    assert w.session is None


def test_every_screen_opens_and_navigation_follows(window):
    from fieldkit.ui.main_window import SCREENS

    for number, (key, label, _, _) in enumerate(SCREENS):
        widget = window.show_screen(key)
        assert window.stack.currentWidget() is widget
        assert window.nav.currentItem().text() == label
    window.nav.setCurrentRow(0)
    assert window.stack.currentWidget() is window.screen("organisations")


def test_recent_studies_and_close(window, study_file: Path):
    assert window.recent_studies()[0] == str(study_file)
    window.close_study()
    assert window.session is None
    assert not window.undo_action.isEnabled()
    assert window.open_study(study_file)  # the lock was released on close
