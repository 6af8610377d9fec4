"""What ``fieldkit directory ACTION`` prints: the command line's words over the directory's core.

fieldkit.cli parses the arguments and opens the study; this module calls the core and says
what happened, one line for each thing a user needs to know. Errors are DirectoryError (one
line, printed by fieldkit.cli).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from fieldkit.directory import FIELD_LABELS, DirectoryError

if TYPE_CHECKING:
    from fieldkit.study import Study


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def run(action: str, args: argparse.Namespace, study: Study | None) -> int:
    """Run one directory action; the exit status."""
    if action == "init":
        from fieldkit.directory.server import init

        version = init(args.dsn, name=args.name)
        print(f"The directory is ready (format {version}); add members with 'fieldkit directory add-member'")
    elif action == "add-member":
        from fieldkit.directory.server import add_member

        member = add_member(args.dsn, args.name)
        print(f"Added the member {member.name}. Its password, shown this once (hand it over in person or by "
              f"a password manager; fieldkit keeps no copy):\n{member.password}")
    elif action == "publish":
        assert study is not None
        _publish(study, args)
    elif action == "pull":
        assert study is not None
        _pull(study, args)
    elif action == "withdraw":
        assert study is not None
        from fieldkit.directory.publish import withdraw

        dsn, *rest = args.to
        if len(rest) + (args.organisation is not None) > 1:
            raise DirectoryError("withdraw takes one organisation at a time")
        result = withdraw(study, dsn, args.organisation if args.organisation is not None else (rest or [None])[0])
        what = f"'{result.names[0]}'" if result.names else "this study's records"
        print(f"Withdrew {what} from {result.directory}: {_plural(result.withdrawn, 'record')} taken off")
    elif action == "duplicates":
        from fieldkit.directory.server import duplicates

        found = duplicates(args.dsn)
        if not found:
            print("No organisation is listed by more than one member")
        for dup in found:
            print(f"{dup.records[0][2]} ({dup.reason}):")
            for record_id, owner, name in dup.records:
                print(f"  {owner}: {name} [{record_id}]")
    return 0


def _publish(study: Study, args: argparse.Namespace) -> None:
    from fieldkit.directory.publish import publish

    if args.dry_run:
        result = publish(study, args.dsn, dry_run=True)
        print(f"Dry run: nothing was sent. A publish to {result.directory} would send "
              f"{_plural(len(result.records), 'record')}, each with only the details shown:")
        for record in result.records:
            print(f"  {'new' if record.record_id is None else record.record_id}: {_described(record)}")
        print("Each record also carries its random record id, a random id of this study and your login as its "
              "owner; nothing else of the study is sent.")
        if result.withdrawn:
            print(f"and take {_plural(len(result.withdrawn), 'record')} off the directory: "
                  f"{', '.join(result.withdrawn)}")
        return

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rSending {done:,} of {total:,}", end="", file=sys.stderr, flush=True)

    result = publish(study, args.dsn, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Published {_plural(len(result.records), 'record')} to {result.directory}: {result.new:,} new, "
          f"{result.updated:,} updated, {result.unchanged:,} unchanged, "
          f"{len(result.withdrawn):,} withdrawn")


def _described(record) -> str:
    details = "; ".join(f"{FIELD_LABELS[k]}: {v}" for k, v in record.values.items())
    return record.name + (f" — {details}" if details else " — name only")


def _pull(study: Study, args: argparse.Namespace) -> None:
    from fieldkit.directory.pull import pull

    result = pull(args.dsn, study)
    print(f"Pulled from {result.directory}: {len(result.new):,} new, {len(result.changed):,} changed, "
          f"{len(result.withdrawn):,} withdrawn, {result.unchanged:,} unchanged")
    for label, names in (("new", result.new), ("changed", result.changed), ("withdrawn", result.withdrawn)):
        for name in names[:50]:
            print(f"  {label}: {name}")
        if len(names) > 50:
            print(f"  … and {len(names) - 50:,} more {label}")
    for line in result.left_out:
        print(f"  not in the study's vocabulary, left blank: {line}")
    if result.duplicates:
        print(f"{_plural(len(result.duplicates), 'organisation')} listed by more than one member "
              "(both records kept; see 'fieldkit directory duplicates'):")
        for dup in result.duplicates:
            print(f"  {dup.records[0][2]} ({dup.reason}): {', '.join(owner for _, owner, _ in dup.records)}")
