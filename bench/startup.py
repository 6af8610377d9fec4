"""Cold start: from process start to the main window painted with a study's list showing.

Each round starts a new Python process. fieldkit's round runs the real entry point
(``fieldkit open STUDY``) and stops at the first paint of the organisation list with rows in
it; the floor's round is a bare PySide6 program showing an empty QMainWindow, stopped at its
first paint. Both are timed from just before the process is started, so the interpreter's own
start, every import and every check on the way count alike. Settings and backups go to a
private folder; the file cache is warm after the first (uncounted) round of each.

    python bench/startup.py [--organisations 10000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Row, copy_study, demo_study, text_table  # noqa: E402

#: The child program: ``bare`` or ``fieldkit STUDY``; prints the wall-clock time of the paint.
CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMainWindow

app = QApplication(sys.argv[:1])

class Painted(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint and self.wanted(obj):
            self.done = True
            print(f"{time.time():.6f}", flush=True)
            QTimer.singleShot(0, finish)
        return False
    def wanted(self, obj):
        if sys.argv[1] == "bare":
            return isinstance(obj, QMainWindow)
        view = obj.parent()
        return (isinstance(view, QAbstractItemView) and obj is view.viewport() and view.isVisible()
                and view.model() is not None and view.model().rowCount() > 0)

def finish():
    for window in app.topLevelWidgets():
        window.close()
    app.quit()

painted = Painted()
app.installEventFilter(painted)
if sys.argv[1] == "bare":
    window = QMainWindow()
    window.resize(1200, 800)
    window.show()
    sys.exit(app.exec())
from fieldkit.cli import main
sys.exit(main(["open", sys.argv[2]]))
"""


def _round(args: list[str], env: dict[str, str]) -> float:
    start = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    lines = done.stdout.split()
    if done.returncode != 0 or not lines:
        raise SystemExit(f"startup: the {args[0]} round failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return float(lines[0]) - start


def measure(study: Path, rounds: int, folder: Path) -> tuple[list[float], list[float]]:
    """Each round's seconds to the first paint: fieldkit's on ``study``, and the bare window's."""
    # Without PYTHONDONTWRITEBYTECODE (set on some machines): an installed fieldkit runs from
    # compiled bytecode, and recompiling its hundred modules on every round would time the compiler.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**inherited, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "HOME": str(folder / "home"), "XDG_CONFIG_HOME": str(folder / "home" / ".config"),
           "XDG_DATA_HOME": str(folder / "home" / ".local" / "share"),
           "XDG_CACHE_HOME": str(folder / "home" / ".cache")}
    (folder / "home").mkdir(parents=True, exist_ok=True)
    ours: list[float] = []
    bare: list[float] = []
    _round(["bare"], env)
    _round(["fieldkit", str(study)], env)  # the first opening takes the opening backup
    for _ in range(rounds):  # interleaved, so a busy moment on the machine falls on both
        bare.append(_round(["bare"], env))
        ours.append(_round(["fieldkit", str(study)], env))
    return ours, bare


def rows(organisations: int, folder: Path, rounds: int = 5) -> list[Row]:
    """The suite's start-up row: the median cold start against the bare window's, held to 1.5×."""
    study = copy_study(demo_study(organisations, folder), folder / "startup" / "study.fieldkit")
    ours, bare = measure(study, rounds, folder / "startup")
    figure, floor = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    return [Row("start-up to the list painted", organisations, figure, floor, "ms", "≤1.5×",
                figure <= 1.5 * floor)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--study", type=Path, help="time this study instead of a demo study")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        if args.study:
            study = copy_study(args.study, folder / "study.fieldkit")
            ours, bare = measure(study, args.rounds, folder)
            figure, floor = statistics.median(ours) * 1000, statistics.median(bare) * 1000
            print(text_table([Row("start-up to the list painted", 0, figure, floor, "ms", "≤1.5×",
                                  figure <= 1.5 * floor)]))
        else:
            print(text_table(rows(args.organisations, Path(os.environ.get("FIELDKIT_BENCH", "/tmp/fieldkit-bench")),
                                  args.rounds)))


if __name__ == "__main__":
    main()
