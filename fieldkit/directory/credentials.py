"""Connection strings, the TLS rule and the keyring: how fieldkit reaches a directory server.

A connection string (DSN) is libpq's, either ``host=… dbname=… user=…`` or a
``postgresql://`` URI. A password never stays in one: ``remember`` moves it to the system's
keyring (service ``fieldkit-directory``, user the DSN without its password) and the study and
the settings never hold it. A server that is not on this computer (anything but a Unix socket,
localhost, 127.0.0.1 or ::1) is reached only with ``sslmode=verify-full``: the certificate is
checked and must name the host, so nobody in between can read or change what is sent. Given
no sslmode, verify-full is used; a weaker one is refused by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldkit.directory import DirectoryError

if TYPE_CHECKING:
    import psycopg

#: The keyring's service name for directory passwords.
SERVICE = "fieldkit-directory"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: How long a connection attempt waits for the server before "unreachable".
CONNECT_TIMEOUT_S = 10


def parse(dsn: str) -> dict[str, str]:
    """The parts of a connection string, or DirectoryError saying it cannot be read."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn.strip())
    except Exception as e:  # noqa: BLE001 - psycopg's ProgrammingError, worded by libpq
        raise DirectoryError(f"cannot read the connection string: {_first_line(e)}") from None
    return {k: str(v) for k, v in parts.items() if v is not None}


def without_password(dsn: str) -> str:
    """The connection string with no password in it, its parts in a fixed order: the name the
    keyring keeps its password under, and what is shown or stored anywhere else."""
    from psycopg.conninfo import make_conninfo

    parts = parse(dsn)
    parts.pop("password", None)
    return make_conninfo(**dict(sorted(parts.items())))


def with_password(dsn: str, password: str) -> str:
    """The connection string with a password typed beside it (for ``remember`` to move to the
    keyring); the DSN as it is when ``password`` is empty."""
    from psycopg.conninfo import make_conninfo

    if not password:
        return dsn.strip()
    return make_conninfo(**{**parse(dsn), "password": password})


def is_local(parts: dict[str, str]) -> bool:
    """True when every host is this computer: a Unix socket (a folder, or none given), or
    localhost, 127.0.0.1, ::1."""
    hosts = [h.strip() for h in (parts.get("host") or "").split(",")]
    addresses = [h.strip() for h in (parts.get("hostaddr") or "").split(",") if h.strip()]
    if addresses and not all(a in LOCAL_HOSTS for a in addresses):
        return False
    return all(not h or h.startswith("/") or h.startswith("@") or h.lower() in LOCAL_HOSTS for h in hosts)


def where(dsn: str) -> str:
    """A short name for the server and database, for messages: "db.example.org/york"."""
    try:
        parts = parse(dsn)
    except DirectoryError:
        return "the directory"
    host = parts.get("host") or "local socket"
    if host.startswith("/"):
        host = "local socket"
    return f"{host}/{parts.get('dbname') or parts.get('user') or '?'}"


def connection_parts(dsn: str) -> dict[str, str]:
    """The parts to connect with: the TLS rule applied (verify-full for any host not local,
    weaker refused), the password from the keyring when the DSN gives none."""
    parts = parse(dsn)
    if not is_local(parts):
        mode = parts.get("sslmode")
        if mode is None:
            parts["sslmode"] = "verify-full"
        elif mode != "verify-full":
            raise DirectoryError(
                f"{where(dsn)}: refused to connect with sslmode={mode}; a server that is not on this computer "
                "is reached only with sslmode=verify-full (its certificate checked, naming the host)")
    if "password" not in parts:
        stored = stored_password(dsn)
        if stored is not None:
            parts["password"] = stored
    return parts


#: Passwords given in a DSN where there is no keyring to keep them: this process's memory only.
_UNKEPT: dict[str, str] = {}


def stored_password(dsn: str) -> str | None:
    """The keyring's password for this DSN, or None (none stored, or no keyring to ask)."""
    import keyring
    from keyring.errors import KeyringError

    bare = without_password(dsn)
    try:
        found = keyring.get_password(SERVICE, bare)
    except KeyringError:
        found = None
    return found if found is not None else _UNKEPT.get(bare)


def remember(dsn: str) -> str:
    """Move a password given in ``dsn`` to the keyring; return the DSN without it. A DSN with
    no password is returned as it is (without_password's form). Where there is no keyring (a
    server without a desktop session) the password is kept in this process's memory only, for
    this command, and never written anywhere."""
    import keyring
    from keyring.errors import KeyringError

    parts = parse(dsn)
    bare = without_password(dsn)
    password = parts.get("password")
    if password:
        try:
            keyring.set_password(SERVICE, bare, password)
        except KeyringError:
            _UNKEPT[bare] = password
    return bare


def forget(dsn: str) -> bool:
    """Remove the keyring's password for this DSN; False when there was none."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    bare = without_password(dsn)
    unkept = _UNKEPT.pop(bare, None) is not None
    try:
        keyring.delete_password(SERVICE, bare)
    except (PasswordDeleteError, KeyringError):
        return unkept
    return True


def connect(dsn: str, **options: Any) -> psycopg.Connection[Any]:
    """Connect to the directory, or DirectoryError in one line: unreachable, the sign-in
    refused, TLS refused or failed. Nothing is sent before the TLS rule is met."""
    import psycopg

    from psycopg.conninfo import make_conninfo

    parts = connection_parts(dsn)
    try:
        return psycopg.connect(make_conninfo(**parts), connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="fieldkit", **options)
    except psycopg.OperationalError as e:
        raise DirectoryError(f"{where(dsn)}: {_connect_problem(e, parts)}") from None


def _connect_problem(error: Exception, parts: dict[str, str]) -> str:
    """The reason a connection failed, in a user's words, from libpq's message."""
    text = str(error)
    low = text.lower()
    user = parts.get("user") or "this user"
    if "password authentication failed" in low or "no password supplied" in low:
        return f"the server refused the sign-in for {user} (wrong or missing password)"
    if "does not exist" in low and "role" in low:
        return f"the server has no member {user}"
    if "does not exist" in low and "database" in low:
        return f"the server has no database {parts.get('dbname', '')}".rstrip()
    if any(w in low for w in ("certificate", "ssl", "tls")):
        return f"the secure connection failed: {_first_line(error)}"
    if any(w in low for w in ("could not connect", "connection refused", "timeout", "timed out",
                              "could not translate host", "no such file", "name or service")):
        return f"cannot reach the server ({_first_line(error)})"
    return _first_line(error)


def _first_line(error: Exception) -> str:
    """libpq's message on one line: its first line, without the "connection failed:" lead."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    return " ".join(lines[0].removeprefix("connection failed:").split())
