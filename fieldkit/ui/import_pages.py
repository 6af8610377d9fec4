"""The middle pages of File ▸ Import… (``fieldkit.ui.import_wizard``, which holds the first
and the last): the file's columns, the values the study does not have, and the check before
importing.

The pages only show and ask; the wizard holds what was chosen and calls the core. The
preview's table model (``PreviewModel``) shows the file's first rows and every row with a
problem, each problem marked at its cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit import sources
from fieldkit.importers import IMPORTERS
from fieldkit.ui import palette
from fieldkit.ui.combo import ComboBox
from fieldkit.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QApplication,
    QBrush,
    QColor,
    QComboBox,
    QFileDialog,
    QFont,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QModelIndex,
    QPalette,
    QPersistentModelIndex,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    Qt,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

if TYPE_CHECKING:
    from fieldkit.import_mapping import Mapping
    from fieldkit.sources import Sheet
    from fieldkit.ui.import_wizard import ImportWizard

#: The decision "add this value to the study's list" (else a decision is the study's value).
ADD = "\x00add"
#: Rows the preview always shows (every row with a problem is shown too).
PREVIEW_ROWS = 200
#: Problems listed below the preview (the rest are counted).
LISTED_PROBLEMS = 1000
#: What to do with a row that may already be in the study, as offered (the core's words).
DUPLICATE_CHOICES = (("Skip", "skip"), ("Merge", "merge"), ("Add", "add"))
SAMPLES = 3
_DIALOG_FILTER = ("Files to import ({all});;CSV files ({csv});;Excel workbooks ({xlsx});;"
                  "Access databases ({access});;All files (*)")


def _patterns(suffixes: tuple[str, ...]) -> str:
    return " ".join(f"*{s}" for s in suffixes)


def file_filter() -> str:
    """The file dialog's filter, from the suffixes ``fieldkit.sources`` reads."""
    every = tuple(s for group in sources.SUFFIXES.values() for s in group)
    return _DIALOG_FILTER.format(all=_patterns(every), csv=_patterns(sources.SUFFIXES[sources.CSV]),
                                 xlsx=_patterns(sources.SUFFIXES[sources.XLSX]),
                                 access=_patterns(sources.SUFFIXES[sources.ACCESS]))


def problem_background() -> QColor:
    """A problem cell's background: the table's base colour tinted with the problem tone, so it
    reads on a light or a dark desktop alike."""
    return palette.tint("problem", palette.base())


def _muted() -> QColor:
    return palette.muted(against=palette.base())


def wrapped(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class Say(QLabel):
    """A page's line about what stops it going on (in the house's problem colour), or a note."""

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str, *, problem: bool = True) -> None:
        palette.set_style_sheet(self, f"QLabel#{self.objectName()} {{ color: $problem; }}" if problem else "")
        self.setText(text)
        self.setVisible(bool(text))


def _one_line(text: str, limit: int) -> str:
    text = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            _clear(item.layout())


# --- 2. the columns -------------------------------------------------------------------------------


