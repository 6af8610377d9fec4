"""Which column of a file to import goes to which of fieldkit's fields, and which of the file's
values stand for which of the study's ("Notts" for "Nottinghamshire").

A ``Mapping`` is what the import wizard builds and ``fieldkit import --mapping FILE`` reads:

    {"format": "fieldkit-import-mapping", "version": 1, "kind": "organisations",
     "columns": {"Org name": "name", "Tel": "phone", "Post code": "postcode", "Ref": null},
     "values": {"area": {"Notts": "Nottinghamshire"}}}

``columns`` maps each heading of the file to a field (``null``: not imported). Several
headings may go to a field that joins them (``address`` from "Address 1", "Town" and "Post
code"). Each importer (organisations, attempts, interviews) names its fields as ``Field``s;
``guess`` matches a file's headings to them by name and by the words people use ("Org name",
"Tel", "Post code").

A mapping is remembered for the next file shaped the same way (the same headings, in any
order): ``remember`` keeps it in the user's settings folder, ``remembered`` finds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError

FORMAT = "fieldkit-import-mapping"
VERSION = 1
KINDS = ("organisations", "attempts", "interviews")


class MappingError(FieldkitError):
    """A mapping file cannot be used: not JSON, not a mapping, or naming fields that do not exist."""


@dataclass(frozen=True)
class Field:
    """A field a column can be imported into: ``name`` as stored, ``label`` as shown, the
    other ``words`` a heading may use for it, and whether several columns may go to it
    (their values are then joined with ``joiner``)."""

    name: str
    label: str
    words: tuple[str, ...] = ()
    several: bool = False
    joiner: str = ", "
    required: bool = False


@dataclass(frozen=True)
class Problem:
    """One problem found in a file to import, at its row (as the file numbers it, header 1)
    and column heading (None for the whole row). The wizard marks it at its cell."""

    row: int
    heading: str | None
    message: str
    #: The column's number (1 for the first), for a column with no usable heading.
    column: int | None = None

    def line(self) -> str:
        if self.heading:
            where = f"row {self.row}, column '{self.heading}'"
        elif self.column:
            where = f"row {self.row}, column {self.column}"
        else:
            where = f"row {self.row}"
        return f"{where}: {self.message}"


def check_rows(checker: Any, sheet: Any, *, after: Sequence[str] = ()) -> tuple[list[Problem], list[Any]]:
    """Run an importer's checker over a sheet: the header first, then (only when the header is
    fine) every row, then its ``after`` checks (method names) over the whole file. Returns every
    problem in row order, and the checked rows (none when there are problems)."""
    checker.check_header()
    if checker.header_problems:
        return list(checker.header_problems), []
    for index, record in enumerate(sheet.rows):
        checker.check(sheet.row_number(index), record)
    for name in after:
        getattr(checker, name)()
    problems = sorted(checker.problems, key=lambda p: (p.row, p.column or 0))
    return problems, ([] if problems else checker.rows)


def heading_key(heading: str) -> str:
    """A heading compared without case, spaces, punctuation or underscores."""
    return re.sub(r"[\W_]+", "", heading.casefold())


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def field_of(self, heading: str) -> str | None:
        return self.columns.get(heading)

    def headings_of(self, name: str) -> list[str]:
        """The file's headings mapped to field ``name``, in the file's order of the mapping."""
        return [h for h, f in self.columns.items() if f == name]

    def value(self, name: str, raw: str) -> str:
        """The study's value for the file's ``raw`` in field ``name`` (``raw`` when unmapped)."""
        mapped = self.values.get(name, {})
        if raw in mapped:
            return mapped[raw]
        key = " ".join(raw.split()).casefold()
        for given, target in mapped.items():
            if " ".join(given.split()).casefold() == key:
                return target
        return raw

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, "kind": self.kind,
                           "columns": self.columns, "values": self.values}, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, *, where: str = "the mapping") -> Mapping:
        try:
            data = json.loads(text)
        except ValueError as e:
            raise MappingError(f"{where}: not a mapping file (not JSON: {e})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise MappingError(f"{where}: not a fieldkit import mapping (no \"format\": \"{FORMAT}\")")
        if not isinstance(data.get("version"), int) or data["version"] > VERSION:
            raise MappingError(f"{where}: made by a newer fieldkit (mapping version {data.get('version')}); "
                               "update fieldkit to use it")
        kind = data.get("kind", "organisations")
        if kind not in KINDS:
            raise MappingError(f"{where}: unknown kind '{kind}' (expected one of {', '.join(KINDS)})")
        columns = data.get("columns", {})
        values = data.get("values", {})
        if not isinstance(columns, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                    for k, v in columns.items()):
            raise MappingError(f"{where}: \"columns\" must map each heading to a field name or null")
        if not isinstance(values, dict) or not all(
                isinstance(v, dict) and all(isinstance(a, str) and isinstance(b, str) for a, b in v.items())
                for v in values.values()):
            raise MappingError(f"{where}: \"values\" must map each field to {{file value: study value}}")
        return cls(kind, dict(columns), {k: dict(v) for k, v in values.items()})

    @classmethod
    def load(cls, path: str | os.PathLike) -> Mapping:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise MappingError(f"{path}: cannot read the mapping file ({getattr(e, 'strerror', None) or e})") \
                from None
        return cls.from_json(text, where=str(path))

    def save(self, path: str | os.PathLike) -> Path:
        from fieldkit.exports import write_atomically

        data = self.to_json().encode("utf-8")
        return write_atomically(path, lambda f: f.write(data))

    def check(self, fields: Sequence[Field], header: Sequence[str], *, where: str) -> list[str]:
        """Problems with this mapping for a file with ``header``, one line each."""
        names = {f.name: f for f in fields}
        problems = []
        present = set(header)
        for heading, name in self.columns.items():
            if name is not None and name not in names:
                problems.append(f"{where}: column '{heading}' is mapped to '{name}', which is not a field "
                                f"(fields: {', '.join(names)})")
            elif name is not None and heading not in present:
                problems.append(f"{where}: the mapping names a column '{heading}' that the file does not have")
        for name in dict.fromkeys(n for n in self.columns.values() if n is not None):  # the file's order
            mapped = self.headings_of(name)
            if len(mapped) > 1 and name in names and not names[name].several:
                problems.append(f"{where}: {len(mapped)} columns are mapped to '{name}' "
                                f"({', '.join(mapped)}); it takes one")
        return problems


def guess(header: Sequence[str], fields: Sequence[Field], kind: str) -> Mapping:
    """The mapping the headings suggest: each heading that is a field's name, label or one of
    its words (ignoring case, spaces and punctuation) goes to that field; the rest to none.
    A field that takes one column takes the first heading that names it."""
    by_key: dict[str, str] = {}
    for f in fields:
        for word in (f.name, f.label, *f.words):
            by_key.setdefault(heading_key(word), f.name)
    taken: set[str] = set()
    several = {f.name for f in fields if f.several}
    columns: dict[str, str | None] = {}
    for heading in header:
        if not heading.strip() or heading in columns:
            continue
        name = by_key.get(heading_key(heading))
        if name is not None and (name not in taken or name in several):
            columns[heading] = name
            taken.add(name)
        else:
            columns[heading] = None
    return Mapping(kind, columns)


# --- remembered for the next file shaped the same way -------------------------------------


def _shape(kind: str, header: Iterable[str]) -> str:
    keys = sorted({heading_key(h) for h in header if h.strip()})
    return hashlib.sha256(json.dumps([kind, keys]).encode()).hexdigest()[:24]


def _memory_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("fieldkit", appauthor=False)) / "import-mappings"


def remembered(kind: str, header: Sequence[str]) -> Mapping | None:
    """The mapping last used for a file with these headings, or None."""
    path = _memory_folder() / f"{_shape(kind, header)}.json"
    try:
        mapping = Mapping.load(path)
    except MappingError:
        return None
    by_key = {heading_key(h): f for h, f in mapping.columns.items()}
    mapping.columns = {h: by_key.get(heading_key(h)) for h in header if h.strip()}
    return mapping if mapping.kind == kind else None


def remember(mapping: Mapping, header: Sequence[str]) -> None:
    """Keep ``mapping`` for the next file with these headings. Never fails an import: a
    settings folder that cannot be written only means the next file is guessed afresh."""
    from fieldkit.exports import ExportError

    folder = _memory_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mapping.save(folder / f"{_shape(mapping.kind, header)}.json")
    except (OSError, ExportError):
        pass
