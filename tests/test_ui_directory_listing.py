"""The case form's "Directory listing…": ticking what an organisation agreed to have listed
saves it through the core (undoably), and the dialog says where the record stands."""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_template

from fieldkit.directory.listing import listing
from fieldkit.study import Study


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "listing.fieldkit"
    with Study.create(path, small_template(), title="Listing") as s:
        s.organisations.add("Alpha Network", phone="0121 496 0001", flags=["permission_to_list"])
    return path


def _form(qtbot, window):
    screen = window.screen_for("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy)
    org_id = window.session.study.organisations.ids()[0]
    window.open_case(org_id, [org_id])
    return screen.case_form, org_id


def test_the_listing_dialog_saves_what_was_agreed_and_undo_puts_it_back(window, qtbot, tmp_path):
    form, org_id = _form(qtbot, window)
    assert form.listing_button.isVisible()
    dialog = form.ask_listing()
    try:
        assert "not published yet" in dialog.standing.text().lower()
        assert not any(box.isChecked() for box in dialog.boxes.values())
        dialog.boxes["phone"].setChecked(True)
        dialog.boxes["website"].setChecked(True)
        dialog.identifiers["charity_number"].setText("1234 567")
        dialog.grab().save(str(tmp_path / "directory-listing.png"))
        dialog.accept()
    finally:
        dialog.close()
    study = window.session.study
    recorded = listing(study, org_id)
    assert recorded.fields == ("website", "phone") and recorded.charity_number == "1234567"
    window.undo_action.trigger()
    assert listing(study, org_id).fields == () and listing(study, org_id).charity_number is None
    window.redo_action.trigger()
    assert listing(study, org_id).fields == ("website", "phone")


def test_cancel_changes_nothing(window, qtbot):
    form, org_id = _form(qtbot, window)
    dialog = form.ask_listing()
    dialog.boxes["email"].setChecked(True)
    dialog.reject()
    assert listing(window.session.study, org_id).recorded is False


def test_the_button_sits_under_the_tick_boxes(window, qtbot, tmp_path):
    form, _org_id = _form(qtbot, window)
    last = max(box.y() for box in form.flag_boxes.values())
    assert form.listing_button.isVisible() and form.listing_button.y() > last
    window.resize(1024, 640)
    form.flags_frame.grab().save(str(tmp_path / "case-form-flags.png"))
