"""The schedule editor's form: every setting of one section or question, its choices, its
texts in other languages, and the core's problems shown at the field they are about.

The form never decides what is allowed. It shows the fields a question's type has (asking
``fieldkit.question_types``), reads them back as the plain data of the template format, and
hands that to ``fieldkit.schedule``, whose loader says what is wrong. What the user typed is
kept until it is fixed or the selection moves on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fieldkit import question_types, schedule
from fieldkit.errors import InvalidValueError, TemplateError
from fieldkit.templates import COUNT_BY, OTHER_LABEL, QUESTION_TEXTS, YES_NO_LABELS, Template, is_rtl
from fieldkit.ui import palette
from fieldkit.ui.answer_widgets import parse_number
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QCheckBox,
    QComboBox,
    QEvent,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.schedule_choices import ChoicesEditor

if TYPE_CHECKING:
    from fieldkit.ui.schedule import ScheduleEditor

EXPRESSIONS = ("relevant", "constraint", "calculation", "choice_filter")
#: A pause in typing an expression before the core checks it.
LIVE_CHECK_MS = 400

_W = TypeVar("_W", bound=QWidget)
#: "interview schedule: " (the problem's source) before "section 'a', question 'q2', …"
_SOURCE = re.compile(r"^[^:'\[]*: (?=section |\[)")
_SECTION = re.compile(r"section (?:'(?P<id>[^']*)'|(?P<n>\d+))")
_QUESTION = re.compile(r", question (?:'(?P<id>[^']*)'|(?P<n>\d+))")
_KEYED = re.compile(r", (?P<key>[a-z_]+): ")
_QUOTED = re.compile(r"'([a-z_]+)'")
_HINTS = (("'other = true'", "other"), ("unknown theme", "theme"), ("unknown flag", "flag"),
          ("unknown type", "type"), ("cannot tick a flag", "flag"), ("used twice", "id"),
          ("declared twice", "id"))
FIELD_KEYS = {"id", "type", "label", "help", "required", "required_message", "theme", "anonymous", "choices",
              "min", "max", "flag", "count_by", "relevant", "constraint", "constraint_message", "calculation",
              "choice_filter", "default", "other", "other_label", "title", "intro"}


@dataclass(frozen=True)
class Problem:
    """One line of a TemplateError, taken apart: where it is and what it says."""

    section: str | None
    question: str | None
    key: str | None
    message: str
    line: str


def locate(line: str) -> Problem:
    """``interview schedule: section 'a', question 'q2', relevant: unknown question 'zz' (at
    character 3)`` → section a, question q2, field relevant, and the message."""
    text = _SOURCE.sub("", line)
    section = question = key = None
    m = _SECTION.match(text)
    if m:
        section = m["id"] if m["id"] is not None else f"#{m['n']}"
        text = text[m.end():]
        q = _QUESTION.match(text)
        if q:
            question = q["id"] if q["id"] is not None else f"#{q['n']}"
            text = text[q.end():]
    keyed = _KEYED.match(text)
    if keyed and keyed["key"] in FIELD_KEYS:
        key, message = keyed["key"], text[keyed.end():]
    elif text.startswith(", choice"):
        key, message = "choices", text[2:]
    else:
        message = text.removeprefix(": ")
        lead = re.match(r"(?P<key>[a-z_]+): ", message)
        if lead and lead["key"] in FIELD_KEYS:  # a parse error: "relevant: expected a value …"
            key, message = lead["key"], message[lead.end():]
        elif section is not None:
            key = next((k for hint, k in _HINTS if hint in message), None) or next(
                (k for k in _QUOTED.findall(message) if k in FIELD_KEYS), None)
    return Problem(section, question, key, message, _SOURCE.sub("", line))


def set_problem(target: QWidget, label: QLabel, text: str | None) -> None:
    """The app's one-line error style (``QuestionCard.show_problem``): red words under the
    input, and a red edge round it."""
    text = text or ""
    label.setText(text)
    label.setVisible(bool(text))
    label.setAccessibleName(text or "No problem")
    palette.set_style_sheet(target, "border: 2px solid $problem_edge;" if text else "")


def problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("problem")
    palette.set_style_sheet(label, "color: $problem; font-weight: bold;")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


class _FieldProblem(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class _Form(QWidget):
    """What the section and question forms share: rows with a problem line each, the
    translation fields, and committing."""

    kind = ""

    def __init__(self, editor: ScheduleEditor):
        super().__init__()
        self.editor = editor
        self.fields: dict[str, tuple[QWidget, QLabel, QFormLayout, QWidget]] = {}
        self.combos: dict[str, QComboBox] = {}  # the fields that are drop-down lists, and tick boxes
        self.ticks: dict[str, QCheckBox] = {}
        self.translations: dict[tuple[str, str], QLineEdit] = {}
        self.item_id = ""
        self.dirty = False
        self.loading = False
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_CHECK_MS)
        self._live_key = ""
        self._live.timeout.connect(lambda: self.live_check(self._live_key))
        self.groups: list[QGroupBox] = []
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)

    # --- building ------------------------------------------------------------------------

    def group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.layout_.addWidget(box)
        self.groups.append(box)
        return box, form

    def row(self, form: QFormLayout, key: str, label: str, widget: _W, accessible: str | None = None,
            tip: str = "") -> _W:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        problem = problem_label()
        column.addWidget(problem)
        target = widget.tree if isinstance(widget, ChoicesEditor) else widget
        target.setAccessibleName(accessible or label.rstrip(":"))
        if tip:
            target.setToolTip(tip)
        if isinstance(widget, QCheckBox) or not label:
            form.addRow(holder)
        else:
            form.addRow(label, holder)
            name = form.labelForField(holder)
            assert isinstance(name, QLabel)  # addRow made it from the text
            name.setBuddy(target)
        self.fields[key] = (target, problem, form, holder)
        return widget

    def line(self, form: QFormLayout, key: str, label: str, *, placeholder: str = "", tip: str = "",
             accessible: str | None = None) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _: self._typed(key))
        edit.editingFinished.connect(lambda: self.commit(key))
        return self.row(form, key, label, edit, accessible, tip)

    def combo(self, form: QFormLayout, key: str, label: str, tip: str = "") -> QComboBox:
        box = ComboBox()
        box.activated.connect(lambda _: self.commit(key))
        self.combos[key] = box
        return self.row(form, key, label, box, tip=tip)

    def tick(self, form: QFormLayout, key: str, text: str, tip: str = "") -> QCheckBox:
        box = QCheckBox(text)
        box.clicked.connect(lambda _: self._ticked(key))
        self.ticks[key] = box
        return self.row(form, key, text, box, tip=tip)

    def _typed(self, key: str) -> None:
        self.dirty = True
        if key in EXPRESSIONS:
            self._live_key = key
            self._live.start()

    def _ticked(self, key: str) -> None:
        self.dirty = True
        self.update_visibility()
        self.commit(key)

    def update_visibility(self) -> None:
        """Show only the rows that apply to what the form holds (a section's rows always do)."""

    def show_row(self, key: str, visible: bool) -> None:
        _, _, form, holder = self.fields[key]
        form.setRowVisible(holder, visible)
        group = form.parentWidget()
        assert group is not None  # every form is a group box's
        group.updateGeometry()  # the group's height follows its rows

    def fill_combo(self, box: QComboBox, entries: list[tuple[str, Any]], value: Any) -> None:
        box.clear()
        for text, data in entries:
            box.addItem(text, data)
        i = box.findData(value)
        box.setCurrentIndex(max(i, 0))

    def set_text(self, key: str, value: Any) -> None:
        widget = self.fields[key][0]
        text = "" if value is None else str(value)
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        else:
            assert isinstance(widget, QLineEdit)  # the other text fields are lines
            widget.setText(text)

    def text(self, key: str) -> str:
        widget = self.fields[key][0]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        assert isinstance(widget, QLineEdit)  # the other text fields are lines
        return widget.text()

    def build_translations(self, box: QGroupBox, form: QFormLayout, template: Template,
                           texts: list[tuple[str, str, str]], values: dict[tuple[str, ...], str]) -> None:
        """One line per (key, words, default text) in each language but the default; ``values``
        holds the texts by (key, language)."""
        focused = next((k for k, edit in self.translations.items() if edit.hasFocus()), None)
        while form.rowCount():
            form.removeRow(0)
        self.translations = {}
        others = list(template.languages[1:])
        box.setVisible(bool(others))
        for language in others:
            title = QLabel(f"<b>{language}</b>")
            form.addRow(title)
            title.show()
            for key, words, default in texts:
                edit = QLineEdit(values.get((key, language), ""))
                edit.setPlaceholderText(default)
                edit.setAccessibleName(f"{words} in {language}")
                edit.setToolTip(f"In {template.default_language}: {default}")
                if is_rtl(language):
                    edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
                edit.textEdited.connect(lambda _: setattr(self, "dirty", True))
                edit.editingFinished.connect(lambda: self.commit("translations"))
                form.addRow(words, edit)
                name = form.labelForField(edit)
                assert isinstance(name, QLabel)  # addRow made it from the text
                name.setBuddy(edit)
                name.show()
                edit.show()  # now, not once events run: a missing text's field takes the focus at once
                self.translations[key, language] = edit
        if focused in self.translations:  # Enter stored it: the cursor stays in the same text
            self.translations[focused].setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_translation(self, key: str, language: str) -> bool:
        edit = self.translations.get((key, language))
        if edit is None:
            return False
        self.editor.form_area.ensureWidgetVisible(edit)
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # --- problems --------------------------------------------------------------------------

    def clear_problems(self) -> None:
        for target, problem, _, _ in self.fields.values():
            set_problem(target, problem, None)
        for box in self.groups:
            box.updateGeometry()
        self.editor.show_general([])

    def show_field_problem(self, key: str, text: str | None) -> None:
        target, problem, form, _ = self.fields[key]
        set_problem(target, problem, text)
        group = form.parentWidget()
        assert group is not None  # every form is a group box's
        group.updateGeometry()  # room for the problem's line
        if text:
            self.editor.form_area.ensureWidgetVisible(self.fields[key][3])

    def mine(self, p: Problem) -> bool:
        raise NotImplementedError

    def show_problems(self, lines: list[str], *, offer_new: bool = False) -> None:
        """The core's problems: at their field when they are about this item, else under the form."""
        self.clear_problems()
        at: dict[str, list[str]] = {}
        general: list[str] = []
        for line in lines:
            p = locate(line)
            if self.mine(p) and p.key in self.fields and self.fields[p.key][3].isVisibleTo(self):
                at.setdefault(p.key, []).append(p.message)
            else:
                general.append(p.line)
        for key, messages in at.items():
            self.show_field_problem(key, "; ".join(messages))
        self.editor.show_general(general, offer_new=offer_new)

    def live_check(self, key: str) -> None:
        """While an expression is typed: the core's problems with this field only."""
        if not self.item_id or key not in self.fields:
            return
        try:
            self.candidate()
        except TemplateError as e:
            found = [p.message for p in map(locate, e.problems) if self.mine(p) and p.key == key]
            self.show_field_problem(key, "; ".join(found) or None)
            return
        except (_FieldProblem, InvalidValueError):
            return
        self.show_field_problem(key, None)

    # --- committing ------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        raise NotImplementedError

    def candidate(self) -> Template:
        raise NotImplementedError

    def commit(self, key: str, *, select_choice: str | None = None) -> bool:
        """Store what the form holds as a new template version; show why not if the core refuses.
        (``select_choice``, the choice to select afterwards, is the question form's.)"""
        if self.loading or not self.item_id:
            return False
        self._live.stop()
        try:
            new = self.candidate()
        except _FieldProblem as e:
            self.clear_problems()
            self.show_field_problem(e.key, str(e))
            return False
        except TemplateError as e:
            self.show_problems(e.problems)
            return False
        except InvalidValueError as e:
            self.show_problems([str(e)])
            return False
        if self.kind == "question":
            refused = schedule.id_change_refusal(self.editor.study, self.item_id, self.data()["id"])
            if refused:
                self.clear_problems()
                self.show_field_problem("id", refused)
                return False
        return self.editor.store(new, f"change to {self.kind} {self.data()['id']}", (self.kind, self.data()["id"]),
                                 form=self)


class SectionForm(_Form):
    kind = "section"

    def __init__(self, editor: ScheduleEditor):
        super().__init__(editor)
        _, form = self.group("Section")
        self.line(form, "id", "Id:", tip="Short and unique; reports and exports use it", accessible="Section id")
        self.line(form, "title", "Title:", accessible="Section title")
        intro = QPlainTextEdit()
        intro.setTabChangesFocus(True)
        intro.setFixedHeight(intro.fontMetrics().lineSpacing() * 3 + 14)
        intro.textChanged.connect(lambda: None if self.loading else setattr(self, "dirty", True))
        intro.installEventFilter(self)
        self.row(form, "intro", "Introduction:", intro, "Section introduction",
                 tip="Read out at the start of the section")
        self.line(form, "relevant", "Asked only if:", placeholder="e.g. ${member} = 'yes'",
                  tip="An expression over earlier answers; empty: always asked", accessible="Section asked only if")
        self.tr_box, self.tr_form = self.group("Other languages")
        self.layout_.addStretch(1)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if "intro" in self.fields and watched is self.fields["intro"][0] and event.type() == QEvent.Type.FocusOut:
            self.commit("intro")
        return super().eventFilter(watched, event)

    def load(self, template: Template, section_id: str) -> None:
        self.loading = True
        self._live.stop()
        try:
            s = next(x for x in template.sections if x.id == section_id)
            self.item_id = section_id
            for key in ("id", "title", "intro", "relevant"):
                self.set_text(key, getattr(s, key))
            texts = [(k, k.capitalize() if k == "title" else "Introduction", getattr(s, k))
                     for k in ("title", "intro") if getattr(s, k) or any(
                         t.startswith(f"{k}::") for t in s.translations)]
            values = {tuple(k.split("::", 1)): v for k, v in s.translations.items()}
            self.build_translations(self.tr_box, self.tr_form, template, texts, values)
            self.clear_problems()
            self.dirty = False
        finally:
            self.loading = False

    def mine(self, p: Problem) -> bool:
        return p.question is None and p.section in (self.item_id, self.text("id").strip())

    def data(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.text("id").strip(), "title": self.text("title")}
        for key in ("intro", "relevant"):
            if self.text(key).strip():
                d[key] = self.text(key).strip() if key == "relevant" else self.text(key)
        for (key, language), edit in self.translations.items():
            if edit.text().strip():
                d[f"{key}::{language}"] = edit.text()
        return d

    def candidate(self) -> Template:
        return schedule.replace_section(self.editor.template, self.item_id, self.data())


class QuestionForm(_Form):
    kind = "question"

    def __init__(self, editor: ScheduleEditor):
        super().__init__(editor)
        _, form = self.group("Question")
        self.line(form, "id", "Id:", tip="Short and unique; answers, expressions and exports use it",
                  accessible="Question id")
        self.combo(form, "type", "Type:", tip="What kind of answer it takes")
        self.combos["type"].setAccessibleName("Question type")
        self.line(form, "label", "Question:", accessible="Question wording",
                  tip="What the interviewer reads out; ${id} shows an earlier answer")
        self.line(form, "help", "Help:", accessible="Help for the interviewer")
        _, form = self.group("Answer")
        self.tick(form, "required", "Required")
        self.line(form, "required_message", "When unanswered, say:", accessible="Required message")
        self.tick(form, "anonymous", "Anonymous (the answer goes to the comment pool)",
                  tip="Never stored against the organisation; it cannot tick a flag or be used by other questions")
        self.combo(form, "theme", "Theme:", tip="Groups the pool's comments")
        self.combo(form, "flag", "Yes ticks the flag:", tip="A named yes/no answer ticks or unticks this flag")
        self.combo(form, "count_by", "Also count by:", tip="Counts only, in steps of at least k interviews")
        self.line(form, "min", "Lowest:", placeholder="no minimum", accessible="Lowest number allowed")
        self.line(form, "max", "Highest:", placeholder="no maximum", accessible="Highest number allowed")
        self.line(form, "default", "Starts with:", placeholder="no answer", accessible="Default answer",
                  tip="The answer a new interview starts with (several choices: separated by ;)")
        self.choice_box, form = self.group("Choices")
        self.choices = ChoicesEditor(self)
        self.row(form, "choices", "", self.choices, "Choices")
        self.tick(form, "other", "Offer “Other, please specify”", tip="Adds the choice and a question for the words")
        self.line(form, "other_label", "Its label:", placeholder=OTHER_LABEL, accessible="Label of Other")
        self.line(form, "choice_filter", "Offer only choices where:", placeholder="e.g. region = ${area}",
                  accessible="Choice filter", tip="An expression over the choice's attributes and earlier answers")
        _, form = self.group("Logic")
        self.line(form, "relevant", "Asked only if:", placeholder="e.g. ${member} = 'yes'",
                  accessible="Asked only if", tip="An expression over earlier answers; empty: always asked")
        self.line(form, "constraint", "Answer must meet:", placeholder="e.g. . >= 0 and . <= 500",
                  accessible="Constraint", tip="'.' is this answer")
        self.line(form, "constraint_message", "Otherwise, say:", accessible="Constraint message")
        self.line(form, "calculation", "Calculation:", placeholder="e.g. ${staff} + ${volunteers}",
                  accessible="Calculation", tip="Worked out after every saved answer")
        self.tr_box, self.tr_form = self.group("Other languages")
        self.layout_.addStretch(1)
        self._stored: dict[str, Any] = {}

    def qtype(self) -> question_types.QuestionType:
        return question_types.get(self.combos["type"].currentData())

    def anonymous(self) -> bool:
        return self.ticks["anonymous"].isChecked() and not self.qtype().computed

    def update_visibility(self) -> None:
        qt = self.qtype()
        fixed = not qt.computed
        for key in ("required", "anonymous", "default", "constraint", "constraint_message"):
            self.show_row(key, fixed)
        self.show_row("required_message", fixed and self.ticks["required"].isChecked())
        self.show_row("flag", qt.can_flag and not self.anonymous())
        self.show_row("count_by", qt.countable and self.anonymous())
        self.show_row("min", qt.has_range)
        self.show_row("max", qt.has_range)
        self.show_row("calculation", qt.computed)
        self.choice_box.setVisible(qt.has_choices)
        self.show_row("other", qt.has_choices and not qt.ordered)
        self.show_row("other_label", qt.has_choices and not qt.ordered and self.ticks["other"].isChecked())

    def load(self, template: Template, question_id: str) -> None:
        self.loading = True
        self._live.stop()
        try:
            d = schedule.question_data(template, question_id)
            q = template.question(question_id)
            self._stored = d
            self.item_id = question_id
            for key in ("id", "label", "help", "required_message", "other_label", "relevant", "constraint",
                        "constraint_message", "calculation", "choice_filter"):
                self.set_text(key, d.get(key, ""))
            for key in ("min", "max"):
                self.set_text(key, "" if d.get(key) is None else f"{d[key]:g}")
            self.set_text("default", _default_text(q, d.get("default")))
            self.fill_combo(self.combos["type"], [(t.title, n) for n, t in question_types.REGISTRY.items()],
                            q.type)
            none = "(none)" if template.themes else "(none: the study's template has no themes)"
            self.fill_combo(self.combos["theme"], [(none, None)] + [(t.label, t.id) for t in template.themes],
                            q.theme)
            self.combos["theme"].setEnabled(bool(template.themes))
            self.fill_combo(self.combos["flag"], [("(none)", None)] + [(template.flag_label(f), f)
                                                                          for f in template.flag_ids()], q.flag)
            self.fill_combo(self.combos["count_by"], [("(nothing else)", None)] + [(c, c) for c in COUNT_BY],
                            q.count_by)
            for key in ("required", "anonymous", "other"):
                self.ticks[key].setChecked(bool(d.get(key)))
            use = dict(schedule.choice_use(self.editor.study, question_id)) if q.qtype.has_choices else {}
            self.choices.load(d.get("choices", []), use)
            self.choices.new.clear()
            self._load_translations(template)
            self.update_visibility()
            self.clear_problems()
            self.dirty = False
        finally:
            self.loading = False

    def _load_translations(self, template: Template) -> None:
        d = self._stored
        words = {"label": "Question", "help": "Help", "constraint_message": "Constraint message",
                 "required_message": "Required message", "other_label": "Label of Other",
                 "yes_label": "Answer Yes", "no_label": "Answer No"}
        defaults = {"other_label": OTHER_LABEL, **YES_NO_LABELS}
        yes_no = question_types.get(d["type"]).kind == "yes_no" if d.get("type") in question_types.REGISTRY else False
        texts = [(k, words[k], d.get(k, defaults.get(k, ""))) for k in QUESTION_TEXTS
                 if d.get(k) or (k == "other_label" and d.get("other")) or (k in YES_NO_LABELS and yes_no)
                 or any(t.startswith(f"{k}::") for t in d)]
        values = {tuple(k.split("::", 1)): v for k, v in d.items() if "::" in k}
        for item in d.get("choices", []):
            name, label = ChoicesEditor.name_of(item), ChoicesEditor.label_of(item)
            texts.append((f"choice:{name}", f"Choice “{label}”", label))
            if isinstance(item, dict):
                values.update({(f"choice:{name}", k.split("::", 1)[1]): v for k, v in item.items() if "::" in k})
        self.build_translations(self.tr_box, self.tr_form, template, texts, values)

    def mine(self, p: Problem) -> bool:
        return p.question is not None and (p.question in (self.item_id, self.text("id").strip())
                                           or p.question.startswith("#"))

    def data(self) -> dict[str, Any]:
        qt = self.qtype()
        d: dict[str, Any] = {"id": self.text("id").strip(), "type": qt.name, "label": self.text("label")}
        if self.text("help").strip():
            d["help"] = self.text("help")
        ticked = {k: self.ticks[k].isChecked() for k in ("required", "anonymous", "other")}
        if not qt.computed:
            if ticked["required"]:
                d["required"] = True
                if self.text("required_message").strip():
                    d["required_message"] = self.text("required_message")
            if ticked["anonymous"]:
                d["anonymous"] = True
            for key in ("constraint", "constraint_message"):
                if self.text(key).strip():
                    d[key] = self.text(key).strip() if key == "constraint" else self.text(key)
            default = self._default(qt)
            if default is not None:
                d["default"] = default
        for key, shown in (("theme", True), ("flag", qt.can_flag and not self.anonymous()),
                           ("count_by", qt.countable and self.anonymous())):
            value = self.combos[key].currentData()
            if shown and value:
                d[key] = value
        if qt.has_range:
            for key in ("min", "max"):
                text = self.text(key).strip()
                if text:
                    try:
                        d[key] = parse_number(text)
                    except ValueError:
                        raise _FieldProblem(key, f"“{text}” is not a number") from None
        if qt.has_choices:
            d["choices"] = list(self.choices.items)
            if not qt.ordered and ticked["other"]:
                d["other"] = True
                if self.text("other_label").strip():
                    d["other_label"] = self.text("other_label")
            if self.text("choice_filter").strip():
                d["choice_filter"] = self.text("choice_filter").strip()
        if qt.computed:
            d["calculation"] = self.text("calculation").strip()
        if self.text("relevant").strip():
            d["relevant"] = self.text("relevant").strip()
        choice_texts: dict[tuple[str, str], str] = {}
        for (key, language), edit in self.translations.items():
            if key.startswith("choice:"):
                choice_texts[key[len("choice:"):], language] = edit.text().strip()
            elif edit.text().strip():
                d[f"{key}::{language}"] = edit.text()
        if qt.has_choices:
            d["choices"] = self.choices.with_translations(choice_texts)
        return d

    def _default(self, qt: question_types.QuestionType) -> Any:
        text = self.text("default").strip()
        if not text:
            return None
        if qt.kind == "number":
            try:
                return parse_number(text)
            except ValueError:
                raise _FieldProblem("default", f"“{text}” is not a number") from None
        if qt.kind == "yes_no":
            words = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
            if text.lower() not in words:
                raise _FieldProblem("default", "type yes or no")
            return words[text.lower()]
        if qt.kind == "choices":
            return [part.strip() for part in text.split(";") if part.strip()]
        return text

    def candidate(self) -> Template:
        return schedule.replace_question(self.editor.template, self.item_id, self.data())

    def commit(self, key: str, *, select_choice: str | None = None) -> bool:
        if self.loading or not self.item_id:
            return False
        if key == "type":
            self._seed()
            self.update_visibility()
        if select_choice is not None:
            self.choices.fill(select_choice)
        return super().commit(key)

    def _seed(self) -> None:
        """A type that needs choices or a calculation starts with some, so it can be stored."""
        qt = self.qtype()
        if qt.has_choices and len(self.choices.items) < 2:
            for n in range(1, 3):
                if f"Choice {n}" not in [ChoicesEditor.name_of(i) for i in self.choices.items]:
                    self.choices.items.append(f"Choice {n}")
            self.choices.fill()
        if qt.computed and not self.text("calculation").strip():
            self.set_text("calculation", "0")

    def rename_choice(self, name: str, label: str) -> None:
        """A choice answers use (or one with a stored name of its own) gets a new label; the
        stored name stays, so its answers follow."""
        try:
            data = self.data()
            new = schedule.rename_choice(schedule.replace_question(self.editor.template, self.item_id, data),
                                         data["id"], name, label)
        except _FieldProblem as e:
            self.show_field_problem(e.key, str(e))
            return
        except (TemplateError, InvalidValueError) as e:
            self.show_problems(getattr(e, "problems", [str(e)]))
            return
        self.editor.store(new, f"rename of the choice {name} of {data['id']}", ("question", data["id"]), form=self)

    def remove_choice(self, name: str) -> None:
        self.choices.count_use()
        i = self.choices.index_of(name)
        item = self.choices.items.pop(i)
        n = self.choices.use.get(name, 0)
        if not n:
            if not self.commit("choices"):
                self.choices.items.insert(i, item)
                self.choices.fill(name)
            return
        label = ChoicesEditor.label_of(item)
        if not self.editor.ask("Remove a choice in use",
                               f"The choice '{label}' is in {n} answer{'s' if n != 1 else ''}. Remove it anyway? "
                               "Old interviews keep it; counts will no longer show it."):
            self.choices.items.insert(i, item)
            self.choices.fill(name)
            return
        try:
            new = self.candidate()
        except (TemplateError, InvalidValueError, _FieldProblem) as e:
            self.choices.items.insert(i, item)
            self.choices.fill(name)
            self.show_problems(getattr(e, "problems", [str(e)]))
            return
        if not self.editor.store(new, f"removal of the choice {name} of {self.data()['id']}",
                                 ("question", self.data()["id"]), form=self, remove_used_choices=True):
            self.choices.items.insert(i, item)
            self.choices.fill(name)


def _default_text(q, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

