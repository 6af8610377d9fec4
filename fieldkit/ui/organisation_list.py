"""The organisation list's table model and the loader that fills it.

The model holds only ids and reads a page of rows from the core when one is drawn (with
each row's AAPOR disposition), so a view over it stays smooth on 100,000 organisations. The
loader asks the core for the ids (filters, search, sort, disposition and counts) on a
read-only connection of its own, off the UI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from fieldkit import dispositions, outcome_rates
from fieldkit.contact_details import display_phone
from fieldkit.dispositions import Disposition
from fieldkit.errors import FieldkitError
from fieldkit.storage.sqlite import DatabaseError
from fieldkit.organisations import STATUS_LABELS, Organisation, OrganisationQuery, StatusCounts
from fieldkit.study import Study
from fieldkit.ui.qt import (
    QAbstractTableModel,
    QBrush,
    QColor,
    QGuiApplication,
    QModelIndex,
    QObject,
    QPalette,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

#: (key, header) of the list's columns.
COLUMNS = (
    ("name", "Organisation"),
    ("category", "Category"),
    ("area", "Area"),
    ("status", "Status"),
    ("disposition", "Disposition"),
    ("phone", "Phone"),
    ("full_interview", "Full interview"),
    ("follow_up", "Follow-up"),
)
#: What the model reads at a time, and how many rows it keeps.
PAGE = 100
CACHE_ROWS = 2000
# Roles as plain ints, compared on every cell drawn.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE, _ALIGNMENT, _FOREGROUND})
_CENTRE = Qt.AlignmentFlag.AlignCenter.value
_KEYS = tuple(key for key, _ in COLUMNS)
_FLAG_COLUMNS = frozenset({"full_interview", "follow_up"})
#: Beside the status while an interview is under way (the organisation is still contacting).
IN_INTERVIEW = "in interview"


def status_text(org: Organisation, disposition: Disposition | None = None) -> str:
    """The Status column: "Contacting · in interview", "Excluded: Closed down", "Declined"."""
    label = STATUS_LABELS[org.status]
    if org.exclusion_reason:
        label = f"{label}: {org.exclusion_reason}"
    if disposition is not None and disposition.in_interview:
        label = f"{label} · {IN_INTERVIEW}"
    return label


def code_text(code: str) -> str:
    """A disposition code with its label: "3.13 No answer"."""
    return f"{code} {outcome_rates.label(code)}"


def disposition_text(disposition: Disposition) -> str:
    """The Disposition column's short text: "3.13 No answer" (the tooltip says the rest)."""
    if disposition.in_interview:
        return f"{disposition.code} In interview"
    return code_text(disposition.code)


def disposition_tooltip(disposition: Disposition) -> str:
    """"3.13 No answer (temporary) — latest attempt: No answer"."""
    return f"{disposition.text} — {disposition.reason}"


