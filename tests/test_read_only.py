"""A study the user cannot write: a file marked read-only, as on a read-only stick or a share.

Tests may run as root, for whom a read-only file is writable all the same. So the code under
test runs in a child process that, when it is root, first gives up the capabilities that let
root ignore file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER): from then on
the kernel refuses it exactly as it refuses an ordinary user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import small_template

REPO = Path(__file__).resolve().parent.parent

#: Run first in the child: as root on Linux, drop the capabilities that bypass permissions.
_AS_ORDINARY_USER = """
    import ctypes, os
    if os.geteuid() == 0:
        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]
        libc = ctypes.CDLL(None, use_errno=True)
        header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
        assert libc.capget(ctypes.byref(header), data) == 0
        bypass = (1 << 1) | (1 << 2) | (1 << 3)  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER
        data[0].effective &= ~bypass
        data[0].permitted &= ~bypass
        assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()
"""

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or (os.geteuid() == 0 and not sys.platform.startswith("linux")),
    reason="needs POSIX permissions, and Linux capabilities when run as root")


def as_ordinary_user(code: str, *args: object) -> dict:
    """Run ``code`` (which prints one JSON object) in a child that file permissions apply to."""
    script = textwrap.dedent(_AS_ORDINARY_USER) + textwrap.dedent(code)
    out = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_the_child_really_cannot_write_a_read_only_file(tmp_path: Path):
    target = tmp_path / "read-only.txt"
    target.write_text("as it was")
    target.chmod(0o444)
    said = as_ordinary_user("""
        import json, sys
        try:
            open(sys.argv[1], "a").write("changed")
            print(json.dumps({"wrote": True}))
        except PermissionError:
            print(json.dumps({"wrote": False}))
    """, target)
    assert said == {"wrote": False} and target.read_text() == "as it was"


_READ_A_READ_ONLY_STUDY = """
    import io, json, sys
    from contextlib import redirect_stderr, redirect_stdout
    from fieldkit.cli import main
    from fieldkit.errors import FieldkitError
    from fieldkit.study import Study

    path, report = sys.argv[1], sys.argv[2]
    said = {}
    with Study.open(path, read_only=True) as study:
        said["names"] = [o.name for o in study.organisations.many(study.organisations.ids())]
        try:
            study.organisations.add("Never written", category="Network")
        except FieldkitError as e:
            said["write"] = [type(e).__name__, str(e)]
    for argv in (["summary", path, "--format", "json"], ["report", path, "-o", report]):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        said[argv[0]] = [code, out.getvalue(), err.getvalue()]
    print(json.dumps(said))
"""


def test_a_read_only_study_can_be_read_and_reported_on_and_is_never_written(tmp_path: Path):
    folder = tmp_path / "stick"
    folder.mkdir()
    path = folder / "read-only.fieldkit"
    with Study.create(path, small_template()) as study:
        study.organisations.add("Coventry Advice Network", category="Network")
        study.organisations.add("Solihull Youth Forum", category="Infrastructure")
    path.chmod(0o444)
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    report = tmp_path / "report.pdf"
    said = as_ordinary_user(_READ_A_READ_ONLY_STUDY, path, report)
    assert said["names"] == ["Coventry Advice Network", "Solihull Youth Forum"]
    assert said["write"] == ["StudyFileError", f"{path}: the study is open read-only here; nothing was changed"]
    code, out, err = said["summary"]
    assert (code, err) == (0, "") and json.loads(out)["total"]["on_database"] == 2
    code, out, err = said["report"]
    assert (code, err) == (0, "") and report.read_bytes().startswith(b"%PDF")
    assert path.read_bytes() == content and path.stat().st_mtime_ns == mtime


_OPEN_WHERE_NOTHING_CAN_BE_WRITTEN = """
    import io, json, sys
    from contextlib import redirect_stderr, redirect_stdout
    from fieldkit.cli import main
    from fieldkit.errors import FieldkitError
    from fieldkit.study import Study

    path, report = sys.argv[1], sys.argv[2]
    said = {}
    try:
        Study.open(path).close()
        said["open"] = "opened"
    except FieldkitError as e:
        said["open"] = [type(e).__name__, str(e)]
    with Study.open(path, read_only=True) as study:
        said["names"] = [o.name for o in study.organisations.many(study.organisations.ids())]
    for argv in (["check", path], ["summary", path, "--format", "json"], ["report", path, "-o", report]):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        said[argv[0]] = [code, out.getvalue(), err.getvalue()]
    print(json.dumps(said))
"""


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_study_fieldkit_cannot_write_is_refused_by_name_and_read_without_writing(tmp_path: Path, read_only):
    folder = tmp_path / "stick"
    folder.mkdir()
    path = folder / "read-only.fieldkit"
    with Study.create(path, small_template()) as study:
        study.organisations.add("Coventry Advice Network", category="Network")
    (path if read_only == "file" else folder).chmod(0o444 if read_only == "file" else 0o555)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    report = tmp_path / "report.pdf"
    try:
        said = as_ordinary_user(_OPEN_WHERE_NOTHING_CAN_BE_WRITTEN, path, report)
    finally:
        folder.chmod(0o755)
    refusal = (f"{path}: fieldkit cannot write here (the study or its folder is read-only); nothing was "
               "changed — copy it to a folder you can write to (fieldkit summary and report still read it where "
               "it is)")
    assert said["open"] == ["StudyReadOnlyError", refusal]
    assert said["check"] == [1, "", f"fieldkit check: {refusal}\n"]
    assert said["names"] == ["Coventry Advice Network"]
    code, out, err = said["summary"]
    assert (code, err) == (0, "") and json.loads(out)["total"]["on_database"] == 1
    assert said["report"][0] == 0 and report.read_bytes().startswith(b"%PDF")
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before  # no -wal, -shm
