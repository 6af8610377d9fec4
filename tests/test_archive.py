"""Study archives (fieldkit.archive): the whole study as JSON in a zip, and back, losing nothing.

Every study here is built through ``Study.create`` and the core's own API; the archive is
read back both by fieldkit and by nothing but the standard library.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from fieldkit import checks, quotations
from fieldkit.archive import (DERIVED, FORMAT, FORMAT_VERSION, ArchiveError, archivable_tables, archive_study,
                              is_encrypted, unarchive)
from fieldkit.errors import PassphraseError
from fieldkit.reports import outline
from fieldkit.storage.schema import POOL_COLUMNS
from fieldkit.study import Study
from fieldkit.template_toml import load_template, template_from_dict
from studies import SMALL_TEMPLATE, small_template
from cli_runs import run_with_passphrases as run

PASSPHRASE = "marmalade ostrich 47"
ARCHIVE_PASSPHRASE = "a different one for the archive"
#: Columns that would tie a row to a named record or a moment: never in a pool table.
LINKS = {"organisation_id", "interview_id", "contact_id", "at", "created", "updated", "date", "completed"}


# --- building studies -----------------------------------------------------------------------------


def _template():
    data = copy.deepcopy(SMALL_TEMPLATE)
    for q in data["sections"][1]["questions"]:
        if q["id"] == "sector_engaged":
            q["count_by"] = "category"  # fills pool_counts
    return template_from_dict(data, source="archive test template")


def _interview(study: Study, org: int, n: int, *, finish: bool = True) -> int:
    session = study.interviews.start(org, mode="phone", interviewer="AK", date="2026-03-02")
    session.save_answer("role", f"Coordinator {n}")
    session.save_answer("size", "Small")
    session.save_answer("story", f"We started in a church hall, story {n}.")
    session.save_answer("staff", n)
    session.save_answer("sector_barriers", f"Barrier comment number {n:02d}: rent and volunteers")
    session.save_answer("sector_help", f"Help comment number {n:02d}: a shared office")
    session.save_answer("sector_engaged", ["Low", "Medium", "High"][n % 3])
    if finish:
        session.complete()
    return session.interview_id


def rich_study(path: Path, *, passphrase: str | None = None) -> Study:
    """A study with a row in every table: organisations referring to each other, contacts,
    flags, attempts with call-backs, further numbers, interviews on two template versions,
    named answers, a pool with themes, counts by category, a kept name, quotations and a
    duplicate, the change log, report texts, recommendations and a logo."""
    study = Study.create(path, _template(), title="Archive test study", client="The Client", author="The Author",
                         passphrase=passphrase)
    orgs = study.organisations
    network = [orgs.add(f"Network group {i}", category="Network", area="Birmingham",
                        contacts=[{"name": f"Person {i}", "role": "Chair", "phone": f"0121 496 00{i:02d}"}])
               for i in range(5)]
    infra = [orgs.add(f"Infrastructure body {i}", category="Infrastructure", area="Coventry", phone="024 7600 0000")
             for i in range(5)]
    zeta = orgs.add("Zeta Trust", category="Access point", area="Regional")
    orgs.add("Gone Group", category="Network", status="excluded", exclusion_reason="Closed down")
    orgs.update(network[0], referred_by=infra[4], notes="Met at the forum")  # refers to a later id
    orgs.set_flag(network[1], "invite")
    study.attempts.log(network[0], outcome="No answer", callback_at="2026-11-24T10:00", tried="0121 496 0000",
                       seconds=30, at="2026-03-01T09:30")
    for org in network:  # beside the first number, which stays in the record
        study.numbers.add(infra[0], "phone", f"07700 90012{org % 10}", label="Mobile")
    study.numbers.add(network[3], "phone", "07700 900999", contact_id=orgs.contacts(network[3])[0].id)
    study.numbers.mark_wrong(study.numbers.for_organisation(infra[0])[-1])
    for i, org in enumerate(network):
        _interview(study, org, i)  # the fifth finished interview moves the five into the pool
    study.add_vocabulary_values({"areas": ["Solihull"]})  # template version 2
    for i, org in enumerate(infra):
        _interview(study, org, 10 + i)
    assert study.held.count() == 0 and study.pool.count() == 30
    comments = study.pool.comments(question_id="sector_barriers")
    study.pool.edit(comments[0].id, "Zeta Trust shows how hard rent is")  # then erased: pool_names
    from fieldkit import personal_data

    personal_data.erase(study, zeta)
    quotations.choose(study, "barriers", comments[1].id)
    quotations.choose(study, "barriers", comments[2].id, position=1)
    quotations.merge(study, comments[3].id, comments[4].id)
    quotations.set_per_theme(study, 3)
    outline.set_text(study, "background", "The **background** to the study.")
    outline.set_heading(study, "aims", "What we set out to do")
    outline.add_recommendation(study, "Fund a shared office", "The council")
    outline.add_recommendation(study, "Meet each quarter", "The partnership")
    logo = path.parent / "logo.png"
    from PIL import Image

    Image.new("RGB", (6, 4), (200, 30, 90)).save(logo)
    outline.set_logo(study, "client", logo)
    from fieldkit.directory.listing import set_listing
    from fieldkit.directory.pull import bring_in

    set_listing(study, network[2], fields=["phone", "website"], charity_number="1234567")  # the shared directory
    bring_in(study, "York & North Yorkshire", [{
        "record_id": "5b0d1c3e-8f7a-4a39-9a37-2f1d1b0c9e11", "owner": "york_cvs", "name": "Pulled Group",
        "category": "Network", "area": None, "coverage": None, "address": None, "postcode": "YO1 7HH", "website": None,
        "email": None, "phone": None, "contact": None, "charity_number": None, "company_number": None,
        "changed": "2026-11-30T10:00:00+00:00"}])
    return study


def dump(study: Study) -> dict[str, list[tuple]]:
    """Every archived table's rows in primary-key order."""
    out = {}
    for table in archivable_tables(study.conn)[0]:
        info = list(study.conn.execute(f"PRAGMA table_info({table})"))
        keys = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])] or ["rowid"]
        out[table] = study.conn.execute(f"SELECT * FROM {table} ORDER BY {', '.join(keys)}").fetchall()
    return out


