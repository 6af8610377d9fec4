"""How long opening a case form from the organisation list takes, on a demo study of a size.

The Organisations screen opens an organisation by loading it into its one case form
(``OrganisationsScreen.open_case``): the record, its flags, contacts, numbers, attempts,
interviews and disposition, shown in the form's widgets. Each opening of organisations
spread over the list is timed, with the events it posts handled, in the app's own main window
on the offscreen platform. The floor is what the bare driver (sqlcipher3) takes to read that
organisation's rows from the same file.

    python bench/case_form.py [--organisations 1000] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_FOLDER, Row, copy_study, demo_study, forget_backups, p95, private_home, text_table  # noqa: E402

#: What the case form shows of an organisation, read by the bare driver: the floor.
FLOOR_READS = (
    "SELECT * FROM organisations WHERE id = ?",
    "SELECT flag FROM flags WHERE organisation_id = ?",
    "SELECT * FROM contacts WHERE organisation_id = ? ORDER BY id",
    "SELECT * FROM numbers WHERE organisation_id = ? ORDER BY id",
    "SELECT * FROM attempts WHERE organisation_id = ? ORDER BY at DESC, id DESC",
    "SELECT * FROM interviews WHERE organisation_id = ? ORDER BY date, id",
)


def bare_reads(raw, org_id: int) -> None:
    for sql in FLOOR_READS:
        raw.execute(sql, (org_id,)).fetchall()


def opening_times(study: Path, opens: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds each opening of ``opens`` organisations spread over the list took, in the app's
    window on ``study``; the bare driver's reads of the same organisations' rows; and the
    UI thread's processor time of each opening (which a busy machine inflates less)."""
    from fieldkit.storage import sqlite

    from common import app_window, close_window, settle

    app, window, screen = app_window(study)
    raw = sqlite.connect(study)
    try:
        ids = list(screen.model.ids)
        chosen = [ids[(i * len(ids)) // opens] for i in range(opens)] if len(ids) > opens else ids
        ours, floor, cpu = [], [], []
        for n, org_id in enumerate([chosen[-1], *chosen]):  # the first opening builds caches: not counted
            start, began = time.perf_counter(), time.thread_time()
            screen.open_case(org_id)
            app.processEvents()  # what the opening posted (layout, the paint), as the event loop would
            took = time.perf_counter() - start
            used = time.thread_time() - began
            start = time.perf_counter()
            bare_reads(raw, org_id)
            bare = time.perf_counter() - start
            if n:
                ours.append(took)
                floor.append(bare)
                cpu.append(used)
            screen.show_list()
            settle(app, lambda: not screen.loader.busy)
        return ours, floor, cpu
    finally:
        raw.close()
        close_window(app, window)


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list[Row]:
    """Opening a case form from the list (p95 of the openings), for bench/run.py."""
    opens = 10 if quick else 60
    source = demo_study(organisations, folder)
    work = Path(tempfile.mkdtemp(prefix="case-form-", dir=folder))
    try:
        study = copy_study(source, work / "study.fieldkit")
        ours, floor, cpu = opening_times(study, opens)
    finally:
        forget_backups(work / "study.fieldkit")
        shutil.rmtree(work, ignore_errors=True)
    t_ours, t_floor = p95(ours), p95(floor)
    return [Row("open a case form (p95)", organisations, t_ours * 1e3, t_floor * 1e3, "ms", "p95 <30 ms",
                t_ours < 0.030, f"{len(ours)} organisations opened; median {statistics.median(ours) * 1e3:.1f} ms; "
                f"UI thread's processor time p95 {p95(cpu) * 1e3:.1f} ms")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where demo studies are kept")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    private_home(args.folder)
    print(text_table(suite_rows(args.organisations, args.folder, quick=args.quick)))


if __name__ == "__main__":
    main()
