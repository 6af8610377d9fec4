"""fieldkit.access: reading Access databases, checked against mdbtools' own commands."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from fieldkit import access
from fieldkit.access import AccessError
from fieldkit.errors import FieldkitError

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "access"
NORTHWIND = FIXTURES / "northwind.mdb"
STUDENTS = FIXTURES / "student-records.accdb"
FILES = [NORTHWIND, STUDENTS]

pytestmark = pytest.mark.skipif(not NORTHWIND.is_file(), reason="Access fixtures not present")

readers = access.available_readers()
needs_mdbtools = pytest.mark.skipif("mdbtools" not in readers, reason="mdbtools not installed")
needs_both = pytest.mark.skipif(len(readers) < 2, reason="needs both mdbtools and access-parser")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mdb(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, timeout=120, check=True)
    return done.stdout.decode("utf-8")


def mdb_export(path: Path, table: str) -> list[dict]:
    text = mdb(
        "mdb-export", "-D", "%Y-%m-%d", "-T", "%Y-%m-%d %H:%M:%S", "-b", "strip", str(path), table
    )
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def hashes():
    before = {p: digest(p) for p in FILES}
    yield
    assert {p: digest(p) for p in FILES} == before, "a source file was changed"


def test_reader_name_is_one_of_the_two():
    assert access.reader_name() in ("mdbtools", "access-parser")
    if shutil.which("mdb-export"):
        assert access.reader_name() == "mdbtools"


@needs_mdbtools
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_tables_and_counts_match_mdb_count(path, hashes):
    expected = [n for n in mdb("mdb-tables", "-1", str(path)).splitlines() if n]
    found = access.tables(path)
    assert [t.name for t in found] == expected
    assert not any(t.name.startswith("MSys") for t in found)
    for t in found:
        assert t.rows == int(mdb("mdb-count", str(path), t.name).strip()), t.name
    if path == NORTHWIND:
        assert {t.name: t.rows for t in found}["Order Details"] == 2155
    else:
        assert {t.name: t.rows for t in found} == {"Student": 7, "Department": 2}


def as_export_text(value) -> str:
    """A typed value written the way mdb-export writes it (with the formats above)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@needs_mdbtools
@pytest.mark.parametrize("table", ["Orders", "Products", "Employees", "Order Details"])
def test_typed_values_equal_mdb_export(table, hashes):
    columns, rows = access.read_table(NORTHWIND, table)
    exported = mdb_export(NORTHWIND, table)
    assert columns == list(exported[0].keys())
    assert len(rows) == len(exported)
    for row, raw in zip(rows, exported, strict=True):
        for c in columns:
            v = row[c]
            if isinstance(v, float):
                assert v == pytest.approx(float(raw[c])), (table, c)
            elif c in ("Photo", "Picture"):
                continue
            else:
                assert as_export_text(v) == raw[c], (table, c, v, raw[c])


@needs_mdbtools
def test_types_dates_currency_yes_no_memo():
    _, orders = access.read_table(NORTHWIND, "Orders")
    first = orders[0]
    assert first["OrderID"] == 10248 and type(first["OrderID"]) is int
    assert first["OrderDate"] == dt.datetime(1996, 7, 4)
    assert first["Freight"] == Decimal("32.38") and isinstance(first["Freight"], Decimal)
    assert first["ShipRegion"] is None  # NULL stays None, not ""
    _, products = access.read_table(NORTHWIND, "Products")
    assert {type(p["Discontinued"]) for p in products} == {bool}
    assert {p["Discontinued"] for p in products} == {True, False}
    assert all(isinstance(p["UnitPrice"], Decimal) for p in products)
    _, employees = access.read_table(NORTHWIND, "Employees")
    nancy = employees[0]
    assert nancy["BirthDate"] == dt.datetime(1968, 12, 8)
    assert isinstance(nancy["Notes"], str) and len(nancy["Notes"]) > 100  # a memo
    assert '"The Art of the Cold Call."' in nancy["Notes"]  # quotes inside survive
    assert nancy["Address"] == "507 - 20th Ave. E.\r\nApt. 2A"  # the stored line break survives
    _, details = access.read_table(NORTHWIND, "Order Details")
    assert {type(d["Discount"]) for d in details} == {float}


def test_unicode_text_intact():
    _, customers = access.read_table(NORTHWIND, "Customers")
    by_id = {c["CustomerID"]: c for c in customers}
    assert by_id["ANTON"]["CompanyName"] == "Antonio Moreno Taquería"
    assert by_id["ANATR"]["City"] == "México D.F."
    assert by_id["BERGS"]["Address"] == "Berguvsvägen  8"
    _, suppliers = access.read_table(NORTHWIND, "Suppliers")
    assert "Heli Süßwaren GmbH & Co. KG" in {s["CompanyName"] for s in suppliers}


