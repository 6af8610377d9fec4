"""What the benchmarks share: a row of the suite's table, the table printed as text and as
Markdown, timing helpers, and demo studies of a given size built once and kept.

Every benchmark the suite runs (``bench/run.py``) returns ``Row`` objects: fieldkit's figure
beside a floor measured in the same run (the same work done by the bare library underneath),
the target the figure is held to, and whether it was met.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_FOLDER = Path("/tmp/fieldkit-bench")
COLUMNS = ("benchmark", "size", "figure", "floor", "ratio", "target", "met", "note")


@dataclass
class Row:
    """One line of the suite's table.

    ``figure`` is fieldkit's time or size in ``unit`` ("ms", "s", "MB" or "KB/org"); ``floor``
    the same work done by the bare library in the same run, or None where there is none (the
    ratio is then left blank); ``target`` says what the figure is held to ("≤1.5×",
    "p95 <50 ms", "<+150 MB"); ``met`` is None where no target applies. ``shown`` is how much
    of the study the work handles (rows shown, matches found, rows imported): what the figure
    may grow with from one size to the next; 1 for work that should cost the same at any size.
    """

    benchmark: str
    size: int
    figure: float
    floor: float | None
    unit: str
    target: str
    met: bool | None
    note: str = ""
    shown: float = 1

    @property
    def ratio(self) -> float | None:
        """fieldkit's figure over the floor's, or None without a floor."""
        if self.floor is None or self.floor <= 0:
            return None
        return self.figure / self.floor

    def cells(self) -> list[str]:
        """The row as the table's text cells, in ``COLUMNS`` order."""
        ratio = self.ratio
        return [self.benchmark, f"{self.size:,}", f"{number(self.figure)} {self.unit}",
                "" if self.floor is None else f"{number(self.floor)} {self.unit}",
                "" if ratio is None else f"{ratio:.2f}×", self.target,
                {True: "yes", False: "NO", None: ""}[self.met], self.note]


def number(value: float) -> str:
    """A figure with three significant digits or so, without a trail of noise."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _grid(rows: Iterable[Row]) -> list[list[str]]:
    return [row.cells() for row in rows]


def text_table(rows: Sequence[Row], columns: Sequence[str] = COLUMNS) -> str:
    """The rows as an aligned plain-text table (numbers to the right), for a terminal."""
    return aligned([list(columns), *_grid(rows)], right={1, 2, 3, 4})


def aligned(grid: Sequence[Sequence[str]], right: Collection[int] = ()) -> str:
    """Rows of cells as aligned text under a rule; ``right`` holds the columns aligned right."""
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(grid[0]), line(["-" * w for w in widths]), *(line(r) for r in grid[1:])])


def markdown_table(rows: Sequence[Row], columns: Sequence[str] = COLUMNS) -> str:
    """The rows as a Markdown table, for bench/README.md."""
    return markdown([list(columns), *_grid(rows)])


def markdown(grid: Sequence[Sequence[str]]) -> str:
    """Rows of cells (the first the header) as a Markdown table."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(grid[0]), line(["---"] * len(grid[0])), *(line(r) for r in grid[1:])])


