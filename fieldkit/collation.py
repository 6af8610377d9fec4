"""Names in the order their readers expect: the Unicode Collation Algorithm (UCA).

``sort_key(name)`` is the name's UCA sort key (pyuca, with the default table DUCET) packed into
bytes (``pack``): comparing two keys byte by byte, as SQLite orders BLOBs, gives the UCA order.
So letters sort with their base letter whatever their accents (Łódź with L, Ökumene with O,
Śląsk with S), case only breaks ties, and each script keeps its own order: Latin, then Greek,
then Cyrillic, and so on. The study keeps each organisation's key beside its
name (``organisations.name_key``), so a list sorts by an index instead of by Python.

The keys stored in a study depend on the table: changing ``UCA_VERSION`` needs a migration
that computes them again (``UPDATE organisations SET name_key = fieldkit_sort_key(name)``).
"""

from __future__ import annotations

import struct
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

#: Which of pyuca's tables (allkeys-<version>.txt) keys are made with: the newest it ships.
UCA_VERSION = "10.0.0"
#: The table's file name, which the desktop bundle must carry (packaging/fieldkit.spec).
ALLKEYS = f"allkeys-{UCA_VERSION}.txt"

_lock = threading.Lock()
_collator: Any = None
_continuations: frozenset[int] | None = None


#: Character -> its (primary, secondary, tertiary) weights as bytes, for the plain characters:
#: those whose weights the table gives alone and that cannot continue a contraction. In a text
#: of plain characters no contraction can form, so each weighs what it weighs alone (one that
#: may start a contraction, like "l" of Catalan "l·", is plain).
_plain: dict[str, tuple[bytes, bytes, bytes]] = {}
#: Characters met that are not plain.
_not_plain: set[str] = set()
#: Code point -> (primary, secondary, tertiary weights as bytes, the characters that may follow
#: it in a contraction or None), for the characters whose weights the table gives alone; None
#: for those that need the whole algorithm.
_simple: dict[int, tuple[bytes, bytes, bytes, frozenset[int] | None] | None] = {}


def collator() -> Any:
    """pyuca's collator, made once (reading its table takes a fifth of a second or so)."""
    global _collator, _continuations
    if _collator is None:
        with _lock:
            if _collator is None:
                from pyuca.collator import Collator_10_0_0

                made = Collator_10_0_0()
                assert made.UCA_VERSION == UCA_VERSION
                root = made.table.root.children or {}
                _continuations = frozenset(k for node in root.values() if node.children for k in node.children)
                _collator = made
    return _collator


def _primary(weights: list[int]) -> bytes:
    return struct.pack(f">{len(weights)}H", *weights)  # two bytes each (0x0201 and up)


def _secondary(weights: list[int]) -> bytes:
    # One byte each below 0xF0 (nearly all: 0x20 is "no accent"), else two from 0xF0 on, which
    # keeps their order (the largest is 0x115).
    return bytes(b for w in weights for b in ((w,) if w < 0xF0 else (0xF0 + (w >> 8), w & 0xFF)))


def _tertiary(weights: list[int]) -> bytes:
    return bytes(weights)  # one byte each (from 0x02 to 0x1E)


def pack(key: tuple[int, ...]) -> bytes:
    """pyuca's sort key (the levels' weights, each level ended by a zero) as bytes in the same
    order: the primary weights two bytes each, a zero byte, the secondary ones, a zero byte, the
    tertiary ones. A third of the size of two bytes a weight, which a list's index reads."""
    levels: list[list[int]] = [[], [], []]
    level = 0
    for w in key:
        if w == 0:
            level += 1
            if level == 3:
                break
        else:
            levels[level].append(w)
    return b"\x00".join((_primary(levels[0]), _secondary(levels[1]), _tertiary(levels[2])))


def _levels(elements: list[list[int]]) -> tuple[bytes, bytes, bytes]:
    weights = [[e[level] for e in elements if len(e) > level and e[level]] for level in range(3)]
    return _primary(weights[0]), _secondary(weights[1]), _tertiary(weights[2])


def _simple_weights(cp: int) -> tuple[bytes, bytes, bytes, frozenset[int] | None] | None:
    """The weights of one character standing alone, with the characters that would make it part
    of a contraction ("l·" in Catalan) when one may start with it."""
    c = collator()
    node = (c.table.root.children or {}).get(cp)
    if node is not None:
        if not node.value:  # only ever part of a contraction
            return None
        return (*_levels(node.value), frozenset(node.children) if node.children else None)
    if unicodedata.combining(chr(cp)):
        return None
    return (*_levels(c.implicit_weight(cp)), None)  # not in the table: CJK ideographs, unassigned


def _weights(cp: int) -> tuple[bytes, bytes, bytes, frozenset[int] | None] | None:
    try:
        return _simple[cp]
    except KeyError:
        found = _simple[cp] = _simple_weights(cp)
        return found


def _learn(normal: str) -> bool:
    """Look up the characters of ``normal`` not met before; True when all of them are plain."""
    for ch in set(normal).difference(_plain):
        if ch in _not_plain:
            return False
        weights = _weights(ord(ch))
        if weights is None or ord(ch) in (_continuations or ()):
            _not_plain.add(ch)
            return False
        _plain[ch] = weights[:3]
    return True


def _continues(normal: str, i: int, following: frozenset[int]) -> bool:
    """Whether a character after ``normal[i]`` can join it in a contraction: the next one, or a
    combining mark after it before the next base character (the UCA's discontiguous match)."""
    for j in range(i + 1, len(normal)):
        if ord(normal[j]) in following:
            return True
        if not unicodedata.combining(normal[j]):
            return False
    return False


def _by_character(text: str, normal: str) -> bytes:
    """The key built a character at a time, checking each contraction that may start; pyuca's
    whole algorithm where one does (or a character needs it)."""
    levels: tuple[list[bytes], list[bytes], list[bytes]] = ([], [], [])
    for i, ch in enumerate(normal):
        weights = _weights(ord(ch))
        if weights is None or (weights[3] is not None and _continues(normal, i, weights[3])):
            return pack(collator().sort_key(text))
        for level, found in zip(levels, weights[:3], strict=True):
            level.append(found)
    return b"\x00".join(b"".join(level) for level in levels)


def sort_key(text: str) -> bytes:
    """``text``'s UCA sort key as bytes (what ``organisations.name_key`` holds): equal to
    ``pack(pyuca's sort_key(text))``, a few microseconds for the usual name (each character's
    weights are looked up in the table once)."""
    if _collator is None:
        collator()
    normal = unicodedata.normalize("NFD", text)
    try:
        primary, secondary, tertiary = zip(*map(_plain.__getitem__, normal), strict=True)
    except KeyError:
        if not _learn(normal):
            return _by_character(text, normal)
        return sort_key(text)
    except ValueError:  # no characters
        return b"\x00\x00"
    return b"\x00".join((b"".join(primary), b"".join(secondary), b"".join(tertiary)))


def sort_keys(texts: Iterable[str]) -> list[bytes]:
    """``sort_key`` of each of ``texts``, in order (what an import of thousands computes)."""
    return [sort_key(t) for t in texts]


def sort_key_or_none(text: str | None) -> bytes | None:
    """``sort_key`` for SQL, NULL staying NULL: ``fieldkit_sort_key``, which migrations call."""
    return None if text is None else sort_key(text)
