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
        "import fieldkit.cli, fieldkit.study, fieldkit.templates, fieldkit.held, fieldkit.pool\n"
        "print(sorted(m for m in ('sqlite_utils', 'reportlab', 'PySide6', 'fieldkit.importers', 'fieldkit.reports',\n"
        "                         'secrets') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_opening_a_study_and_its_first_page_import_no_table_library(tmp_path):
    """The window shows a study's first page without sqlite-utils (its first write loads it),
    and sqlite-utils comes without pandas and numpy, which it would otherwise import."""
    from fieldkit.study import Study
    from studies import small_template

    path = tmp_path / "s.fieldkit"
    with Study.create(path, small_template()) as study:
        study.organisations.add("Somewhere", category="Network")
    code = (
        "import sys\n"
        "from fieldkit.study import Study\n"
        f"study = Study.open({str(path)!r}, defer_checks=True)\n"
        "ids, counts = study.organisations.ids_with_counts()\n"
        "study.organisations.many(ids)\n"
        "print(sorted(m for m in ('sqlite_utils', 'pandas', 'numpy') if m in sys.modules))\n"
        "study.organisations.add('Another', category='Network')\n"
        "study.db.table('meta').count\n"  # what the core's table-at-a-time writes go through
        "print(sorted(m for m in ('sqlite_utils', 'pandas', 'numpy') if m in sys.modules))\n"
        "import pandas\n"  # still importable afterwards, for the statistics files
        "print(pandas.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split("\n")[:3] == ["[]", "['sqlite_utils']", "pandas"], out.stderr