def assert_same(source: dict[str, list[tuple]], copy_: dict[str, list[tuple]], *, skip: tuple[str, ...] = ()) -> None:
    assert set(source) == set(copy_)
    for table in source:
        if table in skip:
            continue
        if table in POOL_COLUMNS:  # stored in random-id order: compared as sets
            assert Counter(source[table]) == Counter(copy_[table]), table
        else:
            assert source[table] == copy_[table], table


def members(path: Path, passphrase: str | None = None) -> dict[str, bytes]:
    import pyzipper

    with pyzipper.AESZipFile(path) as z:
        if passphrase:
            z.setpassword(passphrase.encode())
        return {name: z.read(name) for name in z.namelist()}


def rezip(source: Path, target: Path, *, change: dict[str, bytes | None] | None = None,
          fix_checksums: bool = True, manifest: dict | None = None) -> Path:
    """A copy of a plain archive with members replaced (None: removed), the manifest's
    checksums made to match unless ``fix_checksums`` is False."""
    files = members(source)
    for name, data in (change or {}).items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    m = manifest if manifest is not None else json.loads(files["manifest.json"])
    if fix_checksums:
        m["members"] = {n: {"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                        for n, d in files.items() if n != "manifest.json"}
    files["manifest.json"] = json.dumps(m).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return target


@pytest.fixture
def rich(tmp_path: Path):
    study = rich_study(tmp_path / "rich.fieldkit")
    yield study
    study.close()


@pytest.fixture
def plain_archive(rich: Study, tmp_path: Path) -> Path:
    return archive_study(rich, tmp_path / "rich-archive.zip")


# --- the round trip -------------------------------------------------------------------------------


def test_round_trip_keeps_every_row_and_id(rich: Study, tmp_path: Path):
    source = dump(rich)
    assert all(source[t] for t in source if t != "held"), [t for t in source if not source[t]]  # every table used
    assert checks.problems(rich) == []
    path = archive_study(rich, tmp_path / "out")  # .zip is added
    assert path == tmp_path / "out.zip" and not is_encrypted(path)
    made = unarchive(path, tmp_path / "restored")
    assert made == tmp_path / "restored.fieldkit"
    with Study.open(made) as copy_:
        assert_same(source, dump(copy_))
        assert checks.problems(copy_) == []
        assert copy_.title == "Archive test study" and copy_.template_versions() == [1, 2]
        assert copy_.template.to_dict() == rich.template.to_dict()
        # The indexes are rebuilt by the study's own code: both searches find what they found.
        assert copy_.search.organisation_ids("Coordinator 3") == rich.search.organisation_ids("Coordinator 3") != []
        assert copy_.search.comment_ids("shared office") == rich.search.comment_ids("shared office") != []
        assert copy_.pool.by_category("sector_engaged") == rich.pool.by_category("sector_engaged") != {}
        assert outline.logo(copy_, "client").data == outline.logo(rich, "client").data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_round_trip_of_the_demo_study(tmp_path: Path):
    from fieldkit.demo_report import create_demo

    with create_demo(tmp_path / "demo", organisations=14, today=dt.date(2026, 3, 18)) as demo:
        held = demo.held.count()
        assert held and demo.pool.count()
        with pytest.raises(ArchiveError, match=r"still held .*--without-held") as refused:
            archive_study(demo, tmp_path / "demo.zip")
        assert "\n" not in str(refused.value) and not (tmp_path / "demo.zip").exists()
        path = archive_study(demo, tmp_path / "demo.zip", without_held=True)
        source = dump(demo)
        problems = checks.problems(demo)
    manifest = json.loads(members(path)["manifest.json"])
    assert manifest["held_answers_left_out"] == held
    with Study.open(unarchive(path, tmp_path / "demo-again")) as again:
        copy_ = dump(again)
        assert_same(source, copy_, skip=("held",))
        assert copy_["held"] == []  # like every backup and copy, the archive has none
        assert checks.problems(again) == problems == []


def test_template_versions_are_template_files(rich: Study, plain_archive: Path, tmp_path: Path):
    files = members(plain_archive)
    for version in (1, 2):
        path = tmp_path / f"version-{version}.toml"
        path.write_bytes(files[f"templates/version-{version}.toml"])
        assert load_template(path).to_dict() == rich.template_at(version).to_dict()


def test_manifest_describes_and_checks_every_member(rich: Study, plain_archive: Path):
    files = members(plain_archive)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == FORMAT and manifest["format_version"] == FORMAT_VERSION
    assert manifest["title"] == "Archive test study"
    assert manifest["schema_version"] == rich.scalar("PRAGMA user_version")
    dt.datetime.fromisoformat(manifest["created"])
    from fieldkit import __version__

    assert manifest["fieldkit_version"] == __version__
    assert {t["table"] for t in manifest["left_out"]} == {"search_index", "pool_search"}
    assert not any(n.startswith(("tables/search_index", "tables/pool_search")) for n in files)
    for table in manifest["tables"]:
        assert table["rows"] == rich.scalar(f"SELECT count(*) FROM {table['name']}")
        assert [c["name"] for c in table["columns"]] == [r[1] for r in rich.conn.execute(
            f"PRAGMA table_info({table['name']})")]
        assert len(json.loads(files[table["member"]])) == table["rows"]
    assert set(manifest["members"]) == set(files) - {"manifest.json"}
    for name, listed in manifest["members"].items():
        assert hashlib.sha256(files[name]).hexdigest() == listed["sha256"] and len(files[name]) == listed["bytes"]
    logo = json.loads(files["tables/report_images.json"])[0]
    assert logo["data"] == __import__("base64").b64encode(outline.logo(rich, "client").data).decode()


def test_plain_archive_reads_without_fieldkit(plain_archive: Path, rich: Study):
    """The standard library alone verifies every checksum and reads every table."""
    script = textwrap.dedent("""
        import hashlib, json, sys, zipfile
        z = zipfile.ZipFile(sys.argv[1])
        manifest = json.loads(z.read("manifest.json"))
        for name, listed in manifest["members"].items():
            assert hashlib.sha256(z.read(name)).hexdigest() == listed["sha256"], name
        tables = {t["name"]: json.loads(z.read(t["member"])) for t in manifest["tables"]}
        assert all(len(tables[t["name"]]) == t["rows"] for t in manifest["tables"])
        assert not any(m.startswith("fieldkit") for m in sys.modules)
        print(json.dumps(sorted(o["name"] for o in tables["organisations"])))
    """)
    out = subprocess.run([sys.executable, "-I", "-c", script, str(plain_archive)], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == sorted(r["name"] for r in rich.query("SELECT name FROM organisations"))


# --- anonymity --------------------------------------------------------------------------------------


def _pool_study(path: Path, n: int) -> tuple[Study, list[str]]:
    """A study whose n interviews, finished one after another, each wrote one distinct
    anonymous comment: the list is the order they were written in."""
    study = Study.create(path, small_template())
    written = []
    for i in range(n):
        org = study.organisations.add(f"Organisation {i:02d}", category="Network")
        _interview(study, org, i)
        written.append(f"Barrier comment number {i:02d}: rent and volunteers")
    study.held.move_now()
    assert study.held.count() == 0 and study.pool.count() == 3 * n
    return study, written


def _spearman(a: list[str], b: list[str]) -> float:
    rank = {x: i for i, x in enumerate(b)}
    n = len(a)
    d2 = sum((i - rank[x]) ** 2 for i, x in enumerate(a))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_pool_is_written_in_a_fresh_random_order_each_time(tmp_path: Path):
    study, written = _pool_study(tmp_path / "pool.fieldkit", 25)
    with study:
        by_id = [r["text"] for r in study.query(
            "SELECT text FROM pool WHERE question_id = 'sector_barriers' ORDER BY id")]
        theme_rows_by_id = [r["comment_id"] for r in study.query(
            "SELECT comment_id FROM pool_themes ORDER BY comment_id")]
        orders, theme_orders = [], []
        for run in range(20):
            files = members(archive_study(study, tmp_path / f"run-{run}.zip"))
            rows = json.loads(files["tables/pool.json"])
            orders.append([r["text"] for r in rows if r["question_id"] == "sector_barriers"])
            theme_orders.append([r["comment_id"] for r in json.loads(files["tables/pool_themes.json"])])
    for order in orders:
        assert sorted(order) == sorted(written)
        assert order != written and order != by_id  # neither the order written nor the order of ids
    assert len({tuple(o) for o in orders}) == len(orders)  # shuffled afresh for every archive
    assert len({tuple(o) for o in theme_orders}) == len(theme_orders)
    assert all(o != theme_rows_by_id for o in theme_orders)
    # Position in the file says nothing about when a comment was written: over 20 archives the
    # rank correlation averages out near 0 (its spread is about 0.2 / sqrt(20) = 0.045).
    assert abs(sum(_spearman(o, written) for o in orders) / len(orders)) < 0.25


def test_no_pool_member_links_to_a_named_record(rich: Study, plain_archive: Path):
    files = members(plain_archive)
    manifest = json.loads(files["manifest.json"])
    pool_tables = {t["name"]: t for t in manifest["tables"] if t["pool"]}
    assert set(pool_tables) == set(POOL_COLUMNS)
    for name, table in pool_tables.items():
        assert table["order"] == "shuffled"
        assert tuple(c["name"] for c in table["columns"]) == POOL_COLUMNS[name]
        rows = json.loads(files[table["member"]])
        assert rows, name
        for row in rows:
            assert tuple(row) == POOL_COLUMNS[name] and not LINKS & set(row)
    # A pooled comment's words are in the pool's own file and in no other.
    texts = [r["text"] for r in rich.query("SELECT text FROM pool WHERE question_id <> 'sector_engaged'")]
    assert len(texts) == 20
    for member, data in files.items():
        if member not in ("tables/pool.json",):
            text = data.decode("utf-8")
            assert not [t for t in texts if t in text], member
    # Names stay random: not renumbered in the order they were written.
    ids = sorted(r["id"] for r in json.loads(files["tables/pool.json"]))
    assert ids[-1] - ids[0] > 1000 * len(ids)


def test_unpacked_pool_is_laid_out_in_random_id_order(plain_archive: Path, tmp_path: Path):
    """The archive's rows arrive shuffled; in the new study's file the pool's cells lie in
    random-id order (Pool.rewrite), as after every move into the pool, and its search index is
    one segment."""
    from anonymity_attacks import Pages, fts5_segments

    made = unarchive(plain_archive, tmp_path / "laid-out")
    image = made.read_bytes()
    pages = Pages(image)
    leaves = list(pages.table_leaves(pages.schema()["pool"][1]))
    assert sum(len(cells) for _, cells in leaves) == 30
    for _, cells in leaves:  # SQLite fills a page from its end: cells written in key order lie in falling offsets
        offsets = [offset for _rowid, offset, _size in cells]
        assert offsets == sorted(offsets, reverse=True)
    assert len(fts5_segments(image)) == 1


def test_held_answers_are_never_archived(tmp_path: Path):
    with Study.create(tmp_path / "held.fieldkit", small_template()) as study:
        for i in range(3):  # fewer than k: held with their interviews
            _interview(study, study.organisations.add(f"Held org {i}", category="Network"), i)
        held = [json.loads(r["value"]) for r in study.query("SELECT value FROM held")]
        assert len(held) == 9
        with pytest.raises(ArchiveError, match="9 anonymous answers of 3 interviews are still held"):
            archive_study(study, tmp_path / "held.zip")
        assert not (tmp_path / "held.zip").exists()
        files = members(archive_study(study, tmp_path / "held.zip", without_held=True))
    assert json.loads(files["tables/held.json"]) == []
    assert json.loads(files["manifest.json"])["held_answers_left_out"] == 9
    everything = b"".join(files.values()).decode("utf-8")
    words = [v for v in held if isinstance(v, str) and "comment number" in v]
    assert len(words) == 6 and not [w for w in words if w in everything]


# --- encryption -------------------------------------------------------------------------------------


def test_encrypted_study_gives_an_encrypted_archive_and_back(tmp_path: Path):
    study = rich_study(tmp_path / "secret.fieldkit", passphrase=PASSPHRASE)
    with study:
        source = dump(study)
        with pytest.raises(PassphraseError) as needed:
            archive_study(study, tmp_path / "secret.zip")
        assert needed.value.needed
        with pytest.raises(ArchiveError, match="other than the study's own"):
            archive_study(study, tmp_path / "secret.zip", passphrase=PASSPHRASE)
        assert not (tmp_path / "secret.zip").exists()
        path = archive_study(study, tmp_path / "secret.zip", passphrase=ARCHIVE_PASSPHRASE)
        tables = archivable_tables(study.conn)[0]
    assert is_encrypted(path)
    raw = path.read_bytes()
    for secret in ("Archive test study", "Network group", "Coordinator", "Barrier comment", "The Client"):
        assert secret.encode() not in raw
    with zipfile.ZipFile(path) as z:  # the standard library sees AES-256 members it cannot open
        allowed = {"manifest.json", "README.txt", *(f"tables/{t}.json" for t in tables),
                   "templates/version-1.toml", "templates/version-2.toml"}
        assert set(z.namelist()) == allowed  # the names say nothing about the study
        for info in z.infolist():
            assert info.flag_bits & 0x1 and info.compress_type == 99
            aes = info.extra.index(b"\x01\x99")  # the WinZip AES extra field
            assert info.extra[aes + 4:aes + 6] == b"\x02\x00" and info.CRC == 0  # AE-2: no CRC of the content
            assert info.extra[aes + 8] == 3  # AES-256
        with pytest.raises(RuntimeError, match="password required"):
            z.read("manifest.json")
    target = tmp_path / "again.fieldkit"
    for given, needed_ in ((None, True), ("not the passphrase", False)):
        with pytest.raises(PassphraseError) as refused:
            unarchive(path, target, passphrase=given)
        assert refused.value.needed is needed_ and "\n" not in str(refused.value)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["logo.png", "secret.fieldkit", "secret.zip"]
    unarchive(path, target, passphrase=ARCHIVE_PASSPHRASE)
    with pytest.raises(PassphraseError):
        Study.open(target)  # encrypted with the archive's passphrase
    with Study.open(target, passphrase=ARCHIVE_PASSPHRASE) as again:
        assert again.encrypted
        assert_same(source, dump(again))
        assert checks.problems(again) == []


def test_plain_study_can_be_archived_encrypted(rich: Study, tmp_path: Path):
    path = archive_study(rich, tmp_path / "locked.zip", passphrase=ARCHIVE_PASSPHRASE)
    assert is_encrypted(path)
    assert json.loads(members(path, ARCHIVE_PASSPHRASE)["manifest.json"])["encrypted"] is True


# --- bad and hostile archives ------------------------------------------------------------------------


def _refused(archive: Path, target: Path, match: str, **kwargs) -> None:
    """Unpacking is refused with one line, and nothing at all is written beside the target."""
    before = sorted(p.name for p in target.parent.iterdir())
    with pytest.raises(ArchiveError, match=match) as e:
        unarchive(archive, target, **kwargs)
    assert "\n" not in str(e.value) and "Traceback" not in str(e.value)
    assert sorted(p.name for p in target.parent.iterdir()) == before


def _patch_sizes(path: Path, names: dict[str, int]) -> Path:
    """Make the central directory declare other uncompressed sizes for some members."""
    data = bytearray(path.read_bytes())
    for name, size in names.items():
        pos = 0
        while True:
            pos = data.index(b"PK\x01\x02", pos)
            name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
            if data[pos + 46:pos + 46 + name_len] == name.encode():
                data[pos + 24:pos + 28] = size.to_bytes(4, "little")
                break
            pos += 4
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "target"
    folder.mkdir()
    return folder / "new.fieldkit"


def test_not_a_zip(tmp_path: Path, out: Path, rich: Study):
    text = tmp_path / "notes.zip"
    text.write_text("just some notes\n")
    _refused(text, out, "not a zip archive")
    _refused(rich.path, out, "not a zip archive")  # a study file is not an archive
    _refused(tmp_path / "missing.zip", out, "no such file")


def test_a_zip_that_is_not_a_fieldkit_archive(tmp_path: Path, out: Path):
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8\xff not really")
    _refused(other, out, "not a fieldkit archive .it has no manifest.json")
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "something-else"}))
    _refused(other, out, "does not say format")


