"""A throwaway PostgreSQL server for the shared directory's tests (pytest plugin).

``pg_cluster`` (session scope) makes a cluster with initdb in a temporary folder and starts it
with pg_ctl listening on a Unix socket in that folder only (``listen_addresses=''``: nothing on
the network). As root (CI) initdb and the server run as the unprivileged ``postgres`` OS user,
which owns the folder. The administrator ``fk_admin`` signs in over the socket without a
password (trust, for that role only); every other role with a SCRAM password. Stopped and
removed at the end. Without PostgreSQL's programs the tests that need it are skipped, naming
the package to install.

``directory`` (per test) is a new database on that cluster with the directory's schema
(``fieldkit directory init``), and ``memory_keyring`` a real keyring backend of the tests' own
(a KeyringBackend kept in memory, set with ``keyring.set_keyring``), so no test touches the
user's keyring.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ADMIN = "fk_admin"
PACKAGE = "postgresql"


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "initdb").exists():  # Debian links pg_ctl alone into the PATH
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


@dataclass
class Cluster:
    folder: Path
    bin: Path
    #: The OS user the server's programs run as (None: this process's own).
    as_user: str | None

    @property
    def socket(self) -> str:
        return str(self.folder)

    def dsn(self, dbname: str = "postgres", user: str = ADMIN, password: str | None = None) -> str:
        dsn = f"host={self.socket} port=5432 dbname={dbname} user={user}"
        return dsn + (f" password={password}" if password else "")

    def admin(self, dbname: str = "postgres"):
        """A plain psycopg connection as the administrator (autocommit)."""
        import psycopg

        return psycopg.connect(self.dsn(dbname), autocommit=True)

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / program), *args], check=True, capture_output=True, text=True,
                              cwd="/", **_as(self.as_user))


def _as(user: str | None) -> dict:
    """subprocess's arguments that run a program as ``user`` (its own group, no others): Python
    switches user itself, so no runuser or su need be on the PATH (a root cron's is short)."""
    return {} if user is None else {"user": user, "group": user, "extra_groups": []}


class NoPostgres(Exception):
    """PostgreSQL's programs (or the driver) are not installed: the reason, naming the package."""


@contextmanager
def running_cluster(max_connections: int = 120) -> Iterator[Cluster]:
    """A throwaway cluster on a Unix socket in a new temporary folder, removed afterwards
    (the fixture's, and bench/directory_load.py's). NoPostgres when it cannot be made."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise NoPostgres(f"PostgreSQL is not installed (install the Debian package '{PACKAGE}')")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise NoPostgres("psycopg is not installed (pip install 'psycopg[binary]')") from None
    folder = Path(tempfile.mkdtemp(prefix="fk-pg-"))
    as_user: str | None = None
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres OS user
        shutil.chown(folder, "postgres", "postgres")
        as_user = "postgres"
    cluster = Cluster(folder, bin_dir, as_user)
    data = folder / "data"
    started = False
    try:
        cluster.run("initdb", "-D", str(data), "-U", ADMIN, "--auth-local=scram-sha-256", "--auth-host=reject",
                    "-E", "UTF8", "--locale=C", "--no-sync")
        hba = data / "pg_hba.conf"
        text = hba.read_text()
        hba.write_text(f"local all {ADMIN} trust\n" + text)
        cluster.run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60", "-o",
                    f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off "
                    f"-c max_connections={max_connections} -c shared_buffers=64MB", "start")
        started = True
        yield cluster
    finally:
        if started:
            subprocess.run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], **_as(as_user),
                           capture_output=True, cwd="/")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        with running_cluster() as cluster:
            yield cluster
    except NoPostgres as e:
        pytest.skip(str(e))


@dataclass
class Directory:
    cluster: Cluster
    dbname: str

    @property
    def admin_dsn(self) -> str:
        return self.cluster.dsn(self.dbname)

    def dsn(self, user: str, password: str | None = None) -> str:
        return self.cluster.dsn(self.dbname, user, password)

    def member(self, name: str) -> str:
        """Add a member (named ``name`` plus this database's suffix, roles being the cluster's)
        and return its DSN with the password in it, as an administrator hands it over."""
        from fieldkit.directory.server import add_member

        role = f"{name}_{self.dbname[-6:]}"
        member = add_member(self.admin_dsn, role)
        return self.dsn(member.name, member.password)

    def admin(self):
        return self.cluster.admin(self.dbname)


@pytest.fixture
def directory(pg_cluster, memory_keyring) -> Directory:
    from fieldkit.directory.server import init

    dbname = f"dir_{uuid.uuid4().hex[:10]}"
    with pg_cluster.admin() as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    init(pg_cluster.dsn(dbname))
    return Directory(pg_cluster, dbname)


@pytest.fixture
def memory_keyring():
    """A real keyring backend kept in memory for the test, then the one before put back."""
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.passwords.get((service, username))

        def set_password(self, service, username, password):
            self.passwords[(service, username)] = password

        def delete_password(self, service, username):
            if self.passwords.pop((service, username), None) is None:
                raise PasswordDeleteError("no such password")

    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)
