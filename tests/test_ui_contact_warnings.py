"""Contact details warned about as they are typed in the case form and a contact's dialog: a
small label under the field after a pause, never a dialog, and what was typed is still saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_template
from ui_typing import type_text

from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.fieldkit"
    with Study.create(path, small_template(), title="Contacts") as s:
        s.organisations.add("Leeds Polish Centre", category="Network", phone="0113 496 0000",
                            contacts=[{"name": "Ania", "phone": "+48 12 345 67 89"}])
    return path


def _open_case(qtbot, window):
    study = window.session.study
    [org_id] = study.organisations.find_by_name("Leeds Polish Centre")
    window.open_case(org_id, [org_id])
    form = window.screen_for("organisations").case_form
    qtbot.waitUntil(form.isVisible)
    return form, org_id


def _retype(qtbot, edit, text: str) -> None:
    from fieldkit.ui.qt import Qt

    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key_Delete)
    type_text(edit, text)


def test_a_bad_email_is_warned_about_as_typed_and_still_saved(window, qtbot, study_path: Path):
    from fieldkit.ui.qt import QApplication, Qt

    form, org_id = _open_case(qtbot, window)
    email, warning = form.fields["email"], form.warnings["email"]
    assert warning.warning is None and warning.accessibleName() == "Email warning"
    _retype(qtbot, email, "lodz.community@")
    assert warning.warning is None  # not while the keys are coming
    qtbot.waitUntil(lambda: warning.warning is not None)  # after a pause in typing
    assert "after the @" in warning.warning and warning.isVisible()
    assert QApplication.activeModalWidget() is None  # a label, not a dialog
    qtbot.keyClick(email, Qt.Key_Tab)  # leaving the field saves what was typed
    assert window.session.study.organisations.get(org_id).email == "lodz.community@"
    _retype(qtbot, email, "lodz.community@example.org")
    qtbot.keyClick(email, Qt.Key_Tab)
    assert warning.warning is None and not warning.isVisible()
    window.close_study()
    with Study.open(study_path) as study:
        assert study.organisations.get(org_id).email == "lodz.community@example.org"


def test_phones_are_shown_as_dialled_stored_in_e164_and_kept_as_typed_when_not_valid(window, qtbot, study_path):
    from fieldkit.ui.qt import Qt

    form, org_id = _open_case(qtbot, window)
    orgs = window.session.study.organisations
    phone, warning = form.fields["phone"], form.warnings["phone"]
    assert phone.text() == "0113 496 0000" and orgs.get(org_id).phone == "+441134960000"
    undoable = window.session.undo_stack.count()
    phone.setFocus()
    qtbot.keyClick(phone, Qt.Key_Tab)  # left unchanged, as shown: nothing written, nothing to undo
    assert window.session.undo_stack.count() == undoable
    _retype(qtbot, phone, "0113 496")
    qtbot.keyClick(phone, Qt.Key_Tab)  # leaving shows the warning at once
    assert warning.warning is not None and "phone number" in warning.warning
    assert orgs.get(org_id).phone == "0113 496"  # kept exactly as typed
    _retype(qtbot, phone, "01134960001")
    qtbot.keyClick(phone, Qt.Key_Tab)
    assert orgs.get(org_id).phone == "+441134960001"
    assert phone.text() == "0113 496 0001" and warning.warning is None
    contacts = form.contacts.table
    assert contacts.item(0, 2).text() == "+48 12 345 67 89"  # another country's: international
    screen = window.screen_for("organisations")
    screen.show_list()
    qtbot.waitUntil(lambda: not screen.loader.busy)
    from fieldkit.ui.organisation_list import COLUMNS

    column = [key for key, _ in COLUMNS].index("phone")
    assert screen.model.data(screen.model.index(0, column)) == "0113 496 0001"


def test_the_contact_dialog_warns_and_saves_what_was_typed(window, qtbot):
    from fieldkit.ui.qt import QDialogButtonBox, Qt

    form, org_id = _open_case(qtbot, window)
    form.contacts.table.selectRow(0)
    dialog = form.contacts.edit_contact()
    assert dialog.fields["phone"].text() == "+48 12 345 67 89"
    assert dialog.warnings["phone"].warning is None
    _retype(qtbot, dialog.fields["phone"], "ring after six")
    _retype(qtbot, dialog.fields["email"], "ania@")
    qtbot.waitUntil(lambda: dialog.warnings["phone"].warning is not None
                    and dialog.warnings["email"].warning is not None)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()  # never blocks saving
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    [ania] = window.session.study.organisations.contacts(org_id)
    assert (ania.phone, ania.email) == ("ring after six", "ania@")
    form.contacts.table.selectRow(0)
    again = form.contacts.edit_contact()  # what was kept is warned about as soon as it is shown
    assert again.warnings["phone"].warning is not None and again.warnings["email"].warning is not None
    again.reject()


def test_a_further_number_is_checked_for_the_kind_chosen(window, qtbot):
    from fieldkit.ui.qt import QDialogButtonBox, Qt

    form, org_id = _open_case(qtbot, window)
    dialog = form.numbers.add_number()
    _retype(qtbot, dialog.value, "0113 496 0009")
    qtbot.keyClick(dialog.value, Qt.Key_Tab)
    assert dialog.warning.warning is None  # a good phone number
    dialog.kind.setCurrentIndex(dialog.kind.findData("email"))
    assert dialog.warning.warning is not None and "@" in dialog.warning.warning  # not an address
    dialog.kind.setCurrentIndex(dialog.kind.findData("phone"))
    assert dialog.warning.warning is None
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    numbers = window.session.study.numbers.for_organisation(org_id)
    assert "+441134960009" in [n.value for n in numbers]
    assert form.numbers.table.item(1, 0).text() == "0113 496 0009"  # listed as dialled
