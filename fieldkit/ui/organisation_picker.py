"""A line to pick another organisation by typing part of its name, searched by the core: the
case form's "Referred by"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.errors import NotFoundError
from fieldkit.organisations import Organisation
from fieldkit.ui.qt import QAbstractItemView, QCompleter, QLineEdit, QStringListModel, QTimer, Signal

if TYPE_CHECKING:
    from fieldkit.ui.case_form import CaseForm


def display_name(org: Organisation) -> str:
    """How an organisation is offered in a pick list: its name, and its area when known."""
    return f"{org.name} ({org.area})" if org.area else org.name


class OrganisationPicker(QLineEdit):
    """A line to pick another organisation by typing part of its name (searched by the core)."""

    picked = Signal(object)  # the organisation's id, or None when cleared

    def __init__(self, form: CaseForm):
        super().__init__()
        self.form = form
        self.current: int | None = None
        self._current_text = ""
        self._choices: dict[str, int] = {}
        self.setPlaceholderText("Type part of a name")
        self.setClearButtonEnabled(True)
        self.names = QStringListModel(self)
        completer = QCompleter(self.names, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._chosen)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._search)
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self._finished)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer().popup()
        assert popup is not None  # a completer has its popup from the start
        return popup

    def _edited(self, text: str) -> None:
        if len(text.strip()) < 2:  # too short to search: offer nothing
            self._timer.stop()
            self.names.setStringList([])
            self._popup().hide()
        else:
            self._timer.start()

    def show_organisation(self, org_id: int | None) -> None:
        self.current = org_id
        text = ""
        if org_id is not None:
            try:
                text = display_name(self.form.study.organisations.get(org_id))
            except NotFoundError:
                text = ""
        self._current_text = text
        if not (self.hasFocus() and self.isModified()):
            self.setText(text)
            self.setCursorPosition(0)  # the start of the name, not its end

    def _search(self) -> None:
        text = self.text().strip()
        if len(text) < 2:
            self.names.setStringList([])
            return
        orgs = self.form.study.organisations
        found = [o for o in orgs.many(orgs.ids(search=text, limit=30)) if o.id != self.form.org_id]
        self._choices = {}
        for org in found:
            label = display_name(org)
            if label in self._choices:
                label = f"{label} #{org.id}"
            self._choices[label] = org.id
        self.names.setStringList(list(self._choices))
        if self._choices and self.hasFocus():
            self.completer().complete()

    def _chosen(self, text: str) -> None:
        org_id = self._choices.get(text)
        if org_id is not None and org_id != self.current:
            self.picked.emit(org_id)

    def _finished(self) -> None:
        self.setModified(False)
        text = self.text().strip()
        if not text:
            self._popup().hide()
            if self.current is not None:
                self.picked.emit(None)
            return
        if self._popup().isVisible():
            return
        elif text in self._choices:
            self._chosen(text)
        elif text != self._current_text:
            self.setText(self._current_text)  # not a pick: show what is recorded
