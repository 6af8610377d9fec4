"""File ▸ Import…: organisations, contact attempts or interviews from a CSV file, an Excel
workbook or an Access table, step by step, for a researcher who has never seen the command
line. It runs the same importers as ``fieldkit import`` (``fieldkit.importers.IMPORTERS``):

1. the file, what each row is, and the sheet or table;
2. which column goes to which field: remembered from the last file with the same headings
   (``import_mapping.remembered``), else guessed; a mapping file can be loaded or saved;
3. what each value the study does not have stands for (skipped when there is none): one of
   the study's values, or, for the study's own lists (categories, areas, exclusion reasons),
   a new value added to the list;
4. the check: the rows with every problem marked at its cell, the possible duplicates with a
   choice for each; Import waits until there is no problem;
5. the import, by the core (a backup, then one transaction), and what it did.

Reading a file and checking it run off the UI thread (``data_files.wait_for``: the window
goes on drawing), the checks on a read-only connection of their own (``study.open_reader``):
the study's own connection is only used on the UI thread, which also writes the import.

Adding values one by one: the core adds every value it does not know when asked to add
(``add_values``), so the wizard maps each value the user did not choose to add onto the
study's value chosen for it, asks to add only when a value is to be added, and never goes on
while a value is undecided. A choice can bring out values not asked about before (a status
mapped to "excluded" makes its exclusion reason count); the wizard then asks about those too
rather than letting them be added unasked.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit import import_mapping, sources
from fieldkit.errors import FieldkitError, ImportFileError
from fieldkit.import_mapping import Field, Mapping, MappingError
from fieldkit.importers import IMPORTERS, Importer
from fieldkit.study import Study
from fieldkit.ui import palette
from fieldkit.ui import session as kinds
from fieldkit.ui.data_files import wait_for
from fieldkit.ui.import_pages import (
    ADD,
    SAMPLES,
    ColumnsPage,
    PreviewPage,
    Say,
    ValuesPage,
    file_filter,
    wrapped,
)
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QApplication,
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPalette,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSettings,
    Qt,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
    Signal,
)

FILE, COLUMNS, VALUES, PREVIEW, DONE = range(5)
#: The folder the last file to import came from (QSettings key).
FOLDER_KEY = "import/folder"
#: What each import changes, for the screens to redraw.
CHANGES = {
    "organisations": {kinds.ORGANISATIONS, kinds.CONTACTS},
    "attempts": {kinds.ATTEMPTS, kinds.ORGANISATIONS},
    "interviews": {kinds.INTERVIEWS, kinds.ORGANISATIONS, kinds.CONTACTS, kinds.POOL},
}


# --- what a file's value can be mapped onto ---------------------------------------------------------


def vocabulary_of(kind: str, field: str) -> str | None:
    """The study's list (vocabulary) a new value of ``field`` may be added to, or None."""
    if kind != "organisations":
        return None
    from fieldkit.organisation_import import VOCABULARY_COLUMNS

    return VOCABULARY_COLUMNS.get(field)


@dataclass
class Checked:
    """A plan made off the UI thread, with the choices for the values it does not know."""

    plan: Any
    targets: dict[str, list[tuple[str, str]]]
    #: The fields whose values the wizard asks about (their mapping's values are its own).
    asked_fields: set[str]


def check_file(open_reader: Callable[[], Study], importer: Importer, sheet: sources.Sheet, mapping: Mapping,
               *, add_values: bool = False, offered: set[str] | None = None) -> Checked:
    """Plan the import on a read-only connection of its own (runs on a worker thread).

    ``offered``: the fields whose values the wizard decides; None on the first check, which
    plans without the mapping's values for every field the wizard can offer choices for, so
    that every value the study does not have is asked about (the mapping's own choices become
    the answers filled in)."""
    with open_reader() as reader:
        if offered is None:
            offered = {f for f in mapping.values if importer.value_choices(reader, f) is not None}
            mapping = Mapping(mapping.kind, dict(mapping.columns),
                              {f: dict(v) for f, v in mapping.values.items() if f not in offered})
        options = {"add_values": True} if add_values else {}
        plan = importer.plan(reader, sheet, mapping, **options)
        targets = {}
        for field in plan.unknown_values:
            found = importer.value_choices(reader, field)
            if found is not None:
                targets[field] = found
    return Checked(plan, targets, set(offered) | set(targets))


