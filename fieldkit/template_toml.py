"""Reading a study template: a TOML file in ``forms/``, or the same shape as plain data (a study's
stored copy, an imported XLSForm), checked key by key into the model of fieldkit.templates.

Every problem is one line naming the file (or source) and the place in it; all of them are
reported together, and nothing is built from a template that has any. The format is documented
in ``forms/README.md``.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Collection
from typing import Any

from fieldkit import expressions, question_types
from fieldkit.errors import InvalidValueError, TemplateError
from fieldkit.outcome_rules import OutcomeRule, check_code, check_rule, guess_exclusion, guess_outcome
from fieldkit.question_types import QuestionType
from fieldkit.templates import (
    BUILTIN_FLAGS,
    COUNT_BY,
    DEFAULT_LANGUAGE,
    DEFAULT_OUTCOMES,
    GSS_CODE,
    OTHER_CHOICE,
    OTHER_LABEL,
    QUESTION_TEXTS,
    QUESTION_TYPES,
    SECTION_TEXTS,
    VOCABULARIES,
    YES_NO_LABELS,
    Choice,
    Flag,
    Question,
    Section,
    Template,
    Theme,
    forms_dir,
)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IDENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_QUESTION_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
_ATTRIBUTE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, place: str, message: str) -> None:
        # A line break inside a key or an id would split one problem over several lines.
        text = f"{place}: {message}" if place else message
        self.items.append(f"{self.source}: " + text.replace("\r", "\\r").replace("\n", "\\n"))


def _check_keys(p: _Problems, place: str, data: dict, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            p.add(place, f"unknown key '{key}' (expected one of {', '.join(allowed)})")


def _text(p: _Problems, place: str, data: dict, key: str, *, required: bool) -> str:
    value = data.get(key)
    if value is None:
        if required:
            p.add(place, f"'{key}' is missing")
        return ""
    if not isinstance(value, str):
        p.add(place, f"'{key}' must be text")
        return ""
    if required and not value.strip():
        p.add(place, f"'{key}' is empty")
    return value


def _bool(p: _Problems, place: str, data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        p.add(place, f"'{key}' must be true or false")
        return False
    return value


def _string_list(p: _Problems, place: str, value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        p.add(place, f"'{key}' must be a list of text")
        return ()
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            p.add(place, f"'{key}' has an entry that is not non-empty text: {item!r}")
        elif item in out:
            p.add(place, f"'{key}' lists '{item}' twice")
        else:
            out.append(item)
    return tuple(out)


def _coded_list(p: _Problems, value: Any, key: str, codes: dict) -> tuple[str, ...]:
    """Outcomes or exclusion reasons: each plain text, or a table with its ``name`` and
    ``disposition`` (and, for an outcome, ``retry``, ``retry_limit``, ``final``). Fills ``codes``
    with the rules (outcomes) or 4.x codes (exclusion reasons) given."""
    place = "[organisations]"
    if not isinstance(value, list):
        p.add(place, f"'{key}' must be a list of text or tables")
        return ()
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, dict):
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                p.add(place, f"'{key}' entry {i} needs a 'name'")
                continue
            where = f"{key.replace('_', ' ')[:-1]} '{name}'"
            try:
                if key == "outcomes":
                    codes[name] = check_rule(item, place=where)
                else:
                    extra = sorted(set(item) - {"name", "disposition"})
                    if extra:
                        raise InvalidValueError(f"{where}: unknown key {', '.join(map(repr, extra))} "
                                                "(expected name, disposition)")
                    code = check_code(item.get("disposition"), place=where)
                    if not code.startswith("4."):
                        raise InvalidValueError(f"{where}: an exclusion reason is a \"not eligible\" "
                                                f"code (4.x), not {code}")
                    codes[name] = code
            except InvalidValueError as e:
                p.add(place, str(e))
        elif isinstance(item, str) and item.strip():
            name = item
        else:
            p.add(place, f"'{key}' has an entry that is not non-empty text: {item!r}")
            continue
        if name in out:
            p.add(place, f"'{key}' lists '{name}' twice")
        else:
            out.append(name)
    return tuple(out)


def _table_list(p: _Problems, place: str, data: dict, key: str) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add(place, f"'{key}' must be a list of tables ([[{key}]])")
        return []
    return value


def _number(p: _Problems, place: str, data: dict, key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, int) and not -2**63 <= value < 2**63)
            or not math.isfinite(value)):
        p.add(place, f"'{key}' must be a number")
        return None
    return value


_QUESTION_KEYS = ("id", "type", "label", "help", "required", "required_message", "theme", "anonymous",
                  "choices", "min", "max", "flag", "count_by", "relevant", "constraint",
                  "constraint_message", "calculation", "choice_filter", "default", "other", "other_label",
                  "yes_label", "no_label")
_EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter")


def _translations(p: _Problems, place: str, data: dict, keys: tuple[str, ...],
                  languages: list[str]) -> dict[str, str]:
    """The ``key::Language`` texts of a table; each new language is added to ``languages``."""
    found: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or "::" not in key:
            continue
        base, _, language = key.partition("::")
        language = language.strip()
        if base not in keys:
            p.add(place, f"'{key}': only {', '.join(keys)} can be given in another language")
        elif not language:
            p.add(place, f"'{key}': the language is missing after '::'")
        elif not isinstance(value, str):
            p.add(place, f"'{key}' must be text")
        else:
            found[f"{base}::{language}"] = value
            if language not in languages:
                languages.append(language)
    return found


def _choices(p: _Problems, place: str, value: Any, languages: list[str]) -> tuple[Choice, ...]:
    if not isinstance(value, list):
        p.add(place, "'choices' must be a list of text or of tables (name, label)")
        return ()
    out: list[Choice] = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, str):
            if not item.strip():
                p.add(place, f"'choices' has an empty entry (choice {i})")
                continue
            choice = Choice(item, item)
        elif isinstance(item, dict):
            name, label = item.get("name"), item.get("label", item.get("name"))
            cplace = f"{place}, choice {i}"
            if not isinstance(name, str) or not name.strip():
                p.add(cplace, "'name' is missing or empty")
                continue
            if not isinstance(label, str) or not label.strip():
                p.add(cplace, "'label' must be non-empty text")
                continue
            texts = _translations(p, cplace, item, ("label",), languages)
            attributes: dict[str, str] = {}
            for key, v in item.items():
                if key in ("name", "label") or "::" in key:
                    continue
                if not _ATTRIBUTE_RE.fullmatch(key):
                    p.add(cplace, f"'{key}' is not a usable attribute name (letters, digits and '_')")
                elif isinstance(v, bool) or not isinstance(v, (str, int, float)):
                    p.add(cplace, f"attribute '{key}' must be text or a number")
                else:
                    attributes[key] = v if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)
            choice = Choice(name, label, {k.partition("::")[2]: t for k, t in texts.items()}, attributes)
        else:
            p.add(place, f"'choices' has an entry that is neither text nor a table: {item!r}")
            continue
        if any(c.name == choice.name for c in out):
            p.add(place, f"'choices' lists '{choice.name}' twice")
            continue
        out.append(choice)
    return tuple(out)


def _expression(p: _Problems, place: str, data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        p.add(place, f"'{key}' must be an expression (text)")
        return None
    try:
        expressions.parse(value, names=key == "choice_filter")
    except expressions.ExpressionError as e:
        p.add(place, f"{key}: {e}")
        return None
    return value


def _question(p: _Problems, place: str, data: dict, theme_ids: set[str],
              flag_ids: set[str], languages: list[str]) -> Question | None:
    _check_keys(p, place, {k: v for k, v in data.items() if "::" not in k}, _QUESTION_KEYS)
    qtype = data.get("type")
    kind: QuestionType | None = None
    if qtype is None:
        p.add(place, "'type' is missing")
    elif qtype not in QUESTION_TYPES:
        p.add(place, f"unknown type '{qtype}' (expected one of {', '.join(QUESTION_TYPES)})")
    else:
        kind = question_types.get(qtype)
    label = _text(p, place, data, "label", required=True)
    texts = {key: _text(p, place, data, key, required=False)
             for key in ("help", "required_message", "constraint_message", "other_label", "yes_label", "no_label")}
    translations = _translations(p, place, data, QUESTION_TEXTS, languages)
    required = _bool(p, place, data, "required")
    anonymous = _bool(p, place, data, "anonymous")
    other = _bool(p, place, data, "other")
    theme = data.get("theme")
    if theme is not None:
        if not isinstance(theme, str):
            p.add(place, "'theme' must be text")
            theme = None
        elif theme not in theme_ids:
            known = ", ".join(sorted(theme_ids)) or "none are declared"
            p.add(place, f"unknown theme '{theme}' (themes: {known})")
    options: tuple[Choice, ...] = ()
    if kind is not None and kind.has_choices:
        if "choices" not in data:
            p.add(place, f"'choices' is missing (a {qtype} question needs at least two)")
        else:
            options = _choices(p, place, data["choices"], languages)
            if len(options) + other < 2 and isinstance(data["choices"], list):
                p.add(place, "'choices' needs at least two entries")
    elif "choices" in data and kind is not None:
        p.add(place, f"'choices' is not allowed for a {qtype} question")
    if other:
        if kind is None or not kind.takes_other:
            p.add(place, "'other' is only for single_choice and multiple_choice questions")
            other = False
        elif any(c.name == OTHER_CHOICE for c in options):
            p.add(place, f"'other = true' adds the choice '{OTHER_CHOICE}' itself; remove it from 'choices'")
            other = False
        else:
            other_texts = {k.partition("::")[2]: t for k, t in translations.items() if k.startswith("other_label::")}
            options = options + (Choice(OTHER_CHOICE, texts["other_label"] or OTHER_LABEL, other_texts),)
    elif texts["other_label"]:
        p.add(place, "'other_label' is only for a question with 'other = true'")
    if kind is not None and kind.kind != "yes_no":
        for key in YES_NO_LABELS:
            if texts[key] or any(k.startswith(f"{key}::") for k in translations):
                p.add(place, f"'{key}' is only for a yes_no question")
    low = high = None
    if kind is not None and kind.has_range:
        low = _number(p, place, data, "min")
        high = _number(p, place, data, "max")
        if low is not None and high is not None and low > high:
            p.add(place, f"'min' ({low:g}) is greater than 'max' ({high:g})")
    elif kind is not None:
        for key in ("min", "max"):
            if key in data:
                p.add(place, f"'{key}' is only allowed for a number question")
    flag = data.get("flag")
    if flag is not None:
        if not isinstance(flag, str):
            p.add(place, "'flag' must be text")
            flag = None
        elif kind is None or not kind.can_flag:
            p.add(place, "'flag' is only allowed for a yes_no question")
            flag = None
        elif anonymous:
            p.add(place, "an anonymous question cannot tick a flag (that would link it to the organisation)")
            flag = None
        elif flag not in flag_ids:
            p.add(place, f"unknown flag '{flag}' (flags: {', '.join(sorted(flag_ids))})")
            flag = None
    logic = {key: _expression(p, place, data, key) for key in _EXPRESSION_KEYS}
    if kind is None:
        return None
    if kind.computed:
        if logic["calculation"] is None and "calculation" not in data:
            p.add(place, "'calculation' is missing (a calculate question shows a computed value)")
        for key, bad in (("anonymous", anonymous), ("required", required), ("constraint", logic["constraint"]),
                         ("default", data.get("default"))):
            if bad:
                p.add(place, f"'{key}' is not allowed for a calculate question (its value is computed)")
        anonymous = required = False
        logic["constraint"] = None
    elif logic["calculation"] is not None:
        p.add(place, "'calculation' is only for a calculate question")
        logic["calculation"] = None
    if logic["choice_filter"] is not None and not kind.has_choices:
        p.add(place, "'choice_filter' is only for a choice question")
        logic["choice_filter"] = None
    if texts["constraint_message"] and logic["constraint"] is None and "constraint" not in data:
        p.add(place, "'constraint_message' needs a 'constraint'")
    if texts["required_message"] and not required:
        p.add(place, "'required_message' is for a required question")
    count_by = data.get("count_by")
    if count_by is not None:
        if count_by not in COUNT_BY:
            p.add(place, f"'count_by' must be one of: {', '.join(COUNT_BY)}")
            count_by = None
        elif not anonymous:
            p.add(place, "'count_by' is for anonymous questions (a named one is crossed by category already)")
            count_by = None
        elif not kind.countable:
            p.add(place, "'count_by' is only for choice, yes_no and scale questions (text is never counted)")
            count_by = None
    question = Question(id=data.get("id", ""), type=kind.name, label=label, help=texts["help"],
                        required=required, theme=theme, anonymous=anonymous, options=options,
                        min=low, max=high, flag=flag, count_by=count_by,
                        relevant=logic["relevant"], constraint=logic["constraint"],
                        constraint_message=texts["constraint_message"],
                        required_message=texts["required_message"], calculation=logic["calculation"],
                        choice_filter=logic["choice_filter"], other=other, other_label=texts["other_label"],
                        yes_label=texts["yes_label"], no_label=texts["no_label"], translations=translations)
    default = data.get("default")
    if default is not None:
        try:
            default = question.clean(default)
        except InvalidValueError as e:
            p.add(place, f"'default': {str(e).split(': ', 1)[-1]}")
            default = None
        question = replace(question, default=default)
    return question


def _other_question(q: Question) -> Question:
    """The text question an ``other = true`` question adds for the words of "Other"."""
    other = q.choice(OTHER_CHOICE)
    translations = {f"label::{lang}": text for lang, text in other.translations.items()} if other else {}
    return Question(id=f"{q.id}_other", type="short_text", label=q.choice_label(OTHER_CHOICE),
                    theme=q.theme, anonymous=q.anonymous,
                    relevant=f"selected(${{{q.id}}}, '{OTHER_CHOICE}')", translations=translations,
                    generated_from=q.id)


def _labelled(p: _Problems, data: dict[str, Any], key: str, kind: str,
              builtin: Collection[str] = ()) -> list[tuple[str, str]]:
    """The (id, label) entries of a list of tables such as ``[[flags]]`` or ``[[themes]]``, each
    checked: an id of lower-case letters, digits and underscores, not built in, not repeated."""
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(_table_list(p, "", data, key), start=1):
        place = f"{kind} {i}"
        _check_keys(p, place, entry, ("id", "label"))
        eid = entry.get("id")
        if not isinstance(eid, str) or not _IDENT_RE.fullmatch(eid):
            p.add(place, f"'id' must be lower-case letters, digits and underscores, got {eid!r}")
            continue
        place = f"{kind} '{eid}'"
        if eid in builtin:
            p.add(place, f"is a built-in {kind}; choose another id")
        elif any(x == eid for x, _ in out):
            p.add(place, "is declared twice")
        out.append((eid, _text(p, place, entry, "label", required=True)))
    return out


def _area_codes(p: _Problems, data: Any, areas: Collection[str]) -> dict[str, str]:
    """``area_codes``: a table of area = its GSS code, for areas of the list, no code twice."""
    if not isinstance(data, dict):
        p.add("[organisations]", "'area_codes' must be a table of area = code")
        return {}
    codes: dict[str, str] = {}
    for area, code in data.items():
        place = f"[organisations] area_codes '{area}'"
        if area not in areas:
            p.add(place, "is not one of the areas")
        elif not isinstance(code, str) or not GSS_CODE.fullmatch(code):
            p.add(place, f"must be a GSS code (a letter and eight digits, as E08000025), got {code!r}")
        elif code in codes.values():
            p.add(place, f"{code} is the code of another area too")
        else:
            codes[area] = code
    return codes


def template_from_dict(data: Any, *, source: str, default_name: str = "") -> Template:
    """Validate plain data (a parsed TOML file, or a study's stored copy) into a Template.

    Raises TemplateError listing every problem, each prefixed with ``source`` and its place.
    """
    p = _Problems(source)
    if not isinstance(data, dict):
        raise TemplateError([f"{source}: not a table of settings"])
    _check_keys(p, "", data, ("template", "organisations", "flags", "targets", "themes", "sections"))

    head = data.get("template")
    if not isinstance(head, dict):
        p.add("", "the [template] table is missing")
        head = {}
    _check_keys(p, "[template]", head, ("name", "title", "description", "version", "default_language",
                                        "languages"))
    default_language = head.get("default_language", DEFAULT_LANGUAGE)
    if not isinstance(default_language, str) or not default_language.strip() or "::" in default_language:
        p.add("[template]", f"'default_language' must be the name of a language, got {default_language!r}")
        default_language = DEFAULT_LANGUAGE
    languages = [default_language]
    if "languages" in head:
        for language in _string_list(p, "[template]", head["languages"], "languages"):
            if "::" in language:
                p.add("[template]", f"'languages': '{language}' cannot contain '::'")
            elif language not in languages:
                languages.append(language)
    declared = len(languages) if "languages" in head else 0
    name = head.get("name")
    if name is None:
        name = default_name or "template"
    elif not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        p.add("[template]", f"'name' must be lower-case letters, digits and dashes, got {name!r}")
        name = default_name or "template"
    title = _text(p, "[template]", head, "title", required=True)
    description = _text(p, "[template]", head, "description", required=True)
    version = head.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        p.add("[template]", f"'version' must be a whole number of 1 or more, got {version!r}")
        version = 1

    orgs = data.get("organisations", {})
    if not isinstance(orgs, dict):
        p.add("", "'organisations' must be a table")
        orgs = {}
    _check_keys(p, "[organisations]", orgs, (*VOCABULARIES, "area_codes", "pick_areas"))
    vocab: dict[str, tuple[str, ...]] = {}
    rules: dict[str, OutcomeRule] = {}
    exclusion_codes: dict[str, str] = {}
    for kind in VOCABULARIES:
        if kind in ("outcomes", "exclusion_reasons") and kind in orgs:
            vocab[kind] = _coded_list(p, orgs[kind], kind, rules if kind == "outcomes" else exclusion_codes)
        elif kind in orgs:
            vocab[kind] = _string_list(p, "[organisations]", orgs[kind], kind)
    if not vocab.get("outcomes"):
        vocab["outcomes"] = DEFAULT_OUTCOMES
    for outcome in vocab["outcomes"]:
        rules.setdefault(outcome, guess_outcome(outcome))
    for reason in vocab.get("exclusion_reasons", ()):
        exclusion_codes.setdefault(reason, guess_exclusion(reason))
    area_codes = _area_codes(p, orgs.get("area_codes", {}), vocab.get("areas", ()))
    pick_areas = orgs.get("pick_areas", False)
    if not isinstance(pick_areas, bool):
        p.add("[organisations]", f"'pick_areas' must be true or false, got {pick_areas!r}")
        pick_areas = False

    flags = [Flag(fid, label) for fid, label in _labelled(p, data, "flags", "flag", BUILTIN_FLAGS)]

    targets_in = data.get("targets", {})
    targets: dict[str, int] = {}
    if not isinstance(targets_in, dict):
        p.add("", "'targets' must be a table of category = number")
        targets_in = {}
    for cat, n in targets_in.items():
        if cat not in vocab.get("categories", ()):
            p.add("[targets]", f"'{cat}' is not one of the categories")
        elif isinstance(n, bool) or not isinstance(n, int) or n < 0:
            p.add("[targets]", f"'{cat}' must be a whole number of 0 or more, got {n!r}")
        else:
            targets[cat] = n

    themes = [Theme(tid, label) for tid, label in _labelled(p, data, "themes", "theme")]
    theme_ids = {t.id for t in themes}

    sections: list[Section] = []
    seen_questions: set[str] = set()
    for i, s in enumerate(_table_list(p, "", data, "sections"), start=1):
        sid = s.get("id")
        if not isinstance(sid, str) or not sid.strip():
            place = f"section {i}"
            p.add(place, "'id' is missing")
            sid = f"#{i}"
        else:
            place = f"section '{sid}'"
            if any(x.id == sid for x in sections):
                p.add(place, "is declared twice")
        _check_keys(p, place, {k: v for k, v in s.items() if "::" not in k},
                    ("id", "title", "intro", "relevant", "questions"))
        stitle = _text(p, place, s, "title", required=True)
        intro = _text(p, place, s, "intro", required=False)
        stexts = _translations(p, place, s, SECTION_TEXTS, languages)
        srelevant = _expression(p, place, s, "relevant")
        questions: list[Question] = []
        for j, q in enumerate(_table_list(p, place, s, "questions"), start=1):
            qid = q.get("id")
            if not isinstance(qid, str) or not _QUESTION_ID_RE.fullmatch(qid):
                qplace = f"{place}, question {j}"
                p.add(qplace, f"'id' must be letters, digits, '_', '.' or '-', got {qid!r}")
            else:
                qplace = f"{place}, question '{qid}'"
                if qid in seen_questions:
                    p.add(qplace, "the id is used twice in this template")
                seen_questions.add(qid)
            question = _question(p, qplace, q, theme_ids, set(BUILTIN_FLAGS) | {f.id for f in flags},
                                 languages)
            if question is not None:
                questions.append(question)
                if question.other:
                    extra = _other_question(question)
                    if extra.id in seen_questions:
                        p.add(qplace, f"'other = true' adds the question '{extra.id}', but that id is taken")
                    seen_questions.add(extra.id)
                    questions.append(extra)
        sections.append(Section(sid, stitle, intro, tuple(questions), srelevant, stexts))
    if declared and len(languages) > declared:
        p.add("[template]", f"'languages' does not list: {', '.join(languages[declared:])} "
                            "(texts are given in them)")

    if p.items:
        raise TemplateError(p.items)
    template = Template(
        name=name, title=title, description=description, version=version,
        categories=vocab.get("categories", ()), areas=vocab.get("areas", ()), area_codes=area_codes,
        pick_areas=pick_areas,
        exclusion_reasons=vocab.get("exclusion_reasons", ()), outcomes=vocab["outcomes"],
        outcome_rules=rules, exclusion_codes=exclusion_codes, flags=tuple(flags), targets=targets,
        themes=tuple(themes), sections=tuple(sections),
        default_language=default_language, languages=tuple(languages),
    )
    from fieldkit.logic import check_logic

    problems = check_logic(template)
    if problems:
        raise TemplateError([p.source + ": " + line for line in problems])
    return template


def load_template(path: str | Path) -> Template:
    """Read and validate a template file; raises TemplateError naming every problem."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TemplateError([f"{source}: cannot read the file ({e.strerror or e})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError([f"{source}: not UTF-8 text"]) from None
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as e:  # TOMLDecodeError, and what tomllib lets through
        raise TemplateError([f"{source}: not valid TOML: {' '.join(str(e).split()) or type(e).__name__}"]) from None
    return template_from_dict(data, source=source, default_name=_stem_name(path))


def _stem_name(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
    return stem or "template"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    description: str
    path: Path


def shipped_templates() -> list[TemplateInfo]:
    """The templates in forms/, each loaded and checked, sorted by title."""
    found = []
    for path in sorted(forms_dir().glob("*.toml")):
        t = load_template(path)
        found.append(TemplateInfo(t.name, t.title, t.description, path))
    return sorted(found, key=lambda i: i.title.lower())


def find_template(name_or_path: str | Path) -> Template:
    """A shipped template by name (file stem), or any template file by path."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or path.exists() or "/" in text or "\\" in text:
        return load_template(path)
    candidate = forms_dir() / f"{text}.toml"
    if candidate.is_file():
        return load_template(candidate)
    names = ", ".join(sorted(p.stem for p in forms_dir().glob("*.toml")))
    raise TemplateError([f"{text}: no such template (shipped templates: {names})"])
