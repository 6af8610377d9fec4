"""Bar charts for the report, drawn with reportlab.graphics.

Choice and category labels can be long and in any script, so they are never drawn as
chart strings (which reportlab neither wraps nor shapes): each chart is a flowable that
sets its labels as paragraphs (``text.para``) beside a ``Drawing`` of bars whose rows line
up with them. Only numbers ("45%") are drawn inside the drawing, each as the tables print it
(``summary.percent_text``: whole percentages under a base of 100).

A figure hidden by small-number protection is drawn as what it is: a hatched grey bar (or the
hatched rest of a 100% bar) marked "not shown (small number)", with a key entry under the
stacked bars and a caption saying so (``chart_for``), never as a bar of unknown length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from fieldkit import summary
from fieldkit.reports.text import para, styles

ACCENT = colors.HexColor("#1F5C7A")
ACCENT_LIGHT = colors.HexColor("#E4EDF2")
RULE = colors.HexColor("#C5D1D8")
GRID = colors.HexColor("#E3E8EB")
MUTED = colors.HexColor("#5E6B73")
#: Ordered scales run light to dark; yes/no is accent against grey.
SCALE_COLOURS = ["#A7C4D4", "#7FA9BF", "#4F8BA8", "#1F5C7A", "#123A4E", "#0A2230"]
QUALITATIVE = ["#1F5C7A", "#C9822B", "#6C9A4B", "#9A4B6C", "#4B6C9A", "#8A8A3A", "#3A8A8A", "#7A5C1F"]
#: A figure hidden by small-number protection: a light grey bar with darker grey hatching.
HIDDEN_FILL = colors.HexColor("#EEF1F3")
HIDDEN_LINE = colors.HexColor("#8A969D")
#: What a hidden figure's bar says, and its key entry.
HIDDEN_LABEL = "not shown (small number)"
HIDDEN_KEY = "Not shown (small number)"


def palette(n: int, *, ordered: bool) -> list[colors.Color]:
    """``n`` fill colours: a light-to-dark ramp for ordered answers, distinct hues otherwise."""
    if ordered:
        if n <= len(SCALE_COLOURS):
            step = (len(SCALE_COLOURS) - 1) / max(n - 1, 1)
            picks = [SCALE_COLOURS[round(i * step)] for i in range(n)] if n > 1 else [SCALE_COLOURS[3]]
            return [colors.HexColor(c) for c in picks]
        return [colors.Color(0.85 - 0.75 * i / (n - 1), 0.9 - 0.65 * i / (n - 1), 0.95 - 0.6 * i / (n - 1))
                for i in range(n)]
    return [colors.HexColor(QUALITATIVE[i % len(QUALITATIVE)]) for i in range(n)]


@lru_cache(maxsize=1)
def _number_font() -> tuple[str, float]:
    cell = styles()["cell"]
    return cell.fontName, max(cell.fontSize - 0.5, 6.5)


def _fmt(p: float, base: int | str | None = None) -> str:
    """A percentage as the tables print it (``summary.percent_text``): whole under a base of 100,
    one decimal place from 100 up (and without a base)."""
    return summary.percent_text(p, base if isinstance(base, int) else summary.DECIMAL_BASE)


def _hatched(d: Drawing, x: float, y: float, w: float, h: float, step: float = 3.2) -> None:
    """A hidden figure's bar: grey, hatched with lines rising to the right, clipped to the box."""
    if w <= 0 or h <= 0:
        return
    d.add(Rect(x, y, w, h, fillColor=HIDDEN_FILL, strokeColor=HIDDEN_LINE, strokeWidth=0.4))
    c = -h
    while c < w:  # the line through (x + c, y) and (x + c + h, y + h), cut to the box
        x0, y0 = x + c, y
        x1, y1 = x + c + h, y + h
        if x0 < x:
            y0 += x - x0
            x0 = x
        if x1 > x + w:
            y1 -= x1 - (x + w)
            x1 = x + w
        if x1 > x0:
            d.add(Line(x0, y0, x1, y1, strokeColor=HIDDEN_LINE, strokeWidth=0.5))
        c += step


