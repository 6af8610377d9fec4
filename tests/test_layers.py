"""The core never imports Qt, and start-up does not pay for libraries it does not need yet."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import fieldkit

PACKAGE = Path(fieldkit.__file__).parent


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="fieldkit."):
        if not info.name.startswith("fieldkit.ui") and info.name != "fieldkit.__main__":
            names.append(info.name)
    return names


def test_core_imports_with_qt_blocked():
    modules = _core_modules()
    assert "fieldkit.study" in modules and "fieldkit.storage.connection" in modules
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None  # any 'import PySide6...' now fails\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_no_qt_import_outside_the_ui_package():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts[:1]:
            continue
        if re.search(r"^\s*(from|import)\s+(PySide6|PyQt\d|shiboken6)", path.read_text(encoding="utf-8"), re.M):
            offenders.append(str(path))
    assert offenders == []


def test_ui_reaches_qt_through_one_module():
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        if path.name == "qt.py":
            continue
        if re.search(r"^\s*(from|import)\s+PySide6", path.read_text(encoding="utf-8"), re.M):
            offenders.append(path.name)
    assert offenders == []


def test_startup_path_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "import fieldkit.cli, fieldkit.study, fieldkit.templates\n"
        "print(sorted(m for m in ('sqlite_utils', 'reportlab', 'PySide6') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
