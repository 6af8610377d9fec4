"""The client report as the researcher shapes it, kept in the study (named side, never the pool).

- **Parts**: every section of ``fieldkit.reports.sections`` in the researcher's order, each
  printed or not, with a heading and a Markdown text of their own (``report_parts``). The
  findings of each theme are parts too, keyed ``theme:<id>``: the write-up printed before that
  theme's quotations.
- **Cover**: title, client ("Prepared for") and author ("Prepared by") are the study's details;
  subtitle, the report's date as the researcher writes it ("October 2007") and a
  confidentiality line are ``report.*`` settings; the client's and the author's logos are image
  files kept in the study (``report_images``).
- **Recommendations**: rows of a recommendation and who should act (``report_recommendations``).

Every change is saved as it is made, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fieldkit.errors import FieldkitError, InvalidValueError, NotFoundError
from fieldkit.reports.sections import ALL_SECTIONS, BY_NAME, SECTIONS

if TYPE_CHECKING:
    from fieldkit.study import Study

THEME_PREFIX = "theme:"
LOGO_ROLES = ("client", "author")
#: The largest logo kept (a logo is a few hundred kilobytes at most; a photo by mistake is refused).
MAX_LOGO_BYTES = 5 * 1024 * 1024
COVER_KEYS = ("subtitle", "date", "confidentiality")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True)
class Part:
    """One section of the report as the researcher has it."""

    key: str              # a section name
    label: str            # what a screen calls it
    heading: str          # the heading printed: the researcher's, else the section's own
    included: bool
    body: str | None      # the researcher's Markdown; None: none written (the method: fieldkit's words)
    written: bool         # a section only the researcher writes
    custom_heading: bool  # the heading is the researcher's


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: str
    client: str           # "Prepared for"
    author: str           # "Prepared by"
    date: str             # as the researcher wrote it; "" for the month of export
    confidentiality: str

    def date_text(self, today: dt.date | None = None) -> str:
        """The date printed: the researcher's words, else the month and year of ``today``."""
        if self.date.strip():
            return self.date.strip()
        today = today or dt.date.today()
        return f"{_MONTHS[today.month - 1]} {today.year}"


@dataclass(frozen=True)
class Logo:
    role: str
    name: str     # the file name it came from
    data: bytes


@dataclass(frozen=True)
class Recommendation:
    id: int
    text: str
    who: str


# --- parts ---------------------------------------------------------------------------------

def _rows(study: Study) -> dict[str, dict]:
    return {r["key"]: r for r in study.query("SELECT key, position, included, title, body FROM report_parts")}


def parts(study: Study) -> list[Part]:
    """Every section in the researcher's order (sections never placed keep their default place)."""
    rows = _rows(study)
    default = {name: i for i, name in enumerate(ALL_SECTIONS)}

    def place(name: str) -> tuple[float, int]:
        pos = rows.get(name, {}).get("position")
        return (float(pos) if pos is not None else default[name] + 0.5, default[name])

    out = []
    for name in sorted(ALL_SECTIONS, key=place):
        s, r = BY_NAME[name], rows.get(name, {})
        title = (r.get("title") or "").strip()
        out.append(Part(name, s.label, title or s.heading, bool(r.get("included", 1)), r.get("body"),
                        s.written, bool(title)))
    return out


def part(study: Study, key: str) -> Part:
    _section_ok(key)
    return next(p for p in parts(study) if p.key == key)


def included(study: Study) -> tuple[str, ...]:
    """The sections to print, in the researcher's order."""
    return tuple(p.key for p in parts(study) if p.included)


def _section_ok(key: str) -> None:
    if key not in BY_NAME:
        raise InvalidValueError(f"unknown report section '{key}' (sections: {', '.join(ALL_SECTIONS)})")


def _upsert(study: Study, key: str, **values: object) -> None:
    study.conn.execute("INSERT OR IGNORE INTO report_parts(key) VALUES (?)", (key,))
    for column, value in values.items():
        study.conn.execute(f"UPDATE report_parts SET {column} = ? WHERE key = ?", (value, key))


def set_order(study: Study, keys: list[str]) -> None:
    """Put the sections in the order of ``keys`` (sections left out follow, in their order)."""
    for key in keys:
        _section_ok(key)
    given = list(dict.fromkeys(keys))
    rest = [p.key for p in parts(study) if p.key not in given]
    with study.transaction():
        for position, key in enumerate(given + rest, 1):
            _upsert(study, key, position=position)


def move(study: Study, key: str, by: int) -> None:
    """Move a section ``by`` places (negative: earlier)."""
    order = [p.key for p in parts(study)]
    _section_ok(key)
    i = order.index(key)
    order.insert(max(0, min(len(order) - 1, i + by)), order.pop(i))
    set_order(study, order)


def set_included(study: Study, key: str, included: bool) -> None:
    _section_ok(key)
    with study.transaction():
        _upsert(study, key, included=1 if included else 0)


def set_heading(study: Study, key: str, heading: str | None) -> None:
    """The heading ``key`` prints under; None or blank: the section's own."""
    _section_ok(key)
    with study.transaction():
        _upsert(study, key, title=(heading or "").strip() or None)


def set_text(study: Study, key: str, body: str | None) -> None:
    """The researcher's Markdown for a section; None: none (the method goes back to fieldkit's words)."""
    _section_ok(key)
    with study.transaction():
        _upsert(study, key, body=body)


def theme_text(study: Study, theme: str) -> str:
    """The researcher's write-up of one theme's findings ("" when none)."""
    return study.scalar("SELECT body FROM report_parts WHERE key = ?", (THEME_PREFIX + theme,)) or ""


