"""Bring an XLSForm (the spreadsheet form format of ODK and KoboToolbox) in as a template.

``import_xlsform`` reads the workbook's ``survey``, ``choices`` and ``settings`` sheets and
returns the template as plain data (what ``fieldkit.template_toml.template_from_dict`` reads and
``fieldkit.schedule.write_template`` writes), with a list of everything the template format
cannot hold, each line naming its sheet and row. Nothing is dropped without a line saying so.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError, TemplateError
from fieldkit.template_toml import template_from_dict
from fieldkit.templates import DEFAULT_LANGUAGE, OTHER_CHOICE

#: The sheets read; every other sheet is reported.
SHEETS = ("survey", "choices", "settings")
#: Survey columns that may be given per language (``label::Urdu``) and the template key each fills.
_TEXT_COLUMNS = {"label": "label", "hint": "help", "guidance_hint": "guidance_hint",
                 "constraint_message": "constraint_message", "required_message": "required_message"}
#: Other names XLSForm accepts for a column.
_ALIASES = {"jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message",
            "list name": "list_name", "relevance": "relevant", "bind::relevant": "relevant",
            "bind::constraint": "constraint", "bind::required": "required",
            "bind::calculate": "calculation", "bind::jr:constraintmsg": "constraint_message",
            "bind::jr:requiredmsg": "required_message", "choice filter": "choice_filter",
            "default_value": "default"}
_SURVEY_USED = {"type", "name", "label", "hint", "guidance_hint", "required", "required_message",
                "relevant", "constraint", "constraint_message", "calculation", "default", "choice_filter",
                "appearance", "parameters"}
_METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
             "email", "audit", "imei", "start-geopoint", "background-audio", "uri:email", "uri:phonenumber",
             "uri:username", "uri:deviceid", "uri:subscriberid", "uri:simserial"}
_SELECT_RE = re.compile(r"^select[ _](one|multiple)(?:[ _]from)?\s+(\S+)"
                        r"(?:\s+(or_other|or\s+specify\s+other|specify_other))?$", re.IGNORECASE)
_QUESTION_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
_ATTRIBUTE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}
_SOURCE = "<xlsform>"
_PLACE_RE = re.compile(r"^<xlsform>: section '([^']*)'(?:, question '([^']*)')?"
                       r"(?:, (relevant|constraint|calculation|choice_filter|label|help))?: (.*)$")


class XlsformError(FieldkitError):
    """The file is not an XLSForm fieldkit can read (not a workbook, no survey sheet)."""


@dataclass
class XlsformResult:
    """The template as plain data, and what fieldkit cannot express, by sheet and row."""
    template_dict: dict[str, Any]
    problems: list[str] = field(default_factory=list)


@dataclass
class _Sheet:
    title: str
    headers: list[tuple[str, str | None]]  # (base, language or None) per column
    raw_headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the sheet, cells as text)

    def column(self, base: str, language: str | None = None) -> int | None:
        for i, (b, lang) in enumerate(self.headers):
            if b == base and (lang or None) == language:
                return i
        return None


def _cell(value: Any) -> str:
    """A cell as text, the way it reads in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _header(text: str) -> tuple[str, str | None]:
    """A column header as (base, language): ``LABEL::English (en)`` is ``("label", "English (en)")``."""
    text = " ".join(text.split())
    alias = _ALIASES.get(text.lower())
    if alias:
        return alias, None
    if "::" in text and not text.lower().startswith("bind::"):
        base, _, language = text.partition("::")
    elif ":" in text and text.split(":", 1)[0].strip().lower() in (*_TEXT_COLUMNS, "media", "image", "audio"):
        base, _, language = text.partition(":")
    else:
        return text.lower().replace(" ", "_"), None
    base = _ALIASES.get(base.strip().lower(), base.strip().lower().replace(" ", "_"))
    return base, language.strip() or None


