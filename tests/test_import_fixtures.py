"""Every real file in the shared fixtures (Access databases, XLSForm workbooks), fed to the
organisation importer table by table and sheet by sheet: each imports with the right number of
rows or is refused with clear lines, never a crash and never a partial import."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit import access, import_mapping, sources
from fieldkit.errors import ImportFileError
from fieldkit.organisation_import import FIELDS, import_organisations
from fieldkit.study import Study
from studies import file_digest, mapping_template

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
FILES = sorted(p for p in FIXTURES.glob("*/*") if p.suffix.lower() in (".mdb", ".accdb", ".xlsx"))
pytestmark = pytest.mark.skipif(not FILES, reason="shared fixtures not present")


def _parts() -> list[tuple[Path, str]]:
    found = []
    for path in FILES:
        if path.suffix.lower() in (".mdb", ".accdb") and not access.available_readers():
            continue
        found.extend((path, part.name) for part in sources.parts(path))
    return found


@pytest.fixture(scope="module")
def empty_study(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fixtures") / "empty.fieldkit"
    Study.create(path, mapping_template()).close()
    return path


@pytest.mark.parametrize("path,part", _parts(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_fixture_table_imports_whole_or_is_refused_clearly(path: Path, part: str, empty_study: Path,
                                                                 tmp_path: Path):
    try:
        sheet = sources.read_sheet(path, part)
    except ImportFileError as e:  # a table the reader in use cannot read: one line, said so
        assert e.problems and all("\n" not in p for p in e.problems)
        return
    expected = sources.parts(path)
    assert len(sheet.rows) >= [p.rows for p in expected if p.name == part][0]
    mapping = import_mapping.guess(sheet.header, FIELDS, "organisations")
    study_path = tmp_path / "study.fieldkit"
    study_path.write_bytes(empty_study.read_bytes())
    before = file_digest(study_path)
    with Study.open(study_path, backup=False) as study:
        try:
            result = import_organisations(study, path, part=part, mapping=mapping, add_values=True,
                                          duplicates="add")
        except ImportFileError as e:
            assert e.problems and all(p and "\n" not in p for p in e.problems)
            assert study.organisations.count() == 0
            imported = None
        else:
            named = [r for r in sheet.rows if any(c.strip() for c in r)]
            assert result.rows == len(named) == study.organisations.count()
            imported = result.rows
    if imported is None:
        assert file_digest(study_path) == before


@pytest.mark.skipif(not (FIXTURES / "access" / "northwind.mdb").is_file() or not access.available_readers(),
                    reason="Access fixture or reader not present")
@pytest.mark.parametrize("table,count", [("Customers", 91), ("Suppliers", 29), ("Shippers", 3)])
def test_the_northwind_organisation_tables_import_every_row(table: str, count: int, empty_study: Path,
                                                            tmp_path: Path):
    path = FIXTURES / "access" / "northwind.mdb"
    mapping = import_mapping.guess(sources.read_sheet(path, table).header, FIELDS, "organisations")
    study_path = tmp_path / "study.fieldkit"
    study_path.write_bytes(empty_study.read_bytes())
    with Study.open(study_path, backup=False) as study:
        result = import_organisations(study, path, part=table, mapping=mapping, add_values=True)
        assert result.rows == count == study.organisations.count()
        assert len({study.organisations.get(i).name for i in study.organisations.ids()}) == count