def samples(fn: Callable[[], object], rounds: int) -> list[float]:
    """``fn`` run ``rounds`` times: each run's wall time in seconds."""
    times = []
    for _ in range(max(1, rounds)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def timed(fn: Callable[[], object], rounds: int) -> float:
    """The median wall time of ``rounds`` runs of ``fn``, in seconds."""
    return statistics.median(samples(fn, rounds))


def p95(values: Sequence[float]) -> float:
    """The 95th percentile of ``values`` (nearest rank: the value 95% of them do not exceed)."""
    if not values:
        raise ValueError("p95 of no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def schema_version() -> int:
    """The study schema this fieldkit writes: part of a cached study's key."""
    from fieldkit.storage.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def demo_path(organisations: int, folder: Path = DEFAULT_FOLDER) -> Path:
    """Where ``demo_study`` keeps the demo study of that size (it may not be made yet)."""
    return Path(folder) / f"demo-{organisations}-schema{schema_version()}.fieldkit"


def demo_study(organisations: int, folder: Path = DEFAULT_FOLDER) -> Path:
    """A demo study of ``organisations`` organisations made by ``fieldkit demo`` (the real path a
    user takes), kept in ``folder`` under a name holding the size and the schema version, so
    later runs reuse it and a study from an older schema is never reused.

    Benchmarks must not change it: copy it (``copy_study``) before writing to it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = demo_path(organisations, folder)
    if path.exists():
        return path
    for stale in folder.glob(f"demo-{organisations}-schema*.fieldkit*"):
        stale.unlink()
    building = folder / f"building-{organisations}-{os.getpid()}.fieldkit"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fieldkit", "demo", "--organisations", str(organisations), str(building)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    took = time.perf_counter() - start
    _checkpoint(building)
    building.replace(path)  # only a finished study gets the cached name
    (folder / f"{path.name}.took").write_text(f"{took:.1f}\n", encoding="utf-8")
    return path


def demo_build_seconds(organisations: int, folder: Path = DEFAULT_FOLDER) -> float | None:
    """How long ``fieldkit demo`` took to make the cached study of that size, if recorded."""
    took = Path(f"{demo_path(organisations, folder)}.took")
    return float(took.read_text(encoding="utf-8")) if took.exists() else None


def _checkpoint(path: Path) -> None:
    """Fold the study's -wal into the file, so the cached study is one file to copy."""
    from fieldkit.storage import sqlite

    conn = sqlite.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for sidecar in ("-wal", "-shm"):
        Path(f"{path}{sidecar}").unlink(missing_ok=True)


def copy_study(source: Path, target: Path) -> Path:
    """A copy of a (checkpointed) study to write to, leaving the cached one as it is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for sidecar in ("-wal", "-shm"):
        Path(f"{target}{sidecar}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def private_home(folder: Path) -> Path:
    """Point the settings, data (backups) and cache folders of this process and its children at
    ``folder``/home, so benchmarks never touch the user's own; call before Qt or fieldkit is used."""
    home = Path(folder) / "home"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return home


def qt_app():
    """The QApplication, set up as the app sets it up (fonts, the cycle collector on the UI thread)."""
    from fieldkit.ui.qt import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("fieldkit")
        app.setOrganizationName("fieldkit")
        from fieldkit.ui.collector import Collector
        from fieldkit.ui.fonts import install_app_fonts

        install_app_fonts()
        app.collector = Collector(app)
    return app


def settle(app, until: Callable[[], bool] = lambda: True, *, at_least: float = 0.0, timeout: float = 600.0) -> None:
    """Run the event loop until ``until()`` holds and ``at_least`` seconds have passed."""
    start = time.perf_counter()
    while True:
        app.processEvents()
        waited = time.perf_counter() - start
        if waited >= at_least and until():
            return
        if waited > timeout:
            raise TimeoutError("the window did not settle")
        time.sleep(0.005)


def app_window(study: Path):
    """The app's main window on ``study``, shown, on the Organisations screen with its list and
    its disposition counts read: ``(app, window, screen)``. Warnings go to stderr, not to a dialog."""
    from fieldkit.ui import errors

    app = qt_app()
    errors.warn = lambda parent, title, text: print(f"{title}: {text}", file=sys.stderr)
    from fieldkit.ui.main_window import MainWindow

    window = MainWindow()
    if not window.open_study(study):
        raise RuntimeError(f"the app could not open {study}")
    window.show()
    screen = window.show_screen("organisations")
    settle(app, lambda: not screen.loader.busy)
    return app, window, screen


def close_window(app, window) -> None:
    """Close the main window (and with it the study) and free what it held."""
    window.close()
    window.deleteLater()
    settle(app, at_least=0.05)
    import gc

    gc.collect()


def forget_backups(study: Path) -> None:
    """Remove the automatic backups the app took of a benchmark's copy of a study."""
    from fieldkit.storage.backups import folder_for

    shutil.rmtree(folder_for(study), ignore_errors=True)
