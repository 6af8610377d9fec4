"""The Reports screen: current figures and tables saved as CSV or XLSX, and the client report
with its options, a preview of the real PDF, export with progress, cancel and the names check."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldkit.demo import build_demo


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from fieldkit.ui.main_window import MainWindow

    path = tmp_path / "demo.fieldkit"
    build_demo(path, organisations=40).close()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    yield w
    w.close()


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def pdf_pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def test_reports_screen_matches_the_core_and_follows_changes(window, tmp_path: Path):
    from fieldkit import summary
    from fieldkit.ui.qt import QLabel

    screen = window.show_screen("reports")
    study = window.session.study
    m = summary.method(study)
    numbers = {label.accessibleName(): label.text() for label in screen.findChildren(QLabel) if label.accessibleName()}
    assert numbers["On the database"] == str(m.on_database)
    assert numbers["Interviewed"] == str(m.interviewed)
    table = screen.tables["category"]
    total_row = table.rowCount() - 1
    assert table.item(total_row, 0).text() == "Total"
    assert table.item(total_row, 1).text() == str(m.on_database)

    window.session.call(study.organisations.add, "Brand new", category=study.template.categories[0],
                        changes={"organisations"})
    assert table.item(table.rowCount() - 1, 1).text() == str(m.on_database + 1)

    out = tmp_path / "by area.csv"
    assert screen.write_table("area", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["Area", "On database", "Interviewed"]
    assert rows[-1] == ["Total", str(m.on_database + 1), str(m.interviewed)]

    xlsx = tmp_path / "by category.xlsx"
    assert screen.write_table("category", xlsx)
    values = list(load_workbook(xlsx)["By category"].values)
    assert values[1] == ("Category", "On database", "Interviewed", "Target")
    assert values[-1][:3] == ("Total", m.on_database + 1, m.interviewed)


def test_all_tables_as_one_workbook(window, tmp_path: Path, monkeypatch):
    from fieldkit.reports import tables

    screen = window.show_screen("reports")
    out = tmp_path / "all.xlsx"
    assert screen.write_all(out)
    book = load_workbook(out)
    assert book.sheetnames[:3] == ["Method", "By category", "By area"]
    assert len(book.sheetnames) == len(tables.all_tables(window.session.study))
    warned = []
    monkeypatch.setattr("fieldkit.ui.errors.warn", lambda parent, title, text: warned.append(text))
    assert not screen.write_all(tmp_path / "no such folder" / "all.xlsx")
    assert warned and "does not exist" in warned[0]


def test_section_labels_are_the_report_sections():
    from fieldkit.reports.data import ALL_SECTIONS
    from fieldkit.ui.report_panel import SECTIONS

    assert tuple(key for key, _ in SECTIONS) == tuple(ALL_SECTIONS)


# --- the client report ------------------------------------------------------------------------


def report_panel(window, qtbot):
    window.show()
    screen = window.show_screen("reports")
    screen.tabs.setCurrentWidget(screen.report)
    panel = screen.report
    qtbot.waitUntil(lambda: panel.preview_pdf is not None or panel.preview_status.text().startswith("No"),
                    timeout=60_000)
    assert panel.preview_pdf is not None, panel.preview_status.text()
    return panel


def refreshed_preview(panel) -> Path:
    panel.update_preview()
    panel.worker.wait()
    assert panel.preview_pdf is not None and panel.preview_pdf.exists()
    return panel.preview_pdf


def listed_organisation(study) -> str:
    rows = study.query("SELECT o.name FROM organisations o JOIN flags f ON f.organisation_id = o.id "
                       "WHERE f.flag = 'permission_to_list' AND o.status <> 'excluded' ORDER BY o.name")
    return " ".join(rows[0]["name"].split())


def test_options_change_the_preview(window, qtbot):
    panel = report_panel(window, qtbot)
    assert panel.page_label.text().startswith("Page 1 of ")
    assert not panel.page_view.pixmap().isNull()
    first = panel.preview_pdf
    name = listed_organisation(window.session.study)
    heading = "Appendix: directory of organisations"
    assert name in pdf_text(first) and heading in pdf_text(first)
    pages = pdf_pages(first)

    panel.person_box.setChecked(True)
    assert panel.options().include_person is True
    panel.directory_box.setChecked(False)  # the directory goes, and the person with it
    assert panel.options().directory is False and panel.options().include_person is False
    assert not panel.person_box.isEnabled()
    second = refreshed_preview(panel)
    assert second != first and not first.exists(), "the old preview file is removed"
    assert name not in pdf_text(second) and heading not in pdf_text(second)
    without_directory = pdf_pages(second)
    assert without_directory <= pages  # (the comments, reshuffled, can fill pages differently)

    panel.section_boxes["comments"].setChecked(False)
    panel.section_boxes["crosstabs"].setChecked(False)
    assert pdf_pages(refreshed_preview(panel)) < without_directory

    panel.page_size.setCurrentIndex(panel.page_size.findData("letter"))
    import pdfplumber

    with pdfplumber.open(refreshed_preview(panel)) as pdf:
        assert round(pdf.pages[0].width) == 612

    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData("custom"))
    panel.threshold.setValue(6)
    assert panel.options().small_numbers == 6
    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData("nhs"))
    assert panel.options().small_numbers == "nhs"
    assert not panel.threshold.isEnabled()


def test_page_navigation(window, qtbot):
    panel = report_panel(window, qtbot)
    assert not panel.previous_button.isEnabled() and panel.next_button.isEnabled()
    panel.next_button.click()
    panel.worker.wait()
    assert panel.page_label.text().startswith("Page 2 of ")
    assert panel.previous_button.isEnabled()


def test_export_writes_the_file_with_progress_to_100(window, qtbot, tmp_path: Path):
    panel = report_panel(window, qtbot)
    panel.section_boxes["comments"].setChecked(False)  # no names check needed
    seen: list[int] = []
    panel.progress.valueChanged.connect(seen.append)
    out = tmp_path / "out" / "Client report"
    out.parent.mkdir()
    panel.export(out)
    assert panel.progress.isVisible() and panel.cancel_button.isVisible()
    assert not panel.export_button.isEnabled()
    panel.worker.wait()
    written = out.with_name("Client report.pdf")
    assert os.listdir(out.parent) == ["Client report.pdf"]
    assert written.read_bytes().startswith(b"%PDF")
    assert " ".join(window.session.study.title.split()) in pdf_text(written)
    assert max(seen) == 100 and panel.progress.value() == 100
    assert str(written) in panel.export_status.text()
    assert not panel.cancel_button.isVisible() and panel.export_button.isEnabled()


def test_cancel_leaves_no_file(window, qtbot, tmp_path: Path):
    panel = report_panel(window, qtbot)
    panel.section_boxes["comments"].setChecked(False)
    out = tmp_path / "out" / "report.pdf"
    out.parent.mkdir()
    panel.export(out)
    panel.cancel_button.click()
    panel.worker.wait()
    assert os.listdir(out.parent) == []
    assert "cancelled" in panel.export_status.text()
    assert panel.export_button.isEnabled() and not panel.progress.isVisible()


def test_cancel_during_rendering_leaves_no_file(window, qtbot, tmp_path: Path):
    from fieldkit.ui.report_job import make_report

    panel = report_panel(window, qtbot)
    out = tmp_path / "out" / "report.pdf"
    out.parent.mkdir()

    def cancel_once_rendering(job):
        job.advance = lambda f, advance=job.advance: (advance(f), job.cancel() if f > 0.2 else None)
        return make_report(window.session.study.open_reader, panel.options(), out, job)

    failures = []
    job = panel.worker.submit(cancel_once_rendering, on_done=lambda _: None,
                              on_failed=lambda j, e: failures.append(e))
    panel.worker.wait()
    from fieldkit.reports.pdf import ReportCancelled

    assert job.cancelled and len(failures) == 1 and isinstance(failures[0], ReportCancelled)
    assert os.listdir(out.parent) == []


def test_names_in_the_pool_are_shown_before_export(window, qtbot, tmp_path: Path):
    study = window.session.study
    org = study.organisations.get(study.organisations.ids()[0])
    comment = next(c for c in study.pool.comments() if len(c.text) > 20)
    window.session.call(study.pool.edit, comment.id, f"We asked {org.name} and heard nothing. {comment.text}",
                        changes={"pool"})
    panel = report_panel(window, qtbot)
    out = tmp_path / "report.pdf"
    panel.export(out)
    dialog = panel.names_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.open_button.isDefault() and not dialog.export_button.isDefault()
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    flagged = next(t for t in texts if org.name in t)
    assert comment.question_label in flagged and "We asked" in flagged
    assert not out.exists()

    # open the comment for redaction: the Pool screen, with that comment selected
    row = next(i for i, t in enumerate(texts) if org.name in t)
    dialog.list.setCurrentRow(row)
    dialog.open_button.click()
    assert panel.names_dialog is None and not out.exists()
    pool = window.stack.currentWidget()
    assert pool is window.screens["pool"]
    assert pool.editor.toPlainText().startswith("We asked")

    # back to the report: still flagged (not yet redacted); export anyway writes it
    window.show_screen("reports")
    panel.export(out)
    panel.names_dialog.export_button.click()
    panel.worker.wait()
    assert out.exists()
