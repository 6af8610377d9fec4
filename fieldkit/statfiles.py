"""SPSS (.sav) and Stata (.dta) files of a dataset, with variable and value labels.

Written through pyreadstat (the ReadStat library), which takes a pandas data frame; both are
imported here, when such a file is written, so starting fieldkit and every other command never
pay for them. What each format can hold, and what is done to fit:

- **Names** are made by ``fieldkit.datasets`` to suit both formats (at most 32 characters, 28
  for a variable with value labels, a letter first, then letters, digits and ``_``, no reserved
  word of either), so the same name means the same variable in every file and in the codebook.
  A name that does not fit is refused here before anything is written.
- **Variable labels**: Stata keeps at most 80 characters, SPSS 256 bytes; a longer question is
  cut at a word, with "…" (the codebook has the whole wording).
- **Value labels**: SPSS keeps 120 bytes of each (cut the same way); Stata 32,000 characters.
- **Text**: kept whole, however long: long strings in SPSS, ``strL`` in Stata beyond 2,045
  bytes. A missing text is written empty (both formats' own missing text; Stata cannot write a
  missing value into a ``strL``).
- **Numbers, codes, dates** are numeric; missing is the system-missing value (``.``).

The file is written atomically (``fieldkit.exports.write_atomically``). On POSIX pyreadstat
writes straight into the temporary file (through ``/dev/fd``), so no other copy of the data
touches the disk; elsewhere it writes into a private folder beside the target, removed as soon
as the file is copied over.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.exports import ExportError, write_atomically

if TYPE_CHECKING:
    from collections.abc import Callable

    from fieldkit.datasets import Dataset, Variable

FORMATS = ("sav", "dta")
FORMAT_NAMES = {"sav": "SPSS", "dta": "Stata"}
#: The longest variable name both formats take (Stata 32; SPSS 64 bytes).
NAME_MAX = 32
#: The longest name of a variable with value labels: pyreadstat names its set of value labels
#: after it, with a number added (``size0``, ``size1``, …), and Stata takes 32 characters of that.
LABELLED_NAME_MAX = NAME_MAX - 4
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Words neither format takes as a variable name (compared ignoring case; Stata's ``str1``…
#: ``str2045`` too).
RESERVED = frozenset({
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",  # SPSS
    "byte", "double", "float", "if", "in", "int", "long", "strl", "using",  # Stata
})
_STR_N = re.compile(r"^str\d+$", re.IGNORECASE)
#: Stata: 80 characters of a variable label and of the file label.
STATA_LABEL_CHARS = 80
#: SPSS: bytes of a variable label, of a value label, of the file label.
SPSS_LABEL_BYTES, SPSS_VALUE_LABEL_BYTES, SPSS_FILE_LABEL_BYTES = 256, 120, 64


def valid_name(name: str, *, labelled: bool = False) -> bool:
    """Whether ``name`` is a variable name both SPSS and Stata take (``labelled``: for a
    variable with value labels)."""
    limit = LABELLED_NAME_MAX if labelled else NAME_MAX
    return len(name) <= limit and bool(_NAME.match(name)) and not reserved(name)


def reserved(name: str) -> bool:
    """Whether ``name`` is a word SPSS or Stata keep for themselves."""
    return name.lower() in RESERVED or bool(_STR_N.match(name))


def cut_chars(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word with "…" when too long."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def cut_bytes(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` bytes of UTF-8, never cutting a character in two."""
    if len(text.encode("utf-8")) <= limit:
        return text
    chars = len(text)
    while chars and len(cut_chars(text, chars).encode("utf-8")) > limit:
        chars -= 1
    return cut_chars(text, chars) if chars else ""


def _label(text: str, fmt: str) -> str:
    return cut_chars(text, STATA_LABEL_CHARS) if fmt == "dta" else cut_bytes(text, SPSS_LABEL_BYTES)


def _value_label(text: str, fmt: str) -> str:
    return text if fmt == "dta" else cut_bytes(text, SPSS_VALUE_LABEL_BYTES)


def _column(variable: Variable, values: list[Any]) -> Any:
    """One column of the data frame: floats with NaN for numbers and codes, text with "" for
    missing, dates and times as Python objects (None missing)."""
    import numpy as np

    if variable.kind == "number":
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if variable.kind in ("date", "datetime"):
        return np.array(values, dtype=object)
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


def _integral(values: list[Any]) -> bool:
    return all(v is None or float(v).is_integer() for v in values)


def write(dataset: Dataset, path: str | os.PathLike, fmt: str, *, file_label: str = "") -> Path:
    """Write ``dataset`` as an SPSS (``fmt`` "sav") or Stata ("dta") file at ``path``,
    atomically, with each variable's label and value labels."""
    if fmt not in FORMATS:
        raise ExportError(f"{path}: fieldkit writes .sav (SPSS) or .dta (Stata) files, not .{fmt}")
    bad = [v.name for v in dataset.variables if not valid_name(v.name, labelled=bool(v.value_labels))]
    if bad:
        raise ExportError(f"{path}: not a variable name {FORMAT_NAMES[fmt]} takes: {', '.join(bad)}; "
                          "nothing was written")
    try:
        import pandas as pd
        import pyreadstat
    except ImportError as e:
        raise ExportError(f"{path}: writing {FORMAT_NAMES[fmt]} files needs pyreadstat and pandas, which are "
                          f"not installed ({e}); nothing was written") from None
    columns = list(zip(*dataset.rows, strict=True)) if dataset.rows else [() for _ in dataset.variables]
    frame = pd.DataFrame({v.name: _column(v, list(c)) for v, c in zip(dataset.variables, columns, strict=True)},
                         columns=[v.name for v in dataset.variables])
    labels = {v.name: _label(v.label, fmt) for v in dataset.variables}
    value_labels = {v.name: {int(k): _value_label(text, fmt) for k, text in v.value_labels.items()}
                    for v in dataset.variables if v.value_labels}
    options: dict[str, Any] = {"column_labels": labels, "variable_value_labels": value_labels}
    if fmt == "sav":
        options["file_label"] = cut_bytes(file_label, SPSS_FILE_LABEL_BYTES)
        options["variable_measure"] = {v.name: v.measure for v in dataset.variables}
        options["variable_format"] = {v.name: "F8.0" for v, c in zip(dataset.variables, columns, strict=True)
                                      if v.kind == "number" and _integral(list(c))
                                      and all(x is None or abs(x) < 1e8 for x in c)}
        # write_sav and write_dta take different keywords; options holds the right ones for each
        writer: Callable[..., None] = pyreadstat.write_sav
    else:
        options["file_label"] = cut_chars(file_label, STATA_LABEL_CHARS)
        writer = pyreadstat.write_dta
    target_folder = Path(os.path.realpath(path)).parent

    def write_into(f: Any) -> None:
        try:
            if os.name == "posix" and os.path.isdir("/dev/fd"):
                writer(frame, f"/dev/fd/{f.fileno()}", **options)
                return
            folder = tempfile.mkdtemp(prefix=".fieldkit-export-", dir=target_folder)  # pragma: no cover - Windows
            try:  # pragma: no cover - Windows
                part = Path(folder) / f"data.{fmt}"
                writer(frame, part, **options)
                with open(part, "rb") as written:
                    shutil.copyfileobj(written, f)
            finally:  # pragma: no cover - Windows
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            raise
        except Exception as e:  # pyreadstat's ReadstatError, PyreadstatError
            raise ExportError(f"{path}: cannot write the {FORMAT_NAMES[fmt]} file ({e}); nothing was "
                              "written") from None

    return write_atomically(path, write_into)