class OrganisationTableModel(QAbstractTableModel):
    """Rows of organisations for the ids given; only the pages drawn are read from the core."""

    def __init__(self, study: Study, parent: QObject | None = None):
        super().__init__(parent)
        self.study = study
        self._ids: list[int] = []
        self._cache: OrderedDict[int, Organisation] = OrderedDict()
        #: the disposition of each row in the cache, read with its page
        self._dispositions: dict[int, Disposition] = {}
        #: pages read from the core since the model was made (for tests and diagnostics)
        self.pages_read = 0
        #: the study's country, which phone numbers are shown for (read again with each page)
        self._country = study.country

    # --- the ids ---------------------------------------------------------------------------

    def set_ids(self, ids: list[int]) -> None:
        """Show ``ids``; the same list again only re-reads the rows (selection and scroll stay)."""
        if ids == self._ids:
            self.reload_rows()
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self._dispositions.clear()
        self.endResetModel()

    def reload_rows(self) -> None:
        """Forget the rows read so far: they are read again when drawn."""
        self._cache.clear()
        self._dispositions.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    @property
    def ids(self) -> list[int]:
        """The ids in the order shown (a copy: what the case form walks)."""
        return list(self._ids)

    def organisation_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, org_id: int) -> int | None:
        try:
            return self._ids.index(org_id)
        except ValueError:
            return None

    def organisation(self, row: int) -> Organisation:
        org_id = self._ids[row]
        if org_id not in self._cache:
            start = (row // PAGE) * PAGE
            page = self._ids[start:start + PAGE]
            self.pages_read += 1
            self._country = self.study.country
            for org in self.study.organisations.many(page):
                self._cache[org.id] = org
            self._dispositions.update(dispositions.of_organisations(self.study, ids=page))
            while len(self._cache) > CACHE_ROWS:
                gone, _ = self._cache.popitem(last=False)
                self._dispositions.pop(gone, None)
        return self._cache[org_id]

    def disposition(self, row: int) -> Disposition | None:
        """The row's disposition now (read with its page)."""
        org = self.organisation(row)
        return self._dispositions.get(org.id)

    # --- Qt's model interface --------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _ROLES:  # most calls ask for roles the list leaves to the style: answer fast
            return None
        if not index.isValid():
            return None
        role = int(role)
        key = _KEYS[index.column()]
        flag = key in _FLAG_COLUMNS
        if role == _ALIGNMENT:
            return _CENTRE if flag else None
        if role == _FOREGROUND and key != "disposition":
            return None
        org = self.organisation(index.row())
        if flag:
            ticked = key in org.flags
            if role == _DISPLAY:
                return "✓" if ticked else ""
            return "Yes" if ticked else "No"
        if key == "disposition":
            return self._disposition_data(self._dispositions.get(org.id), role)
        if key == "status":
            return status_text(org, self._dispositions.get(org.id))
        value = getattr(org, key) or ""
        if key == "phone" and value:
            value = display_phone(value, self._country)  # stored in E.164 when valid
        if role == _ACCESSIBLE and not value:
            return "Not recorded"
        if role == _TOOLTIP and key not in ("name", "category"):
            return None
        return value

    @staticmethod
    def _disposition_data(disposition: Disposition | None, role: int) -> Any:
        if disposition is None:  # deleted since the page was read
            return None
        if role == _DISPLAY:
            return disposition_text(disposition)
        if role == _FOREGROUND:  # temporary dispositions (calling goes on) in a muted colour
            if disposition.final:
                return None
            # The palette held while its colour is copied: a colour read off a temporary palette
            # points into freed memory once the palette goes.
            palette = QGuiApplication.palette()
            return QBrush(QColor(palette.color(QPalette.ColorRole.PlaceholderText)))
        return disposition_tooltip(disposition)  # the tooltip, and what a screen reader says


class ListLoader(QObject):
    """Asks the core for the list's ids and counts off the UI thread; the newest request wins.

    The queries run on a read-only connection of their own (SQLite lets it read while the
    study's own connection writes), so the window stays responsive during a slow search.
    The worker thread never touches Qt: the UI thread polls for the answer while one is
    due, and hands it to ``on_loaded(ids, counts)`` (or ``on_failed(text)``).

    A query may hold ``disposition`` (what ``dispositions.matching`` takes): the ids with that
    disposition are worked out here too (a pass over every organisation, so they are kept
    until ``forget()`` says the study changed) and passed on as ``within``. ``request_codes``
    asks for ``dispositions.counts`` in the same way and hands it to ``on_codes(counts)``.
    """

    POLL_MS = 10

    def __init__(self, open_reader: Callable[[], Study], on_loaded: Callable[[list[int], StatusCounts], None],
                 on_failed: Callable[[str], None], parent: QObject | None = None, *,
                 on_codes: Callable[[dict[str, int]], None] | None = None):
        super().__init__(parent)
        self._open_reader = open_reader  # study.open_reader: a read-only connection with the study's key
        self._on_loaded, self._on_failed, self._on_codes = on_loaded, on_failed, on_codes
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="fieldkit-list")
        self._reader: Study | None = None
        self._generation = 0
        #: bumped by forget(): dispositions worked out before it are read again
        self._version = 0
        self._pending: Future | None = None
        self._codes_pending: Future | None = None
        # used on the worker thread only: ids by wanted disposition, for one version
        self._matched: dict[str, list[int]] = {}
        self._matched_version = -1
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def busy(self) -> bool:
        """True while the newest request (or a request for the codes) has not been answered."""
        return self._pending is not None or self._codes_pending is not None

    def request(self, query: OrganisationQuery) -> None:
        """Run ``organisations.ids_with_counts(query)`` in the background (the organisations
        with a disposition are worked out once per version of the study, and kept)."""
        if self._executor is None:
            return
        self._generation += 1
        self._pending = self._executor.submit(self._run, self._generation, self._version, query)
        self._poll.start()

    def request_codes(self) -> None:
        """Count the study's disposition codes in the background, for ``on_codes``."""
        if self._executor is None or self._on_codes is None:
            return
        self._codes_pending = self._executor.submit(self._count_codes)
        self._poll.start()

    def forget(self) -> None:
        """The study changed: dispositions are worked out again for the next request."""
        self._version += 1

    def _reading(self) -> Study:
        if self._reader is None:
            self._reader = self._open_reader()
        return self._reader

    def _run(self, generation: int, version: int, query: OrganisationQuery) -> Any:
        if generation != self._generation:
            return None  # overtaken before it started: its answer would be thrown away
        reader = self._reading()
        wanted = query.disposition
        if wanted is not None:
            if version != self._matched_version:
                self._matched, self._matched_version = {}, version
            if wanted not in self._matched:
                self._matched[wanted] = dispositions.matching(reader, wanted)
            query = replace(query, disposition=None, within=tuple(self._matched[wanted]))
        return reader.organisations.ids_with_counts(query)

    def _count_codes(self) -> dict[str, int]:
        return dispositions.counts(self._reading())

    def _check(self) -> None:
        future = self._pending
        if future is not None and future.done():
            self._pending = None
            try:
                ids, counts = future.result()
            except (FieldkitError, DatabaseError) as e:  # DatabaseError: damage the opening checks will name
                self._on_failed(str(e))
            else:
                self._on_loaded(ids, counts)
        codes = self._codes_pending
        if codes is not None and codes.done():
            self._codes_pending = None
            try:
                found = codes.result()
            except (FieldkitError, DatabaseError):
                found = None  # the list says why, if it cannot be read either
            if found is not None and self._on_codes is not None:
                self._on_codes(found)
        if self._pending is None and self._codes_pending is None:
            self._poll.stop()

    def wait(self) -> None:
        """Block until the newest request is answered and handed on (for scripts and tests)."""
        due = [f for f in (self._pending, self._codes_pending) if f is not None]
        if due:
            wait(due)
            self._check()

    def release_reader(self) -> None:
        """Close the reading connection (after any running query); the next query opens a
        new one. Needed before the study file is replaced (a new passphrase)."""
        if self._executor is not None:
            self._executor.submit(self._close_reader).result()

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        """Wait for a running query, then close the reading connection."""
        if self._executor is None:
            return
        self._generation += 1
        self._poll.stop()
        self._pending = None
        self._codes_pending = None
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
