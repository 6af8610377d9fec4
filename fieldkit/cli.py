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
from typing import TYPE_CHECKING, Any, Protocol

from fieldkit import __version__
from fieldkit.errors import FieldkitError, InvalidValueError

if TYPE_CHECKING:
    from fieldkit.templates import Template

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad combination of options: exit status 2."""



#: ``--small-numbers`` not given: the study's own setting (fieldkit.reports.suppression.FROM_STUDY).
SMALL_NUMBERS_FROM_STUDY = "study"


def _small_numbers(text: str) -> str | int:
    """``--small-numbers``: nhs, ons, a threshold N (counts 1 to N-1 hidden) or off, checked by
    the report's own rules (fieldkit.reports.suppression)."""
    from fieldkit.reports.suppression import rule_for

    value = text.strip().lower()
    if value == SMALL_NUMBERS_FROM_STUDY:  # the default (argparse passes it through here too)
        return value
    try:
        rule_for(value)
    except FieldkitError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return int(value) if value.isdigit() else value


class _Version(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from fieldkit.storage import sqlite

        v = sqlite.versions()
        print(f"fieldkit {__version__} (SQLite {v['sqlite']}, SQLCipher {v['sqlcipher']}, {v['crypto']})")
        parser.exit()


def _import_records() -> tuple[str, ...]:
    """What the rows of a file to import may be (``fieldkit import --records``)."""
    from fieldkit.importers import IMPORTERS

    return tuple(IMPORTERS)


def _all_report_sections() -> tuple[str, ...]:
    """The report's sections, in order: the one registry (fieldkit.reports.sections). Read when
    the parser is built, so the desktop app's start does not import the report's modules."""
    from fieldkit.reports.sections import ALL_SECTIONS

    return tuple(ALL_SECTIONS)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fieldkit",
        description="Offline research by interview. With no command, opens the desktop app.",
    )
    p.add_argument("--version", action=_Version, help="show fieldkit's version and the SQLite and SQLCipher it uses")
    p.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("new", help="create a new study from a template, or from another study's")
    s.add_argument("study", type=Path, help="the new study file (.fieldkit is added if missing)")
    start = s.add_mutually_exclusive_group()
    # No default here: argparse would take "--template blank" for no --template at all, and let it
    # pass with --from-study. cmd_new falls back to blank.
    start.add_argument("--template",
                       help="a shipped template's name (see 'fieldkit templates') or a template file (default: blank)")
    start.add_argument("--from-study", type=Path, metavar="STUDY",
                       help="start from another study's current template: its schedule, vocabularies, tick boxes, "
                            "targets and themes (that study is only read; no organisations or answers are copied)")
    s.add_argument("--title", help="the study's title (default: the template's title)")
    s.add_argument("--client", default="", help="who commissioned the study")
    s.add_argument("--author", default="", help="who is carrying it out")
    s.add_argument("--encrypt", action="store_true",
                   help="protect the study with a passphrase (asked for, or FIELDKIT_NEW_PASSPHRASE)")
    s.add_argument("--country", metavar="CODE",
                   help="the country its phone numbers are dialled in, as a two-letter code (default: GB)")
    areas = s.add_mutually_exclusive_group()
    areas.add_argument("--areas", metavar="CODE,CODE…",
                       help="the study's areas, by official code (see 'fieldkit areas'), instead of the "
                            "template's; --areas '' starts with none")
    areas.add_argument("--areas-from", metavar="CODE",
                       help="the study's areas: those within this area (a county's districts)")

    s = sub.add_parser("templates", help="list the shipped templates")

    s = sub.add_parser("country", help="show or change the country a study's phone numbers are dialled in")
    s.add_argument("study", type=Path)
    s.add_argument("code", nargs="?", help="a two-letter ISO 3166 code (GB, IE, PL); without it, show the country")

    s = sub.add_parser("areas", help="list the official areas 'fieldkit new --areas' takes, with their codes")
    s.add_argument("--kind", help="only this kind (region, county, unitary, metropolitan, london_borough, district, "
                                  "welsh_council, scottish_council, ni_council)")
    s.add_argument("--within", metavar="CODE", help="only the areas within this one (a county's districts)")

    s = sub.add_parser("template", help="make a template file: import an XLSForm (ODK, KoboToolbox)")
    actions = s.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    t = actions.add_parser("import-xlsform", help="turn an XLSForm into a template file, listing what it "
                                                  "cannot hold as warnings")
    t.add_argument("xlsform", type=Path, metavar="FILE.xlsx")
    t.add_argument("-o", "--output", type=Path, required=True, metavar="NAME.toml",
                   help="the template file to write (.toml is added if missing)")
    t.add_argument("--force", action="store_true", help="replace the template file if it exists")

    s = sub.add_parser("schedule", help="the study's interview schedule with its logic, or save it as a template")
    s.add_argument("study", type=Path)
    s.add_argument("--save-template", type=Path, metavar="FILE.toml",
                   help="write the schedule, vocabularies, tick boxes, targets and themes as a template file "
                        "a new study can start from")
    s.add_argument("--language", help="show the texts in this language of the schedule")

    s = sub.add_parser("import", help="import organisations, contact attempts or interviews from a CSV file, "
                                      "an Excel workbook or an Access database")
    s.add_argument("study", type=Path)
    s.add_argument("file", type=Path, metavar="FILE", help="a .csv, .xlsx, .mdb or .accdb file")
    s.add_argument("--records", choices=_import_records(), default="organisations",
                   help="what each row of the file is (default: organisations)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--sheet", metavar="NAME", help="the workbook's sheet to import (default: the first)")
    where.add_argument("--table", metavar="NAME", help="the Access database's table to import")
    where.add_argument("--list", action="store_true",
                       help="list the workbook's sheets or the database's tables with their rows")
    s.add_argument("--mapping", type=Path, metavar="FILE.json",
                   help="which column goes to which field, and which values stand for the study's "
                        "(saved by the import wizard or --save-mapping); default: guessed from the headings")
    s.add_argument("--ids-from", metavar="TABLE:IDCOLUMN:NAMECOLUMN",
                   help="the rows give organisations by an old database's ids: link those ids to the study's "
                        "organisations by name through that database's organisations table or sheet in the same "
                        "file (for attempts and interviews), e.g. Customers:CustomerID:CompanyName")
    s.add_argument("--save-mapping", type=Path, metavar="FILE.json",
                   help="write the mapping used (guessed or given) to FILE.json to edit and reuse; imports nothing")
    s.add_argument("--dry-run", action="store_true", help="check the file and say what would be imported")
    s.add_argument("--add-values", action="store_true",
                   help="add categories, areas and exclusion reasons the study does not have yet")
    s.add_argument("--duplicates", choices=("skip", "merge", "add"),
                   help="what to do with organisations that may already be in the study: skip them, merge "
                        "them into the study's record (filling in what it lacks), or add them anyway")

    s = sub.add_parser("summary", help="organisations on database and interviewed, by category or area")
    s.add_argument("study", type=Path)
    s.add_argument("--by", choices=("category", "area"), default="category")
    s.add_argument("--targets", action="store_true", help="add each category's target (with --by category)")
    s.add_argument("--method", action="store_true",
                   help="the method summary instead: contacted, excluded, interviewed, AAPOR dispositions "
                        "and response, cooperation, refusal and contact rates (text or json)")
    s.add_argument("--format", choices=("text", "csv", "json", "xlsx"),
                   help="text (the default), csv or json on standard output; csv or xlsx to the file "
                        "named with -o")
    s.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write the table to FILE for a spreadsheet: .csv (headings in words, UTF-8 "
                        "with a byte-order mark so Excel reads it) or .xlsx (needed with --format xlsx)")

    s = sub.add_parser("export", help="the study's data for analysis: a table as CSV, XLSX, SPSS or Stata, "
                                      "or the codebook")
    s.add_argument("study", type=Path)
    from fieldkit.datasets import EXPORTS  # the one list of exports (no heavy imports)

    s.add_argument("what", choices=tuple(EXPORTS),
                   help="interviews: one row per interview, one variable per named question (choices as codes); "
                        "pool: the anonymous comments, shuffled, with no link to interviews; codebook: what each "
                        "variable of the interviews export means")
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                   help="the file to write; its suffix says the format: .csv (UTF-8 with a byte-order mark), "
                        ".xlsx, .sav (SPSS) or .dta (Stata); the codebook as .csv, .xlsx or .pdf")
    s.add_argument("--language", metavar="LANGUAGE",
                   help="the language of the questions and choices (default: the study's report language)")

    s = sub.add_parser("report", help="write the client report as a PDF or a Word document")
    s.add_argument("study", type=Path)
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf|FILE.docx",
                   help="the report to write: a PDF, or a Word document (.docx) for finishing in Word")
    s.add_argument("--sections", nargs="+", metavar="SECTION",
                   help=f"the sections to include, by name or comma-separated (default: those the study's "
                        f"report outline includes, in its order): {', '.join(_all_report_sections())}")
    s.add_argument("--small-numbers", type=_small_numbers, metavar="nhs|ons|N|off",
                   default=SMALL_NUMBERS_FROM_STUDY,
                   help="protect small counts in the answer tables: nhs (counts 1-7 shown as *, the "
                        "rest rounded to the nearest 5), ons (under 10 hidden, the rest rounded to 5), "
                        "a number N of 3 or more (counts 1 to N-1 hidden, the rest exact) or off (every "
                        "count shown); by default the study's setting (counts 1 to 4 hidden unless changed)")
    s.add_argument("--page-size", choices=("a4", "letter"), default="a4", help="a4 (the default) or letter")
    s.add_argument("--allow-names", action="store_true",
                   help="write the report even though pooled comments contain names from the study")
    s.add_argument("--no-directory", action="store_true", help="leave out the directory of organisations")
    s.add_argument("--with-person", action="store_true",
                   help="name the person interviewed in the directory")
    s.add_argument("--language", metavar="LANGUAGE",
                   help="the language of the questions and answers in the report, one the schedule is written "
                        "in (default: the study's report language)")

    s = sub.add_parser("casesheet", help="write one organisation's named record as a PDF")
    s.add_argument("study", type=Path)
    s.add_argument("organisation", metavar="ORG", help="the organisation's id or its exact name")
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf", help="the PDF to write")

    s = sub.add_parser("calllist", help="write the organisations to phone, in Next call's order, as a PDF")
    s.add_argument("study", type=Path)
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf", help="the PDF to write")
    s.add_argument("--at", metavar="WHEN", help="the moment the list is for, as 2026-11-25 10:00 (default: now)")
    s.add_argument("--page-size", choices=("a4", "letter"), default="a4", help="a4 (the default) or letter")

    s = sub.add_parser("backups", help="list a study's automatic backups")
    s.add_argument("study", type=Path)
    s.add_argument("--delete-older-than", metavar="BACKUP",
                   help="delete the backups taken before this one (a file, or its number in the list), "
                        "e.g. after erasing personal data")

    s = sub.add_parser("restore", help="put a backup in place of the study (the current file is kept aside)")
    s.add_argument("study", type=Path)
    s.add_argument("backup", help="a backup file, or its number in 'fieldkit backups' (1 is the newest)")

    s = sub.add_parser("archive", help="write the whole study as documented JSON in one zip file, for handing "
                                       "over or depositing (see docs/archive-format.md)")
    s.add_argument("study", type=Path)
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.zip",
                   help="the archive to write (.zip is added if missing)")
    s.add_argument("--encrypt", action="store_true",
                   help="encrypt the archive of a study that has no passphrase (an encrypted study's archive always "
                        "is): AES-256 with a passphrase of its own, asked for, or FIELDKIT_NEW_PASSPHRASE")
    s.add_argument("--without-held", action="store_true",
                   help="leave out the anonymous answers still held with their interviews, which an archive never "
                        "holds (without it, nothing is written while there are any)")

    s = sub.add_parser("unarchive", help="make a new study from a study archive (never over an existing file)")
    s.add_argument("archive", type=Path, metavar="FILE.zip")
    s.add_argument("study", type=Path, help="the new study file (.fieldkit is added if missing)")

    s = sub.add_parser("access", help="everything stored about one organisation, as JSON (subject access)")
    s.add_argument("study", type=Path)
    s.add_argument("organisation", metavar="ORG", help="the organisation's id or exact name")
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.json")

    s = sub.add_parser("erase", help="delete one organisation and everything named about it")
    s.add_argument("study", type=Path)
    s.add_argument("organisation", metavar="ORG", help="the organisation's id or exact name")
    s.add_argument("--yes", action="store_true", help="erase without asking (otherwise says what would go)")

    s = sub.add_parser("passphrase", help="encrypt a study with a passphrase, change it, or remove it")
    s.add_argument("study", type=Path)
    s.add_argument("--remove", action="store_true", help="decrypt the study: no passphrase from now on")

    s = sub.add_parser("pool", help="the anonymous answers held with their interviews, k, and moving them to the pool")
    s.add_argument("study", type=Path)
    s.add_argument("--move-now", action="store_true",
                   help="move every finished interview's held answers to the pool now, however few (end of "
                        "fieldwork); says how few first unless --yes")
    s.add_argument("--k", type=int, metavar="N",
                   help="the fewest interviews a pooled answer may be hidden among (default 5; below 3 needs "
                        "--accept-risk)")
    s.add_argument("--accept-risk", action="store_true", help="with --k 1 or 2: set it although it weakens anonymity")
    s.add_argument("--yes", action="store_true", help="with --move-now: move without asking")

    s = sub.add_parser("check", help="check the study file and fieldkit's own rules")
    s.add_argument("study", type=Path)

    s = sub.add_parser("merge", help="merge another copy of the study into it (two researchers who split the "
                                     "calling list); a backup is taken first")
    s.add_argument("study", type=Path)
    s.add_argument("other", type=Path, metavar="OTHER", help="the other researcher's copy (read, never changed)")
    s.add_argument("--dry-run", action="store_true", help="say what would be added, taken and in conflict; "
                                                          "change nothing")
    s.add_argument("--take", choices=("mine", "theirs"),
                   help="settle every conflict not chosen otherwise: this study's value (mine) or the copy's")
    s.add_argument("--choose", action="append", default=[], metavar="UID:FIELD=mine|theirs",
                   help="settle one conflict, as the dry run names it (repeatable)")
    s.add_argument("--match", action="append", default=[], metavar="MINE=THEIRS",
                   help="an organisation the copy added is this study's MINE (uids, as the dry run offers "
                        "them); its records join that one (repeatable)")

    s = sub.add_parser("demo", help="create a realistic made-up study to try fieldkit with")
    s.add_argument("study", type=Path, nargs="?",
                   help="where to create it (default: the demo study in your data folder)")
    s.add_argument("--organisations", type=int, default=60, help="how many organisations (default 60)")
    s.add_argument("--seed", type=int, default=2026, help="seed for the made-up data")
    s.add_argument("--open", action="store_true", help="open it in the desktop app (an existing demo study is reused)")

    s = sub.add_parser("directory", help="a consortium's shared directory of organisations on a PostgreSQL server: "
                                         "set it up, publish to it, pull from it (docs/consortium.md)")
    actions = s.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    dsn_help = ("the directory's connection string ('host=… dbname=… user=…' or a postgresql:// URI); a password "
                "in it is moved to the system's keyring, not stored")
    t = actions.add_parser("init", help="create or update the directory's tables and rules (its administrator)")
    t.add_argument("--dsn", required=True, help=dsn_help)
    t.add_argument("--name", help="the directory's name, as pulled organisations record it (default: the database's)")
    t = actions.add_parser("add-member", help="add a member body's login; its password is shown once")
    t.add_argument("name", metavar="NAME", help="the member's login (lower-case letters, digits, underscores)")
    t.add_argument("--dsn", required=True, help=dsn_help)
    t = actions.add_parser("publish", help="publish the study's listed organisations (only what each agreed to)")
    t.add_argument("study", type=Path)
    t.add_argument("--to", dest="dsn", required=True, metavar="DSN", help=dsn_help)
    t.add_argument("--dry-run", action="store_true",
                   help="connect to nothing: show exactly which records and details would be sent")
    t = actions.add_parser("pull", help="bring the directory's records into the study's organisation list")
    t.add_argument("--from", dest="dsn", required=True, metavar="DSN", help=dsn_help)
    t.add_argument("study", type=Path)
    t = actions.add_parser("withdraw", help="take the study's records (or one organisation's) off the directory")
    t.add_argument("study", type=Path)
    # "STUDY --to DSN ORGANISATION": argparse gives a positional after an option to the option.
    t.add_argument("--to", dest="to", nargs="+", required=True, metavar=("DSN", "ORGANISATION"), help=dsn_help)
    t.add_argument("organisation", nargs="?", metavar="ORGANISATION",
                   help="one organisation's id or exact name (its permission to list is unticked too)")
    t = actions.add_parser("duplicates", help="organisations listed by more than one member")
    t.add_argument("--dsn", required=True, help=dsn_help)

    s = sub.add_parser("open", help="open a study in the desktop app")
    s.add_argument("study", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = _file_to_open(sys.argv[1:] if argv is None else argv)
    args = _desktop_start(argv) or _parser().parse_args(argv)
    from fieldkit.exports import sweep_stale_exports

    sweep_stale_exports()  # temporary files an export killed half-way left behind (app and commands)
    if args.command is None:
        return _run_app(None)
    handler = COMMANDS[args.command]
    try:
        status = handler(args)
        # Inside the try: buffered output (stdout to a pipe) is only written here, and a
        # reader that stopped early must be met here too, not at interpreter exit.
        sys.stdout.flush()
        return status
    except UsageError as e:
        _parser().print_usage(sys.stderr)
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
    except BrokenPipeError:  # the reader stopped early (``| head``): not a failure of fieldkit's
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except Exception as e:  # an unexpected bug: still one line unless asked for more
        from fieldkit.storage import connection, sqlite

        if isinstance(e, sqlite.DatabaseError) and getattr(args, "study", None) is not None:
            # Damage (or a full disk) met while reading, not a bug: say so in fieldkit's words.
            if args.debug:
                traceback.print_exc()
            print(f"fieldkit {args.command}: {connection.database_error(Path(args.study), e)}", file=sys.stderr)
            return EXIT_FAILED
        if args.debug:
            traceback.print_exc()
        else:
            print(f"fieldkit {args.command}: unexpected error: {type(e).__name__}: {e} "
                  "(run with --debug for details)", file=sys.stderr)
        return EXIT_FAILED


def _desktop_start(argv: list[str]) -> argparse.Namespace | None:
    """``fieldkit`` and ``fieldkit open STUDY`` as a desktop starts them (a menu entry, a
    double-clicked study), read without building the parser of every command: that parser is
    a noticeable part of the time before the window shows. Anything else returns None."""
    if not argv:
        return argparse.Namespace(command=None, debug=False)
    if len(argv) == 2 and argv[0] == "open" and not argv[1].startswith("-"):
        return argparse.Namespace(command="open", study=Path(argv[1]), debug=False)
    return None


def _file_to_open(argv: list[str]) -> list[str]:
    """``fieldkit STUDY`` means ``fieldkit open STUDY``: how a desktop starts the app on a
    double-clicked study (Windows' file association, the Linux .desktop file's ``Exec=fieldkit %f``)."""
    if (len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in COMMANDS
            and (argv[0].lower().endswith(".fieldkit") or Path(argv[0]).is_file())):
        return ["open", argv[0]]
    return argv


def _open(path: Path, *, read_only: bool = False):
    """Open a study, asking for its passphrase when it is encrypted, and bring one in an older
    format up to date (Study.open_up_to_date)."""
    from fieldkit.errors import StudyDamagedError
    from fieldkit.storage import connection
    from fieldkit.study import Study

    try:
        encrypted = connection.read_header(Path(path)) is None
    except StudyDamagedError:
        encrypted = False  # Study.open says so, and moves it aside when it may
    passphrase = _ask_passphrase(path) if encrypted else None
    return Study.open_up_to_date(path, read_only=read_only, passphrase=passphrase)


#: Where scripts give passphrases (an interactive user is asked on the terminal instead).
PASSPHRASE_VARIABLE = "FIELDKIT_PASSPHRASE"
NEW_PASSPHRASE_VARIABLE = "FIELDKIT_NEW_PASSPHRASE"


def _ask_passphrase(path: Path) -> str:
    """The passphrase of an encrypted study (or backup): from FIELDKIT_PASSPHRASE, else
    typed unseen on the terminal."""
    import os

    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise FieldkitError(f"{path}: the study is encrypted; run this in a terminal to type its passphrase, "
                            f"or set {PASSPHRASE_VARIABLE}")
    import getpass

    return getpass.getpass(f"Passphrase for {path}: ")


def _ask_new_passphrase(what: str) -> str:
    """A new passphrase: from FIELDKIT_NEW_PASSPHRASE, else typed twice unseen."""
    import getpass
    import os

    from fieldkit.storage import sqlite

    given = os.environ.get(NEW_PASSPHRASE_VARIABLE)
    if given:
        return sqlite.check_new_passphrase(given)
    if not sys.stdin.isatty():
        raise FieldkitError(f"{what}: run this in a terminal to type the new passphrase, or set "
                            f"{NEW_PASSPHRASE_VARIABLE}")
    first = sqlite.check_new_passphrase(getpass.getpass(f"New passphrase for {what}: "))
    if getpass.getpass("The same again: ") != first:
        raise FieldkitError(f"{what}: the two passphrases differ; nothing was changed")
    return first


_KEEP_IT_SAFE = ("Keep the passphrase somewhere safe (a password manager): without it nobody, you included, "
                 "can open the study or its backups.")


def cmd_new(args: argparse.Namespace) -> int:
    from fieldkit.contact_details import country_code
    from fieldkit.study import Study
    from fieldkit.template_toml import find_template

    template = _template_of_study(args.from_study) if args.from_study else find_template(args.template or "blank")
    template = _with_chosen_areas(template, args)
    country = country_code(args.country) if args.country is not None else None  # before anything is made
    passphrase = _ask_new_passphrase(str(args.study)) if args.encrypt else None
    with Study.create(args.study, template, title=args.title, client=args.client, author=args.author,
                      passphrase=passphrase) as study:
        if country is not None:
            study.set_country(country)
        if args.from_study:
            print(f"Created {study.path} from the template of {args.from_study} ('{template.name}', {template.title})")
        else:
            print(f"Created {study.path} from the template '{template.name}' ({template.title})")
        if study.encrypted:
            print(f"It is encrypted with your passphrase ({_cipher()}). {_KEEP_IT_SAFE}")
    return EXIT_OK


def _with_chosen_areas(template: Template, args: argparse.Namespace) -> Template:
    """``template`` with the areas of ``--areas`` or ``--areas-from``, if either was given."""
    from fieldkit.areas import shipped_areas, with_areas

    if args.areas is not None:
        return with_areas(template, shipped_areas().find(args.areas.split(",")))
    if args.areas_from is not None:
        return with_areas(template, shipped_areas().within(args.areas_from))
    return template


def cmd_country(args: argparse.Namespace) -> int:
    from fieldkit.contact_details import calling_code

    with _open(args.study, read_only=args.code is None) as study:
        if args.code is not None:
            study.set_country(args.code)
        country = study.country
    if args.code is None:
        print(f"Phone numbers in {args.study} are dialled in {country} (+{calling_code(country)})")
    else:
        print(f"Phone numbers in {args.study} are now dialled in {country} (+{calling_code(country)}); "
              "numbers already stored keep what they are")
    return EXIT_OK


def cmd_areas(args: argparse.Namespace) -> int:
    from fieldkit.areas import KINDS, shipped_areas

    listed = shipped_areas()
    kinds = {k.id for k in KINDS}
    if args.kind is not None and args.kind not in kinds:
        raise UsageError(f"--kind {args.kind}: one of {', '.join(k.id for k in listed.kinds())}")
    chosen = listed.within(args.within) if args.within else list(listed)
    for area in chosen:
        if args.kind is None or area.kind == args.kind:
            print(f"{area.code}\t{area.name}\t{area.kind}")
    return EXIT_OK


def _template_of_study(path: Path) -> Template:
    """Another study's current template (``--from-study``), asking for its passphrase only
    when it is encrypted."""
    from fieldkit.errors import PassphraseError
    from fieldkit.study import template_of_study

    try:
        return template_of_study(path)
    except PassphraseError as e:
        if not e.needed:
            raise
    return template_of_study(path, passphrase=_ask_passphrase(path))


def _cipher() -> str:
    from fieldkit.storage import sqlite

    v = sqlite.versions()
    return f"SQLCipher {v['sqlcipher']}, AES-256"


def cmd_passphrase(args: argparse.Namespace) -> int:
    from fieldkit.storage import backups

    with _open(args.study) as study:
        if args.remove:
            if not study.encrypted:
                print(f"{study.path} has no passphrase; nothing was changed")
                return EXIT_OK
            study.set_passphrase(None)
            print(f"{study.path} is no longer encrypted, nor are its backups: anyone with the file can read it")
        else:
            was = study.encrypted
            study.set_passphrase(_ask_new_passphrase(str(study.path)))
            print(f"{study.path} {'has a new passphrase' if was else 'is now encrypted'} ({_cipher()}); "
                  f"its {len(backups.list_backups(study.path))} backups were re-encrypted with it. {_KEEP_IT_SAFE}")
        for warning in study.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from fieldkit.template_toml import shipped_templates

    for info in shipped_templates():
        print(f"{info.name}\t{info.title}\n    {info.description.strip().splitlines()[0]}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """``fieldkit template import-xlsform FILE.xlsx -o NAME.toml``."""
    from fieldkit import schedule
    from fieldkit.template_toml import template_from_dict
    from fieldkit.xlsform import import_xlsform

    out: Path = args.output
    if out.suffix.lower() != ".toml":
        out = out.with_name(out.name + ".toml")
    if out.exists() and not out.is_file():
        raise FieldkitError(f"{out}: is not an ordinary file; nothing was written")
    if out.exists() and not args.force:
        raise FieldkitError(f"{out}: already exists; nothing was written (--force replaces it)")
    if not out.parent.is_dir():
        raise FieldkitError(f"{out}: the folder {out.parent} does not exist")
    result = import_xlsform(args.xlsform, name=out.stem)
    template = template_from_dict(result.template_dict, source=str(out), default_name=out.stem)
    problems = list(result.problems)
    if template.version != 1:
        problems.append(f"settings: version {template.version} is not kept (a new template file starts at 1)")
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    path = schedule.write_template(template, out)
    n = len(problems)
    print(f"Wrote the template {path}: {len(template.questions())} questions in {len(template.sections)} "
          f"sections; {n} warning{'s' if n != 1 else ''}")
    return EXIT_OK


def cmd_schedule(args: argparse.Namespace) -> int:
    from fieldkit import schedule

    with _open(args.study, read_only=True) as study:
        template = study.template
        if args.save_template:
            path = schedule.write_template(template, args.save_template)
            print(f"Wrote the schedule as a template: {path}")
            return EXIT_OK
        language = args.language
        if language is not None and language not in template.languages:
            raise InvalidValueError(f"the schedule is not written in '{language}' "
                                    f"(languages: {', '.join(template.languages)})")
        print(f"{template.title}, template version {study.template_version}; "
              f"languages: {', '.join(template.languages)}")
        for section in template.sections:
            print(f"\n{section.id}  {section.text('title', language)}"
                  + (f"   [asked if {section.relevant}]" if section.relevant else ""))
            for q in section.questions:
                marks = [q.qtype.title.lower()] + (["required"] if q.required else []) + \
                    (["anonymous"] if q.anonymous else [])
                print(f"  {q.id}  {q.text('label', language)}  ({', '.join(marks)})")
                for key, words in (("relevant", "asked if"), ("constraint", "answer must meet"),
                                   ("calculation", "calculated as"), ("choice_filter", "choices where")):
                    if getattr(q, key):
                        print(f"      {words}: {getattr(q, key)}")
                if q.options:
                    print("      choices: " + "; ".join(c.text(language) for c in q.options))
        for lang, places in template.missing_texts().items():
            if places:
                print(f"\nMissing in {lang}: {len(places)} text{'s' if len(places) != 1 else ''}")
    return EXIT_OK


class _ImportReport(Protocol):
    """What each importer's result (organisations, attempts, interviews) gives the CLI."""

    def lines(self) -> list[str]: ...


def cmd_import(args: argparse.Namespace) -> int:
    from fieldkit import import_mapping, sources
    from fieldkit.importers import IMPORTERS

    if args.list:
        found = sources.parts(args.file)
        if not found:
            print(f"{args.file} is a CSV file: one table, imported whole")
        for part in found:
            print(f"{part.name}\t{part.rows} row{'s' if part.rows != 1 else ''}")
        return EXIT_OK
    if args.records != "organisations" and (args.add_values or args.duplicates):
        raise UsageError("--add-values and --duplicates are for importing organisations")
    part = args.sheet or args.table
    mapping = import_mapping.Mapping.load(args.mapping) if args.mapping else None
    if mapping is not None and mapping.kind != args.records:
        raise UsageError(f"--mapping {args.mapping} maps {mapping.kind}, not {args.records} (--records)")
    ids_from = args.ids_from.rsplit(":", 2) if args.ids_from else None
    if ids_from is not None:
        if args.records == "organisations":
            raise UsageError("--ids-from is for importing attempts or interviews, whose rows give organisations by id")
        if len(ids_from) != 3 or not all(p.strip() for p in ids_from):
            raise UsageError(f"--ids-from {args.ids_from}: give TABLE:IDCOLUMN:NAMECOLUMN, such as "
                             "Customers:CustomerID:CompanyName")
        if mapping is not None and mapping.values.get("organisation_id"):
            raise UsageError(f"--mapping {args.mapping} has its own table of organisation ids; leave out --ids-from")

    def old_ids(study: Any) -> dict[str, str] | None:
        """``--ids-from``: the old database's ids, linked by name to the study's organisations."""
        if ids_from is None:
            return None
        from fieldkit.attempt_import import link_ids_from

        table, id_column, name_column = ids_from
        links = link_ids_from(study, args.file, part=table, id_column=id_column, name_column=name_column)
        for line in links.lines():
            print(line)
        return links.values

    if args.save_mapping:
        if ids_from is not None:  # the linked ids are saved in the mapping, to reuse without --ids-from
            with _open(args.study, read_only=True) as study:
                if mapping is None:
                    mapping = IMPORTERS[args.records].guess(study, sources.read_sheet(args.file, part).header)
                linked = old_ids(study)
                assert linked is not None  # old_ids links whenever ids_from is given
                mapping.values["organisation_id"] = linked
        return _save_mapping(args, part, mapping)
    result: _ImportReport
    with _open(args.study) as study:
        if args.records == "organisations":
            from fieldkit.organisation_import import import_organisations

            result = import_organisations(study, args.file, part=part, mapping=mapping, dry_run=args.dry_run,
                                          add_values=args.add_values, duplicates=args.duplicates)
        elif args.records == "attempts":
            from fieldkit.attempt_import import import_attempts

            result = import_attempts(study, args.file, part=part, mapping=mapping, dry_run=args.dry_run,
                                     old_ids=old_ids(study))
        else:
            from fieldkit.interview_import import import_interviews

            result = import_interviews(study, args.file, part=part, mapping=mapping, dry_run=args.dry_run,
                                       old_ids=old_ids(study))
    for line in result.lines():
        print(line)
    return EXIT_OK


def _save_mapping(args: argparse.Namespace, part: str | None, mapping: Any) -> int:
    """``--save-mapping``: write the mapping a file would be imported with, to edit and reuse."""
    from fieldkit import sources
    from fieldkit.importers import IMPORTERS

    sheet = sources.read_sheet(args.file, part)
    if mapping is None:
        with _open(args.study, read_only=True) as study:
            mapping = IMPORTERS[args.records].guess(study, sheet.header)
    written = mapping.save(args.save_mapping)
    mapped = sum(1 for f in mapping.columns.values() if f)
    print(f"Wrote {written}: {mapped} of {len(mapping.columns)} columns mapped; edit it, then import "
          f"with --mapping {args.save_mapping}")
    for heading, name in mapping.columns.items():
        print(f"  {heading} -> {name or '(not imported)'}")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from fieldkit import summary

    if args.targets and args.by != "category":
        raise UsageError("--targets goes with --by category (targets are set per category)")
    if args.method:
        return _method_summary(args)
    fmt = _summary_format(args.format, args.output)
    if args.output is not None:
        from fieldkit.reports import tables

        with _open(args.study, read_only=True) as study:
            table = tables.by_group(study, args.by, targets=args.targets)
        path = tables.write_table(table, args.output, fmt)
        print(f"Wrote {table.title.lower()} to {path}")
        return EXIT_OK
    from fieldkit.reports import tables

    with _open(args.study, read_only=True) as study:  # works while the app has it open
        if args.format == "json":
            print(json.dumps(summary.by_group(study, args.by).as_json(targets=args.targets), ensure_ascii=False))
            return EXIT_OK
        table = tables.by_group(study, args.by, targets=args.targets)
    if args.format == "csv":
        print(_summary_csv(table), end="")
    else:
        print(_summary_text(table))
    return EXIT_OK


def _method_summary(args: argparse.Namespace) -> int:
    from fieldkit import summary

    if args.output is not None or args.format not in (None, "text", "json"):
        raise UsageError("--method prints text or json on standard output (--format text or json)")
    with _open(args.study, read_only=True) as study:
        method = summary.method(study)
        if args.format == "json":
            print(json.dumps(method.as_json(), ensure_ascii=False))
        else:
            print(_method_text(method))
    return EXIT_OK


def _method_text(method: Any) -> str:
    """The method summary for a terminal: counts, dispositions by code, rates as percentages."""
    from fieldkit import outcome_rates

    lines = [
        f"Organisations in the study   {method.total}",
        f"Contacted                    {method.contacted}",
        f"Excluded (not eligible)      {method.excluded}",
        f"On database                  {method.on_database}",
        f"Interviewed                  {method.interviewed}",
    ]
    p = method.paradata
    if p is not None:
        lines.append(f"  complete / partial         {p.complete} / {p.partial}")
        if p.interviewed_without_interview:
            lines.append(f"  recorded without interview {p.interviewed_without_interview}")
        lines.append(f"In interview                 {method.in_interview}")
        lines.append(f"Break-offs                   {p.break_offs}")
    lines += [
        f"Declined                     {method.declined}",
        f"Not reached                  {method.not_reached}",
        f"Still being contacted        {method.still_contacting}",
        f"Not yet contacted            {method.not_yet_contacted}",
    ]
    if p is not None:
        def num(x: float | None, unit: str) -> str:
            return "-" if x is None else f"{x:g}{unit}"
        minutes = None if p.median_minutes is None else round(p.median_minutes, 1)
        lines.append(f"Median interview length      {num(minutes, ' min')}")
        lines.append(f"Median sittings              {num(p.median_sittings, '')}")
        lines.append(f"Median attempts before       {num(p.median_attempts, '')}")
    lines += ["", "Dispositions (AAPOR)"]
    labels = {code: outcome_rates.label(code) for code in method.dispositions}
    width = max(map(len, labels.values()), default=0)
    for code, n in method.dispositions.items():
        lines.append(f"  {code:<6} {labels[code]:<{width}}  {n:>5}")
    lines += ["", "Outcome rates"]
    for name in outcome_rates.RATE_ORDER:
        value = method.rates.get(name)
        lines.append(f"  {name:<6} {'-' if value is None else f'{value * 100:.1f}%'}")
    e = method.rates.get("e")
    lines.append(f"  e      {'-' if e is None else f'{e:.4f}'}")
    return "\n".join(lines)


def _summary_format(fmt: str | None, output: Path | None) -> str:
    """The summary's format: text, csv or json on standard output, csv or xlsx into ``-o FILE``."""
    if output is None:
        if fmt == "xlsx":
            raise UsageError("--format xlsx writes a file: name it with -o FILE.xlsx")
        return fmt or "text"
    suffix = output.suffix.lower().lstrip(".")
    if fmt is None:
        if suffix not in ("csv", "xlsx"):
            raise UsageError(f"-o {output}: name a .csv or .xlsx file, or say which with --format")
        return suffix
    if fmt not in ("csv", "xlsx"):
        raise UsageError(f"-o writes a spreadsheet (--format csv or xlsx); {fmt} goes to standard output")
    if suffix in ("csv", "xlsx") and suffix != fmt:
        raise UsageError(f"-o {output} does not fit --format {fmt}")
    return fmt


def _cells(row: tuple[Any, ...]) -> list[str]:
    return ["" if c is None else str(c) for c in row]


def _summary_csv(table: Any) -> str:
    """The summary table as CSV for a script: the JSON keys as the header, plain line ends; a
    name a spreadsheet would take for a formula gets a leading apostrophe (``safe_text``)."""
    from fieldkit.spreadsheets import safe_text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "on_database", "interviewed", "target"][:len(table.head)])
    writer.writerows(["" if c is None else safe_text(c) for c in r] for r in table.rows)
    return out.getvalue()