class ColumnsPage(QWizardPage):
    """One line per heading of the file: a few of its values, and the field it goes to."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.setTitle("Which column is which")
        self.w = wizard
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        self.note = wrapped(name="columns_note")
        layout.addWidget(self.note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(14)
        scroll.setWidget(self.grid_host)
        layout.addWidget(scroll, 1)
        self.problem = Say("columns_problem")
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.load_button = QPushButton("&Load mapping…")
        self.load_button.setToolTip("Use a mapping saved before (or made for fieldkit import --mapping)")
        self.save_button = QPushButton("Sa&ve mapping…")
        self.save_button.setToolTip("Keep these choices in a file, for other files shaped like this one or for "
                                    "fieldkit import --mapping")
        self.load_button.clicked.connect(self._load)
        self.save_button.clicked.connect(self._save)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.w.prepare_mapping()
        self.rebuild()

    def rebuild(self) -> None:
        w = self.w
        sheet = w.sheet
        assert sheet is not None and w.mapping is not None
        label = IMPORTERS[w.kind].label.lower()
        self.setSubTitle(f"Where each column of {w.file_name()} goes, importing {label}. Change any that "
                         "are wrong; a column set to “Not imported” is left out.")
        how = {"remembered": "Filled in as for the last file with these headings.",
               "loaded": "Filled in from the mapping file loaded.",
               "guessed": "Guessed from the headings."}[w.mapping_origin]
        self.note.setText(how)
        _clear(self.grid)
        self.combos, self.samples = {}, {}
        bold = QFont(self.font())
        bold.setBold(True)
        for column, text in enumerate(("Column", "Examples from the file", "Goes to")):
            head = QLabel(text)
            head.setFont(bold)
            self.grid.addWidget(head, 0, column)
        for row, heading in enumerate(w.headings(), start=1):
            name = QLabel(heading.strip())
            name.setFont(bold)
            name.setTextFormat(Qt.TextFormat.PlainText)
            sample = QLabel()
            sample.setTextFormat(Qt.TextFormat.PlainText)
            sample.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # gives way to the combo
            sample.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            combo = ComboBox()
            combo.setAccessibleName(f"Column {heading.strip()} goes to")
            combo.addItem("Not imported", None)
            for f in w.fields:
                combo.addItem(f"{f.label}{'  (needed)' if f.required else ''}", f.name)
                combo.setItemData(combo.count() - 1, f"“{f.name}” in a mapping file", Qt.ItemDataRole.ToolTipRole)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(28)
            index = combo.findData(w.mapping.columns.get(heading))
            combo.setCurrentIndex(max(index, 0))
            combo.currentIndexChanged.connect(lambda _i, h=heading: self._chosen(h))
            name.setBuddy(combo)
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(sample, row, 1)
            self.grid.addWidget(combo, row, 2)
            self.combos[heading] = combo
            self.samples[heading] = sample
            self._show_samples(heading)
        self.grid.setRowStretch(len(self.combos) + 1, 1)
        self._check()

    def _show_samples(self, heading: str) -> None:
        label = self.samples[heading]
        assert self.w.mapping is not None  # the page is built from it
        if self.w.mapping.columns.get(heading) in self.w.anonymous:
            label.setText("(answers to an anonymous question: not shown)")
            label.setToolTip("")
            return
        values = self.w.samples(heading)
        label.setText("  ·  ".join(_one_line(v, 24) for v in values) if values else "(empty)")
        label.setToolTip("\n".join(_one_line(v, 200) for v in values))

    def _chosen(self, heading: str) -> None:
        assert self.w.mapping is not None  # the page is built from it
        self.w.mapping.columns[heading] = self.combos[heading].currentData()
        self._show_samples(heading)
        self._check()

    def _check(self) -> None:
        self.problem.say("\n".join(self.w.mapping_problems()))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.w.mapping is not None and not self.w.mapping_problems()

    def validatePage(self) -> bool:  # noqa: N802
        problems = self.w.survey()
        self.problem.say("\n".join(problems))
        return not problems

    def _load(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Load a mapping", str(self.w.folder()),
                                              "Import mappings (*.json);;All files (*)")
        if name:
            self.load_mapping(Path(name))

    def load_mapping(self, path: Path) -> None:
        """Use the mapping file at ``path`` (what Load mapping… does once a file is chosen)."""
        problem = self.w.load_mapping(path)
        if problem:
            self.problem.say(problem)
            return
        self.rebuild()

    def _save(self) -> None:
        sheet = self.w.sheet
        stem = Path(sheet.source).stem if sheet is not None else "import"
        name, _ = QFileDialog.getSaveFileName(self, "Save the mapping", str(self.w.folder() / f"{stem} mapping.json"),
                                              "Import mappings (*.json)")
        if name:
            self.save_mapping(Path(name if name.lower().endswith(".json") else name + ".json"))

    def save_mapping(self, path: Path) -> None:
        problem = self.w.save_mapping(path)
        if problem:
            self.problem.say(problem)
        else:
            self.note.setText(f"Mapping saved as {path}.")


# --- 3. the values the study does not have --------------------------------------------------------


class ValuesPage(QWizardPage):
    """For each field with values the study does not have: each value, how many rows have it,
    and what it stands for."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.setTitle("Values the study does not have")
        self.setSubTitle("Say what each of these stands for: one of the study's own values or, where the study "
                         "keeps a list of its own, a new value added to that list.")
        self.w = wizard
        self.combos: dict[tuple[str, str], QComboBox] = {}
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        host = QWidget()
        self.groups = QVBoxLayout(host)
        self.groups.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(host)
        layout.addWidget(scroll, 1)
        self.problem = Say("values_problem")
        layout.addWidget(self.problem)

    def rebuild(self) -> None:
        """Show every value asked about, with the decision made so far."""
        w = self.w
        assert w.mapping is not None  # made on the columns page, before this one
        _clear(self.groups)
        self.combos = {}
        for field, values in w.asked_by_field().items():
            targets = w.targets.get(field, [])
            headings = ", ".join(f"'{h.strip()}'" for h in w.mapping.headings_of(field))
            box = QGroupBox(f"{w.field_label(field)}  (column {headings})" if headings else w.field_label(field))
            grid = QGridLayout(box)
            grid.setColumnStretch(0, 1)
            grid.setHorizontalSpacing(14)
            adding = w.vocabulary_words(field)
            for row, (raw, count) in enumerate(values):
                value = QLabel(_one_line(raw, 60))
                value.setTextFormat(Qt.TextFormat.PlainText)
                value.setToolTip(raw)
                rows = QLabel(f"{count:,} row{'s' if count != 1 else ''}")
                rows.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                combo = ComboBox()
                combo.setAccessibleName(f"{w.field_label(field)} “{raw}” stands for")
                combo.addItem("Choose…", None)
                if adding:
                    combo.addItem(f"Add to the study's {adding}", ADD)
                for text, target in targets:
                    combo.addItem(text, target)
                combo.setMinimumContentsLength(24)
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                decided = w.decisions.get((field, raw))
                index = combo.findData(decided) if decided is not None else 0
                combo.setCurrentIndex(max(index, 0))
                if (field, raw) in w.suggested and decided == w.suggested[(field, raw)]:
                    combo.setToolTip("Suggested from the words of the value; change it if it is wrong")
                combo.currentIndexChanged.connect(lambda _i, key=(field, raw): self._chosen(key))
                value.setBuddy(combo)
                grid.addWidget(value, row, 0)
                grid.addWidget(rows, row, 1)
                grid.addWidget(combo, row, 2)
                self.combos[(field, raw)] = combo
            self.groups.addWidget(box)
        self.groups.addStretch(1)
        self._check()

    def _chosen(self, key: tuple[str, str]) -> None:
        self.w.decisions[key] = self.combos[key].currentData()
        self._check()

    def _check(self) -> None:
        left = self.w.undecided()
        self.problem.say(f"Choose what each value stands for: {len(left)} not decided yet." if left else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return not self.w.undecided()

    def validatePage(self) -> bool:  # noqa: N802
        problems = self.w.check()
        if self.w.undecided():  # the choices made brought out more values to decide
            self.rebuild()
            self.problem.say("More values to decide, brought out by the choices made: "
                             f"{len(self.w.undecided())} not decided yet.")
            return False
        self.problem.say("\n".join(problems))
        return not problems


# --- 4. the check before importing ---------------------------------------------------------------


class PreviewModel(QAbstractTableModel):
    """The file's first rows and every row with a problem, each problem at its cell: a tinted
    background and a warning icon, the message as the tooltip."""

    def __init__(self, sheet: Sheet, problems: list, labels: dict[str, str | None], hidden: set[int],
                 parent: QWidget | None = None, *, first: int = PREVIEW_ROWS, mapping: Mapping | None = None):
        super().__init__(parent)
        self.sheet = sheet
        self.labels = labels        # heading -> the label of the field it goes to (None: not imported)
        self.hidden = hidden        # column indexes whose values are not shown (anonymous answers)
        #: column index -> field, for the columns whose values the mapping turns into the study's
        self.mapped = {i: mapping.columns[h] for i, h in enumerate(sheet.header)
                       if mapping is not None and mapping.values.get(mapping.columns.get(h) or "")}
        self.mapping = mapping
        self.width = max([len(sheet.header)] + [len(r) for r in sheet.rows[:first]])
        self.cells: dict[tuple[int, int], list[str]] = {}
        self.whole_rows: dict[int, list[str]] = {}
        self.header_problems: dict[int, list[str]] = {}
        self.elsewhere: list[str] = []   # problems with no row or column to show them at
        for p in problems:
            column = self.column_of(p)
            if p.row <= 1:
                (self.header_problems.setdefault(column, []) if column is not None else self.elsewhere).append(
                    p.message)
            elif column is None:
                self.whole_rows.setdefault(p.row - 2, []).append(p.message)
            else:
                self.cells.setdefault((p.row - 2, column), []).append(p.message)
                self.width = max(self.width, column + 1)
        bad = {i for i, _ in self.cells} | set(self.whole_rows)
        shown = set(range(min(first, len(sheet.rows))))
        self.indexes = sorted(shown | {i for i in bad if 0 <= i < len(sheet.rows)})
        self.position = {index: row for row, index in enumerate(self.indexes)}
        self._problem = QBrush(problem_background())
        self._muted = QBrush(_muted())
        self._icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) \
            if bad or self.header_problems else None
        italic = QFont()
        italic.setItalic(True)
        self._italic = italic

    def column_of(self, problem: Any) -> int | None:
        """The column a problem is at: its number, else its heading's first column."""
        if getattr(problem, "column", None):
            return problem.column - 1
        if problem.heading:
            for i, h in enumerate(self.sheet.header):
                if h.strip() == problem.heading.strip():
                    return i
        return None

    def where(self, problem: Any) -> tuple[int | None, int | None]:
        """The preview's (row, column) of a problem; None for the header row or a whole row/column."""
        column = self.column_of(problem)
        row = self.position.get(problem.row - 2) if problem.row > 1 else None
        return row, column

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(self.indexes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.width

    def _heading(self, column: int) -> str:
        return self.sheet.header[column] if column < len(self.sheet.header) else ""

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self.indexes):
                return None
            index = self.indexes[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.sheet.row_number(index))
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(self.whole_rows.get(index, [])) or f"Row {self.sheet.row_number(index)} of the file"
            if role == Qt.ItemDataRole.DecorationRole and index in self.whole_rows:
                return self._icon
            return None
        heading = self._heading(section)
        if role == Qt.ItemDataRole.DisplayRole:
            label = self.labels.get(heading)
            goes = f"→ {label}" if label else "(not imported)"
            return f"{heading.strip() or f'column {section + 1}'}\n{goes}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(self.header_problems.get(section, [])) or None
        if role == Qt.ItemDataRole.DecorationRole and section in self.header_problems:
            return self._icon
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        at = self.indexes[index.row()]
        column = index.column()
        record = self.sheet.rows[at]
        text = record[column] if column < len(record) else ""
        problems = self.cells.get((at, column)) or self.whole_rows.get(at)
        if role == Qt.ItemDataRole.DisplayRole:
            if column in self.hidden and text.strip():
                return "(anonymous answer)"
            if column in self.mapped and text.strip():
                field = self.mapped[column]
                assert self.mapping is not None and field is not None  # mapped columns go to a field
                target = self.mapping.value(field, text.strip())
                if target != text.strip():
                    return _one_line(f"{text.strip()} → {target}", 80)
            return _one_line(text, 80)
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(problems)
            return None if column in self.hidden or len(text) <= 80 and "\n" not in text else text
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._problem if problems else None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon if problems else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._muted if column in self.hidden or not self.labels.get(self._heading(column)) else None
        if role == Qt.ItemDataRole.FontRole and column in self.hidden:
            return self._italic
        return None


