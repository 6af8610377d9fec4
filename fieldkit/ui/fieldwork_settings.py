"""Study settings ▸ Fieldwork: when an interview is complete or partial, how many attempts an
organisation gets, the eligibility rate e, and what each attempt outcome and exclusion reason
means (its AAPOR disposition code, when to try again).

The rules are the core's (``fieldkit.fieldwork``, ``fieldkit.outcome_rules``): this tab shows
them and saves each change as it is made, through the session, so Edit ▸ Undo takes it back.
A value the core refuses is named in one line under its table and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from fieldkit import dispositions, fieldwork, outcome_rates
from fieldkit.errors import FieldkitError, InvalidValueError, TemplateError
from fieldkit.outcome_rules import check_rule
from fieldkit.ui import palette
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStyledItemDelegate,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.debounced import Debounced
from fieldkit.ui.session import ATTEMPTS, DETAILS, INTERVIEWS, ORGANISATIONS, TEMPLATE, StudySession
from fieldkit.ui.welcome import heading

#: Changes that redraw the tab: the template (outcomes, reasons) and the fieldwork settings.
RELEVANT = {TEMPLATE, DETAILS}
#: Changes that move the estimate of e.
ESTIMATE_RELEVANT = {ORGANISATIONS, ATTEMPTS, INTERVIEWS, TEMPLATE, DETAILS}
#: A template edit of outcome codes changes every organisation's disposition.
TEMPLATE_CHANGES = {TEMPLATE, ORGANISATIONS, ATTEMPTS}
#: The fieldwork settings are the study's; the queue, dispositions and rates follow them.
SETTINGS_CHANGES = {DETAILS, ORGANISATIONS}
OUTCOME_COLUMNS = ("Outcome", "Disposition code", "Retry after", "Retry limit", "Final")
EXCLUSION_COLUMNS = ("Exclusion reason", "“Not eligible” code")
NO_LIMIT = "No limit"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "dispositions.md"


def _valid_codes(*, not_eligible: bool = False) -> list[str]:
    """The catalogue's codes a case can carry (the group headings 1.0, 2.0, 3.0 cannot)."""
    out = []
    for code in outcome_rates.CODES:
        try:
            if outcome_rates.rate_class(code) == "NE" or not not_eligible:
                out.append(code)
        except InvalidValueError:
            continue
    return out


def code_text(code: str) -> str:
    """A code as the tables show it: "3.13 No answer"."""
    try:
        return f"{code} {outcome_rates.label(code)}"
    except InvalidValueError:
        return code


def code_of(text: str, codes: list[str]) -> str:
    """The code in a cell's text: "3.13 No answer", "3.13", or just a label ("No answer")."""
    text = " ".join(text.split())
    for code in codes:
        if text.casefold() in (code_text(code).casefold(), outcome_rates.CODES[code].casefold()):
            return code
    return text.split(" ", 1)[0] if text else ""


def one_line(error: FieldkitError) -> str:
    """The core's reason in one line, without the template's file-and-section prefix."""
    if isinstance(error, TemplateError) and error.problems:
        return error.problems[0].split("]: ", 1)[-1]
    return str(error).splitlines()[0] if str(error) else "the value was refused"


