"""What goes into fieldkit's PyInstaller bundle, and what is left out: read by fieldkit.spec.

Kept apart from the spec so the layout can be tested without running PyInstaller
(tests/test_bundle_layout.py lays these files out as a frozen app would find them).
Inside the bundle the shipped folders sit where an installed wheel has them (pyproject.toml's
force-include): ``fieldkit/_forms`` and ``fieldkit/_resources``, below ``sys._MEIPASS``.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: One identifier for the app everywhere a desktop asks for one: the macOS bundle, the Linux
#: .desktop file and AppStream metadata (reverse-DNS, as both ask).
APP_ID = "org.fieldkit.Fieldkit"
#: The study file's types: macOS's uniform type identifier and the freedesktop MIME type.
STUDY_UTI = "org.fieldkit.study"
STUDY_MIME = "application/x-fieldkit-study"

#: Qt's Python modules fieldkit uses (fieldkit/ui/qt.py looks names up in these at run time,
#: through importlib, so PyInstaller's import analysis cannot see them); QtPrintSupport prints
#: the call list and case sheets.
QT_MODULES = ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport")

#: Modules never imported by the app, that a hook or an optional import would otherwise pull in.
EXCLUDED_MODULES = (
    # Qt modules outside those above (PySide6-Essentials ships these; the add-ons, such as
    # QtWebEngine, Qt3D and QtMultimedia, are not installed but are named in case they are).
    *(f"PySide6.{name}" for name in (
        "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
        "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs",
        "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
        "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets",
        "QtPositioning", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
        "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
        "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools",
        "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets",
        "QtWebView", "QtXml",
    )),
    # Test suites and developer tools that libraries import only when asked to.
    # (pandas imports its own pandas._testing at start-up: that one stays.)
    "pandas.tests", "pandas.conftest", "numpy.tests", "numpy.f2py", "numpy.distutils", "numpy._pyinstaller",
    "reportlab.graphics.testshapes", "pytest", "_pytest", "hypothesis",
    "pdfplumber", "fontTools", "mypy", "ruff", "IPython", "matplotlib", "scipy", "pyarrow", "polars",
    "tkinter", "_tkinter", "lib2to3", "pydoc_data", "setuptools", "pip", "readline",
    # (cryptography stays: on Linux the keyring reaches the desktop's Secret Service through
    # SecretStorage, which needs it, and a directory's password is kept nowhere else.)
)
#: Test folders inside libraries, however they get in (a hook collecting whole packages).
EXCLUDED_PATH = re.compile(r"(^|[/\\])tests?([/\\]|$)")

#: Qt plugin folders kept (below PySide6/Qt/plugins): the rest are for embedded screens, Qt's
#: network stack, databases or multimedia, none of which fieldkit uses.
QT_PLUGIN_FOLDERS = frozenset({
    "platforms",  # the window system: xcb, wayland, offscreen, minimal, windows, cocoa
    "platformthemes", "platforminputcontexts",  # the desktop's file dialogs and input methods
    "imageformats", "iconengines",  # PNG is built in; JPEG, GIF, ICO and SVG (with Qt's SVG library) here
    "styles", "accessible", "accessiblebridge",
    "printsupport",  # the system's printers (CUPS, Windows, macOS) for File ▸ Print call list…
    "xcbglintegrations",  # the xcb platform refuses to start without them on some drivers
    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-shell-integration",
})
#: Plugins left out of the folders kept: platforms for kiosks and embedded screens, not desktops;
#: and the GTK 3 theme, which would make GTK 3 and its stack a dependency (Qt's own style and the
#: desktop portal's file dialogs serve instead).
EXCLUDED_PLUGINS = re.compile(r"lib(qeglfs|qlinuxfb|qvnc|qminimalegl|qvkkhrdisplay|qgtk3)\b|qdirect2d")


def version(root: Path = ROOT) -> str:
    """fieldkit's version: the installed distribution's metadata, else pyproject.toml's."""
    from importlib import metadata

    try:
        return metadata.version("fieldkit")
    except metadata.PackageNotFoundError:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


#: The pages of docs/ the in-app user guide shows: the guide and the pages it links to.
GUIDE_PAGES = ("guide.md", "anonymity.md", "archive-format.md", "dispositions.md")


