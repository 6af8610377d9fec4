"""How much does the client report cost over a plain reportlab document with the same content?

Builds the demo study with 1,000 organisations and its report written (``bench/report_study.py``),
tops its pool up to 5,000 comments, and times (a) fieldkit: build_report_data + render_report,
every comment printed, against three floors measured in the same run: bare reportlab's
SimpleDocTemplate with the same tables and paragraphs (1) in Helvetica, (2) in Noto Sans, embedded
as a report's fonts must be, and (3) in Noto Sans with reportlab's own contents page with page
numbers and a footer on every page (``multiBuild``: what a contents page costs in reportlab).
fieldkit does more than all three (any script, shaped, right to left; a cover, charts, running
heads, "Page x of y"). Best of ``--repeat`` runs of each.

    python bench/report.py [--organisations 1000] [--comments 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_study import report_study  # noqa: E402 - after the paths


def floor_document(data, path: Path, *, font: str | None = None, contents: bool = False) -> None:
    """The same tables and paragraphs with bare reportlab: in Helvetica, or in ``font`` (a TrueType
    font registered with reportlab, embedded and subset as any report font must be); with
    ``contents``, also reportlab's own contents page with page numbers and a footer on every page
    (``multiBuild``: the two passes a contents page needs in reportlab)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table
    from reportlab.platypus.tableofcontents import TableOfContents

    styles = getSampleStyleSheet()
    if font is not None:
        for style in styles.byName.values():
            if hasattr(style, "fontName"):
                style.fontName = font
    story = [Paragraph(escape(data.title), styles["Title"])]
    if contents:
        toc = TableOfContents()
        if font is not None:
            for level in toc.levelStyles:
                level.fontName = font
        story.append(toc)

    def table(rows):
        cells = [[escape(str(c)) for c in row] for row in rows]
        t = Table(cells, repeatRows=1)
        if font is not None:
            t.setStyle([("FONTNAME", (0, 0), (-1, -1), font)])
        story.append(t)

    for rows in (data.by_category, data.by_area):
        table([["Group", "On database", "Interviewed"]] +
              [[r.group, r.on_database, r.interviewed] for r in rows])
    for crosstab in data.crosstabs:
        story.append(Paragraph(escape(crosstab.question_label), styles["Heading2"]))
        table([["Group"] + list(crosstab.choices) + ["Base"]] +
              [[r.group] + list(r.cells) + [r.base] for r in (*crosstab.rows, crosstab.total)])
    for theme in data.comments:
        story.append(Paragraph(escape(theme.theme), styles["Heading2"]))
        story.extend(Paragraph(escape(q), styles["BodyText"]) for q in theme.quotations)
    table([["Area", "Name"]] + [[e.area or "", e.name] for e in data.directory])
    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable):  # noqa: N802 - reportlab's name
            if contents and isinstance(flowable, Paragraph) and flowable.style.name in ("Heading1", "Heading2"):
                self.notify("TOCEntry", (0 if flowable.style.name == "Heading1" else 1,
                                         flowable.getPlainText(), self.page))

    def footer(canvas, doc):
        canvas.setFont(font or "Helvetica", 8)
        canvas.drawRightString(190 * mm, 12 * mm, f"Page {doc.page}")

    doc = Doc(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm)
    if contents:
        doc.multiBuild(story, onFirstPage=footer, onLaterPages=footer)
    else:
        doc.build(story)


def pages(path: Path) -> int:
    """How many pages a PDF written by reportlab has (its page objects)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list:
    """The client report of the demo study of that size, as the demo wrote it (its chosen
    quotations, its directory): report data plus PDF, against floor 1 (bare reportlab, the same
    tables and paragraphs in Helvetica, one pass); for bench/run.py."""
    from common import Row, demo_study

    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.pdf import render_report
    from fieldkit.study import Study

    rounds = 1 if quick or organisations >= 50_000 else 3
    ours = bare = built = float("inf")
    with tempfile.TemporaryDirectory(dir=folder) as tmp, \
            Study.open(demo_study(organisations, folder), read_only=True, backup=False) as study:
        out = Path(tmp) / "report.pdf"
        for _ in range(rounds):  # the best of a few, as above
            start = time.perf_counter()
            data = build_report_data(study, ReportOptions(seed=1))
            built = min(built, time.perf_counter() - start)  # the data step alone, for the note
            render_report(data, out)
            ours = min(ours, time.perf_counter() - start)
            start = time.perf_counter()
            floor_document(data, Path(tmp) / "floor.pdf")
            bare = min(bare, time.perf_counter() - start)
        printed = pages(out)
    return [Row("report: data + PDF", organisations, ours, bare, "s", "", None,
                f"{printed:,} pages (data {built:.2f} s); floor: reportlab, Helvetica, one pass", shown=printed)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the fastest counted")
    args = parser.parse_args()

    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.pdf import render_report

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        study = report_study(folder / "big.fieldkit", organisations=args.organisations, comments=args.comments)
        # Every comment printed: the worst case for layout (a report quotes a few per theme).
        options = ReportOptions(seed=1, quotations=args.comments)
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        from fieldkit.reports.scripts import font_dir

        pdfmetrics.registerFont(TTFont("FloorSans", str(font_dir() / "NotoSans-Regular.ttf")))
        built = rendered = floor = floor_ttf = floor_full = float("inf")
        for _ in range(args.repeat):  # the best of a few runs of each: shared machines are noisy
            start = time.perf_counter()
            data = build_report_data(study, options)
            built = min(built, time.perf_counter() - start)
            start = time.perf_counter()
            render_report(data, folder / "fieldkit.pdf")
            rendered = min(rendered, time.perf_counter() - start)
            start = time.perf_counter()
            floor_document(data, folder / "floor.pdf")
            floor = min(floor, time.perf_counter() - start)
            start = time.perf_counter()
            floor_document(data, folder / "floor-ttf.pdf", font="FloorSans")
            floor_ttf = min(floor_ttf, time.perf_counter() - start)
            start = time.perf_counter()
            floor_document(data, folder / "floor-full.pdf", font="FloorSans", contents=True)
            floor_full = min(floor_full, time.perf_counter() - start)
        study.close()
        ours = built + rendered
        print(f"{args.organisations} organisations, {args.comments} pooled comments")
        print(f"fieldkit: report data {built:.2f} s + rendering {rendered:.2f} s = {ours:.2f} s")
        print(f"floor (plain reportlab, same tables and paragraphs, Helvetica): {floor:.2f} s: "
              f"ratio {ours / floor:.2f}x")
        print(f"floor (the same in Noto Sans, embedded as report fonts must be): {floor_ttf:.2f} s: "
              f"ratio {ours / floor_ttf:.2f}x")
        print(f"floor (the same with reportlab's own contents page and page footers): {floor_full:.2f} s: "
              f"ratio {ours / floor_full:.2f}x")


if __name__ == "__main__":
    main()