def test_newer_format_is_refused_by_name(plain_archive: Path, tmp_path: Path, out: Path):
    manifest = json.loads(members(plain_archive)["manifest.json"])
    _refused(rezip(plain_archive, tmp_path / "newer.zip", manifest={**manifest, "format_version": FORMAT_VERSION + 1}),
             out, "made by a newer fieldkit .* update fieldkit")
    _refused(rezip(plain_archive, tmp_path / "newer-study.zip",
                   manifest={**manifest, "schema_version": manifest["schema_version"] + 1}), out, "newer format")


def test_altered_member_fails_its_checksum(plain_archive: Path, tmp_path: Path, out: Path):
    rows = json.loads(members(plain_archive)["tables/organisations.json"])
    rows[0]["name"] = "Someone else"
    altered = rezip(plain_archive, tmp_path / "altered.zip",
                    change={"tables/organisations.json": json.dumps(rows).encode()}, fix_checksums=False)
    _refused(altered, out, "tables/organisations.json does not match its checksum")


def test_member_lists_must_agree(plain_archive: Path, tmp_path: Path, out: Path):
    _refused(rezip(plain_archive, tmp_path / "extra.zip", change={"tables/extra.json": b"[]"}, fix_checksums=False),
             out, "does not list exactly the files")
    _refused(rezip(plain_archive, tmp_path / "gone.zip", change={"tables/contacts.json": None}),
             out, "neither tables nor templates|does not list exactly")