def data_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """(source file, folder in the bundle) for every file the app reads at run time.

    The templates and resources (fonts, demo data, the app icon) go where fieldkit's
    ``shipped_dir`` looks in a frozen app; docs/dispositions.md is what the Fieldwork settings
    screen links to (two folders above its module, as in a checkout); the user guide and its
    screenshots go to ``fieldkit/_docs``. Scripts and caches that
    live among the resources are left out.
    """
    out: list[tuple[str, str]] = []
    for folder, dest in (("forms", "fieldkit/_forms"), ("resources", "fieldkit/_resources")):
        base = root / folder
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            out.append((str(path), str(Path(dest, path.parent.relative_to(base)).as_posix())))
    out.append((str(root / "docs" / "dispositions.md"), "docs"))
    # Help ▸ User guide: the guide, its screenshots and the pages it links to, where
    # fieldkit.user_guide looks for them (shipped_dir("docs")).
    out += [(str(root / "docs" / name), "fieldkit/_docs") for name in GUIDE_PAGES]
    out += [(str(path), "fieldkit/_docs/screenshots") for path in sorted((root / "docs" / "screenshots").glob("*.png"))]
    return out


def keep_binary(dest: str) -> bool:
    """Whether a binary PyInstaller collected (its path in the bundle) stays in it."""
    parts = Path(dest).as_posix().split("/")
    if "plugins" in parts:
        folder = parts[parts.index("plugins") + 1] if parts.index("plugins") + 1 < len(parts) else ""
        if folder not in QT_PLUGIN_FOLDERS or EXCLUDED_PLUGINS.search(parts[-1]):
            return False
    return not EXCLUDED_PATH.search(Path(dest).as_posix())


def prune_binaries(binaries: list[tuple[str, str, str]], imports) -> list[tuple[str, str, str]]:
    """``binaries`` (PyInstaller's (name in the bundle, source, kind) entries) without the plugins
    ``keep_binary`` refuses, nor the libraries only those plugins link to, nor links to either.

    PyInstaller's Qt hooks collect every plugin with the libraries it links before a spec can
    choose; filtering the plugins alone would leave, say, Qt's network library and Kerberos behind
    for a touch-input plugin nobody loads. ``imports(source)`` gives the (name, resolved path) of
    each library a binary links (PyInstaller's ``bindepend.get_imports``).
    """
    files = [entry for entry in binaries if entry[2] != "SYMLINK"]
    by_path = {_real(src): dest for dest, src, _ in files}
    by_name: dict[str, str] = {}
    for dest, _, _ in files:
        by_name.setdefault(Path(dest).name, dest)
    source = {dest: src for dest, src, _ in files}

    def links(dest: str) -> set[str]:
        out = set()
        for name, path in imports(source[dest]):
            found = by_path.get(_real(path)) if path else None
            found = found or by_name.get(Path(name).name)
            if found:
                out.add(found)
        return out

    def closure(start: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(start)
        while todo:
            for lib in links(todo.pop()) - seen:
                seen.add(lib)
                todo.append(lib)
        return seen

    removed = {dest for dest in source if not keep_binary(dest)}
    only_theirs = closure(removed) - removed
    still_needed = closure(set(source) - removed - only_theirs)
    dropped = removed | (only_theirs - still_needed)
    kept = [entry for entry in files if entry[0] not in dropped]
    return kept + without_dangling_links(binaries, {entry[0] for entry in kept})


def without_dangling_links(entries: list[tuple[str, str, str]], present: set[str]) -> list[tuple[str, str, str]]:
    """The symbolic links among ``entries`` whose target (relative to the link) is in ``present``."""
    out = []
    for dest, target, kind in entries:
        if kind == "SYMLINK" and Path(os.path.normpath(Path(dest).parent / target)).as_posix() in present:
            out.append((dest, target, kind))
    return out


def _real(path: str) -> str:
    return os.path.realpath(path)


def keep_data(dest: str) -> bool:
    """Whether a data file PyInstaller collected stays: no Qt translations (fieldkit's window is
    English and loads none), no libraries' tests."""
    posix = Path(dest).as_posix()
    if "/Qt/translations/" in f"/{posix}":
        return False
    return not EXCLUDED_PATH.search(posix)
