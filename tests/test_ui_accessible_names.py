"""Every control of every place of the demo study has a name a screen reader can read: its
own accessible name, its text, or a label it is the buddy of."""

from __future__ import annotations

import pytest
from test_ui_fit import demo_window  # noqa: F401 - the fixture
from ui_screens import walk, unnamed_controls

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_every_control_has_a_name(qtbot, demo_window):  # noqa: F811 - the fixture
    problems = []
    for place in walk(qtbot, demo_window):
        problems += [f"{place}: {control}" for control in unnamed_controls(demo_window)]
    assert not problems, "\n".join(dict.fromkeys(problems))
