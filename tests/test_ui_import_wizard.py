"""File ▸ Import…, driven as a researcher would: a file chosen, its columns guessed and put
right, values the study does not have mapped or added, problems marked at their cells with
Import waiting until they are put right, possible duplicates skipped or merged, and the rows
landing in the study and its Organisations list; a mapping remembered for the next file with
the same headings; a workbook's second sheet; a bad file refused in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import small_template

AREAS = ("Birmingham", "Coventry", "Nottinghamshire", "Regional")
GRAB = os.environ.get("FIELDKIT_GRAB")  # a folder: every page is saved there as a PNG


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    """Remembered mappings in the test's own settings folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def study(tmp_path: Path):
    study = Study.create(tmp_path / "import.fieldkit", small_template().with_values("areas", AREAS))
    yield study
    study.close()


def _csv(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


HEADER = ["Org name", "Tel", "Post code", "Area"]
ROWS = [
    ["Leeds Advice Centre Ltd", "0113 2450000", "LS1 4AP", "Notts"],
    ["Bright Futures", "0115 000 1111", "NG1 1AA", "Notts"],
    ["Coventry Youth", "024 7600 0000", "CV1 1AA", "Coventry"],
    ["Derby Hub", "01332 000000", "DE1 1AA", "Derbys"],
]


def _window(qtbot, study: Study, *, existing: tuple[str, ...] = ()):
    from conftest import open_study_window

    for name in existing:
        study.organisations.add(name, phone="0113 245 0000")
    return open_study_window(qtbot, study, size=(1180, 760))


def _wizard(qtbot, window):
    wizard = window.import_file()
    qtbot.waitExposed(wizard)
    return wizard


def _button(wizard, which: str):
    from fieldkit.ui.qt import QWizard

    return wizard.button(getattr(QWizard.WizardButton, which))


def _click(qtbot, wizard, which: str = "NextButton") -> None:
    from fieldkit.ui.qt import Qt

    button = _button(wizard, which)
    assert button.isVisible() and button.isEnabled(), f"{which} is not there to click"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _grab(wizard)


def _grab(wizard) -> None:
    if GRAB:
        from fieldkit.ui.qt import QApplication

        for _ in range(5):  # widgets added to a shown page are shown by a posted event
            QApplication.processEvents()
        Path(GRAB).mkdir(parents=True, exist_ok=True)
        n = len(list(Path(GRAB).glob("wizard-*.png"))) + 1
        wizard.grab().save(str(Path(GRAB) / f"wizard-{n}.png"))


def _choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def _page(wizard) -> str:
    from fieldkit.ui import import_wizard as iw

    return {iw.FILE: "file", iw.COLUMNS: "columns", iw.VALUES: "values", iw.PREVIEW: "preview",
            iw.DONE: "done"}[wizard.currentId()]


def test_organisations_from_a_csv_land_in_the_study_and_its_list(qtbot, study, tmp_path):
    from fieldkit.ui.import_pages import ADD

    window = _window(qtbot, study, existing=("Leeds Advice Centre",))
    path = _csv(tmp_path / "orgs.csv", [HEADER, *ROWS])
    wizard = _wizard(qtbot, window)
    assert not _button(wizard, "NextButton").isEnabled()  # no file yet
    wizard.set_path(path)
    assert not wizard.file_page.part.isVisible()  # a CSV file has no sheets
    _click(qtbot, wizard)

    assert _page(wizard) == "columns"
    columns = wizard.columns_page
    assert {h: c.currentData() for h, c in columns.combos.items()} == {
        "Org name": "name", "Tel": "phone", "Post code": "postcode", "Area": "area"}
    assert "Guessed" in columns.note.text()
    assert "Notts" in columns.samples["Area"].text()
    _click(qtbot, wizard)

    assert _page(wizard) == "values"
    values = wizard.values_page
    assert set(values.combos) == {("area", "Notts"), ("area", "Derbys")}
    assert not _button(wizard, "NextButton").isEnabled()
    assert "2 not decided" in values.problem.text()
    _choose(values.combos[("area", "Notts")], "Nottinghamshire")
    _choose(values.combos[("area", "Derbys")], ADD)
    _click(qtbot, wizard)

    assert _page(wizard) == "preview"
    preview = wizard.preview_page
    assert not preview.problems_box.isVisible()
    assert preview.summary.text().startswith("<b>4 organisations")
    assert preview.model.data(preview.model.index(1, 3)) == "Notts → Nottinghamshire"  # what it will be
    assert list(preview.duplicate_choices) == [2]
    assert preview.duplicate_choices[2].currentData() == "skip"  # the default
    assert "Leeds Advice Centre (id 1)" in preview.duplicates.item(0, 2).text()
    _choose(preview.duplicate_choices[2], "merge")
    _click(qtbot, wizard, "CommitButton")

    assert _page(wizard) == "done"
    assert wizard.done_page.lines.text().startswith("Imported 3 organisations")
    assert "merged 1" in wizard.done_page.lines.text()
    assert not _button(wizard, "BackButton").isVisible()
    orgs = window.session.study.organisations
    by_name = {o.name: o for o in orgs.many(orgs.ids())}
    assert set(by_name) == {"Leeds Advice Centre", "Bright Futures", "Coventry Youth", "Derby Hub"}
    assert by_name["Bright Futures"].area == "Nottinghamshire"
    assert by_name["Derby Hub"].area == "Derbys"
    assert by_name["Leeds Advice Centre"].address == "LS1 4AP"  # merged: filled in what it lacked
    areas = window.session.study.template.vocabulary("areas")
    assert "Derbys" in areas and "Notts" not in areas  # added one by one: the mapped one is not
    screen = window.screen_for("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy and screen.model.rowCount() == 4)
    assert {screen.model.organisation(r).name for r in range(4)} == set(by_name)
    _click(qtbot, wizard, "FinishButton")
    window.close()


def test_a_problem_is_marked_at_its_cell_and_import_waits_until_it_is_put_right(qtbot, study, tmp_path):
    from fieldkit.ui.qt import QBrush, Qt

    window = _window(qtbot, study)
    path = _csv(tmp_path / "keen.csv", [["Org name", "Area", "Keen"], ["Bright Futures", "Coventry", "yes"],
                                        ["Coventry Youth", "Coventry", "maybe"], ["Derby Hub", "Regional", ""]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _choose(wizard.columns_page.combos["Keen"], "follow_up")
    _click(qtbot, wizard)

    assert _page(wizard) == "preview"  # nothing the study lacks: no values to decide
    preview = wizard.preview_page
    model = preview.model
    cell = model.index(1, 2)  # row 3 of the file, column "Keen"
    assert model.headerData(1, Qt.Orientation.Vertical) == "3"
    assert isinstance(model.data(cell, Qt.ItemDataRole.BackgroundRole), QBrush)
    assert "'maybe' is not yes or no" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, 2), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(1, 1), Qt.ItemDataRole.BackgroundRole) is None
    assert not _button(wizard, "CommitButton").isEnabled()
    assert preview.problems.count() == 1
    assert preview.problems.item(0).text().startswith("row 3, column 'Keen'")
    rect = preview.problems.visualItemRect(preview.problems.item(0))
    qtbot.mouseClick(preview.problems.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (preview.table.currentIndex().row(), preview.table.currentIndex().column()) == (1, 2)

    _click(qtbot, wizard, "BackButton")  # put right by mapping: the column is not needed after all
    _choose(wizard.columns_page.combos["Keen"], None)
    _click(qtbot, wizard)
    assert not preview.problems_box.isVisible()
    assert _button(wizard, "CommitButton").isEnabled()
    _click(qtbot, wizard, "CommitButton")
    assert window.session.study.organisations.count() == 3
    window.close()


def test_reading_the_file_again_after_putting_it_right(qtbot, study, tmp_path):
    from fieldkit.ui.qt import Qt

    window = _window(qtbot, study)
    rows = [["Org name", "Opening hours"], ["Bright Futures", "Mon-Fri 9-5"], ["Coventry Youth", "whenever"]]
    path = _csv(tmp_path / "hours.csv", rows)
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _click(qtbot, wizard)
    assert wizard.preview_page.problems.count() == 1
    assert not _button(wizard, "CommitButton").isEnabled()
    _csv(path, [rows[0], rows[1], ["Coventry Youth", "Tue 10-2"]])  # put right in another program
    qtbot.mouseClick(wizard.preview_page.again, Qt.MouseButton.LeftButton)
    assert wizard.preview_page.problems.count() == 0
    assert _button(wizard, "CommitButton").isEnabled()
    window.close()


def test_a_needed_column_not_mapped_stops_next(qtbot, study, tmp_path):
    window = _window(qtbot, study)
    wizard = _wizard(qtbot, window)
    wizard.set_path(_csv(tmp_path / "orgs.csv", [HEADER, *ROWS]))
    _click(qtbot, wizard)
    _choose(wizard.columns_page.combos["Org name"], None)
    assert not _button(wizard, "NextButton").isEnabled()
    assert "organisation name" in wizard.columns_page.problem.text()
    assert wizard.columns_page.problem.isVisible()
    _choose(wizard.columns_page.combos["Tel"], "name")
    assert _button(wizard, "NextButton").isEnabled()
    _choose(wizard.columns_page.combos["Org name"], "name")  # two columns for a field that takes one
    assert not _button(wizard, "NextButton").isEnabled()
    assert "2 columns are mapped to 'name'" in wizard.columns_page.problem.text()
    window.close()


def test_the_mapping_is_remembered_for_a_file_with_the_same_headings(qtbot, study, tmp_path):
    window = _window(qtbot, study)
    header = ["Org name", "Area", "What we know"]
    wizard = _wizard(qtbot, window)
    wizard.set_path(_csv(tmp_path / "first.csv", [header, ["Bright Futures", "Notts", "Met at the fair"]]))
    _click(qtbot, wizard)
    assert wizard.columns_page.combos["What we know"].currentData() is None  # not guessed
    _choose(wizard.columns_page.combos["What we know"], "notes")
    _click(qtbot, wizard)
    _choose(wizard.values_page.combos[("area", "Notts")], "Nottinghamshire")
    _click(qtbot, wizard)
    _click(qtbot, wizard, "CommitButton")
    _click(qtbot, wizard, "FinishButton")

    second = _csv(tmp_path / "second.csv", [["what we know", "AREA", "Org name"],
                                            ["Runs a lunch club", "Notts", "Derby Hub"]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(second)
    _click(qtbot, wizard)
    columns = wizard.columns_page
    assert {h: c.currentData() for h, c in columns.combos.items()} == {
        "what we know": "notes", "AREA": "area", "Org name": "name"}
    assert "last file with these headings" in columns.note.text()
    _click(qtbot, wizard)
    assert _page(wizard) == "values"  # shown, with the last file's answer filled in
    assert wizard.values_page.combos[("area", "Notts")].currentData() == "Nottinghamshire"
    _click(qtbot, wizard)
    _click(qtbot, wizard, "CommitButton")
    orgs = window.session.study.organisations
    derby = orgs.get(orgs.find_by_name("Derby Hub")[0])
    assert (derby.area, derby.notes) == ("Nottinghamshire", "Runs a lunch club")
    window.close()


def test_a_status_is_mapped_onto_fieldkit_s_own_and_a_reason_added(qtbot, study, tmp_path):
    from fieldkit.ui.import_pages import ADD

    window = _window(qtbot, study)
    path = _csv(tmp_path / "closed.csv", [["Org name", "Area", "Status", "Exclusion reason"],
                                          ["Old Club", "Notts", "Gone", "Moved away"],
                                          ["Bright Futures", "Coventry", "", ""]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _click(qtbot, wizard)
    values = wizard.values_page
    assert list(values.combos) == [("area", "Notts"), ("status", "Gone"), ("exclusion_reason", "Moved away")]
    status = values.combos[("status", "Gone")]
    assert status.findData(ADD) < 0  # statuses are fieldkit's own: nothing to add
    assert status.findData("excluded") > 0 and values.combos[("area", "Notts")].findData(ADD) > 0
    _choose(status, "excluded")
    _choose(values.combos[("area", "Notts")], "Nottinghamshire")
    assert not _button(wizard, "NextButton").isEnabled()
    assert "1 not decided" in values.problem.text()
    _choose(values.combos[("exclusion_reason", "Moved away")], ADD)
    _click(qtbot, wizard)
    assert _page(wizard) == "preview"
    assert "new exclusion reasons: Moved away" in wizard.preview_page.summary.text()
    _click(qtbot, wizard, "CommitButton")
    template = window.session.study.template
    assert "Moved away" in template.vocabulary("exclusion_reasons")
    assert "Notts" not in template.vocabulary("areas")  # mapped, so not added with the reason
    orgs = window.session.study.organisations
    old = orgs.get(orgs.find_by_name("Old Club")[0])
    assert (old.status, old.exclusion_reason, old.area) == ("excluded", "Moved away", "Nottinghamshire")
    window.close()


def test_a_workbook_with_two_sheets_imports_the_one_chosen(qtbot, study, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["This workbook lists the groups we met"])
    sheet = book.create_sheet("Groups")
    sheet.append(["Organisation", "Telephone"])
    sheet.append(["Bright Futures", "0115 000 1111"])
    sheet.append(["Coventry Youth", "024 7600 0000"])
    path = tmp_path / "groups.xlsx"
    book.save(path)

    window = _window(qtbot, study)
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    part = wizard.file_page.part
    assert part.isVisible()
    assert [part.itemText(i) for i in range(part.count())] == ["Read me  (0 rows)", "Groups  (2 rows)"]
    part.setCurrentIndex(1)
    _click(qtbot, wizard)
    assert list(wizard.columns_page.combos) == ["Organisation", "Telephone"]
    _click(qtbot, wizard)
    assert wizard.sheet.part == "Groups" and "Groups" in wizard.preview_page.summary.text()
    _click(qtbot, wizard, "CommitButton")
    orgs = window.session.study.organisations
    assert sorted(o.phone for o in orgs.many(orgs.ids())) == ["+441150001111", "+442476000000"]  # E.164
    window.close()


def test_a_file_that_cannot_be_read_is_refused_in_one_line(qtbot, study, tmp_path):
    window = _window(qtbot, study)
    wizard = _wizard(qtbot, window)
    pdf = tmp_path / "orgs.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert not wizard.set_path(pdf)
    problem = wizard.file_page.problem
    assert problem.isVisible() and "\n" not in problem.text()
    assert problem.text().startswith("orgs.csv: this is a PDF document")
    assert not _button(wizard, "NextButton").isEnabled()

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert wizard.set_path(empty)  # a CSV file is read when Next is pressed
    _click(qtbot, wizard)
    assert _page(wizard) == "file"
    assert problem.text().startswith("empty.csv: the file is empty") and "\n" not in problem.text()
    assert window.session.study.organisations.count() == 0
    window.close()


def test_a_call_log_with_an_outcome_in_other_words(qtbot, study, tmp_path):
    window = _window(qtbot, study, existing=("Bright Futures",))
    path = _csv(tmp_path / "calls.csv", [["Organisation", "Date", "Outcome"],
                                         ["Bright Futures", "04/03/2025 10:15", "No answer"],
                                         ["Bright Futures", "05/03/2025 11:00", "Left msg"]])
    wizard = _wizard(qtbot, window)
    wizard.kind = "attempts"
    wizard.file_page.kind_buttons["attempts"].setChecked(True)
    wizard.set_path(path)
    _click(qtbot, wizard)
    assert {h: c.currentData() for h, c in wizard.columns_page.combos.items()} == {
        "Organisation": "organisation", "Date": "date", "Outcome": "outcome"}
    _click(qtbot, wizard)
    values = wizard.values_page
    assert list(values.combos) == [("outcome", "Left msg")]
    outcome = values.combos[("outcome", "Left msg")]
    assert outcome.currentData() == "Left a message"  # suggested by the words
    assert "Suggested" in outcome.toolTip()
    _click(qtbot, wizard)
    _click(qtbot, wizard, "CommitButton")
    assert wizard.done_page.lines.text().startswith("Imported 2 attempts for 1 organisation")
    attempts = window.session.study.attempts.for_organisation(window.session.study.organisations.ids()[0])
    assert sorted(a.outcome for a in attempts) == ["Left a message", "No answer"]
    window.close()


def test_the_file_menu_has_import_after_save_a_copy(qtbot, study):
    window = _window(qtbot, study)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts[texts.index("Save a &copy as…") + 1] == "&Import…"
    assert file_menu.actions()[texts.index("&Import…")].isEnabled()
    window.close_study()
    assert not file_menu.actions()[texts.index("&Import…")].isEnabled()
    window.close()


def test_interviews_from_another_tool_with_an_anonymous_answer_kept_out_of_sight(qtbot, study, tmp_path):
    from fieldkit.ui.qt import Qt

    window = _window(qtbot, study, existing=("Bright Futures",))
    secret = "Rents are too high for us"
    path = _csv(tmp_path / "kobo.csv", [["Organisation", "Date", "role", "size", "sector_barriers"],
                                        ["Bright Futures", "2025-03-04", "Chair", "Med", secret]])
    wizard = _wizard(qtbot, window)
    wizard.file_page.kind_buttons["interviews"].setChecked(True)
    wizard.set_path(path)
    _click(qtbot, wizard)
    combos = wizard.columns_page.combos
    assert combos["size"].currentData() == "question:size"
    assert combos["sector_barriers"].currentData() == "question:sector_barriers"
    assert secret not in wizard.columns_page.samples["sector_barriers"].text()
    _click(qtbot, wizard)
    size = wizard.values_page.combos[("question:size", "Med")]
    assert [size.itemData(i) for i in range(size.count())] == [None, "Small", "Medium", "Large"]
    _choose(size, "Medium")
    _click(qtbot, wizard)
    model = wizard.preview_page.model
    shown = [model.data(model.index(0, c), Qt.ItemDataRole.DisplayRole) for c in range(model.columnCount())]
    assert secret not in shown and "(anonymous answer)" in shown
    assert "Med → Medium" in shown  # what the value will be
    _click(qtbot, wizard, "CommitButton")
    study_now = window.session.study
    interview, = study_now.interviews.for_organisation(study_now.organisations.ids()[0])
    assert (interview.date, interview.answers["size"], interview.answers["role"]) == ("2025-03-04", "Medium", "Chair")
    window.close()


def test_a_mapping_saved_and_loaded_again(qtbot, study, tmp_path):
    import json

    window = _window(qtbot, study)
    path = _csv(tmp_path / "fair.csv", [["Org name", "What we know"], ["Bright Futures", "Met at the fair"]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _choose(wizard.columns_page.combos["What we know"], "notes")
    saved = tmp_path / "fair mapping.json"
    wizard.columns_page.save_mapping(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert (data["kind"], data["columns"]) == ("organisations", {"Org name": "name", "What we know": "notes"})
    _click(qtbot, wizard, "CancelButton")  # nothing imported, so nothing remembered

    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    columns = wizard.columns_page
    assert columns.combos["What we know"].currentData() is None  # guessed afresh
    other = tmp_path / "calls mapping.json"
    other.write_text(json.dumps({"format": "fieldkit-import-mapping", "version": 1, "kind": "attempts",
                                 "columns": {"Org name": "organisation"}}), encoding="utf-8")
    columns.load_mapping(other)
    assert "for contact attempts" in columns.problem.text()
    columns.load_mapping(saved)
    assert columns.combos["What we know"].currentData() == "notes"
    assert "mapping file loaded" in columns.note.text()
    window.close()


def test_reading_the_file_again_with_new_headings_maps_them_afresh(qtbot, study, tmp_path):
    from fieldkit.ui.qt import Qt

    window = _window(qtbot, study)
    path = _csv(tmp_path / "orgs.csv", [["Org name"], ["Bright Futures"]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _click(qtbot, wizard)
    _csv(path, [["Org name", "Tel"], ["Bright Futures", "0115 000 1111"]])
    qtbot.mouseClick(wizard.preview_page.again, Qt.MouseButton.LeftButton)
    assert wizard.columns_page.combos["Tel"].currentData() == "phone"
    assert _button(wizard, "CommitButton").isEnabled()
    _click(qtbot, wizard, "CommitButton")
    orgs = window.session.study.organisations
    assert orgs.get(orgs.ids()[0]).phone == "+441150001111"
    window.close()


def test_an_import_refused_while_writing_says_nothing_was_imported(qtbot, study, tmp_path):
    window = _window(qtbot, study)
    path = _csv(tmp_path / "orgs.csv", [["Org name", "Area"], ["Bright Futures", "Nottinghamshire"],
                                        ["Coventry Youth", "Coventry"]])
    wizard = _wizard(qtbot, window)
    wizard.set_path(path)
    _click(qtbot, wizard)
    _click(qtbot, wizard)
    assert _page(wizard) == "preview"
    live = window.session.study  # the area goes from the study's list after the check
    live.update_template(live.template.with_values("areas", ("Birmingham", "Coventry", "Regional")))
    _click(qtbot, wizard, "CommitButton")
    done = wizard.done_page
    assert done.title() == "Nothing was imported"
    assert "Nottinghamshire" in done.lines.text(), done.lines.text()
    assert live.organisations.count() == 0
    window.close()


NORTHWIND = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "access" / "northwind.mdb"


@pytest.mark.skipif(not NORTHWIND.is_file(), reason="Access fixtures not present")
def test_organisations_from_a_table_of_an_access_database(qtbot, study, tmp_path):
    window = _window(qtbot, study)
    wizard = _wizard(qtbot, window)
    wizard.set_path(NORTHWIND)
    part = wizard.file_page.part
    assert part.isVisible()
    labels = [part.itemText(i) for i in range(part.count())]
    assert "Customers  (91 rows)" in labels
    part.setCurrentIndex(labels.index("Customers  (91 rows)"))
    _click(qtbot, wizard)
    combos = wizard.columns_page.combos
    assert combos["CompanyName"].currentData() == "name" and combos["PostalCode"].currentData() == "postcode"
    for heading in ("CustomerID", "Country", "Fax", "Region"):
        combos[heading].setCurrentIndex(0)  # not imported
    _click(qtbot, wizard)
    assert _page(wizard) == "preview"
    _click(qtbot, wizard, "CommitButton")
    orgs = window.session.study.organisations
    assert orgs.count() == 91  # every customer, with its contact
    assert sum(len(orgs.contacts(i)) for i in orgs.ids()) == 91
    window.close()
