"""Printing the call list and a case sheet: the core's PDF drawn page by page on a printer.

No real printer is needed: the print dialog is answered with a QPrinter set to write a PDF
(QPrinter.OutputFormat.PdfFormat), and the file it writes is read back with pdfplumber.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pdfplumber
import pytest

from conftest import open_window
from fieldkit.study import Study
from studies import pool_now, small_template

NOW = dt.datetime(2026, 11, 25, 10, 0)  # a Wednesday morning
POOLED = "Grants with simple forms would help more than anything."


def pdf_pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def menu_action(window, text: str):
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu entry {text!r}")


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "print.fieldkit"
    with Study.create(path, small_template(), title="Printing study") as s:
        for i in range(70):  # enough for a call list of two pages
            s.organisations.add(f"Community group {i:02d}", category="Network", phone="0121 496 0000")
        club = s.organisations.add("Łódź Polish Club", category="Network", contacts=[{"name": "Anna Kowalska"}])
        s.attempts.log(club, outcome="No answer", at="2026-11-20T10:00")
        session = s.interviews.start(club)
        session.save_answer("sector_barriers", POOLED)
        pool_now(s, session)
        s.organisations.set_status(club, "interviewed")
    return path


@pytest.fixture
def window(qtbot, study_path: Path):
    w = open_window(qtbot, study_path)
    w.now = lambda: NOW
    yield w
    w.close()


@pytest.fixture
def temp_folder(monkeypatch, tmp_path: Path) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def printed(monkeypatch, tmp_path: Path, temp_folder: Path) -> list[tuple[Path, str, int]]:
    """The print dialog answered Print, with the printer writing a PDF: for each print, the file
    the printer wrote, and the text and page count of the document it was given to print."""
    from fieldkit.ui import printing
    from fieldkit.ui.qt import QPrinter

    files: list[tuple[Path, str, int]] = []

    def to_pdf(parent, printer, title):
        (source,) = temp_folder.rglob("*.pdf")  # written to print, there while the dialog is open
        files.append((tmp_path / f"printed {len(files) + 1}.pdf", pdf_text(source), pdf_pages(source)))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(files[-1][0]))
        return True

    monkeypatch.setattr(printing, "ask_printer", to_pdf)
    return files


def test_print_pdf_draws_every_page_on_a_pdf_printer(window, tmp_path: Path):
    from fieldkit.reports.call_list import write_call_list
    from fieldkit.ui import printing
    from fieldkit.ui.qt import QPrinter

    source = write_call_list(window.session.study, tmp_path / "calls.pdf", now=NOW)
    pages = pdf_pages(source)
    assert pages == 2
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printing.paper_for(source, printer)
    assert printing.print_pdf(source, printer, dpi=100) == pages
    assert pdf_pages(tmp_path / "printed.pdf") == pages
    with pdfplumber.open(tmp_path / "printed.pdf") as pdf:  # A4, the call list's paper
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (595, 842)
        assert pdf.pages[0].images  # the page as drawn by PDFium


def test_file_print_call_list_prints_it_and_leaves_no_temporary_file(window, printed, temp_folder: Path):
    assert menu_action(window, "Print call list…").isEnabled()
    menu_action(window, "Print call list…").trigger()
    ((out, text, pages),) = printed
    assert text.startswith("Printing study · call list") and "Community group 00" in text
    assert POOLED not in text and "Grants" not in text
    assert pages == 2 and pdf_pages(out) == pages  # every page of the call list, printed
    assert os.listdir(temp_folder) == []  # the call list written to print it is gone


def test_case_sheet_prints_from_the_case_form(window, qtbot, printed, temp_folder: Path):
    study = window.session.study
    club = study.organisations.find("Łódź Polish Club")
    window.open_case(club)
    form = window.screens["organisations"].case_form
    assert form.sheet_button.menu().actions()[0] is form.print_sheet_action
    form.print_sheet_action.trigger()
    ((out, text, pages),) = printed
    assert "case sheet" in text and "Łódź Polish Club" in text and "Anna Kowalska" in text
    assert POOLED not in text and "Grants" not in text  # anonymous answers are never on a case sheet
    assert pdf_pages(out) == pages
    assert os.listdir(temp_folder) == []


def test_case_sheet_saved_as_pdf_has_no_pooled_comment_and_is_offered(window, tmp_path: Path, monkeypatch):
    from fieldkit.ui.qt import QFileDialog

    study = window.session.study
    club = study.organisations.find("Łódź Polish Club")
    window.open_case(club)
    form = window.screens["organisations"].case_form
    out = tmp_path / "sheets" / "club sheet"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "PDF (*.pdf)")))
    form.save_sheet_action.trigger()
    written = out.with_name("club sheet.pdf")
    text = pdf_text(written)
    assert "Łódź Polish Club" in text and "Anna Kowalska" in text
    assert POOLED not in text and "Grants" not in text
    from fieldkit.ui.export_offer import ExportOffer

    offer = window.statusBar().findChild(ExportOffer)
    assert offer is not None and offer.isVisible() and offer.path == written
    assert window.settings.value("printing/folder") == str(written.parent)


def test_call_list_saved_as_pdf_from_the_file_menu(window, tmp_path: Path, monkeypatch):
    from fieldkit.ui.qt import QFileDialog

    out = tmp_path / "calls.pdf"
    titles: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, suggested, *a: titles.append(suggested) or (str(out), "")))
    menu_action(window, "Save call list as PDF…").trigger()
    assert titles and titles[0].endswith("Printing study - call list 2026-11-25.pdf")
    text = pdf_text(out)
    assert "Community group 00" in text and "Community group 69" in text
    assert "Łódź Polish Club" not in text  # interviewed: not on the list
    assert POOLED not in text and "Grants" not in text  # (a word: wrapped cells interleave their lines)
