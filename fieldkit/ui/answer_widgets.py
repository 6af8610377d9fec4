"""The card that shows a question with its help and its input, and the page of a section.

The inputs themselves are in fieldkit/ui/answer_fields.py; which one asks a question is
looked up in ``WIDGETS`` by its type's ``widget`` (fieldkit/question_types.py), so a new
question type is a new registry entry there and, only if it needs a new kind of input, one
entry here. Invalid input (a number that is not a number) is marked on the card and never
saved. Anonymous questions get their own colour and say where their answer is: held with
this interview, or moved to the pool (the runner tells each card, with the sentences of
fieldkit/ui/held.py). A card or page is worded in any of the schedule's languages, right to
left where the language is written so.
"""

from __future__ import annotations

import unicodedata

from fieldkit.templates import Question, Section, is_rtl
from fieldkit.ui.answer_fields import (  # noqa: F401 - INSTANT, TYPED and parse_number: used from here too
    INSTANT,
    RING_ROOM,
    TYPED,
    AnswerField,
    CalculatedField,
    ChoiceField,
    DateField,
    NumberField,
    TextField,
    YesNoField,
    parse_number,
)
from fieldkit.ui import palette
from fieldkit.ui.held import section_band
from fieldkit.ui.qt import (
    QEvent,
    QFocusFrame,
    QFrame,
    QLabel,
    QPainter,
    QPalette,
    QPen,
    QRectF,
    QScrollArea,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.welcome import heading

ANONYMOUS_WORDS = "Anonymous — moves to the comment pool, never stored against this organisation"


def direction(language: str | None) -> Qt.LayoutDirection:
    """Right to left for Urdu, Arabic and the like; left to right for every other language."""
    rtl = language is not None and is_rtl(language)
    return Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight


def writing(text: str) -> str:
    """"rtl" or "ltr": the direction of ``text``'s first letter that has one."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


class FocusRing(QFocusFrame):
    """A 2px ring in the highlight colour around whichever control has the keyboard focus:
    the style's own dotted rectangle is faint, and left out when focus arrives by mouse."""

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)

    def follow(self, widget: QWidget | None) -> None:
        """Ring ``widget`` (None, or a window: no ring)."""
        target = widget if widget is not None and not widget.isWindow() else None
        if target is not self.widget():
            self.setWidget(target)  # type: ignore[arg-type]  # Qt takes None (no ring); the stubs leave it out

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        handled = super().eventFilter(watched, event)
        if watched is self.widget() and event.type() == QEvent.Type.StyleChange:
            QTimer.singleShot(0, self, self._again)  # QFocusFrame hides on a style change (a problem's red border)
        return handled

    def _again(self) -> None:
        widget = self.widget()
        if widget is not None and widget.hasFocus() and widget.isVisible():
            self.setWidget(None)  # type: ignore[arg-type]  # Qt takes None (no ring); the stubs leave it out
            self.setWidget(widget)


#: The input for each kind of question, by its type's ``widget`` (fieldkit.question_types).
WIDGETS: dict[str, type[AnswerField]] = {
    "text": TextField,
    "number": NumberField,
    "choice": ChoiceField,
    "yes_no": YesNoField,
    "date": DateField,
    "calculated": CalculatedField,
}


def make_field(question: Question) -> AnswerField:
    """The input for ``question``'s type (KeyError: a type whose input the screens lack)."""
    return WIDGETS[question.qtype.widget](question)


def _anonymous_style(language: str | None) -> str:
    edge = "border-right" if direction(language) == Qt.LayoutDirection.RightToLeft else "border-left"
    return (f"QFrame#anonymous {{ background: $anonymous_tint; {edge}: 6px solid $anonymous_edge; "
            "border-radius: 3px; } QFrame#anonymous QLabel { color: $anonymous_on_tint; }")


