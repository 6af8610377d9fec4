"""A warning under a phone, email or website field as it is typed (fieldkit.contact_details).

A small label under the field, shown after a pause in typing and at once when the field is
left: never a dialog, and never in the way of saving. What is typed is saved as typed (a valid
phone number in E.164); the warning only says why it may be wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from fieldkit import contact_details
from fieldkit.ui import palette
from fieldkit.ui.debounced import Debounced
from fieldkit.ui.qt import QFormLayout, QLabel, QLineEdit, Qt, QWidget

#: What the warning's tooltip and a screen reader add to it.
NOT_REFUSED = "A warning only: what is typed is saved as it is."


def checker(kind: str, country: Callable[[], str]) -> Callable[[str], str | None]:
    """The check for a field of ``kind`` (phone, email, website); ``country`` gives the
    study's country when a phone number is read."""
    if kind == "phone":
        return lambda text: contact_details.phone(text, country()).warning
    if kind == "email":
        return contact_details.check_email
    if kind == "website":
        return contact_details.check_web
    raise ValueError(f"no check for {kind}")


class FieldWarning(QLabel):
    """The warning for one line edit: hidden while what is typed reads well."""

    def __init__(self, edit: QLineEdit, check: Callable[[str], str | None], name: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = edit
        self.check = check
        self.setObjectName("field_warning")
        self.setAccessibleName(f"{name} warning")
        self.setAccessibleDescription(NOT_REFUSED)
        self.setToolTip(NOT_REFUSED)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # right under its field
        # amber, "worth a look", not the red of a refusal (fieldkit.ui.palette keeps it at 4.5:1 or more)
        palette.set_style_sheet(self, "QLabel#field_warning { color: $note; }")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.form: QFormLayout | None = None
        self.hide()
        self._pause = Debounced(self, self.refresh)
        edit.textEdited.connect(lambda _text: self._pause.start())
        edit.editingFinished.connect(self.refresh)

    def place_in(self, form: QFormLayout) -> FieldWarning:
        """Add the warning as a row of ``form`` under its field, the row hidden while empty."""
        form.addRow("", self)
        self.form = form
        form.setRowVisible(self, False)
        return self

    def refresh(self) -> None:
        """Check the field's text now (after a pause in typing, when it is left or loaded)."""
        self._pause.timer.stop()
        warning = self.check(self.edit.text())
        self.setText(warning or "")
        if self.form is not None:
            self.form.setRowVisible(self, bool(warning))
        else:
            self.setVisible(bool(warning))

    @property
    def warning(self) -> str | None:
        """The warning shown, or None."""
        return None if self.isHidden() else self.text() or None