class PreviewPage(QWizardPage):
    """What importing would do: the summary, the rows with every problem marked, the list of
    problems, and the possible duplicates with a choice for each. Import is the commit."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.setTitle("Check before importing")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.w = wizard
        self.model: PreviewModel | None = None
        self.duplicate_choices: dict[int, QComboBox] = {}
        layout = QVBoxLayout(self)
        self.summary = wrapped(name="summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.table = QTableView()
        self.table.setAccessibleName("Rows of the file")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.shown = wrapped(name="shown")
        self.shown.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.shown)

        self.problems_box = QGroupBox("Problems")
        problems_layout = QVBoxLayout(self.problems_box)
        self.problems_help = wrapped("Importing waits until there are none. Put them right in the file and read "
                                     "it again, or go Back and change where the columns or values go.")
        problems_layout.addWidget(self.problems_help)
        self.problems = QListWidget()
        self.problems.setAccessibleName("Problems")
        self.problems.setWordWrap(True)
        self.problems.currentItemChanged.connect(lambda item, _old: self._go_to(item))
        self.problems.itemClicked.connect(self._go_to)
        problems_layout.addWidget(self.problems, 1)

        self.duplicates_box = QGroupBox("May already be in the study")
        duplicates_layout = QVBoxLayout(self.duplicates_box)
        duplicates_layout.addWidget(wrapped("Skip leaves the study's record as it is; Merge fills in what the "
                                            "study's record lacks and adds the contact; Add imports the row as "
                                            "a new organisation anyway."))
        self.duplicates = QTableWidget(0, 4)
        self.duplicates.setAccessibleName("Possible duplicates")
        self.duplicates.setHorizontalHeaderLabels(["Row", "In the file", "May be", "Do"])
        self.duplicates.verticalHeader().setVisible(False)
        self.duplicates.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.duplicates.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        duplicates_layout.addWidget(self.duplicates, 1)

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(top)
        self.split.addWidget(self.problems_box)
        self.split.addWidget(self.duplicates_box)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setStretchFactor(2, 1)
        layout.addWidget(self.split, 1)

        below = QHBoxLayout()
        self.state = Say("preview_state")
        below.addWidget(self.state, 1)
        self.again = QPushButton("&Read the file again")
        self.again.setToolTip("After putting the file right in Excel or another program and saving it")
        self.again.clicked.connect(self.read_again)
        below.addWidget(self.again, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(below)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.show_plan()

    def show_plan(self) -> None:
        w = self.w
        plan, sheet = w.plan, w.plan.sheet
        self.setSubTitle(f"Nothing has been written yet. fieldkit backs the study up just before importing, "
                         f"and imports every row of {Path(sheet.source).name} or none.")
        lines = [line.replace(sheet.source, Path(sheet.source).name) for line in plan.lines()]
        self.summary.setText("<br>".join(f"<b>{_html(line)}</b>" if i == 0 else _html(line)
                                         for i, line in enumerate(lines)))
        labels = {h: w.field_label(f) if f else None for h, f in plan.mapping.columns.items()}
        hidden = {i for i, h in enumerate(sheet.header) if plan.mapping.columns.get(h) in w.anonymous}
        self.model = PreviewModel(sheet, plan.problems, labels, hidden, self, mapping=plan.mapping)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(max(self.table.columnWidth(column), 90), 260))
        self.table.resizeRowsToContents()
        extra = len(self.model.indexes) - min(PREVIEW_ROWS, len(sheet.rows))
        shown = f"The first {min(PREVIEW_ROWS, len(sheet.rows)):,} of {len(sheet.rows):,} rows"
        if extra:
            shown += f", and the {extra:,} further row{'s' if extra != 1 else ''} with problems"
        self.shown.setText(shown + (". Grey columns are not imported." if None in labels.values() else "."))

        self.problems.clear()
        for p in plan.problems[:LISTED_PROBLEMS]:
            item = QListWidgetItem(p.line())
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.problems.addItem(item)
        if len(plan.problems) > LISTED_PROBLEMS:
            more = QListWidgetItem(f"… and {len(plan.problems) - LISTED_PROBLEMS:,} more")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.problems.addItem(more)
        self.problems_box.setTitle(f"Problems ({len(plan.problems):,})")
        self.problems_box.setVisible(bool(plan.problems))

        self._show_duplicates(plan)
        if plan.problems:
            self.state.say(f"Not ready: {len(plan.problems):,} problem{'s' if len(plan.problems) != 1 else ''} "
                           "to put right first." + (" " + w.note if w.note else ""))
        else:
            self.state.say("Ready to import." + (" " + w.note if w.note else ""), problem=False)
        self.completeChanged.emit()

    def _show_duplicates(self, plan: Any) -> None:
        found = [d for d in getattr(plan, "duplicates", []) if hasattr(d, "matches")]
        self.duplicates.setRowCount(len(found))
        self.duplicate_choices = {}
        for row, d in enumerate(found):
            self.duplicates.setItem(row, 0, QTableWidgetItem(str(d.row)))
            self.duplicates.setItem(row, 1, QTableWidgetItem(d.name))
            matches = QTableWidgetItem("; ".join(m.describe() for m in d.matches))
            matches.setToolTip("\n".join(m.describe() for m in d.matches))
            self.duplicates.setItem(row, 2, matches)
            combo = ComboBox()
            combo.setAccessibleName(f"Row {d.row}: what to do")
            for text, value in DUPLICATE_CHOICES:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(self.w.duplicates.get(d.row, "skip"))))
            self.w.duplicates[d.row] = combo.currentData()
            combo.currentIndexChanged.connect(lambda _i, r=d.row: self._decided(r))
            self.duplicates.setCellWidget(row, 3, combo)
            self.duplicate_choices[d.row] = combo
        self.duplicates.resizeColumnToContents(0)
        self.duplicates.resizeColumnToContents(1)
        self.duplicates.resizeColumnToContents(3)
        self.duplicates_box.setTitle(f"May already be in the study ({len(found)})")
        self.duplicates_box.setVisible(bool(found))

    def _decided(self, row: int) -> None:
        self.w.duplicates[row] = self.duplicate_choices[row].currentData()

    def _go_to(self, item: QListWidgetItem | None) -> None:
        """Select the cell (or the row or column) of the problem ``item`` lists."""
        if item is None or self.model is None:
            return
        problem = item.data(Qt.ItemDataRole.UserRole)
        if problem is None:
            return
        row, column = self.model.where(problem)
        if row is not None and column is not None:
            index = self.model.index(row, column)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        elif row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        elif column is not None:
            self.table.selectColumn(column)
            self.table.scrollTo(self.model.index(0, column))

    def read_again(self) -> None:
        problems = self.w.read_again()
        self.show_plan()
        if problems:
            self.state.say("\n".join(problems))

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.w.plan is not None and not self.w.plan.problems and not self.w.undecided()

    def validatePage(self) -> bool:  # noqa: N802
        self.w.run_import()
        return True


def _html(text: str) -> str:
    import html

    return html.escape(text)
