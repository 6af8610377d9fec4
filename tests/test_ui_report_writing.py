"""The Reports screen as the place the researcher shapes the client report: the outline (order
and sections printed), the Write tab (headings, Markdown with live figures, the method in
fieldkit's words or the researcher's, the recommendations, the findings theme by theme), the
Cover tab (words and logos) and export as a Word document. Everything read back from the study
through the core, after reopening it where it matters."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from fieldkit import quotations
from fieldkit.reports import outline
from fieldkit.study import Study
from studies import small_template
from ui_dialogs import answer_modals
from ui_typing import type_text

INTERVIEWS = 6


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    """A study built through ``Study.create``: six interviews, their anonymous answers pooled
    under the theme "barriers"."""
    path = tmp_path / "study" / "writing.fieldkit"
    path.parent.mkdir()
    study = Study.create(path, small_template(), title="Writing study", client="The Council")
    for i in range(INTERVIEWS):
        org = study.organisations.add(f"Hall {i}", category="Network", area="Coventry")
        interview = study.interviews.start(org, date="2026-03-02")
        interview.save_answer("size", "Small")
        interview.save_answer("sector_barriers", f"Rent for a hall has doubled, says group {i}.")
        interview.complete()
        interview.close()
    study.held.move_now()
    study.close()
    return path


@pytest.fixture
def window(qtbot, study_path: Path):
    from fieldkit.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(study_path)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def reports(window):
    return window.show_screen("reports")


def write_tab(window):
    screen = reports(window)
    screen.tabs.setCurrentWidget(screen.write)
    return screen.write


def reopened(window, study_path: Path) -> Study:
    """Close the window's study (saving what is being typed) and open the file again."""
    window.close_study()
    return Study.open(study_path, backup=False)


def answer(button: str):
    """A step for ``answer_modals``: click the question's Yes or No."""
    def step(box):
        from fieldkit.ui.qt import QMessageBox

        box.button(getattr(QMessageBox, button)).click()
    return step


def keys(parts) -> list[str]:
    return [p.key for p in parts]


# --- the outline ------------------------------------------------------------------------------


def test_the_outline_order_and_sections_printed_are_saved(window, qtbot, study_path: Path):
    from fieldkit.ui.qt import Qt

    panel = reports(window).report
    listed = panel.outline
    default = keys(outline.parts(window.session.study))
    assert listed.keys() == default
    listed.select("aims")
    listed.down_button.click()  # after the method
    listed.select("conclusions")
    listed.up_button.click()
    listed.up_button.click()
    listed.item("directory").setCheckState(Qt.CheckState.Unchecked)
    listed.item("appendices").setCheckState(Qt.CheckState.Unchecked)

    expected = list(default)
    expected.remove("aims")
    expected.insert(expected.index("method") + 1, "aims")
    i = expected.index("conclusions")
    expected.insert(i - 2, expected.pop(i))
    assert listed.keys() == expected and listed.current_key() == "conclusions"
    assert write_tab(window).outline.keys() == expected  # the Write tab's list is the same outline
    printed = [k for k in expected if k not in ("directory", "appendices")]
    assert panel.sections() == tuple(printed)
    options = panel.options()
    assert options.sections is None and options.directory is False and options.include_person is False
    assert not panel.person_box.isEnabled()

    # dragging a section to the top: the list's model moves the row, then the drop is saved
    from fieldkit.ui.qt import QModelIndex

    row = listed.keys().index("acknowledgements")
    assert listed.list.model().moveRow(QModelIndex(), row, QModelIndex(), 0)
    listed.list.dropped.emit()
    expected.remove("acknowledgements")
    expected.insert(0, "acknowledgements")
    qtbot.waitUntil(lambda: keys(outline.parts(window.session.study)) == expected, timeout=3000)
    assert write_tab(window).outline.keys() == expected
    printed = [k for k in expected if k not in ("directory", "appendices")]

    study = reopened(window, study_path)
    try:
        assert keys(outline.parts(study)) == expected
        assert outline.included(study) == tuple(printed)
    finally:
        study.close()


def test_the_preview_follows_the_outline(window, qtbot):
    from test_ui_reports import pdf_text, report_panel

    study = window.session.study
    window.session.call(outline.set_text, study, "background", "Halls are closing across the city.",
                        changes={"report"})
    window.session.call(outline.set_text, study, "conclusions", "Keep the halls open.", changes={"report"})
    panel = report_panel(window, qtbot)
    text = pdf_text(panel.preview_pdf)
    assert text.index("Halls are closing") < text.index("Keep the halls open")
    panel.outline.select("conclusions")
    for _ in range(len(panel.outline.keys())):
        panel.outline.up_button.click()
    assert panel.outline.keys()[0] == "conclusions"
    panel.update_preview()
    panel.worker.wait()
    text = pdf_text(panel.preview_pdf)
    assert text.index("Keep the halls open") < text.index("Halls are closing")


