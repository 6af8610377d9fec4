"""Opening a study the way a desktop hands it over (fieldkit/ui/launch.py, fieldkit/cli.py).

macOS's Finder sends a double-clicked .fieldkit file as a file-open event; Windows and Linux
start ``fieldkit STUDY``. Both must end with the study open in the window.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import small_template

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def two_studies(tmp_path: Path) -> tuple[Path, Path]:
    paths = (tmp_path / "first.fieldkit", tmp_path / "second.fieldkit")
    for path, title in zip(paths, ("First study", "Second study"), strict=True):
        Study.create(path, small_template(), title=title).close()
    return paths


def test_a_file_open_event_opens_its_study_in_the_window(qtbot, qapp, two_studies):
    from fieldkit.ui.launch import StudyFileOpener
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QFileOpenEvent

    first, second = two_studies
    window = MainWindow()
    qtbot.addWidget(window)
    opener = StudyFileOpener(window)
    qapp.installEventFilter(opener)
    try:
        qapp.sendEvent(qapp, QFileOpenEvent(str(first)))
        assert window.session is not None and window.session.study.path == first
        assert window.windowTitle() == "First study — fieldkit"
        assert window.isVisible()
        session = window.session
        qapp.sendEvent(qapp, QFileOpenEvent(str(first)))  # already open: brought forward, not reopened
        assert window.session is session
        qapp.sendEvent(qapp, QFileOpenEvent(str(second)))
        assert window.session.study.path == second
        assert window.windowTitle() == "Second study — fieldkit"
    finally:
        qapp.removeEventFilter(opener)
        window.close()


def test_fieldkit_with_a_study_file_opens_it_and_paints_the_window(two_studies, tmp_path: Path):
    # ``fieldkit STUDY`` as the file association and the .desktop file start it, in a process of
    # its own (the app's event loop, fonts and excepthook), quitting once its window has painted.
    first, _ = two_studies
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FIELDKIT_QUIT_AFTER_PAINT": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "fieldkit", str(first)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "fieldkit: painted “First study — fieldkit”; quitting" in done.stdout
