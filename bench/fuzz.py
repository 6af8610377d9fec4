"""Every reader of outside input, under a coverage-guided fuzzer (atheris, libFuzzer's engine).

Each reader's contract: given any bytes as its file, it returns data or raises fieldkit's own
error (FieldkitError) saying what is wrong (a line, or a line for each problem of a template
or an import); no other exception, no input taking longer than
``--timeout`` seconds, memory held under ``--rss-mb``. A reader is fuzzed in a process of its
own for ``--seconds``, starting from seeds of real files: the shipped templates, a demo study's
own exports and archive, and the Access databases and XLSForms in the shared fixtures. An input
that breaks the contract is saved as ``crash-…``, ``timeout-…`` or ``oom-…`` in the artifacts
folder and named in the table; each one found becomes a regression test in the suite.

    python bench/fuzz.py [--seconds 60] [--only template,csv,xlsx,access,xlsform,archive]
                         [--work /tmp/fieldkit-fuzz] [--timeout 20] [--rss-mb 2048]

Needs ``atheris`` (``pip install atheris``: wheels for Linux and macOS). Not part of the test
suite: ``tests/test_fuzz_targets.py`` runs each target once on its seeds, so this stays working.
The corpus each run grows is kept in the work folder, and the next run starts from it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT  # noqa: E402

SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"


@dataclass(frozen=True)
class Target:
    """One reader: the suffix its file is given, and how it is read."""

    name: str
    suffix: str
    read: Callable[[Path, Path], object]  # (the file, a scratch folder) -> data


def _template(path: Path, scratch: Path) -> object:
    from fieldkit.template_toml import load_template

    return load_template(path)


def _sheet(path: Path, scratch: Path) -> object:
    from fieldkit import sources

    parts = sources.parts(path)  # a workbook's sheets; none for a CSV file
    return [sources.read_sheet(path, part.name) for part in parts[:3]] if parts else [sources.read_sheet(path)]


def _access(path: Path, scratch: Path) -> object:
    from fieldkit import access

    reader = access.ACCESS_PARSER  # the pure-Python reader: mdbtools would be a process per input
    return [access.read_table(path, t.name, reader=reader) for t in access.tables(path, reader=reader)[:3]]


def _xlsform(path: Path, scratch: Path) -> object:
    from fieldkit.template_toml import template_from_dict
    from fieldkit.xlsform import import_xlsform

    result = import_xlsform(path)
    return template_from_dict(result.template_dict, source=str(path))


def _archive(path: Path, scratch: Path) -> object:
    from fieldkit.archive import unarchive

    target = scratch / "from-archive.fieldkit"
    try:
        return unarchive(path, target)
    finally:
        for leftover in scratch.glob("from-archive.fieldkit*"):
            leftover.unlink()


TARGETS = {t.name: t for t in (
    Target("template", ".toml", _template),
    Target("csv", ".csv", _sheet),
    Target("xlsx", ".xlsx", _sheet),
    Target("access", ".mdb", _access),
    Target("xlsform", ".xlsx", _xlsform),
    Target("archive", ".zip", _archive),
)}


def one(target: Target, data: bytes, scratch: Path) -> None:
    """Read ``data`` as ``target``'s file. Anything but data or a one-line FieldkitError raises."""
    from fieldkit.errors import FieldkitError

    path = scratch / f"input{target.suffix}"
    path.write_bytes(data)
    try:
        target.read(path, scratch)
    except FieldkitError as e:
        # One line, or for a template or an import a line for each problem found.
        if not str(e).strip() or "Traceback" in str(e):
            raise AssertionError(f"a message that says nothing useful: {e!r}") from None


def seeds(folder: Path) -> dict[str, list[Path]]:
    """Real files to start from, made or found in ``folder``: each target's list."""
    from fieldkit.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    study = folder / "demo.fieldkit"
    made: dict[str, list[Path]] = {name: [] for name in TARGETS}
    if not study.exists():
        _quietly(main, ["demo", str(study), "--organisations", "20"])
    for records in ("organisations", "contacts", "attempts"):
        for suffix, name in ((".csv", "csv"), (".xlsx", "xlsx")):
            out = folder / f"{records}{suffix}"
            if not out.exists():
                _quietly(main, ["export", str(study), records, "-o", str(out)])
            made[name].append(out)
    archive = folder / "demo-archive.zip"
    if not archive.exists():
        _quietly(main, ["archive", str(study), "-o", str(archive)])
    made["archive"].append(archive)
    made["template"] = sorted((ROOT / "forms").glob("*.toml")) + sorted((ROOT / "tests" / "forms").glob("*.toml"))
    made["xlsform"] = sorted((SHARED_FIXTURES / "xlsform").glob("*.xlsx"))
    made["xlsx"] += made["xlsform"][:3]
    made["access"] = sorted((SHARED_FIXTURES / "access").glob("*.*db"))
    return made


