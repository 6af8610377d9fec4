"""A researcher's day, end to end, through the real widgets, checked against the study file.

New study from a template on the welcome screen → add organisations → log an attempt with a
call-back → run the interview by typing (Polish, Urdu, Chinese) → finish → tick a box →
walk Previous / Next. Then the file is reopened and must hold exactly that, with the
anonymous answer held with its interview (one finished interview is fewer than k to hide it
among) and in no named record.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fieldkit import checks
from fieldkit.study import Study
from ui_typing import type_text

POLISH = "Koordynatorka wolontariuszy, Łódź"
URDU = "کرایہ بہت بڑھ گیا ہے"
CHINESE = "小团体需要长期的核心资金"
PASSPHRASE = "Walsall, wet Tuesday"


def test_a_day_of_fieldwork(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.templates import forms_dir
    from fieldkit.ui import main_window
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QApplication, QPushButton, Qt, QTimer

    def focused():
        return QApplication.focusWidget()

    path = tmp_path / "Black Country mapping.fieldkit"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)

    # 1. A new study from the regional mapping template, from its card on the welcome screen,
    #    protected with a passphrase when it is offered.
    [new] = [b for b in w.centralWidget().findChildren(QPushButton)
             if b.accessibleName() == "New study from the template Regional mapping of community infrastructure"]

    def encrypt():
        from fieldkit.ui.passphrase import NewPassphraseDialog

        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewPassphraseDialog)
        assert not dialog.ok.isEnabled()
        type_text(dialog.first, PASSPHRASE)
        type_text(dialog.second, PASSPHRASE)
        assert dialog.ok.isEnabled()
        dialog.ok.click()

    def pick_areas():  # the template asks which areas the study covers: two from the official lists
        from fieldkit.ui.area_picker import AreaPicker

        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AreaPicker)
        dialog.pick.click()
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole).code in ("E08000025", "E08000026"):  # Birmingham, Coventry
                item.setCheckState(Qt.CheckState.Checked)
        QTimer.singleShot(0, encrypt)
        dialog.ok.click()

    QTimer.singleShot(0, pick_areas)
    new.click()
    assert w.session is not None and w.session.study.path == path and w.session.study.encrypted
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert (forms_dir() / "regional-mapping.toml").exists()
    assert w.session.study.template.area_codes == {"Birmingham": "E08000025", "Coventry": "E08000026"}

    # 2. Two organisations, through the Add dialog.
    screen = w.show_screen("organisations")
    for name, category in (("Stowarzyszenie Polek w Walsall", "BME network"), ("Dudley Voluntary Action",
                                                                              "General infrastructure organisation")):
        screen.add_organisation()
        dialog = screen._add_dialog
        type_text(dialog.name, name)
        dialog.category.setCurrentIndex(dialog.category.findText(category))
        dialog.accept()
    screen.show_list()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2 and not screen.loader.busy)
    w.activateWindow()  # the dialogs have closed: the main window has the keyboard again
    qtbot.waitUntil(w.isActiveWindow)

    # 3. Open the first with Enter and log an attempt with a call-back, from the keyboard.
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key_Home)
    qtbot.keyClick(screen.table, Qt.Key_Down)  # sorted by name: Dudley first, Stowarzyszenie second
    qtbot.keyClick(screen.table, Qt.Key_Return)
    form = screen.case_form
    assert form.fields["name"].text() == "Stowarzyszenie Polek w Walsall" and form.where.text().startswith("2 of 2")
    org = form.org_id
    assert focused() is not None
    qtbot.keyClick(focused(), Qt.Key_L, Qt.ControlModifier)
    qtbot.keyClicks(form.attempts.outcome, "Call")
    qtbot.keyClick(focused(), Qt.Key_Tab)
    type_text(form.attempts.callback, "tomorrow 10:30")
    qtbot.keyClick(focused(), Qt.Key_Tab)
    type_text(form.attempts.note, "Pani Zofia oddzwoni")
    qtbot.keyClick(focused(), Qt.Key_Return)
    assert form.attempts.table.rowCount() == 1

    # 4. The interview, typed: a named answer in Polish and Urdu, an anonymous one in Chinese.
    form.interviews.start_button.click()
    runner = w.screen_for("interviews").runner
    qtbot.waitUntil(lambda: focused() is runner.cards["a1"].field.editor)
    type_text(focused(), POLISH)
    runner.cards["b1"].field.editor.setFocus()
    type_text(focused(), URDU)
    d1 = runner.cards["d1"]
    assert d1.question.anonymous
    d1.field.editor.setFocus()
    type_text(focused(), CHINESE)
    runner.cards["a1"].field.editor.setFocus()  # leaving the question saves it at once
    dialog = runner.finish()
    assert not dialog.full.isChecked()  # required questions are still missing
    dialog.full.setChecked(True)  # the researcher knows better
    dialog.finish_button.click()
    qtbot.waitUntil(lambda: not runner.saver.busy())

    # 5. Back on the case: tick "keen for follow-up", then walk Previous / Next.
    w.open_case(org, w.session.study.organisations.ids())
    assert form.flag_boxes["full_interview"].isChecked()
    form.flag_boxes["follow_up"].click()
    qtbot.keyClick(focused() or form, Qt.Key_PageUp)
    assert form.fields["name"].text() == "Dudley Voluntary Action" and form.where.text().startswith("1 of 2")
    qtbot.keyClick(focused() or form, Qt.Key_PageDown)
    assert form.fields["name"].text() == "Stowarzyszenie Polek w Walsall"

    w.close()  # closes the study

    # 6. The file holds exactly that.
    with Study.open(path, passphrase=PASSPHRASE) as study:
        assert study.template.name == "regional-mapping"
        names = [o.name for o in study.organisations.many(study.organisations.ids())]
        assert names == ["Dudley Voluntary Action", "Stowarzyszenie Polek w Walsall"]
        record = study.organisations.get(org)
        assert record.status == "interviewed"
        assert record.flags == {"full_interview", "follow_up"}
        [attempt] = study.attempts.for_organisation(org)
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        assert (attempt.outcome, attempt.note, attempt.callback_at) == (
            "Call back requested", "Pani Zofia oddzwoni", f"{tomorrow.isoformat()}T10:30:00")
        [interview] = study.interviews.for_organisation(org)
        assert interview.completed is not None
        assert interview.answers == {"a1": POLISH, "b1": URDU}
        assert study.pool.comments() == []  # it waits for k finished interviews ...
        assert study.held.for_interview(interview.id) == {"d1": CHINESE}  # ... held with this one
        # Nothing named holds the anonymous words, and the file keeps fieldkit's rules.
        dump = repr([tuple(r) for t in ("organisations", "contacts", "attempts", "interviews", "answers")
                     for r in study.conn.execute(f"SELECT * FROM {t}")])
        assert CHINESE not in dump
        assert checks.problems(study) == []
