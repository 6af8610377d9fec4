"""The schedule's logic as the interview runner shows it: which questions and sections are
asked, the choices offered, ``${answers}`` in labels and help, calculated values, and how
far the interview has got (relevant questions only).

The rules are the core's (``Template.logic``, fieldkit/logic.py), worked out on the answers
the runner holds: those loaded with the interview (``InterviewSession.answers()``, held
anonymous ones included) and each answer as it is given and handed to the saver. That is
what ``InterviewSession.state()`` computes once the saves have landed, without reading the
study on the UI thread while the saver writes; the core checks every answer again as it
saves it and refuses what breaks a rule. Working it out as each answer changes means a
question that the answer makes relevant is there before Tab moves on.

Changes are made in one batch with updates off, and only where something differs. The
card being answered is never hidden or moved: questions can only depend on earlier ones,
so an answer changes cards below it; if a card above the focused one changes (a save
landing late, a language switch), the page scrolls by as much, and a focused card that is
no longer asked hides once the focus leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fieldkit.logic import State
from fieldkit.templates import Question
from fieldkit.ui import palette
from fieldkit.ui.answer_widgets import (
    ChoiceField,
    QuestionCard,
)
from fieldkit.ui.qt import (
    QApplication,
    QBrush,
    QCoreApplication,
    QEvent,
    QListWidget,
    QListWidgetItem,
    QPalette,
    QPoint,
    QSize,
    Qt,
    QTextLayout,
    QTextOption,
)

if TYPE_CHECKING:
    from fieldkit.ui.interview_runner.runner import Runner

NOT_ASKED = "Not asked, given the answers so far"
#: An item's data: whether the list shows its section as asked.
_SHOWN = Qt.ItemDataRole.UserRole + 1


def _fills(question: Question) -> bool:
    """Whether any of the question's texts shows an answer (``${q}``)."""
    texts = [question.label, question.help] + list(question.translations.values())
    return any("${" in t for t in texts if t)


def _fit(item: QListWidgetItem, view: QListWidget) -> None:
    """Give ``item`` room for all its lines: the list measures them in its own font, and a
    script set in a taller fallback font (Urdu, Arabic) would lose its second line."""
    width = view.width() - 2 * (view.frameWidth() + view.spacing()) - view.verticalScrollBar().sizeHint().width()
    layout = QTextLayout(item.text().replace("\n", "\u2028"), view.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    lines = 0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width - 12)  # the item's margins
        height += line.height()
        lines += 1
    layout.endLayout()
    plain = view.fontMetrics().lineSpacing() * lines
    item.setSizeHint(QSize(width, int(height) + 12) if height > plain + 1 else QSize())