def test_zip_bombs_are_not_unpacked(plain_archive: Path, tmp_path: Path, out: Path):
    import shutil

    # Declared: a member says it unpacks to 4 GB; refused before a byte is read.
    declared = _patch_sizes(shutil.copy(plain_archive, tmp_path / "declared.zip"),
                            {"tables/answers.json": 4_000_000_000})
    _refused(declared, out, "would unpack to .* more than fieldkit reads")
    # Together: several members under the cap each, but too much in all.
    many = _patch_sizes(shutil.copy(plain_archive, tmp_path / "many.zip"),
                        {f"tables/{t}.json": 500 * 2**20 for t in ("answers", "attempts", "changes", "contacts",
                                                                   "organisations")})
    _refused(many, out, "would unpack to .* GiB, more than fieldkit reads")
    # Lying: declares a few bytes and inflates to 50 MB; reading stops at what it declared
    # (zipfile cuts it there, and the CRC then fails; fieldkit counts too, in case it did not).
    bomb = tmp_path / "bomb.zip"
    files = members(plain_archive)
    files["tables/answers.json"] = b"[" + b" " * 50_000_000 + b"]"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    assert bomb.stat().st_size < 1_000_000
    _patch_sizes(bomb, {"tables/answers.json": 1000})
    _refused(bomb, out, "tables/answers.json (unpacks to more than the 1,000 bytes it declares|is damaged)")


