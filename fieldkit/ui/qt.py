"""The one place the UI imports Qt from, so a Qt upgrade or binding change touches one file.

Everything the screens use comes from here: ``from fieldkit.ui.qt import QWidget, Signal``.
Each name is looked up in QtWidgets, QtGui and QtCore when it is first asked for: a star
import of the three would make PySide6 build every one of its enums (thousands of them) at
start-up, about half a second before the first window could show.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # ruff: noqa: F403
    from PySide6.QtPrintSupport import *  # printing, looked in last (so first here: the later wins)
    from PySide6.QtCore import *  # type: ignore[assignment]  # QIntList repeated per module
    # QtGui and QtWidgets each define their own QIntList (and QtGui its own QPointList, QPointFList
    # and qFuzzyCompare) beside QtCore's; the later import wins, as at runtime, and no screen uses them.
    from PySide6.QtGui import *  # type: ignore[assignment]  # binding helper names repeated per module
    from PySide6.QtWidgets import *  # type: ignore[assignment]  # QIntList repeated per module

#: Where a name is looked for, the later star import's module first (as the star imports resolved).
_MODULES = ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtCore")
#: Printing's names, looked for in QtPrintSupport only: it is imported when one is first asked
#: for, never by a name found nowhere (start-up does not pay for it).
_PRINTING = frozenset({"QPrinter", "QPrintDialog", "QPrinterInfo", "QPageSetupDialog", "QPrintPreviewDialog"})


def __getattr__(name: str) -> Any:
    for module_name in ("PySide6.QtPrintSupport",) if name in _PRINTING else _MODULES:
        module = importlib.import_module(module_name)
        if name in module.__dict__ or hasattr(module, name):
            value = getattr(module, name)
            globals()[name] = value  # found once, then an ordinary module attribute
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
