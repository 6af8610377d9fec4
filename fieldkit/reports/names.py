"""Names in the comment pool: find pooled comments that mention an organisation or a contact.

Before a report prints pooled comments, every comment it would print (the answers to
anonymous text questions) is checked for the names of the study's organisations (excluded
ones too) and contacts. ``find_names_in_pool`` returns each flagged comment with the names
found, for the researcher to redact or to allow.

An erased organisation is no longer in the study, so before erasing, ``find_names_of_organisation``
finds the comments that name it or its contacts; those kept unredacted have the names, as the
comment already writes them (``written_in``), recorded in ``pool_names``, and
``find_names_in_pool`` goes on flagging them for as long as the comment still contains them.

How names are matched:

- Whole words, ignoring case: text and names are folded alike (NFC, ``casefold``, Turkish
  dotted and dotless i as i, accents on Latin letters and Arabic vowel marks dropped, format
  characters such as zero-width joiners removed), so "WÓJCIK", "Wojcik" and "wójcik" all
  match "Wójcik", and "Ayşe Yilmaz" matches "Ayşe Yılmaz". Words are runs of letters, marks
  and digits in any script (Polish, Urdu, Bengali and Gurmukhi words keep their vowel signs
  and so are whole words like any other); punctuation separates words, so "O'Connor" matches
  "O’Connor" and "Al-Sayed" matches "Al Sayed".
- Chinese, Japanese, Thai, Lao, Khmer and Burmese are written without spaces, so a name in
  those scripts matches wherever its characters appear together (a substring match).
- What is looked for: every organisation's full name, also without a leading "The", without
  a closing bracket ("Birmingham Voluntary Service Council (BVSC)"), the bracketed
  abbreviation itself, and without "Ltd", "CIC" and the like; every contact's full name,
  also without a title ("Dr", "Cllr", ...), as first and last name only, and the surname
  (the last word) on its own.
- What is not looked for: anything shorter than 3 letters (2 characters in the scripts
  written without spaces; a single Chinese surname such as 李 would flag half the pool);
  a name, or part of a name, that is a single everyday English word ("Grant", "Price",
  "Ward", an organisation called "Action"), which would flag comments that never mention
  anyone; and a first name on its own. ``names_not_checked`` lists what was left out, so
  the researcher knows what to read for. Inflected forms (Polish "Kowalskiej" for
  "Kowalska") and names written in another script than the record's are not matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fieldkit.study import Study

#: Scripts written without spaces between words: matched character by character.
_NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),    # Thai, Lao
    (0x1000, 0x109F),    # Myanmar
    (0x1780, 0x17FF),    # Khmer
    (0x2E80, 0x2FDF),    # CJK radicals, Kangxi radicals
    (0x3040, 0x30FF),    # Hiragana, Katakana
    (0x3100, 0x312F),    # Bopomofo
    (0x31A0, 0x31FF),    # Bopomofo extended, Katakana extensions
    (0x3400, 0x4DBF),    # CJK extension A
    (0x4E00, 0x9FFF),    # CJK unified ideographs
    (0xF900, 0xFAFF),    # CJK compatibility ideographs
    (0xFF66, 0xFF9F),    # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B to G
)
_MIN_LETTERS = 3
_MIN_NO_SPACE = 2

_TITLES = frozenset("""mr mrs ms miss mx dr prof professor rev revd reverend cllr councillor sir dame lord lady
    imam pastor father sheikh""".split())
_LEGAL = frozenset("ltd limited cic cio plc inc llp co uk".split())

#: Everyday English words that are also names or parts of names: not looked for on their own.
COMMON_WORDS = frozenset("""
a about above across action after again against age all also am an and any are as at away back bank banks
be because been before being below best between bill bird black bloom bond both bridge brown bush but by
call can cannot care carers case centre chance charity church city clay close cole cook could council
cross day dean did do does doing don down during each early east english even ever every faith fair far
few field fields fisher for forum fox free french frost from further gay gift glass gold good grace grant
gray green grey group had hall hand hard hardy has have having he health heart help her here hers herself
high hill him himself his hope hopes house how hunt i if in into is islam it its itself joy just keen king
knight lamb lane law lead less lily little long lord love low major many march mark marsh mason may me
might mills moon more most moss much must my myself network new next no noble nor north not now of off
often on once one only or other our ours ourselves out over own page park parks people person place power
price project rich rice rose rush sage same service services she short should small snow so some south
spring stone street such summer support sweet swift than that the their theirs them themselves then there
these they this those through to too trust under until up upon us very voluntary wall ward was way we
well wells were west what when where which while white who whom why will wise with within without wood
woods work would yes yet you young your yours yourself youth
""".split())


@dataclass(frozen=True)
class NameHit:
    """A pooled comment that mentions names from the study."""

    comment_id: int
    question_label: str
    text: str
    names: list[str]


def _no_space(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _NO_SPACE_RANGES)


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def fold(text: str) -> str:
    """Text folded for matching: NFC, casefold, Turkish i, no Latin accents or Arabic vowel
    marks, no format characters."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("i\u0307", "i").replace("ı", "i")
    out: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue  # zero-width joiners, soft hyphens, direction marks
        if unicodedata.combining(ch):
            if base in ("LATIN", "ARABIC"):
                continue
        else:
            base = _script(ch)
        out.append(ch)
    folded = unicodedata.normalize("NFC", "".join(out))
    return folded.translate(_LATIN_EXTRA)


