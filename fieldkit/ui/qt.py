"""The one place the UI imports Qt from, so a Qt upgrade or binding change touches one file.

Everything the screens use comes from here: ``from fieldkit.ui.qt import QWidget, Signal``.
"""

# ruff: noqa: F401, F403
from PySide6.QtCore import *
from PySide6.QtGui import *
from PySide6.QtWidgets import *