def _tick(p: float) -> str:
    return f"{p:.0f}%"


@dataclass(frozen=True)
class Bar:
    """One answer: its percentage (None when hidden by small-number protection) and count, and
    the base the percentage is of (for how it is printed)."""

    label: str
    percent: float | None
    count: int | str
    base: int | None = None


class _LabelledRows(Flowable):
    """Rows of wrapped labels on the left and a drawing on the right, kept on one page."""

    row_min = 13.0
    gap = 3.0
    axis_height = 12.0
    label_share = 0.36

    def __init__(self, labels: Sequence[str]):
        super().__init__()
        self._labels = list(labels)
        self._paras: list = []
        self._heights: list[float] = []

    def _wrap_labels(self, avail_width: float) -> float:
        self.label_width = max(avail_width * self.label_share, 60.0)
        self.plot_width = avail_width - self.label_width - 8.0 - 10.0  # room for the last tick's label
        self._paras = [para(text, "cell") for text in self._labels]
        self._heights = []
        for p in self._paras:
            _, h = p.wrap(self.label_width, 10_000)
            self._heights.append(max(h + self.gap, self.row_min))
        return sum(self._heights)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self._wrap_labels(avail_width) + self.axis_height
        return self.width, self.height

    def extra_height(self) -> float:
        return 0.0

    def split(self, avail_width: float, avail_height: float) -> list:
        return []  # a chart moves to the next page whole

    def _row_tops(self) -> list[float]:
        """The top of each row, measured up from the bottom of the flowable."""
        y = self.height - self.extra_top()
        tops = []
        for h in self._heights:
            tops.append(y)
            y -= h
        return tops

    def extra_top(self) -> float:
        return 0.0

    def draw(self) -> None:
        tops = self._row_tops()
        for p, h, top in zip(self._paras, self._heights, tops, strict=True):
            _, ph = p.wrap(self.label_width, 10_000)
            p.drawOn(self.canv, 0, top - h / 2 - ph / 2)
        drawing = self.drawing(tops)
        renderPDF.draw(drawing, self.canv, self.label_width + 8.0, 0)

    def _axis(self, d: Drawing, bottom: float, top: float, ticks: Sequence[float], scale_max: float) -> None:
        font, size = _number_font()
        for t in ticks:
            x = self.plot_width * t / scale_max
            d.add(Line(x, bottom, x, top, strokeColor=GRID if t else RULE, strokeWidth=0.5))
            d.add(String(x, bottom - size - 2, _tick(t), fontName=font, fontSize=size - 0.5,
                         fillColor=MUTED, textAnchor="middle"))

    def drawing(self, tops: list[float]) -> Drawing:  # pragma: no cover - abstract
        raise NotImplementedError


