"""The area picker a new study from a ``pick_areas`` template offers (fieldkit/ui/area_picker.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.template_toml import find_template
from fieldkit.ui.qt import QAbstractButton, QApplication, QListWidgetItem, Qt
from ui_dialogs import answer_modals
from ui_typing import type_text


def _shown(dialog) -> list[str]:
    return [dialog.list.item(i).data(Qt.ItemDataRole.UserRole).code
            for i in range(dialog.list.count()) if not dialog.list.item(i).isHidden()]


def _item(dialog, code: str) -> QListWidgetItem:
    [item] = [dialog.list.item(i) for i in range(dialog.list.count())
              if dialog.list.item(i).data(Qt.ItemDataRole.UserRole).code == code]
    return item


@pytest.fixture
def picker(qtbot):
    from fieldkit.ui.area_picker import AreaPicker

    dialog = AreaPicker(None, find_template("regional-mapping"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_list_narrows_by_kind_within_and_search(picker, qtbot):
    assert len(_shown(picker)) == 391 and picker.pick.isChecked() and not picker.keep.isVisible()
    picker.kind.setCurrentIndex(picker.kind.findData("scottish_council"))
    assert len(_shown(picker)) == 32 and picker.kind.currentText() == "Scottish councils (32)"
    picker.kind.setCurrentIndex(picker.kind.findData("region"))
    assert _item(picker, "E12000005").text() == "West Midlands  ·  region  ·  E12000005"
    picker.kind.setCurrentIndex(picker.kind.findData("london_borough"))
    assert len(_shown(picker)) == 33 and all(c.startswith("E09") for c in _shown(picker))
    assert picker.kind.currentText() == "London boroughs (33)"
    picker.kind.setCurrentIndex(0)
    picker.within.setCurrentIndex(picker.within.findData("E10000034"))
    assert picker.within.currentText() == "Worcestershire (county)"
    assert _shown(picker) == ["E07000234", "E07000235", "E07000236", "E07000237", "E07000238", "E07000239"]
    picker.within.setCurrentIndex(0)
    type_text(picker.search, "e0800002")  # a code, typed in any case
    assert set(_shown(picker)) >= {"E08000025", "E08000026"} and all(c.startswith("E080000") for c in _shown(picker))
    picker.search.clear()
    type_text(picker.search, "wolver")
    assert _shown(picker) == ["E08000031"]
    assert _item(picker, "E08000031").text() == "Wolverhampton  ·  metropolitan district  ·  E08000031"


def test_ticking_gives_those_areas_with_their_codes_in_name_order(picker):
    picker.within.setCurrentIndex(picker.within.findData("E10000028"))
    picker.tick_shown.click()  # Staffordshire's eight districts
    picker.within.setCurrentIndex(0)
    _item(picker, "E10000028").setCheckState(Qt.CheckState.Checked)
    _item(picker, "E08000025").setCheckState(Qt.CheckState.Checked)
    assert picker.count.text() == "10 areas ticked"
    template = picker.chosen_template()
    assert template.areas[:3] == ("Birmingham", "Cannock Chase", "East Staffordshire")
    assert len(template.areas) == 10 and template.area_codes["Staffordshire"] == "E10000028"
    picker.untick.click()
    assert picker.count.text() == "No areas ticked" and picker.chosen_template().areas == ()


def test_none_gives_no_areas_and_a_template_with_its_own_can_keep_them(picker, qtbot):
    from fieldkit.ui.area_picker import AreaPicker

    _item(picker, "E08000025").setCheckState(Qt.CheckState.Checked)
    picker.none.click()
    assert not picker.list.isEnabled() and not picker.search.isEnabled()
    assert picker.chosen_template().areas == ()
    own = find_template("regional-mapping").with_values("areas", ["North", "South"])
    dialog = AreaPicker(None, own)
    qtbot.addWidget(dialog)
    assert dialog.keep.isChecked() and dialog.keep.text() == "Keep the template's 2 areas"
    assert dialog.chosen_template() is own


def test_the_controls_are_named_for_screen_readers(picker):
    from fieldkit.ui.qt import QLabel

    for widget in (picker.kind, picker.within, picker.search, picker.list, picker.tick_shown, picker.untick):
        assert widget.accessibleName(), widget
    buddies = {label.buddy() for label in picker.findChildren(QLabel) if label.buddy() is not None}
    assert {picker.kind, picker.within, picker.search} <= buddies


def test_a_new_regional_mapping_study_takes_the_areas_picked(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit.templates import forms_dir
    from fieldkit.ui import main_window
    from fieldkit.ui.area_picker import AreaPicker
    from fieldkit.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    path = tmp_path / "wm.fieldkit"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))

    def pick(dialog):
        if not isinstance(dialog, AreaPicker):  # no picker offered: stop here (the test fails below)
            dialog.reject()
            return
        _item(dialog, "E08000026").setCheckState(Qt.CheckState.Checked)
        _item(dialog, "W06000015").setCheckState(Qt.CheckState.Checked)
        dialog.ok.click()

    def not_now(dialog):
        [button] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == "Not now"]
        button.click()

    answer_modals(pick, not_now)
    window.new_study(forms_dir() / "regional-mapping.toml")
    assert window.session is not None and window.session.study.path == path
    assert window.session.study.template.area_codes == {"Cardiff": "W06000015", "Coventry": "E08000026"}
    window.close()

    # Cancelling the picker makes nothing.
    other = tmp_path / "cancelled.fieldkit"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(other), "")))
    window = MainWindow()
    qtbot.addWidget(window)
    answer_modals(lambda dialog: dialog.reject())
    window.new_study(forms_dir() / "regional-mapping.toml")
    assert window.session is None and not other.exists()
    QApplication.processEvents()
    window.close()
