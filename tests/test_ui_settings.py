"""The Study settings screen: details, vocabularies, targets and flags, saved as they are made."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.study import Study
from ui_typing import type_text


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "settings.fieldkit"
    with Study.create(path, small_template(), title="Small study") as study:
        study.organisations.add("Sieć A", category="Network", area="Coventry")
        study.organisations.add("Sieć B", category="Network")
        study.organisations.add("Hub", category="Infrastructure")
    return path



def _values(editor) -> list[tuple[str, str]]:
    tree = editor.tree
    return [(tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(1)) for i in range(tree.topLevelItemCount())]


def _reopen(window) -> Study:
    path = window.session.study.path
    window.close()
    return Study.open(path)


def test_change_the_title_by_typing(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    title = screen.details["title"]
    assert title.text() == "Small study"
    title.setFocus()
    title.selectAll()
    type_text(title, "Mapowanie 2026 · نقشہ · 地图")
    qtbot.waitUntil(lambda: study.title == "Mapowanie 2026 · نقشہ · 地图", timeout=3000)
    assert window.windowTitle().startswith("Mapowanie 2026")
    screen.details["client"].setFocus()
    type_text(screen.details["client"], "Rada Miasta")
    qtbot.keyClick(screen.details["client"], Qt.Key_Tab)  # leaving the field saves at once
    assert study.client == "Rada Miasta"
    window.session.undo_stack.undo()
    assert study.client == ""
    assert screen.details["client"].text() == ""
    with _reopen(window) as again:
        assert (again.title, again.client) == ("Mapowanie 2026 · نقشہ · 地图", "")


def test_choose_the_country_phone_numbers_are_dialled_in(window, qtbot, tmp_path):
    """Typing "Pol" on the drop-down picks Poland: numbers typed from then on are read as Polish
    ones, and undo puts the United Kingdom back."""
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    country = screen.country
    assert country.currentText() == "United Kingdom (+44)"
    country.setFocus()
    for key in "Pola":
        qtbot.keyClick(country, key)
    assert country.currentText() == "Poland (+48)"
    qtbot.waitUntil(lambda: study.country == "PL", timeout=3000)
    org = study.organisations.add("Dom Polski", phone="12 345 67 89")
    assert study.organisations.get(org).phone == "+48123456789"
    screen.grab().save(str(tmp_path / "settings-country.png"))
    window.session.undo_stack.undo()
    assert study.country == "GB"
    assert country.currentText() == "United Kingdom (+44)"
    qtbot.keyClick(country, Qt.Key_Down)  # the next country, saved as the study closes
    chosen = country.currentData()
    assert chosen not in ("GB", "PL")
    with _reopen(window) as again:
        assert again.country == chosen


def test_an_empty_title_is_refused_and_put_back(window, qtbot, warnings):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    title = screen.details["title"]
    title.setFocus()
    title.selectAll()
    qtbot.keyClick(title, Qt.Key_Backspace)
    qtbot.wait(700)  # no save, no dialog while a new title may be on its way
    assert warnings == []
    qtbot.keyClick(title, Qt.Key_Tab)
    assert warnings and "cannot be empty" in warnings[0][1]
    assert title.text() == "Small study" == window.session.study.title


def test_add_an_area_and_move_it(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    areas = screen.vocabularies["areas"]
    areas.new.setFocus()
    type_text(areas.new, "Wałbrzych")
    qtbot.keyClick(areas.new, Qt.Key_Return)
    assert study.template.areas == ("Birmingham", "Coventry", "Regional", "Wałbrzych")
    assert _values(areas)[-1] == ("Wałbrzych", "–")
    assert areas.current() == "Wałbrzych"
    areas.tree.setFocus()
    qtbot.keyClick(areas.tree, Qt.Key_Up, Qt.ControlModifier)
    qtbot.keyClick(areas.tree, Qt.Key_Up, Qt.ControlModifier)
    assert study.template.areas == ("Birmingham", "Wałbrzych", "Coventry", "Regional")
    assert areas.current() == "Wałbrzych"
    window.session.undo_stack.undo()
    assert study.template.areas == ("Birmingham", "Coventry", "Wałbrzych", "Regional")
    with _reopen(window) as again:
        assert again.template.areas == ("Birmingham", "Coventry", "Wałbrzych", "Regional")


def test_rename_a_category_in_use_and_the_organisations_follow(window, qtbot):
    from fieldkit.ui.qt import QApplication, QLineEdit, Qt

    screen = window.show_screen("settings")
    study = window.session.study
    categories = screen.vocabularies["categories"]
    assert _values(categories) == [("Network", "2"), ("Infrastructure", "1"), ("Access point", "–")]
    categories.select("Network")
    categories.tree.setFocus()
    qtbot.keyClick(categories.tree, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_text(editor, "Sieć sąsiedzka · نیٹ ورک · 网络")
    qtbot.keyClick(editor, Qt.Key_Return)
    new = "Sieć sąsiedzka · نیٹ ورک · 网络"
    qtbot.waitUntil(lambda: study.template.categories[0] == new, timeout=3000)
    assert study.template.targets == {new: 4, "Infrastructure": 2}
    orgs = study.organisations.many(study.organisations.ids())
    assert sorted((o.name, o.category) for o in orgs) == [("Hub", "Infrastructure"), ("Sieć A", new), ("Sieć B", new)]
    assert _values(categories)[0] == (new, "2")
    assert screen.targets[new].value() == 4
    window.session.undo_stack.undo()
    assert {o.name: o.category for o in study.organisations.many(study.organisations.ids())} == {
        "Hub": "Infrastructure", "Sieć A": "Network", "Sieć B": "Network"}
    assert study.template.categories[0] == "Network"
    window.session.undo_stack.redo()
    with _reopen(window) as again:
        assert {o.category for o in again.organisations.many(again.organisations.ids())} == {new, "Infrastructure"}


def test_removing_a_category_in_use_says_why_and_changes_nothing(window, qtbot, warnings):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    categories = screen.vocabularies["categories"]
    categories.select("Network")
    categories.tree.setFocus()
    qtbot.keyClick(categories.tree, Qt.Key_Delete)
    assert len(warnings) == 1
    assert "still in use: Network (2 organisations)" in warnings[0][1]
    assert study.template.categories == ("Network", "Infrastructure", "Access point")
    assert study.template_versions() == [1]
    assert not window.session.undo_stack.canUndo()
    # an unused one goes, with its place remembered for Undo
    categories.select("Access point")
    qtbot.mouseClick(categories.remove_button, Qt.LeftButton)
    assert study.template.categories == ("Network", "Infrastructure")
    assert "Access point" not in screen.targets
    window.session.undo_stack.undo()
    assert study.template.categories == ("Network", "Infrastructure", "Access point")


def test_set_a_target(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    spin = screen.targets["Access point"]
    assert spin.text() == "No target"
    spin.setFocus()
    spin.selectAll()
    type_text(spin, "12")
    qtbot.keyClick(spin, Qt.Key_Tab)
    assert study.template.targets == {"Network": 4, "Infrastructure": 2, "Access point": 12}
    assert len(study.template_versions()) == 2  # one change, not one per digit
    screen.targets["Network"].setValue(0)
    qtbot.waitUntil(lambda: "Network" not in study.template.targets, timeout=3000)
    window.session.undo_stack.undo()
    assert study.template.targets["Network"] == 4
    assert screen.targets["Network"].value() == 4


def test_add_relabel_and_remove_a_flag(window, qtbot, warnings):
    from fieldkit.ui.qt import QApplication, QLineEdit, Qt

    screen = window.show_screen("settings")
    study = window.session.study
    screen.flag_label.setFocus()
    type_text(screen.flag_label, "Wants the newsletter")
    assert screen.flag_id.text() == "wants_the_newsletter"
    qtbot.keyClick(screen.flag_label, Qt.Key_Return)
    assert [(f.id, f.label) for f in study.template.flags] == [
        ("invite", "Invite to the launch"), ("wants_the_newsletter", "Wants the newsletter")]
    assert screen.flag_label.text() == "" and screen.flag_id.text() == ""
    # a label in another script gets an id of its own
    type_text(screen.flag_label, "通讯")
    assert screen.flag_id.text() == "flag"
    qtbot.keyClick(screen.flag_label, Qt.Key_Return)
    assert study.template.flag_label("flag") == "通讯"

    screen.flags.setCurrentItem(screen.flags.topLevelItem(1))
    screen.flags.setFocus()
    qtbot.keyClick(screen.flags, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_text(editor, "Chce biuletyn")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: study.template.flag_label("wants_the_newsletter") == "Chce biuletyn", timeout=3000)

    org = study.organisations.find_by_name("Hub")[0]
    study.organisations.set_flag(org, "wants_the_newsletter")
    screen.flags.setCurrentItem(screen.flags.topLevelItem(1))
    qtbot.keyClick(screen.flags, Qt.Key_Delete)
    assert warnings and "still ticked: Chce biuletyn (1 organisation)" in warnings[0][1]
    assert "wants_the_newsletter" in study.template.flag_ids()
    screen.flags.setCurrentItem(screen.flags.topLevelItem(2))
    qtbot.keyClick(screen.flags, Qt.Key_Delete)
    assert "flag" not in study.template.flag_ids()
    with _reopen(window) as again:
        assert [(f.id, f.label) for f in again.template.flags] == [
            ("invite", "Invite to the launch"), ("wants_the_newsletter", "Chce biuletyn")]


def test_anonymity_k_is_typed_saved_and_kept(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("settings")
    study = window.session.study
    panel = screen.anonymity
    assert panel.spin.value() == 5 == study.anonymity_k
    assert panel.explanation.text().startswith("A pooled answer is hidden among at least k interviews")
    assert panel.isVisible() and panel.spin.minimum() == 1 and panel.spin.maximum() == 50
    panel.spin.setFocus()
    panel.spin.selectAll()
    type_text(panel.spin, "12")
    assert study.anonymity_k == 5  # not per digit: "1" is not a k of 1
    qtbot.keyClick(panel.spin, Qt.Key_Tab)  # leaving the box saves at once
    assert study.anonymity_k == 12
    assert panel.message.text() == "k is now 12."
    window.session.undo_stack.undo()
    assert study.anonymity_k == 5 and panel.spin.value() == 5
    window.session.undo_stack.redo()
    with _reopen(window) as again:
        assert again.anonymity_k == 12


def test_lowering_k_below_three_asks_first_and_says_what_it_gives_up(window, qtbot):
    from fieldkit import anonymity
    from fieldkit.ui.qt import QApplication, QMessageBox, QTimer

    screen = window.show_screen("settings")
    study = window.session.study
    for name in ("Sieć A", "Sieć B"):  # two finished interviews hold an anonymous answer each
        session = study.interviews.start(study.organisations.find_by_name(name)[0])
        session.save_answer("sector_barriers", f"Brak pieniędzy ({name})")
        session.complete()
    panel = screen.anonymity
    seen: list[str] = []

    def answer(label: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == label]
        button.click()

    QTimer.singleShot(0, lambda: answer("Cancel"))
    panel.spin.setValue(2)
    panel.flush()
    assert seen == [anonymity.risk(2)[0].upper() + anonymity.risk(2)[1:] + "."]
    assert study.anonymity_k == 5 and panel.spin.value() == 5  # nothing changed
    assert study.held.count() == 2

    QTimer.singleShot(0, lambda: answer("Set k to 2"))
    panel.spin.setValue(2)
    panel.flush()
    assert study.anonymity_k == 2
    assert study.held.count() == 0 and study.pool.count() == 2  # two finished interviews are now enough
    assert panel.message.text() == ("k is now 2. 2 held answers moved to the pool, now that enough interviews "
                                    "have answered.")
    panel.spin.setValue(3)  # raising it asks nothing
    panel.flush()
    assert study.anonymity_k == 3 and len(seen) == 2
    with _reopen(window) as again:
        assert again.anonymity_k == 3
