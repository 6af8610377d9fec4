"""Printing the call list (File ▸ Print call list…) and an organisation's case sheet (its case
form's Case sheet ▸ Print case sheet…), or saving either as a PDF.

The core writes the PDF (``fieldkit.reports.call_list``, ``fieldkit.reports.casesheet``), so
paper, the saved file and the command line show the same pages. To print, the PDF is written
into a temporary folder that is removed once the pages are sent; PDFium (pypdfium2) draws each
page at the printer's resolution (at most ``PRINT_DPI``) and QPainter puts it on the paper,
scaled to fit. Both documents are named records that never hold the comment pool, so nothing
printed or left behind can be set beside a pooled comment. Save as PDF writes the same file
where the researcher chooses and offers to open it (``fieldkit.ui.export_offer``).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import FieldkitError
from fieldkit.ui import errors
from fieldkit.ui.export_offer import offer_in_status_bar
from fieldkit.ui.qt import (
    QApplication,
    QDialog,
    QFileDialog,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPrintDialog,
    QPrinter,
    QRectF,
    QSizeF,
    Qt,
    QWidget,
)

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The finest a page is drawn for the printer (dots per inch): sharp text on paper, and an A4
#: page still a modest image (about 25 MB while it is sent).
PRINT_DPI = 300
#: Where the last PDF saved from here went (QSettings key).
FOLDER_KEY = "printing/folder"

#: Writes the document to the path it is given and returns the path written.
Writer = Callable[[Path], Path]


# --- pages onto a printer ---------------------------------------------------------------------


def print_pdf(pdf: Path, printer: QPrinter, *, dpi: int | None = None) -> int:
    """Draw the pages of ``pdf`` (those of the printer's page ranges, when it has some) on
    ``printer``, each scaled to fit the paper; returns how many pages were printed."""
    import pypdfium2 as pdfium

    dpi = min(dpi or printer.resolution(), PRINT_DPI)
    document = pdfium.PdfDocument(str(pdf))
    painter = QPainter()
    try:
        ranges = printer.pageRanges()
        wanted = [i for i in range(len(document)) if ranges.isEmpty() or ranges.contains(i + 1)]
        if not wanted:
            return 0
        if not painter.begin(printer):
            raise FieldkitError(f"cannot print on {printer.printerName() or 'the printer'}: it did not start")
        for n, index in enumerate(wanted):
            if n and not printer.newPage():
                raise FieldkitError(f"cannot print on {printer.printerName() or 'the printer'}: "
                                    f"it stopped after {n} page{'s' if n != 1 else ''}")
            _draw_page(painter, document[index], dpi)
        return len(wanted)
    finally:
        if painter.isActive():
            painter.end()
        document.close()


def _draw_page(painter: QPainter, page: Any, dpi: int) -> None:
    """One PDF page, drawn at ``dpi`` and centred on the paper at the largest size that fits."""
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True, may_draw_forms=False)
        try:
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            size = QSizeF(image.width() * scale, image.height() * scale)
            target = QRectF(area.x() + (area.width() - size.width()) / 2,
                            area.y() + (area.height() - size.height()) / 2, size.width(), size.height())
            painter.drawImage(target, image)  # drawn before the bitmap it points into is closed
        finally:
            bitmap.close()
    finally:
        page.close()


def paper_for(pdf: Path, printer: QPrinter) -> None:
    """Set ``printer`` to the paper of the PDF's first page (A4 or US Letter, upright), with the
    whole sheet to draw on: the PDF carries its own margins."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    printer.setPageSize(QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point))
    printer.setPageOrientation(orientation)
    printer.setFullPage(True)


def ask_printer(parent: QWidget | None, printer: QPrinter, title: str) -> bool:
    """The system's print dialog for ``printer``: True when the researcher chose Print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def print_document(parent: QWidget | None, title: str, write: Writer, *, name: str = "document") -> bool:
    """Write the document into a temporary folder, ask which printer (``ask_printer``) and print
    it; the folder is removed whatever happens. True when pages were sent to the printer."""
    with tempfile.TemporaryDirectory(prefix="fieldkit-print-") as folder:
        pdf = _busy(parent, "Not printed", lambda: write(Path(folder) / f"{name}.pdf"))
        if pdf is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        paper_for(pdf, printer)
        if not ask_printer(parent, printer, title):
            return False
        return bool(_busy(parent, "Not printed", lambda: print_pdf(pdf, printer)))


def save_document(window: Any, parent: QWidget | None, title: str, suggested: str, write: Writer,
                  path: Path | None = None) -> Path | None:
    """Ask where to save the PDF (unless ``path`` is given), write it, and offer to open it in
    ``window``'s status bar. The path written, or None."""
    if path is None:
        folder = _folder(window)
        name, _ = QFileDialog.getSaveFileName(parent, title, str(folder / suggested), "PDF (*.pdf)")
        if not name:
            return None
        path = Path(name)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    written = _busy(parent, "Not saved", lambda: write(path))
    if written is None:
        return None
    settings = getattr(window, "settings", None)
    if settings is not None:
        settings.setValue(FOLDER_KEY, str(written.parent))
    if window is not None:
        offer_in_status_bar(window, written)
    return written


def _busy(parent: QWidget | None, title: str, work: Callable[[], Any]) -> Any:
    """Run ``work`` with the busy cursor; a problem is said in a warning and gives None."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return work()
    except (FieldkitError, OSError) as e:
        problem = str(e)
    finally:
        QApplication.restoreOverrideCursor()
    errors.warn(parent, title, problem)
    return None


def _folder(window: Any) -> Path:
    settings = getattr(window, "settings", None)
    folder = Path(str(settings.value(FOLDER_KEY) or Path.home())) if settings is not None else Path.home()
    return folder if folder.is_dir() else Path.home()


def _file_name(text: str) -> str:
    """``text`` as part of a file name: no characters any of the three systems refuse."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "-", text).strip(" .") or "fieldkit"


# --- the call list ----------------------------------------------------------------------------


def _call_list_writer(window: Any) -> Writer:
    from fieldkit.reports.call_list import write_call_list

    study: Study = window.session.study
    now = window.now()
    return lambda path: write_call_list(study, path, now=now)


def print_call_list(window: Any) -> bool:
    """File ▸ Print call list…: the organisations to phone now, in Next call's order, on paper."""
    if window.session is None:
        return False
    return print_document(window, "Print the call list", _call_list_writer(window), name="call list")


def save_call_list(window: Any, path: Path | None = None) -> Path | None:
    """File ▸ Save call list as PDF…"""
    if window.session is None:
        return None
    study = window.session.study
    suggested = f"{_file_name(study.title)} - call list {window.now():%Y-%m-%d}.pdf"
    return save_document(window, window, "Save the call list as a PDF", suggested, _call_list_writer(window), path)


# --- the case sheet ---------------------------------------------------------------------------


def _case_sheet_writer(study: Study, org_id: int) -> Writer:
    from fieldkit.reports.casesheet import render_casesheet

    return lambda path: render_casesheet(study, org_id, path)


def print_case_sheet(parent: QWidget, study: Study, org_id: int) -> bool:
    """Print one organisation's case sheet (its named record; no pooled comment is on it)."""
    name = study.organisations.get(org_id).name
    return print_document(parent, f"Print the case sheet of {name}", _case_sheet_writer(study, org_id),
                          name="case sheet")


def save_case_sheet(window: Any, parent: QWidget, study: Study, org_id: int,
                    path: Path | None = None) -> Path | None:
    """Save one organisation's case sheet as a PDF where the researcher chooses."""
    name = study.organisations.get(org_id).name
    suggested = f"{_file_name(name)} - case sheet {dt.date.today().isoformat()}.pdf"
    return save_document(window, parent, f"Save the case sheet of {name}", suggested,
                         _case_sheet_writer(study, org_id), path)
