"""Study settings ▸ Interview schedule: the schedule built and changed in the app.

On the left, the sections and their questions (``schedule_tree.py``: drag them, or Alt+Up /
Alt+Down) and the schedule's languages with the texts still missing in each
(``schedule_languages.py``); on the right, the form for the selected item
(``schedule_form.py``, its choices in ``schedule_choices.py``) and the question as the
interview shows it.

Every change is made by the core's ``fieldkit.schedule`` functions and stored with
``Study.update_template`` through the session, so it is a new template version (interviews
already taken keep theirs) and Edit ▸ Undo takes it back. What the core refuses is not
stored: its reasons are shown at the field, and what was typed stays to be fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fieldkit import question_types, schedule
from fieldkit.errors import FieldkitError, InvalidValueError, TemplateError
from fieldkit.templates import Template
from fieldkit.ui import palette
from fieldkit.ui.answer_widgets import QuestionCard, SectionPage
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QFileDialog,
    QFont,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    Qt,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.schedule_form import QuestionForm, SectionForm, locate, problem_label
from fieldkit.ui.schedule_languages import LanguagesPanel
from fieldkit.ui.schedule_tree import KEY, ScheduleTree
from fieldkit.ui.session import INTERVIEWS, POOL, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

REDRAW = {TEMPLATE, INTERVIEWS, POOL}

_T = TypeVar("_T")


class ScheduleEditor(QWidget):
    """The Interview schedule tab of Study settings."""

    def __init__(self, session: StudySession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study = session.study
        self.selected: tuple[str, str] | None = None
        self._stale = False
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        note = QLabel("Each change is saved as a new version of the schedule (interviews already taken keep "
                      "theirs); Edit ▸ Undo takes it back. Drag a question or section, or press Alt+Up / "
                      "Alt+Down, to move it.")
        note.setWordWrap(True)
        top.addWidget(note, 1)
        self.save_button = QPushButton("Save schedule as te&mplate…")
        self.save_button.setAccessibleName("Save the schedule as a template file")
        self.save_button.setToolTip("Write the schedule, vocabularies and settings as a template a new study can "
                                    "start from")
        self.save_button.clicked.connect(self.save_as_template)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.saved_note = QLabel()
        self.saved_note.setAccessibleName("Where the template was written")
        self.saved_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_note.hide()
        outer.addWidget(self.saved_note)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_left())
        self.splitter.addWidget(self._build_right())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([420, 660])
        outer.addWidget(self.splitter, 1)
        session.changed.connect(lambda kinds: self.refresh(kinds) if kinds & REDRAW else None)
        self.refresh({TEMPLATE})

    # --- building --------------------------------------------------------------------------

    def _button(self, text: str, name: str, slot, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_left(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.add_section_button = self._button("Add &section", "Add a section", self.add_section,
                                               "A new section after the selected one")
        self.types = ComboBox()
        self.types.setAccessibleName("Type of the new question")
        for name, qtype in question_types.REGISTRY.items():
            self.types.addItem(qtype.title, name)
        self.add_question_button = self._button("Add &question", "Add a question of the chosen type",
                                                self.add_question, "A new question after the selected one")
        row.addWidget(self.add_section_button)
        row.addStretch(1)
        row.addWidget(self.types)
        row.addWidget(self.add_question_button)
        column.addLayout(row)
        row = QHBoxLayout()
        self.duplicate_button = self._button("D&uplicate", "Duplicate the selected item", self.duplicate,
                                             "A copy just after it, with a fresh id")
        self.delete_button = self._button("Dele&te", "Delete the selected item", self.delete, "Delete")
        self.up_button = self._button("Move up", "Move the selected item up", lambda: self.move_by(-1), "Alt+Up")
        self.down_button = self._button("Move down", "Move the selected item down", lambda: self.move_by(1),
                                        "Alt+Down")
        for b in (self.duplicate_button, self.delete_button, self.up_button, self.down_button):
            row.addWidget(b)
        row.addStretch(1)
        column.addLayout(row)
        self.tree = ScheduleTree(self)
        self.tree.currentItemChanged.connect(self._picked)
        column.addWidget(self.tree, 1)
        self.languages = LanguagesPanel(self)
        column.addWidget(self.languages)
        return left

    def _build_right(self) -> QWidget:
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QFrame.Shape.NoFrame)
        self.form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.forms = QStackedWidget()
        self.empty = QLabel("Add a section, then questions in it.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.section_form = SectionForm(self)
        self.question_form = QuestionForm(self)
        for page in (self.empty, self.section_form, self.question_form):
            self.forms.addWidget(page)
        self.form_area.setWidget(self.forms)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.form_area)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(lambda: self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason))
        right.addWidget(self.form_area)
        lower = QWidget()
        column = QVBoxLayout(lower)
        column.setContentsMargins(0, 4, 0, 0)
        self.problems = problem_label()
        self.problems.setAccessibleName("Problems")
        column.addWidget(self.problems)
        self.instead_button = self._button("Add a new question instead", "Add a new question instead",
                                           self.add_instead, "A copy with the new setting and a fresh id; "
                                           "the question with answers stays as it is")
        self.instead_button.hide()
        column.addWidget(self.instead_button, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addWidget(heading("As the interview shows it", 1.05), 1)
        shown = QLabel("&Language:")
        self.language_box = ComboBox()
        self.language_box.setAccessibleName("Language of the preview")
        shown.setBuddy(self.language_box)
        self.language_box.activated.connect(lambda _: self.show_preview())
        row.addWidget(shown)
        row.addWidget(self.language_box)
        column.addLayout(row)
        self.preview_slot = QVBoxLayout()
        self.preview_slot.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.preview_slot, 1)
        self.preview: QWidget | None = None
        right.addWidget(lower)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([470, 210])
        return right

    # --- drawing ---------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh({INTERVIEWS})

    @property
    def template(self) -> Template:
        return self.study.template

    def form(self) -> QuestionForm | SectionForm | None:
        page = self.forms.currentWidget()
        return page if isinstance(page, (QuestionForm, SectionForm)) else None

    def refresh(self, kinds: set[str]) -> None:
        if not self.isVisible() and TEMPLATE not in kinds:
            self._stale = True  # answers saved in an interview: redrawn when the tab is shown
            return
        self._stale = False
        template = self.template
        self._fill_tree(template)
        self.languages.fill(template)
        picked = self.language_box.currentText()
        self.language_box.clear()
        self.language_box.addItems(list(template.languages))
        self.language_box.setCurrentText(picked if picked in template.languages else template.default_language)
        form = self.form()
        if TEMPLATE in kinds or form is None or not form.dirty:
            self.load_selected()

    def _fill_tree(self, template: Template) -> None:
        ids = {s.id for s in template.sections} | {q.id for q in template.questions()}
        if self.selected is None or self.selected[1] not in ids:
            first = template.sections[0].id if template.sections else None
            self.selected = ("section", first) if first else None
        self.tree.blockSignals(True)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        current = None
        for s in template.sections:
            top = QTreeWidgetItem([s.id, s.title, "Section", "asked if…" if s.relevant else ""])
            top.setData(0, KEY, ("section", s.id))
            top.setFont(1, bold)
            top.setToolTip(1, s.title)
            self.tree.addTopLevelItem(top)
            if self.selected == ("section", s.id):
                current = top
            for q in s.questions:
                if q.generated_from:
                    continue
                marker = "anonymous" if q.anonymous else ("asked if…" if q.relevant else "")
                row = QTreeWidgetItem([q.id, q.label, q.qtype.title, marker])
                row.setData(0, KEY, ("question", q.id))
                row.setToolTip(1, q.label)
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
                if q.anonymous:
                    row.setForeground(3, palette.text("anonymous", palette.base()))
                    row.setToolTip(3, "Anonymous: the answer goes to the comment pool")
                top.addChild(row)
                if self.selected == ("question", q.id):
                    current = row
            top.setExpanded(True)
        if current is not None:
            self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)
        self._enable()

    def _picked(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        self.selected = tuple(item.data(0, KEY))
        self.load_selected()
        self._enable()

    def load_selected(self) -> None:
        template = self.template
        if self.selected is None:
            self.forms.setCurrentWidget(self.empty)
        elif self.selected[0] == "section":
            self.section_form.load(template, self.selected[1])
            self.forms.setCurrentWidget(self.section_form)
        else:
            self.question_form.load(template, self.selected[1])
            self.forms.setCurrentWidget(self.question_form)
        for page in (self.empty, self.section_form, self.question_form):  # the scroll follows the page shown
            ignored = QSizePolicy.Policy.Ignored
            page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred
                               if page is self.forms.currentWidget() else ignored)
        self.show_general([])
        self.show_preview()

    def _enable(self) -> None:
        item = self.tree.currentItem()
        has = item is not None
        for b in (self.duplicate_button, self.delete_button, self.up_button, self.down_button):
            b.setEnabled(has)
        if item is not None:
            above, below = self.tree.itemAbove(item), self.tree.itemBelow(item)
            parent = item.parent()
            if parent is None:
                row = self.tree.indexOfTopLevelItem(item)
                self.up_button.setEnabled(row > 0)
                self.down_button.setEnabled(row < self.tree.topLevelItemCount() - 1)
            else:
                self.up_button.setEnabled(above is not None and above.parent() is not None
                                          or self.tree.indexOfTopLevelItem(parent) > 0)
                self.down_button.setEnabled(below is not None)
        self.add_question_button.setEnabled(bool(self.template.sections))
        self.types.setEnabled(bool(self.template.sections))

    def show_preview(self) -> None:
        """The selected question as the interview runner shows it (a section: its page)."""
        if self.preview is not None:
            self.preview_slot.removeWidget(self.preview)
            self.preview.deleteLater()
            self.preview = None
        template, language = self.template, self.language_box.currentText() or None
        widget: QWidget
        try:
            if self.selected is None:
                widget = QLabel("Nothing to show yet.")
            elif self.selected[0] == "question":
                q = template.question(self.selected[1])
                holder = QWidget()
                column = QVBoxLayout(holder)
                column.setContentsMargins(0, 0, 0, 0)
                column.addWidget(QuestionCard(q, language=language))
                column.addStretch(1)
                widget = QScrollArea()
                widget.setWidgetResizable(True)
                widget.setFrameShape(QFrame.Shape.NoFrame)
                widget.setWidget(holder)
            else:
                s = next(x for x in template.sections if x.id == self.selected[1])
                widget = SectionPage(s, k=self.study.anonymity_k, language=language)
        except (ValueError, KeyError):  # a type the runner has no input for yet
            widget = QLabel("The interview shows this as a computed value.")
        widget.setAccessibleName("Preview")
        self.preview = widget
        self.preview_slot.addWidget(widget)

    def show_general(self, lines: list[str], *, offer_new: bool = False) -> None:
        """Problems under the form (those not shown at a field)."""
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self.problems.setAccessibleName("Problems: " + " ".join(lines) if lines else "Problems")
        self.instead_button.setVisible(offer_new)

    def focus_form(self) -> None:
        form = self.form()
        if form is not None:
            target = form.fields["label" if isinstance(form, QuestionForm) else "title"][0]
            assert isinstance(target, QLineEdit)
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            target.selectAll()

    # --- storing ---------------------------------------------------------------------------

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question whose default is No."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def store(self, new: Template, what: str, select: tuple[str, str] | None, *, form=None,
              remove_used_choices: bool = False) -> bool:
        """Make ``new`` the study's schedule, undoably; False (with the reasons shown) if refused."""
        old = self.template
        if new.to_dict() == old.to_dict():
            if form is not None:
                form.dirty = False
            return True
        refused = schedule.refusals(self.study, new, remove_used_choices=remove_used_choices)
        if refused:
            self._show_refusals(refused, form)
            return False
        keep = self.selected
        self.selected = select
        if form is not None:
            form.dirty = False
        done = self.session.edit(
            what, lambda: self.study.update_template(new, remove_used_choices=remove_used_choices),
            lambda: self.study.update_template(old), {TEMPLATE},
            show=lambda undone: self.show_item(*((keep, select) if undone else (select, keep))))
        if not done:
            self.selected = keep
            if form is not None:
                form.dirty = True
        return done

    def show_item(self, *keys: tuple[str, str] | None) -> None:
        """Select the first of ``keys`` ((kind, id)) the schedule still has: after an undo,
        what was selected before the change; after a redo, what the change selected."""
        template = self.template
        have = {("section", s.id) for s in template.sections} | {("question", q.id) for q in template.questions()}
        key = next((k for k in keys if k in have), None)
        if key is None or key == self.selected:
            return
        self.selected = key
        self._fill_tree(template)
        self.load_selected()

    def _show_refusals(self, reasons: list[str], form) -> None:
        offer = False
        at: dict[str, list[str]] = {}
        general = []
        for reason in reasons:
            about = re.search(r"question '([^']*)'", reason)
            mine = form is not None and about is not None and isinstance(form, QuestionForm) and \
                about.group(1) in (form.item_id, form.text("id").strip())
            key = ("anonymous" if "cannot become named" in reason or "cannot become anonymous" in reason
                   else "choices" if reason.startswith("the choice") else "type" if "cannot become" in reason
                   else None)
            if mine and key:
                at.setdefault(key, []).append(reason)
                offer = offer or "add a new question instead" in reason
            else:
                general.append(reason)
        if form is not None:
            form.clear_problems()
            for key, texts in at.items():
                form.show_field_problem(key, "; ".join(texts))
        self.show_general(general, offer_new=offer)

    def attempt(self, build: Callable[[], _T]) -> _T | None:
        """``build()``, or None with its problems shown under the form."""
        try:
            return build()
        except TemplateError as e:
            self.show_general([locate(line).line for line in e.problems])
        except InvalidValueError as e:
            self.show_general([str(e)])
        return None

    def _position(self, question_id: str) -> tuple[str, int]:
        for s in self.template.to_dict()["sections"]:
            for i, q in enumerate(s["questions"]):
                if q["id"] == question_id:
                    return s["id"], i
        raise KeyError(question_id)

    def _fresh(self, prefix: str, start: int) -> str:
        """``prefix`` + the first number from ``start`` that no question or section has, and
        that no answer recorded under an earlier version uses (its answers would be shared)."""
        taken = schedule.ids_in_use(self.study)
        n = start
        while f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"

    # --- the user's changes ----------------------------------------------------------------

    def _current_section(self) -> str | None:
        if self.selected is None:
            return None
        if self.selected[0] == "section":
            return self.selected[1]
        return self._position(self.selected[1])[0]

    def add_section(self) -> None:
        t = self.template
        sid = self._fresh("s", len(t.sections) + 1)
        current = self._current_section()
        index = [s.id for s in t.sections].index(current) + 1 if current else len(t.sections)
        new = self.attempt(lambda: schedule.insert_section(t, index, {"id": sid, "title": "New section"}))
        if new is not None and self.store(new, f"addition of section {sid}", ("section", sid)):
            self.focus_form()

    def add_question(self) -> None:
        t = self.template
        section = self._current_section()
        if section is None:
            return
        qtype = question_types.get(self.types.currentData())
        qid = self._fresh("q", len(t.questions()) + 1)
        data: dict = {"id": qid, "type": qtype.name, "label": "New question"}
        if qtype.has_choices:
            data["choices"] = ["Choice 1", "Choice 2"]
        if qtype.computed:
            data["calculation"] = "0"
        if self.selected and self.selected[0] == "question":
            index = self._position(self.selected[1])[1] + 1
        else:
            index = len(next(s for s in t.to_dict()["sections"] if s["id"] == section)["questions"])
        new = self.attempt(lambda: schedule.insert_question(t, section, index, data))
        if new is not None and self.store(new, f"addition of question {qid}", ("question", qid)):
            self.focus_form()

    def duplicate(self) -> None:
        if self.selected is None:
            return
        kind, ident = self.selected
        t = self.template
        if kind == "question":
            made = self.attempt(lambda: schedule.duplicate_question(t, ident, schedule.ids_in_use(self.study)))
            if made is not None:
                self.store(made[0], f"duplication of question {ident}", ("question", made[1]))
            return
        made = self.attempt(lambda: schedule.duplicate_section(t, ident, schedule.ids_in_use(self.study)))
        if made is not None:
            self.store(made[0], f"duplication of section {ident}", ("section", made[1]))

    def delete(self) -> None:
        item = self.tree.currentItem()
        if self.selected is None or item is None:
            return
        kind, ident = self.selected
        t = self.template
        parent = item.parent()
        if parent is not None:  # the next question, else the one before, else its section
            i = parent.indexOfChild(item)
            neighbour = parent.child(i + 1) or (parent.child(i - 1) if i > 0 else parent)
        else:
            i = self.tree.indexOfTopLevelItem(item)
            neighbour = self.tree.topLevelItem(i + 1) or (self.tree.topLevelItem(i - 1) if i > 0 else None)
        after = tuple(neighbour.data(0, KEY)) if neighbour is not None else None
        if kind == "question":
            n = schedule.answer_count(self.study, ident)
            if n and not self.ask("Delete a question with answers",
                                  f"The question '{ident}' has {n} answer{'s' if n != 1 else ''}. Delete it from "
                                  "the schedule? Interviews already taken keep their answers; from now on it is "
                                  "not asked, counted or reported."):
                return
            new = self.attempt(lambda: schedule.remove_question(t, ident))
        else:
            section = next(s for s in t.sections if s.id == ident)
            asked = [q for q in section.questions if not q.generated_from]
            n = sum(schedule.answer_count(self.study, q.id) for q in asked)
            if asked and not self.ask("Delete a section",
                                      f"Delete the section '{section.title}' and its {len(asked)} question"
                                      f"{'s' if len(asked) != 1 else ''}"
                                      + (f" ({n} answer{'s' if n != 1 else ''} recorded; interviews already "
                                         "taken keep them)" if n else "") + "?"):
                return
            new = self.attempt(lambda: schedule.remove_section(t, ident))
        if new is not None:
            self.store(new, f"deletion of {kind} {ident}", after)

    def move_by(self, step: int) -> None:
        """The selected item one place up or down; a question at a section's edge goes to the
        next section."""
        if self.selected is None:
            return
        kind, ident = self.selected
        sections = self.template.to_dict()["sections"]
        if kind == "section":
            i = [s["id"] for s in sections].index(ident)
            if 0 <= i + step < len(sections):
                self.move_to("", i + step)
            return
        sid, i = self._position(ident)
        si = [s["id"] for s in sections].index(sid)
        if 0 <= i + step < len(sections[si]["questions"]):
            self.move_to(sid, i + step)
        elif step < 0 and si > 0:
            self.move_to(sections[si - 1]["id"], len(sections[si - 1]["questions"]))
        elif step > 0 and si < len(sections) - 1:
            self.move_to(sections[si + 1]["id"], 0)

    def move_to(self, section_id: str, index: int) -> None:
        """The selected question to ``index`` of ``section_id`` (counted without it); a section
        (``section_id`` empty) to ``index``."""
        if self.selected is None:
            return
        kind, ident = self.selected
        t = self.template
        if kind == "section":
            new = self.attempt(lambda: schedule.move_section(t, ident, index))
        else:
            new = self.attempt(lambda: schedule.move_question(t, ident, section_id, index))
        if new is not None:
            self.store(new, f"move of {kind} {ident}", (kind, ident))

    def add_instead(self) -> None:
        """The refused change as a new question beside the one with answers, which stays."""
        form = self.question_form
        try:
            data = form.data()
        except Exception:  # noqa: BLE001 - a field's own problem is shown when it is committed
            return
        t = self.template
        sid, index = self._position(form.item_id)
        data["id"] = self._fresh(re.sub(r"_\d+$", "", form.item_id) + "_", 2)
        new = self.attempt(lambda: schedule.insert_question(t, sid, index + 1, data))
        if new is not None:
            self.store(new, f"addition of question {data['id']}", ("question", data["id"]))

    # --- files -----------------------------------------------------------------------------

    def save_as_template(self) -> None:
        study = self.study
        stem = re.sub(r"[^\w-]+", "-", study.title.lower()).strip("-") or "schedule"
        name, _ = QFileDialog.getSaveFileName(self, "Save the schedule as a template",
                                              str(Path(study.path).parent / f"{stem}.toml"),
                                              "fieldkit templates (*.toml)")
        if not name:
            return
        path = Path(name) if name.endswith(".toml") else Path(name + ".toml")
        try:
            written = schedule.write_template(study.template, path)
        except (FieldkitError, OSError) as e:
            palette.set_style_sheet(self.saved_note, "color: $problem; font-weight: bold;")
            self.saved_note.setText(f"Not written: {e}")
        else:
            palette.set_style_sheet(self.saved_note, "")
            self.saved_note.setText(f"Template written to {written}")
        self.saved_note.show()

    def close_study(self) -> None:
        """Store what is being typed before the study closes."""
        form = self.form()
        if form is not None and form.dirty:
            form.commit("closing")
