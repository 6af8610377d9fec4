"""Building, rendering and previewing reports off the UI thread.

One background thread does all report work in turn (reportlab's font registry and PDFium
are safest used from one thread at a time). Each job reads the study through a read-only
connection of its own (``study.open_reader()``), which sees every committed
change while the window's own connection keeps writing. As elsewhere in the UI, the worker
thread never touches Qt: it writes its progress into the job, and the UI thread polls for
progress and the answer (``ReportWorker``). A job is cancelled through its ``cancel()``;
the renderer checks between pieces of the page and stops without leaving a file.

The preview never touches the disk: the report is laid out in memory
(``render_report_bytes``) and its pages are drawn by PDFium from those bytes, so no
plaintext copy of the pooled comments is left for anyone to read, even after a crash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.study import Study
from fieldkit.ui.qt import QObject, QTimer

#: Share of the progress bar for reading the study; the rest follows the renderer.
READING_SHARE = 0.1


class Job:
    """One piece of report work: its progress (0 to 1), a cancel request and, later, its result."""

    def __init__(self) -> None:
        self.progress = 0.0
        self._cancel = threading.Event()
        self.future: Future | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def advance(self, fraction: float) -> None:
        """Called by the worker; the bar only moves forward."""
        self.progress = max(self.progress, min(1.0, float(fraction)))

    @property
    def done(self) -> bool:
        return self.future is not None and self.future.done()


class JobCancelled(Exception):
    """The job was cancelled before it began its work."""


def _report_data(open_reader: Callable[[], Study], options: Any, job: Job) -> Any:
    """The report data, built from a read-only view of the study (``open_reader``, i.e.
    ``study.open_reader``, which knows an encrypted study's key)."""
    from fieldkit.reports.data import build_report_data

    if job.cancelled:
        raise JobCancelled()
    with open_reader() as study:
        data = build_report_data(study, options)
    job.advance(READING_SHARE)
    if job.cancelled:
        raise JobCancelled()
    return data


def _rendering(job: Job) -> dict[str, Any]:
    """The renderer's progress and cancel hooks for ``job``."""
    return {"progress": lambda f: job.advance(READING_SHARE + (1 - READING_SHARE) * f),
            "cancelled": lambda: job.cancelled}


@dataclass(frozen=True)
class Exported:
    """A report written: where, and what it could not print (one line per character no font has)."""

    path: Path
    missing: tuple[str, ...] = ()


def make_report(open_reader: Callable[[], Study], options: Any, target: Path, job: Job) -> Exported:
    """Build the report data from a read-only view of the study and render it to ``target``
    (the file the researcher chose): a Word document when it ends in .docx, else a PDF."""
    from fieldkit.reports.glyphs import describe, find_missing

    data = _report_data(open_reader, options, job)
    missing = tuple(describe(find_missing(data.pieces())))
    if Path(target).suffix.lower() == ".docx":
        from fieldkit.reports.docx import render_docx

        return Exported(render_docx(data, target, **_rendering(job)), missing)
    from fieldkit.reports.pdf import render_report

    return Exported(render_report(data, target, page_size=options.page_size, **_rendering(job)), missing)


def make_report_bytes(open_reader: Callable[[], Study], options: Any, job: Job) -> bytes:
    """The same report as ``make_report``, rendered in memory: its PDF as bytes, no file written."""
    from fieldkit.reports.pdf import render_report_bytes

    data = _report_data(open_reader, options, job)
    return render_report_bytes(data, page_size=options.page_size, **_rendering(job))


@dataclass(frozen=True, eq=False)
class PageImage:
    """One page drawn as RGB pixels (Qt-free: the UI wraps it in a QImage). ``pdf`` is the
    document it was drawn from, in memory (compared by identity: which preview it belongs to)."""

    pdf: bytes
    index: int
    page_count: int
    width: int
    height: int
    stride: int
    pixels: bytes


def render_page(pdf: bytes, index: int, width_px: int) -> PageImage:
    """Draw page ``index`` (clamped to the pages there are) of the PDF bytes ``pdf`` at
    ``width_px`` wide. PDFium reads the bytes where they are: nothing is written."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document)
        index = min(max(index, 0), count - 1)
        page = document[index]
        try:
            width_pt, _ = page.get_size()
            bitmap = page.render(scale=width_px / width_pt, rev_byteorder=True, may_draw_forms=False)
            try:
                image = PageImage(pdf, index, count, bitmap.width, bitmap.height, bitmap.stride,
                                  bytes(bitmap.buffer))
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    return image


def make_preview(open_reader: Callable[[], Study], options: Any, page: int, width_px: int,
                 job: Job) -> PageImage:
    """The report rendered in memory and one of its pages drawn: no file is written."""
    return render_page(make_report_bytes(open_reader, options, job), page, width_px)


class ReportWorker(QObject):
    """The one background thread for report work, polled from the UI thread.

    ``submit(fn, on_done=..., on_failed=..., on_progress=...)`` runs ``fn(job)`` in the
    background; the callbacks run on the UI thread: ``on_progress(fraction)`` while it runs,
    then ``on_done(result)`` or ``on_failed(job, exception)``.
    """

    POLL_MS = 40

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="fieldkit-report")
        self._jobs: list[tuple[Job, Callable[[Any], None], Callable[[Job, BaseException], None],
                               Callable[[float], None] | None]] = []
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def submit(self, fn: Callable[[Job], Any], *, on_done: Callable[[Any], None],
               on_failed: Callable[[Job, BaseException], None],
               on_progress: Callable[[float], None] | None = None) -> Job:
        job = Job()
        if self._executor is None:
            raise RuntimeError("the report worker is closed")
        job.future = self._executor.submit(fn, job)
        self._jobs.append((job, on_done, on_failed, on_progress))
        self._poll.start()
        return job

    def _check(self) -> None:
        for entry in list(self._jobs):
            job, on_done, on_failed, on_progress = entry
            if on_progress is not None and not job.done:
                on_progress(job.progress)
            if not job.done:
                continue
            self._jobs.remove(entry)
            assert job.future is not None
            error = job.future.exception()
            if error is not None:
                on_failed(job, error)
            else:
                if on_progress is not None:
                    on_progress(1.0)
                on_done(job.future.result())
        if not self._jobs:
            self._poll.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until every job has finished and been handed on (for scripts and tests)."""
        while self._jobs:
            futures = [job.future for job, *_ in self._jobs if job.future is not None]
            wait(futures, timeout=timeout)
            self._check()
            if timeout is not None:
                break

    def close(self) -> None:
        """Cancel what is running, wait for the thread to stop; callbacks are not called."""
        if self._executor is None:
            return
        for job, *_ in self._jobs:
            job.cancel()
        self._poll.stop()
        self._jobs = []
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
