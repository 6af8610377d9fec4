"""The ``fieldkit`` command: the desktop app with no arguments, the command line with one.

A thin layer over the core. Errors are one line on stderr (several lines only when a file
has several problems, one per line), with the full traceback under ``--debug``.
Exit status: 0 done, 1 failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from fieldkit import __version__
from fieldkit.errors import FieldkitError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad combination of options: exit status 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fieldkit",
        description="Offline research by interview. With no command, opens the desktop app.",
    )
    p.add_argument("--version", action="version", version=f"fieldkit {__version__}")
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("new", help="create a new study from a template")
    s.add_argument("study", type=Path, help="the new study file (.fieldkit is added if missing)")
    s.add_argument("--template", default="blank",
                   help="a shipped template's name (see 'fieldkit templates') or a template file (default: blank)")
    s.add_argument("--title", help="the study's title (default: the template's title)")
    s.add_argument("--client", default="", help="who commissioned the study")
    s.add_argument("--author", default="", help="who is carrying it out")

    s = sub.add_parser("templates", help="list the shipped templates")

    s = sub.add_parser("import", help="import organisations from a CSV file")
    s.add_argument("study", type=Path)
    s.add_argument("csv", type=Path, metavar="FILE.csv")
    s.add_argument("--dry-run", action="store_true", help="check the file and say what would be imported")
    s.add_argument("--add-values", action="store_true",
                   help="add categories, areas and exclusion reasons the study does not have yet")

    s = sub.add_parser("summary", help="organisations on database and interviewed, by category or area")
    s.add_argument("study", type=Path)
    s.add_argument("--by", choices=("category", "area"), default="category")
    s.add_argument("--targets", action="store_true", help="add each category's target (with --by category)")
    s.add_argument("--format", choices=("text", "csv", "json"), default="text")

    s = sub.add_parser("check", help="check the study file and fieldkit's own rules")
    s.add_argument("study", type=Path)

    s = sub.add_parser("demo", help="create a realistic made-up study to try fieldkit with")
    s.add_argument("study", type=Path, nargs="?", help="where to create it (default: the demo study in your data folder)")
    s.add_argument("--organisations", type=int, default=60, help="how many organisations (default 60)")
    s.add_argument("--seed", type=int, default=2026, help="seed for the made-up data")
    s.add_argument("--open", action="store_true", help="open it in the desktop app (an existing demo study is reused)")

    s = sub.add_parser("open", help="open a study in the desktop app")
    s.add_argument("study", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_app(None)
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print(f"fieldkit {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except FieldkitError as e:
        if args.debug:
            traceback.print_exc()
        print(f"fieldkit {args.command}: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"fieldkit {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # an unexpected bug: still one line unless asked for more
        if args.debug:
            traceback.print_exc()
        else:
            print(f"fieldkit {args.command}: unexpected error: {type(e).__name__}: {e} "
                  "(run with --debug for details)", file=sys.stderr)
        return EXIT_FAILED


def _open(path: Path, *, read_only: bool = False):
    from fieldkit.study import Study

    return Study.open(path, read_only=read_only)


def cmd_new(args: argparse.Namespace) -> int:
    from fieldkit.study import Study
    from fieldkit.templates import find_template

    template = find_template(args.template)
    with Study.create(args.study, template, title=args.title, client=args.client, author=args.author) as study:
        print(f"Created {study.path} from the template '{template.name}' ({template.title})")
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from fieldkit.templates import shipped_templates

    for info in shipped_templates():
        print(f"{info.name}\t{info.title}\n    {info.description.strip().splitlines()[0]}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from fieldkit.csv_import import import_organisations

    with _open(args.study) as study:
        result = import_organisations(study, args.csv, dry_run=args.dry_run, add_values=args.add_values)
    verb = "Would import" if result.dry_run else "Imported"
    print(f"{verb} {result.rows} organisation{'s' if result.rows != 1 else ''} "
          f"and {result.contacts} contact{'s' if result.contacts != 1 else ''} from {args.csv}")
    for kind, values in result.added_values.items():
        if values:
            what = "would add" if result.dry_run else "added"
            print(f"  {what} {kind.replace('_', ' ')}: {', '.join(values)}")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from fieldkit import summary

    if args.targets and args.by != "category":
        raise UsageError("--targets goes with --by category (targets are set per category)")
    with _open(args.study, read_only=True) as study:  # works while the app has it open
        result = summary.by_group(study, args.by)
    data = result.as_json(targets=args.targets)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False))
    elif args.format == "csv":
        print(_summary_csv(data, args.targets), end="")
    else:
        print(_summary_text(data, args.targets))
    return EXIT_OK


def _summary_rows(data: dict[str, Any], targets: bool) -> tuple[list[str], list[list[Any]]]:
    head = [data["by"].capitalize(), "On database", "Interviewed"] + (["Target"] if targets else [])
    keys = ["on_database", "interviewed"] + (["target"] if targets else [])
    rows = [[r["group"]] + [r[k] for k in keys] for r in data["rows"]]
    rows.append(["Total"] + [data["total"][k] for k in keys])
    return head, rows


def _summary_csv(data: dict[str, Any], targets: bool) -> str:
    head, rows = _summary_rows(data, targets)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "on_database", "interviewed"] + (["target"] if targets else []))
    writer.writerows(rows)
    return out.getvalue()


def _summary_text(data: dict[str, Any], targets: bool) -> str:
    head, rows = _summary_rows(data, targets)
    table = [head] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(table[0]), rule] + [line(r) for r in table[1:-1]] + [rule, line(table[-1])])


def cmd_check(args: argparse.Namespace) -> int:
    from fieldkit import checks

    with _open(args.study) as study:
        found = checks.problems(study)
    if found:
        print(f"{args.study}: {len(found)} problem{'s' if len(found) != 1 else ''}", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.study}: no problems found")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldkit.demo import build_demo, demo_path

    path = args.study or demo_path()
    if path.suffix != ".fieldkit":
        path = path.with_name(path.name + ".fieldkit")
    if args.organisations < 1:
        raise UsageError("--organisations must be at least 1")
    if path.exists() and args.open:
        print(f"Opening the existing demo study {path}", flush=True)
    else:
        with build_demo(path, seed=args.seed, organisations=args.organisations) as study:
            print(f"Created the demo study {study.path} ({study.organisations.count()} organisations)", flush=True)
    if args.open:
        return _run_app(path)
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args.study)


def _run_app(path: Path | None) -> int:
    import os

    if sys.platform.startswith("linux") and not any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        print("fieldkit: there is no desktop to open the window on (DISPLAY is not set); "
              "the command line still works: see 'fieldkit --help'", file=sys.stderr)
        return EXIT_FAILED
    try:
        from fieldkit.ui.app import run
    except ImportError as e:  # Qt missing or its system libraries absent
        print(f"fieldkit: cannot start the desktop app ({e}); the command line still works: "
              "see 'fieldkit --help'", file=sys.stderr)
        return EXIT_FAILED
    return run(path)


COMMANDS = {
    "new": cmd_new,
    "templates": cmd_templates,
    "import": cmd_import,
    "summary": cmd_summary,
    "check": cmd_check,
    "demo": cmd_demo,
    "open": cmd_open,
}