class QuestionCard(QFrame):
    """A question as the researcher reads it: label, help, required mark, the input, any problem.

    ``language`` words it in one of the schedule's languages (right to left where that is how
    the language is written); ``show_texts`` rewords label and help (the runner fills in
    ``${answers}``).
    """

    def __init__(self, question: Question, *, language: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = question
        self.language = language
        #: anonymous only: where its answer is (``show_whereabouts``)
        self.whereabouts: QLabel | None = None
        self.setObjectName("anonymous" if question.anonymous else "named")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12 - RING_ROOM, 10, 12 - RING_ROOM, 10)
        layout.setSpacing(5)
        if question.anonymous:
            band = QLabel(f"<b>{ANONYMOUS_WORDS}</b>")
            band.setObjectName("anonymous_words")
            band.setWordWrap(True)
            layout.addWidget(band)
            self.whereabouts = QLabel()
            self.whereabouts.setObjectName("whereabouts")
            self.whereabouts.setTextFormat(Qt.TextFormat.PlainText)
            self.whereabouts.setWordWrap(True)
            font = self.whereabouts.font()
            font.setItalic(True)
            self.whereabouts.setFont(font)
            layout.addWidget(self.whereabouts)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self.help = QLabel()
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setWordWrap(True)
        self.help.setObjectName("help")
        if not question.anonymous:
            palette.set_style_sheet(self.help, "color: $muted;")
        layout.addWidget(self.help)
        self.field = make_field(question)
        self.label.setBuddy(self.field.focus_target())
        layout.addWidget(self.field)
        on = "_on_anonymous_tint" if question.anonymous else ""  # read on the card's own background
        self.note = QLabel()
        self.note.setObjectName("note")
        palette.set_style_sheet(self.note, f"color: $note{on};")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        palette.set_style_sheet(self.problem, f"color: $problem{on}; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        for label in self.findChildren(QLabel):  # in line with the inputs, inside their ring room
            if label.parentWidget() is self:
                label.setContentsMargins(RING_ROOM, 0, RING_ROOM, 0)
        if not question.anonymous:
            self.setFrameShape(QFrame.Shape.NoFrame)
        self._texts: tuple[str, str] | None = None
        self.set_language(language)

    def set_language(self, language: str | None) -> None:
        """Word the card in ``language`` (None: the schedule's default, and the page's direction)."""
        self.language = language
        if language is None:
            self.unsetLayoutDirection()
        else:
            self.setLayoutDirection(direction(language))
        if self.question.anonymous:
            palette.set_style_sheet(self, _anonymous_style(language))
        self.field.set_language(language)
        self.show_texts(*self.texts())

    def texts(self) -> tuple[str, str]:
        """Label and help in the card's language, as written (``${...}`` not filled in)."""
        return self.question.text("label", self.language), self.question.text("help", self.language)

    def show_texts(self, label: str, help_: str) -> None:
        """Show ``label`` and ``help_`` (already filled in); only what changed is redrawn."""
        if self._texts == (label, help_):
            return
        self._texts = (label, help_)
        q = self.question
        behind = palette.tint("anonymous") if q.anonymous else palette.window()
        problem, muted = palette.text("problem", behind).name(), palette.muted(against=behind).name()
        required = f" <span style='color:{problem}'>· required</span>" if q.required else ""
        # the paragraph runs the way the label's own script does (the id alone would make it left to right)
        self.label.setText(f"<div dir='{writing(label)}'><span style='color:{muted}'>{q.id}</span>&nbsp; "
                           f"<b>{_escape(label)}</b>{required}</div>")
        self.help.setText(help_)
        self.help.setVisible(bool(help_))
        target = self.field.focus_target()
        name = label + (" (required)" if q.required else "")
        if q.anonymous:
            name += " — anonymous, moves to the comment pool"
        target.setAccessibleName(name)
        target.setAccessibleDescription(help_)
        self.field.set_label(label)

    def show_whereabouts(self, text: str) -> None:
        """Say where an anonymous question's answer is (held with this interview, or moved)."""
        if self.whereabouts is not None and self.whereabouts.text() != text:
            self.whereabouts.setText(text)
            self.whereabouts.setAccessibleName(text)

    def show_note(self, text: str | None) -> None:
        """A word about the answer that is not a problem with it (a choice no longer offered)."""
        text = text or ""
        if text != self.note.text():
            self.note.setText(text)
            self.note.setVisible(bool(text))

    def show_problem(self, text: str | None) -> None:
        """Mark the input as not saved (``text`` says why), or clear the mark."""
        text = text or ""
        if text == self.problem.text():
            return  # nothing to redraw: this runs on every keystroke
        target = self.field.focus_target()
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        palette.set_style_sheet(target, "border: 2px solid $problem_edge;" if text else "")

    @property
    def has_problem(self) -> bool:
        return not self.problem.isHidden()


class SectionPage(QScrollArea):
    """One section of the schedule: title, intro, a band if it is all anonymous, its question cards."""

    def __init__(self, section: Section, *, k: int, language: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.section = section
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 0, 12, 12)
        layout.setSpacing(10)
        self.title = heading(section.title, 1.25)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.title)
        self.intro = QLabel()
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.intro.setObjectName("intro")
        font = self.intro.font()
        font.setItalic(True)
        self.intro.setFont(font)
        layout.addWidget(self.intro)
        self.skipped = QLabel("This section is not asked, given the answers so far.")
        self.skipped.setObjectName("skipped")
        self.skipped.setWordWrap(True)
        palette.set_style_sheet(self.skipped, "QLabel#skipped { color: $note; font-weight: bold; }")
        self.skipped.hide()
        layout.addWidget(self.skipped)
        if section.questions and all(q.anonymous for q in section.questions):
            band = QLabel(section_band(k))
            band.setWordWrap(True)
            band.setObjectName("anonymous_section")
            palette.set_style_sheet(band, "QLabel#anonymous_section { background: $anonymous_band; "
                                    "color: $anonymous_on_band; padding: 8px 10px; border-radius: 3px; }")
            layout.addWidget(band)
        self.cards = [QuestionCard(q, language=language) for q in section.questions]
        for card in self.cards:
            layout.addWidget(card)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(inner)
        self.set_language(language)

    def set_language(self, language: str | None) -> None:
        """Word the section and its cards in ``language``, laid out in its direction."""
        self.setLayoutDirection(direction(language))
        title = self.section.text("title", language)
        intro = self.section.text("intro", language)
        self.title.setText(title)
        self.intro.setText(intro)
        self.intro.setVisible(bool(intro))
        self.setAccessibleName(f"Questions: {title}")
        for card in self.cards:
            if card.language != language:
                card.set_language(language)

    def show_asked(self, asked: bool) -> None:
        """Say so when the logic leaves the whole section out."""
        if self.skipped.isHidden() != asked:
            self.skipped.setVisible(not asked)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