# --- writing a section --------------------------------------------------------------------------


def test_typing_markdown_with_a_figure_saves_it_and_the_preview_shows_the_number(window, qtbot, study_path):
    from fieldkit.reports.figures import Figures

    tab = write_tab(window)
    tab.show_section("background")
    page = tab.page
    assert page.key == "background" and page.heading_edit.placeholderText() == "Background"
    type_text(page.heading_edit, "Why we asked")
    type_text(page.editor.editor, "We spoke to **{interviewed}** groups.")
    interviewed = Figures.of(window.session.study).value("interviewed")
    assert interviewed == str(INTERVIEWS)
    qtbot.waitUntil(lambda: f"We spoke to {interviewed} groups." in page.editor.preview.toPlainText(), timeout=3000)
    assert "<b>" in page.editor.preview.toHtml() or "font-weight" in page.editor.preview.toHtml()
    assert not page.editor.problem.isVisible()
    qtbot.waitUntil(lambda: outline.part(window.session.study, "background").body is not None, timeout=3000)

    study = reopened(window, study_path)
    try:
        part = outline.part(study, "background")
        assert part.body == "We spoke to **{interviewed}** groups."
        assert part.heading == "Why we asked" and part.custom_heading
    finally:
        study.close()


def test_an_unknown_figure_is_named_with_its_line_and_the_preview_shows_the_text_unfilled(window, qtbot):
    tab = write_tab(window)
    tab.show_section("aims")
    editor = tab.page.editor
    type_text(editor.editor, "First paragraph.\n\nWe met {intervewed} groups.")
    qtbot.waitUntil(lambda: editor.problem.isVisible(), timeout=3000)
    assert editor.problem.text().startswith("Aims of the study, line 3: unknown figure {intervewed}")
    assert "\n" not in editor.problem.text()
    assert "(figures: {identified}, {contacted}" in editor.problem.toolTip()  # the core's words in full
    assert "We met {intervewed} groups." in editor.preview.toPlainText()
    editor.editor.selectAll()
    type_text(editor.editor, "We met {interviewed} groups.")
    qtbot.waitUntil(lambda: not editor.problem.isVisible(), timeout=3000)
    assert f"We met {INTERVIEWS} groups." in editor.preview.toPlainText()


def test_the_toolbar_formats_the_selection_and_adds_footnotes_and_figures(window):
    from fieldkit.ui.qt import QTextCursor

    tab = write_tab(window)
    tab.show_section("conclusions")
    editor = tab.page.editor
    type_text(editor.editor, "Halls matter")
    cursor = editor.editor.textCursor()
    cursor.setPosition(6)
    cursor.setPosition(12, QTextCursor.MoveMode.KeepAnchor)
    editor.editor.setTextCursor(cursor)
    editor.wrap("**", "bold words")
    assert editor.text() == "Halls **matter**"
    editor.add_footnote()
    assert editor.text() == "Halls **matter**[^1]\n\n[^1]: "
    type_text(editor.editor, "Counted in March.")
    editor.prefix_lines("> ")
    assert editor.text().endswith("> [^1]: Counted in March.")
    editor.insert_figure("{table:counts}")
    assert "\n\n{table:counts}\n" in editor.text()
    editor._fill_figure_menu()
    titles = [a.text() for a in editor.figure_menu.actions()]
    assert titles == ["Counts", "Rates", "By category or area", "Tables"]
    counts = editor.figure_menu.actions()[0].menu().actions()
    interviewed = next(a for a in counts if a.text() == "{interviewed}")
    assert interviewed.toolTip().startswith("organisations interviewed")


def test_the_method_in_my_own_words_starts_from_fieldkits_and_goes_back(window, qtbot, study_path):
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.method import method_markdown

    study = window.session.study
    data = build_report_data(study, ReportOptions(sections=("method",)))
    fieldkits = method_markdown(data.method_section, data.method)
    tab = write_tab(window)
    tab.show_section("method")
    page = tab.page
    assert page.fieldkit_words.isChecked() and page.editor.editor.isReadOnly()
    assert page.editor.text() == fieldkits  # fieldkit's words, shown as they print

    page.own_words.click()
    assert outline.part(study, "method").body == fieldkits
    assert not page.editor.editor.isReadOnly() and page.editor.text() == fieldkits
    page.editor.editor.moveCursor(page.editor.editor.textCursor().MoveOperation.End)
    type_text(page.editor.editor, "\nWe phoned every hall twice.")

    answer_modals(answer("No"))  # keep my words
    page.fieldkit_words.click()
    assert page.own_words.isChecked()
    assert outline.part(study, "method").body == fieldkits + "\nWe phoned every hall twice."

    answer_modals(answer("Yes"))
    page.fieldkit_words.click()
    assert outline.part(study, "method").body is None
    assert page.editor.editor.isReadOnly() and page.editor.text() == fieldkits

    page.own_words.click()
    type_text(page.editor.editor, "Only my words.")
    reopened_study = reopened(window, study_path)
    try:
        assert outline.part(reopened_study, "method").body == "Only my words." + fieldkits
    finally:
        reopened_study.close()


