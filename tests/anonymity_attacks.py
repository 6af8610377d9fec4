"""Attacks on the anonymity of the pool, by someone holding copies of fieldkit's files.

The design (docs: "anonymity by construction") promises that nobody holding the study, its
-wal, every automatic backup and copies taken at different moments can narrow a pooled
comment down to fewer than k interviews. This module plays the attacker:

* ``simulate`` runs a study the way a researcher does (a few interviews a day, the study
  closed every evening and opened again next morning, which takes an automatic backup, and a
  template change half way through) and keeps what an attacker could have copied: every
  backup, and the study file with its -wal and -shm byte for byte after every finished
  interview and at the end of every day. Every anonymous long-text answer carries a marker,
  so the simulation knows which interview wrote each comment in the final pool.
* the ``attack_*`` functions look only at those files (never at the simulation's ground truth)
  and return, for every pooled comment, a ranked guess of its interview or a candidate set.
  They read the pool side (``pool``, ``pool_themes`` and the ``pool_search`` index's shadow
  tables), the named records (``answers``, ``interviews``), the study's own template
  (``template_versions``: which version asks which question) and the schema; never a table
  of anonymous answers held with their interview (``held``, visibly there by design). The
  -wal attack reads only ``pool``, ``answers`` and ``interviews``.
* ``score`` turns guesses into top-1 linking accuracy against the ground truth.

Everything is built through fieldkit's public API (``Study.create``, ``Study.open``, the
organisation and interview managers, ``update_template``): there is one schema source.
Files are read by hand (SQLite's page format, the -wal's frame format, FTS5's segment format)
or, for tables, through Python's own ``sqlite3`` on a reconstructed copy, opened read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import random
import re
import shutil
import sqlite3
import struct
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Tables an attacker reads. Attacks look at the pool side and at the named records; a table
# that holds anonymous answers still with their interview ("held", by design) is off limits.
POOL_TABLES = ("pool", "pool_themes")
NAMED_TABLES = ("answers", "interviews")
FORBIDDEN_TABLES = ("held",)

#: The question the simulation adds in template version 2 (anonymous, long text).
NEW_QUESTION = "sector_change"

_MARKER = re.compile(r"\bmk(\d{5})q\b")


# =============================================================================================
# The simulation
# =============================================================================================

@dataclass(frozen=True)
class Capture:
    """One moment the attacker copied the study file with its -wal and -shm."""

    order: int           # the order copies were taken in (the attacker knows when they copied)
    label: str           # "after-interview-<n>" or "end-of-day-<d>"
    folder: Path
    main: Path
    wal: Path | None
    shm: Path | None

    def files(self) -> list[Path]:
        return [p for p in (self.main, self.wal, self.shm) if p is not None]


@dataclass
class Simulation:
    root: Path
    study_path: Path
    seed: int
    k: int
    days: int
    per_day: list[int]
    change_day: int                      # the first day interviews are taken with template version 2
    interviews: list[int]                # interview ids in the order they were taken
    interview_day: dict[int, int]
    interview_version: dict[int, int]
    #: marker -> interview id, for every anonymous long-text comment written
    writer: dict[str, int]
    #: marker -> the global count of saves when the comment was last saved (its true write time)
    written_at: dict[str, int]
    #: marker -> question id
    question_of: dict[str, str]
    backups: list[Path] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)
    #: distinguishable words of each interview's named answers: interview id -> texts
    named_texts: dict[int, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def attacker_files(self) -> list[Path]:
        """Every file the attacker holds."""
        out = list(self.backups)
        for c in self.captures:
            out.extend(c.files())
        return out

    @property
    def final(self) -> Capture:
        """The copy taken after the study was last closed: the final study file."""
        return self.captures[-1]

    def final_truth(self) -> dict[int, int]:
        """Comment id in the final study -> the interview that wrote it (marked comments only).

        Comments not (yet) in the pool are simply absent: they are not scored."""
        return {cid: self.writer[marker] for cid, marker in self._final_markers()}

    def final_write_order(self) -> dict[int, int]:
        """Comment id -> true write time (the global save count when it was last saved)."""
        return {cid: self.written_at[marker] for cid, marker in self._final_markers()}

    def _final_markers(self) -> list[tuple[int, str]]:
        """(comment id, its marker) for every marked comment in the final study's pool."""
        with open_image(image_of(self.final)) as conn:
            found = [(cid, _MARKER.search(text)) for cid, text in conn.execute("SELECT id, text FROM pool")]
        return [(cid, m.group(0)) for cid, m in found if m]


_PHRASES = [
    "funders want outcomes that small groups cannot measure",
    "the volunteers who hold it together are tired",
    "nobody tells them when the consultations happen",
    "they are asked to partner but never to lead",
    "rent for a hall went up twice this year",
    "the forms assume a paid bookkeeper",
    "trust is built slowly and lost quickly",
    "the council portal times out halfway through",
    "meetings are held at times only paid staff can make",
    "they are invited to comment after the decision",
    "a small grant that arrives on time matters more than a large late one",
    "someone who answers the phone",
    "shared back office support, done properly",
    "plain English guidance and one contact person",
    "money for core costs, not only projects",
    "being paid for their time on partnership boards",
]


def _words(rng: random.Random, low: int, high: int) -> str:
    return "; ".join(rng.sample(_PHRASES, rng.randint(low, high)))


def new_question_template(template):
    """The study's template with one more anonymous long-text question, placed between two
    named questions of section A (so a v2 interview types named and anonymous answers in turn)."""
    from fieldkit.template_toml import template_from_dict

    data = template.to_dict()
    data["template"]["version"] = int(data["template"].get("version") or 1) + 1
    first = data["sections"][0]["questions"]
    question = {"id": NEW_QUESTION, "type": "long_text", "label": "What has changed for small groups?",
                "anonymous": True}
    themes = [t["id"] for t in data.get("themes", [])]
    if themes:
        question["theme"] = themes[-1]
    first.insert(min(2, len(first)), question)
    return template_from_dict(data, source="simulation template version 2")


def _copy_files(study_path: Path, folder: Path) -> tuple[Path, Path | None, Path | None]:
    """Copy the study and its -wal and -shm byte for byte (what a sync tool or a thief does)."""
    folder.mkdir(parents=True)
    out = []
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{study_path}{suffix}")
        if source.exists():
            target = folder / (study_path.name + suffix)
            shutil.copyfile(source, target)
            out.append(target)
        else:
            out.append(None)
    return out[0], out[1], out[2]