@pytest.mark.parametrize("name", ["../escaped.json", "/etc/fieldkit.json", "tables/../../escaped.json",
                                  "C:/escaped.json", "tables\\..\\escaped.json", "./manifest.json", "tables//x.json"])
def test_names_that_point_outside_are_refused(plain_archive: Path, tmp_path: Path, out: Path, name: str):
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(plain_archive) as src, zipfile.ZipFile(hostile, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        z.writestr(name, b"[]")
    _refused(hostile, out, "points outside")
    assert not (tmp_path / "escaped.json").exists() and not (tmp_path.parent / "escaped.json").exists()


def test_two_members_of_one_name_are_refused(plain_archive: Path, tmp_path: Path, out: Path):
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(plain_archive) as src, zipfile.ZipFile(twice, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):
            z.writestr("tables/organisations.json", b"[]")
    _refused(twice, out, "two files named")


def test_rows_that_do_not_fit_leave_nothing_behind(plain_archive: Path, tmp_path: Path, out: Path):
    """Caught only once the new study is being filled: its temporary file goes too."""
    rows = json.loads(members(plain_archive)["tables/organisations.json"])
    rows[0]["status"] = "abducted"
    _refused(rezip(plain_archive, tmp_path / "bad-row.zip",
                   change={"tables/organisations.json": json.dumps(rows).encode()}),
             out, "tables/organisations.json holds rows that do not fit the study")
    rows = json.loads(members(plain_archive)["tables/contacts.json"])
    rows[0]["organisation_id"] = 999_999
    _refused(rezip(plain_archive, tmp_path / "orphan.zip", change={"tables/contacts.json": json.dumps(rows).encode()}),
             out, "tables/contacts.json has a row that points at a missing organisations record")
    rows[0] = {**rows[0], "organisation_id": [1]}
    _refused(rezip(plain_archive, tmp_path / "list.zip", change={"tables/contacts.json": json.dumps(rows).encode()}),
             out, "not a text, a number or null")
    images = json.loads(members(plain_archive)["tables/report_images.json"])
    images[0]["data"] = "not base64!"
    _refused(rezip(plain_archive, tmp_path / "blob.zip",
                   change={"tables/report_images.json": json.dumps(images).encode()}),
             out, "data is not base64 text")


def test_sort_keys_are_made_again_from_the_names(plain_archive: Path, tmp_path: Path):
    """An archive's name_key values are derived data: from an older collation table, or edited to
    move a name up the list, they are replaced by the keys of the names themselves."""
    import base64

    from fieldkit.collation import sort_key

    rows = json.loads(members(plain_archive)["tables/organisations.json"])
    assert len(rows) >= 2
    for row in rows:
        row["name_key"] = base64.b64encode(b"\x00").decode()  # every name first, all alike
    made = unarchive(rezip(plain_archive, tmp_path / "keys.zip",
                           change={"tables/organisations.json": json.dumps(rows).encode()}), tmp_path / "keys")
    with Study.open(made) as study:
        stored = study.query("SELECT name, name_key FROM organisations")
    assert stored and all(row["name_key"] == sort_key(row["name"]) for row in stored)


def test_a_template_that_does_not_agree_is_refused(plain_archive: Path, tmp_path: Path, out: Path):
    toml = members(plain_archive)["templates/version-2.toml"].decode().replace("Small test study", "Other study", 1)
    _refused(rezip(plain_archive, tmp_path / "tmpl.zip", change={"templates/version-2.toml": toml.encode()}),
             out, "templates/version-2.toml is not the template version the study stores")


def test_damaged_bytes_anywhere_give_one_line_and_leave_nothing(rich: Study, tmp_path: Path, out: Path):
    """Bytes changed or cut anywhere in a plain or an encrypted archive: a fieldkit error of one
    line (or, where the change hit nothing that matters, the same study), never a crash, and no
    file left behind."""
    import random

    from fieldkit.errors import FieldkitError

    sources = [(archive_study(rich, tmp_path / "plain.zip"), None),
               (archive_study(rich, tmp_path / "locked.zip", passphrase=ARCHIVE_PASSPHRASE), ARCHIVE_PASSPHRASE)]
    rng = random.Random(2026)
    damaged = tmp_path / "damaged.zip"
    for i in range(200):
        source, passphrase = sources[i % 2]
        data = bytearray(source.read_bytes())
        for _ in range(rng.choice((1, 2, 5, 20))):
            at = rng.randrange(len(data))
            if rng.random() < 0.8:
                data[at] = rng.randrange(256)
            else:
                del data[at:at + rng.randrange(1, 200)]
        damaged.write_bytes(bytes(data))
        try:
            made = unarchive(damaged, out, passphrase=passphrase)
        except FieldkitError as e:
            assert "\n" not in str(e)
            assert list(out.parent.iterdir()) == []
        else:
            with Study.open(made, passphrase=passphrase, backup=False) as study:
                assert checks.problems(study) == []
            made.unlink()


def test_an_existing_study_is_never_replaced(plain_archive: Path, rich: Study, tmp_path: Path):
    rich_bytes = rich.path.read_bytes()
    _refused(plain_archive, rich.path, "a file with that name already exists")
    _refused(plain_archive, rich.path.with_suffix(""), "a file with that name already exists")  # suffix added
    assert rich.path.read_bytes() == rich_bytes


# --- the command line -------------------------------------------------------------------------------


def test_command_line_archives_and_unarchives(tmp_path: Path, capsys, monkeypatch):
    rich_study(tmp_path / "cli.fieldkit").close()
    code, out, err = run(capsys, monkeypatch, "archive", tmp_path / "cli.fieldkit", "-o", tmp_path / "cli")
    assert code == 0, err
    assert f"to {tmp_path / 'cli.zip'}" in out and "encrypted" not in out
    code, out, err = run(capsys, monkeypatch, "unarchive", tmp_path / "cli.zip", tmp_path / "back")
    assert code == 0 and "Made the study" in out, err
    code, out, err = run(capsys, monkeypatch, "check", tmp_path / "back.fieldkit")
    assert code == 0 and "no problems found" in out, err
    code, out, err = run(capsys, monkeypatch, "unarchive", tmp_path / "cli.zip", tmp_path / "back")
    assert code == 1 and err.count("\n") == 1 and "already exists" in err
    code, out, err = run(capsys, monkeypatch, "unarchive", tmp_path / "cli.fieldkit", tmp_path / "other")
    assert code == 1 and err.count("\n") == 1 and "not a zip archive" in err
    assert not (tmp_path / "other.fieldkit").exists()


def test_command_line_with_passphrases_and_held_answers(tmp_path: Path, capsys, monkeypatch):
    path = tmp_path / "secret.fieldkit"
    with Study.create(path, small_template(), passphrase=PASSPHRASE) as study:
        _interview(study, study.organisations.add("Held org", category="Network"), 1)
    zipped = tmp_path / "secret.zip"
    code, out, err = run(capsys, monkeypatch, "archive", path, "-o", zipped, passphrase=PASSPHRASE)
    assert code == 1 and err.count("\n") == 1 and "--without-held" in err and not zipped.exists()
    code, out, err = run(capsys, monkeypatch, "archive", path, "-o", zipped, "--without-held", passphrase=PASSPHRASE)
    assert code == 1 and "FIELDKIT_NEW_PASSPHRASE" in err and not zipped.exists()  # no terminal to ask on
    code, out, err = run(capsys, monkeypatch, "archive", path, "-o", zipped, "--without-held", passphrase=PASSPHRASE,
                         new=PASSPHRASE)
    assert code == 1 and "other than the study's own" in err and not zipped.exists()
    code, out, err = run(capsys, monkeypatch, "archive", path, "-o", zipped, "--without-held", passphrase=PASSPHRASE,
                         new=ARCHIVE_PASSPHRASE)
    assert code == 0 and "AES-256" in out and "Left out 3 anonymous answers" in out, err
    code, out, err = run(capsys, monkeypatch, "unarchive", zipped, tmp_path / "back")
    assert code == 1 and err.count("\n") == 1 and "FIELDKIT_PASSPHRASE" in err
    code, out, err = run(capsys, monkeypatch, "unarchive", zipped, tmp_path / "back", passphrase="wrong passphrase")
    assert code == 1 and err.count("\n") == 1 and "does not open this archive" in err
    assert not (tmp_path / "back.fieldkit").exists()
    code, out, err = run(capsys, monkeypatch, "unarchive", zipped, tmp_path / "back", passphrase=ARCHIVE_PASSPHRASE)
    assert code == 0 and "encrypted with the archive's passphrase" in out, err
    code, out, err = run(capsys, monkeypatch, "check", tmp_path / "back.fieldkit", passphrase=ARCHIVE_PASSPHRASE)
    assert code == 0, err


# --- contracts --------------------------------------------------------------------------------------


def test_every_table_is_archived_or_named_as_derived(small_study: Study):
    kept, derived = archivable_tables(small_study.conn)
    assert set(derived) == set(DERIVED)
    assert set(POOL_COLUMNS) <= set(kept) and "held" in kept
    every = {r[0] for r in small_study.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    prefixes = ("sqlite_", *(f"{d}_" for d in DERIVED))
    assert every - set(kept) - set(derived) == {n for n in every if n.startswith(prefixes)}


def test_the_format_document_describes_every_table_and_column(small_study: Study):
    doc = (Path(__file__).parent.parent / "docs" / "archive-format.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |^## |\Z)", doc, flags=re.M | re.S))
    kept, derived = archivable_tables(small_study.conn)
    assert set(kept) <= set(sections), set(kept) - set(sections)
    for table in kept:
        documented = set(re.findall(r"^\| `(\w+)` \|", sections[table], flags=re.M))
        columns = {r[1] for r in small_study.conn.execute(f"PRAGMA table_info({table})")}
        assert documented == columns, (table, columns ^ documented)
    for table in derived:
        assert f"`{table}`" in doc


def test_readme_in_the_archive_names_every_kind_of_member(plain_archive: Path):
    readme = members(plain_archive)["README.txt"].decode()
    for words in ("manifest.json", "tables/<table>.json", "templates/version-N.toml", "shuffled", "AES-256"):
        assert words in readme