def test_recommendations_are_added_edited_moved_and_removed(window, qtbot, study_path):
    tab = write_tab(window)
    tab.show_section("recommendations")
    page = tab.page
    study = window.session.study
    table = page.table

    def saved():
        return [(r.text, r.who) for r in outline.recommendations(study)]

    def type_in_cell(text):
        """Type into the cell editor Add opened, and press Enter."""
        from fieldkit.ui.qt import QLineEdit, Qt

        qtbot.waitUntil(lambda: table.viewport().findChild(QLineEdit) is not None, timeout=3000)
        editor = table.viewport().findChild(QLineEdit)
        type_text(editor, text)
        qtbot.keyClick(editor, Qt.Key_Return)

    page.add_button.click()
    assert table.rowCount() == 1 and saved() == [("", "")]
    type_in_cell("Fund hall repairs")
    table.item(0, 1).setText("The council")
    qtbot.waitUntil(lambda: saved() == [("Fund hall repairs", "The council")], timeout=3000)
    page.add_button.click()
    assert table.rowCount() == 2 and table.currentRow() == 1
    type_in_cell("Share {interviewed} halls' findings")
    qtbot.waitUntil(lambda: saved()[1] == ("Share {interviewed} halls' findings", ""), timeout=3000)
    assert not page.rows_problem.isVisible()

    page.up_button.click()
    assert saved() == [("Share {interviewed} halls' findings", ""), ("Fund hall repairs", "The council")]
    assert table.currentRow() == 0 and table.item(0, 0).text().startswith("Share")

    table.item(0, 1).setText("{intervewed} partners")
    qtbot.waitUntil(lambda: page.rows_problem.isVisible(), timeout=3000)
    assert page.rows_problem.text().startswith("Recommendations, row 1: unknown figure {intervewed}")

    table.setCurrentCell(1, 0)
    answer_modals(answer("Yes"))
    page.remove_button.click()
    assert saved() == [("Share {interviewed} halls' findings", "{intervewed} partners")]
    assert table.rowCount() == 1

    again = reopened(window, study_path)
    try:
        assert [(r.text, r.who) for r in outline.recommendations(again)] == \
            [("Share {interviewed} halls' findings", "{intervewed} partners")]
    finally:
        again.close()


def test_findings_are_written_theme_by_theme_and_the_quotations_are_chosen_in_the_pool(window, qtbot):
    study = window.session.study
    tab = write_tab(window)
    tab.show_section("comments")
    page = tab.page
    labels = [page.picker.itemText(i) for i in range(page.picker.count())]
    assert labels == ["The introduction, under the heading", "Theme: Barriers", "Theme: What would help",
                      "Theme: Other comments"]
    type_text(page.editor.editor, "Three themes stood out.")
    page.picker.setCurrentIndex(1)  # switching saves the introduction at once
    assert outline.part(study, "comments").body == "Three themes stood out."
    assert page.editor.text() == ""
    assert "No quotations chosen" in page.quotes.text() and "up to 5" in page.quotes.text()
    type_text(page.editor.editor, "Rent is the **first** barrier.")
    page.flush()
    assert outline.theme_text(study, "barriers") == "Rent is the **first** barrier."
    assert outline.theme_text(study, "help") == ""

    comment = next(c for c in study.pool.comments() if "barriers" in c.themes)
    window.session.call(quotations.choose, study, "barriers", comment.id, changes={"pool"})
    assert page.quotes.text().startswith("1 quotation chosen")
    page.per_theme.setValue(3)
    page.flush()
    assert quotations.per_theme(study) == 3

    page.picker.setCurrentIndex(2)  # What would help
    page.pool_button.click()  # the Pool, showing that theme's quotations
    pool = window.screens["pool"]
    assert window.stack.currentWidget() is pool
    assert pool.quotes.current_theme() == "help"

    window.show_screen("reports")
    page.picker.setCurrentIndex(0)
    assert page.editor.text() == "Three themes stood out."


# --- the cover --------------------------------------------------------------------------------


