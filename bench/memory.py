"""How much memory the app takes with a study open on the Organisations screen.

Two child processes, each on the offscreen platform, report their peak resident memory (the
kernel's high-water mark, VmHWM): the floor, a bare QMainWindow of the app's size shown by
PySide6 alone; and the app's own main window showing the Organisations screen on a demo
study of the size, its list and disposition counts read. The difference is what fieldkit and
the study add.

    python bench/memory.py [--organisations 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_FOLDER, Row, copy_study, demo_study, forget_backups, private_home, text_table  # noqa: E402

#: How long each child keeps its window up before reading its peak: the first paints and timers.
SETTLE_SECONDS = 1.0
TARGET_MB = 150


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(kind: str, study: Path | None, settle_seconds: float = SETTLE_SECONDS) -> None:
    """Show the window (``bare`` or ``app``), let it settle and print the peak as JSON."""
    if kind == "bare":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1180, 760)  # the app's first size
        window.show()
        from common import settle

        settle(app, at_least=settle_seconds)
    else:
        assert study is not None
        from common import app_window, settle

        app, window, screen = app_window(study)
        settle(app, lambda: not screen.loader.busy, at_least=settle_seconds)
    print(json.dumps({"peak_mb": peak_mb()}), flush=True)


def _run_child(kind: str, study: Path | None, quick: bool) -> float:
    command = [sys.executable, __file__, "--child", kind, *(["--quick"] if quick else []),
               *([str(study)] if study else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ.copy())
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"])


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list[Row]:
    """Peak memory of the app on the Organisations screen against a bare QMainWindow, for bench/run.py."""
    source = demo_study(organisations, folder)
    work = Path(tempfile.mkdtemp(prefix="memory-", dir=folder))
    try:
        study = copy_study(source, work / "study.fieldkit")
        bare = _run_child("bare", None, quick)
        ours = _run_child("app", study, quick)
    finally:
        forget_backups(work / "study.fieldkit")
        shutil.rmtree(work, ignore_errors=True)
    return [Row("memory: Organisations screen open", organisations, ours, bare, "MB", f"<+{TARGET_MB} MB",
                ours - bare < TARGET_MB, f"+{ours - bare:.0f} MB over a bare QMainWindow (peak resident)",
                shown=organisations)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where demo studies are kept")
    parser.add_argument("--quick", action="store_true", help="a shorter wait before the peak is read")
    parser.add_argument("--child", choices=("bare", "app"), help=argparse.SUPPRESS)
    parser.add_argument("study", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.study, 0.3 if args.quick else SETTLE_SECONDS)
        return
    private_home(args.folder)
    print(text_table(suite_rows(args.organisations, args.folder, quick=args.quick)))


if __name__ == "__main__":
    main()
