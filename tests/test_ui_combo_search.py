"""Type-to-select in drop-downs takes spaces: "BME n" picks "BME network", without the space
opening the list; Alt+Down and F4 still open it. Every drop-down of the app is that one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import open_study_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CHOICES = ["Access point", "BME organisations", "BME network", "Black Country groups", "bme youth"]


@pytest.fixture
def combo(qtbot):
    from fieldkit.ui.combo import ComboBox

    box = ComboBox()
    box.addItems(CHOICES)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    box.setFocus()
    chosen: list[str] = []
    box.textActivated.connect(chosen.append)
    box.chosen = chosen  # what a person's choice reported, as a click would
    return box


def popup_open(box) -> bool:
    return box.view().isVisible()


def fresh(qtbot) -> None:
    """Wait out the keyboard input interval: the next key starts a new search."""
    from fieldkit.ui.qt import QApplication

    qtbot.wait(QApplication.keyboardInputInterval() + 60)


def test_a_space_goes_on_with_the_search(qtbot, combo):
    qtbot.keyClicks(combo, "BME n")
    assert combo.currentText() == "BME network"
    assert combo.chosen[-1] == "BME network"  # reported as chosen: screens save on "activated"
    assert not popup_open(combo)


def test_the_first_item_with_the_prefix_case_insensitive(qtbot, combo):
    qtbot.keyClicks(combo, "bme ")
    assert combo.currentText() == "BME organisations" and not popup_open(combo)
    fresh(qtbot)
    qtbot.keyClicks(combo, "BME Y")
    assert combo.currentText() == "bme youth"
    fresh(qtbot)
    qtbot.keyClicks(combo, "Blz")  # "Bl" picks it; nothing starts "Blz", so the choice stays
    assert combo.currentText() == "Black Country groups"


def test_the_same_letter_again_moves_on(qtbot, combo):
    qtbot.keyClicks(combo, "b")
    assert combo.currentText() == "BME organisations"
    qtbot.keyClicks(combo, "b")
    assert combo.currentText() == "BME network"
    qtbot.keyClicks(combo, "b")
    assert combo.currentText() == "Black Country groups"


def test_alt_down_f4_and_a_space_on_its_own_open_the_list(qtbot, combo):
    from fieldkit.ui.qt import Qt

    for key, modifier in ((Qt.Key_Down, Qt.AltModifier), (Qt.Key_F4, Qt.NoModifier), (Qt.Key_Space, Qt.NoModifier)):
        fresh(qtbot)
        qtbot.keyClick(combo, key, modifier)
        qtbot.waitUntil(lambda: popup_open(combo))
        combo.hidePopup()
        qtbot.waitUntil(lambda: not popup_open(combo))


def test_a_long_choice_elides_and_says_itself_in_the_tooltip(qtbot, combo):
    combo.setToolTip("Where the organisation works")
    combo.setCurrentIndex(CHOICES.index("Black Country groups"))
    combo.setMinimumWidth(0)
    combo.setFixedWidth(combo.sizeHint().width())
    assert not combo.elided() and combo.toolTip() == "Where the organisation works"
    combo.setFixedWidth(80)
    assert combo.elided()
    assert combo.toolTip() == "Black Country groups\n\nWhere the organisation works"


def test_the_case_form_category_is_picked_by_typing_with_a_space(qtbot, mapping_study, warnings):
    path = mapping_study.path
    org = mapping_study.organisations.add("Walsall Somali Forum")
    w = open_study_window(qtbot, mapping_study)
    w.open_case(org, [org])
    form = w.screen_for("organisations").case_form
    form.category.setFocus()
    qtbot.keyClicks(form.category, "BME n")
    assert form.category.currentText() == "BME network" and not popup_open(form.category)
    w.close_study()
    from fieldkit.study import Study

    with Study.open(path) as study:
        assert study.organisations.get(org).category == "BME network"  # saved, as a choice is


def test_every_drop_down_of_the_app_is_the_one_that_takes_spaces():
    """No screen builds a stock QComboBox: each is fieldkit.ui.combo.ComboBox."""
    ui = Path(__file__).parents[1] / "fieldkit" / "ui"
    stock = [f"{p.relative_to(ui)}:{n}" for p in sorted(ui.rglob("*.py")) if p.name != "combo.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\bQComboBox\(", line)]
    assert stock == []
