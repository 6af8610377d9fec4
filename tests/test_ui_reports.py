"""The Reports screen: current figures and tables saved as CSV or XLSX, and the client report
with its options, a preview of the real PDF, export with progress, cancel and the names check."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldkit.demo import build_demo
from fieldkit.study import Study
from studies import small_template


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


def _open_pdf(pdf: Path | bytes):
    import pdfplumber

    return pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


def pdf_text(pdf: Path | bytes) -> str:
    """The text of a PDF file or of PDF bytes (the preview's), one line."""
    with _open_pdf(pdf) as doc:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)


def pdf_pages(pdf: Path | bytes) -> int:
    with _open_pdf(pdf) as doc:
        return len(doc.pages)


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


def leave_out(panel, key: str) -> None:
    """Untick a section in the report's outline (saved in the study at once)."""
    from fieldkit.ui.qt import Qt

    panel.outline.item(key).setCheckState(Qt.CheckState.Unchecked)


def refreshed_preview(panel) -> bytes:
    """The preview rendered again: the PDF in memory (no file is written for a preview)."""
    panel.update_preview()
    panel.worker.wait()
    assert isinstance(panel.preview_pdf, bytes) and panel.preview_pdf.startswith(b"%PDF")
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
    leave_out(panel, "directory")  # the directory goes, and the person with it
    assert panel.options().directory is False and panel.options().include_person is False
    assert not panel.person_box.isEnabled()
    second = refreshed_preview(panel)
    assert second is not first and second != first
    assert name not in pdf_text(second) and heading not in pdf_text(second)
    without_directory = pdf_pages(second)
    assert without_directory <= pages  # (the comments, reshuffled, can fill pages differently)

    leave_out(panel, "comments")
    leave_out(panel, "crosstabs")
    assert pdf_pages(refreshed_preview(panel)) < without_directory

    panel.page_size.setCurrentIndex(panel.page_size.findData("letter"))
    import pdfplumber

    with pdfplumber.open(io.BytesIO(refreshed_preview(panel))) as pdf:
        assert round(pdf.pages[0].width) == 612

    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData("custom"))
    panel.threshold.setValue(6)
    assert panel.options().small_numbers == 6
    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData("nhs"))
    assert panel.options().small_numbers == "nhs"
    assert not panel.threshold.isEnabled()


def shown_page(panel):
    """The page on screen as a QImage (RGB888), to compare with a page drawn independently."""
    from fieldkit.ui.qt import QImage

    return panel.page_view.pixmap().toImage().convertToFormat(QImage.Format_RGB888)


def drawn_page(pdf: bytes, index: int, like):
    """Page ``index`` of the PDF bytes drawn with PDFium straight from them, at the size shown."""
    import pypdfium2 as pdfium

    from fieldkit.ui.qt import QImage

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        width_pt = page.get_size()[0]
        # The scale that gives the size shown: a width in whole pixels can round the height either
        # way (866 or 867 pixels for 613 wide), so the nearest scales are tried too.
        for nudge in (0, -0.25, 0.25, -0.5, 0.5, 0.75, 1, -0.75, -1):  # PDFium may round a width down
            bitmap = page.render(scale=(like.width() + nudge) / width_pt, rev_byteorder=True, may_draw_forms=False)
            if (bitmap.width, bitmap.height) == (like.width(), like.height()):
                break
            bitmap.close()
        image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format_RGB888).copy()
        bitmap.close()
        page.close()
    finally:
        document.close()
    return image


def test_page_navigation(window, qtbot):
    panel = report_panel(window, qtbot)
    pdf = panel.preview_pdf
    assert not panel.previous_button.isEnabled() and panel.next_button.isEnabled()
    first = shown_page(panel)
    assert first == drawn_page(pdf, 0, first)
    panel.next_button.click()
    panel.worker.wait()
    assert panel.page_label.text().startswith("Page 2 of ")
    assert panel.previous_button.isEnabled()
    second = shown_page(panel)
    assert second != first and second == drawn_page(pdf, 1, second)
    last = pdf_pages(pdf) - 1
    panel.show_page(last)
    panel.worker.wait()
    assert panel.page_label.text() == f"Page {last + 1} of {last + 1}" and not panel.next_button.isEnabled()
    shown = shown_page(panel)
    assert shown == drawn_page(pdf, last, shown)
    panel.previous_button.click()
    panel.worker.wait()
    assert panel.page_label.text().startswith(f"Page {last} of ")
    assert panel.preview_pdf is pdf  # paging draws from the same bytes: no new render


