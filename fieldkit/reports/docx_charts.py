"""The report's charts as PNG pictures for the Word report.

The Word report shows the same charts as the PDF: the chart flowables of
``fieldkit.reports.charts`` (labels set through ``text.para``, so any script prints), each drawn
on a page of its own exactly the chart's size and rasterised with pdfium. All the charts of a
report are drawn into one PDF in memory and read back once, so a report with many questions
opens pdfium once, not once per chart.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable


#: Pixels per inch of the pictures: sharp in print, small enough to keep the file light.
DPI = 200
#: Room above and below a chart on its page, in points, so that nothing at its edge is cut.
PAD = 3.0


@dataclass(frozen=True)
class Picture:
    """A chart as a PNG and the size it is shown at, in points."""

    png: bytes
    width: float
    height: float


def pictures(flowables: Sequence[Flowable], width: float, *, dpi: int = DPI,
             checkpoint: Callable[[], None] | None = None) -> list[Picture]:
    """Each chart laid out ``width`` points wide and drawn as a PNG at ``dpi``.
    ``checkpoint()`` is called between charts (it raises to stop)."""
    if not flowables:
        return []
    import pypdfium2
    from PIL import Image

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0)
    sizes = []
    for f in flowables:
        if checkpoint is not None:
            checkpoint()
        _, h = f.wrap(width, 10_000)
        size = (width, h + 2 * PAD)
        canvas.setPageSize(size)
        f.drawOn(canvas, 0, PAD)
        canvas.showPage()
        sizes.append(size)
    canvas.save()
    out = []
    pdf = pypdfium2.PdfDocument(buffer.getvalue())
    try:
        for i, (w, h) in enumerate(sizes):
            if checkpoint is not None:
                checkpoint()
            page = pdf[i]
            try:
                image = page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
            # A chart has few colours: as a palette image it is a third of the size and quicker to encode.
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            png = io.BytesIO()
            image.save(png, "PNG", compress_level=3, dpi=(dpi, dpi))
            out.append(Picture(png.getvalue(), w, h))
    finally:
        pdf.close()
    return out
