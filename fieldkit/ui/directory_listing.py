"""The case form's "Directory listing…": what an organisation agreed to have listed in a
consortium's shared directory (fieldkit.directory.listing), and whether it is there.

A tick box per detail the directory can list (its name is always listed), the registered
charity and company numbers and the postcode, and a line saying where the record stands
(published when and where, or pulled from which member). The dialog changes nothing itself:
``chosen`` is what the case form saves, undoably, through ``set_listing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldkit.directory import FIELDS
from fieldkit.directory.listing import Listing, listing
from fieldkit.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.welcome import heading

if TYPE_CHECKING:
    from fieldkit.study import Study

IDENTIFIER_LABELS = (("charity_number", "Charity number"), ("company_number", "Company number"),
                     ("postcode", "Postcode"))


def standing(record: Listing) -> str:
    """Where the organisation's directory record stands, in a sentence."""
    lines = []
    if not record.permitted:
        lines.append("“Permission to list” is not ticked: nothing about it is published.")
    if record.published:
        lines.append(f"Published to {record.published_to} on {record.published.replace('T', ' at ')[:19]}.")
    elif record.permitted:
        lines.append("Not published yet: it goes in at the next publish.")
    if record.origin is not None:
        origin = record.origin
        text = f"Pulled from {origin.directory}, listed there by {origin.owner}."
        if origin.withdrawn:
            text += f" {origin.owner} withdrew it on {origin.withdrawn[:10]}."
        lines.append(text)
    return " ".join(lines)


class ListingDialog(QDialog):
    """Which details an organisation agreed to have listed, with its charity and company numbers."""

    def __init__(self, study: Study, org_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.org_id = org_id
        self.before = listing(study, org_id)
        name = study.organisations.get(org_id).name
        self.setWindowTitle(f"Directory listing: {name}")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"What {name} agreed to have listed", 1.2))
        note = QLabel("In a consortium's shared directory its name is always listed, with only the details ticked "
                      "here. Contacts, notes, attempts, interviews and anonymous answers are never published.")
        note.setWordWrap(True)
        layout.addWidget(note)
        grid = QGridLayout()
        self.boxes: dict[str, QCheckBox] = {}
        for n, (field, label) in enumerate(FIELDS):
            box = QCheckBox(label)
            box.setChecked(field in self.before.fields)
            grid.addWidget(box, n // 2, n % 2)
            self.boxes[field] = box
        layout.addLayout(grid)
        form = QFormLayout()
        self.identifiers: dict[str, QLineEdit] = {}
        for key, label in IDENTIFIER_LABELS:
            edit = QLineEdit(getattr(self.before, key) or "")
            edit.setAccessibleName(label)
            form.addRow(label, edit)
            self.identifiers[key] = edit
        layout.addLayout(form)
        self.standing = QLabel(standing(self.before))
        self.standing.setWordWrap(True)
        layout.addWidget(self.standing)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def chosen(self) -> dict[str, Any]:
        """``set_listing``'s arguments for what the dialog shows now."""
        return {"fields": tuple(f for f, box in self.boxes.items() if box.isChecked()),
                **{k: (edit.text().strip() or None) for k, edit in self.identifiers.items()}}

    def previous(self) -> dict[str, Any]:
        """``set_listing``'s arguments that put back what was recorded before (an undo)."""
        return {"fields": self.before.fields, **{k: getattr(self.before, k) for k, _ in IDENTIFIER_LABELS}}