@needs_mdbtools
def test_accdb_reads_with_types():
    columns, rows = access.read_table(STUDENTS, "Department")
    assert columns == ["S_ID", "Year", "GPA", "Depart_name"]
    assert rows[0] == {"S_ID": 51, "Year": 2023, "GPA": 4, "Depart_name": "Software"}
    _, students = access.read_table(STUDENTS, "Student")
    assert {s["S_Name"] for s in students} >= {"Awwab", "Hamza"}


@needs_both
@pytest.mark.parametrize("table", ["Orders", "Employees", "Products"])
def test_the_two_readers_agree(table, hashes):
    cm, rm = access.read_table(NORTHWIND, table, reader="mdbtools")
    ca, ra = access.read_table(NORTHWIND, table, reader="access-parser")
    assert cm == ca
    key = cm[0]
    rm, ra = sorted(rm, key=lambda r: r[key]), sorted(ra, key=lambda r: r[key])
    assert len(rm) == len(ra)
    for a, b in zip(rm, ra, strict=True):
        for c in cm:
            if c in ("Photo", "Picture"):
                continue
            if isinstance(a[c], float):
                assert b[c] == pytest.approx(a[c]), c
            else:
                assert a[c] == b[c] and type(a[c]) is type(b[c]), (c, a[c], b[c])


@needs_both
def test_access_parser_counts_match_on_northwind():
    assert access.tables(NORTHWIND, reader="access-parser") == access.tables(NORTHWIND, reader="mdbtools")


def one_line(err: Exception) -> str:
    msg = str(err)
    assert msg and "\n" not in msg
    return msg


@pytest.mark.parametrize("reader", readers)
def test_not_an_access_file(tmp_path, reader):
    fake = tmp_path / "organisations.mdb"
    fake.write_text("name,area\nFood bank,North\n", encoding="utf-8")
    before = digest(fake)
    with pytest.raises(AccessError) as e:
        access.tables(fake, reader=reader)
    assert "not a Microsoft Access database" in one_line(e.value)
    with pytest.raises(AccessError):
        access.read_table(fake, "Anything", reader=reader)
    assert digest(fake) == before
    assert issubclass(AccessError, FieldkitError)


@pytest.mark.parametrize("reader", readers)
@pytest.mark.parametrize("keep", [300_000, 1_560_576], ids=["mid-page", "page-boundary"])
def test_truncated_copy_is_damaged(tmp_path, reader, keep):
    cut = tmp_path / "cut.mdb"
    cut.write_bytes(NORTHWIND.read_bytes()[:keep])
    before = digest(cut)
    with pytest.raises(AccessError) as e:
        access.tables(cut, reader=reader)
        access.read_table(cut, "Orders", reader=reader)
    assert "damaged" in one_line(e.value) or "cannot read" in one_line(e.value)
    assert digest(cut) == before


def test_password_protected_copy(tmp_path):
    # Put a database password into a copy's header the way Access stores it (RC4, then a
    # mask from the creation date) and check it is refused, not read as damaged.
    import struct

    data = bytearray(NORTHWIND.read_bytes())
    key = struct.pack("<I", 0x6B39DAC7)
    plain = bytearray(access._rc4(key, bytes(data[0x18 : 0x18 + 126])))
    created = struct.unpack("<d", bytes(plain[0x72 - 0x18 : 0x7A - 0x18]))[0]
    mask = struct.pack("<i", int(created))
    secret = "secret".encode("utf-16-le")
    for i, b in enumerate(secret):
        plain[0x42 - 0x18 + i] = b ^ mask[i % 4]
    data[0x18 : 0x18 + 126] = access._rc4(key, bytes(plain))
    locked = tmp_path / "locked.mdb"
    locked.write_bytes(bytes(data))
    with pytest.raises(AccessError) as e:
        access.tables(locked)
    assert "password-protected" in one_line(e.value)


@pytest.mark.parametrize("reader", readers)
def test_unknown_table(reader, hashes):
    with pytest.raises(AccessError) as e:
        access.read_table(NORTHWIND, "Organisations", reader=reader)
    msg = one_line(e.value)
    assert "no table 'Organisations'" in msg and "Customers" in msg


def test_missing_file(tmp_path):
    with pytest.raises(AccessError) as e:
        access.tables(tmp_path / "nowhere.mdb")
    one_line(e.value)


def test_no_reader_available(monkeypatch):
    monkeypatch.setattr(access, "available_readers", lambda: [])
    with pytest.raises(AccessError) as e:
        access.reader_name()
    msg = one_line(e.value)
    assert "apt-get install mdbtools" in msg and "brew install mdbtools" in msg
    with pytest.raises(AccessError):
        access.tables(NORTHWIND)


@needs_both
def test_access_parser_failure_on_accdb_is_one_line(hashes):
    # access-parser cannot read this ACE table; the error says what to do instead.
    with pytest.raises(AccessError) as e:
        access.read_table(STUDENTS, "Department", reader="access-parser")
    assert "mdbtools" in one_line(e.value)
