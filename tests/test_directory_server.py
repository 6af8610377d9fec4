"""The directory server's guarantees, tested against a real PostgreSQL (tests/pg_cluster.py):
one member cannot change, delete or take over another's records whatever SQL it sends; names
with quotes and SQL in them come back as they went; a publish cut off midway changes nothing."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import errors

from fieldkit.directory import DirectoryError
from fieldkit.directory.credentials import parse
from fieldkit.directory.server import SERVER_VERSION, init, name_key, version


def _connect(dsn: str) -> psycopg.Connection:
    """A bare psycopg connection as that member (autocommit): SQL sent as anyone could."""
    return psycopg.connect(dsn, autocommit=True)


def _insert(conn: psycopg.Connection, name: str, **columns) -> str:
    record = str(uuid.uuid4())
    names = ["record_id", "source", "name", "name_key", *columns]
    conn.execute(f"INSERT INTO records({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
                 (record, str(uuid.uuid4()), name, name_key(name), *columns.values()))
    return record


@pytest.fixture
def two_members(directory):
    return directory, _connect(directory.member("york")), _connect(directory.member("selby"))


def _row(directory, record: str):
    with directory.admin() as conn:
        return conn.execute("SELECT owner, name, phone FROM records WHERE record_id = %s", (record,)).fetchone()


def test_init_makes_the_schema_once_and_members_own_what_they_insert(directory):
    with directory.admin() as conn:
        assert version(conn) == SERVER_VERSION
        forced = conn.execute("SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                              "WHERE relname = 'records'").fetchone()
        assert forced == (True, True)
        policies = dict(conn.execute("SELECT policyname, cmd FROM pg_policies WHERE tablename = 'records'").fetchall())
        assert policies == {"records_select": "SELECT", "records_insert": "INSERT",
                            "records_update": "UPDATE", "records_delete": "DELETE"}
    assert init(directory.admin_dsn) == SERVER_VERSION  # again: nothing to do, nothing broken
    york_dsn = directory.member("york")
    with _connect(york_dsn) as york:
        record = _insert(york, "York CVS")
    assert _row(directory, record)[0] == parse(york_dsn)["user"]


def test_a_member_cannot_change_or_delete_another_members_records(two_members):
    directory, york, selby = two_members
    theirs = _insert(york, "York Mind", phone="01904 000000")
    # Every member reads every record.
    assert selby.execute("SELECT name FROM records WHERE record_id = %s", (theirs,)).fetchone() == ("York Mind",)
    # UPDATE and DELETE of another's rows touch nothing (RLS hides them from both).
    assert selby.execute("UPDATE records SET phone = '999', name = 'Hijacked'").rowcount == 0
    assert selby.execute("DELETE FROM records WHERE record_id = %s", (theirs,)).rowcount == 0
    assert selby.execute("DELETE FROM records").rowcount == 0
    assert selby.execute("UPDATE records SET phone = '999' FROM (SELECT 1) x WHERE records.record_id = %s",
                         (theirs,)).rowcount == 0
    # An upsert on another's record id is refused, not a quiet takeover.
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("INSERT INTO records(record_id, source, name, name_key) VALUES (%s, %s, 'Mine now', 'x') "
                      "ON CONFLICT (record_id) DO UPDATE SET name = EXCLUDED.name", (theirs, str(uuid.uuid4())))
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("TRUNCATE records")
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("ALTER TABLE records DISABLE ROW LEVEL SECURITY")
    assert _row(directory, theirs)[1:] == ("York Mind", "01904 000000")


def test_a_member_cannot_take_over_records_or_plant_them_on_another(two_members):
    directory, york, selby = two_members
    york_name = york.info.user
    theirs = _insert(york, "York Mind")
    mine = _insert(selby, "Selby Food Bank")
    # Taking another's record by changing its owner: no row is even visible to change.
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("UPDATE records SET owner = current_user WHERE record_id = %s", (theirs,))
    # Giving one's own record to another member (so it looks like theirs).
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("UPDATE records SET owner = %s WHERE record_id = %s", (york_name, mine))
    # Inserting a record in another member's name.
    with pytest.raises(errors.InsufficientPrivilege):
        selby.execute("INSERT INTO records(record_id, owner, source, name, name_key) VALUES (%s, %s, %s, 'Fake', 'f')",
                      (str(uuid.uuid4()), york_name, str(uuid.uuid4())))
    assert _row(directory, theirs)[0] == york_name
    assert _row(directory, mine)[0] == selby.info.user
    with directory.admin() as conn:
        owners = [r[0] for r in conn.execute("SELECT owner FROM records ORDER BY owner").fetchall()]
    assert owners == sorted([york_name, selby.info.user])


def test_a_member_changes_and_deletes_its_own_records(two_members):
    directory, york, _selby = two_members
    mine = _insert(york, "York Mind")
    assert york.execute("UPDATE records SET phone = '01904 111111' WHERE record_id = %s", (mine,)).rowcount == 1
    assert _row(directory, mine)[2] == "01904 111111"
    assert york.execute("DELETE FROM records WHERE record_id = %s", (mine,)).rowcount == 1
    assert _row(directory, mine) is None


def test_members_cannot_read_or_change_the_schema_tables(two_members):
    _directory, york, _selby = two_members
    with pytest.raises(errors.InsufficientPrivilege):
        york.execute("UPDATE directory_schema_version SET version = 99")
    with pytest.raises(errors.InsufficientPrivilege):
        york.execute("INSERT INTO directory_meta VALUES ('x', 'y')")
    with pytest.raises(errors.InsufficientPrivilege):
        york.execute("CREATE TABLE public.mine (x int)")


def test_a_newer_server_is_refused_by_name(directory):
    with directory.admin() as conn:
        conn.execute("INSERT INTO directory_schema_version(version) VALUES (%s)", (SERVER_VERSION + 1,))
    with pytest.raises(DirectoryError, match="newer fieldkit"):
        init(directory.admin_dsn)


def test_a_server_older_than_15_is_refused_before_anything_is_made(directory, monkeypatch):
    """Before PostgreSQL 15 every role could create tables and functions in the public schema
    the records live in. (No such server here: the oldest accepted is moved above this one.)"""
    from fieldkit.directory import server

    with directory.admin() as conn:
        running = conn.info.server_version
        before = conn.execute("SELECT count(*) FROM directory_schema_version").fetchone()
    monkeypatch.setattr(server, "OLDEST_SERVER", running + 10000)
    with pytest.raises(DirectoryError, match=f"PostgreSQL {running // 10000}; a directory needs PostgreSQL 15"):
        init(directory.admin_dsn)
    with directory.admin() as conn:
        assert conn.execute("SELECT count(*) FROM directory_schema_version").fetchone() == before


TRICKY = "O'Brien's; DROP TABLE records;--"


def test_names_with_quotes_and_sql_in_them_round_trip_unharmed(directory, tmp_path):
    from studies import small_template

    from fieldkit.directory.listing import set_listing
    from fieldkit.directory.publish import publish
    from fieldkit.directory.pull import pull
    from fieldkit.study import Study

    york_dsn, selby_dsn = directory.member("york"), directory.member("selby")
    with Study.create(tmp_path / "york.fieldkit", small_template()) as york:
        org = york.organisations.add(TRICKY, website="https://x.example/?a=1&b='2'", flags=["permission_to_list"])
        set_listing(york, org, fields=["website", "charity_number"], charity_number="1'; DELETE FROM records;--")
        york.organisations.add('Robert"); DROP TABLE listing; --', flags=["permission_to_list"])
        publish(york, york_dsn)
    with Study.create(tmp_path / "selby.fieldkit", small_template()) as selby:
        result = pull(selby_dsn, selby)
        names = sorted(o.name for o in selby.organisations.many(selby.organisations.ids()))
        assert names == sorted([TRICKY, 'Robert"); DROP TABLE listing; --']) == sorted(result.new)
        pulled = selby.organisations.get(selby.organisations.find(TRICKY))
        assert pulled.website == "https://x.example/?a=1&b='2'"
        assert selby.scalar("SELECT count(*) FROM listing") >= 1  # the study's table is still there
    with directory.admin() as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (2,)
        assert conn.execute("SELECT charity_number FROM records WHERE name = %s", (TRICKY,)).fetchone() == (
            "1';DELETEFROMRECORDS;--",)  # stored as a number is: capitals, no spaces; nothing ran


def _snapshot(directory) -> list[tuple]:
    with directory.admin() as conn:
        return conn.execute("SELECT record_id, owner, name, phone, changed FROM records ORDER BY record_id").fetchall()


def test_a_connection_killed_midway_through_a_publish_leaves_both_sides_as_they_were(directory, tmp_path):
    from studies import small_template

    from fieldkit.directory import DirectoryError
    from fieldkit.directory.publish import BATCH, publish
    from fieldkit.study import Study

    dsn = directory.member("york")
    user = parse(dsn)["user"]
    with Study.create(tmp_path / "york.fieldkit", small_template()) as york:
        york.organisations.add_many([{"name": f"Group {i}", "phone": f"01904 {i:06d}", "flags": ["permission_to_list"]}
                                     for i in range(50)])
        publish(york, dsn)
        server_before = _snapshot(directory)
        # Three batches of new ones, and every earlier one changed.
        york.organisations.add_many([{"name": f"More {i}", "flags": ["permission_to_list"]}
                                     for i in range(BATCH * 3)])
        for i, org_id in enumerate(york.organisations.ids()[:50]):
            york.organisations.update(org_id, name=f"Renamed {i}")
        study_before = york.query("SELECT * FROM listing ORDER BY organisation_id")
        calls = []

        def kill(done: int, total: int) -> None:
            calls.append(done)
            if len(calls) == 2:  # one batch inserted, in the open transaction
                with directory.admin() as admin:
                    killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                           "WHERE usename = %s", (user,)).fetchall()
                    assert killed == [(True,)]

        with pytest.raises(DirectoryError, match="connection was lost"):
            publish(york, dsn, progress=kill)
        assert calls[:2] == [0, BATCH], calls
        assert _snapshot(directory) == server_before
        assert york.query("SELECT * FROM listing ORDER BY organisation_id") == study_before
        # And the next publish goes through as if nothing had happened.
        result = publish(york, dsn)
        assert (result.new, result.updated) == (BATCH * 3, 50)
        assert len(_snapshot(directory)) == 50 + BATCH * 3