# --- the preview writes no file ---------------------------------------------------------------

#: In every pooled comment of the marker study; must never reach a file while previewing.
MARKER = "Quillwort7351"
XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch) -> Path:
    """The temporary folder, for Python (tempfile) and for whatever reads TMPDIR: the test's own."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def marker_study(tmp_path: Path) -> Path:
    """A study built through ``Study.create``: six interviews whose pooled comments carry MARKER,
    and the organisations listed in the directory."""
    path = tmp_path / "study" / "marker.fieldkit"
    path.parent.mkdir()
    study = Study.create(path, small_template(), title="Marker study", client="The Council")
    for i in range(6):
        org = study.organisations.add(f"Marker Organisation {i}", category="Network", area="Coventry",
                                      flags=["permission_to_list"])
        interview = study.interviews.start(org, date="2026-03-02")
        interview.save_answer("size", "Small")
        interview.save_answer("sector_barriers", f"{MARKER} number {i}: the rent for a hall has doubled.")
        interview.complete()
        interview.close()
    study.close()
    return path


def files_under(folders) -> dict[Path, tuple[int, int]]:
    """Every file under ``folders`` with its size and modification time."""
    found = {}
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                try:
                    info = path.lstat()
                except FileNotFoundError:
                    continue
                found[path] = (info.st_size, info.st_mtime_ns)
    return found


def test_the_preview_is_drawn_from_memory_and_no_file_is_written(qtbot, marker_study: Path, temp_folder: Path):
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(marker_study)
    w.wait_for_checks()  # the opening backup is opening's, not the preview's
    watched = [temp_folder, *(Path(os.environ[name]) for name in XDG)]
    before = files_under(watched)

    panel = report_panel(w, qtbot)  # the preview is shown ...
    assert panel.page_label.text().startswith("Page 1 of ") and not panel.page_view.pixmap().isNull()
    panel.next_button.click()  # ... paged through ...
    panel.worker.wait()
    assert panel.page_label.text().startswith("Page 2 of ")
    leave_out(panel, "directory")  # ... and rendered again
    panel.update_preview()
    panel.worker.wait()
    panel.show_page(pdf_pages(panel.preview_pdf) - 1)
    panel.worker.wait()
    during = files_under(watched)

    # Only the window's own settings (last study, window geometry) may be written meanwhile.
    settings = Path(w.settings.fileName())
    new_or_changed = sorted(str(p) for p, info in during.items() if before.get(p) != info and p != settings)
    assert new_or_changed == [], "files written while the preview was open"
    assert os.listdir(temp_folder) == []
    for path in during:
        data = path.read_bytes()
        assert not data.startswith(b"%PDF"), f"a PDF file: {path}"
        if path.is_relative_to(temp_folder) or path == settings:
            assert MARKER.encode() not in data, f"the marker in {path}"
    assert MARKER in pdf_text(panel.preview_pdf)  # the preview did show the pooled comments
    w.close()
    assert files_under([temp_folder]) == {}


def test_export_writes_the_file_with_progress_to_100(window, qtbot, tmp_path: Path):
    panel = report_panel(window, qtbot)
    leave_out(panel, "comments")  # no names check needed
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
    leave_out(panel, "comments")
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


def test_small_number_protection_is_the_studys_setting_and_on_by_default(qtbot, tmp_path):
    from fieldkit.reports import suppression
    from fieldkit.study import Study

    path = tmp_path / "protected.fieldkit"
    Study.create(path, small_template(), title="Protected").close()
    from conftest import open_window

    window = open_window(qtbot, path)
    panel = window.show_screen("reports").report
    assert panel.small_numbers.currentData() == "custom" and panel.threshold.value() == suppression.DEFAULT_CHOICE
    assert panel.options().small_numbers == suppression.DEFAULT_CHOICE
    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData(None))  # the researcher turns it off
    assert suppression.study_choice(window.session.study) is None
    panel.small_numbers.setCurrentIndex(panel.small_numbers.findData("ons"))
    window.close_study()
    again = Study.open(path)
    try:
        assert suppression.study_choice(again) == "ons"  # kept for the command line and the next export
    finally:
        again.close()
