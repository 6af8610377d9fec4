"""The official lists of areas a new study can take its areas from.

English regions, counties, unitary authorities, metropolitan districts, London boroughs and
districts, Welsh principal areas, Scottish council areas and Northern Irish districts, each with
its GSS code (the Office for National Statistics' nine-character code: ``E06000025``), read from
``resources/areas/areas.csv``. Where they come from, their date
and their licence are in ``resources/areas/SOURCE.md``. A study made with some of them keeps each
area's code beside its name (``Template.area_codes``), so its areas can be matched with official
statistics later whatever the names become.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fieldkit.errors import FieldkitError, InvalidValueError
from fieldkit.templates import GSS_CODE, Template, shipped_dir

COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True)
class Kind:
    """One kind of area: its id in the data file, the code prefix ONS gives it, its name in
    the plural as a list of them is headed, and one of them as it is called beside its name."""

    id: str
    prefix: str
    label: str
    singular: str


#: Every kind the data file may hold, in the order lists show them. The file need not hold
#: them all (see SOURCE.md for what it has).
KINDS: tuple[Kind, ...] = (
    Kind("region", "E12", "English regions", "region"),
    Kind("county", "E10", "English counties", "county"),
    Kind("unitary", "E06", "English unitary authorities", "unitary authority"),
    Kind("metropolitan", "E08", "Metropolitan districts", "metropolitan district"),
    Kind("london_borough", "E09", "London boroughs", "London borough"),
    Kind("district", "E07", "English districts", "district"),
    Kind("welsh_council", "W06", "Welsh councils", "Welsh council"),
    Kind("scottish_council", "S12", "Scottish councils", "Scottish council"),
    Kind("ni_council", "N09", "Northern Irish councils", "Northern Irish council"),
)
_KIND_BY_ID = {k.id: k for k in KINDS}


def kind(kind_id: str) -> Kind:
    """The kind ``kind_id`` (one of ``KINDS``)."""
    return _KIND_BY_ID[kind_id]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str
    #: The area this one lies within in the file's own terms (a district's county), or "".
    parent_code: str = ""


class AreaList:
    """The areas of one data file, checked as it is read, in the file's order."""

    def __init__(self, areas: Iterable[Area], *, source: str = "areas") -> None:
        self.source = source
        self._areas = tuple(areas)
        self._by_code = {a.code: a for a in self._areas}

    def __iter__(self):
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def kinds(self) -> list[Kind]:
        """The kinds the list holds, in ``KINDS`` order."""
        present = {a.kind for a in self._areas}
        return [k for k in KINDS if k.id in present]

    def of_kind(self, kind: str) -> list[Area]:
        return [a for a in self._areas if a.kind == kind]

    def get(self, code: str) -> Area | None:
        return self._by_code.get(code.strip().upper())

    def parents(self) -> list[Area]:
        """The areas others lie within (counties, for their districts), in the file's order."""
        used = {a.parent_code for a in self._areas if a.parent_code}
        return [a for a in self._areas if a.code in used]

    def within(self, code: str) -> list[Area]:
        """The areas that lie within ``code`` (a county's districts). An unknown code, or one
        nothing lies within, is refused in one line naming it."""
        parent = self.find([code])[0]
        inside = [a for a in self._areas if a.parent_code == parent.code]
        if not inside:
            example = self.parents()[0] if self.parents() else None
            hint = (f" (the code of a {_KIND_BY_ID[example.kind].singular}, as {example.code} for "
                    f"{example.name}, has some)") if example else ""
            raise InvalidValueError(f"{parent.code} ({parent.name}): no area in the list lies within it{hint}")
        return inside

    def find(self, codes: Iterable[str]) -> list[Area]:
        """The areas of ``codes``, in the order given, each once. Any code not in the list is
        refused, all of them named in one line."""
        found: list[Area] = []
        unknown: list[str] = []
        for raw in codes:
            code = raw.strip().upper()
            if not code:
                continue
            area = self._by_code.get(code)
            if area is None:
                unknown.append(raw.strip())
            elif area not in found:
                found.append(area)
        if unknown:
            what = "an area code" if len(unknown) == 1 else "area codes"
            raise InvalidValueError(f"{', '.join(unknown)}: not {what} fieldkit knows "
                                    f"(see 'fieldkit areas' for the list)")
        return found


def read_areas(path: str | Path) -> AreaList:
    """Read and check an areas file (``code,name,kind,parent_code``); a bad row is refused
    with its line number."""
    path = Path(path)
    source = str(path)
    areas: list[Area] = []
    seen: set[str] = set()
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise FieldkitError(f"{source}: the columns must be {','.join(COLUMNS)}")
            for line, row in enumerate(reader, start=2):
                code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
                kind, parent = (row["kind"] or "").strip(), (row["parent_code"] or "").strip()
                where = f"{source}, line {line}"
                if not GSS_CODE.fullmatch(code):
                    raise FieldkitError(f"{where}: '{code}' is not a GSS code (a letter and eight digits)")
                if code in seen:
                    raise FieldkitError(f"{where}: {code} is listed twice")
                if kind not in _KIND_BY_ID:
                    raise FieldkitError(f"{where}: unknown kind '{kind}'")
                if not code.startswith(_KIND_BY_ID[kind].prefix):
                    raise FieldkitError(f"{where}: {code} is not the code of a {_KIND_BY_ID[kind].singular} "
                                        f"(those start {_KIND_BY_ID[kind].prefix})")
                if not name:
                    raise FieldkitError(f"{where}: {code} has no name")
                seen.add(code)
                areas.append(Area(code, name, kind, parent))
    except OSError as e:
        raise FieldkitError(f"{source}: cannot read the list of areas ({e.strerror or e})") from None
    for area in areas:
        if area.parent_code and area.parent_code not in seen:
            raise FieldkitError(f"{source}: {area.code} lies within {area.parent_code}, which is not listed")
    return AreaList(areas, source=source)


def areas_file() -> Path:
    """The shipped list of areas (``resources/areas/areas.csv``, or its place when installed)."""
    return shipped_dir("resources") / "areas" / "areas.csv"


@cache
def shipped_areas() -> AreaList:
    """The shipped list of areas, read once."""
    return read_areas(areas_file())


def with_areas(template: Template, areas: Sequence[Area] | None) -> Template:
    """``template`` with its areas replaced by ``areas`` (their names, in that order, each with
    its code); ``None`` keeps the template's own, and an empty list leaves the study none."""
    if areas is None:
        return template
    return template.with_coded_areas({a.name: a.code for a in areas})
