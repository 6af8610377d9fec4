"""The files a study is made of: the study file and the sidecars SQLite keeps beside it while it
is open or after a crash (the write-ahead log ``-wal``, its index ``-shm``, a rollback
``-journal``), and the name a new study's file takes."""

from __future__ import annotations

import os
from pathlib import Path

#: The suffixes SQLite adds to a database's name for the files it keeps beside it.
SIDECARS = ("-wal", "-shm", "-journal")
#: A study file's suffix.
SUFFIX = ".fieldkit"


def sidecar(path: str | os.PathLike, suffix: str) -> Path:
    """The sidecar ``suffix`` ("-wal", …) of the database at ``path``."""
    return Path(f"{os.fspath(path)}{suffix}")


def sidecars(path: str | os.PathLike) -> list[Path]:
    """Every sidecar the database at ``path`` may have (whether it is there or not)."""
    return [sidecar(path, s) for s in SIDECARS]


def with_sidecars(path: str | os.PathLike) -> list[Path]:
    """The database at ``path`` and every sidecar it may have."""
    return [Path(path), *sidecars(path)]


def study_file(name: str | os.PathLike) -> Path:
    """``name`` as a study file's path: with ``.fieldkit`` added unless it ends so already."""
    text = os.fspath(name)
    return Path(text) if text.endswith(SUFFIX) else Path(text + SUFFIX)
