"""Example pages of the client report, made from the demo study.

    python docs/report-examples/make_examples.py [--out docs/report-examples] [--dpi 80]

Builds a fresh demo study in a temporary folder, writes its report (with the person
interviewed in the directory) and draws three pages as PNG with poppler's ``pdftoppm``:
the contents, the first page of answers with a table and a chart, and the first page of
comments. Pages are found by their bookmarks, so the pictures follow the report as it changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 23)


def _page_of(pdf_path: Path, title: str) -> int:
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    with pdfplumber.open(pdf_path) as pdf:
        pages = {p.page_obj.pageid: i + 1 for i, p in enumerate(pdf.pages)}
        for _level, entry, dest, _action, _se in pdf.doc.get_outlines():
            if entry == title:
                return pages[resolve1(dest)[0].objid]
    raise SystemExit(f"no bookmark {title!r} in {pdf_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-examples")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from fieldkit.demo import build_demo
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.pdf import render_report

    with tempfile.TemporaryDirectory() as tmp:
        study = build_demo(Path(tmp) / "demo.fieldkit", today=TODAY)
        data = build_report_data(study, ReportOptions(include_person=True, seed=2026), today=TODAY)
        study.close()
        pdf = render_report(data, Path(tmp) / "report.pdf")
        wanted = {
            "1-contents": 2,
            "2-answers-table-and-chart": _page_of(pdf, data.crosstabs[2].question_label),
            "3-comments": _page_of(pdf, "What organisations said about the wider sector"),
        }
        for name, page in wanted.items():
            target = args.out / name
            subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(target)], check=True)
            print(f"page {page} -> {target}.png")


if __name__ == "__main__":
    main()
