"""The welcome screen's "From an XLSForm…": a new study from a KoboToolbox/ODK form, through
the real widgets; what the form holds that fieldkit cannot is shown first, and a file that is
not a form makes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from ui_dialogs import answer_modals

BUTTON = "New study from an XLSForm"


def form(path: Path) -> Path:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [("type", "name", "label", "required"),
                ("text", "org", "Organisation", "yes"),
                ("select_one yn", "paid", "Are staff paid?", ""),
                ("geopoint", "where", "Where is it?", ""),
                ("integer", "staff", "How many staff?", "")]:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in [("list_name", "name", "label"), ("yn", "yes", "Yes"), ("yn", "no", "No")]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(("form_title", "form_id"))
    settings.append(("Youth groups 2027", "youth"))
    book.save(path)
    return path


@pytest.fixture
def main(qtbot, monkeypatch):
    from fieldkit.ui import errors
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.warnings = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: w.warnings.append((title, text)))
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def choose(monkeypatch, opened: Path, saved: Path) -> list[str]:
    from fieldkit.ui import main_window, xlsform_start

    asked: list[str] = []
    monkeypatch.setattr(xlsform_start.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(opened), "")))
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, *a, **k: asked.append(title) or (str(saved), "")))
    return asked


def the_button(window):
    from fieldkit.ui.qt import QPushButton

    [button] = [b for b in window.centralWidget().findChildren(QPushButton) if b.accessibleName() == BUTTON]
    assert button.text() == "From an XLSForm…"
    return button


def press(label: str):
    def step(dialog):
        from fieldkit.ui.qt import QAbstractButton

        [button] = [b for b in dialog.findChildren(QAbstractButton) if b.text() == label]
        step.text = dialog.informativeText() if hasattr(dialog, "informativeText") else ""
        if os.environ.get("FIELDKIT_GRAB"):
            dialog.grab().save(str(Path(os.environ["FIELDKIT_GRAB"]) / f"xlsform-{label}.png"))
        button.click()
    return step


def test_a_new_study_from_a_form_after_seeing_what_cannot_come(main, tmp_path: Path, monkeypatch):
    new = tmp_path / "Youth groups 2027.fieldkit"
    choose(monkeypatch, form(tmp_path / "youth.xlsx"), new)
    create = press("Create the study")
    seen = answer_modals(create, press("Not now"))
    the_button(main).click()
    assert len(seen) == 2 and not main.warnings
    assert "survey, row 4: 'where' (geopoint)" in create.text
    assert main.session is not None and main.session.study.path == new
    questions = {q.id: q for q in main.session.study.template.questions()}
    assert set(questions) == {"org", "paid", "staff"}
    assert questions["org"].required and questions["paid"].qtype.name == "yes_no"


def test_cancelling_or_a_file_that_is_not_a_form_makes_nothing(main, tmp_path: Path, monkeypatch):
    new = tmp_path / "never.fieldkit"
    asked = choose(monkeypatch, form(tmp_path / "youth.xlsx"), new)
    answer_modals(press("Cancel"))
    the_button(main).click()
    assert asked == [] and main.session is None and not new.exists()

    notes = tmp_path / "notes.xlsx"
    notes.write_text("not a workbook", encoding="utf-8")
    asked = choose(monkeypatch, notes, new)
    the_button(main).click()
    assert asked == [] and main.session is None
    [(title, text)] = main.warnings
    assert title == "Cannot start from that form" and "\n" not in text and str(notes) in text
