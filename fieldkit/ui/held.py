"""Anonymous answers held with their interviews, as the screens say it: the sentences (pure
wording, one place for all of them) and the Pool screen's "Held with interviews" panel with
its "Move to the pool now…" button for the end of fieldwork.

The rules are the core's (fieldkit.held, fieldkit.anonymity): an anonymous answer waits with
its interview until k finished interviews have answered the same question (for a question
counted by category: k of the same category), then moves into the pool with theirs.
"""

from __future__ import annotations

import html

from fieldkit.held import Group
from fieldkit.ui import errors
from fieldkit.ui.qt import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from fieldkit.ui.session import INTERVIEWS, POOL

NO_CATEGORY_WORDS = "organisations with no category"
#: The most rows the panel's list shows before it scrolls: it stays compact.
VISIBLE_ROWS = 3


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def category_name(category: str | None) -> str:
    """A group's category as a table or list shows it ('' is "No category")."""
    if category is None:
        return ""
    return category or "No category"


def _of_category(category: str | None) -> str:
    if category is None:
        return ""
    return f" of {NO_CATEGORY_WORDS}" if category == "" else f" of “{category}” organisations"


def until(k: int, category: str | None = None, *, what: str = "it") -> str:
    """"until 5 finished interviews have answered it" (of one category, for a group counted by it)."""
    verb = "has" if k == 1 else "have"
    return f"until {_plural(k, 'finished interview')}{_of_category(category)} {verb} answered {what}"


def held_line(group: Group, k: int) -> str:
    """Where a held answer is: the line on its question card."""
    return (f"Held with this interview {until(k, group.category)}, then moved to the pool "
            f"({group.finished} of {k} so far)")


def waiting_line(k: int, *, by_category: bool = False) -> str:
    """What will happen to an answer not given yet (or cleared)."""
    scope = " of the same category" if by_category else ""
    return (f"An answer here is held with this interview until {_plural(k, 'finished interview')}{scope} "
            f"{'has' if k == 1 else 'have'} answered it, then moved to the pool.")


MOVED_LINE = ("Any earlier answer to this question has moved to the pool and cannot be shown here. "
              "Answering again adds another answer.")


def card_line(question, group: Group | None, k: int, *, moved_earlier: bool) -> str:
    """An anonymous question card's line: held (how far from moving), to be held once given,
    or, in an interview finished before and not answered in this sitting, moved earlier."""
    if group is not None:
        return held_line(group, k)
    if moved_earlier:
        return MOVED_LINE
    return waiting_line(k, by_category=bool(question.count_by))


def section_band(k: int) -> str:
    """The band over a section where every question is anonymous (rich text)."""
    return ("<b>This whole section is anonymous.</b> Every answer here is held with this interview until "
            f"{_plural(k, 'finished interview')} {'has' if k == 1 else 'have'} answered the same question, then "
            "moved to the comment pool with theirs, with nothing that links it to this organisation or this "
            "interview.")


def finished_words(before: dict[str, Group], after: dict[str, Group], k: int) -> str:
    """After finishing an interview: what became of its anonymous answers ('' if it gave none)."""
    moved = len(set(before) - set(after))
    out = []
    if moved:
        out.append(f"{_plural(moved, 'anonymous answer')} moved to the pool with other interviews' answers.")
    if after:
        n = len(after)
        out.append(f"{_plural(n, 'anonymous answer')} {'is' if n == 1 else 'are'} held with it until "
                   f"{_plural(k, 'finished interview')} {'has' if k == 1 else 'have'} answered the same question.")
    return " ".join(out)


def lacks_held(k: int, what: str, *, by_category: bool = False) -> str:
    """What a study restored from a backup (``what``: "A study restored from a backup", "The
    copy") is missing, and that the study file keeps it."""
    each = "each question" + (" (each category, for a question counted by category)" if by_category else "")
    if k <= 1:
        scope = "any unfinished interview's"
    elif k == 2:
        scope = f"at most the last finished interview's answer to {each}, and any unfinished interview's"
    else:
        scope = f"at most the last {k - 1} finished interviews' answers to {each}, and any unfinished interview's"
    return (f"{what} lacks the anonymous answers still held with their interviews: {scope}. "
            "The study file itself keeps them.")


def too_few_line(group: Group) -> str:
    """One group that "Move to the pool now" would hide among fewer than k interviews (rich text)."""
    where = f" ({html.escape(category_name(group.category))})" if group.category is not None else ""
    return (f"“{html.escape(group.label)}”{where}: its answers would be hidden among only "
            f"{_plural(group.finished, 'interview')}")


