"""The desktop bundle's layout (packaging/bundle_layout.py, read by packaging/fieldkit.spec).

A frozen app finds its templates, fonts and demo data below ``sys._MEIPASS``: the files are
laid out here exactly as the spec lays them out, and fieldkit's own lookups must land there and
not in the checkout. packaging/prove-deb.sh runs the real bundle end to end.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _layout():
    # Loaded from its file: ``packaging`` is also the name of a library on sys.path.
    spec = importlib.util.spec_from_file_location("bundle_layout", ROOT / "packaging" / "bundle_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def frozen_bundle(tmp_path: Path, monkeypatch) -> Path:
    """A folder holding the bundle's data files where the spec puts them, with ``sys`` marked
    as PyInstaller marks a frozen app's."""
    bundle = tmp_path / "bundle" / "_internal"
    for source, folder in _layout().data_files(ROOT):
        (bundle / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, bundle / folder / Path(source).name)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    return bundle


def test_a_frozen_app_reads_its_templates_fonts_and_demo_data_from_the_bundle(frozen_bundle: Path):
    from fieldkit.demo.data import resources_dir
    from fieldkit.reports.scripts import font_dir
    from fieldkit.template_toml import find_template, shipped_templates
    from fieldkit.templates import forms_dir

    assert forms_dir() == frozen_bundle / "fieldkit" / "_forms"
    assert resources_dir() == frozen_bundle / "fieldkit" / "_resources"
    assert font_dir() == frozen_bundle / "fieldkit" / "_resources" / "fonts"
    templates = shipped_templates()
    assert {t.name for t in templates} == {p.stem for p in (ROOT / "forms").glob("*.toml")}
    assert {t.path.parent for t in templates} == {frozen_bundle / "fieldkit" / "_forms"}
    assert find_template("regional-mapping").title == find_template(ROOT / "forms" / "regional-mapping.toml").title
    fonts = sorted(p.name for p in font_dir().glob("*.ttf"))
    assert fonts == sorted(p.name for p in (ROOT / "resources" / "fonts").glob("*.ttf"))
    assert (resources_dir() / "icons" / "app" / "fieldkit-256.png").is_file()
    # The Fieldwork settings screen links to the disposition guide two folders above its module.
    assert (frozen_bundle / "docs" / "dispositions.md").is_file()


def test_a_frozen_app_finds_the_user_guide_its_pictures_and_its_pages_in_the_bundle(frozen_bundle: Path):
    from fieldkit import user_guide

    spec = (ROOT / "packaging" / "fieldkit.spec").read_text(encoding="utf-8")
    assert "datas=layout.data_files(ROOT)" in spec  # the files laid out here are the spec's
    guide = user_guide.guide_path()
    assert guide == frozen_bundle / "fieldkit" / "_docs" / "guide.md"
    assert guide.read_bytes() == (ROOT / "docs" / "guide.md").read_bytes()
    shown = user_guide.images(guide.read_text(encoding="utf-8"))
    assert shown and [p for p in shown if not (guide.parent / p).is_file()] == []
    # The pages of docs/ the guide links to open in the same window, so they come too.
    for linked in ("dispositions.md", "anonymity.md", "archive-format.md"):
        assert f"]({linked})" in guide.read_text(encoding="utf-8"), linked
        assert (guide.parent / linked).is_file(), linked


def test_a_frozen_app_draws_its_icons_from_the_bundle_with_their_licence(frozen_bundle: Path):
    from fieldkit.ui import icons

    assert icons.folder() == frozen_bundle / "fieldkit" / "_resources" / "icons" / "lucide"
    assert (icons.folder() / "LICENSE").is_file()
    assert [name for name, file in icons.ICONS.items() if not (icons.folder() / f"{file}.svg").is_file()] == []


def test_the_bundle_carries_no_tests_benchmarks_or_scripts():
    sources = [Path(source).resolve() for source, _ in _layout().data_files(ROOT)]
    assert sources, "the bundle would have no data files at all"
    for source in sources:
        relative = source.relative_to(ROOT)
        assert relative.parts[0] in {"forms", "resources", "docs"}, relative
        assert source.suffix != ".py", relative


def test_plugins_left_out_take_the_libraries_only_they_link_with_them():
    layout = _layout()
    plugins = "PySide6/Qt/plugins"
    links = {
        "/qt/libQt6Core.so.6": [],
        "/qt/libQt6Gui.so.6": [("libQt6Core.so.6", "/qt/libQt6Core.so.6"), ("libQt6DBus.so.6", "/qt/libQt6DBus.so.6")],
        "/qt/libQt6DBus.so.6": [("libQt6Core.so.6", "/qt/libQt6Core.so.6")],
        "/qt/libQt6Network.so.6": [("libQt6Core.so.6", "/qt/libQt6Core.so.6"), ("libgssapi_krb5.so.2", None)],
        "/sys/libgssapi_krb5.so.2": [],
        "/plugins/libqxcb.so": [("libQt6Gui.so.6", "/qt/libQt6Gui.so.6")],
        # A touch-input plugin nobody loads, the only user of Qt's network library and Kerberos.
        "/plugins/libqtuiotouchplugin.so": [("libQt6Network.so.6", "/qt/libQt6Network.so.6"),
                                            ("libQt6DBus.so.6", "/qt/libQt6DBus.so.6")],
        "/plugins/libqgtk3.so": [("libQt6Gui.so.6", "/qt/libQt6Gui.so.6")],
    }
    binaries = [
        ("PySide6/Qt/lib/libQt6Core.so.6", "/qt/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/qt/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6DBus.so.6", "/qt/libQt6DBus.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/qt/libQt6Network.so.6", "BINARY"),
        ("libgssapi_krb5.so.2", "/sys/libgssapi_krb5.so.2", "BINARY"),
        (f"{plugins}/platforms/libqxcb.so", "/plugins/libqxcb.so", "BINARY"),
        (f"{plugins}/generic/libqtuiotouchplugin.so", "/plugins/libqtuiotouchplugin.so", "BINARY"),
        (f"{plugins}/platformthemes/libqgtk3.so", "/plugins/libqgtk3.so", "BINARY"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    kept = layout.prune_binaries(binaries, lambda source: links[source])
    assert sorted(name for name, _, _ in kept) == sorted([
        "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6DBus.so.6",
        f"{plugins}/platforms/libqxcb.so", "libQt6Core.so.6",
    ])
