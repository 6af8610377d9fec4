"""The welcome screen's "From an XLSForm…": a new study whose schedule is a form built in
KoboToolbox, ODK or any XLSForm editor. What fieldkit cannot express (repeats, media,
geopoints, external choices…) is shown by sheet and row before anything is created."""

from __future__ import annotations

from pathlib import Path

from fieldkit.errors import FieldkitError
from fieldkit.ui import errors
from fieldkit.ui.qt import QApplication, QFileDialog, QMessageBox, Qt, QWidget

#: How many of the form's problems the dialog lists before "and N more" (all are in its details).
SHOWN = 8


def choose_form(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Start from an XLSForm", str(Path.home()),
                                          "XLSForms (*.xlsx *.xlsm)")
    return Path(name) if name else None


def template_from_form(parent: QWidget, path: Path):
    """The template the form at ``path`` makes, once the user has seen what it cannot hold;
    None (having said why) when the file is not a form or the user cancelled."""
    from fieldkit.template_toml import template_from_dict
    from fieldkit.xlsform import import_xlsform

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = import_xlsform(path)
        template = template_from_dict(result.template_dict, source=str(path))
    except FieldkitError as e:
        QApplication.restoreOverrideCursor()
        errors.warn(parent, "Cannot start from that form", str(e))
        return None
    QApplication.restoreOverrideCursor()
    if result.problems:
        count = len(result.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, "What the form holds that fieldkit cannot",
                          f"{path.name} makes a schedule of {len(template.questions())} questions, but "
                          f"{count} thing{'s' if count != 1 else ''} in it cannot come across:",
                          QMessageBox.StandardButton.NoButton, parent)
        shown = result.problems[:SHOWN]
        more = f"\n… and {count - SHOWN} more (Show Details)" if count > SHOWN else ""
        box.setInformativeText("\n".join(f"• {p}" for p in shown) + more)
        box.setDetailedText("\n".join(result.problems))
        create = box.addButton("Create the study", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(create)
        box.exec()
        if box.clickedButton() is not create:
            return None
    return template


def start_from_xlsform(window, path: Path | None = None) -> None:
    """Ask for the form (unless ``path`` is given), show what it cannot hold, then create the
    study as any new study is created (where to save it, whether to encrypt it)."""
    path = path or choose_form(window)
    if path is None:
        return
    template = template_from_form(window, path)
    if template is not None:
        window._create_study(template)
