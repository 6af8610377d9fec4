"""Exports are whole or absent: a writer killed at random moments, what it leaves behind swept
away at the next start, devices and pipes refused, and a write that hits the file-size limit.

Every export (CSV, XLSX, PDF report, case sheet, subject-access JSON) goes through
``fieldkit.exports.write_atomically``; these tests drive it through the real write functions.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from fieldkit.exports import ExportError, notes_folder, sweep_stale_exports, write_atomically
from fieldkit.reports import tables
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.pdf import render_report
from fieldkit.study import Study
from studies import small_template

REPO = Path(__file__).resolve().parent.parent
TEMP_PATTERN = r"^\..+\.[0-9a-f]{12}\.fieldkit-part$"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch) -> Path:
    """Each test its own user state folder (and its children inherit it), so notes of writes
    in progress are the test's own."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    assert notes_folder().is_relative_to(home)
    return home


@pytest.fixture(autouse=True)
def temp_folder(tmp_path_factory, monkeypatch) -> Path:
    """Each test its own temporary folder (where an older fieldkit left its preview folders), so
    the sweep sees the test's own and never the machine's."""
    folder = tmp_path_factory.mktemp("temp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def _notes() -> list[Path]:
    folder = notes_folder()
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --- killed while exporting ----------------------------------------------------------------

#: A process that renders the report and writes the table once, as references, then on each
#: line of input forks a writer that exports them over and over, alternating two versions
#: (A4 and Letter; two tables), until it is killed. Forking keeps each round to the kill
#: itself, not a fresh start of Python and reportlab.
_EXPORTER = """
    import os, sys, time
    from pathlib import Path
    from reportlab import rl_config
    rl_config.invariant = 1  # fixed dates and document id: the same data makes the same bytes
    from fieldkit.reports import tables
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.pdf import render_report
    from fieldkit.study import Study

    study_path, folder, refs = (Path(a) for a in sys.argv[1:4])
    with Study.open(study_path, read_only=True) as study:
        data = build_report_data(study, ReportOptions(seed=3))
    def table(k):
        rows = tuple((f"Organisation {i} of the {k} list " + "x" * 30, i * k) for i in range(5000))
        return tables.Table("Big", "Big", ("Organisation", "Count"), rows, total_row=False)
    versions = [("a4", table(1)), ("letter", table(2))]
    started = time.monotonic()
    for size, t in versions:
        render_report(data, refs / f"{size}.pdf", page_size=size)
        tables.write_csv(t, refs / f"{size}.csv")
    per_write = (time.monotonic() - started) / 2
    render_report(data, folder / "report.pdf", page_size="a4")  # the old files
    tables.write_csv(versions[0][1], folder / "table.csv")
    print("ready", per_write, flush=True)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                while True:
                    for size, t in versions[::-1] + versions:
                        render_report(data, folder / "report.pdf", page_size=size)
                        tables.write_csv(t, folder / "table.csv")
            finally:
                os._exit(1)
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("gone", flush=True)
"""

KILLS = 18


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the exporter forks its writers (POSIX)")
def test_killed_while_exporting_the_target_is_old_or_new_never_partial(tmp_path: Path):
    import re

    import pdfplumber

    study_path = tmp_path / "exports.fieldkit"
    with Study.create(study_path, small_template(), title="Exported again and again") as study:
        for i in range(40):
            org = study.organisations.add(f"Organisation {i}", category="Network", area="Coventry",
                                          flags={"permission_to_list"}, notes="n" * 200)
            study.interviews.start(org).save_answer("size", ["Small", "Medium", "Large"][i % 3])
    folder, refs = tmp_path / "out", tmp_path / "refs"
    folder.mkdir()
    refs.mkdir()
    exporter = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_EXPORTER), str(study_path), str(folder),
                                 str(refs)], cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = None
    try:
        ready, per_write = exporter.stdout.readline().split()
        assert ready == "ready"
        pdfs = {(refs / "a4.pdf").read_bytes(), (refs / "letter.pdf").read_bytes()}
        csvs = {(refs / "a4.csv").read_bytes(), (refs / "letter.csv").read_bytes()}
        assert len(pdfs) == 2 and len(csvs) == 2
        rng = random.Random(11)
        changed = swept = 0
        last = (folder / "report.pdf").read_bytes()
        for _ in range(KILLS):
            exporter.stdin.write("go\n")
            exporter.stdin.flush()
            writer = int(exporter.stdout.readline())
            time.sleep(rng.uniform(0.0, 2.5 * float(per_write)))
            os.kill(writer, signal.SIGKILL)
            assert exporter.stdout.readline().strip() == "gone"
            writer = None

            pdf = (folder / "report.pdf").read_bytes()
            assert pdf in pdfs, "the report is a complete old or new file"
            assert pdf.rstrip().endswith(b"%%EOF")
            assert (folder / "table.csv").read_bytes() in csvs
            changed += pdf != last
            last = pdf

            left = {p for p in folder.iterdir() if p.name not in ("report.pdf", "table.csv")}
            assert all(re.match(TEMP_PATTERN, p.name) for p in left), left
            assert set(sweep_stale_exports()) == left  # the writer is gone: its files go too
            assert sorted(p.name for p in folder.iterdir()) == ["report.pdf", "table.csv"]
            assert _notes() == []
            swept += len(left)
    finally:
        if writer is not None:
            os.kill(writer, signal.SIGKILL)
        exporter.kill()
        exporter.wait()
    # Some kills landed while a file was being written, and some writes finished before one.
    assert swept >= 1 and changed >= 1, (swept, changed)
    for name, width in (("a4.pdf", 595), ("letter.pdf", 612)):
        with pdfplumber.open(refs / name) as read:
            assert len(read.pages) >= 2 and round(read.pages[0].width) == width


