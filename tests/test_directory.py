"""The shared directory end to end on a real PostgreSQL (tests/pg_cluster.py): what a publish
sends (only what each organisation agreed to), dry runs, republishing, withdrawing, pulling and
pulling again, duplicates, credentials in the keyring, the TLS rule, and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import run
from studies import file_digest, small_template

from fieldkit.directory import DirectoryError
from fieldkit.directory.credentials import SERVICE, connection_parts, parse, remember, without_password
from fieldkit.directory.listing import listing, set_listing
from fieldkit.directory.publish import publish, withdraw
from fieldkit.directory.pull import pull
from fieldkit.directory.server import duplicates
from fieldkit.study import Study

PERMISSION = "permission_to_list"


def _study(path: Path, title: str) -> Study:
    return Study.create(path, small_template(), title=title)


def _server_rows(directory) -> list[dict]:
    with directory.admin() as conn:
        cur = conn.execute("SELECT * FROM records ORDER BY name")
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture
def york(tmp_path):
    """A member's study: one organisation listed with two agreed details, one listed with none
    agreed, one not listed, one listed but excluded; contacts, an attempt and an interview."""
    study = _study(tmp_path / "york.fieldkit", "York mapping")
    orgs = study.organisations
    mind = orgs.add("York Mind", category="Network", area="Coventry", phone="01904 643364",
                    email="info@yorkmind.example", website="https://yorkmind.example",
                    address="Highcliffe, York YO1 7HH",
                    notes="Spoke to the director about funding worries", flags=[PERMISSION],
                    contacts=[{"name": "Ann Private", "phone": "07700 900123"}])
    set_listing(study, mind, fields=["phone", "website", "postcode"], charity_number="1 234 567")
    plain = orgs.add("Selby Food Bank", category="Infrastructure", phone="01757 000000", flags=[PERMISSION])
    orgs.add("Hidden Group", phone="01904 111111", email="hidden@example.org")
    out = orgs.add("Outside Trust", flags=[PERMISSION])
    orgs.set_status(out, "excluded", "Outside the region")
    study.attempts.log(mind, outcome="Left a message", note="Asked for Ann about funding")
    session = study.interviews.start(mind)
    session.save_answer("role", "Director of Secret Things")
    session.save_answer("sector_barriers", "Pooled words about the sector")
    session.complete()
    study.held.move_now()
    study.ids = {"mind": mind, "plain": plain}
    yield study
    study.close()


def test_a_dry_run_shows_exactly_what_would_leave_and_connects_to_nothing(york, tmp_path):
    before = file_digest(york.path)
    # A server that is not there: a dry run never tries it.
    result = publish(york, f"host={tmp_path / 'no-server'} dbname=nothing user=nobody", dry_run=True)
    assert result.dry_run
    sent = {r.name: r.values for r in result.records}
    assert sent == {
        "York Mind": {"phone": "+441904643364", "website": "https://yorkmind.example", "postcode": "YO1 7HH"},
        "Selby Food Bank": {},
    }
    assert all(r.record_id for r in result.records if r.name == "York Mind")  # its id from set_listing
    assert file_digest(york.path) == before


def test_publish_sends_only_the_agreed_details_and_owns_the_records(directory, york):
    dsn = directory.member("york")
    result = publish(york, dsn)
    assert (result.new, result.updated, result.unchanged, result.withdrawn) == (2, 0, 0, ())
    rows = _server_rows(directory)
    assert [r["name"] for r in rows] == ["Selby Food Bank", "York Mind"]
    mind = rows[1]
    assert mind["owner"] == parse(dsn)["user"]
    assert (mind["phone"], mind["website"], mind["postcode"]) == ("+441904643364", "https://yorkmind.example",
                                                                  "YO1 7HH")
    assert mind["email"] is None and mind["address"] is None and mind["contact"] is None
    assert mind["category"] is None and mind["charity_number"] is None  # not agreed: not sent
    assert str(mind["record_id"]) == listing(york, york.ids["mind"]).record_id
    everything = repr(rows)
    for secret in ("Ann Private", "07700", "funding", "Hidden Group", "Outside Trust", "info@yorkmind", "Secret",
                   "Pooled words", "Left a message"):
        assert secret not in everything
    assert all(v is None for k, v in rows[0].items() if k in ("phone", "email", "website", "category"))
    assert listing(york, york.ids["mind"]).published is not None


def test_republishing_updates_and_withdrawing_takes_records_off(directory, york):
    dsn = directory.member("york")
    publish(york, dsn)
    first = {r["name"]: r for r in _server_rows(directory)}
    york.organisations.update(york.ids["mind"], phone="01904 999999")
    again = publish(york, dsn)
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    now = {r["name"]: r for r in _server_rows(directory)}
    assert now["York Mind"]["phone"] == "+441904999999"
    assert now["York Mind"]["record_id"] == first["York Mind"]["record_id"]
    assert now["York Mind"]["changed"] > first["York Mind"]["changed"]
    assert now["Selby Food Bank"]["changed"] == first["Selby Food Bank"]["changed"]
    # Consent to the phone number taken back: the next publish sends it no more.
    set_listing(york, york.ids["mind"], fields=["website"])
    publish(york, dsn)
    assert {r["name"]: r["phone"] for r in _server_rows(directory)}["York Mind"] is None
    # Permission to list taken back: the record goes.
    york.organisations.set_flag(york.ids["plain"], PERMISSION, False)
    gone = publish(york, dsn)
    assert len(gone.withdrawn) == 1
    assert [r["name"] for r in _server_rows(directory)] == ["York Mind"]
    assert listing(york, york.ids["plain"]).published is None
    # Withdrawing one organisation by name: off the directory, and no longer permitted.
    result = withdraw(york, dsn, "York Mind")
    assert result.withdrawn == 1 and _server_rows(directory) == []
    assert PERMISSION not in york.organisations.get(york.ids["mind"]).flags
    assert publish(york, dsn).records == ()


def test_an_erased_organisation_is_taken_off_at_the_next_publish(directory, york):
    dsn = directory.member("york")
    publish(york, dsn)
    york.organisations.delete(york.ids["plain"])
    assert publish(york, dsn).withdrawn and [r["name"] for r in _server_rows(directory)] == ["York Mind"]
    withdraw(york, dsn)
    assert _server_rows(directory) == []


def test_pull_brings_records_in_and_pulling_again_says_what_changed(directory, york, tmp_path):
    york_dsn, selby_dsn = directory.member("york"), directory.member("selby")
    publish(york, york_dsn)
    with _study(tmp_path / "selby.fieldkit", "Selby") as selby:
        own = selby.organisations.add("Selby Own Group", phone="01757 123456", notes="ours")
        own_before = selby.organisations.get(own)
        result = pull(selby_dsn, selby)
        assert sorted(result.new) == ["Selby Food Bank", "York Mind"] and result.changed == ()
        pulled = {o.name: o for o in selby.organisations.many(selby.organisations.ids())}
        mind = pulled["York Mind"]
        assert mind.status == "identified" and mind.phone == "+441904643364" and mind.category is None
        origin = listing(selby, mind.id).origin
        assert origin is not None and origin.owner == parse(york_dsn)["user"]
        assert origin.record_id == listing(york, york.ids["mind"]).record_id
        assert listing(selby, mind.id).postcode == "YO1 7HH"
        assert PERMISSION not in mind.flags  # a pull lists nothing of the study's
        # Nothing changed: pulling again brings nothing new.
        assert pull(selby_dsn, selby).unchanged == 2
        # York changes one and withdraws the other.
        york.organisations.update(york.ids["mind"], name="York Mind (Central)")
        withdraw(york, york_dsn, "Selby Food Bank")
        publish(york, york_dsn)
        again = pull(selby_dsn, selby)
        assert again.new == () and again.changed == ("York Mind (Central)",)
        assert again.withdrawn == ("Selby Food Bank",)
        assert selby.organisations.get(mind.id).name == "York Mind (Central)"
        assert listing(selby, pulled["Selby Food Bank"].id).origin.withdrawn is not None
        assert selby.organisations.get(own) == own_before  # the researcher's own: untouched
        assert selby.organisations.count() == 3
        # Selby's own publish is not pulled back into Selby.
        selby.organisations.set_flag(own, PERMISSION, True)
        publish(selby, selby_dsn)
        assert pull(selby_dsn, selby).new == ()


def test_the_same_organisation_listed_by_two_members_is_reported_not_merged(directory, tmp_path):
    dsns = {name: directory.member(name) for name in ("york", "selby", "leeds")}
    for member, number, postcode in (("york", "1234567", "YO1 7HH"), ("selby", "1234567", None),
                                     ("leeds", None, "yo17hh")):
        with _study(tmp_path / f"{member}.fieldkit", member) as study:
            name = "St Mary's Hall" if member != "leeds" else "The St. Mary's Hall"
            org = study.organisations.add(name, flags=[PERMISSION])
            set_listing(study, org, fields=["charity_number", "postcode"], charity_number=number, postcode=postcode)
            study.organisations.add(f"{member} only", flags=[PERMISSION])
            publish(study, dsns[member])
    found = duplicates(dsns["york"])
    assert len(found) == 1
    assert sorted(owner for _, owner, _ in found[0].records) == sorted(parse(d)["user"] for d in dsns.values())
    assert "charity number 1234567" in found[0].reason and "name and postcode" in found[0].reason
    with _study(tmp_path / "reader.fieldkit", "reader") as reader:
        reader_dsn = directory.member("reader")
        result = pull(reader_dsn, reader)
        assert len(result.new) == 6 and len(result.duplicates) == 1
        names = [o.name for o in reader.organisations.many(reader.organisations.ids())]
        assert names.count("St Mary's Hall") == 2 and "The St. Mary's Hall" in names  # each kept


def test_a_password_given_once_lives_in_the_keyring_and_nowhere_else(directory, memory_keyring, tmp_path):
    dsn = directory.member("york")
    password = parse(dsn)["password"]
    bare = remember(dsn)
    assert "password" not in parse(bare) and password not in bare
    assert memory_keyring.passwords[(SERVICE, without_password(dsn))] == password
    with _study(tmp_path / "york.fieldkit", "York") as study:
        study.organisations.add("Listed", flags=[PERMISSION])
        assert publish(study, bare).new == 1  # signed in with the keyring's password
        path = study.path
    data = b"".join(p.read_bytes() for p in path.parent.rglob("*") if p.is_file())
    assert password.encode() not in data
    # Without the keyring's password the server refuses, in one line.
    memory_keyring.passwords.clear()
    with pytest.raises(DirectoryError, match="refused the sign-in"):
        duplicates(bare)


def test_a_server_not_on_this_computer_needs_verify_full(memory_keyring):
    assert connection_parts("host=db.example.org dbname=dir user=york")["sslmode"] == "verify-full"
    for weak in ("disable", "allow", "prefer", "require", "verify-ca"):
        with pytest.raises(DirectoryError, match="verify-full"):
            connection_parts(f"host=db.example.org dbname=dir user=york sslmode={weak}")
    with pytest.raises(DirectoryError, match="verify-full"):
        connection_parts("postgresql://york@10.0.0.5/dir?sslmode=require")
    with pytest.raises(DirectoryError, match="verify-full"):
        connection_parts("host=localhost,db.example.org dbname=dir sslmode=prefer")
    for local in ("host=/run/postgresql dbname=dir", "host=localhost dbname=dir sslmode=disable",
                  "host=127.0.0.1 dbname=dir", "host=::1 dbname=dir", "dbname=dir"):
        assert connection_parts(local).get("sslmode") in (None, "disable")


def test_the_command_line(directory, york, capsys, tmp_path):
    code, out, err = run(capsys, "directory", "init", "--dsn", directory.admin_dsn, "--name", "York & North Yorkshire")
    assert code == 0 and "ready" in out
    code, out, err = run(capsys, "directory", "add-member", "york_cvs_cli", "--dsn", directory.admin_dsn)
    assert code == 0, err
    password = out.strip().splitlines()[-1]
    dsn = directory.dsn("york_cvs_cli", password)
    york.close()
    from fieldkit.storage.backups import folder_for

    def files() -> dict:
        return {p: p.read_bytes() for folder in (tmp_path, folder_for(york.path)) for p in folder.rglob("*")
                if p.is_file()}

    before = files()
    code, out, err = run(capsys, "directory", "publish", york.path, "--to", dsn, "--dry-run")
    assert code == 0 and "nothing was sent" in out and "York Mind" in out and "Public phone: +441904643364" in out
    assert files() == before  # not even an opening backup
    assert "Selby Food Bank — name only" in out and "Hidden Group" not in out
    assert _server_rows(directory) == []
    bare = directory.dsn("york_cvs_cli")  # from now on the keyring has the password
    code, out, err = run(capsys, "directory", "publish", york.path, "--to", dsn)
    assert code == 0 and "2 new" in out and "York & North Yorkshire" in out, err
    code, out, err = run(capsys, "directory", "duplicates", "--dsn", bare)
    assert code == 0 and "No organisation" in out
    reader = tmp_path / "reader.fieldkit"
    _study(reader, "reader").close()
    reader_dsn = directory.member("reader")
    code, out, err = run(capsys, "directory", "pull", "--from", reader_dsn, reader)
    assert code == 0 and "2 new" in out and "new: York Mind" in out, err
    code, out, err = run(capsys, "directory", "withdraw", york.path, "--to", bare, "York Mind")
    assert code == 0 and "1 record taken off" in out, err
    code, out, err = run(capsys, "directory", "pull", "--from", directory.dsn(parse(reader_dsn)["user"]), reader)
    assert code == 0 and "1 withdrawn" in out, err
    # Failures: one line, no traceback.
    for argv, words in (
            (("duplicates", "--dsn", f"host={tmp_path / 'none'} dbname=x user=y"), "cannot reach the server"),
            (("duplicates", "--dsn", directory.dsn("york_cvs_cli", "wrong")), "refused the sign-in"),
            (("publish", york.path, "--to", "host=db.example.org dbname=x user=y sslmode=require"), "verify-full"),
            (("add-member", "Bad Name'; --", "--dsn", directory.admin_dsn), "cannot be a member's name")):
        code, out, err = run(capsys, "directory", *argv)
        assert code == 1 and words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_consent_to_be_listed_is_in_the_change_log_and_the_check_passes(york):
    """Agreeing to a detail being listed, or taking it back, is recorded as any edit of the
    record is, and ``fieldkit check`` knows those entries."""
    from fieldkit.checks import problems

    mind = york.ids["mind"]
    set_listing(york, mind, fields=["website"], postcode="yo1 7hh")
    logged = [(c.field, c.old, c.new) for c in york.organisations.changes(mind) if c.field in
              ("listed details", "charity number", "postcode")]
    assert ("listed details", None, "postcode, website, phone") in logged  # in the directory's order
    assert ("charity number", None, "1234567") in logged
    assert ("listed details", "postcode, website, phone", "website") in logged
    assert ("postcode", None, "YO1 7HH") in logged
    assert [p for p in problems(york) if "change log" in p] == []  # (its one interview moved on purpose)
