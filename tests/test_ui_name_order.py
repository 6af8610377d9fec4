"""The Organisations screen lists names in the core's order (the Unicode Collation Algorithm's),
by its Name column's header both ways, and a renamed organisation moves to its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_collation import IN_ORDER, TYPED
from test_ui_organisations import click_header, loaded, shown_names
from ui_typing import type_text

from fieldkit.study import Study
from studies import small_template

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "names.fieldkit"
    with Study.create(path, small_template(), title="Names") as study:
        for name in TYPED:
            study.organisations.add(name, category="Network")
    return path


def test_the_name_column_sorts_as_the_core_does(window, qtbot, tmp_path):
    from fieldkit.ui.organisation_list import COLUMNS

    screen = window.screen_for("organisations")
    loaded(qtbot, screen)
    assert shown_names(screen) == IN_ORDER
    name_column = [key for key, _ in COLUMNS].index("name")
    click_header(qtbot, screen, name_column)  # sorted by name already: the click reverses it
    loaded(qtbot, screen)
    assert shown_names(screen) == IN_ORDER[::-1]
    click_header(qtbot, screen, name_column)
    loaded(qtbot, screen)
    assert shown_names(screen) == IN_ORDER
    window.resize(900, 420)
    window.grab().save(str(tmp_path / "name-order.png"))


def test_a_renamed_organisation_moves_to_its_place(window, qtbot):
    """Renamed in its case form, as a person would, then back to the list with Escape."""
    from test_ui_case_form import key, open_by_enter

    from fieldkit.ui.qt import Qt

    screen = window.screen_for("organisations")
    form = open_by_enter(qtbot, window, "Zebra Trust")
    name = form.fields["name"]
    name.setFocus()
    qtbot.keyClick(name, Qt.Key_A, Qt.ControlModifier)
    type_text(name, "Ładny Ogród")
    key(qtbot, Qt.Key_Tab)  # leaving the field saves it
    key(qtbot, Qt.Key_Escape)
    loaded(qtbot, screen)
    assert shown_names(screen) == ["Åland Friends", "apple growers", "Ładny Ogród", "Łódź Community Trust",
                                   "Ökumene Hilfe", "Voluntary Action Leeds", "Ελληνική Κοινότητα", "Абвгд Trust"]