class CodeDelegate(QStyledItemDelegate):
    """Edits a disposition code with an editable list ("3.13 No answer"); a typed code is
    taken as it is (the core checks it)."""

    def __init__(self, codes: list[str], parent: QWidget):
        super().__init__(parent)
        self.codes = codes

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        box = ComboBox(parent)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setMaxVisibleItems(18)
        box.addItems([code_text(c) for c in self.codes])
        box.setAccessibleName("Disposition code")
        box.activated.connect(lambda _=0, b=box: (self.commitData.emit(b), self.closeEditor.emit(b)))
        return box

    def setEditorData(self, editor, index):  # noqa: N802 - Qt's name
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        found = editor.findText(text)
        if found >= 0:
            editor.setCurrentIndex(found)
        editor.setEditText(text)
        editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt's name
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class LimitDelegate(QStyledItemDelegate):
    """Edits a retry limit: a whole number, or "No limit"."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        spin = QSpinBox(parent)
        spin.setRange(-1, 99)
        spin.setSpecialValueText(NO_LIMIT)
        spin.setAccessibleName("Retry limit")
        return spin

    def setEditorData(self, editor, index):  # noqa: N802 - Qt's name
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        editor.setValue(int(text) if text.isdigit() else -1)

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt's name
        editor.interpretText()
        value = editor.value()
        model.setData(index, NO_LIMIT if value < 0 else str(value), Qt.ItemDataRole.EditRole)


def _table(name: str, heads: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(heads))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(heads))
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().lineSpacing() + 10)  # room for an editor
    return table


def _fit_height(table: QTableWidget) -> None:
    """Tall enough for every row: the tab scrolls, not the table."""
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth() + 2)


def _box(title: str) -> tuple[QFrame, QVBoxLayout]:
    box = QFrame()
    box.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(box)
    layout.addWidget(heading(title, 1.1))
    return box, layout


def _problem_label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    palette.set_style_sheet(label, "color: $problem;")
    label.hide()
    return label


class FieldworkSettingsTab(QScrollArea):
    """The Fieldwork tab of Study settings."""

    def __init__(self, session: StudySession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study = session.study
        self._filling = False
        self._estimate_stale = True
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.addWidget(heading("Fieldwork"))
        note = QLabel("The rules of the calling and of the outcome rates. Changes are saved as you make them; "
                      "Edit ▸ Undo takes them back.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.docs = QLabel()
        self.docs.setAccessibleName("Where the codes are explained")
        self.docs.setWordWrap(True)
        if DOCS.exists():
            self.docs.setText(f"How these codes work: the user guide's <a href=\"{DOCS.as_uri()}\">Dispositions "
                              "page</a> (docs/dispositions.md).")
            self.docs.setOpenExternalLinks(True)
        else:
            self.docs.setText("How these codes work: the user guide's Dispositions page (docs/dispositions.md).")
        layout.addWidget(self.docs)

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._build_results())
        left.addWidget(self._build_attempts())
        top.addLayout(left, 3)
        top.addWidget(self._build_eligibility(), 2)
        layout.addLayout(top)
        layout.addWidget(self._build_outcomes())
        layout.addWidget(self._build_exclusions())
        layout.addStretch(1)
        session.changed.connect(self._changed)
        self.refresh()

    # --- building --------------------------------------------------------------------------

    def _share_spin(self, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 100)
        spin.setSuffix("%")
        spin.setKeyboardTracking(False)
        spin.setAccessibleName(name)
        spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("100%") + 48)
        return spin

    def _build_results(self) -> QFrame:
        box, layout = _box("Interview results")
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.complete_share = self._share_spin("Share of answers for a complete interview")
        self.partial_share = self._share_spin("Share of answers for a partial interview")
        for row, (spin, before, after) in enumerate((
                (self.complete_share, "&Complete when at least", "of the relevant required questions are answered"),
                (self.partial_share, "&Partial when at least",
                 "are answered; below, a finished interview is a break-off"))):
            label = QLabel(before)
            label.setBuddy(spin)
            rest = QLabel(after)
            rest.setWordWrap(True)
            grid.addWidget(label, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(rest, row, 2)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)
        self.rule_words = QLabel()
        self.rule_words.setAccessibleName("The rule in words")
        self.rule_words.setWordWrap(True)
        layout.addWidget(self.rule_words)
        self._share_save = {
            "complete_share": Debounced(self, lambda: self._save_share("complete_share", self.complete_share)),
            "partial_share": Debounced(self, lambda: self._save_share("partial_share", self.partial_share)),
        }
        for name, spin in (("complete_share", self.complete_share), ("partial_share", self.partial_share)):
            spin.valueChanged.connect(lambda _, n=name: self._share_save[n].start())
            spin.editingFinished.connect(lambda n=name: self._share_save[n].flush())
        return box

    def _build_attempts(self) -> QFrame:
        box, layout = _box("Attempts")
        row = QHBoxLayout()
        self.max_attempts = QSpinBox()
        self.max_attempts.setRange(1, 99)
        self.max_attempts.setKeyboardTracking(False)
        self.max_attempts.setAccessibleName("Maximum attempts per organisation")
        self.max_attempts.setMinimumWidth(self.max_attempts.fontMetrics().horizontalAdvance("99") + 48)
        label = QLabel("&Maximum attempts per organisation")
        label.setBuddy(self.max_attempts)
        row.addWidget(label)
        row.addWidget(self.max_attempts)
        row.addStretch(1)
        layout.addLayout(row)
        hint = QLabel("After that many, Next call passes the organisation by.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._attempts_save = Debounced(self, self._save_max_attempts)
        self.max_attempts.valueChanged.connect(lambda _: self._attempts_save.start())
        self.max_attempts.editingFinished.connect(self._attempts_save.flush)
        return box

    def _build_eligibility(self) -> QFrame:
        box, layout = _box("Eligibility rate e")
        explain = QLabel("The share of organisations of unknown eligibility taken to be eligible "
                         "(response rates RR3 and RR4, and others).")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.estimate = QRadioButton()
        self.estimate.setAccessibleName("Estimate e")
        self.estimate.setToolTip("Eligible among the organisations whose eligibility is known (interviewed, refused, "
                                 "never reached, or excluded as not eligible). Until any is known, e is 1: every "
                                 "organisation of unknown eligibility counts as eligible.")
        self.fixed = QRadioButton("&Use")
        self.fixed.setAccessibleName("Use a fixed e")
        self.e_value = QDoubleSpinBox()
        self.e_value.setRange(0.0, 1.0)
        self.e_value.setDecimals(2)
        self.e_value.setSingleStep(0.05)
        self.e_value.setKeyboardTracking(False)
        self.e_value.setAccessibleName("e")
        self.e_value.setMinimumWidth(self.e_value.fontMetrics().horizontalAdvance("0.00") + 48)
        group = QButtonGroup(self)
        group.addButton(self.estimate)
        group.addButton(self.fixed)
        layout.addWidget(self.estimate)
        row = QHBoxLayout()
        row.addWidget(self.fixed)
        row.addWidget(self.e_value)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self._e_save = Debounced(self, self._save_e)
        self.estimate.toggled.connect(lambda on: self._e_chosen() if on else None)
        self.fixed.toggled.connect(lambda on: self._e_chosen() if on else None)
        self.e_value.valueChanged.connect(lambda _: self._e_save.start() if self.fixed.isChecked() else None)
        self.e_value.editingFinished.connect(self._e_save.flush)
        return box

    def _build_outcomes(self) -> QFrame:
        box, layout = _box("Attempt outcomes")
        explain = QLabel("What each outcome means: the disposition code it gives the organisation while it is "
                         "the latest word, when to try again (for example “3 hours”, “next working day”, "
                         "“1 week”; empty: no call-back proposed), how many times it is retried, and whether "
                         "it ends the calling. Double-click or press F2 to change a cell.")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.outcomes = _table("Attempt outcomes", OUTCOME_COLUMNS)
        self._outcome_codes = _valid_codes()
        self.outcomes.setItemDelegateForColumn(1, CodeDelegate(self._outcome_codes, self.outcomes))
        self.outcomes.setItemDelegateForColumn(3, LimitDelegate(self.outcomes))
        header = self.outcomes.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)  # wide enough for the spin box that edits it
        header.resizeSection(3, max(header.fontMetrics().horizontalAdvance(OUTCOME_COLUMNS[3]),
                                    self.outcomes.fontMetrics().horizontalAdvance(NO_LIMIT)) + 52)
        self.outcomes.itemChanged.connect(lambda item: self._edited(self._save_outcome, item.row()))
        layout.addWidget(self.outcomes)
        self.outcome_problem = _problem_label("Outcome not changed")
        layout.addWidget(self.outcome_problem)
        return box

    def _build_exclusions(self) -> QFrame:
        box, layout = _box("Exclusion reasons")
        explain = QLabel("The “not eligible” code (4.x) each reason gives an organisation excluded for it.")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.exclusions = _table("Exclusion reasons", EXCLUSION_COLUMNS)
        self._exclusion_codes = _valid_codes(not_eligible=True)
        self.exclusions.setItemDelegateForColumn(1, CodeDelegate(self._exclusion_codes, self.exclusions))
        header = self.exclusions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.exclusions.itemChanged.connect(lambda item: self._edited(self._save_exclusion, item.row()))
        layout.addWidget(self.exclusions)
        self.exclusion_problem = _problem_label("Exclusion reason not changed")
        layout.addWidget(self.exclusion_problem)
        return box

    # --- drawing ---------------------------------------------------------------------------

    def _changed(self, kinds: set[str]) -> None:
        if kinds & ESTIMATE_RELEVANT:
            self._estimate_stale = True
        if kinds & RELEVANT:
            self.refresh()
        elif self._estimate_stale and self.isVisible():
            self._show_estimate()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._estimate_stale:
            self._show_estimate()

    def refresh(self) -> None:
        s = fieldwork.settings(self.study)
        for name, spin in (("complete_share", self.complete_share), ("partial_share", self.partial_share)):
            if not self._share_save[name].pending:
                self._quietly(spin, round(getattr(s, name) * 100))
        self.rule_words.setText(s.describe_partial())
        if not self._attempts_save.pending:
            self._quietly(self.max_attempts, s.max_attempts)
        for button in (self.estimate, self.fixed):
            button.blockSignals(True)
        self.fixed.setChecked(s.eligibility_rate is not None)
        self.estimate.setChecked(s.eligibility_rate is None)
        for button in (self.estimate, self.fixed):
            button.blockSignals(False)
        self.e_value.setEnabled(s.eligibility_rate is not None)
        if s.eligibility_rate is not None and not self._e_save.pending:
            self._quietly(self.e_value, s.eligibility_rate)
        if self.isVisible():
            self._show_estimate()
        else:
            self._estimate_stale = True  # counted when the tab is shown: it reads every organisation
        self._fill_outcomes()
        self._fill_exclusions()

    def _quietly(self, spin, value) -> None:
        spin.blockSignals(True)
        spin.setValue(value)
        spin.blockSignals(False)

    def estimated_e(self) -> float:
        """e as the study's dispositions estimate it (whatever the setting)."""
        by_class = outcome_rates.class_counts(dispositions.counts(self.study))
        return outcome_rates.estimate_e(by_class)

    def _show_estimate(self) -> None:
        e = self.estimated_e()
        self._estimate_stale = False
        self.estimate.setText(f"E&stimate from the cases whose eligibility is known (currently {e:.2f})")
        if self.estimate.isChecked():
            self._quietly(self.e_value, round(e, 2))

    def _fill_outcomes(self) -> None:
        template = self.study.template
        self._filling = True
        self.outcomes.setRowCount(len(template.outcomes))
        for row, name in enumerate(template.outcomes):
            rule = template.outcome_rule(name)
            cells = [name, code_text(rule.disposition), rule.retry or "",
                     NO_LIMIT if rule.retry_limit is None else str(rule.retry_limit), ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setData(Qt.ItemDataRole.UserRole, name)
                elif column == 4:
                    item.setFlags((item.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
                    item.setCheckState(Qt.CheckState.Checked if rule.final else Qt.CheckState.Unchecked)
                    item.setToolTip("The outcome ends the calling: nothing more is proposed after it")
                if column == 1:
                    item.setToolTip(code_text(rule.disposition))
                if column == 2:
                    item.setToolTip("Empty: no call-back proposed")
                self.outcomes.setItem(row, column, item)
        _fit_height(self.outcomes)
        self._filling = False

    def _fill_exclusions(self) -> None:
        template = self.study.template
        self._filling = True
        self.exclusions.setRowCount(len(template.exclusion_reasons))
        for row, reason in enumerate(template.exclusion_reasons):
            name = QTableWidgetItem(reason)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setData(Qt.ItemDataRole.UserRole, reason)
            self.exclusions.setItem(row, 0, name)
            self.exclusions.setItem(row, 1, QTableWidgetItem(code_text(template.exclusion_code(reason))))
        _fit_height(self.exclusions)
        self._filling = False

    # --- changes ---------------------------------------------------------------------------

    def _edit(self, text: str, do: Callable[[], Any], undo: Callable[[], Any], changes: AbstractSet[str]) -> bool:
        return self.session.edit(text, do, undo, changes)

    def _set(self, **changes: Any) -> Callable[[], Any]:
        return lambda: fieldwork.set_settings(self.study, **changes)

    def _save_share(self, name: str, spin: QSpinBox) -> None:
        new = spin.value() / 100
        old = getattr(fieldwork.settings(self.study), name)
        if round(old * 100) == spin.value():
            return
        words = "a complete" if name == "complete_share" else "a partial"
        if not self._edit(f"change to the share of answers for {words} interview ({spin.value()}%)",
                          self._set(**{name: new}), self._set(**{name: old}), SETTINGS_CHANGES):
            self.refresh()

    def _save_max_attempts(self) -> None:
        new, old = self.max_attempts.value(), fieldwork.settings(self.study).max_attempts
        if new == old:
            return
        if not self._edit(f"change of the maximum attempts to {new}", self._set(max_attempts=new),
                          self._set(max_attempts=old), SETTINGS_CHANGES):
            self.refresh()

    def _e_chosen(self) -> None:
        self.e_value.setEnabled(self.fixed.isChecked())
        self._e_save.timer.stop()
        self._save_e()

    def _save_e(self) -> None:
        new = round(self.e_value.value(), 2) if self.fixed.isChecked() else None
        old = fieldwork.settings(self.study).eligibility_rate
        if new == old:
            return
        text = "estimating of e" if new is None else f"change of e to {new:.2f}"
        if not self._edit(text, self._set(eligibility_rate=new), self._set(eligibility_rate=old), SETTINGS_CHANGES):
            self.refresh()

    def _edited(self, save: Callable[[int], None], row: int) -> None:
        if not self._filling:
            QTimer.singleShot(0, self, lambda: save(row))  # after the cell's editor has closed

    def _store(self, change: Callable[[Any], Any]) -> Callable[[], Any]:
        return lambda: self.study.update_template(change(self.study.template))

    def _save_outcome(self, row: int) -> None:
        """Store the row's rule (``with_outcome_rule``), or say in one line why not."""
        found = [self.outcomes.item(row, c) for c in range(len(OUTCOME_COLUMNS))]
        cells = [c for c in found if c is not None]
        if len(cells) < len(found):
            return
        name = cells[0].data(Qt.ItemDataRole.UserRole)
        limit_text = cells[3].text().strip()
        limit: Any = None if limit_text in ("", NO_LIMIT) else (int(limit_text) if limit_text.isdigit() else limit_text)
        data = {"disposition": code_of(cells[1].text(), self._outcome_codes), "retry": cells[2].text().strip() or None,
                "retry_limit": limit, "final": cells[4].checkState() == Qt.CheckState.Checked}
        template = self.study.template
        try:
            rule = check_rule(data, place=name)
            template.with_outcome_rule(name, rule)
        except FieldkitError as e:
            self._problem(self.outcome_problem, f"Not changed: {one_line(e)}")
            self._fill_outcomes()
            return
        old = template.outcome_rule(name)
        self._problem(self.outcome_problem, "")
        if rule == old:
            self._fill_outcomes()
            return
        if not self._edit(f"change to what the outcome {name} means",
                          self._store(lambda t: t.with_outcome_rule(name, rule)),
                          self._store(lambda t: t.with_outcome_rule(name, old)), TEMPLATE_CHANGES):
            self._fill_outcomes()

    def _save_exclusion(self, row: int) -> None:
        """Store the row's 4.x code (``with_exclusion_code``), or say in one line why not."""
        name_item, code_item = self.exclusions.item(row, 0), self.exclusions.item(row, 1)
        if name_item is None or code_item is None:
            return
        reason = name_item.data(Qt.ItemDataRole.UserRole)
        code = code_of(code_item.text(), self._exclusion_codes)
        template = self.study.template
        old = template.exclusion_code(reason)
        try:
            new = template.with_exclusion_code(reason, code)
        except FieldkitError as e:
            self._problem(self.exclusion_problem, f"Not changed: {one_line(e)}")
            self._fill_exclusions()
            return
        self._problem(self.exclusion_problem, "")
        code = new.exclusion_code(reason)
        if code == old:
            self._fill_exclusions()
            return
        if not self._edit(f"change of the code of the exclusion reason {reason} to {code}",
                          self._store(lambda t: t.with_exclusion_code(reason, code)),
                          self._store(lambda t: t.with_exclusion_code(reason, old)), TEMPLATE_CHANGES):
            self._fill_exclusions()

    def _problem(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def flush(self) -> None:
        """Save what is being typed (the study is closing)."""
        for saver in (*self._share_save.values(), self._attempts_save, self._e_save):
            saver.flush()