# --- the sweep at start-up -----------------------------------------------------------------


_BLOCKED_WRITER = """
    import sys, time
    from fieldkit.exports import write_atomically
    def write(f):
        f.write(b"half a file")
        f.flush()
        print("writing", flush=True)
        time.sleep(60)
    write_atomically(sys.argv[1], write)
"""


def _blocked_writer(target: Path) -> subprocess.Popen:
    """A process in the middle of an export: its temporary file exists, it has not finished."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_BLOCKED_WRITER), str(target)], cwd=REPO,
                             text=True, stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == "writing"
    return child


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_sweep_clears_what_a_killed_writer_left_and_nothing_else(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"the old report")
    killed = _blocked_writer(folder / "report.pdf")
    live = _blocked_writer(folder / "table.csv")
    try:
        [killed_temp] = folder.glob(".report.pdf.*")
        [live_temp] = folder.glob(".table.csv.*")
        assert killed_temp.read_bytes() == b"half a file"
        assert {n.name.split("-")[0] for n in _notes()} == {str(killed.pid), str(live.pid)}
        # Files that are not ours, or that no note names.
        lookalike = folder / ".notes.txt.0123456789ab.fieldkit-part"
        lookalike.write_bytes(b"no note names this")
        precious = folder / "precious.txt"
        precious.write_bytes(b"keep me")
        dead = _dead_pid()
        (notes_folder() / f"{dead}-aaaaaaaaaaaa.json").write_text(json.dumps({"temp": str(precious), "pid": dead}))
        (notes_folder() / f"{dead}-bbbbbbbbbbbb.json").write_text('{"temp": "/tm')  # killed while noting
        away = "/no/such/drive/.a.csv.dddddddddddd.fieldkit-part"  # a drive not plugged in now
        away_note = notes_folder() / f"{dead}-dddddddddddd.json"
        away_note.write_text(json.dumps({"temp": away, "pid": dead}))
        (notes_folder() / "README.txt").write_text("not a note")

        assert sweep_stale_exports() == []  # both writers are running
        assert killed_temp.exists() and live_temp.exists()

        killed.kill()
        killed.wait()
        assert sweep_stale_exports() == [killed_temp]
        assert live_temp.read_bytes() == b"half a file"
        assert lookalike.read_bytes() == b"no note names this" and precious.read_bytes() == b"keep me"
        assert (folder / "report.pdf").read_bytes() == b"the old report"
        assert sorted(n.name for n in _notes()) == sorted([f"{live.pid}-{live_temp.name.split('.')[-2]}.json",
                                                           away_note.name, "README.txt"])
    finally:
        for child in (killed, live):
            child.kill()
            child.wait()
    assert sweep_stale_exports() == [live_temp]
    assert sorted(p.name for p in folder.iterdir()) == [lookalike.name, "precious.txt", "report.pdf"]
    assert sorted(n.name for n in _notes()) == [away_note.name, "README.txt"]


def test_a_note_older_than_any_export_is_stale_even_if_its_process_id_is_in_use(tmp_path: Path):
    temp = tmp_path / ".old.csv.cccccccccccc.fieldkit-part"
    temp.write_bytes(b"left over")
    note = notes_folder() / f"{os.getpid()}-cccccccccccc.json"  # this process: alive
    note.parent.mkdir(parents=True)
    note.write_text(json.dumps({"temp": str(temp), "pid": os.getpid()}))
    assert sweep_stale_exports() == [] and temp.exists()
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(note, (two_days_ago, two_days_ago))
    assert sweep_stale_exports() == [temp]
    assert not temp.exists() and not note.exists()


def test_a_finished_or_failed_export_leaves_no_note_and_no_file(tmp_path: Path):
    target = tmp_path / "table.csv"
    write_atomically(target, lambda f: f.write(b"whole"))
    assert target.read_bytes() == b"whole" and _notes() == []

    def disk_full(f):
        f.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError) as info:
        write_atomically(target, disk_full)
    assert "the disk is full" in str(info.value) and "nothing was written" in str(info.value)
    assert target.read_bytes() == b"whole"
    assert sorted(os.listdir(tmp_path)) == ["state", "table.csv"] and _notes() == []


# --- a device, a pipe, a full disk ---------------------------------------------------------


@pytest.fixture
def small_report(tmp_path: Path):
    path = tmp_path / "study" / "devices.fieldkit"
    path.parent.mkdir()
    with Study.create(path, small_template()) as study:
        org = study.organisations.add("Coventry Advice Network", category="Network", flags={"permission_to_list"})
        study.interviews.start(org).save_answer("size", "Small")
        data = build_report_data(study, ReportOptions())
        table = tables.by_group(study, "category")
    return path, data, table


def _writers(data, table):
    return {
        "csv": lambda p: tables.write_csv(table, p),
        "xlsx": lambda p: tables.write_xlsx(table, p),
        "pdf": lambda p: render_report(data, p),
    }


@pytest.fixture
def device_guard(monkeypatch):
    """Should the refusal ever go, fail the test instead of renaming a file over a device."""
    real = os.replace

    def guarded(src, dst, *args, **kwargs):
        assert not Path(dst).resolve().is_relative_to("/dev"), f"about to replace {dst}"
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", guarded)


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_exporting_to_a_device_or_pipe_is_refused_before_anything_is_written(small_report, tmp_path: Path,
                                                                             device_guard):
    _, data, table = small_report
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "pipe")
    (folder / "full").symlink_to("/dev/full")
    in_dev = set(os.listdir("/dev"))
    for kind, write in _writers(data, table).items():
        for target in ("/dev/full", folder / "pipe", folder / "full"):
            with pytest.raises(ExportError) as info:
                write(target)
            message = str(info.value)
            assert message.startswith(f"{target}: is not an ordinary file"), (kind, message)
            assert "nothing was written" in message and "\n" not in message
    assert set(os.listdir("/dev")) == in_dev
    assert sorted(os.listdir(folder)) == ["full", "pipe"]
    assert Path("/dev/full").is_char_device() and (folder / "pipe").is_fifo()
    assert _notes() == []


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_the_command_line_refuses_a_device_in_one_line(capsys, small_report, tmp_path: Path, device_guard):
    from fieldkit.cli import main

    study, _, _ = small_report
    folder = tmp_path / "out"
    folder.mkdir()
    commands = {
        "table.csv": ["summary", study],
        "table.xlsx": ["summary", study, "--format", "xlsx"],
        "report.pdf": ["report", study],
        "sheet.pdf": ["casesheet", study, "Coventry Advice Network"],
        "access.json": ["access", study, "Coventry Advice Network"],
    }
    for name in commands:
        (folder / name).symlink_to("/dev/full")
    for name, argv in commands.items():
        code = main([str(a) for a in argv + ["-o", folder / name]])
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"fieldkit {argv[0]}: {folder / name}: is not an ordinary file"), err
    assert sorted(os.listdir(folder)) == sorted(commands)
    assert all((folder / name).is_symlink() for name in commands)
    assert Path("/dev/full").is_char_device()


_SIZE_LIMITED = """
    import json, resource, signal, sys
    from pathlib import Path
    from fieldkit.exports import ExportError
    from fieldkit.reports import tables
    from fieldkit.reports.data import ReportOptions, build_report_data
    from fieldkit.reports.pdf import render_report
    from fieldkit.study import Study

    study_path, folder = Path(sys.argv[1]), Path(sys.argv[2])
    with Study.open(study_path, read_only=True) as study:
        data = build_report_data(study, ReportOptions())
    rows = tuple((f"Organisation {i}", i) for i in range(5000))
    table = tables.Table("Big", "Big", ("Organisation", "Count"), rows)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    said = {}
    for name, write in (("table.csv", tables.write_csv), ("table.xlsx", tables.write_xlsx),
                        ("report.pdf", lambda t, p: render_report(data, p))):
        try:
            write(table, folder / name)
            said[name] = "written"
        except ExportError as e:
            said[name] = str(e)
    print(json.dumps(said))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_an_export_that_cannot_be_written_whole_is_not_written_at_all(small_report, tmp_path: Path):
    """The file-size limit makes the disk refuse a write half-way, as a full disk does."""
    study, _, _ = small_report
    folder = tmp_path / "out"
    folder.mkdir()
    old = {"table.csv": b"old table", "table.xlsx": b"old workbook", "report.pdf": b"old report"}
    for name, content in old.items():
        (folder / name).write_bytes(content)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_SIZE_LIMITED), str(study), str(folder)],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    for name, message in said.items():
        # A workbook fails earlier, in the temporary files openpyxl writes each sheet to.
        reason = ("cannot make the workbook: its temporary files" if name.endswith(".xlsx")
                  else "the file is too big for this disk or folder")
        assert message.startswith(f"{folder / name}: {reason}"), message
        assert "File too large" in message and "nothing was written" in message and "\n" not in message
    assert {name: (folder / name).read_bytes() for name in old} == old
    assert sorted(os.listdir(folder)) == sorted(old)
    assert _notes() == []


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_a_pdf_to_a_device_is_refused_not_written_beside_it_as_name_pdf(capsys, small_report, device_guard):
    from fieldkit.cli import main

    study, _, _ = small_report
    in_dev = set(os.listdir("/dev"))
    for argv in (["report", study], ["casesheet", study, "Coventry Advice Network"]):
        code = main([str(a) for a in argv + ["-o", "/dev/full"]])
        assert (code, *capsys.readouterr()) == (1, "", f"fieldkit {argv[0]}: /dev/full: is not an ordinary file (a "
                                                       "device, pipe or socket); nothing was written — choose a "
                                                       "file name\n")
    assert set(os.listdir("/dev")) == in_dev