def theme_texts(study: Study) -> dict[str, str]:
    n = len(THEME_PREFIX)
    return {r["key"][n:]: r["body"] for r in study.query(
        "SELECT key, body FROM report_parts WHERE key LIKE 'theme:%' AND body IS NOT NULL AND trim(body) <> ''")}


def set_theme_text(study: Study, theme: str, body: str) -> None:
    if theme and theme not in {t.id for t in study.template.themes}:
        raise InvalidValueError(f"unknown theme '{theme}'")
    with study.transaction():
        _upsert(study, THEME_PREFIX + theme, body=body)


# --- the cover -----------------------------------------------------------------------------

def cover(study: Study) -> Cover:
    return Cover(study.title, study.meta("report.subtitle"), study.client, study.author,
                 study.meta("report.date"), study.meta("report.confidentiality"))


def set_cover(study: Study, *, title: str | None = None, subtitle: str | None = None, client: str | None = None,
              author: str | None = None, date: str | None = None, confidentiality: str | None = None) -> None:
    """Change what the cover says; None leaves a field as it is."""
    with study.transaction():
        study.set_details(title=title, client=client, author=author)
        for key, value in (("subtitle", subtitle), ("date", date), ("confidentiality", confidentiality)):
            if value is not None:
                if "\n" in value.strip():
                    raise InvalidValueError(f"the cover's {key} is one line")
                study.set_meta(f"report.{key}", value.strip())


def _role_ok(role: str) -> None:
    if role not in LOGO_ROLES:
        raise InvalidValueError(f"unknown logo '{role}' (logos: {', '.join(LOGO_ROLES)})")


def image_kind(data: bytes) -> str | None:
    """"png" or "jpeg" from the file's first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def check_image(data: bytes, where: str) -> tuple[int, int]:
    """The image's size in pixels, or ``InvalidValueError`` saying what is wrong with it."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidValueError(f"{where}: the image is {len(data) / 1e6:.1f} MB; a logo may be at most "
                                f"{MAX_LOGO_BYTES // 2**20} MB")
    if image_kind(data) is None:
        raise InvalidValueError(f"{where}: not a PNG or JPEG image")
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            size = im.size
    except Exception as e:  # Pillow raises many kinds for a damaged file
        raise InvalidValueError(f"{where}: the image cannot be read ({type(e).__name__})") from None
    if size[0] < 1 or size[1] < 1 or size[0] * size[1] > 40_000_000:
        raise InvalidValueError(f"{where}: the image is {size[0]} × {size[1]} pixels; too large for a logo")
    return size


def logo(study: Study, role: str) -> Logo | None:
    _role_ok(role)
    r = study.query("SELECT name, data FROM report_images WHERE role = ?", (role,))
    return Logo(role, r[0]["name"], bytes(r[0]["data"])) if r else None


def set_logo(study: Study, role: str, path: str | os.PathLike) -> Logo:
    """Keep the image file at ``path`` in the study as the client's or the author's logo."""
    _role_ok(role)
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise FieldkitError(f"{p}: cannot be read ({e.strerror or e})") from None
    check_image(data, str(p))
    with study.transaction():
        study.conn.execute("INSERT OR REPLACE INTO report_images(role, name, data) VALUES (?, ?, ?)",
                           (role, p.name, data))
    return Logo(role, p.name, data)


def remove_logo(study: Study, role: str) -> None:
    _role_ok(role)
    with study.transaction():
        study.conn.execute("DELETE FROM report_images WHERE role = ?", (role,))


# --- recommendations -----------------------------------------------------------------------

def recommendations(study: Study) -> list[Recommendation]:
    return [Recommendation(r["id"], r["text"], r["who"]) for r in study.query(
        "SELECT id, text, who FROM report_recommendations ORDER BY position, id")]


def add_recommendation(study: Study, text: str = "", who: str = "") -> int:
    with study.transaction():
        position = (study.scalar("SELECT max(position) FROM report_recommendations") or 0) + 1
        cur = study.conn.execute("INSERT INTO report_recommendations(position, text, who) VALUES (?, ?, ?)",
                                 (position, text, who))
        row_id = cur.lastrowid
        assert row_id is not None  # set by the INSERT just run
        return row_id


def update_recommendation(study: Study, rec_id: int, *, text: str | None = None, who: str | None = None) -> None:
    with study.transaction():
        if study.scalar("SELECT 1 FROM report_recommendations WHERE id = ?", (rec_id,)) is None:
            raise NotFoundError(f"no recommendation {rec_id}")
        if text is not None:
            study.conn.execute("UPDATE report_recommendations SET text = ? WHERE id = ?", (text, rec_id))
        if who is not None:
            study.conn.execute("UPDATE report_recommendations SET who = ? WHERE id = ?", (who, rec_id))


def remove_recommendation(study: Study, rec_id: int) -> None:
    with study.transaction():
        study.conn.execute("DELETE FROM report_recommendations WHERE id = ?", (rec_id,))


def move_recommendation(study: Study, rec_id: int, by: int) -> None:
    ids = [r.id for r in recommendations(study)]
    if rec_id not in ids:
        raise NotFoundError(f"no recommendation {rec_id}")
    i = ids.index(rec_id)
    ids.insert(max(0, min(len(ids) - 1, i + by)), ids.pop(i))
    with study.transaction():
        study.conn.executemany("UPDATE report_recommendations SET position = ? WHERE id = ?",
                               [(n, i) for n, i in enumerate(ids, 1)])


__all__ = ["SECTIONS", "Cover", "Logo", "Part", "Recommendation", "add_recommendation", "cover", "included",
           "logo", "move", "move_recommendation", "part", "parts", "recommendations", "remove_logo",
           "remove_recommendation", "set_cover", "set_heading", "set_included", "set_logo", "set_order",
           "set_text", "set_theme_text", "theme_text", "theme_texts", "update_recommendation"]