def simulate(root: Path, *, seed: int = 20261001, days: int = 18, min_interviews: int = 60,
             template=None, change_day: int | None = None) -> Simulation:
    """Run a study the way it is used, keeping every copy an attacker could take. Seedable:
    the same seed gives the same interviews, answers and schedule (not the same random pool
    ids, which fieldkit draws from the operating system)."""
    import time

    from fieldkit.storage import backups
    from fieldkit.study import Study

    if template is None:
        from studies import small_template
        template = small_template()
    started = time.perf_counter()
    rng = random.Random(seed)
    per_day = [rng.randint(2, 6) for _ in range(days)]
    while sum(per_day) < min_interviews:
        short = [d for d in range(days) if per_day[d] < 6]
        per_day[rng.choice(short)] += 1
    if change_day is None:
        change_day = days // 2
    root.mkdir(parents=True, exist_ok=True)
    study_path = root / "study" / "survey.fieldkit"
    attacker = root / "attacker"
    seen_backups: set[str] = set()
    sim = Simulation(root=root, study_path=study_path, seed=seed, k=5, days=days, per_day=per_day,
                     change_day=change_day, interviews=[], interview_day={}, interview_version={},
                     writer={}, written_at={}, question_of={})
    saves = 0
    serial = 0

    def grab_backups() -> None:
        for b in reversed(backups.list_backups(study_path)):  # oldest first
            if b.path.name not in seen_backups:
                seen_backups.add(b.path.name)
                target = attacker / "backups" / f"{len(seen_backups):03d}-{b.path.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(b.path, target)
                sim.backups.append(target)

    def capture(label: str) -> None:
        order = len(sim.captures)
        main, wal, shm = _copy_files(study_path, attacker / "copies" / f"{order:03d}-{label}")
        sim.captures.append(Capture(order, label, main.parent, main, wal, shm))

    def answer(session, question, i: int) -> None:
        """Answer one question as an interviewer types it: long answers saved on each pause."""
        nonlocal saves, serial
        if not question.required and rng.random() < 0.25:
            return
        t = question.type
        if t == "long_text":
            if question.anonymous:
                serial += 1
                marker = f"mk{serial:05d}q"
                text = f"{_words(rng, 1, 4)} ({marker})"
                sim.writer[marker] = session.interview_id
                sim.question_of[marker] = question.id
            else:
                text = f"Interview {i} says: {_words(rng, 1, 3)} [named{i:04d}]"
                sim.named_texts.setdefault(session.interview_id, []).append(text)
            cuts = sorted(rng.sample(range(5, len(text) - 1), rng.choice([0, 0, 1, 2])))
            for cut in cuts:  # what autosave wrote on a pause in typing
                session.save_answer(question.id, text[:cut])
                saves += 1
            value: Any = text
        elif t == "short_text":
            value = f"{question.label} of interview {i} [named{i:04d}]"
            sim.named_texts.setdefault(session.interview_id, []).append(value)
        elif t in ("single_choice", "scale"):
            value = rng.choice(question.choices)
        elif t == "multiple_choice":
            value = rng.sample(list(question.choices), rng.randint(1, len(question.choices)))
        elif t == "yes_no":
            value = rng.random() < 0.5
        elif t == "number":
            low = int(question.min) if question.min is not None else 0
            high = int(question.max) if question.max is not None else low + 60
            value = rng.randint(low, high)
        elif t == "date":
            value = dt.date(1950 + rng.randint(0, 70), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        else:  # pragma: no cover - every type is listed above
            raise AssertionError(t)
        session.save_answer(question.id, value)
        saves += 1
        if t == "long_text" and question.anonymous:
            sim.written_at[marker] = saves

    study = Study.create(study_path, template, title="Attack simulation")
    count = 0
    first_day = dt.date(2026, 10, 5)
    for day in range(days):
        if day:
            study = Study.open(study_path)
            grab_backups()
        if day == change_day:
            study.update_template(new_question_template(study.template))
        for _ in range(per_day[day]):
            count += 1
            org = study.organisations.add(f"Organisation {count:03d}",
                                          category=rng.choice(study.template.categories),
                                          contacts=[{"name": f"Contact Person {count:03d}"}])
            session = study.interviews.start(org, interviewer=rng.choice(["AK", "JB"]),
                                             date=(first_day + dt.timedelta(days=day)).isoformat())
            sim.interviews.append(session.interview_id)
            sim.interview_day[session.interview_id] = day
            sim.interview_version[session.interview_id] = study.template_version
            for question in session.template.questions():
                answer(session, question, count)
            session.complete()
            saves += 1
            capture(f"after-interview-{count:03d}")
        sim.k = int(getattr(study, "anonymity_k", 5) or 5)
        study.close()
        capture(f"end-of-day-{day + 1:02d}")
    # The next morning: opening takes the backup of the last day's work.
    study = Study.open(study_path)
    grab_backups()
    study.close()
    capture("next-morning")
    sim.seconds = time.perf_counter() - started
    return sim


# =============================================================================================
# Reading files as an attacker: the -wal, SQLite pages, records, FTS5 segments
# =============================================================================================

def varint(buf: bytes, i: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``buf[i]``: (value, index after it)."""
    b = buf[i]
    if b < 0x80:
        return b, i + 1
    value = 0
    for n in range(8):
        b = buf[i + n]
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, i + n + 1
    return (value << 8) | buf[i + 8], i + 9


def signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


@dataclass(frozen=True)
class Wal:
    """A -wal's current generation: its frames, and which of them end a transaction."""

    data: bytes
    page_size: int
    salt: tuple[int, int]
    frames: list[tuple[int, int]]        # (page number, offset of the page image)
    commits: list[tuple[int, int]]       # (index of the commit frame, database size in pages after it)


def read_wal(data: bytes) -> Wal | None:
    """Parse a -wal. Frames are valid while their salts match the header's (frames left from
    an earlier generation carry older salts); frames after the last commit frame are not part
    of the database yet."""
    if len(data) < 32:
        return None
    magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">IIIIII", data[:24])
    if magic not in (0x377F0682, 0x377F0683) or page_size < 512:
        return None
    frames: list[tuple[int, int]] = []
    commits: list[tuple[int, int]] = []
    pos = 32
    while pos + 24 + page_size <= len(data):
        pgno, commit_size, s1, s2 = struct.unpack(">IIII", data[pos:pos + 16])
        if (s1, s2) != (salt1, salt2):
            break
        frames.append((pgno, pos + 24))
        if commit_size:
            commits.append((len(frames) - 1, commit_size))
        pos += 24 + page_size
    return Wal(data, page_size, (salt1, salt2), frames, commits)


def apply_frames(main: bytes, wal: Wal | None, upto: int) -> bytes:
    """The database as of commit number ``upto`` of ``wal`` (-1: the main file alone): the main
    file with every frame up to that commit's applied."""
    if wal is None or upto < 0:
        return bytes(main)
    last, size = wal.commits[upto]
    image = bytearray(main)
    need = size * wal.page_size
    if len(image) < need:
        image.extend(b"\0" * (need - len(image)))
    for pgno, off in wal.frames[:last + 1]:
        start = (pgno - 1) * wal.page_size
        image[start:start + wal.page_size] = wal.data[off:off + wal.page_size]
    del image[need:]
    return bytes(image)


def image_of(capture: Capture | Path) -> bytes:
    """What a file (a backup, or a copy with its -wal) holds: the database a reader would see."""
    if isinstance(capture, Path):
        return capture.read_bytes()
    main = capture.main.read_bytes()
    wal = read_wal(capture.wal.read_bytes()) if capture.wal is not None else None
    return apply_frames(main, wal, len(wal.commits) - 1 if wal else -1)


@contextlib.contextmanager
def open_image(image: bytes) -> Iterator[sqlite3.Connection]:
    """Open a database image read-only with Python's sqlite3 (through a temporary file,
    marked as a rollback-journal database so no -wal is looked for)."""
    with tempfile.TemporaryDirectory(prefix="fk-attack-") as tmp:
        path = Path(tmp) / "image.db"
        data = bytearray(image)
        if len(data) >= 100:
            data[18] = data[19] = 1
        path.write_bytes(bytes(data))
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            yield conn
        finally:
            conn.close()


class Pages:
    """A database image read page by page, as SQLite's file format describes."""

    def __init__(self, image: bytes):
        self.data = image
        size = int.from_bytes(image[16:18], "big")
        self.page_size = 65536 if size == 1 else size
        self.usable = self.page_size - image[20]
        self.count = len(image) // self.page_size

    def page(self, pgno: int) -> bytes:
        return self.data[(pgno - 1) * self.page_size: pgno * self.page_size]

    def _payload(self, page: bytes, i: int, total: int) -> bytes:
        """A cell's payload starting at ``page[i]``, following overflow pages."""
        u = self.usable
        x = u - 35
        if total <= x:
            return page[i:i + total]
        m = ((u - 12) * 32 // 255) - 23
        local = m + (total - m) % (u - 4)
        if local > x:
            local = m
        out = bytearray(page[i:i + local])
        nxt = int.from_bytes(page[i + local:i + local + 4], "big")
        while nxt and len(out) < total:
            over = self.page(nxt)
            nxt = int.from_bytes(over[:4], "big")
            out.extend(over[4:4 + min(u - 4, total - len(out))])
        return bytes(out)

    def btree_pages(self, root: int) -> set[int]:
        """Every page of a b-tree (table or index; not overflow pages: a changed overflow
        chain changes its leaf too)."""
        out, stack = set(), [root]
        while stack:
            pgno = stack.pop()
            if pgno in out or not 0 < pgno <= self.count:
                continue
            out.add(pgno)
            page = self.page(pgno)
            h = 100 if pgno == 1 else 0
            if page[h] in (0x02, 0x05):  # interior index / table page
                ncells = int.from_bytes(page[h + 3:h + 5], "big")
                for j in range(ncells):
                    off = int.from_bytes(page[h + 12 + 2 * j:h + 14 + 2 * j], "big")
                    stack.append(int.from_bytes(page[off:off + 4], "big"))
                stack.append(int.from_bytes(page[h + 8:h + 12], "big"))
        return out

    def table_leaves(self, root: int) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
        """Walk a table b-tree in key order: (leaf page number, [(rowid, cell offset, payload size)])."""
        stack = [root]
        while stack:
            pgno = stack.pop()
            page = self.page(pgno)
            h = 100 if pgno == 1 else 0
            kind = page[h]
            ncells = int.from_bytes(page[h + 3:h + 5], "big")
            if kind == 0x05:  # interior table page
                ptrs = [int.from_bytes(page[h + 12 + 2 * j:h + 14 + 2 * j], "big") for j in range(ncells)]
                children = [int.from_bytes(page[p:p + 4], "big") for p in ptrs]
                children.append(int.from_bytes(page[h + 8:h + 12], "big"))
                stack.extend(reversed(children))
            elif kind == 0x0D:  # leaf table page
                cells = []
                for j in range(ncells):
                    off = int.from_bytes(page[h + 8 + 2 * j:h + 10 + 2 * j], "big")
                    size, i = varint(page, off)
                    rowid, i = varint(page, i)
                    cells.append((signed64(rowid), off, size))
                yield pgno, cells
            else:
                raise ValueError(f"page {pgno} is not a table b-tree page (type {kind})")

    def table_rows(self, root: int) -> Iterator[tuple[int, list[Any]]]:
        """Every row of a table b-tree: (rowid, decoded record)."""
        for pgno, cells in self.table_leaves(root):
            page = self.page(pgno)
            for rowid, off, size in cells:
                _, i = varint(page, off)
                _, i = varint(page, i)
                yield rowid, decode_record(self._payload(page, i, size))

    def schema(self) -> dict[str, tuple[str, int]]:
        """sqlite_master: name -> (type, root page)."""
        return {row[1]: (row[0], row[3]) for _, row in self.table_rows(1)}


def decode_record(payload: bytes) -> list[Any]:
    header_size, i = varint(payload, 0)
    types = []
    while i < header_size:
        t, i = varint(payload, i)
        types.append(t)
    out: list[Any] = []
    p = header_size
    for t in types:
        if t == 0:
            out.append(None)
        elif 1 <= t <= 6:
            n = (1, 2, 3, 4, 6, 8)[t - 1]
            out.append(int.from_bytes(payload[p:p + n], "big", signed=True))
            p += n
        elif t == 7:
            out.append(struct.unpack(">d", payload[p:p + 8])[0])
            p += 8
        elif t in (8, 9):
            out.append(t - 8)
        elif t >= 12:
            n = (t - 12) // 2
            raw = payload[p:p + n]
            out.append(raw.decode("utf-8", "replace") if t % 2 else bytes(raw))
            p += n
        else:
            out.append(None)
    return out


# --- FTS5 ------------------------------------------------------------------------------------

_FTS5_STRUCTURE_ROWID = 10
_FTS5_STRUCTURE_V2 = b"\xff\x00\x00\x01"
_FTS5_SEGID_SHIFT = 31 + 5 + 1  # FTS5_DATA_PAGE_B + FTS5_DATA_HEIGHT_B + FTS5_DATA_DLI_B


@dataclass(frozen=True)
class Segment:
    level: int
    position: int        # place within its level (oldest first)
    segid: int
    first_page: int
    last_page: int


def fts5_structure(block: bytes) -> list[Segment]:
    """Decode an FTS5 structure record (the ``%_data`` row with id 10): the index's segments."""
    i = 4  # the cookie
    v2 = block[4:8] == _FTS5_STRUCTURE_V2
    if v2:
        i += 4
    nlevel, i = varint(block, i)
    _nsegment, i = varint(block, i)
    _writes, i = varint(block, i)
    out = []
    for level in range(nlevel):
        _nmerge, i = varint(block, i)
        nseg, i = varint(block, i)
        for position in range(nseg):
            segid, i = varint(block, i)
            first, i = varint(block, i)
            last, i = varint(block, i)
            if v2:
                for _ in range(5):  # origin1, origin2, tombstone pages, tombstone entries, entries
                    _, i = varint(block, i)
            out.append(Segment(level, position, segid, first, last))
    return out


def fts5_leaf_entries(block: bytes) -> Iterator[tuple[int, bool]]:
    """The (rowid, has positions) entries of one FTS5 leaf page, from every doclist on it.

    A leaf starts with two 16-bit fields: where the first rowid is (when a doclist from the
    previous page continues here) and where the page's footer (term offsets) starts. Each
    term is followed by its doclist: an absolute rowid, then deltas, each with a position list
    whose size varint is ``2 * bytes + delete flag``."""
    if len(block) < 4:
        return
    first_rowid = int.from_bytes(block[0:2], "big")
    footer = int.from_bytes(block[2:4], "big")
    terms = []
    i, acc = footer, 0
    while i < len(block):
        v, i = varint(block, i)
        acc += v
        terms.append(acc)
    regions = []
    if first_rowid:
        regions.append((first_rowid, terms[0] if terms else footer))
    for j, t in enumerate(terms):
        p = t
        if j:
            _prefix, p = varint(block, p)
        n, p = varint(block, p)
        p += n
        regions.append((p, terms[j + 1] if j + 1 < len(terms) else footer))
    for start, end in regions:
        p, rowid, first = start, 0, True
        while p < end:
            v, p = varint(block, p)
            rowid = v if first else rowid + v
            first = False
            if p >= end:
                yield signed64(rowid), True  # its position list goes on over the page break
                break
            size, p = varint(block, p)
            yield signed64(rowid), (size >> 1) > 0
            p += size >> 1


def fts5_segments(image: bytes, table: str = "pool_search") -> list[tuple[Segment, set[int]]]:
    """The index's segments, oldest first, each with the rowids it holds a live entry for."""
    pages = Pages(image)
    schema = pages.schema()
    if f"{table}_data" not in schema:
        return []
    blocks = {rowid: row[1] for rowid, row in pages.table_rows(schema[f"{table}_data"][1])}
    structure = blocks.get(_FTS5_STRUCTURE_ROWID)
    if not structure:
        return []
    segments = fts5_structure(structure)
    # Higher levels hold older, merged segments; within a level the oldest comes first.
    segments.sort(key=lambda s: (-s.level, s.position))
    out = []
    for seg in segments:
        rowids: set[int] = set()
        for pg in range(seg.first_page, seg.last_page + 1):
            block = blocks.get((seg.segid << _FTS5_SEGID_SHIFT) + pg)
            if block:
                rowids.update(_live_rowids(block))
        out.append((seg, rowids))
    return out


@functools.lru_cache(maxsize=8192)
def _live_rowids(block: bytes) -> frozenset[int]:
    """Rowids with a live entry on one leaf (leaves are written once: cached across files)."""
    return frozenset(rowid for rowid, live in fts5_leaf_entries(block) if live)


# =============================================================================================
# What the attacker knows from the named side
# =============================================================================================

@dataclass
class NamedView:
    """The interviews of one file as the named tables show them, in the order they were taken,
    and what each template version asks (the template is the study's own, public to its users)."""

    order: list[int]                       # interview ids by (completed, id)
    version: dict[int, int]
    completed: dict[int, str | None]
    asks: dict[int, list[str]]             # template version -> its anonymous questions, in schedule order

    def eligible(self, question_id: str, members: Iterable[int] | None = None) -> list[int]:
        """Interviews (in the order taken) whose template version asks ``question_id``."""
        chosen = self.order if members is None else [i for i in self.order if i in set(members)]
        return [i for i in chosen if question_id in self.asks.get(self.version[i], ())]

    def position(self, interview: int, question_id: str) -> int:
        """Where ``question_id`` comes in the schedule ``interview`` was taken with."""
        asked = self.asks.get(self.version[interview], [])
        return asked.index(question_id) if question_id in asked else -1

    def completed_ids(self) -> set[int]:
        return {i for i, c in self.completed.items() if c}


def named_view(conn: sqlite3.Connection) -> NamedView:
    rows = conn.execute("SELECT id, template_version, completed FROM interviews").fetchall()
    asks = {}
    for version, definition in conn.execute("SELECT version, definition FROM template_versions"):
        data = json.loads(definition)
        asks[version] = [q["id"] for s in data.get("sections", []) for q in s.get("questions", [])
                         if q.get("anonymous")]
    order = [r[0] for r in sorted(rows, key=lambda r: (r[2] is None, r[2] or "", r[0]))]
    return NamedView(order, {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}, asks)


def pool_rows(conn: sqlite3.Connection) -> dict[int, tuple[str, str, str]]:
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT id, question_id, value, text FROM pool")}


# =============================================================================================
# Guesses and scores
# =============================================================================================

#: A guess for one comment: a ranked list of interview ids (best first) or a candidate set.
Guess = list[int] | set[int] | frozenset[int]


@dataclass(repr=False)
class Score:
    name: str
    accuracy: float            # top-1 linking accuracy (expected accuracy for candidate sets)
    scored: int                # comments measured
    chance: float              # 1 / number of interviews
    smallest_true_set: int | None = None  # candidate sets only: the smallest set holding the truth
    sound: float | None = None            # candidate sets only: fraction of sets holding the truth
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        text = f"{self.name}: top-1 accuracy {self.accuracy:.3f} over {self.scored} comments (chance {self.chance:.3f})"
        if self.smallest_true_set is not None:
            text += f", smallest candidate set holding the truth {self.smallest_true_set}"
        if self.sound is not None:
            text += f", truth in set for {self.sound:.0%}"
        for key, value in self.extra.items():
            text += f", {key} {value:.3f}" if isinstance(value, float) else f", {key} {value}"
        return text


def score(name: str, guesses: dict[int, Guess], truth: dict[int, int], interviews: int,
          only: Iterable[int] | None = None, **extra: Any) -> Score:
    """Top-1 accuracy of ``guesses`` against ``truth`` (comment id -> interview id).

    A ranked guess counts when its first entry is the true interview; a candidate set counts
    1/|set| when it holds the truth (the expected accuracy of picking from it at random).
    A comment without a guess counts 0."""
    ids = [c for c in (truth if only is None else only) if c in truth]
    total = 0.0
    sets = 0
    holding = 0
    smallest = None
    for c in ids:
        g = guesses.get(c)
        if not g:
            continue
        if isinstance(g, (set, frozenset)):
            sets += 1
            if truth[c] in g:
                holding += 1
                total += 1 / len(g)
                smallest = len(g) if smallest is None else min(smallest, len(g))
        elif g[0] == truth[c]:
            total += 1
    return Score(name, total / len(ids) if ids else 0.0, len(ids), 1 / max(1, interviews),
                 smallest if sets else None, holding / sets if sets else None, dict(extra))


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        out = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for t in range(i, j + 1):
                out[order[t]] = (i + j) / 2
            i = j + 1
        return out
    if len(xs) < 2:
        return 0.0
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    vy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (vx * vy) if vx and vy else 0.0


def assign(times: dict[int, float], questions: dict[int, str], view: NamedView,
           members: Iterable[int] | None = None) -> dict[int, Guess]:
    """Turn estimated write times into ranked guesses, knowing the schedule.

    ``times``: comment id -> estimated write time (only the order matters); ``members``: the
    interviews the comments may come from (all of the file's, by default).

    A question every interview asked answered (a required one: as many comments as interviews
    asked it) is an anchor: its comments, in estimated order, are the interviews in the order
    they were taken. Every other comment goes to the interview whose anchor sits nearest on
    the side the schedule says: after the anchor for a question asked later in the schedule,
    before it for one asked earlier. Without an anchor, the comments of a question are laid
    evenly over the interviews asked it."""
    out: dict[int, Guess] = {}
    by_question: dict[str, list[int]] = defaultdict(list)
    for c in times:
        by_question[questions[c]].append(c)
    eligible = {q: view.eligible(q, members) for q in by_question}
    anchored: dict[int, list[tuple[int, float]]] = defaultdict(list)  # interview -> [(schedule place, time)]
    anchors = set()
    for q, comments in by_question.items():
        comments.sort(key=lambda c: times[c])
        e = eligible[q]
        if e and len(comments) == len(e):
            anchors.add(q)
            for r, c in enumerate(comments):
                out[c] = _nearest(e, r)
                anchored[e[r]].append((view.position(e[r], q), times[c]))
    for q, comments in by_question.items():
        e = eligible[q]
        if q in anchors or not e:
            continue
        if not anchors:
            n, m = len(comments), len(e)
            for r, c in enumerate(comments):
                out[c] = _nearest(e, (r + 0.5) * m / n - 0.5)
            continue
        for c in comments:
            t = times[c]

            def cost(j: int, t: float = t, q: str = q, e: list[int] = e) -> tuple[int, float, int]:
                best = (2, math.inf)
                for place, at in anchored.get(e[j], ()):
                    d = t - at if view.position(e[j], q) > place else at - t
                    best = min(best, (0, d) if d >= 0 else (1, -d))
                return best[0], best[1], j
            out[c] = [e[j] for j in sorted(range(len(e)), key=cost)]
    return out


def _nearest(members: list[int], pos: float) -> list[int]:
    """``members`` ranked by how near their place in the list is to ``pos``."""
    return [members[j] for j in sorted(range(len(members)), key=lambda j: (abs(j - pos), j))]


# =============================================================================================
# 1. Backup diffs
# =============================================================================================

@dataclass
class FileState:
    """What one attacker file shows: its pool, its interviews, and its image for layout attacks."""

    source: str
    image: bytes
    pool: dict[int, tuple[str, str, str]]    # id -> (question_id, value, text)
    view: NamedView
    answers: int                             # how many named answers it holds

    @property
    def progress(self) -> tuple[int, int, int, int]:
        """How far the study had got: the attacker orders files by what they hold."""
        return len(self.view.completed_ids()), len(self.view.order), self.answers, len(self.pool)


def file_state(source: str, image: bytes) -> FileState:
    with open_image(image) as conn:
        return FileState(source, image, pool_rows(conn), named_view(conn),
                         conn.execute("SELECT count(*) FROM answers").fetchone()[0])


def chain(states: list[FileState]) -> list[FileState]:
    """Files in the order the study went through them (by how much they hold), one per state."""
    out: list[FileState] = []
    for s in sorted(states, key=lambda s: s.progress):
        if out and out[-1].progress == s.progress and set(out[-1].pool) == set(s.pool):
            continue
        out.append(s)
    return out


def first_seen(states: list[FileState], final: FileState) -> dict[int, tuple[int, int]]:
    """Comment id in the final pool -> (index of the first file holding it, its id there),
    found by id or by its words."""
    first: dict[int, tuple[int, int]] = {}
    for j, s in enumerate(states):
        for local, f in final_ids(s, final).items():
            if f not in first:
                first[f] = (j, local)
    return first


def diff_sets(states: list[FileState], final: FileState, *, lagged: bool = False) -> dict[int, set[int]]:
    """Candidate sets from consecutive files: a comment first seen in file j was written by an
    interview finished after file j-1 and by file j (and asked its question).

    ``lagged``: allow for a pool that is filled in batches, some time after the interviews: a
    comment first seen in file j may come from any interview finished after the file before
    the previous growth of its question's pool."""
    first = {c: j for c, (j, _local) in first_seen(states, final).items()}
    out: dict[int, set[int]] = {}
    growth: dict[str, list[int]] = defaultdict(list)  # question -> indexes of files where its pool grew
    for c, j in first.items():
        growth[final.pool[c][0]].append(j)
    for c, j in first.items():
        q = final.pool[c][0]
        done_now = states[j].view.completed_ids()
        if lagged:
            earlier = sorted({g for g in growth[q] if g < j})
            start = earlier[-1] - 1 if earlier else -1
        else:
            start = j - 1
        before = states[start].view.completed_ids() if start >= 0 else set()
        candidates = (done_now - before) or (set(states[j].view.order) - before)
        asked = set(states[j].view.eligible(q))
        out[c] = (candidates & asked) or candidates
    return out


def sharpen(sets: dict[int, set[int]], times: dict[int, float], questions: dict[int, str],
            view: NamedView) -> dict[int, Guess]:
    """Rank inside each candidate set by an order the attacker sees: the comments sharing a
    set, in estimated write order, laid over the set's interviews (see ``assign``)."""
    out: dict[int, Guess] = {}
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for c, s in sets.items():
        groups[frozenset(s)].append(c)
    for members, comments in groups.items():
        ranked = assign({c: times.get(c, 0.0) for c in comments}, questions, view, members)
        for c in comments:
            out[c] = ranked.get(c) or sorted(members)
    return out


# =============================================================================================
# 2. FTS5 segment order
# =============================================================================================

def segment_of(state: FileState) -> dict[int, int]:
    """Each pooled comment's segment: the newest one holding a live entry for it (segments
    numbered oldest first)."""
    where: dict[int, int] = {}
    for n, (_seg, rowids) in enumerate(fts5_segments(state.image)):
        for r in rowids:
            if r in state.pool:
                where[r] = n
    return where


def attack_fts_segments(state: FileState) -> dict[int, Guess]:
    """Candidate sets from one file's FTS5 segments.

    Segments are written one per transaction and merged in age order, so a segment holds the
    comments of a stretch of time. A question every interview asked answered is an anchor:
    its comments, segment by segment in age order, are exactly the interviews in the order
    they were taken. Another question's comment came from the interview whose anchor is in the
    same segment, or in the nearest one on the side the schedule says (earlier for a question
    asked after the anchor's). Without an anchor, each segment's share of a question's
    comments is laid evenly over the interviews asked it."""
    where = segment_of(state)
    questions = {c: v[0] for c, v in state.pool.items()}
    view = state.view
    by_question: dict[str, list[int]] = defaultdict(list)
    for c in where:
        by_question[questions[c]].append(c)
    out: dict[int, Guess] = {}
    anchored: dict[int, list[tuple[int, int]]] = defaultdict(list)  # interview -> [(schedule place, segment)]
    anchors = set()

    def runs(comments: list[int]) -> Iterator[tuple[int, int]]:
        comments.sort(key=lambda c: where[c])
        r = 0
        while r < len(comments):
            s = r
            while s < len(comments) and where[comments[s]] == where[comments[r]]:
                s += 1
            yield r, s
            r = s

    for q, comments in by_question.items():
        e = view.eligible(q)
        if e and len(comments) == len(e):
            anchors.add(q)
            for r, s in runs(comments):
                for c in comments[r:s]:
                    out[c] = set(e[r:s])
                for i in e[r:s]:
                    anchored[i].append((view.position(i, q), where[comments[r]]))
    for q, comments in by_question.items():
        e = view.eligible(q)
        if q in anchors or not e:
            continue
        if not anchors:
            m, n = len(e), len(comments)
            for r, s in runs(comments):
                a = math.floor(r * m / n)
                b = max(a + 1, math.ceil(s * m / n))
                for c in comments[r:s]:
                    out[c] = set(e[a:b])
            continue
        for c in comments:
            seg = where[c]
            distance = {}
            for i in e:
                for place, a in anchored.get(i, ()):
                    d = seg - a if view.position(i, q) > place else a - seg
                    if d >= 0:
                        distance[i] = min(distance.get(i, d), d)
            if not distance:
                out[c] = set(e)
                continue
            nearest = min((d for d in distance.values() if d > 0), default=None)
            out[c] = {i for i, d in distance.items() if d == 0 or d == nearest}
    return out


def attack_fts_every_file(states: list[FileState], final: FileState) -> dict[int, Guess]:
    """The segment attack on every file held: for each comment, the smallest candidate set
    any one file gives (the earliest file, on a tie)."""
    best: dict[int, set[int]] = {}
    for state in states:
        ids = final_ids(state, final)
        for c, s in attack_fts_segments(state).items():
            f = ids.get(c)
            if f is not None and s and (f not in best or len(s) < len(best[f])):
                best[f] = set(s)
    return best


def final_ids(state: FileState, final: FileState) -> dict[int, int]:
    """This file's pool ids -> the same comment's id in the final study (by id, else by text)."""
    by_text = {(v[0], v[2]): c for c, v in final.pool.items()}
    out = {}
    for c, v in state.pool.items():
        f = c if c in final.pool else by_text.get((v[0], v[2]))
        if f is not None:
            out[c] = f
    return out


# =============================================================================================
# 3. Cell order within pages
# =============================================================================================

CELL_TABLES = ("pool", "pool_search_content", "pool_search_docsize")


def cell_times(image: bytes, tables: Iterable[str] = CELL_TABLES) -> dict[str, dict[int, tuple[float, int]]]:
    """Estimated write time of each row of each table from where its cell sits in its page:
    table -> rowid -> (estimate in 0..1, cells on its page).

    A leaf page fills from its end towards its start, so within a page a lower cell offset was
    written later; a page rebuilt by a split lays its cells out again, in key order, below
    anything newer. With random rowids each page takes a random share of the writes over the
    study, so a cell's rank within its page, scaled to 0..1, estimates when it was written;
    the page's number (pages are appended as the file grows) breaks ties. The more cells a
    page holds, the finer the estimate."""
    pages = Pages(image)
    schema = pages.schema()
    out: dict[str, dict[int, tuple[float, int]]] = {}
    for table in tables:
        if table not in schema:
            continue
        est: dict[int, tuple[float, int]] = {}
        for pgno, cells in pages.table_leaves(schema[table][1]):
            by_age = sorted(cells, key=lambda c: -c[1])  # highest offset: oldest
            n = len(by_age)
            for r, (rowid, _off, _size) in enumerate(by_age):
                est[rowid] = ((r + 0.5) / n + pgno * 1e-9, n)
        out[table] = est
    return out


def combined_cell_times(image: bytes, pool: Iterable[int]) -> tuple[dict[int, float], dict[str, dict[int, float]]]:
    """One write-order estimate per pooled comment: the estimate from the table whose page
    holds the most cells (a page that has taken many writes without being split keeps their
    whole order), the others' averaged in to break ties. Also returns each table's own."""
    per_table = cell_times(image)
    times: dict[int, float] = {}
    for c in pool:
        found = sorted((est[c] for est in per_table.values() if c in est), key=lambda v: -v[1])
        if found:
            times[c] = found[0][0] + 1e-6 * sum(t for t, _n in found) / len(found)
    return times, {t: {r: v[0] for r, v in est.items()} for t, est in per_table.items()}


def attack_cell_order(state: FileState) -> tuple[dict[int, Guess], dict[int, float], dict[str, dict[int, float]]]:
    """Ranked guesses from cell offsets in ``pool``, ``pool_search_content`` and
    ``pool_search_docsize``: one estimated write order, laid over the interviews asked each
    question in the order they were taken."""
    times, per_table = combined_cell_times(state.image, state.pool)
    questions = {c: v[0] for c, v in state.pool.items()}
    return assign(times, questions, state.view), times, per_table


# =============================================================================================
# 4. The -wal
# =============================================================================================

@dataclass
class WalEvent:
    salt: tuple[int, int]
    index: int                          # commit number within its -wal generation
    pool: set[int]                      # pool ids added or changed by this commit
    pool_texts: set[tuple[str, str]]    # (question, text) of those
    named: set[int]                     # interviews whose answers or record this commit touched


#: What the -wal attack reads of each snapshot: the pool and the named tables, nothing else.
_WAL_QUERIES = {
    "pool": "SELECT id, question_id, value, text FROM pool",
    "answers": "SELECT interview_id, question_id, value FROM answers",
    "interviews": "SELECT * FROM interviews",
}


class _Replay:
    """One copy's -wal replayed commit by commit into a temporary database file.

    The database as of a commit is the main file with every frame up to the commit applied.
    The file is marked as a rollback-journal database (so no -wal is looked for) and given a
    new change counter after each commit, so the one read-only connection on it drops what it
    cached of the snapshot before. A table is read again only when the commit wrote one of its
    pages; root pages move only with the schema (no VACUUM, no auto-vacuum here), so they are
    looked up again only when the schema cookie changes."""

    def __init__(self, path: Path, main: bytes, wal: Wal):
        self.wal = wal
        self.image = bytearray(main)
        self.roots = {t: Pages(self.image).schema()[t][1] for t in _WAL_QUERIES}  # KeyError: not a study
        self.cookie = bytes(self.image[40:44])
        self.owned: dict[str, set[int]] = {}
        self.state: dict[str, dict] = {}
        self.applied = -1
        self.version = 0
        self.path = path
        path.write_bytes(main)
        self.file = open(path, "r+b")  # noqa: SIM115 - closed in close()
        self.conn: sqlite3.Connection | None = None

    def _stamp(self) -> None:
        self.version += 1
        self.file.seek(18)
        self.file.write(b"\x01\x01")
        self.file.seek(24)
        self.file.write(self.version.to_bytes(4, "big"))
        self.file.flush()

    def advance(self, n: int) -> set[int]:
        """Apply the frames up to commit ``n`` (-1: none); returns the pages written."""
        written = set()
        if n >= 0:
            last, size = self.wal.commits[n]
            ps = self.wal.page_size
            for pgno, off in self.wal.frames[self.applied + 1:last + 1]:
                page = self.wal.data[off:off + ps]
                start = (pgno - 1) * ps
                if len(self.image) < start:
                    self.image.extend(b"\0" * (start - len(self.image)))
                self.image[start:start + ps] = page
                self.file.seek(start)
                self.file.write(page)
                written.add(pgno)
            self.applied = last
            del self.image[size * ps:]
            self.file.truncate(size * ps)
        self._stamp()
        return written

    def read(self, written: set[int] | None) -> dict[str, dict] | None:
        """The pool and named tables as of the last commit applied (None: it does not read)."""
        if self.conn is None:
            self.conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        if written is not None and bytes(self.image[40:44]) != self.cookie:
            self.cookie = bytes(self.image[40:44])
            written = None
        stale = [t for t in _WAL_QUERIES if written is None or self.owned.get(t, set()) & written]
        if not stale:
            return self.state
        pages = Pages(self.image)
        try:
            if written is None:
                schema = pages.schema()
                self.roots.update({t: schema[t][1] for t in _WAL_QUERIES})
            fresh = dict(self.state)
            for t in stale:
                rows = self.conn.execute(_WAL_QUERIES[t]).fetchall()
                if t == "answers":
                    fresh[t] = {(r[0], r[1]): r[2] for r in rows}
                else:
                    fresh[t] = {r[0]: tuple(r[1:]) for r in rows}
                self.owned[t] = pages.btree_pages(self.roots[t])
        except (sqlite3.DatabaseError, KeyError, IndexError, ValueError):
            return None  # a snapshot that does not read (a later checkpoint in the main file): skip it
        self.state = fresh
        return fresh

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.file.close()


def _changes(before: dict[str, dict], after: dict[str, dict]) -> tuple[set[int], set[int]]:
    """(pool ids added or changed, interviews whose answers or record changed)."""
    pool_b, ans_b, int_b = before["pool"], before["answers"], before["interviews"]
    pool_a, ans_a, int_a = after["pool"], after["answers"], after["interviews"]
    pool = {c for c, v in pool_a.items() if pool_b.get(c) != v} if pool_a is not pool_b else set()
    named: set[int] = set()
    if ans_a is not ans_b:
        named |= {iv for (iv, q), v in ans_a.items() if ans_b.get((iv, q)) != v}
        named |= {iv for (iv, q) in ans_b if (iv, q) not in ans_a}
    if int_a is not int_b:
        named |= {iv for iv, row in int_a.items() if int_b.get(iv) != row}
    return pool, named


def wal_events(captures: list[Capture]) -> list[WalEvent]:
    """Replay every captured -wal commit by commit and say what each commit changed. Each
    commit is read from the first copy that holds it, with that copy's main file."""
    events: list[WalEvent] = []
    done: set[tuple[tuple[int, int], int]] = set()
    with tempfile.TemporaryDirectory(prefix="fk-wal-") as tmp:
        for cap in sorted(captures, key=lambda c: c.order):
            wal = read_wal(cap.wal.read_bytes()) if cap.wal is not None else None
            if wal is None:
                continue
            new = [n for n in range(len(wal.commits)) if (wal.salt, n) not in done]
            if not new:
                continue
            try:
                replay = _Replay(Path(tmp) / f"snapshot-{cap.order}.db", cap.main.read_bytes(), wal)
            except (KeyError, IndexError, ValueError):
                continue  # the main file does not parse as a study
            try:
                replay.advance(new[0] - 1)
                before = replay.read(None)
                for n in new:
                    done.add((wal.salt, n))
                    after = replay.read(replay.advance(n))
                    if before is not None and after is not None:
                        pool, named = _changes(before, after)
                        texts = {(after["pool"][c][0], after["pool"][c][2]) for c in pool}
                        events.append(WalEvent(wal.salt, n, pool, texts, named))
                    before = after
            finally:
                replay.close()
                replay.path.unlink(missing_ok=True)
    return events


def attack_wal(captures: list[Capture], final: FileState) -> dict[int, Guess]:
    """Link each pooled comment to the interview whose named-answer commits sit nearest to the
    commits that wrote it, in the same -wal."""
    events = wal_events(captures)
    by_gen: dict[tuple[int, int], list[WalEvent]] = defaultdict(list)
    for e in events:
        by_gen[e.salt].append(e)
    by_text = {(v[0], v[2]): c for c, v in final.pool.items()}
    distance: dict[int, dict[int, float]] = defaultdict(dict)
    for gen in by_gen.values():
        gen.sort(key=lambda e: e.index)
        named_at = [(e.index, iv) for e in gen for iv in e.named]
        for e in gen:
            comments = {c for c in e.pool if c in final.pool} | {by_text[t] for t in e.pool_texts if t in by_text}
            if not comments or not named_at:
                continue
            near: dict[int, float] = {}
            for idx, iv in named_at:
                # A tie goes to the interview written before the comment (it was under way).
                d = abs(idx - e.index) + (0.25 if idx > e.index else 0.0)
                near[iv] = min(near.get(iv, math.inf), d)
            for c in comments:
                for iv, d in near.items():
                    distance[c][iv] = min(distance[c].get(iv, math.inf), d)
    return {c: sorted(d, key=lambda iv: (d[iv], iv)) for c, d in distance.items() if d}


# =============================================================================================
# 5. Template versions
# =============================================================================================

def attack_template_versions(states: list[FileState], final: FileState, question_id: str) -> dict[int, Guess]:
    """A question added in a later template version can only have been answered by interviews
    taken with a version that asks it: the candidate set is those interviews, as the first file
    holding the comment shows them."""
    first = {c: j for c, (j, _local) in first_seen(states, final).items()}
    out: dict[int, Guess] = {}
    for c, j in first.items():
        if final.pool[c][0] == question_id:
            out[c] = set(states[j].view.eligible(question_id))
    return out


# =============================================================================================
# Orders seen where a comment first appears (to sharpen candidate sets)
# =============================================================================================

def first_seen_times(states: list[FileState], final: FileState) -> dict[int, float]:
    """Each comment's estimated write time from the cell order of the first file holding it
    (where it is among the newest cells). Only the order within one file means anything, so
    this is for ranking comments that first appear in the same file."""
    first = first_seen(states, final)
    cache: dict[int, dict[int, float]] = {}
    out = {}
    for c, (j, local) in first.items():
        if j not in cache:
            cache[j] = combined_cell_times(states[j].image, states[j].pool)[0]
        if local in cache[j]:
            out[c] = cache[j][local]
    return out


def attack_backup_diffs(backups: list[FileState], final: FileState) -> dict[str, dict[int, Guess]]:
    """1. Backup diffs: candidate sets from consecutive backups (strict, and allowing for a
    pool filled in batches), and the strict sets ranked by the cell order each comment has in
    the backup where it first appears."""
    questions = {c: v[0] for c, v in final.pool.items()}
    strict = diff_sets(backups, final)
    return {
        "sets": strict,
        "sets, lagged": diff_sets(backups, final, lagged=True),
        "sets ranked by cell order": sharpen(strict, first_seen_times(backups, final), questions, final.view),
    }


# =============================================================================================
# 6. Everything together
# =============================================================================================

def _put_first(ranked: Guess, preferred: Guess | None) -> Guess:
    """``ranked`` (a list or set) reordered so that ``preferred``'s order comes first."""
    members = list(ranked) if not isinstance(ranked, (set, frozenset)) else sorted(ranked)
    if not members:
        return list(preferred or [])
    if not preferred:
        return members
    inside = [i for i in preferred if i in set(members)]
    return inside + [i for i in members if i not in set(inside)]


def attack_combined(every: list[FileState], final: FileState, wal: dict[int, Guess],
                    fts: dict[int, Guess], cells: dict[int, Guess],
                    template: dict[int, Guess]) -> dict[str, dict[int, Guess]]:
    """6. The attacks together, in a few ways; the caller keeps the best.

    Candidate sets come from consecutive files of every kind the attacker holds (backups and
    copies: strict, or allowing for batches), narrowed by the template version and by the
    FTS5 sets where they overlap; inside a set the -wal's guess goes first, then the cell
    order of the file where the comment first appears."""
    questions = {c: v[0] for c, v in final.pool.items()}
    times = first_seen_times(every, final)
    out: dict[str, dict[int, Guess]] = {}
    for lagged in (False, True):
        sets = diff_sets(every, final, lagged=lagged)
        narrowed = {}
        for c, s in sets.items():
            for other in (template.get(c), fts.get(c)):
                if other and s & set(other):
                    s = s & set(other)
            narrowed[c] = s
        ranked = sharpen(narrowed, times, questions, final.view)
        name = "every file's diffs" + (", lagged" if lagged else "")
        out[f"{name}: sets"] = narrowed
        out[f"{name}, ranked by -wal then cell order"] = {
            c: _put_first(ranked.get(c) or narrowed[c], wal.get(c)) for c in narrowed}
    out["-wal, then cell order"] = {c: _put_first(cells.get(c) or [], wal.get(c)) for c in set(wal) | set(cells)}
    return out


# =============================================================================================
# Running them all
# =============================================================================================

def load_states(sim: Simulation) -> tuple[list[FileState], list[FileState], FileState]:
    """(backup states, every file's state in the study's order, the final study's state)."""
    backups = [file_state(b.name, image_of(b)) for b in sim.backups]
    copies = [file_state(c.label, image_of(c)) for c in sim.captures]
    return chain(backups), chain(backups + copies), copies[-1]
