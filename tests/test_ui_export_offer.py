"""After a file is written: a bar offering Open and Show in folder, without a modal dialog.

The URLs the buttons hand to the desktop are captured by replacing ``export_offer.open_url``
(the one call to QDesktopServices), so nothing is launched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import open_window
from fieldkit.demo import build_demo
from ui_dialogs import answer_modals


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The URLs the offer asked the desktop to open, as local paths."""
    from fieldkit.ui import export_offer

    urls: list[str] = []
    monkeypatch.setattr(export_offer, "open_url", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.fieldkit"
    build_demo(path, organisations=30).close()
    return path


@pytest.fixture
def window(qtbot, demo_file: Path, tmp_path: Path):
    import shutil

    w = open_window(qtbot, Path(shutil.copy(demo_file, tmp_path / "demo.fieldkit")))
    yield w
    w.close()


def status_offer(window):
    from fieldkit.ui.export_offer import ExportOffer

    return window.statusBar().findChild(ExportOffer)


def test_a_report_export_offers_to_open_the_file_and_its_folder(window, qtbot, opened, tmp_path: Path):
    from fieldkit.ui.qt import QApplication, Qt

    screen = window.show_screen("reports")
    panel = screen.report
    panel.outline.item("comments").setCheckState(Qt.CheckState.Unchecked)  # no names check
    out = tmp_path / "out" / "Client report.pdf"
    out.parent.mkdir()
    assert status_offer(window) is None or not status_offer(window).isVisible()
    panel.export(out)
    panel.worker.wait()
    offer = status_offer(window)
    assert offer is not None and offer.isVisible()
    assert QApplication.activeModalWidget() is None  # nothing stops the researcher
    assert offer.label.text() == "Saved Client report.pdf" and offer.label.toolTip() == str(out)
    qtbot.mouseClick(offer.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(offer.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out), str(out.parent)]
    qtbot.mouseClick(offer.close_button, Qt.MouseButton.LeftButton)
    assert not offer.isVisible()


def test_a_table_saved_from_the_figures_tab_is_offered(window, opened, tmp_path: Path):
    screen = window.show_screen("reports")
    out = tmp_path / "by area.xlsx"
    assert screen.write_table("area", out)
    offer = status_offer(window)
    assert offer.isVisible() and offer.path == out
    offer.folder_button.click()
    assert opened == [str(tmp_path)]


def test_a_data_export_offers_the_file_inside_its_dialog(window, qtbot, opened, tmp_path: Path, monkeypatch):
    from fieldkit.ui.qt import QFileDialog

    out = tmp_path / "exports" / "organisations.csv"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    seen: list = []

    def export_and_open(dialog):
        from fieldkit.ui.data_files import ExportDialog

        assert isinstance(dialog, ExportDialog)
        assert not dialog.offer.isVisible()
        dialog.formats["organisations"].setCurrentIndex(dialog.formats["organisations"].findData("csv"))
        dialog.export_buttons["organisations"].click()
        seen.append((dialog.offer.isVisible(), dialog.offer.label.text()))
        dialog.offer.open_button.click()
        dialog.offer.folder_button.click()
        dialog.reject()

    answer_modals(export_and_open)
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if action.text().replace("&", "") == "Export for analysis…":
                action.trigger()
    assert seen == [(True, "Saved organisations.csv")]
    assert opened == [str(out), str(out.parent)]


def test_open_url_hands_the_url_to_the_desktop(monkeypatch):
    """The one call the tests replace: it goes to QDesktopServices.openUrl, nothing else."""
    from fieldkit.ui import export_offer
    from fieldkit.ui.qt import QDesktopServices, QUrl

    calls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: calls.append(url) or True))
    assert export_offer.open_url(QUrl.fromLocalFile("/tmp/x.pdf"))
    assert [u.toLocalFile() for u in calls] == ["/tmp/x.pdf"]