def _read_sheet(ws: Any) -> _Sheet:
    rows = list(ws.iter_rows(values_only=True))
    raw = [_cell(v) for v in rows[0]] if rows else []
    headers = [_header(h) if h else ("", None) for h in raw]
    body: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_cell(v) for v in row][:len(raw)]
        cells += [""] * (len(raw) - len(cells))
        if any(cells):
            body.append((number, cells))
    return _Sheet(ws.title, headers, raw, body)


def _open_workbook(path: Path) -> dict[str, _Sheet]:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise XlsformError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise XlsformError(f"{path}: is a folder, not an XLSForm") from None
    except PermissionError:
        raise XlsformError(f"{path}: cannot read the file (permission denied)") from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise XlsformError(f"{path}: not an Excel workbook (.xlsx): {type(e).__name__}") from None
    try:
        return {ws.title: _read_sheet(ws) for ws in workbook.worksheets}
    except Exception as e:  # noqa: BLE001 - a damaged workbook
        raise XlsformError(f"{path}: the workbook cannot be read: {type(e).__name__}") from None
    finally:
        workbook.close()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "imported-form"


def _section_id(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "section"
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}_{n}", n + 1
    taken.add(sid)
    return sid


class _Importer:
    def __init__(self, path: Path, sheets: dict[str, _Sheet]):
        self.path = path
        self.problems: list[str] = []
        by_name = {name.lower(): s for name, s in sheets.items()}
        survey = by_name.get("survey")
        if survey is None:
            guesses = [s for s in sheets.values() if s.column("type") is not None and s.column("name") is not None]
            if len(guesses) != 1:
                raise XlsformError(f"{path}: not an XLSForm: it has no 'survey' sheet")
            survey = guesses[0]
            self.problems.append(f"{survey.title}: the workbook has no sheet named 'survey'; "
                                 f"the questions were read from '{survey.title}' (rename it 'survey')")
        self.survey: _Sheet = survey
        for column in ("type", "name"):
            if self.survey.column(column) is None:
                raise XlsformError(f"{path}: not an XLSForm: the sheet '{self.survey.title}' has no "
                                   f"'{column}' column")
        self.choices_sheet = by_name.get("choices")
        self.settings_sheet = by_name.get("settings")
        read = {id(s) for s in (self.survey, self.choices_sheet, self.settings_sheet) if s is not None}
        for name, sheet in sheets.items():
            if id(sheet) in read:
                continue
            near = difflib.get_close_matches(name.lower(), SHEETS, n=1, cutoff=0.75)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            what = "is empty and was not read" if not sheet.rows and not any(sheet.raw_headers) else \
                "is not one fieldkit reads; it was left out"
            self.problems.append(f"sheet '{name}' {what}{hint}")
        self.settings = self._settings()
        self.languages = self._languages()
        self.lists = self._lists()
        self.rows: dict[str, int] = {}  # question id -> survey row
        self.section_rows: dict[str, int] = {}
        self.left_out: set[str] = set()

    # -- settings and languages ------------------------------------------------------------
    def _settings(self) -> dict[str, str]:
        sheet = self.settings_sheet
        if sheet is None or not sheet.rows:
            return {}
        number, cells = sheet.rows[0]
        values = {base: cells[i] for i, (base, _) in enumerate(sheet.headers) if base and cells[i]}
        for base, value in values.items():
            if base not in ("form_title", "form_id", "version", "default_language"):
                self.problems.append(f"settings, row {number}: '{base}' ('{value}') is not kept")
        for extra, _ in sheet.rows[1:]:
            self.problems.append(f"settings, row {extra}: only the first row of settings is read")
        return values

    def _languages(self) -> tuple[str, list[str]]:
        named: list[str] = []
        plain = False
        for sheet in (self.survey, self.choices_sheet):
            if sheet is None:
                continue
            for base, language in sheet.headers:
                if base in _TEXT_COLUMNS:
                    if language is None:
                        plain = True
                    elif language.lower() not in [n.lower() for n in named]:
                        named.append(language)
        default = self.settings.get("default_language", "").strip()
        if not default or "::" in default:
            if plain or not named:
                default = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE.lower() not in [n.lower() for n in named] \
                    else "default"
            else:
                default = named[0]
        others = [n for n in named if n.lower() != default.lower()]
        return default, others

    def texts(self, sheet: _Sheet, cells: list[str], base: str, key: str) -> dict[str, str]:
        """``key`` in the default language and ``key::Language`` in the others, from ``base`` columns."""
        default, others = self.languages
        out: dict[str, str] = {}
        for i, (b, language) in enumerate(sheet.headers):
            if b != base or not cells[i]:
                continue
            if language is None or language.lower() == default.lower():
                if language is not None or key not in out:
                    out[key] = cells[i]
            else:
                name = next(o for o in others if o.lower() == language.lower())
                out[f"{key}::{name}"] = cells[i]
        return out

    # -- choices -----------------------------------------------------------------------------
    def _lists(self) -> dict[str, list[dict[str, str]]]:
        lists: dict[str, list[dict[str, str]]] = {}
        sheet = self.choices_sheet
        if sheet is None:
            return lists
        list_col, name_col = sheet.column("list_name"), sheet.column("name")
        if list_col is None or name_col is None:
            if sheet.rows:
                self.problems.append(f"{sheet.title}: no 'list_name' or 'name' column; the choices were not read")
            return lists
        for number, cells in sheet.rows:
            where = f"{sheet.title}, row {number}"
            list_name, name = cells[list_col], cells[name_col]
            if not list_name or not name:
                self.problems.append(f"{where}: a choice needs a list_name and a name; left out")
                continue
            entries = lists.setdefault(list_name, [])
            if any(c["name"] == name for c in entries):
                self.problems.append(f"{where}: list '{list_name}' has the choice '{name}' twice; fieldkit keeps "
                                     "choice names unique, so this one was left out")
                continue
            choice: dict[str, str] = {"name": name}
            choice.update(self.texts(sheet, cells, "label", "label"))
            choice.setdefault("label", name)
            for i, (base, language) in enumerate(sheet.headers):
                if not cells[i] or base in ("list_name", "name", "label", ""):
                    continue
                if language is None and _ATTRIBUTE_RE.fullmatch(base) and base not in _TEXT_COLUMNS \
                        and base not in ("image", "audio", "video", "media"):
                    choice[base] = cells[i]
                else:
                    self.problems.append(f"{where}: column '{sheet.raw_headers[i]}' of choice '{name}' is not kept")
            entries.append(choice)
        return lists

    # -- the survey --------------------------------------------------------------------------
    def build(self, name: str | None) -> dict[str, Any]:
        default, others = self.languages
        title = self.settings.get("form_title") or self.settings.get("form_id") or self.path.stem
        head: dict[str, Any] = {
            "name": _slug(name or self.settings.get("form_id") or self.path.stem),
            "title": title,
            "description": f"Imported from the XLSForm {self.path.name}.",
        }
        version = self.settings.get("version", "")
        if version:
            if version.isdigit() and 1 <= int(version) < 2 ** 63:
                head["version"] = int(version)
            else:
                self.problems.append(f"settings: version '{version}' is not a whole number of 1 or more; "
                                     "the template starts at version 1")
        if default != DEFAULT_LANGUAGE or others:
            head["default_language"] = default
        if others:
            head["languages"] = [default, *others]
        sections = self._sections(title)
        return {"template": head, "sections": sections}

    def _sections(self, form_title: str) -> list[dict[str, Any]]:
        sheet = self.survey
        col = {base: i for i, (base, language) in reversed(list(enumerate(sheet.headers))) if language is None}
        taken: set[str] = set()
        sections: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []  # open groups: name, row, title texts, relevant
        skipping: list[tuple[str, int]] = []  # open repeats whose questions are left out
        current: dict[str, Any] | None = None

        def new_section(base: str, texts: dict[str, str], relevant: str | None, row: int) -> dict[str, Any]:
            section: dict[str, Any] = {"id": _section_id(base, taken), **texts}
            if relevant:
                section["relevant"] = relevant
            section["questions"] = []
            self.section_rows[section["id"]] = row
            sections.append(section)
            return section

        def open_section(row: int) -> dict[str, Any]:
            if stack:
                top = stack[-1]
                return new_section(top["name"], top["texts"], top["relevant"], row)
            return new_section("main", {"title": form_title}, None, row)

        for number, cells in sheet.rows:
            where = f"{sheet.title}, row {number}"
            rtype = " ".join(cells[col["type"]].split())
            name = cells[col["name"]]
            kind = rtype.lower().replace("_", " ")
            if skipping:
                if kind == "begin repeat":
                    skipping.append((name, number))
                elif kind == "end repeat":
                    skipping.pop()
                elif name and kind not in ("begin group", "end group"):
                    self.left_out.add(name)
                continue
            if not rtype:
                self.problems.append(f"{where}: '{name or '(no name)'}' has no type; left out")
                continue
            if kind == "begin repeat":
                self.problems.append(f"{where}: repeat '{name}' (begin_repeat): fieldkit has no repeats; "
                                     "its questions were left out")
                skipping.append((name, number))
                continue
            if kind == "end repeat":
                self.problems.append(f"{where}: end_repeat without a begin_repeat; ignored")
                continue
            if kind == "begin group":
                texts = self.texts(sheet, cells, "label", "title")
                texts = {k: v for k, v in texts.items()}
                texts.setdefault("title", name or f"Group at row {number}")
                relevant = cells[col["relevant"]] if "relevant" in col else ""
                if stack:
                    self.problems.append(f"{where}: group '{name}' is inside group '{stack[-1]['name']}': fieldkit "
                                         "has no groups within groups; its questions became a section of their own")
                    outer = stack[-1]["relevant"]
                    relevant = f"({outer}) and ({relevant})" if outer and relevant else relevant or outer
                self._unused(where, cells, ("type", "name", "label", "relevant"), f"group '{name}'")
                stack.append({"name": name or "group", "texts": texts, "relevant": relevant or None})
                current = None
                continue
            if kind == "end group":
                if not stack:
                    self.problems.append(f"{where}: end_group without a begin_group; ignored")
                else:
                    stack.pop()
                current = None
                continue
            if kind == "note":
                texts = self.texts(sheet, cells, "label", "intro")
                if not texts:
                    self.problems.append(f"{where}: note '{name}' has no label; left out")
                    continue
                if current is None or current["questions"]:
                    current = open_section(number)
                for key, text in texts.items():
                    current[key] = f"{current[key]}\n\n{text}" if key in current else text
                if "intro" not in current:
                    current["intro"] = texts[next(iter(texts))]
                self._unused(where, cells, ("type", "name", "label"),
                             f"note '{name}' (it became a section's introduction)")
                if name:
                    self.left_out.add(name)
                continue
            question = self._question(where, number, rtype, name, cells, col)
            if question is None:
                if name:
                    self.left_out.add(name)
                continue
            if current is None:
                current = open_section(number)
            current["questions"].append(question)
            self.rows[question["id"]] = number
        for name, number in skipping:
            self.problems.append(f"{sheet.title}, row {number}: repeat '{name}' has no end_repeat")
        for group in stack:
            self.problems.append(f"{sheet.title}: group '{group['name']}' has no end_group")
        return [s for s in sections if s["questions"] or s.get("intro")]

    def _unused(self, where: str, cells: list[str], used: tuple[str, ...], what: str) -> None:
        """Report each filled-in column of a row that fieldkit did not keep."""
        for i, (base, _) in enumerate(self.survey.headers):
            if cells[i] and base not in used and not (base == "label" and "label" in used):
                self.problems.append(f"{where}: {what}: column '{self.survey.raw_headers[i]}' "
                                     f"('{cells[i]}') is not kept")

    def _question(self, where: str, number: int, rtype: str, name: str, cells: list[str],
                  col: dict[str, int]) -> dict[str, Any] | None:
        sheet = self.survey
        kind = rtype.lower()
        what = f"'{name}' ({rtype})"
        if not name:
            self.problems.append(f"{where}: a {rtype} question has no name; left out")
            return None
        if not _QUESTION_ID_RE.fullmatch(name):
            self.problems.append(f"{where}: {what}: the name must be letters, digits, '_', '.' or '-' "
                                 "for fieldkit; left out")
            return None
        if name in self.rows:
            self.problems.append(f"{where}: {what}: the name is used twice; left out")
            return None

        def value(key: str) -> str:
            return cells[col[key]] if key in col else ""

        q: dict[str, Any] = {"id": name}
        used = ["type", "name", "label", "hint", "guidance_hint", "required", "required_message", "relevant",
                "constraint", "constraint_message", "default", "choice_filter"]
        appearance = value("appearance").lower()
        select = _SELECT_RE.match(rtype)
        if kind in ("text", "string"):
            q["type"] = "long_text" if "multiline" in appearance.split() else "short_text"
            if "multiline" in appearance.split():
                used.append("appearance")
        elif kind in ("phone number", "phone_number"):
            q["type"] = "short_text"
            self.problems.append(f"{where}: {what}: fieldkit has no phone number questions; kept as short_text")
        elif kind in ("integer", "int", "decimal"):
            q["type"] = "number"
        elif kind == "range":
            q["type"] = "number"
            used.append("parameters")
            params = dict(p.partition("=")[::2] for p in value("parameters").split())
            for key, bound in (("start", "min"), ("end", "max")):
                with contextlib.suppress(KeyError, ValueError):
                    q[bound] = float(params[key]) if "." in params[key] else int(params[key])
            self.problems.append(f"{where}: {what}: fieldkit has no range questions; kept as a number "
                                 "between its start and end (the step and slider are not kept)")
        elif kind == "date":
            q["type"] = "date"
        elif kind == "calculate":
            q["type"] = "calculate"
            used.append("calculation")
            if not value("calculation"):
                self.problems.append(f"{where}: {what} has no calculation; left out")
                return None
            q["calculation"] = value("calculation")
        elif select:
            several = select.group(1).lower() == "multiple"
            list_name = select.group(2)
            choices = self.lists.get(list_name)
            if not choices:
                self.problems.append(f"{where}: {what}: the choices sheet has no list '{list_name}'; left out")
                return None
            names = {c["name"] for c in choices}
            other = bool(select.group(3))
            if not several and names == {"yes", "no"} and not other and not value("choice_filter") \
                    and "likert" not in appearance:
                q["type"] = "yes_no"
                for choice in choices:
                    key = f"{choice['name']}_label"
                    q.update({key + k[len("label"):]: t for k, t in choice.items() if k.startswith("label")})
            else:
                q["type"] = "multiple_choice" if several else \
                    "scale" if "likert" in appearance.split() else "single_choice"
                if "likert" in appearance.split():
                    used.append("appearance")
                q["choices"] = [dict(c) for c in choices]
                if other:
                    if OTHER_CHOICE in names or q["type"] == "scale":
                        why = f"the list already has a choice '{OTHER_CHOICE}'" if OTHER_CHOICE in names \
                            else "a scale has no 'Other, please specify'"
                        self.problems.append(f"{where}: {what}: 'or_other' is not kept ({why})")
                    else:
                        q["other"] = True
                if len(choices) + bool(q.get("other")) < 2:
                    self.problems.append(f"{where}: {what}: list '{list_name}' has fewer than two choices; left out")
                    return None
        elif kind in _METADATA:
            self.problems.append(f"{where}: {what}: metadata fieldkit does not collect "
                                 "(it records each interview itself); left out")
            return None
        else:
            self.problems.append(f"{where}: {what}: fieldkit has no {rtype.split()[0]} questions; left out")
            return None

        texts = self.texts(sheet, cells, "label", "label")
        q.update(texts)
        if "label" not in q:
            q["label"] = next((t for k, t in texts.items()), name)
        hint = self.texts(sheet, cells, "hint", "help")
        guidance = self.texts(sheet, cells, "guidance_hint", "help")
        if hint and guidance:
            self.problems.append(f"{where}: {what}: the guidance_hint is not kept (the hint is fieldkit's help)")
        q.update(hint or guidance)
        if value("relevant"):
            q["relevant"] = value("relevant")
        required = value("required").strip().lower()
        if q["type"] == "calculate":
            for key in ("required", "constraint", "default"):
                if value(key):
                    self.problems.append(f"{where}: {what}: {key} is not kept (a calculate question is computed)")
            return q
        if required in _TRUE:
            q["required"] = True
            q.update(self.texts(sheet, cells, "required_message", "required_message"))
        elif required not in _FALSE:
            self.problems.append(f"{where}: {what}: required only when '{value('required')}': fieldkit's required "
                                 "is yes or no, so it was kept as not required")
        if value("required_message") and not q.get("required"):
            self.problems.append(f"{where}: {what}: required_message is not kept (the question is not required)")
        if value("constraint_message") and not value("constraint"):
            self.problems.append(f"{where}: {what}: constraint_message is not kept (there is no constraint)")
        constraint = value("constraint")
        whole = kind in ("integer", "int")
        if constraint:
            q["constraint"] = f"({constraint}) and int(.) = ." if whole else constraint
            q.update(self.texts(sheet, cells, "constraint_message", "constraint_message"))
        elif whole:
            q["constraint"] = "int(.) = ."
            q["constraint_message"] = "A whole number"
        if value("choice_filter"):
            if "choices" in q:
                q["choice_filter"] = value("choice_filter")
            else:
                self.problems.append(f"{where}: {what}: choice_filter is not kept (not a choice question)")
        if value("default"):
            default = self._default(q, value("default"))
            if default is None:
                self.problems.append(f"{where}: {what}: default '{value('default')}' is not kept "
                                     "(fieldkit's default is a fixed answer)")
            else:
                q["default"] = default
        if appearance and "appearance" not in used:
            self.problems.append(f"{where}: {what}: appearance '{value('appearance')}' is not kept")
        used.append("appearance")
        for i, (base, _) in enumerate(sheet.headers):
            if cells[i] and base not in used:
                self.problems.append(f"{where}: {what}: column '{sheet.raw_headers[i]}' ('{cells[i]}') is not kept")
        return q

    @staticmethod
    def _default(q: dict[str, Any], text: str) -> Any:
        """A fixed default as the question's answer, or None for an expression fieldkit cannot hold."""
        if "${" in text or re.match(r"^[A-Za-z:-]+\(.*\)$", text):
            return None
        if q["type"] == "number":
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() and "." not in text else number
        if q["type"] == "yes_no":
            return {"yes": True, "no": False}.get(text.lower())
        if q["type"] == "multiple_choice":
            return text.split()
        return text

    # -- making sure it loads ----------------------------------------------------------------
    def settle(self, data: dict[str, Any]) -> None:
        """Take out what the template loader refuses, one reported line each, until it loads."""
        for _ in range(500):
            try:
                template_from_dict(data, source=_SOURCE)
                return
            except TemplateError as e:
                fixed = [self._fix(data, line) for line in e.problems]  # every line, not just the first
                if not any(fixed):
                    raise XlsformError(f"{self.path}: cannot be made into a template: "
                                       f"{e.problems[0].removeprefix(_SOURCE + ': ')}") from None
        raise XlsformError(f"{self.path}: cannot be made into a template (too many problems)")

    def _fix(self, data: dict[str, Any], line: str) -> bool:
        match = _PLACE_RE.match(line)
        if not match:
            return False
        sid, qid, key, message = match.groups()
        for name in ("relevant", "constraint", "calculation", "choice_filter"):
            if key is None and message.startswith(f"{name}: "):
                key, message = name, message[len(name) + 2:]
        message = re.sub(r"unknown question '([^']*)'", lambda m: f"question '{m.group(1)}', which was left out"
                         if m.group(1) in self.left_out else m.group(0), message)
        section = next((s for s in data["sections"] if s["id"] == sid), None)
        if section is None:
            return False
        if qid is None:
            if key == "relevant" and "relevant" in section:
                self.problems.append(f"{self.survey.title}, row {self.section_rows[sid]}: group '{sid}': relevant "
                                     f"'{section.pop('relevant')}' is not kept: {message}")
                return True
            return False
        q = next((x for x in section["questions"] if x["id"] == qid), None)
        if q is None:
            return False
        where = f"{self.survey.title}, row {self.rows[qid]}: '{qid}'"
        if key in ("label", "help"):
            earlier = self._earlier(data, qid)
            for k in [k for k in q if k == key or k.startswith(key + "::")]:
                q[k] = re.sub(r"\$\{([^}]*)\}", lambda m: m.group(0) if m.group(1) in earlier else f"[{m.group(1)}]",
                              q[k])
            self.problems.append(f"{where}: {key} shows an answer fieldkit cannot show ({message}); "
                                 "the reference was kept as plain text")
            return True
        if key in ("relevant", "constraint", "choice_filter") and key in q:
            self.problems.append(f"{where}: {key} '{q.pop(key)}' is not kept: {message}")
            if key == "constraint":
                q.pop("constraint_message", None)
                for k in [k for k in q if k.startswith("constraint_message::")]:
                    del q[k]
            return True
        if "'other = true'" in message and q.pop("other", None):
            self.problems.append(f"{where}: 'or_other' is not kept: {message}")
            return True
        if message.startswith("'default'") and "default" in q:
            self.problems.append(f"{where}: default '{q.pop('default')}' is not kept: {message}")
            return True
        section["questions"].remove(q)
        self.left_out.add(qid)
        detail = f"calculation '{q.get('calculation')}': {message}" if key == "calculation" else message
        self.problems.append(f"{where}: left out: {detail}")
        if not section["questions"] and not section.get("intro"):
            data["sections"].remove(section)
        return True

    def order(self, line: str) -> tuple[int, int]:
        """Where a problem line sorts: whole sheets first, then survey, choices and settings rows."""
        match = re.match(r"^(.*?), row (\d+):", line)
        if not match:
            return 0, 0
        sheets = [s.title for s in (self.survey, self.choices_sheet, self.settings_sheet) if s is not None]
        rank = sheets.index(match.group(1)) + 1 if match.group(1) in sheets else len(sheets) + 1
        return rank, int(match.group(2))

    @staticmethod
    def _earlier(data: dict[str, Any], qid: str) -> set[str]:
        names: set[str] = set()
        for section in data["sections"]:
            for q in section["questions"]:
                if q["id"] == qid:
                    return names
                names.add(q["id"])
                if q.get("other"):
                    names.add(f"{q['id']}_other")
        return names


def import_xlsform(path: str | Path, *, name: str | None = None) -> XlsformResult:
    """Read the XLSForm at ``path`` as template data (``name``: the template's name, else the
    form_id). Raises XlsformError when the file is not an XLSForm."""
    path = Path(path)
    importer = _Importer(path, _open_workbook(path))
    data = importer.build(name)
    importer.settle(data)
    return XlsformResult(data, sorted(importer.problems, key=importer.order))

