"""Starting the desktop application (``fieldkit`` with no command)."""

from fieldkit.ui.main_window import MainWindow, run  # noqa: F401