def _quietly(function: Callable[[list[str]], int], argv: list[str]) -> None:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        if function(argv) != 0:
            raise SystemExit(f"fuzz: making a seed failed: fieldkit {' '.join(argv)}: {err.getvalue().strip()}")


def _child(name: str, corpus: Path, artifacts: Path, seconds: int, timeout: int, rss_mb: int) -> None:
    """Run in the fuzzing process: instrument the readers and libraries, then fuzz."""
    import atheris

    with atheris.instrument_imports(include=["fieldkit", "openpyxl", "access_parser", "tomllib", "zipfile",
                                             "pyzipper", "csv", "defusedxml", "et_xmlfile"]):
        import fieldkit.access  # noqa: F401
        import fieldkit.archive  # noqa: F401
        import fieldkit.archive_read  # noqa: F401  (imported by unarchive when first called)
        import fieldkit.sources  # noqa: F401
        import fieldkit.template_toml  # noqa: F401
        import fieldkit.xlsform  # noqa: F401
        import openpyxl  # noqa: F401
    target = TARGETS[name]
    scratch = Path(tempfile.mkdtemp(prefix=f"fieldkit-fuzz-{name}-"))

    def test_one(data: bytes) -> None:
        one(target, data, scratch)

    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", f"-timeout={timeout}",
                   f"-rss_limit_mb={rss_mb}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1",
                   "-max_len=4000000"], test_one)
    atheris.Fuzz()


@dataclass
class Outcome:
    name: str
    seconds: int
    executions: int
    coverage: int
    per_second: int
    peak_mb: int
    found: list[str]


def fuzz(name: str, work: Path, seconds: int, timeout: int, rss_mb: int, seed_files: list[Path]) -> Outcome:
    corpus, artifacts = work / "corpus" / name, work / "artifacts" / name
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    for seed in seed_files:
        shutil.copy(seed, corpus / f"seed-{seed.name}")
    before = set(artifacts.iterdir())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--child", name, "--corpus", str(corpus), "--artifacts",
                           str(artifacts), "--seconds", str(seconds), "--timeout", str(timeout), "--rss-mb",
                           str(rss_mb)], env=env, capture_output=True, text=True, cwd=ROOT)
    log = done.stdout + done.stderr  # atheris prints an uncaught exception on stdout
    (work / f"{name}.log").write_text(log)
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", log))
    coverage = re.findall(r"cov: (\d+)", log)
    found = sorted(str(p) for p in set(artifacts.iterdir()) - before)
    if done.returncode != 0 and not found:
        found = [f"exit status {done.returncode}: {log.strip().splitlines()[-1] if log.strip() else ''}"]
    return Outcome(name, seconds, int(stats.get("number_of_executed_units", 0)),
                   int(coverage[-1]) if coverage else 0, int(stats.get("average_exec_per_sec", 0)),
                   int(stats.get("peak_rss_mb", 0)), found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long each reader is fuzzed")
    parser.add_argument("--only", default=",".join(TARGETS), help="the readers to fuzz, comma-separated")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fieldkit-fuzz",
                        help="where the seeds, the corpus and what is found are kept")
    parser.add_argument("--timeout", type=int, default=20, help="the most seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048, help="the most memory the reader may hold")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--artifacts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.corpus, args.artifacts, args.seconds, args.timeout, args.rss_mb)
        return
    try:
        import atheris  # noqa: F401
    except ImportError:
        raise SystemExit("fuzz: needs atheris (pip install atheris)") from None
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise SystemExit(f"fuzz: no reader called {', '.join(unknown)} (there are {', '.join(TARGETS)})")
    made = seeds(args.work / "seeds")
    rows = [fuzz(n, args.work, args.seconds, args.timeout, args.rss_mb, made[n]) for n in names]
    print(f"{'reader':<10} {'seconds':>7} {'executions':>11} {'per second':>10} {'coverage':>8} {'peak MB':>7}  found")
    for r in rows:
        print(f"{r.name:<10} {r.seconds:>7} {r.executions:>11,} {r.per_second:>10,} {r.coverage:>8,} "
              f"{r.peak_mb:>7}  {'; '.join(r.found) or 'nothing'}")
    if any(r.found for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
