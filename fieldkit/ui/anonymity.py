"""The study's anonymity setting k on screen: the "Anonymity" part of Study settings, and the
warnings the Reports screen shows where a pooled answer hides among fewer than k interviews.

k and its rules are the core's (fieldkit.anonymity): this module words them and asks before a
k below the safe minimum is set.
"""

from __future__ import annotations

import html

from fieldkit import anonymity
from fieldkit.held import Group
from fieldkit.ui import palette
from fieldkit.ui.held import category_name
from fieldkit.ui.qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.welcome import heading
from fieldkit.ui.session import DETAILS, INTERVIEWS, POOL

SAVE_DELAY_MS = 600
EXPLANATION = ("A pooled answer is hidden among at least k interviews: anonymous answers wait with their "
               "interview until k finished interviews have answered the same question, then move to the pool "
               "together.")
#: The most warnings the Reports screen's box lists before it says "… and N more".
MAX_SHOWN = 5


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def report_lines(study) -> list[str]:
    """The Reports screen's anonymity warnings: the core's (``anonymity.warnings``), then for
    each question counted by category the categories still below k ("Knowledge of funding:
    Faith organisations 2 of 5, …")."""
    out = [_sentence(line.removeprefix("anonymity:")) for line in anonymity.warnings(study)]
    k = study.anonymity_k
    waiting: dict[str, list[Group]] = {}
    for group in study.held.groups():
        if group.category is not None and group.finished < k:
            waiting.setdefault(group.question_id, []).append(group)
    for groups in waiting.values():
        parts = ", ".join(f"{category_name(g.category)} {g.finished} of {k}" for g in groups)
        label = groups[0].label
        out.append(f"{label}{'' if label.endswith(('?', '.', '!')) else ':'} {parts}. "
                   f"Counted by category once {k} finished interviews of a category have answered.")
    return out


class AnonymityWarnings(QLabel):
    """A warning box listing ``report_lines``; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("anonymity_warnings")
        self.setAccessibleName("Anonymity warnings")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        palette.set_style_sheet(self, "QLabel#anonymity_warnings { background: $warning_tint; "
                                      "color: $warning_on_tint; border-left: 5px solid $warning_edge; "
                                      "padding: 6px 10px; }")
        self.lines: list[str] = []
        self.hide()

    def refresh(self, study) -> None:
        self.lines = report_lines(study)
        shown = self.lines if len(self.lines) <= MAX_SHOWN else self.lines[:MAX_SHOWN - 1]
        text = "<b>Anonymity</b>" + "".join(f"<br>• {html.escape(line)}" for line in shown)
        if len(shown) < len(self.lines):  # the box stays small beside the report; the rest in its tool tip
            more = len(self.lines) - len(shown)
            text += f"<br>• … and {more} more (point here to read them all, or run fieldkit check)"
        self.setText(text if self.lines else "")
        self.setToolTip("\n".join(self.lines) if len(shown) < len(self.lines) else "")
        self.setVisible(bool(self.lines))


class AnonymityPanel(QFrame):
    """Study settings ▸ Anonymity: k, saved after a pause (and at once on leaving the box);
    lowering it below the safe minimum asks first, showing what that gives up. Edit ▸ Undo
    puts k back; answers that a lower k moved to the pool stay there."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Anonymity", 1.1))
        row = QHBoxLayout()
        label = QLabel("Hide each pooled answer among at &least")
        self.spin = QSpinBox()
        self.spin.setRange(1, anonymity.MAX_K)
        self.spin.setKeyboardTracking(False)  # typing "10" is not first a k of 1
        self.spin.setAccessibleName("k: the fewest interviews a pooled answer is hidden among")
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("50") + 48)
        label.setBuddy(self.spin)
        row.addWidget(label)
        row.addWidget(self.spin)
        row.addWidget(QLabel("interviews (k)"))
        row.addStretch(1)
        layout.addLayout(row)
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.message = QLabel()
        self.message.setObjectName("anonymity_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        self.spin.valueChanged.connect(lambda _: self._timer.start())
        self.spin.editingFinished.connect(self.flush)
        self.refresh()

    def refresh(self) -> None:
        if not self._timer.isActive():
            self.spin.blockSignals(True)
            self.spin.setValue(self.session.study.anonymity_k)
            self.spin.blockSignals(False)

    def flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.save()

    def save(self) -> bool:
        """Set k to the box's value (asking first below the safe minimum). True if set."""
        self._timer.stop()
        study = self.session.study
        value, old = self.spin.value(), study.anonymity_k
        if value == old:
            return False
        risky = anonymity.needs_consent(study, value)
        if risky and not self._confirm(value):
            self.refresh()
            return False
        held = study.held.count()
        done = self.session.edit(f"change of k to {value}", lambda: anonymity.set_k(study, value, accept_risk=risky),
                                 lambda: anonymity.set_k(study, old, accept_risk=True),  # as it was, risk and all
                                 {DETAILS, POOL, INTERVIEWS})
        if not done:
            self.refresh()
            return False
        moved = held - study.held.count()
        text = f"k is now {value}."
        if moved:
            text += f" {moved} held answer{'s' if moved != 1 else ''} moved to the pool, now that enough " \
                    "interviews have answered."
        self.message.setText(text)
        self.message.show()
        return True

    def _confirm(self, value: int) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, f"Lower k to {value}?",
                          _sentence(anonymity.risk(value) or ""), QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(f"Answers held now move to the pool as soon as {value} finished "
                               f"interview{'s have' if value != 1 else ' has'} answered the same question, "
                               "and cannot be taken back out.")
        accept = box.addButton(f"Set k to {value}", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept
