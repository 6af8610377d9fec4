"""Prints the Depends: line of fieldkit's .deb, computed from what the bundle really links.

Walks every ELF file of the bundle (``objdump -p``: the libraries each one needs and the symbol
versions it asks of them), leaves out the libraries the bundle ships itself, finds each of the
others on this machine (``ldconfig -p``) and the Debian package that owns it (``dpkg -S``). The
C library gets a minimum version: the newest ``GLIBC_x.y`` any file asks for. Run it on the
machine that built the bundle, with the Qt desktop libraries installed (packaging/build.sh sees
to that), since a library not found here cannot be mapped:

    python3 packaging/linux/deb_depends.py packaging/build/dist/fieldkit [--explain]

``--explain`` prints, on stderr, which bundled file needs which library from which package.
Exits 1, naming them, when a needed library is neither shipped nor installed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

#: Versioned needs of a library: "required from libc.so.6:" followed by "0x... 0x.. 02 GLIBC_2.14".
_REQUIRED_FROM = re.compile(r"^\s+required from (\S+):$")
_VERSION_NEED = re.compile(r"^\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+\d+\s+(\S+)$")
#: The glibc package's libraries (their symbol versions are glibc's own release numbers).
_GLIBC_PACKAGES = ("libc6",)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needs(path: Path) -> tuple[list[str], dict[str, set[str]]]:
    """The libraries ``path`` needs (DT_NEEDED), and the symbol versions it asks of each."""
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"^\s+NEEDED\s+(\S+)$", out, flags=re.MULTILINE)
    versions: dict[str, set[str]] = {}
    current = None
    for line in out.splitlines():
        if m := _REQUIRED_FROM.match(line):
            current = m.group(1)
            versions.setdefault(current, set())
        elif current and (m := _VERSION_NEED.match(line)):
            versions[current].add(m.group(1))
        elif line and not line.startswith(" "):
            current = None
    return needed, versions


def system_libraries() -> dict[str, str]:
    """soname → path of the libraries the dynamic linker knows, for this machine's architecture."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    machine = os.uname().machine
    want = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(machine, "")
    found: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        m = re.match(r"^\s+(\S+) \(([^)]*)\) => (\S+)$", line)
        if m and (not want or want in m.group(2)):
            found.setdefault(m.group(1), m.group(3))
    return found


def owner(path: str) -> str | None:
    """The Debian package that installed ``path`` (merged /usr: tried with and without it)."""
    real = os.path.realpath(path)
    tries = [path, real]
    for p in list(tries):
        tries.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for candidate in dict.fromkeys(tries):
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            # "libfoo1:amd64: /usr/lib/x86_64-linux-gnu/libfoo.so.1"; diversions say "diversion by".
            for line in done.stdout.splitlines():
                if not line.startswith("diversion by"):
                    return line.split(":", 1)[0].split(",")[0].strip()
    return None


def glibc_version(versions: set[str]) -> str | None:
    """The newest of ``GLIBC_2.x`` symbol versions, as a package version ("2.34")."""
    numbers = [tuple(int(n) for n in v.split("_", 1)[1].split(".")) for v in versions
               if re.fullmatch(r"GLIBC_\d+(\.\d+)*", v)]
    return ".".join(str(n) for n in max(numbers)) if numbers else None


def depends(bundle: Path, *, explain: bool = False) -> list[str]:
    """The Depends: entries for ``bundle``, sorted by package name."""
    files = [p for p in sorted(bundle.rglob("*")) if p.is_file() and not p.is_symlink() and is_elf(p)]
    shipped = {p.name for p in bundle.rglob("*")}
    wanted: dict[str, list[Path]] = {}
    asked: dict[str, set[str]] = {}
    for path in files:
        needed, versions = needs(path)
        for soname in needed:
            if soname not in shipped:
                wanted.setdefault(soname, []).append(path)
        for soname, names in versions.items():
            if soname not in shipped:
                asked.setdefault(soname, set()).update(names)
    known = system_libraries()
    packages: dict[str, set[str]] = {}
    missing = []
    for soname, users in sorted(wanted.items()):
        path = known.get(soname)
        package = owner(path) if path else None
        if package is None:
            missing.append(f"{soname} (needed by {users[0].relative_to(bundle)})")
            continue
        packages.setdefault(package, set()).update(asked.get(soname, set()))
        if explain:
            print(f"{package:24} {soname:28} needed by {len(users)} file(s), e.g. {users[0].relative_to(bundle)}",
                  file=sys.stderr)
    if missing:
        raise SystemExit("deb_depends: these libraries are neither in the bundle nor installed here, so no "
                         "package can be named for them; install them and run again:\n  " + "\n  ".join(missing))
    out = []
    for package, versions in sorted(packages.items()):
        minimum = glibc_version(versions) if package in _GLIBC_PACKAGES else None
        out.append(f"{package} (>= {minimum})" if minimum else package)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder bundle (dist/fieldkit)")
    parser.add_argument("--explain", action="store_true", help="say which file needs what, on stderr")
    args = parser.parse_args()
    print(", ".join(depends(args.bundle, explain=args.explain)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
