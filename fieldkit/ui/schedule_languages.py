"""The schedule's languages: add one, remove one, choose the default, and the texts still
missing in each (Enter on one goes to the field where it is written)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fieldkit import schedule
from fieldkit.templates import Template
from fieldkit.ui.qt import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)
from fieldkit.ui.session import TEMPLATE

if TYPE_CHECKING:
    from fieldkit.ui.schedule import ScheduleEditor

_KEY = Qt.ItemDataRole.UserRole
#: A place ``Template.missing_texts`` names: "question 'q1' constraint message", "question 'q1' choice 'x'".
_PLACE = re.compile(r"^(section|question) '([^']*)' (?:choice '(?P<choice>.*)'|(?P<key>.+))$")


def _button(text: str, name: str, slot, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def _texts_in(template: Template, language: str) -> int:
    """How many texts the schedule has in ``language`` (what removing it would take away)."""
    suffix, n = f"::{language}", 0
    for s in template.to_dict()["sections"]:
        tables = [s, *s["questions"], *[c for q in s["questions"] for c in q.get("choices", []) if isinstance(c, dict)]]
        n += sum(key.endswith(suffix) for table in tables for key in table)
    return n


class LanguagesPanel(QGroupBox):
    """The languages the schedule is written in, through ``schedule.with_languages``."""

    def __init__(self, editor: ScheduleEditor):
        super().__init__("Languages")
        self.editor = editor
        self.setAccessibleName("Languages")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName("Languages of the schedule")
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 3 + 12)
        self.list.currentRowChanged.connect(lambda _: self._enable())
        row.addWidget(self.list, 1)
        side = QVBoxLayout()
        self.default_button = _button("Make default", "Make the selected language the default",
                                      self.make_default, "The language of the plain texts")
        self.remove_button = _button("Remove", "Remove the selected language", self.remove_language,
                                     "Its texts go with it")
        side.addWidget(self.default_button)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        row.addLayout(side)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.new = QLineEdit()
        self.new.setAccessibleName("New language")
        self.new.setPlaceholderText("New language, e.g. Urdu")
        self.new.returnPressed.connect(self.add_language)
        row.addWidget(self.new, 1)
        row.addWidget(_button("Add language", "Add the new language", self.add_language))
        layout.addLayout(row)
        self.missing_title = QLabel("Missing texts")
        layout.addWidget(self.missing_title)
        self.missing = QTreeWidget()
        self.missing.setAccessibleName("Missing texts")
        self.missing.setHeaderHidden(True)
        self.missing.setToolTip("Enter or double-click goes to the text")
        self.missing.itemActivated.connect(self._go_to_missing)
        layout.addWidget(self.missing, 1)

    def fill(self, template: Template) -> None:
        keep = self.list.currentItem().data(_KEY) if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        for language in template.languages:
            item = QListWidgetItem(language + (" (default)" if language == template.default_language else ""))
            item.setData(_KEY, language)
            self.list.addItem(item)
            if language == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.missing.clear()
        total = 0
        for language, places in template.missing_texts().items():
            total += len(places)
            top = QTreeWidgetItem([f"{language}: {len(places)} missing" if places else f"{language}: all written"])
            top.setData(0, _KEY, None)
            self.missing.addTopLevelItem(top)
            for place in places:
                child = QTreeWidgetItem([place])
                child.setData(0, _KEY, (language, place))
                top.addChild(child)
            top.setExpanded(True)
        several = len(template.languages) > 1
        self.missing_title.setText(f"Missing texts ({total}): Enter goes to one" if several
                                   else "Add a language to write the schedule in it too.")
        self.missing.setVisible(several)
        self._enable()

    def _enable(self) -> None:
        row = self.list.currentRow()
        self.default_button.setEnabled(row > 0)
        self.remove_button.setEnabled(row > 0)

    def _languages(self, languages: list[str], default: str, what: str) -> None:
        t = self.editor.template
        new = self.editor.attempt(lambda: schedule.with_languages(t, languages, default))
        if new is not None:
            self.editor.store(new, what, self.editor.selected)

    def add_language(self) -> None:
        language = self.new.text().strip()
        t = self.editor.template
        if not language or language in t.languages:
            return
        self._languages(list(t.languages) + [language], t.default_language, f"addition of the language {language}")
        if language in self.editor.template.languages:
            self.new.clear()

    def remove_language(self) -> None:
        item = self.list.currentItem()
        t = self.editor.template
        if item is None or item.data(_KEY) == t.default_language:
            return
        language = item.data(_KEY)
        written = _texts_in(t, language)
        if written and not self.editor.ask(
                "Remove a language", f"Remove {language}? Its {written} text{'s go' if written != 1 else ' goes'} "
                f"with it (Edit ▸ Undo brings {'them' if written != 1 else 'it'} back)."):
            return
        self._languages([x for x in t.languages if x != language], t.default_language,
                        f"removal of the language {language}")

    def make_default(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            language = item.data(_KEY)
            self._languages(list(self.editor.template.languages), language,
                            f"change of the default language to {language}")

    def _go_to_missing(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        where = item.data(0, _KEY)
        m = _PLACE.match(where[1]) if where else None
        if m is None:
            return
        kind, ident = m.group(1), m.group(2)
        key = f"choice:{m['choice']}" if m["choice"] is not None else m["key"].replace(" ", "_")
        self.editor.selected = (kind, ident)
        self.editor.refresh({TEMPLATE})
        form = self.editor.form()
        if form is not None:
            form.focus_translation(key, where[0])