def _summary_text(table: Any) -> str:
    """The summary table lined up for a terminal, the total under a rule."""
    rows = [list(table.head)] + [_cells(r) for r in table.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(table.head))]

    def line(r: list[str]) -> str:
        return "  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule] + [line(r) for r in rows[1:-1]] + [rule, line(rows[-1])])


def cmd_export(args: argparse.Namespace) -> int:
    """``fieldkit export STUDY WHAT -o FILE``: one of fieldkit.datasets.EXPORTS, in the format
    the file's suffix names (a format it cannot be written in is bad usage, said before the
    study is opened)."""
    from fieldkit import datasets
    from fieldkit.exports import ExportError

    try:
        datasets.format_for(args.what, args.output)
    except ExportError as e:
        raise UsageError(str(e)) from None
    with _open(args.study, read_only=True) as study:  # works while the app has it open
        path = datasets.export(study, args.what, args.output, language=args.language)
        if args.what == "pool":
            from fieldkit import anonymity
            from fieldkit.reports.names import find_names_in_pool

            for line in anonymity.warnings(study):
                print(f"warning: {line}", file=sys.stderr)
            named = len(find_names_in_pool(study))
            if named:
                print(f"warning: {named} pooled comment{'s' if named != 1 else ''} contain{'s' if named == 1 else ''} "
                      "names of organisations or contacts in the study (redact them in the Pool screen)",
                      file=sys.stderr)
    print(f"Wrote {datasets.EXPORTS[args.what].label.lower()} to {path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    sections = _report_sections(args.sections) if args.sections else None
    word = args.output.suffix.lower() == ".docx"
    path = _report_path(args.output, ".docx" if word else ".pdf")
    from fieldkit.reports.data import ReportOptions, build_report_data

    options = ReportOptions(sections=sections, directory=not args.no_directory,
                            small_numbers=args.small_numbers, page_size=args.page_size,
                            include_person=args.with_person, language=args.language)
    with _open(args.study, read_only=True) as study:  # works while the app has it open
        if args.language is not None:  # a language the schedule lacks: said before anything else
            from fieldkit.summary import language_for

            language_for(study, args.language)
        from fieldkit.reports.outline import parts

        sections = options.printed_sections(parts(study))  # what build_report_data will print
        if "comments" in sections and not args.allow_names:
            from fieldkit.reports.names import find_names_in_pool

            hits = find_names_in_pool(study)
            if hits:
                _print_name_hits(hits)
                return EXIT_FAILED
        data = build_report_data(study, options)
        if "comments" in sections or "tables" in sections:
            from fieldkit import anonymity

            for line in anonymity.warnings(study):
                print(f"warning: {line}", file=sys.stderr)
    from fieldkit.reports.glyphs import describe, find_missing

    for line in describe(find_missing(data.pieces())):
        print(f"warning: {line}", file=sys.stderr)
    if word:
        from fieldkit.reports.docx import render_docx

        written = render_docx(data, path)
    else:
        from fieldkit.reports.pdf import render_report

        written = render_report(data, path, page_size=args.page_size)
    print(f"Wrote the report to {written}")
    return EXIT_OK


def _report_sections(given: list[str] | None) -> tuple[str, ...]:
    """``--sections`` as the report's section names in report order; unknown names are bad usage."""
    REPORT_SECTIONS = _all_report_sections()  # noqa: N806 - the registry, as a constant here
    if not given:
        return REPORT_SECTIONS
    names = [n.strip().lower() for item in given for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in REPORT_SECTIONS]
    if unknown:
        raise UsageError(f"no section {', '.join(repr(n) for n in unknown)} "
                         f"(expected some of: {', '.join(REPORT_SECTIONS)})")
    if not names:
        raise UsageError("--sections: name at least one section")
    return tuple(n for n in REPORT_SECTIONS if n in names)


def _pdf_path(path: Path) -> Path:
    """The PDF to write: ``.pdf`` added when missing; its folder must exist (nothing is made)."""
    return _report_path(path, ".pdf")


def _report_path(path: Path, suffix: str) -> Path:
    """The file to write: ``suffix`` added when missing; its folder must exist (nothing is made)."""
    if path.exists() and not path.is_file() and not path.is_dir():  # not /dev/full.pdf for /dev/full
        raise FieldkitError(f"{path}: is not an ordinary file (a device, pipe or socket); nothing was written "
                            "— choose a file name")
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    if not path.parent.is_dir():
        raise FieldkitError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise FieldkitError(f"{path}: is a folder")
    return path


def _print_name_hits(hits: list[Any]) -> None:
    n = len(hits)
    if hasattr(sys.stderr, "reconfigure"):  # a console that cannot show a script gets "?", not a crash
        sys.stderr.reconfigure(errors="replace")
    print(f"fieldkit report: {n} pooled comment{'s' if n != 1 else ''} contain{'s' if n == 1 else ''} "
          "names of organisations or contacts in the study; nothing written. Redact them in the Pool "
          "screen, or write the report anyway with --allow-names:", file=sys.stderr)
    _print_comments(hits, sys.stderr)


def cmd_casesheet(args: argparse.Namespace) -> int:
    path = _pdf_path(args.output)
    from fieldkit.reports.casesheet import render_casesheet

    with _open(args.study, read_only=True) as study:
        org_id = study.organisations.find(args.organisation)
        render_casesheet(study, org_id, path)
        name = study.organisations.get(org_id).name
    print(f"Wrote the case sheet of {name} to {path}")
    return EXIT_OK


def cmd_calllist(args: argparse.Namespace) -> int:
    import datetime as dt

    from fieldkit.reports.call_list import build_call_list, render_call_list

    try:
        at = dt.datetime.fromisoformat(args.at) if args.at else dt.datetime.now()
    except ValueError:
        raise FieldkitError(f"--at {args.at!r}: not a date and time; write it as 2026-11-25 10:00") from None
    path = _pdf_path(args.output)
    with _open(args.study, read_only=True) as study:
        data = build_call_list(study, at.replace(tzinfo=None))
    render_call_list(data, path, page_size=args.page_size)
    n = len(data.rows)
    print(f"Wrote the call list ({n} organisation{'s' if n != 1 else ''} to phone) to {path}")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    from fieldkit.storage import backups

    if args.delete_older_than is not None:
        removed = backups.delete_older(args.study, _chosen_backup(args.study, args.delete_older_than))
        print(f"Deleted {len(removed)} older backup{'s' if len(removed) != 1 else ''} of {args.study}")
    found = backups.list_backups(args.study)
    print(f"Backups of {args.study} are kept in {backups.folder_for(args.study)}")
    if backups.is_paused(args.study):
        print("Old backups are not being cleared away, because the study was restored.")
    if not found:
        print("None has been taken yet.")
    for number, b in enumerate(found, start=1):
        print(f"{number:3}  {b.taken:%Y-%m-%d %H:%M:%S}  {b.size / 1_000_000:7.2f} MB  {b.reason:18}  {b.path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldkit.errors import PassphraseError
    from fieldkit.storage import backups

    chosen = _chosen_backup(args.study, args.backup)
    try:
        aside = backups.restore(args.study, chosen)
    except PassphraseError as e:
        if not e.needed:
            raise
        aside = backups.restore(args.study, chosen, passphrase=_ask_passphrase(chosen))
    print(f"Restored {args.study} from {chosen}")
    print(f"The file as it was is kept as {aside}")
    return EXIT_OK


def _chosen_backup(study: Path, given: str) -> Path:
    """A backup named by its file, or by its number in 'fieldkit backups' (1 is the newest)."""
    from fieldkit.storage import backups

    chosen = Path(given)
    if given.isdigit() and not chosen.exists():
        found = backups.list_backups(study)
        number = int(given)
        if not 1 <= number <= len(found):
            raise UsageError(f"there is no backup number {number} (see 'fieldkit backups {study}')")
        chosen = found[number - 1].path
    return chosen


def cmd_archive(args: argparse.Namespace) -> int:
    from fieldkit.archive import archive_study, check_archivable

    with _open(args.study, read_only=True) as study:  # works while the app has it open
        check_archivable(study, without_held=args.without_held)  # before asking for a passphrase
        # Never the study's own passphrase: an archive's is quicker to guess, and it goes to others.
        passphrase = (_ask_new_passphrase(f"the archive {args.output}") if study.encrypted or args.encrypt
                      else None)
        held = study.held.count()
        path = archive_study(study, args.output, passphrase=passphrase, without_held=args.without_held)
    print(f"Wrote the archive of {args.study} to {path}")
    if passphrase is not None:
        print("It is encrypted (AES-256, WinZip AES: 7-Zip and most archivers open it) with the passphrase you "
              "chose for it. Keep that passphrase somewhere safe: without it nobody can read the archive.")
    if held:
        print(f"Left out {held} anonymous answer{'s' if held != 1 else ''} still held with "
              f"{'their interviews' if held != 1 else 'its interview'}.")
    return EXIT_OK


def cmd_unarchive(args: argparse.Namespace) -> int:
    from fieldkit.archive import unarchive
    from fieldkit.errors import PassphraseError

    passphrase = None
    try:
        path = unarchive(args.archive, args.study)
    except PassphraseError as e:
        if not e.needed:
            raise
        passphrase = _ask_passphrase(args.archive)
        path = unarchive(args.archive, args.study, passphrase=passphrase)
    print(f"Made the study {path} from {args.archive}")
    if passphrase is not None:
        print(f"It is encrypted with the archive's passphrase ({_cipher()}).")
    return EXIT_OK


def cmd_access(args: argparse.Namespace) -> int:
    from fieldkit import personal_data
    from fieldkit.reports.tables import write_atomically

    with _open(args.study, read_only=True) as study:
        org_id = study.organisations.find(args.organisation)
        text = personal_data.subject_access_json(study, org_id)
    write_atomically(args.output, lambda f: f.write(text.encode("utf-8")))
    print(f"Wrote everything stored about organisation {org_id} to {args.output}")
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    from fieldkit import personal_data
    from fieldkit.reports.names import find_names_of_organisation

    with _open(args.study) as study:
        org_id = study.organisations.find(args.organisation)
        name = study.organisations.get(org_id).name
        what = personal_data.erasure_summary(study, org_id)
        if not args.yes:
            print(what)
            hits = find_names_of_organisation(study, org_id)
            if hits:
                n = len(hits)
                print(f"{n} pooled comment{'s' if n != 1 else ''} name{'s' if n == 1 else ''} {name} or its contacts:")
                _print_comments(hits, sys.stdout)
                stay = "They stay" if n != 1 else "It stays"
                print(f"{stay} when it is erased, and the report's names check goes on "
                      "flagging them. Redact them in the Pool screen first.")
            print("Nothing was erased. Run again with --yes to erase it.")
            return EXIT_FAILED
        result = personal_data.erase(study, org_id)
    print(what.replace("Erasing", "Erased", 1).replace(" deletes ", " deleted ", 1))
    problems = result.problems()  # after closing, which empties the -wal if nobody else reads it
    for line in problems:
        print(f"fieldkit erase: warning: {line}", file=sys.stderr)
    _print_comments(result.named_comments, sys.stderr, written=True)
    return EXIT_FAILED if problems else EXIT_OK


def _print_comments(hits: Any, stream: Any, *, written: bool = False) -> None:
    """Each comment on a line: its question, the names in it, the words around them.
    ``written``: the names as the comment writes them (what the names check flags once the
    organisation is gone)."""
    from fieldkit.reports.names import excerpt, written_in

    if hasattr(stream, "reconfigure"):  # a console that cannot show a script gets "?", not a crash
        stream.reconfigure(errors="replace")
    for hit in hits:
        names = [written_in(hit.text, n) or n for n in hit.names] if written else hit.names
        print(f"  {hit.question_label} — {', '.join(names)}: “{excerpt(hit.text, hit.names)}”", file=stream)


def cmd_pool(args: argparse.Namespace) -> int:
    from fieldkit import anonymity

    if args.accept_risk and args.k is None:
        raise UsageError("--accept-risk goes with --k")
    if args.yes and not args.move_now:
        raise UsageError("--yes goes with --move-now")
    with _open(args.study) as study:
        if args.k is not None:
            if 1 <= args.k <= anonymity.MAX_K and anonymity.needs_consent(study, args.k) and not args.accept_risk:
                raise FieldkitError(f"k = {args.k}: {anonymity.risk(args.k)}; nothing was changed (add "
                                    "--accept-risk to set it anyway)")
            anonymity.set_k(study, args.k, accept_risk=args.accept_risk)
            print(f"k is now {args.k}: a pooled answer is hidden among at least {args.k} interviews")
        if args.move_now:
            small = study.held.too_small()
            if small and not args.yes:
                print("Moving now would hide these answers among fewer than k = "
                      f"{study.anonymity_k} interviews:")
                for g in small:
                    print(f"  {_group_name(g)}: {g.finished} interview{'s' if g.finished != 1 else ''}")
                print("Nothing was moved. Run again with --yes to move them anyway.")
                return EXIT_FAILED
            moved = study.held.move_now()
            print(f"Moved {moved.answers} held answer{'s' if moved.answers != 1 else ''} to the pool")
            if moved.checkpoint is not None and not moved.checkpoint.done:
                print(f"warning: {moved.checkpoint.describe()}", file=sys.stderr)
        _print_pool(study)
    return EXIT_OK


def _group_name(group: Any) -> str:
    where = "" if group.category is None else f" ({group.category or 'no category'})"
    return f"“{group.label}”{where}"


def _print_pool(study: Any) -> None:
    from fieldkit import anonymity

    k = study.anonymity_k
    print(f"{study.path}: {study.pool.count()} answers in the pool; k = {k}")
    groups = study.held.groups()
    if groups:
        print(f"Held with their interviews until {k} finished interviews have answered the same question:")
        for g in groups:
            waiting = f", and {g.unfinished} in unfinished interviews" if g.unfinished else ""
            print(f"  {_group_name(g)}: {g.finished} of {k} finished{waiting}")
    else:
        print("No answers are held: every finished interview's anonymous answers are in the pool.")
    for line in anonymity.warnings(study):
        print(f"warning: {line}", file=sys.stderr)


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


def cmd_merge(args: argparse.Namespace) -> int:
    from fieldkit import checks, merge
    from fieldkit.storage import connection

    choices: dict[str, str] = {}
    for given in args.choose:
        key, _, side = given.rpartition("=")
        if not key or side not in ("mine", "theirs"):
            raise UsageError(f"--choose {given}: write UID:FIELD=mine or UID:FIELD=theirs")
        choices[key] = side
    other_encrypted = Path(args.other).is_file() and connection.read_header(Path(args.other)) is None
    with _open(args.study) as study:
        found = merge.plan(study, args.other, passphrase=_ask_passphrase(args.other) if other_encrypted else None)
        if args.dry_run:
            print(f"{args.study}: merging {args.other} would:")
            for line in found.lines():
                print(f"  {line}")
            return EXIT_OK
        try:
            done = merge.apply(study, found, choices=choices, take=args.take, matches=args.match)
        except merge.MergeConflictError as e:
            print(f"fieldkit merge: {e}", file=sys.stderr)
            for c in e.conflicts:
                print(f"  {c.describe()}", file=sys.stderr)
            print("  settle each with --choose UID:FIELD=mine|theirs, or all with --take mine|theirs",
                  file=sys.stderr)
            return EXIT_FAILED
        problems = checks.problems(study)
    if done.backup is None:
        print(f"{args.study}: nothing to merge: {args.other} holds nothing this study lacks")
        return EXIT_OK
    print(f"{args.study}: merged {args.other}: {done.describe()} (backup: {done.backup})")
    for line in problems:
        print(f"  check: {line}", file=sys.stderr)
    return EXIT_FAILED if problems else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldkit.demo import demo_path
    from fieldkit.storage.files import study_file

    path = study_file(args.study or demo_path())
    if args.organisations < 1:
        raise UsageError("--organisations must be at least 1")
    if path.exists() and args.open:
        print(f"Opening the existing demo study {path}", flush=True)
    else:
        from fieldkit.demo_report import create_demo

        with create_demo(path, seed=args.seed, organisations=args.organisations) as study:
            print(f"Created the demo study {study.path} ({study.organisations.count()} organisations)", flush=True)
    if args.open:
        return _run_app(path)
    return EXIT_OK


def cmd_directory(args: argparse.Namespace) -> int:
    """``fieldkit directory ACTION``: fieldkit.directory does the work (the only commands that connect)."""
    from fieldkit.directory import commands

    study = None
    if getattr(args, "study", None) is not None:
        study = _open(args.study, read_only=getattr(args, "dry_run", False))  # a dry run only reads
    try:
        return commands.run(args.directory_command, args, study)
    finally:
        if study is not None:
            study.close()


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
    "country": cmd_country,
    "areas": cmd_areas,
    "template": cmd_template,
    "schedule": cmd_schedule,
    "import": cmd_import,
    "summary": cmd_summary,
    "export": cmd_export,
    "report": cmd_report,
    "casesheet": cmd_casesheet,
    "calllist": cmd_calllist,
    "backups": cmd_backups,
    "restore": cmd_restore,
    "archive": cmd_archive,
    "unarchive": cmd_unarchive,
    "access": cmd_access,
    "erase": cmd_erase,
    "passphrase": cmd_passphrase,
    "pool": cmd_pool,
    "check": cmd_check,
    "merge": cmd_merge,
    "demo": cmd_demo,
    "directory": cmd_directory,
    "open": cmd_open,
}
