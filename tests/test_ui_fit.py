"""At the smallest window fieldkit supports, every place of the demo study shows its text
whole (wrapped, or elided with the whole text in a tooltip) and the sidebar needs no
scroll bar."""

from __future__ import annotations

import pytest
from ui_screens import MINIMUM, cut_text, open_demo_window, settle, walk

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def demo_window(qtbot, tmp_path, monkeypatch):
    """The main window on a new demo study, at its minimum size."""
    w = open_demo_window(qtbot, tmp_path, monkeypatch)
    yield w
    w.close()


def test_the_minimum_size_is_set(demo_window):
    from fieldkit.ui.main_window import MINIMUM_SIZE

    assert MINIMUM_SIZE == MINIMUM
    assert (demo_window.minimumSize().width(), demo_window.minimumSize().height()) == MINIMUM


def test_every_place_fits_the_smallest_window(qtbot, demo_window):
    w = demo_window
    problems = []
    places = []
    for place in walk(qtbot, w):
        places.append(place)
        size = (w.width(), w.height())
        if size != MINIMUM:
            problems.append(f"{place}: the window grew to {size[0]}x{size[1]}")
            w.resize(*MINIMUM)
            settle(qtbot)
        need = w.centralWidget().minimumSizeHint()
        if need.width() > w.centralWidget().width() or need.height() > w.centralWidget().height():
            problems.append(f"{place}: squeezed, the screen needs {need.width()}x{need.height()}")
        bar = w.nav.verticalScrollBar()
        if bar.maximum() > 0:
            problems.append(f"{place}: the sidebar scrolls ({bar.maximum()}px more)")
        problems += [f"{place}: {p}" for p in cut_text(w)]
    assert not problems, "\n".join(problems)
    for kind in ("the case form of", "the interview's section", "the pool's", "Pool, a comment chosen",
                 "Reports ▸ Write ▸", "Study settings ▸ Fieldwork"):
        assert any(p.startswith(kind) for p in places), kind  # the walk went everywhere
