"""How much does the Word report cost over python-docx writing the same content bare?

Builds a demo study (with its report written, as ``fieldkit demo`` makes it), then times
(a) fieldkit: build_report_data + render_docx, against (b) the floor: python-docx's own API
(``Document()``, ``add_heading``, ``add_paragraph``, ``add_table`` with a cell at a time,
``add_picture``) writing the same headings, paragraphs, quotations, tables and the same chart
pictures (drawn once, outside the timing, so both sides insert identical PNGs), measured in the
same run. Best of ``--repeat`` runs of each.

    python bench/report_docx.py [--organisations 60] [--comments 0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_study import report_study  # noqa: E402 - after the paths


def floor_document(data, pictures, path: Path) -> None:
    import docx
    from docx.shared import Mm

    doc = docx.Document()
    doc.add_heading(data.title, 0)
    for t in data.texts:
        doc.add_heading(t.heading, 1)
        for piece in t.text.plain():
            doc.add_paragraph(piece)
    for piece in data.method_text.plain():
        doc.add_paragraph(piece)

    def table(rows):
        t = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                t.cell(r, c).text = str(value)

    if data.method_section is not None:
        table([["", "Organisations"], *[[a, b] for a, b in data.method_section.counts]])
    for rows in (data.by_category, data.by_area):
        if rows:
            table([["Group", "On database", "Interviewed"], *[[r.group, r.on_database, r.interviewed] for r in rows]])
    for x in data.crosstabs:
        doc.add_heading(x.question_label, 2)
        table([["Answer", *[r.group for r in x.rows], "Total"],
               *[[choice, *[r.cells[i] for r in x.rows], x.total.cells[i]] for i, choice in enumerate(x.choices)]])
    for png in pictures:
        doc.add_picture(io.BytesIO(png), width=Mm(170))
    for theme in data.comments:
        doc.add_heading(theme.theme, 2)
        for q in theme.quotations:
            doc.add_paragraph(q, style="Quote")
    if data.recommendations:
        table([["Recommendation", "Who should act"], *[[r.text, r.who] for r in data.recommendations]])
    if data.directory:
        table([["Area", "Name"], *[[e.area, e.name] for e in data.directory]])
    doc.save(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=60)
    parser.add_argument("--comments", type=int, default=0, help="top the pool up to this many comments")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the fastest counted")
    args = parser.parse_args()

    from fieldkit.reports import charts, docx_charts
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.docx import render_docx

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        study = report_study(folder / "demo.fieldkit", organisations=args.organisations, comments=args.comments)
        options = ReportOptions(seed=1, quotations=max(args.comments, 5))
        data = build_report_data(study, options)
        drawn = [c for c in (charts.chart_for(x) for x in data.crosstabs) if c is not None]
        pictures = [p.png for p in docx_charts.pictures([f for _, f in drawn], 482)]
        built = rendered = floor = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            data = build_report_data(study, options)
            built = min(built, time.perf_counter() - start)
            start = time.perf_counter()
            render_docx(data, folder / "fieldkit.docx")
            rendered = min(rendered, time.perf_counter() - start)
            start = time.perf_counter()
            floor_document(data, pictures, folder / "floor.docx")
            floor = min(floor, time.perf_counter() - start)
        study.close()
        ours = built + rendered
        print(f"{args.organisations} organisations, {data.quotation_count} quotations, {len(pictures)} charts")
        print(f"fieldkit: report data {built:.2f} s + Word document {rendered:.2f} s = {ours:.2f} s")
        print(f"floor (bare python-docx, the same content and chart pictures): {floor:.2f} s")
        print(f"ratio {ours / floor:.2f}x (charts drawn by fieldkit, given ready-made to the floor)")


if __name__ == "__main__":
    main()