_LATIN_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŀ": "l", "æ": "ae", "œ": "oe"})


def tokens(text: str) -> list[str]:
    """The words of folded text: runs of letters, marks and digits; in scripts written
    without spaces, each character is a word of its own."""
    out: list[str] = []
    word: list[str] = []
    for ch in text:
        if _no_space(ch) and unicodedata.category(ch)[0] in "LMN":
            if word:
                out.append("".join(word))
                word = []
            out.append(ch)
        elif unicodedata.category(ch)[0] in "LMN":
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def _long_enough(words: list[str]) -> bool:
    if not words:
        return False
    if all(_no_space(w[0]) for w in words):
        return len(words) >= _MIN_NO_SPACE
    return sum(len(w) for w in words) >= _MIN_LETTERS


def _everyday(words: list[str]) -> bool:
    return len(words) == 1 and words[0] in COMMON_WORDS


def organisation_variants(name: str) -> list[str]:
    """The forms of an organisation's name looked for (full name first)."""
    full = " ".join(name.split())
    variants = [full]
    core = full
    for _ in range(2):  # "... (BVSC) Ltd" as well as "... Ltd (BVSC)"
        words = core.split()
        while len(words) > 1 and "".join(tokens(fold(words[-1]))) in _LEGAL:
            words.pop()
        core = " ".join(words)
        bracket = re.search(r"\(([^()]*)\)$", core)
        if bracket and bracket.start() > 0:
            variants.append(bracket.group(1).strip())
            core = core[:bracket.start()].strip()
    variants.append(core)
    words = core.split()
    if len(words) > 1 and fold(words[0]) == "the":
        variants.append(" ".join(words[1:]))
    return [v for v in dict.fromkeys(variants) if v]


def contact_variants(name: str) -> list[str]:
    """The forms of a contact's name looked for: full name, without a title, first and last
    name, and the surname (full name first)."""
    full = " ".join(name.split())
    variants = [full]
    words = full.split()
    while len(words) > 1 and "".join(tokens(fold(words[0]))) in _TITLES:
        words = words[1:]
    variants.append(" ".join(words))
    if len(words) >= 2:
        if len(words) >= 3:
            variants.append(f"{words[0]} {words[-1]}")
        variants.append(words[-1])
    return [v for v in dict.fromkeys(variants) if v]


class NameMatcher:
    """Finds, in any text, the names it was given (see the module's notes on matching)."""

    def __init__(self, names: Iterable[str]):
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._patterns: set[tuple[str, ...]] = set()
        self.not_checked: list[str] = []
        self._add(names)

    def _add(self, names: Iterable[str]) -> None:
        for name in dict.fromkeys(names):
            words = tokens(fold(name))
            if not _long_enough(words) or _everyday(words):
                self.not_checked.append(name)
                continue
            if tuple(words) in self._patterns:  # "Wojcik" as well as "Wójcik": looked for once
                continue
            self._patterns.add(tuple(words))
            self._by_first.setdefault(words[0], []).append((tuple(words), name))

    def with_names(self, names: Iterable[str]) -> NameMatcher:
        """This matcher and ``names`` besides (the names already looked for come first)."""
        wider = NameMatcher(())
        wider._by_first = {first: list(found) for first, found in self._by_first.items()}
        wider._patterns = set(self._patterns)
        wider.not_checked = list(self.not_checked)
        wider._add(names)
        return wider

    @classmethod
    def from_study(cls, study: Study) -> NameMatcher:
        names: list[str] = []
        for r in study.query("SELECT name FROM organisations ORDER BY id"):
            names += organisation_variants(r["name"])
        return cls(names + _contact_names(study))

    @classmethod
    def for_contacts(cls, study: Study) -> NameMatcher:
        """The names of every contact of the study, looked for as ``from_study`` does."""
        return cls(_contact_names(study))

    @classmethod
    def for_organisation(cls, study: Study, org_id: int) -> NameMatcher:
        """The names of one organisation and of its contacts, looked for as ``from_study`` does."""
        names = organisation_variants(study.organisations.get(org_id).name)
        for contact in study.organisations.contacts(org_id):
            if contact.name.strip():
                names += contact_variants(contact.name)
        return cls(names)

    def find(self, text: str) -> list[str]:
        """The names found in ``text``, in the order they appear; a name inside a longer
        match (a surname within a full name) is not listed again."""
        words = tokens(fold(text))
        spans: list[tuple[int, int, str]] = []
        for i, word in enumerate(words):
            for pattern, name in self._by_first.get(word, ()):
                if tuple(words[i:i + len(pattern)]) == pattern:
                    spans.append((i, i + len(pattern), name))
        kept = [s for s in spans
                if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)]
        return list(dict.fromkeys(name for _, _, name in sorted(kept)))


