"""The call list: the organisations to phone, in the order Next call takes them, as a PDF.

For a calling session away from the screen (or beside it, to tick off): each organisation's
name and the person to ask for, the number to ring, when to call (a due call-back's time, or
now), the attempts made so far and the latest outcome. The list is the calling queue
(``fieldkit.calling.queue``) at one moment, so it holds exactly who Next call would offer then.

Built as a plain data object first (``build_call_list``, asserted in tests), then laid out
(``render_call_list``) on the pages every fieldkit PDF shares. It is a named document: it reads
organisations and their attempts only, never the comment pool, and prints no attempt notes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fieldkit.callback_times import format_when
from fieldkit.reports.pages import PAGE_SIZES, Document, Styles, long_date, table, write_pdf
from fieldkit.reports.text import para

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The table's columns, in order.
COLUMNS = ("#", "Organisation", "Phone", "Next call", "Attempts", "Last outcome")
#: The "Next call" of an organisation with no call-back: it can be rung as soon as the list is printed.
NOW = "Now"


@dataclass(frozen=True)
class CallListRow:
    """One organisation to phone: its place in the queue and what the caller needs to hand."""

    position: int
    organisation_id: int
    name: str
    #: The person to ask for, or None.
    contact: str | None
    #: The number to ring as it is dialled in the study's country, or None when no working number is known.
    phone: str | None
    #: "Tue 24 Nov, 10:00" for a call-back due then, else ``NOW``.
    next_call: str
    attempts: int
    #: "No answer, Mon 23 Nov, 16:05", or None when never tried.
    last_outcome: str | None


@dataclass(frozen=True)
class CallList:
    """The calling queue at ``at``, ready to lay out (no further reading of the study)."""

    title: str
    author: str
    at: dt.datetime
    rows: tuple[CallListRow, ...]


def build_call_list(study: Study, now: dt.datetime) -> CallList:
    """The organisations to phone at ``now``, in the calling queue's order (due call-backs
    first, then quotas, then the fewest attempts): see ``fieldkit.calling``."""
    from fieldkit import calling
    from fieldkit.contact_details import display_phone

    country = study.country
    rows = []
    for position, call in enumerate(calling.queue(study, now), start=1):
        last = None
        if call.last_outcome is not None:
            last = call.last_outcome + (f", {format_when(call.last_at, year=None)}" if call.last_at else "")
        rows.append(CallListRow(
            position=position, organisation_id=call.organisation_id, name=call.name, contact=call.contact,
            phone=display_phone(call.phone, country) or None,
            next_call=format_when(call.callback_due, year=None) if call.callback_due else NOW,
            attempts=call.attempts, last_outcome=last))
    return CallList(title=study.title, author=study.author, at=now.replace(microsecond=0), rows=tuple(rows))


def render_call_list(data: CallList, path: str | os.PathLike, *, page_size: str = "a4") -> Path:
    """Write the call list ``data`` to ``path`` as a PDF (atomically) and return the path."""
    st = Styles()
    when = format_when(data.at, year=True)

    def build(f: Any) -> None:
        doc = Document(f, page_size=PAGE_SIZES[page_size], st=st, title=f"Call list: {data.title}",
                       author=data.author, subject=f"The organisations to phone in {data.title}, as of {when}",
                       header=f"{data.title} · call list · confidential", footer=f"Printed {long_date(data.at)}",
                       keywords=["call list"], cover=False)
        doc.build_pdf(_story(data, st, doc.width))

    return write_pdf(path, build)


def write_call_list(study: Study, path: str | os.PathLike, *, now: dt.datetime, page_size: str = "a4") -> Path:
    """``build_call_list`` then ``render_call_list``: the call list of ``study`` at ``now`` in ``path``."""
    return render_call_list(build_call_list(study, now), path, page_size=page_size)


def _story(data: CallList, st: Styles, width: float) -> list[Flowable]:
    n = len(data.rows)
    out: list[Flowable] = [
        para("Call list", st.cover_sub),
        para(data.title, st.sheet_title),
        para(f"{n} organisation{'s' if n != 1 else ''} to phone as of {format_when(data.at, year=True)}, in the "
             "order Next call takes them: call-backs that are due first, then the categories furthest below "
             "their targets, then those tried least. It contains personal data: keep it confidential.", st.note),
        Spacer(1, 8),
    ]
    if not data.rows:
        return out + [para("No one to call: every organisation is finished, waiting for a later call-back or "
                           "outside its opening hours.", "body")]
    rows = [[r.position, [r.name, f"Ask for {r.contact}"] if r.contact else r.name, r.phone or "no working number",
             r.next_call, r.attempts, r.last_outcome or "not tried yet"] for r in data.rows]
    out.append(table(st, COLUMNS, rows, [8 * mm, None, 31 * mm, 30 * mm, 18 * mm, 36 * mm], width=width,
                     numeric=False, right=(4,)))
    return out