def test_every_start_of_fieldkit_sweeps(tmp_path: Path, capsys):
    """The app and every command start through cli.main, which sweeps first."""
    from fieldkit.cli import main

    temp = tmp_path / ".report.pdf.eeeeeeeeeeee.fieldkit-part"
    temp.write_bytes(b"half a report")
    dead = _dead_pid()
    notes_folder().mkdir(parents=True, exist_ok=True)
    (notes_folder() / f"{dead}-eeeeeeeeeeee.json").write_text(json.dumps({"temp": str(temp), "pid": dead}))
    assert main(["templates"]) == 0
    assert not temp.exists()


# --- preview folders an older fieldkit left in the temporary folder -------------------------


def _old_preview_folder(temp: Path, name: str, files: dict[str, bytes], *, days_old: float = 0) -> Path:
    folder = temp / name
    folder.mkdir(mode=0o700)
    for file, data in files.items():
        (folder / file).write_bytes(data)
    if days_old:
        then = time.time() - days_old * 24 * 3600
        os.utime(folder, (then, then))
    return folder


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and owners as on Linux and macOS")
def test_the_sweep_removes_the_preview_pdfs_an_older_fieldkit_left(temp_folder: Path, tmp_path: Path):
    """Older fieldkit versions rendered the Reports screen's preview into ``fieldkit-preview-*`` in the
    temporary folder: plaintext PDFs with the pooled comments, left behind by a killed process."""
    pdf = b"%PDF-1.4 pooled comments in plain text"
    old = _old_preview_folder(temp_folder, "fieldkit-preview-k2j4h1x0", {
        "preview-1.pdf": pdf, "preview-12.pdf": pdf, ".preview-13.pdf.0123456789ab.fieldkit-part": pdf[:9]},
        days_old=3)
    recent = _old_preview_folder(temp_folder, "fieldkit-preview-recent", {"preview-7.pdf": pdf})
    mixed = _old_preview_folder(temp_folder, "fieldkit-preview-mixed", {
        "preview-2.pdf": pdf, "notes.txt": b"not fieldkit's", "letter.pdf": b"%PDF not a preview's name"})
    (mixed / "preview-3.pdf").mkdir()  # a folder by that name: not a file, kept
    (mixed / "preview-3.pdf" / "preview-4.pdf").write_bytes(pdf)  # and never looked inside
    # Not fieldkit's preview folders, or not folders at all: untouched.
    other = _old_preview_folder(temp_folder, "someone-else", {"preview-1.pdf": pdf})
    lookalike = _old_preview_folder(temp_folder, "fieldkit-previewer", {"preview-1.pdf": pdf})
    (temp_folder / "fieldkit-preview-file.pdf").write_bytes(pdf)
    elsewhere = _old_preview_folder(tmp_path, "elsewhere", {"preview-1.pdf": pdf})
    (temp_folder / "fieldkit-preview-link").symlink_to(elsewhere, target_is_directory=True)
    (mixed / "preview-5.pdf").symlink_to(elsewhere / "preview-1.pdf")  # a link: kept, its target too

    removed = sweep_stale_exports()

    assert sorted(removed) == sorted([old / "preview-1.pdf", old / "preview-12.pdf",
                                      old / ".preview-13.pdf.0123456789ab.fieldkit-part", mixed / "preview-2.pdf",
                                      recent / "preview-7.pdf"])
    assert not old.exists(), "an emptied preview folder untouched for days goes too"
    # A folder in use today (an older fieldkit may still be running) is emptied but kept for
    # its next preview; once it has been left alone for a day, it goes.
    assert recent.is_dir() and os.listdir(recent) == []
    assert sorted(os.listdir(mixed)) == ["letter.pdf", "notes.txt", "preview-3.pdf", "preview-5.pdf"]
    assert (mixed / "preview-3.pdf" / "preview-4.pdf").read_bytes() == pdf
    for kept in (other / "preview-1.pdf", lookalike / "preview-1.pdf", temp_folder / "fieldkit-preview-file.pdf",
                 elsewhere / "preview-1.pdf"):
        assert kept.read_bytes() == pdf
    assert (temp_folder / "fieldkit-preview-link").is_symlink()
    assert sweep_stale_exports() == [] and recent.is_dir()  # nothing more to do today
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(recent, (two_days_ago, two_days_ago))
    assert sweep_stale_exports() == [] and not recent.exists()
    assert mixed.is_dir()  # not empty: kept


@pytest.mark.skipif(os.name != "posix", reason="owners as on Linux and macOS")
def test_the_sweep_leaves_preview_folders_of_another_user(temp_folder: Path, monkeypatch):
    folder = _old_preview_folder(temp_folder, "fieldkit-preview-theirs", {"preview-1.pdf": b"%PDF theirs"},
                                 days_old=2)
    me = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: me + 1)  # the folder now belongs to someone else
    assert sweep_stale_exports() == []
    assert (folder / "preview-1.pdf").read_bytes() == b"%PDF theirs"
    monkeypatch.setattr(os, "geteuid", lambda: me)
    assert sweep_stale_exports() == [folder / "preview-1.pdf"] and not folder.exists()


def test_every_start_of_fieldkit_removes_old_preview_folders(temp_folder: Path, capsys):
    from fieldkit.cli import main

    folder = _old_preview_folder(temp_folder, "fieldkit-preview-abc", {"preview-1.pdf": b"%PDF pooled comments"})
    assert main(["templates"]) == 0
    assert folder.is_dir() and os.listdir(folder) == []