def _contact_names(study: Study) -> list[str]:
    """Every contact's name, in the forms the names check looks for."""
    names: list[str] = []
    for r in study.query("SELECT name FROM contacts WHERE trim(name) <> '' ORDER BY id"):
        names += contact_variants(r["name"])
    return names


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or unicodedata.category(ch) == "Cf"


def written_in(text: str, name: str) -> str | None:
    """How ``text`` writes ``name``: the words of its first whole-word occurrence exactly as
    they stand there ("PAT ERASABLE", "wojcik"), or None when it does not contain the name."""
    pattern = tokens(fold(name))
    if not pattern:
        return None
    n = len(text)
    boundary = [i == 0 or i == n or not (_is_word_char(text[i - 1]) and _is_word_char(text[i]))
                or _no_space(text[i - 1]) or _no_space(text[i]) for i in range(n + 1)]
    for start in range(n):
        if not boundary[start] or not _is_word_char(text[start]):
            continue
        for end in range(start + 1, n + 1):
            if not boundary[end]:
                continue
            words = tokens(fold(text[start:end]))
            if words == pattern:
                return text[start:end]
            if len(words) > len(pattern) or words != pattern[:len(words)]:
                break
    return None


def excerpt(text: str, names: Iterable[str], width: int = 90) -> str:
    """``text`` on one line, cut to about ``width`` characters around the first of ``names``
    in it (found as the names check finds them), for a list of flagged comments."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    found = [flat.find(w) for w in (written_in(flat, name) for name in names) if w]
    start = max(0, min(found) - width // 3) if found else 0
    start = min(start, len(flat) - width)
    if start > 0 and " " in flat[start:start + 15]:
        start = flat.index(" ", start) + 1  # begin at a word
    piece = flat[start:start + width]
    if start + width < len(flat) and " " in piece[width // 2:]:
        piece = piece[:piece.rindex(" ")]  # end at a word
    return ("…" if start > 0 else "") + piece.strip() + ("…" if start + len(piece) < len(flat) else "")


def kept_names(study: Study) -> dict[int, list[str]]:
    """The names of erased organisations and contacts that pooled comments still contain
    (``pool_names``), by comment id."""
    kept: dict[int, list[str]] = {}
    for r in study.query("SELECT comment_id, name FROM pool_names ORDER BY comment_id, name"):
        kept.setdefault(r["comment_id"], []).append(r["name"])
    return kept


def _hits(matcher: NameMatcher, study: Study, kept: dict[int, list[str]]) -> list[NameHit]:
    from fieldkit.reports.data import text_comments

    hits = []
    for comment in text_comments(study):
        names = kept.get(comment.id)
        found = (matcher.with_names(names) if names else matcher).find(comment.text)
        if found:
            hits.append(NameHit(comment.id, comment.question_label, comment.text, found))
    return hits


def find_names_in_pool(study: Study) -> list[NameHit]:
    """Every pooled comment a report would print that mentions an organisation or a contact
    of the study, or an erased one whose name the comment was kept with, with the names found."""
    return _hits(NameMatcher.from_study(study), study, kept_names(study))


def find_names_of_contacts(study: Study) -> list[NameHit]:
    """The pooled comments a report would print that mention any contact of the study: what
    removing the contacts' personal details would leave unflagged."""
    return _hits(NameMatcher.for_contacts(study), study, {})


def find_names_of_organisation(study: Study, org_id: int) -> list[NameHit]:
    """The pooled comments a report would print that mention ``org_id`` or one of its
    contacts (by the same rules as ``find_names_in_pool``): what erasing it would leave."""
    return _hits(NameMatcher.for_organisation(study, org_id), study, {})


def names_not_checked(study: Study) -> list[str]:
    """Names and parts of names not looked for (too short, or an everyday word)."""
    return NameMatcher.from_study(study).not_checked