class HorizontalBars(_LabelledRows):
    """One bar per choice: the percentage of respondents, with the count beside it."""

    def __init__(self, bars: Sequence[Bar]):
        super().__init__([b.label for b in bars])
        self.bars = list(bars)

    def drawing(self, tops: list[float]) -> Drawing:
        font, size = _number_font()
        d = Drawing(self.plot_width, self.height)
        biggest = max((b.percent for b in self.bars if b.percent is not None), default=0.0)
        step = 25.0 if biggest > 50 else 10.0
        scale_max = 100.0 if biggest > 50 else max(step, step * -(-biggest // step))
        # Leave room for the value label after the longest bar.
        room = stringWidth("100% (0,000)", font, size) + 4
        plot = self.plot_width
        self.plot_width = max(plot - room, 40.0)
        ticks = [step * i for i in range(int(scale_max // step) + 1)]
        self._axis(d, self.axis_height, self.height, ticks, scale_max)
        for bar, h, top in zip(self.bars, self._heights, tops, strict=True):
            bar_h = min(h - 4, 9.0)
            y = top - h / 2 - bar_h / 2
            if bar.percent is None:  # hidden: a short hatched stub, not a length
                w = min(14.0, self.plot_width / 6)
                _hatched(d, 0, y, w, bar_h)
                d.add(String(w + 3, y + bar_h / 2 - size * 0.35, HIDDEN_LABEL,
                             fontName=font, fontSize=size, fillColor=MUTED))
                continue
            w = self.plot_width * min(bar.percent, scale_max) / scale_max
            if w > 0:
                d.add(Rect(0, y, w, bar_h, fillColor=ACCENT, strokeColor=None))
            count = f"{bar.count:,}" if isinstance(bar.count, int) else str(bar.count)
            label = f"{_fmt(bar.percent, bar.base)} ({count})"
            d.add(String(w + 3, y + bar_h / 2 - size * 0.35, label,
                         fontName=font, fontSize=size, fillColor=colors.black))
        self.plot_width = plot
        return d


@dataclass(frozen=True)
class StackedRow:
    """One group's bar: the percentage giving each answer (None where small-number protection
    hides it) of ``respondents`` (an int, or "*" when hidden)."""

    label: str
    percents: Sequence[float | None]
    respondents: int | str

    @property
    def hidden(self) -> bool:
        return any(p is None for p in self.percents) or not isinstance(self.respondents, int)


class StackedBars(_LabelledRows):
    """One 100% bar per group, split by choice, with a legend of the choices underneath."""

    legend_swatch = 7.0

    def __init__(self, rows: Sequence[StackedRow], choices: Sequence[str], *, ordered: bool):
        super().__init__([r.label for r in rows])
        self.rows = list(rows)
        self.choices = list(choices)
        self.fills = palette(len(self.choices), ordered=ordered)
        self._legend: list = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        super().wrap(avail_width, avail_height)
        self._legend_layout(self.plot_width + 10.0)  # the legend sits over the bars
        self.height += self.extra_height()
        return self.width, self.height

    @property
    def keys(self) -> list[str]:
        """The legend's entries: the choices, then the hidden figures' when any row has one."""
        return self.choices + ([HIDDEN_KEY] if any(r.hidden for r in self.rows) else [])

    def _legend_layout(self, avail_width: float) -> None:
        """Legend entries flow left to right like words, each as wide as its label (a label
        wider than the line wraps on a line of its own)."""
        self._legend = []  # (paragraph, x, y from the legend's top, width)
        x = y = line_h = 0.0
        for choice in self.keys:
            p = para(choice, "small")
            text_w = min(_natural(p), avail_width - self.legend_swatch - 4)
            w = self.legend_swatch + 4 + text_w
            if x > 0 and x + w > avail_width:
                x, y, line_h = 0.0, y + line_h, 0.0
            _, h = p.wrap(text_w + 0.5, 10_000)
            self._legend.append((p, x, y, text_w + 0.5))
            line_h = max(line_h, h + 2)
            x += w + 12
        self._legend_h = y + line_h + 2

    def extra_height(self) -> float:
        return self._legend_h

    def extra_top(self) -> float:
        return self._legend_h

    def draw(self) -> None:
        super().draw()
        left = self.label_width + 8.0
        for i, (p, x, y, w) in enumerate(self._legend):
            _, h = p.wrap(w, 10_000)
            top = self.height - y
            if i < len(self.fills):
                self.canv.setFillColor(self.fills[i])
                self.canv.rect(left + x, top - self.legend_swatch - 2, self.legend_swatch, self.legend_swatch,
                               fill=1, stroke=0)
            else:  # the hidden figures' key
                swatch = Drawing(self.legend_swatch, self.legend_swatch)
                _hatched(swatch, 0, 0, self.legend_swatch, self.legend_swatch, step=2.4)
                renderPDF.draw(swatch, self.canv, left + x, top - self.legend_swatch - 2)
            p.drawOn(self.canv, left + x + self.legend_swatch + 4, top - h)

    def drawing(self, tops: list[float]) -> Drawing:
        font, size = _number_font()
        d = Drawing(self.plot_width, self.height)
        self._axis(d, self.axis_height, tops[0] if tops else self.height, [0, 25, 50, 75, 100], 100.0)
        for row, h, top in zip(self.rows, self._heights, tops, strict=True):
            bar_h = min(h - 4, 10.0)
            y = top - h / 2 - bar_h / 2
            known = [p for p in row.percents if p is not None]
            total = sum(known)
            if row.hidden:
                total = max(total, 100.0)  # the hidden share is the rest of the bar
            elif total <= 0:
                d.add(String(2, y + bar_h / 2 - size * 0.35, "no answers", fontName=font, fontSize=size,
                             fillColor=MUTED))
                continue
            x = 0.0
            for i, p in enumerate(row.percents):
                if p is None:
                    continue
                w = self.plot_width * p / total
                if w <= 0:
                    continue
                d.add(Rect(x, y, w, bar_h, fillColor=self.fills[i], strokeColor=colors.white, strokeWidth=0.5))
                text = _fmt(p, row.respondents)
                if stringWidth(text, font, size - 0.5) + 3 < w:
                    dark = sum(_luminance(self.fills[i])) < 1.6
                    d.add(String(x + w / 2, y + bar_h / 2 - size * 0.33, text, fontName=font, fontSize=size - 0.5,
                                 fillColor=colors.white if dark else colors.black, textAnchor="middle"))
                x += w
            if row.hidden and self.plot_width - x > 0.5:
                _hatched(d, x, y, self.plot_width - x, bar_h)
                label_w = stringWidth(HIDDEN_LABEL, font, size - 0.5)
                if label_w + 10 < self.plot_width - x:  # said on the bar, on white so it reads
                    d.add(Rect(x + 3, y + 1, label_w + 4, bar_h - 2, fillColor=colors.white, strokeColor=None))
                    d.add(String(x + 5, y + bar_h / 2 - size * 0.33, HIDDEN_LABEL, fontName=font,
                                 fontSize=size - 0.5, fillColor=MUTED))
        return d


def _natural(p: Flowable) -> float:
    """The width a paragraph takes on one line."""
    _, one_line = p.wrap(10_000, 10_000)
    lo, hi = p.minWidth(), 10_000.0
    if lo >= hi:
        return lo
    # the narrowest width that keeps it on one line (a few halvings are enough)
    for _ in range(18):
        mid = (lo + hi) / 2
        if p.wrap(mid, 10_000)[1] > one_line + 0.1:
            lo = mid
        else:
            hi = mid
    return hi


def _luminance(c: colors.Color) -> tuple[float, float, float]:
    return c.red, c.green, c.blue


#: The most answers a 100% bar per category shows; more are shown overall.
STACKED_MAX = 7


def chart_for(x) -> tuple[str, Flowable] | None:
    """The caption and chart of a crosstab (``data.CrosstabTable``), for the PDF and the Word
    report alike: answers by category as 100% bars for yes/no and short scales, otherwise the
    answers of everyone who answered as bars; None when there is nothing to draw (nobody
    answered, or small-number protection hides every figure)."""
    from fieldkit.question_types import get as question_type

    hidden_note = (" Hatched: not shown, a small number hidden to protect those who answered "
                   "(see the note under the table).")
    if question_type(x.question_type).stacked and x.rows and len(x.choices) <= STACKED_MAX:
        lines = [r for r in [*x.rows, x.total] if r.base_count != 0]  # a group nobody in answered: no bar
        rows = [StackedRow(r.group, r.percentages, r.respondents if r.base_count is not None else "*")
                for r in lines]
        if len(rows) > 1 and not all(r.hidden and all(p is None for p in r.percents) for r in rows):
            caption = "Answers in each category, as percentages of the organisations in it who answered."
            if any(r.hidden for r in rows):
                caption += hidden_note
            return caption, StackedBars(rows, x.choices, ordered=x.ordered)
    t = x.total
    if not t.base_count or all(p is None for p in t.percentages):
        return None
    who = "everyone who answered" if x.anonymous else "all the organisations that answered"
    caption = (f"Answers of {who} (n = {t.respondents:,}): the percentage giving each answer, "
               "the number in brackets.")
    bars = [Bar(c, p, n if n is not None else "*", t.base_count)
            for c, p, n in zip(x.choices, t.percentages, t.counts, strict=True)]
    if any(b.percent is None for b in bars):
        caption += hidden_note
    return caption, HorizontalBars(bars)