def small_png(path: Path) -> Path:
    from fieldkit.ui.qt import QColor, QImage

    image = QImage(40, 20, QImage.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    assert image.save(str(path), "PNG")
    return path


def test_the_cover_and_logos_are_saved_and_a_file_not_an_image_is_refused(window, tmp_path, study_path,
                                                                        monkeypatch):
    screen = reports(window)
    screen.tabs.setCurrentWidget(screen.cover)
    cover = screen.cover
    assert cover.fields["title"].text() == "Writing study"
    assert cover.fields["date"].text() == ""
    assert cover.fields["date"].placeholderText().startswith("The month of export: ")
    for key, text in (("subtitle", "Final report"), ("author", "Field Research Ltd"), ("date", "March 2026"),
                      ("confidentiality", "Confidential: for the steering group")):
        type_text(cover.fields[key], text)
    cover.fields["title"].selectAll()
    type_text(cover.fields["title"], "Halls in Coventry")
    cover.flush()
    assert window.windowTitle().startswith("Halls in Coventry")  # the study's details changed too

    cover.fields["title"].clear()
    type_text(cover.fields["title"], " ")
    cover.flush()
    assert cover.cover_problem.isVisible() and "title cannot be empty" in cover.cover_problem.text()
    assert outline.cover(window.session.study).title == "Halls in Coventry"

    logo = small_png(tmp_path / "client logo.png")
    monkeypatch.setattr("fieldkit.ui.report_cover.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(logo), "PNG or JPEG images (*.png *.jpg *.jpeg)"))
    cover.choose_logo("client")
    assert not cover.logo_problem.isVisible()
    assert cover.thumbnails["client"].pixmap() is not None and not cover.thumbnails["client"].pixmap().isNull()
    assert cover.logo_names["client"].text() == "client logo.png"
    assert cover.remove_buttons["client"].isEnabled()

    not_image = tmp_path / "logo.png"
    not_image.write_text("this is not a picture")
    assert not cover.set_logo("author", not_image)
    assert cover.logo_problem.isVisible() and "not a PNG or JPEG image" in cover.logo_problem.text()
    assert "\n" not in cover.logo_problem.text()
    assert outline.logo(window.session.study, "author") is None
    assert not cover.remove_buttons["author"].isEnabled()

    study = reopened(window, study_path)
    try:
        saved = outline.cover(study)
        assert (saved.title, saved.subtitle, saved.author, saved.date, saved.confidentiality, saved.client) == (
            "Halls in Coventry", "Final report", "Field Research Ltd", "March 2026",
            "Confidential: for the steering group", "The Council")
        kept = outline.logo(study, "client")
        assert kept is not None and kept.name == "client logo.png" and kept.data == logo.read_bytes()
        assert outline.logo(study, "author") is None
    finally:
        study.close()


def test_removing_a_logo(window, tmp_path):
    cover = reports(window).cover
    assert cover.set_logo("author", small_png(tmp_path / "mine.png"))
    assert outline.logo(window.session.study, "author") is not None
    cover.remove_buttons["author"].click()
    assert outline.logo(window.session.study, "author") is None
    assert cover.thumbnails["author"].text() == "No logo"


# --- export -----------------------------------------------------------------------------------


def test_export_as_a_word_document(window, qtbot, tmp_path):
    from docx import Document

    study = window.session.study
    window.session.call(outline.set_text, study, "background", "We spoke to {interviewed} halls.",
                        changes={"report"})
    panel = reports(window).report
    out = tmp_path / "out" / "Client report.docx"
    out.parent.mkdir()
    panel.export(out)
    if panel.names_dialog is not None:
        panel.names_dialog.export_button.click()
    panel.worker.wait()
    assert out.exists() and out.read_bytes().startswith(b"PK")
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert f"We spoke to {INTERVIEWS} halls." in text
    assert str(out) in panel.export_status.text()


def test_a_path_without_an_ending_is_exported_as_pdf(window, qtbot, tmp_path):
    panel = reports(window).report
    out = tmp_path / "report"
    panel.export(out)
    if panel.names_dialog is not None:
        panel.names_dialog.export_button.click()
    panel.worker.wait()
    assert out.with_name("report.pdf").read_bytes().startswith(b"%PDF")


def test_export_names_the_characters_no_font_can_print(window, qtbot, tmp_path):
    study = window.session.study
    window.session.call(outline.set_text, study, "background", "Loved it 😊 and ✓ done.", changes={"report"})
    panel = reports(window).report
    out = tmp_path / "report.pdf"
    panel.export(out)
    if panel.names_dialog is not None:
        panel.names_dialog.export_button.click()
    panel.worker.wait()
    qtbot.waitUntil(lambda: panel.export_status.text().startswith("Saved"), timeout=30_000)
    status = panel.export_status.text()
    assert out.exists() and "Not every character could be printed" in status
    assert "😊 (SMILING FACE WITH SMILING EYES) in Background" in status
    assert "✓" not in status  # Noto Sans Symbols 2 has the tick

