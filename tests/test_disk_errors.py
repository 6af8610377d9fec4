"""The disk refuses a write half-way through a save: the file-size limit (RLIMIT_FSIZE) makes
the operating system fail SQLite's write to the -wal, as a failing or full disk does.

The save must fail with fieldkit's own "not saved" error, which is not damage: the study is
not moved aside, earlier work is intact, and saving works again once the disk can be written.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldkit.study import Study
from studies import small_template

REPO = Path(__file__).resolve().parent.parent

_SAVES_AGAINST_A_SIZE_LIMIT = """
    import json, resource, signal, sys
    from pathlib import Path
    from fieldkit.errors import FieldkitError
    from fieldkit.study import Study

    path, interview = Path(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    study = Study.open(path, backup=False)
    session = study.interviews.resume(interview)
    session.save_answer("role", "Coordinator")
    wal = Path(f"{path}-wal")
    limit = max(wal.stat().st_size, path.stat().st_size) + 64 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    said = {"saved": []}
    try:
        for i in range(500):
            value = f"answer {i} " + "z" * 3000
            session.save_answer("story", value)
            said["saved"].append(value)
    except FieldkitError as e:
        said["error"] = [type(e).__name__, str(e)]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
    session.save_answer("role", "Chair, saved once the disk could be written again")
    study.close()
    print(json.dumps(said))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_error_during_a_save_is_not_saved_not_damage(tmp_path: Path):
    path = tmp_path / "limited.fieldkit"
    with Study.create(path, small_template()) as study:
        for i in range(30):
            study.organisations.add(f"Organisation {i}", category="Network", notes="n" * 500)
        org = study.organisations.add("Talking", category="Network")
        interview = study.interviews.start(org).interview_id
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_SAVES_AGAINST_A_SIZE_LIMIT), str(path),
                          str(interview)], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    assert said["saved"], "some saves fitted under the limit"
    kind, message = said["error"]
    assert kind == "StorageError", message
    assert message == (f"{path}: the disk could not be written (an input/output error); the last change was "
                       "not saved — check the disk has space and is still connected")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["limited.fieldkit"]  # nothing moved aside
    with Study.open(path) as study:
        answers = study.interviews.get(interview).answers
        assert answers["story"] == said["saved"][-1]  # the last save acknowledged, whole
        assert answers["role"] == "Chair, saved once the disk could be written again"
        assert study.organisations.count() == 31
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