# --- 1. the file ----------------------------------------------------------------------------------


class FilePage(QWizardPage):
    """Which file, what each of its rows is, and which sheet or table."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.setTitle("The file to import")
        self.setSubTitle("A CSV file, an Excel workbook (.xlsx) or an Access database (.mdb, .accdb). "
                         "Nothing is written to the study until the last step.")
        self.w = wizard
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("No file chosen yet")
        self.path.setAccessibleName("File")
        choose = QPushButton("&Choose…")
        choose.clicked.connect(self.choose)
        file_label = QLabel("&File:")
        file_label.setBuddy(choose)
        row.addWidget(file_label)
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        layout.addLayout(row)
        self.problem = Say("file_problem")
        layout.addWidget(self.problem)

        self.part_label = QLabel("&Sheet:")
        self.part = ComboBox()
        self.part.setAccessibleName("Sheet or table")
        self.part_label.setBuddy(self.part)
        self.part.currentIndexChanged.connect(self._part_chosen)
        parts = QHBoxLayout()
        parts.addWidget(self.part_label)
        parts.addWidget(self.part, 1)
        layout.addLayout(parts)

        layout.addSpacing(8)
        layout.addWidget(QLabel("<b>Each row of the file is</b>"))
        self.kinds = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for importer in IMPORTERS.values():
            button = QRadioButton(importer.label)
            button.setObjectName(f"kind_{importer.kind}")
            usable = wizard.available(importer.kind)
            button.setEnabled(usable)
            self.kinds.addButton(button)
            self.kind_buttons[importer.kind] = button
            layout.addWidget(button)
            what = wrapped(f"One row is {importer.row_is}." if usable else "Not available in this version.")
            what.setContentsMargins(24, 0, 0, 4)
            what.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            layout.addWidget(what)
            button.toggled.connect(lambda on, k=importer.kind: self._kind_chosen(k) if on else None)
        self.kind_buttons[wizard.kind].setChecked(True)
        layout.addStretch(1)
        self._show_parts()

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import from a file", str(self.w.folder()), file_filter())
        if name:
            self.w.set_path(Path(name))

    def _kind_chosen(self, kind: str) -> None:
        self.w.kind = kind

    def _part_chosen(self, index: int) -> None:
        if index >= 0:
            self.w.part = self.part.itemData(index)
        self.problem.say(self.w.file_problem or "")  # a sheet that could not be read is no longer chosen
        self.completeChanged.emit()

    def show_file(self) -> None:
        """After the wizard was given a file: its name, its sheets or tables, or why it cannot be read."""
        self.path.setText(str(self.w.path or ""))
        self.problem.say(self.w.file_problem or "")
        self._show_parts()
        self.completeChanged.emit()

    def _show_parts(self) -> None:
        parts = self.w.parts or []
        self.part.blockSignals(True)
        self.part.clear()
        for p in parts:
            self.part.addItem(f"{p.name}  ({p.rows:,} row{'s' if p.rows != 1 else ''})", p.name)
        if parts:
            names = [p.name for p in parts]
            self.part.setCurrentIndex(names.index(self.w.part) if self.w.part in names else 0)
            self.w.part = self.part.currentData()
        self.part.blockSignals(False)
        table = self.w.path is not None and sources.suffix_kind(self.w.path) == sources.ACCESS
        self.part_label.setText("&Table:" if table else "&Sheet:")
        self.part_label.setVisible(bool(parts))
        self.part.setVisible(bool(parts))

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.w.path is not None and not self.w.file_problem

    def validatePage(self) -> bool:  # noqa: N802
        problem = self.w.read_sheet()
        self.problem.say(problem or "")
        return problem is None



# --- 5. imported -------------------------------------------------------------------------------------


class DonePage(QWizardPage):
    """What the import did, or that nothing was imported and why."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setFinalPage(True)
        layout = QVBoxLayout(self)
        self.lines = QLabel()
        self.lines.setObjectName("result")
        self.lines.setWordWrap(True)
        self.lines.setTextFormat(Qt.TextFormat.PlainText)
        self.lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.after = wrapped(name="after")
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.lines)
        column.addSpacing(10)
        column.addWidget(self.after)
        column.addStretch(1)
        scroll = QScrollArea()  # a failure may list a problem for every row
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(host)
        layout.addWidget(scroll, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        w = self.w
        if w.failure is not None:
            self.setTitle("Nothing was imported")
            self.setSubTitle("The study is as it was before. These are the reasons:")
            self.lines.setText("\n".join(w.failure.problems))
            palette.set_style_sheet(self.lines, "QLabel#result { color: $problem; }")
            self.after.setText("")
            return
        self.setTitle("Imported")
        self.setSubTitle("The study was backed up just before the import (File ▸ Backups and restore…).")
        palette.set_style_sheet(self.lines, "")
        source = w.plan.sheet.source
        self.lines.setText("\n".join(line.replace(source, Path(source).name) for line in w.result.lines()))
        notes = ["fieldkit will fill in the same choices for the next file with these headings."]
        notes += w.warnings
        self.after.setText("\n".join(notes))


# --- the wizard ---------------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """File ▸ Import…: ``set_path`` gives it a file (the Choose… button does, after the file
    dialog); ``imported`` is emitted with the kinds of records changed once an import is in."""

    imported = Signal(object)

    def __init__(self, study: Study, parent: QWidget | None = None, *, kind: str = "organisations"):
        super().__init__(parent)
        self.study = study
        self.settings = QSettings("fieldkit", "fieldkit")
        self.kind = kind
        self.path: Path | None = None
        self.file_problem: str | None = None
        self.parts: list[sources.Part] = []
        self.part: str | None = None
        self.sheet: sources.Sheet | None = None
        self.fields: tuple[Field, ...] = ()
        self.mapping: Mapping | None = None
        self.mapping_origin = "guessed"
        self._mapped_for: tuple[str, tuple[str, ...]] | None = None
        self.anonymous: set[str] = set()
        #: (field, file value) -> the study's value, ADD, or None (undecided)
        self.decisions: dict[tuple[str, str], str | None] = {}
        self.suggested: dict[tuple[str, str], str] = {}
        #: (field, file value) -> rows, for the values asked about
        self.asked: dict[tuple[str, str], int] = {}
        self.asked_fields: set[str] = set()
        self.targets: dict[str, list[tuple[str, str]]] = {}
        self.plan: Any = None
        self.note = ""
        self.duplicates: dict[int, str] = {}
        self.result: Any = None
        self.failure: ImportFileError | None = None
        self.warnings: list[str] = []
        self.setWindowTitle("Import from a file")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.values_page = ValuesPage(self)
        self.preview_page = PreviewPage(self)
        self.done_page = DonePage(self)
        for page_id, page in ((FILE, self.file_page), (COLUMNS, self.columns_page), (VALUES, self.values_page),
                              (PREVIEW, self.preview_page), (DONE, self.done_page)):
            self.setPage(page_id, page)
        self.setStartId(FILE)
        self.currentIdChanged.connect(self._page_shown)
        self.resize(900, 650)

    # --- the file -------------------------------------------------------------------------------

    def available(self, kind: str) -> bool:
        """Whether this version has the importer for ``kind``."""
        return importlib.util.find_spec(IMPORTERS[kind].module) is not None

    def folder(self) -> Path:
        folder = Path(str(self.settings.value(FOLDER_KEY) or Path.home()))
        return folder if folder.is_dir() else Path.home()

    def set_path(self, path: Path | str) -> bool:
        """Use the file at ``path``: its sheets or tables are read (a CSV file has none). False,
        with ``file_problem`` saying why in one line, when it cannot be read."""
        self.path = chosen = Path(path)
        self.settings.setValue(FOLDER_KEY, str(self.path.parent))
        self.sheet, self.parts, self.file_problem = None, [], None
        try:
            self.parts = wait_for(lambda: sources.parts(chosen))
        except ImportFileError as e:
            self.file_problem = _file_line(e)
        self.part = self.parts[0].name if self.parts else None
        self.file_page.show_file()
        return self.file_problem is None

    def read_sheet(self) -> str | None:
        """Read the chosen sheet or table; the one line saying why it cannot be, or None."""
        path = self.path
        if path is None:
            return "Choose the file to import."
        part = self.part if self.parts else None
        try:
            sheet = wait_for(lambda: sources.read_sheet(path, part))
        except ImportFileError as e:
            return _file_line(e)
        if not sheet.rows:
            return f"{sheet.where()}: there are headings but no rows to import."
        self.sheet = sheet
        return None

    # --- the columns ----------------------------------------------------------------------------

    def file_name(self) -> str:
        """The file's name, and its sheet or table, for the pages' words."""
        assert self.sheet is not None
        where = self.sheet.where()
        return Path(self.sheet.source).name + where[len(self.sheet.source):]

    def headings(self) -> list[str]:
        assert self.sheet is not None
        return list(dict.fromkeys(h for h in self.sheet.header if h.strip()))

    def prepare_mapping(self) -> None:
        """The mapping to start from: kept when the same file and kind come back; else the one
        remembered for files with these headings; else the importer's guess."""
        assert self.sheet is not None
        importer = IMPORTERS[self.kind]
        self.fields = importer.fields(self.study)
        self.anonymous = anonymous_fields(self.study, self.kind)
        shape = (self.kind, tuple(self.sheet.header))
        if self.mapping is not None and self._mapped_for == shape:
            return
        self._mapped_for = shape
        self.decisions, self.suggested, self.duplicates = {}, {}, {}
        found = import_mapping.remembered(self.kind, self.sheet.header)
        self.mapping_origin = "remembered" if found is not None else "guessed"
        self.mapping = found if found is not None else importer.guess(self.study, self.sheet.header)
        names = {f.name for f in self.fields}
        for heading in self.headings():  # every heading shown, none going to a field no longer there
            if self.mapping.columns.get(heading) not in names:
                self.mapping.columns[heading] = None

    def samples(self, heading: str) -> list[str]:
        """A few of the column's values, as the file has them."""
        assert self.sheet is not None
        i = self.sheet.header.index(heading)
        found: list[str] = []
        for record in self.sheet.rows:
            value = record[i].strip() if i < len(record) else ""
            if value and value not in found:
                found.append(value)
                if len(found) == SAMPLES:
                    break
        return found

    def field_label(self, name: str | None) -> str:
        return next((f.label for f in self.fields if f.name == name), name or "")

    def mapping_problems(self) -> list[str]:
        """What stops the columns as mapped: a needed field with no column, or a field given
        more columns than it takes (the core's check of a mapping)."""
        if self.mapping is None or self.sheet is None:
            return []
        mapped = set(self.mapping.columns.values())
        lines = [f"Choose the column with the {f.label.lower()}: every row needs one." for f in self.fields
                 if f.required and f.name not in mapped]
        lines += [_sentence(line.removeprefix("the mapping: ")) for line in
                  self.mapping.check(self.fields, self.sheet.header, where="the mapping")]
        return lines

    def load_mapping(self, path: Path) -> str | None:
        try:
            loaded = Mapping.load(path)
        except MappingError as e:
            return str(e)
        if loaded.kind != self.kind:
            return (f"{path.name} is a mapping for {IMPORTERS[loaded.kind].label.lower()}; choose that on the "
                    "first page to use it.")
        by_key = {import_mapping.heading_key(h): f for h, f in loaded.columns.items()}
        assert self.mapping is not None
        for heading in self.headings():
            key = import_mapping.heading_key(heading)
            if key in by_key:
                self.mapping.columns[heading] = by_key[key]
        self.mapping.values = loaded.values
        self.decisions = {}
        self.mapping_origin = "loaded"
        return None

    def save_mapping(self, path: Path) -> str | None:
        try:
            self.final_mapping().save(path)
        except FieldkitError as e:
            return str(e)
        return None

    # --- the values -----------------------------------------------------------------------------

    def survey(self) -> list[str]:
        """Check the file as mapped; the lines that stop it going on (the header's problems)."""
        try:
            checked = self._checked(offered=None)
        except FieldkitError as e:
            return [str(e)]
        self.asked, self.asked_fields = {}, checked.asked_fields
        self._take(checked)
        header = [p for p in checked.plan.problems if p.row <= 1]
        return [_header_line(p) for p in header]

    def _take(self, checked: Checked) -> None:
        """Keep a check's plan and ask about the values it does not know (answers filled in from
        the decisions so far, the mapping's own values, or the importer's suggestions)."""
        self.plan = checked.plan
        self.targets.update(checked.targets)
        self.asked_fields |= checked.asked_fields
        base = self.mapping
        suggested = getattr(checked.plan, "suggested_values", {}) or {}
        for field, values in checked.plan.unknown_values.items():
            if field not in checked.targets:
                continue
            allowed = {t for _, t in checked.targets[field]} | ({ADD} if vocabulary_of(self.kind, field) else set())
            for raw, count in values.items():
                key = (field, raw)
                self.asked[key] = max(count, self.asked.get(key, 0))
                if key in self.decisions and self.decisions[key] in allowed:
                    continue
                given = base.value(field, raw) if base is not None and field in base.values else None
                if given is not None and given != raw and given in allowed:
                    self.decisions[key] = given
                elif suggested.get(field, {}).get(raw) in allowed:
                    self.decisions[key] = self.suggested[key] = suggested[field][raw]
                else:
                    self.decisions[key] = None

    def asked_by_field(self) -> dict[str, list[tuple[str, int]]]:
        """The values asked about, by field in the fields' order, the commonest first."""
        order = {f.name: i for i, f in enumerate(self.fields)}
        grouped: dict[str, list[tuple[str, int]]] = {}
        for (field, raw), count in self.asked.items():
            grouped.setdefault(field, []).append((raw, count))
        return {f: sorted(v, key=lambda item: (-item[1], item[0].casefold()))
                for f, v in sorted(grouped.items(), key=lambda item: order.get(item[0], len(order)))}

    def vocabulary_words(self, field: str) -> str | None:
        vocabulary = vocabulary_of(self.kind, field)
        return vocabulary.replace("_", " ") if vocabulary else None

    def undecided(self) -> list[tuple[str, str]]:
        return [key for key in self.asked if self.decisions.get(key) is None]

    def _adds(self) -> set[tuple[str, str]]:
        return {key for key in self.asked if self.decisions.get(key) == ADD}

    def final_mapping(self) -> Mapping:
        """The columns as chosen, and for each field the wizard asks about, the values decided
        (a value to add is left unmapped: the core adds it)."""
        assert self.mapping is not None
        values = {f: dict(v) for f, v in self.mapping.values.items() if f not in self.asked_fields}
        for (field, raw), target in self.decisions.items():
            if (field, raw) in self.asked and target not in (None, ADD):
                values.setdefault(field, {})[raw] = target
        return Mapping(self.kind, dict(self.mapping.columns), values)

    def check(self) -> list[str]:
        """Plan the import with the values decided. If that brings out values not asked about
        yet, they are asked about (``undecided``) and the plan made without adding anything."""
        self.note = ""
        adds = self._adds()
        try:
            checked = self._checked(offered=set(self.asked_fields), add_values=bool(adds))
            if adds:
                words = {(vocabulary_of(self.kind, f), raw) for f, raw in adds}
                added = {(kind, v) for kind, vs in checked.plan.added_values.items() for v in vs}
                if added - words:  # values the user was not asked about would be added: ask first
                    checked = self._checked(offered=set(self.asked_fields))
        except FieldkitError as e:
            return [str(e)]
        self._take(checked)
        if self.undecided():
            self.note = "The file has values to decide about: go Back to say what they stand for."
        return [_header_line(p) for p in checked.plan.problems if p.row <= 1]

    def _checked(self, *, offered: set[str] | None, add_values: bool = False) -> Checked:
        assert self.sheet is not None and self.mapping is not None
        mapping = self.final_mapping() if offered is not None else Mapping(
            self.kind, dict(self.mapping.columns), {f: dict(v) for f, v in self.mapping.values.items()})
        open_reader, importer, sheet = self.study.open_reader, IMPORTERS[self.kind], self.sheet
        return wait_for(lambda: check_file(open_reader, importer, sheet, mapping, add_values=add_values,
                                           offered=offered))

    def read_again(self) -> list[str]:
        """Read the file again (put right in another program) and check it as before; when
        its headings have changed, their columns are guessed (or remembered) afresh."""
        assert self.sheet is not None
        header = list(self.sheet.header)
        problem = self.read_sheet()
        if problem:
            return [problem]
        if self.sheet.header != header:
            self.prepare_mapping()
            self.columns_page.rebuild()
            lines = self.survey()
            if lines or self.undecided():
                self.note = "The file's columns have changed: go Back to check where they go."
                return lines
        return self.check()

    # --- the import -----------------------------------------------------------------------------

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        current = self.currentId()
        if current == COLUMNS:
            return VALUES if self.asked else PREVIEW
        return super().nextId()

    def _page_shown(self, page_id: int) -> None:
        if page_id == VALUES:
            self.values_page.rebuild()

    def run_import(self) -> None:
        """Import the plan checked (the core backs up, then writes it all in one transaction),
        remember the mapping for the next file with these headings, and say what changed."""
        plan = self.plan
        options: dict[str, Any] = {}
        if any(hasattr(d, "matches") for d in getattr(plan, "duplicates", [])):
            options["duplicates"] = dict(self.duplicates)
        before = len(self.study.warnings)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # writing is on this thread: the study's
        try:
            self.result = IMPORTERS[self.kind].apply(self.study, plan, **options)
        except ImportFileError as e:
            self.failure = e
            return
        except FieldkitError as e:
            self.failure = ImportFileError(plan.sheet.where(), [str(e)])
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.warnings = list(self.study.warnings[before:])
        import_mapping.remember(plan.mapping, plan.sheet.header)
        changes = set(CHANGES[self.kind])
        if getattr(plan, "added_values", None):
            changes.add(kinds.TEMPLATE)
        self.imported.emit(changes)


def anonymous_fields(study: Study, kind: str) -> set[str]:
    """The fields whose values are answers to anonymous questions: never shown beside others."""
    if kind != "interviews":
        return set()
    from fieldkit.interview_columns import QUESTION

    return {QUESTION + q.id for q in study.template.questions() if q.anonymous}


def _file_line(error: ImportFileError) -> str:
    """An unreadable file in one line: its name, and the first problem (and how many more)."""
    name = Path(error.source).name or error.source
    first = error.problems[0] if error.problems else "cannot be read"
    more = f" (and {len(error.problems) - 1} more problems)" if len(error.problems) > 1 else ""
    return f"{name}: {first}{more}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _header_line(problem: Any) -> str:
    where = f"Column {problem.column}: " if getattr(problem, "column", None) else ""
    return where + _sentence(problem.message)
