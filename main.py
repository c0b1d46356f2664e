"""Composition root: parse arguments, set up logging, then run the wizard or a headless command."""

from __future__ import annotations

# First: when PySide6 is loaded already, its import hook would read the source of every
# standard-library module imported below; importing this module tells it their answer.
import wizard.pyside_hook  # noqa: F401

# isort: split
import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.logsetup import open_log_file, setup_logging
from core.store.paths import AppPaths
from core.version import __version__

log = logging.getLogger("main")


def build_parser(language: str = "en") -> argparse.ArgumentParser:
    """The commands' parser, speaking ``language`` (core.i18n's catalogue): its help texts,
    argparse's own words and its usage errors (core.app.cli_args)."""
    from core.app.cli_args import LocalizedParser
    from core.i18n import tr

    def _(text: str) -> str:
        return tr(text, language)

    common = LocalizedParser(add_help=False, language=language)
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_("use the built-in Demo Company (local simulators, no account needed)"),
    )
    common.add_argument(
        "--demo-data",
        metavar=_("FILE"),
        default=argparse.SUPPRESS,
        help=_("company file the Demo Company starts from (implies --demo)"),
    )
    common.add_argument(
        "--demo-state",
        metavar=_("DIR"),
        default=argparse.SUPPRESS,
        help=_("folder where the Demo Company keeps its state (implies --demo)"),
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_("print one JSON object instead of sentences"),
    )
    common.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_("log debug details"),
    )

    parser = LocalizedParser(
        prog="xero-qbtime-bridge",
        parents=[common],
        description=_(
            "Import a Xero organisation into QuickBooks Time. Without a command, the wizard opens."
        ),
        language=language,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_(
            "check that this installation is complete (offscreen, in a temporary "
            "folder; your data is not touched), print each check, exit 0 if all pass"
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    org_help = _("organisation name or tenant id")
    org_of_several = _("organisation name or tenant id (needed when several)")

    p = sub.add_parser(
        "connect-qbtime", parents=[common], help=_("check and keep a QuickBooks Time access key")
    )
    p.add_argument(
        "--token-stdin",
        action="store_true",
        help=_("read the access key from standard input (never from the command line)"),
    )
    p = sub.add_parser(
        "connect-xero",
        parents=[common],
        help=_("sign in to Xero in the browser and connect an organisation"),
    )
    p.add_argument("--org", metavar=_("ORG"), help=_("organisation name or tenant id to connect"))
    p.add_argument(
        "--country",
        metavar=_("COUNTRY"),
        help=_(
            "Xero edition of the organisation (AU, NZ, UK, US, GLOBAL): "
            "decides whether payroll access is requested"
        ),
    )
    p = sub.add_parser(
        "demo-servers",
        parents=[common],
        help=_("only run the Demo Company simulators and say how to reach them"),
    )
    p = sub.add_parser(
        "screenshots",
        parents=[common],
        help=_("drive the wizard on the Demo Company offscreen and save a PNG per page"),
    )
    p.add_argument(
        "--out", default="docs/screenshots", metavar=_("OUT"), help=_("folder for the PNG files")
    )
    p.add_argument(
        "--lang",
        default="en,fr",
        metavar=_("LANG"),
        help=_("languages, comma-separated (en, fr)"),
    )
    sub.add_parser("status", parents=[common], help=_("show the connections and their state"))
    p = sub.add_parser("fetch", parents=[common], help=_("read both sides into the local snapshot"))
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    p.add_argument("--full", action="store_true", help=_("read everything, not only what changed"))
    p = sub.add_parser(
        "disconnect", parents=[common], help=_("forget both sign-ins of a connection")
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    p = sub.add_parser(
        "sync", parents=[common], help=_("fetch, match, plan and import with the saved options")
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_of_several)
    p.add_argument("--dry-run", action="store_true", help=_("print the plan, write nothing"))
    p.add_argument("--full", action="store_true", help=_("read everything from Xero again"))
    p = sub.add_parser("options", parents=[common], help=_("show or set the import options"))
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    p.add_argument(
        "assignments",
        nargs="*",
        metavar=_("KEY=VALUE"),
        help=_("e.g. archive_unmatched=true assign_all=false"),
    )
    p = sub.add_parser(
        "review", parents=[common], help=_("list, export or import conflict decisions")
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--export", metavar=_("FILE.csv"), help=_("write the conflicts to a CSV file")
    )
    group.add_argument(
        "--import",
        dest="import_file",
        metavar=_("FILE.csv"),
        help=_("apply the decisions filled in a CSV file"),
    )
    p = sub.add_parser(
        "history",
        parents=[common],
        help=_("list the runs: imports, sendings of hours, billing runs and their undos"),
    )
    p.add_argument(
        "run_id",
        type=int,
        nargs="?",
        metavar=_("RUN_ID"),
        help=_("only this run (what an interrupted run wrote, from its journal)"),
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    p = sub.add_parser(
        "restore-backup",
        parents=[common],
        help=_(
            "put back the newest good backup copy of your data (or FILE); the "
            "current file is kept aside, never deleted"
        ),
    )
    p.add_argument("backup", nargs="?", metavar=_("FILE"), help=_("a backup copy to restore"))
    p.add_argument(
        "--start-afresh",
        action="store_true",
        help=_("instead, keep the current file aside and start with no history"),
    )
    p = sub.add_parser(
        "undo",
        parents=[common],
        help=_("undo one run: an import, a sending of hours or a billing run"),
    )
    p.add_argument("run_id", type=int, metavar=_("RUN_ID"))
    p.add_argument(
        "--cascade",
        action="store_true",
        help=_(
            "first undo, newest first, the later runs of the same kind that changed the same "
            "records"
        ),
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_help)
    p = sub.add_parser(
        "export-hours",
        parents=[common],
        help=_(
            "send approved QuickBooks Time hours and paid time off of a pay period to Xero "
            "Payroll as draft timesheets and leave"
        ),
    )
    p.add_argument(
        "--period",
        metavar=_("YYYY-MM-DD"),
        help=_(
            "any date inside the pay period (default: each person's last period that has "
            "ended, on their own pay calendar)"
        ),
    )
    p.add_argument(
        "--calendar",
        metavar=_("NAME"),
        help=_(
            "the Xero pay calendar the period is one of: its people get that period, the "
            "others their own period that ends by its last day"
        ),
    )
    p.add_argument(
        "--dry-run", action="store_true", help=_("print what would be sent, send nothing")
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_of_several)
    p = sub.add_parser(
        "bill-time",
        parents=[common],
        help=_(
            "bill the billable QuickBooks Time hours of a date range as draft sales invoices "
            "in Xero (one per customer)"
        ),
    )
    p.add_argument("--from", dest="start", required=True, metavar=_("YYYY-MM-DD"))
    p.add_argument("--to", dest="end", required=True, metavar=_("YYYY-MM-DD"))
    p.add_argument(
        "--dry-run", action="store_true", help=_("print what would be sent, send nothing")
    )
    p.add_argument(
        "--include-unapproved",
        action="store_true",
        help=_("bill hours not approved yet too (their lines say so)"),
    )
    p.add_argument(
        "--name-people",
        action="store_true",
        help=_("name who worked in each line's description"),
    )
    p.add_argument(
        "--invoice-language",
        choices=("en", "fr"),
        help=_(
            "the language of the invoice lines' text (dates in that language's way: "
            "'8 jours, du 3 au 10 novembre 2026'); remembered for this business once sent. "
            "Default: the language chosen for this business in the app, else French for an "
            "organisation in Québec or an app running in French, else English"
        ),
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_of_several)
    p = sub.add_parser(
        "invoices",
        parents=[common],
        help=_(
            "the invoices the app made in Xero, with their status (draft, approved, paid), "
            "and the language chosen for their lines' text (see bill-time --invoice-language)"
        ),
    )
    p.add_argument("--org", metavar=_("ORG"), help=org_of_several)
    return parser


def _flag(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    return getattr(args, name, default)


def run_demo_company(
    paths: AppPaths, data: str | None, state: str | None, as_json: bool = False
) -> int:
    """Runs the Demo Company simulators in the foreground and says how to reach them: in
    sentences followed by the JSON line, or, with ``--json``, the JSON object alone."""
    from core.i18n import N_, set_language, system_language, tr
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox

    set_language(system_language())  # as every command, in the system's language
    state_dir = Path(state) if state else paths.demo_state
    sandbox = Sandbox.open(data or DEMO_COMPANY_FILE, state_dir)
    info = sandbox.describe()
    log.info(
        "Demo Company running: Xero at %s, QuickBooks Time at %s",
        info["xero_base"],
        info["qbtime_base"],
    )
    if not as_json:
        print(tr("The Demo Company is running on this computer (press Ctrl+C to stop)."))
        for label, value in (
            (N_("Xero (sign-in, accounting, payroll):"), info["xero_base"]),
            (N_("QuickBooks Time API:"), info["qbtime_base"]),
            (N_("Its state is kept in:"), str(state_dir)),
        ):
            print(f"  {tr(label)} {value}")
    print(json.dumps(info), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        if not as_json:
            print("\n" + tr("Stopping the Demo Company."))
    finally:
        sandbox.stop()
    return 0


def make_context(
    args: argparse.Namespace,
    paths: AppPaths,
    *,
    tokens: Any = None,
    opener: Callable[[str], Any] | None = None,
    demo: Any = None,
) -> Any:
    """``demo``: the Demo Company, already started (run_gui starts it before Qt loads)."""
    from core.app.context import AppContext

    sandbox = demo
    if sandbox is None and _demo_requested(args):
        sandbox = start_demo_company(args, paths)
    try:
        if sandbox is not None and tokens is None:
            from core.errors import SecureStorageUnavailable
            from core.store.secrets import TokenStore, demo_memory_store

            try:
                tokens = TokenStore()
            except SecureStorageUnavailable:
                # The Demo Company's sign-ins are the simulators' own: with no secure storage
                # on this computer they stay in memory (the wizard's first page says so; on
                # the command line, where they last one command, run_command says so).
                log.warning("No secure password storage: Demo Company sign-ins kept in memory")
                tokens = demo_memory_store()
        if sandbox is not None and opener is None and getattr(args, "command", None):
            from core.services.auth.xero_oauth import demo_consent_opener

            # Headless Demo Company: "click" Allow on the consent page for the organisation
            # asked for (or every one), as the user would in the browser.
            orgs = sandbox.store.xero_orgs
            wanted = (_flag(args, "org") or "").casefold()
            tenants = [
                o["tenantId"]
                for o in orgs
                if not wanted
                or wanted in (o["tenantId"].casefold(), o.get("tenantName", "").casefold())
            ]
            opener = demo_consent_opener(tenants or [o["tenantId"] for o in orgs])
        return AppContext.create(
            demo=sandbox is not None, paths=paths, tokens=tokens, opener=opener, sandbox=sandbox
        )
    except BaseException:
        if sandbox is not None:
            sandbox.stop()
        raise


def start_demo_company(args: argparse.Namespace, paths: AppPaths) -> Any:
    """The Demo Company's simulators. For the wizard, in a child process: their work then
    never holds the window's interpreter lock, and the child ends with the app, however it
    ends; it is launched, not waited for (the first use of its addresses waits). The
    headless commands have no window to keep responsive and reach into the simulators' data
    (the consent "click" above): they run them in this process, which also saves a process
    start per command."""
    state = _flag(args, "demo_state")
    data = _flag(args, "demo_data")
    state_dir = Path(state) if state else paths.demo_state
    if getattr(args, "command", None) is None:
        from core.sandbox.process import DemoCompanyProcess

        return DemoCompanyProcess.launch(data, state_dir, log_file=paths.logs / "demo-company.log")
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox

    return Sandbox.open(data or DEMO_COMPANY_FILE, state_dir)


def _run_demo_company_flag() -> str:
    from core.sandbox.process import RUN_DEMO_COMPANY  # subprocess: only with an argument

    return RUN_DEMO_COMPANY


def _demo_requested(args: argparse.Namespace) -> bool:
    return bool(_flag(args, "demo") or _flag(args, "demo_data") or _flag(args, "demo_state"))


def _read_key() -> str:
    """The access key from standard input: typed at a terminal, asked for without showing
    it (it would stay on screen and in the terminal's history); otherwise its first line."""
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        import getpass

        from core.i18n import tr

        return getpass.getpass(tr("QuickBooks Time access key (not shown as you type): "))
    return stdin.readline() if stdin is not None else ""


#: the commands that only read the app's data: they read it beside the window (or a command)
#: that holds it, without the one-instance lock. Not `history`: it says a run no process
#: holds the lock for was interrupted, which only the lock shows.
READ_ONLY_COMMANDS = frozenset({"status"})


def open_for(command: str, ctx: Any) -> None:
    """Open the database for ``command``: to read only for READ_ONLY_COMMANDS when it can be
    read so (the window may hold it); else under the one-instance lock, which a command that
    writes never goes without (AlreadyRunning: the window is open, or another command runs)."""
    if command in READ_ONLY_COMMANDS:
        from core.store.db import open_app_database_to_read

        if open_app_database_to_read(ctx.paths) is not None:
            return
    ctx.open_db()


def run_command(args: argparse.Namespace, ctx: Any) -> int:
    from core.app import cli
    from core.app.heap import for_this_process

    out = cli.Output(as_json=bool(_flag(args, "json")))
    command = args.command
    for_this_process()  # a headless command: the engine's bulk work only (core.app.heap)
    # The Demo Company on a computer with no secure storage: its sign-ins last one command
    # (make_context), which every command says (with --json, in its answer).
    memory_note = None
    if getattr(getattr(ctx, "tokens", None), "in_memory", False):
        from core.store.secrets import demo_memory_notice

        memory_note = demo_memory_notice()
        out.notes["sign_ins_kept_between_commands"] = False
        out.notes["sign_ins_note"] = memory_note
    said_instead = False  # (a command that needed such a sign-in says it in its error)
    try:
        open_for(command, ctx)
        if command == "connect-qbtime":
            if args.token_stdin:
                token = _read_key()
            elif ctx.demo:  # the key of a Demo Company account no business uses yet
                from core.app.connections import demo_qbtime_key

                token = demo_qbtime_key(ctx)
            elif sys.stdin is not None and sys.stdin.isatty():
                token = _read_key()  # typed at a terminal: asked for, not shown
            else:
                from core.i18n import tr

                print(
                    tr(
                        "Give the access key on standard input with --token-stdin "
                        "(never on the command line, where other programs can read it)."
                    ),
                    file=sys.stderr,
                )
                return cli.EXIT_USAGE
            return cli.cmd_connect_qbtime(ctx, out, token)
        if command == "connect-xero":

            def show(url: str) -> None:
                if not ctx.demo:
                    out.say("Open this link to sign in to Xero if no browser window appeared:")
                    out.say(url)

            return cli.cmd_connect_xero(ctx, out, args.org, args.country, on_url=show)
        if command == "status":
            return cli.cmd_status(ctx, out)
        if command == "fetch":
            return cli.cmd_fetch(ctx, out, args.org, args.full)
        if command == "disconnect":
            return cli.cmd_disconnect(ctx, out, args.org)
        if command == "sync":
            return cli.cmd_sync(ctx, out, args.org, args.dry_run, args.full)
        if command == "options":
            return cli.cmd_options(ctx, out, args.org, args.assignments)
        if command == "review":
            return cli.cmd_review(ctx, out, args.org, args.export, args.import_file)
        if command == "history":
            return cli.cmd_history(ctx, out, args.org, args.run_id)
        if command == "undo":
            return cli.cmd_undo(ctx, out, args.org, args.run_id, args.cascade)
        if command == "export-hours":
            return cli.cmd_export_hours(
                ctx, out, args.org, args.period, args.dry_run, args.calendar
            )
        if command == "bill-time":
            return cli.cmd_bill_time(
                ctx,
                out,
                args.org,
                args.start,
                args.end,
                args.dry_run,
                args.include_unapproved,
                args.name_people,
                _flag(args, "invoice_language"),
            )
        if command == "invoices":
            return cli.cmd_invoices(ctx, out, args.org)
        raise AssertionError(command)
    except cli.BridgeError as exc:
        if memory_note:
            from core.store.secrets import demo_sign_in_not_kept

            converted = demo_sign_in_not_kept(exc)
            said_instead = converted is not exc
            exc = converted
        log.warning("%s failed: %s", command, exc)
        return out.error(exc)
    except (Exception, KeyboardInterrupt) as exc:
        return out.error(explain(exc, ctx.paths, command))
    finally:
        if memory_note and not said_instead:
            out.warn(memory_note)  # (after the command's own words; with --json, in them)


def explain(exc: BaseException, paths: AppPaths, command: str | None) -> Any:
    """An exception no command handled, as the sentence a user reads: a storage problem
    (damaged file, read-only, disk full) says what to do; anything else names the log file,
    where the traceback goes (never to the terminal)."""
    from core.errors import BridgeError, CommandInterrupted, UnexpectedError
    from core.store.db import app_database_files, storage_error

    if isinstance(exc, BridgeError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        log.warning("%s stopped by the user (Ctrl+C)", command)
        return CommandInterrupted()
    db_path, backups, _marker = app_database_files(paths)
    translated = storage_error(exc, db_path, backups)
    if translated is not None:
        log.warning("%s failed on storage: %s", command, exc, exc_info=exc)
        return translated
    log.error("%s failed unexpectedly", command, exc_info=exc)
    return UnexpectedError(
        detail=type(exc).__name__, reason=type(exc).__name__, log=str(paths.log_file)
    )


def run_gui(
    args: argparse.Namespace,
    paths: AppPaths,
    *,
    tokens: Any = None,
    opener: Callable[[str], Any] | None = None,
) -> int:
    """The wizard. Setting up (keyring check, Demo Company) happens before the window shows;
    the database is opened (on a first run, created) once the first page is painted, on a
    worker (the one-instance lock is taken before: a second copy of the app still says so at
    once). Any failure is shown as a sentence, not a trace, with its remedy when there is one
    (a damaged or lost database: the window closes and the start says it, as before it)."""
    # The Demo Company's child process first: it starts while this one loads Qt.
    demo = start_demo_company(args, paths) if _demo_requested(args) else None
    try:
        from core.errors import BridgeError
        from wizard.app import (
            DATABASE_NOT_OPENED,
            ensure_app,
            offer_recovery,
            run_wizard,
            show_startup_error,
        )

        ensure_app()
    except BaseException:
        if demo is not None:
            demo.stop()
        raise
    if tokens is None and demo is None:
        from core.store.secrets import TokenStore

        # The computer's keyring is found at its first use, on a worker thread: importing
        # the keyring package and discovering its backends is not on the way to the window.
        # No secure storage is then said by the page that needed it.
        tokens = TokenStore(lazy=True)
    try:
        ctx = make_context(args, paths, tokens=tokens, opener=opener, demo=demo)
    except BridgeError as exc:  # (e.g. a Demo Company file that cannot be used)
        return show_startup_error(exc)
    try:
        while True:
            try:
                if ctx.db_pending:
                    # The window could not open it (wizard.app: it closed): once more here,
                    # where what went wrong is said with its remedy (restore a backup copy).
                    ctx.open_db()
                else:
                    # Opened once the first page is painted, on a worker (issue 16): the
                    # page the user sees first waits for no database (wizard.app.open_wizard).
                    ctx.lock_instance()
                    ctx.db_pending = True
            except Exception as exc:  # damaged, lost, read-only, full…: a sentence, maybe a remedy
                ctx.close()
                problem = explain(exc, paths, "wizard")
                if not offer_recovery(problem, paths):
                    return show_startup_error(problem.user_message())
                ctx = make_context(args, paths, tokens=tokens, opener=opener)
                continue
            code = run_wizard(ctx)
            if code != DATABASE_NOT_OPENED or not ctx.db_pending:
                return code
    finally:
        ctx.close()


def main(
    argv: list[str] | None = None, *, tokens: Any = None, opener: Callable[[str], Any] | None = None
) -> int:
    """The app. Whatever goes wrong ends in one sentence and exit code 1, never a traceback
    (that goes to the log file)."""
    try:
        return _main(argv, tokens=tokens, opener=opener)
    except (Exception, KeyboardInterrupt) as exc:
        paths = AppPaths.default()
        root = logging.getLogger()
        if not root.handlers:  # (no log file could be set up: no traceback on the terminal)
            root.addHandler(logging.NullHandler())
        try:
            from core.i18n import set_language, system_language

            set_language(system_language())  # (a start that failed early speaks it too)
            message = explain(exc, paths, "start").user_message()
        except Exception:  # even the explanation failed (no log folder…): the bare minimum
            message = f"The app could not start: {type(exc).__name__}: {exc}"
        print(message, file=sys.stderr, flush=True)
        return 1


def _main(
    argv: list[str] | None = None, *, tokens: Any = None, opener: Callable[[str], Any] | None = None
) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--run-engine"]:
        # Hidden: the engine's child process (core/app/worker_process.py RUN_ENGINE; in a
        # frozen build sys.executable is this app, so it cannot be `python -m ...`).
        from core.app.worker_process import serve_stdio

        return serve_stdio()
    if arguments[:1] and arguments[0] == _run_demo_company_flag():
        # Hidden: the Demo Company's child process (core/sandbox/process.py; in a frozen build
        # sys.executable is this app, so it cannot be `python -m core.sandbox`).
        from core.sandbox.server import serve

        return serve(arguments[1:], prog=f"{Path(sys.argv[0]).name} {_run_demo_company_flag()}")
    if "--self-test" in arguments:
        # Before anything else: no user folders, no logging set-up, no keyring, no window.
        from wizard.selftest import run

        return run()
    # No argument (the desktop shortcut): the window, with nothing to parse (building the
    # parser of every command is not on the way to the first page).
    if not arguments:
        args = argparse.Namespace(command=None)
    else:  # its help and usage mistakes in the language the commands speak (the system's)
        from core.i18n import system_language

        args = build_parser(system_language()).parse_args(arguments)
    paths = AppPaths.default().ensure()
    # The window's log file is opened once its first page is painted (wizard.app), the
    # records before it kept in memory until then (core.logsetup.LogFile).
    setup_logging(
        paths.log_file,
        logging.DEBUG if _flag(args, "verbose") else logging.INFO,
        deferred=args.command is None,
    )
    log.info("xero-qbtime-bridge %s starting (%s)", __version__, args.command or "demo")
    if args.command == "demo-servers":
        return run_demo_company(
            paths, _flag(args, "demo_data"), _flag(args, "demo_state"), bool(_flag(args, "json"))
        )
    if args.command == "screenshots":
        from wizard.screenshots import take_screenshots

        code = take_screenshots(
            Path(args.out), [x.strip() for x in args.lang.split(",") if x.strip()]
        )
        # PySide6 has crashed in the interpreter's final garbage collection after several
        # offscreen wizards (bool_dealloc, exit 134) although every file was written: the work
        # is done and flushed, so leave without that last collection.
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    if args.command is None:
        try:
            return run_gui(args, paths, tokens=tokens, opener=opener)
        finally:
            open_log_file()  # a start that failed before the first page: its records too

    from core.app import cli
    from core.i18n import set_language, system_language

    # The commands speak the language the window would: the system's (LANG, LC_ALL, ...).
    set_language(system_language())
    out = cli.Output(as_json=bool(_flag(args, "json")))
    try:
        if args.command == "restore-backup":  # before anything opens the database
            return cli.cmd_restore_backup(paths, out, args.backup, args.start_afresh)
        ctx = make_context(args, paths, tokens=tokens, opener=opener)
    except (Exception, KeyboardInterrupt) as exc:  # e.g. no secure keyring: say so, never fall back
        problem = explain(exc, paths, args.command)
        log.warning("%s failed: %s", args.command, problem)
        return out.error(problem)
    try:
        return run_command(args, ctx)
    finally:
        try:  # (what Xero said of its day's limit, for `status`, whatever the command)
            cli.remember_every_day_remaining(ctx)
        except Exception as exc:  # the answer is given: a sentence in the log only
            log.warning("Xero's calls left were not kept after %s: %s", args.command, exc)
        try:
            ctx.close()
        except Exception as exc:  # closing a damaged or full database: the answer is given
            log.warning("closing after %s failed: %s", args.command, exc, exc_info=exc)


if __name__ == "__main__":
    sys.exit(main())
