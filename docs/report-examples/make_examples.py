"""Example client reports, made from the two demo studies, with pictures of chosen pages.

    python docs/report-examples/make_examples.py [--out docs/report-examples] [--dpi 70]

Builds, in a temporary folder, the regional mapping demo (``fieldkit.demo_report.create_demo``)
and the confidential London-shaped study (``fieldkit.demo_report.confidential_study``), each with
a fixed seed and a fixed date, and writes their reports as PDF and Word documents:
mapping-report.pdf/.docx and london-report.pdf/.docx. Pages of each PDF are then drawn as PNG
with poppler's ``pdftoppm``. Pages are found by their bookmarks, so the pictures follow the
report as it changes. PNGs from an earlier run that this one does not make are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

#: The mapping demo: the day it is built (fieldwork runs up to it) and its seed.
MAPPING_TODAY = dt.date(2026, 11, 23)
MAPPING_SEED = 2026
#: The London study: fieldwork ends with the summer, the report is made in the autumn.
LONDON_FIELDWORK_ENDS = dt.date(2007, 8, 31)
LONDON_REPORT_DAY = dt.date(2007, 10, 15)
LONDON_SEED = 2007
#: Above this the pictures are too heavy for the repository.
MAX_FOLDER_BYTES = 3_000_000


def _bookmarks(pdf_path: Path) -> list[tuple[str, int]]:
    """(title, page number) of every bookmark, in order."""
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    with pdfplumber.open(pdf_path) as pdf:
        pages = {p.page_obj.pageid: i + 1 for i, p in enumerate(pdf.pages)}
        return [(entry, pages[resolve1(dest)[0].objid])
                for _level, entry, dest, _action, _se in pdf.doc.get_outlines() if dest]


def _page_of(marks: list[tuple[str, int]], pdf_path: Path, title: str) -> int:
    for entry, page in marks:
        if entry == title:
            return page
    raise SystemExit(f"no bookmark {title!r} in {pdf_path.name} (bookmarks: {', '.join(t for t, _ in marks)})")


def _crosstab_with_chart(data, question_id: str) -> str:
    """The heading of question ``question_id``'s table of answers (else the first one with a chart
    by category): its page shows a table with its chart."""
    from fieldkit.reports.charts import chart_for

    for x in data.crosstabs:
        if x.question_id == question_id:
            return x.question_label
    for x in data.crosstabs:
        if x.by and chart_for(x) is not None:
            return x.question_label
    raise SystemExit("the report has no table of answers with a chart")


def _draw(pdf: Path, page: int, target: Path, dpi: int) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(target)], check=True)
    return target.with_suffix(".png")


def _stamp_docx(path: Path, when: dt.datetime) -> None:
    """Give the Word document ``when`` as its creation time, inside and in its zip entries, so
    that making it again gives the same bytes."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as z:
        parts = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts:
            if name == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), blob)
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, blob)


def _report(study, today: dt.date, seed: int, out: Path, stem: str, **options):
    """The report of ``study`` as made on ``today``: PDF and Word, both dated ``today``."""
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.docx import render_docx
    from fieldkit.reports.pdf import render_report

    when = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
    data = build_report_data(study, ReportOptions(seed=seed, **options), today=today)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))  # the PDF's creation date
    try:
        pdf = render_report(data, out / f"{stem}.pdf")
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    docx = render_docx(data, out / f"{stem}.docx")
    _stamp_docx(docx, when.replace(tzinfo=None))
    for path in (pdf, docx):
        path.chmod(0o644)
    return data, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-examples")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm (poppler) is needed to draw the pages")

    from fieldkit import demo_report

    made: list[Path] = []
    data_home = os.environ.get("XDG_DATA_HOME")
    with tempfile.TemporaryDirectory() as tmp:
        # The studies' automatic backups go to the temporary folder, not the user's own.
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        reports: list[tuple[str, Callable[[], object], dt.date, int, dict, Callable]] = [
            ("mapping-report",
             lambda: demo_report.create_demo(Path(tmp) / "mapping.fieldkit", organisations=60, seed=MAPPING_SEED,
                                             today=MAPPING_TODAY),
             MAPPING_TODAY, MAPPING_SEED, {"include_person": True},
             lambda data: [("cover", 1), ("contents", 2), ("background", "Background"),
                           ("crosstab-and-chart", _crosstab_with_chart(data, "b2")),
                           ("findings", data.text_of("comments").heading),
                           ("recommendations", "Recommendations"),
                           ("directory", data.text_of("directory").heading)]),
            ("london-report",
             lambda: demo_report.confidential_study(Path(tmp) / "london.fieldkit", seed=LONDON_SEED,
                                                    today=LONDON_FIELDWORK_ENDS),
             LONDON_REPORT_DAY, LONDON_SEED, {},
             lambda data: [("cover", 1), ("method-and-targets", "Method"),
                           ("findings", data.text_of("comments").heading),
                           ("recommendations", "Recommendations"),
                           ("models-of-practice", data.text_of("appendices").heading)]),
        ]
        for stem, build, today, seed, options, pages in reports:
            study = build()
            try:
                data, pdf = _report(study, today, seed, out, stem, **options)
            finally:
                study.close()
            made += [pdf, out / f"{stem}.docx"]
            marks = _bookmarks(pdf)
            for n, (name, where) in enumerate(pages(data), 1):
                page = where if isinstance(where, int) else _page_of(marks, pdf, where)
                png = _draw(pdf, page, out / f"{stem}-{n}-{name}", args.dpi)
                made.append(png)
                print(f"{pdf.name} page {page} -> {png.name}")
        if data_home is None:
            del os.environ["XDG_DATA_HOME"]
        else:
            os.environ["XDG_DATA_HOME"] = data_home

    for old in sorted(out.glob("*.png")):
        if old not in made:
            old.unlink()
            print(f"removed {old.name}")
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"{out}: {total / 1e6:.1f} MB")
    if total > MAX_FOLDER_BYTES:
        raise SystemExit(f"{out} holds {total / 1e6:.1f} MB, more than {MAX_FOLDER_BYTES / 1e6:.0f} MB: "
                         "lower --dpi")


if __name__ == "__main__":
    main()