class HeldPanel(QFrame):
    """Pool screen: each group of answers still held with its interviews, how far it is from
    moving, and "Move to the pool now…" for the end of fieldwork."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setVerticalSpacing(4)
        self.summary = QLabel()
        self.summary.setObjectName("held_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary, 0, 0)
        self.move_button = QPushButton("&Move to the pool now…")
        self.move_button.setToolTip("At the end of fieldwork: move all held answers of finished interviews into "
                                    "the pool, however few have answered")
        self.move_button.clicked.connect(self.move_now)
        layout.addWidget(self.move_button, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Answers held with interviews")
        self.tree.setHeaderLabels(["Question", "Category", "Finished interviews", "Unfinished"])
        self.tree.setHeaderHidden(True)  # each cell says what it is: "3 of 5 finished interviews"
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.message = QLabel()
        self.message.setObjectName("held_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message, 2, 0, 1, 2)
        self.groups: list[Group] = []
        self.refresh()

    def refresh(self) -> None:
        study = self.session.study
        k = study.anonymity_k
        self.groups = study.held.groups()
        self.message.hide()  # what the last move did is news only until something else changes
        self.tree.clear()
        for g in self.groups:
            unfinished = f"{g.unfinished} unfinished" if g.unfinished else ""
            item = QTreeWidgetItem([g.label, category_name(g.category), f"{g.finished} of {k} finished interviews",
                                    unfinished])
            item.setToolTip(0, g.label)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.tree.setColumnHidden(1, not any(g.category is not None for g in self.groups))
        self.tree.setColumnHidden(3, not any(g.unfinished for g in self.groups))
        rows = min(len(self.groups), VISIBLE_ROWS)
        row_height = self.tree.sizeHintForRow(0) if self.groups else 0
        self.tree.setFixedHeight(rows * row_height + 2 * self.tree.frameWidth() + 2)
        self.tree.setVisible(bool(self.groups))
        if self.groups:
            n = sum(g.finished + g.unfinished for g in self.groups)
            one = n == 1
            said = (f"{_plural(n, 'anonymous answer')} {'waits' if one else 'wait'} with "
                    f"{'its interview' if one else 'their interviews'} {until(k, what='the same question')}, "
                    f"then {'moves' if one else 'move'} to the pool{'' if one else ' together'}.")
        else:
            said = "Nothing is held: the anonymous answers of all finished interviews are in the pool."
        self.summary.setText(f"<b>Held with interviews</b> · {html.escape(said)}")
        movable = any(g.finished for g in self.groups)
        self.move_button.setEnabled(movable)
        if self.groups and not movable:
            self.move_button.setToolTip("Only unfinished interviews hold answers: they wait until those are finished")

    def move_now(self) -> bool:
        """Move every finished interview's held answers to the pool, after a warning naming
        each question whose answers would hide among fewer than k interviews. True if moved."""
        study = self.session.study
        k = study.anonymity_k
        groups = study.held.groups()
        small = study.held.too_small()
        if not any(g.finished for g in groups):
            return False
        if small:
            box = QMessageBox(QMessageBox.Icon.Warning, "Move to the pool now?",
                              f"Moving now hides these answers among fewer than k = {k} interviews:<ul>"
                              + "".join(f"<li>{too_few_line(g)}</li>" for g in small) + "</ul>",
                              QMessageBox.StandardButton.Cancel, self)
            box.setTextFormat(Qt.TextFormat.RichText)
            box.setInformativeText("Whoever knows which interviews were taken could narrow each of those answers "
                                   "down to them. Do this only at the end of fieldwork. Answers of unfinished "
                                   "interviews stay held.")
            move = box.addButton("Move to the pool anyway", QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is not move:
                return False
        moved = self.session.call(study.held.move_now, changes={POOL, INTERVIEWS},
                                  what="moving the held answers to the pool")
        if moved is None:
            return False
        self.refresh()
        self.message.setText(f"Moved {_plural(moved.answers, 'answer')} to the pool.")
        self.message.show()
        if moved.checkpoint is not None and not moved.checkpoint.done:
            errors.warn(self, "The move is not finished on disk",
                        "The answers are in the pool, but the study's log of recent changes could not be emptied "
                        f"yet, and it still shows the order they were written in: {moved.checkpoint.describe()}.")
        return True
