"""Shared pytest set-up for fieldkit's tests."""

import os

# --- Qt platform (keep this first: it must run before anything creates a QApplication) ----
# Tests draw offscreen, so a machine with no display (CI, ssh) can never abort the run.
# To watch them in real windows instead, set FIELDKIT_TEST_QPA, e.g. FIELDKIT_TEST_QPA=xcb.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("FIELDKIT_TEST_QPA") or "offscreen"

# --- Keep tests away from the user's own settings, studies and logs --------------------------
# Qt reads the settings folder once per process, so this is set for the whole run.
import tempfile  # noqa: E402

_HOME = tempfile.mkdtemp(prefix="fieldkit-tests-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())

# --- Shared fixtures (add below) ------------------------------------------------------------

pytest_plugins = ["studies",  # study fixtures built through Study.create (tests/studies.py)
                  "pg_cluster"]  # a throwaway PostgreSQL server for the shared directory (tests/pg_cluster.py)


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _collector_on_the_main_thread():
    """As the app does (fieldkit.ui.collector): the automatic cycle collector is off, so a
    Qt object in a cycle is never freed from a worker thread (which crashes Qt later)."""
    import gc

    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    """Free each test's cycles on the main thread once its windows are closed; what is left
    (modules, session fixtures) is frozen, as the app does, so the next collection is quick."""
    yield
    import gc

    gc.collect()
    gc.freeze()


def open_window(qtbot, path):
    """The main window, shown, on the study at ``path``: on the Organisations screen, once
    its list has been read."""
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    w.wait_for_checks()  # a study as it is once opened and checked
    w.show()
    qtbot.waitExposed(w)
    screen = w.show_screen("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy)
    return w


def open_study_window(qtbot, study, *, size: tuple[int, int] | None = None):
    """Close ``study`` (a fixture's) and open its file in a real, shown main window."""
    from fieldkit.ui.main_window import MainWindow

    path = study.path
    study.close()
    w = MainWindow()
    qtbot.addWidget(w)
    if size:
        w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    assert w.open_study(path)
    w.wait_for_checks()  # a study as it is once opened and checked
    return w


@pytest.fixture
def warnings(tmp_path, monkeypatch) -> list[tuple[str, str]]:
    """Keep QSettings in the test's folder and collect would-be warning dialogs (title, text)
    instead of blocking on them."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.ui import errors

    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: seen.append((title, text)))
    return seen


@pytest.fixture
def window(qtbot, study_path):
    """``open_window`` on the ``study_path`` the test module provides."""
    w = open_window(qtbot, study_path)
    yield w
    w.close()