class RunnerLogic:
    """The runner's answers and what the template's logic makes of them, shown on its cards."""

    def __init__(self, runner: Runner, answers: dict[str, Any]):
        self.runner = runner
        self.template = runner.template
        self.logic = self.template.logic
        #: question id -> stored value: what the runner shows and has handed (or will hand) the saver
        self.answers: dict[str, Any] = dict(answers)
        #: the values last handed to the saver (or loaded): what the study holds once saves land
        self.sent: dict[str, Any] = dict(answers)
        questions = self.template.questions()
        self._filtered = [q.id for q in questions if q.choice_filter]
        self._filling = [q.id for q in questions if _fills(q)]
        self._computed = [q.id for q in questions if q.qtype.computed]
        #: anything to work out at all (a schedule without logic costs nothing per keystroke)
        self.active = bool(self.logic.has_logic or self._filtered or self._filling)
        self.state: State = self.logic.state(self.answers)
        #: the focused card should hide but keeps its place until the focus leaves it
        self.deferred = False
        self._counts: dict[int, tuple[int, int]] = {}

    # --- answers -------------------------------------------------------------------------

    def problem(self, question: Question, value: Any) -> str | None:
        """Why ``value`` may not be ``question``'s answer under the schedule's rules (None: fine)."""
        if value is None or not (question.constraint or question.choice_filter):
            return None
        return self.logic.problem(question, value, self.answers, language=self.runner.language)

    def answer(self, question_id: str, value: Any) -> bool:
        """The researcher's answer now (not necessarily saved yet). True if what is asked changed."""
        if self.answers.get(question_id) == value:
            return False
        if value is None:
            self.answers.pop(question_id, None)
        else:
            self.answers[question_id] = value
        return self.refresh()

    def refused(self, question_id: str) -> bool:
        """The answer on screen is not saved: the study keeps the one sent before."""
        return self.answer(question_id, self.sent.get(question_id))

    def refresh(self) -> bool:
        """Work the logic out again and show what changed. True if what is asked changed (the
        cards and sections were shown again, progress too); a calculated value, the choices
        offered or an answer shown in a label are brought up to date either way."""
        if not self.active:
            return False
        old, self.state = self.state, self.logic.state(self.answers)
        if self.deferred or (old.relevant, old.sections) != (self.state.relevant, self.state.sections):
            self.apply()
            return True
        if old != self.state:  # typing into a question others show: no batch, no repaint of the page
            self._show_values()
        return False

    def asked(self, question_id: str) -> bool:
        return question_id in self.state.relevant

    def section_asked(self, row: int) -> bool:
        return self.template.sections[row].id in self.state.sections

    def asked_row(self, row: int, step: int) -> int | None:
        """The nearest section asked after (``step`` 1) or before (-1) ``row``; None if none."""
        row += step
        while 0 <= row < len(self.template.sections):
            if self.section_asked(row):
                return row
            row += step
        return None

    # --- showing -------------------------------------------------------------------------

    @contextmanager
    def steady(self) -> Iterator[QuestionCard | None]:
        """Batch changes to the page in view with its updates off, keeping the card being
        answered where it is on screen (yields that card, or None)."""
        page = self.runner.pages.currentWidget()
        focus = QApplication.focusWidget()
        anchor = None
        if focus is not None and page is not None and page.isAncestorOf(focus):
            card = self.runner._card_of(focus)
            anchor = card if isinstance(card, QuestionCard) and card.isVisible() else None
        top = self._top(anchor, page) if anchor is not None else 0
        if page is not None:
            page.setUpdatesEnabled(False)
        try:
            yield anchor
            if anchor is not None:
                self._keep(anchor, page, top)
        finally:
            if page is not None:
                page.setUpdatesEnabled(True)

    def apply(self) -> None:
        """Show the state on the cards, the pages and the list of sections, in one batch."""
        r = self.runner
        state = self.state
        with self.steady() as anchor:
            self.deferred = False
            for qid, card in r.cards.items():
                wanted = qid in state.relevant
                if card.isHidden() == wanted:
                    if card is anchor and not wanted:
                        self.deferred = True  # never pull the question away from under the cursor
                    else:
                        card.setVisible(wanted)
            self._show_values()
            for row, section_page in enumerate(r.section_pages):
                section_page.show_asked(self.section_asked(row))
            self.show_sections()
        r._update_progress()
        r._update_buttons()
        r._show_state()  # a misfit in a question no longer asked holds nothing up

    def reword(self) -> None:
        """Word every page in the runner's language now, in place: answers and focus stay."""
        with self.steady():
            for page in self.runner.section_pages:
                page.set_language(self.runner.language)
            self.fill()

    def label(self, question: Question) -> str:
        """``question``'s label as the card shows it now (language, answers filled in)."""
        return self.logic.fill(question.text("label", self.runner.language), self.state,
                               language=self.runner.language)

    def _show_values(self) -> None:
        """Calculated values, the choices offered and answers in labels (each redrawn only if
        it changed)."""
        for qid in self._computed:
            self.runner.cards[qid].field.set_value(self.state.calculated.get(qid))
        for qid in self._filtered:
            if qid in self.state.relevant:
                self._offer(self.runner.cards[qid])
        self.fill()

    def _offer(self, card: QuestionCard) -> None:
        field = card.field
        assert isinstance(field, ChoiceField)
        offered = {c.name for c in self.logic.choices(card.question, self.state)}
        stale = field.offer(offered)
        language = self.runner.language
        card.show_note(None if not stale else
                       f"“{card.question.choice_label(stale[0], language)}” is not offered for the answers before "
                       "it; pick again.")

    def fill(self) -> None:
        """Put the answers into the labels and help that show them (``${q}``)."""
        language = self.runner.language
        for qid in self._filling:
            card = self.runner.cards[qid]
            label, help_ = card.texts()
            card.show_texts(self.logic.fill(label, self.state, language=language),
                            self.logic.fill(help_, self.state, language=language))

    def show_sections(self) -> None:
        """Grey out the sections not asked (they stay in the list, in their place, so the
        schedule reads the same), in their own colours otherwise (all-anonymous ones stand out)."""
        r = self.runner
        for row, section in enumerate(self.template.sections):
            item = r.sections.item(row)
            asked = self.section_asked(row)
            flags = item.flags()
            if item.data(_SHOWN) == asked:
                continue
            item.setData(_SHOWN, asked)
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if asked else flags & ~Qt.ItemFlag.ItemIsEnabled)
            anonymous = bool(section.questions) and all(q.anonymous for q in section.questions)
            if not asked:
                item.setBackground(QBrush())
                item.setForeground(r.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            elif anonymous:
                band = palette.tint("anonymous", palette.base())
                item.setBackground(band)
                item.setForeground(palette.text("anonymous", band))
            else:
                item.setBackground(QBrush())
                item.setForeground(r.palette().color(QPalette.ColorRole.Text))

    @staticmethod
    def _top(card: QuestionCard, page) -> int:
        return card.mapTo(page.viewport(), QPoint(0, 0)).y()

    def _keep(self, anchor: QuestionCard, page, top: int) -> None:
        """Scroll so that ``anchor`` is where it was before cards above it came or went."""
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        moved = self._top(anchor, page) - top
        if moved:
            bar = page.verticalScrollBar()
            bar.setValue(bar.value() + moved)

    # --- progress ------------------------------------------------------------------------

    def show_progress(self, rows: list[int] | None = None) -> None:
        """Each section's "N of M answered" (``rows``: only those), and the interview's."""
        r = self.runner
        for i in range(len(r.section_cards)) if rows is None else rows:
            cards = r.section_cards[i]
            if self.section_asked(i):
                done, asked, to_go, required = self.counts(cards)
                state = f"{done} of {asked} answered"
                if to_go:
                    state += f" · {to_go} required to go"
                elif required:
                    state += " · required done"
            else:
                done = asked = 0
                state = NOT_ASKED
            self._counts[i] = (done, asked)
            anonymous = " · anonymous" if cards and all(c.question.anonymous for c in cards) else ""
            item = r.sections.item(i)
            text = f"{self.template.sections[i].text('title', r.language)}\n{state}{anonymous}"
            if item.text() != text:
                item.setText(text)
                item.setToolTip(state)
                _fit(item, r.sections)
        done = sum(d for d, _ in self._counts.values())
        asked = sum(a for _, a in self._counts.values())
        progress = f"{done} of {asked} questions answered ·"
        if r.progress.text() != progress:
            r.progress.setText(progress)

    def counts(self, cards: list[QuestionCard]) -> tuple[int, int, int, bool]:
        """(answered, asked, required still to go, any required) over ``cards``' asked questions."""
        asked = [c for c in cards if c.question.id in self.state.relevant and c.field.takes_focus]
        answered = [self.runner._answered(c) for c in asked]
        to_go = sum(c.question.required and not done for c, done in zip(asked, answered, strict=True))
        return sum(answered), len(asked), to_go, any(c.question.required for c in asked)
