"""`dealdesk`: the dashboard and its headless commands.

Headless commands (dump, check, refresh, ingest) never import textual: it costs start-up time
in cron and over SSH, and a test keeps it that way.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .config import (
    PASSED_FILE,
    STORE_FILE,
    Config,
    ConfigError,
    Settings,
    load,
    load_fetch,
    load_remembering,
    resolve_cache_dir,
    resolve_config_dir,
    resolve_data_dir,
)
from .model import FeedSpec
from .store.errors import StoreError
from .story_commands import UsageError

if TYPE_CHECKING:
    from .store import Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FEEDS_FAILED = 0, 1, 2, 3
DUMP_NEWS_LIMIT = 500


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="DIR", default=default,
                        help="config directory (default: $DEALDESK_CONFIG, ./config, built-in)")
    parser.add_argument("--data", metavar="DIR", default=default,
                        help="data directory for the news archive (default: $DEALDESK_DATA, "
                             "the user data dir)")
    parser.add_argument("--debug", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="show tracebacks for unexpected errors")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, told the terminal's width: its own way imports shutil (bz2, lzma, ~3 ms),
    and every command pays for it, while only --help needs the width."""

    def __init__(self, prog: str, **kwargs: int) -> None:
        kwargs.setdefault("width", _columns() - 2)
        super().__init__(prog, **kwargs)


def _columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            stdout = sys.__stdout__  # None without one: the AttributeError below
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


# What a dashboard start is made of, most often nothing at all (`make run`): such a command
# line is parsed by the top parser alone. Making the commands' parsers is ~1.5 ms of the
# time to the first frame, and none of them is used. Anything else (a command, -h, an
# abbreviation, --as-of, whose bad value is an error that prints the usage) goes to the
# full parser, so every help and error text is the full parser's.
_DASHBOARD_FLAGS = frozenset({"--debug"})
_DASHBOARD_VALUED = frozenset({"--config", "--data"})


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    tokens = sys.argv[1:] if argv is None else list(argv)
    if _dashboard_only(tokens):
        return _top_parser().parse_args(tokens)
    return build_parser().parse_args(tokens)


def _dashboard_only(tokens: Sequence[str]) -> bool:
    """Only --debug, --config DIR / --config=DIR and --data likewise: no error possible."""
    value_next = False
    for token in tokens:
        if value_next:
            if token.startswith("-"):  # argparse: "expected one argument"
                return False
            value_next = False
            continue
        name, equals, _ = token.partition("=")
        if name in _DASHBOARD_VALUED:
            value_next = not equals
        elif token not in _DASHBOARD_FLAGS:
            return False
    return not value_next


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealdesk",
        description="A terminal dashboard that follows the AI compute build-out.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dealdesk {__version__}")
    _common(parser, suppress=False)
    _as_of(parser, suppress=False)
    parser.set_defaults(command=None)  # as the commands' `dest` leaves it without one
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Subparsers do not inherit formatter_class.
    sub_parser = functools.partial(sub.add_parser, formatter_class=_HelpFormatter)
    p = sub_parser("refresh", help="fetch every feed once, headless")
    p.add_argument("--force", action="store_true",
                   help="also fetch feeds that are backing off after errors")
    p.add_argument("--alerts", action="store_true",
                   help="then evaluate the watches and deliver new alerts: print each one "
                        "(nothing when there is none) and run [alerts] command")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _common(p, suppress=True)
    p = sub_parser("alerts", help="list alerts not yet delivered (--all: every alert)")
    p.add_argument("--all", action="store_true", help="also those already delivered")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _common(p, suppress=True)
    p = sub_parser("dump", help="print every panel from config + store (no network)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _as_of(p, suppress=True)
    _common(p, suppress=True)
    p = sub_parser("diff", help="every change of a fact between two days")
    p.add_argument("--since", metavar="DATE|last", required=True,
                   help="from this day (inclusive), or `last`: the day the dashboard last "
                        "closed or diff last ran")
    p.add_argument("--until", metavar="DATE", type=_iso_date, default=None,
                   help="to this day (inclusive; default: today)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _common(p, suppress=True)
    p = sub_parser("report", help="a one-page briefing with footnoted sources")
    p.add_argument("--format", choices=("md", "html"), default="md")
    _as_of(p, suppress=True)
    p.add_argument("--since", metavar="DATE", type=_iso_date, default=None,
                   help="list what changed from this day (default: 30 days before --as-of)")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="write to FILE (default: standard output)")
    _common(p, suppress=True)
    p = sub_parser("check", help="validate the config")
    _common(p, suppress=True)
    p = sub_parser("ingest", help="propose facts from an article's text")
    p.add_argument("file", metavar="FILE", help="a text file, or - for standard input")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.add_argument("--format", choices=("toml", "json"), default="toml")
    p.add_argument("--date", type=_iso_date, default=None,
                   help="the article's date, YYYY-MM-DD (default: today)")
    _common(p, suppress=True)
    p = sub_parser("feeds", help="import or export the feed list as OPML")
    _common(p, suppress=True)
    feeds_sub = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    q = feeds_sub.add_parser("import", formatter_class=_HelpFormatter,
                             help="add the feeds of an OPML file to feeds.toml")
    q.add_argument("file", metavar="FILE.opml")
    _common(q, suppress=True)
    q = feeds_sub.add_parser("export", formatter_class=_HelpFormatter,
                             help="print the feeds as OPML 2.0")
    _common(q, suppress=True)
    return parser


def _as_of(parser: argparse.ArgumentParser, suppress: bool) -> None:
    parser.add_argument("--as-of", metavar="DATE", type=_iso_date,
                        default=argparse.SUPPRESS if suppress else None,
                        help="show the story as known on this day, YYYY-MM-DD (default: today)")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:  # already one line naming the file and what to do
        print(f"dealdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"dealdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `dealdesk dump | head`: the reader left; nothing is wrong and nothing more to say.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # the contract: a short message, the traceback only with --debug
        if getattr(args, "debug", False):
            raise
        print(f"dealdesk: unexpected error: {type(exc).__name__}: {exc} "
              "(run again with --debug for details)", file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    config_dir = resolve_config_dir(args.config)
    # Every command, even one that never opens the store: a --data that cannot be used is
    # the same exit 2 everywhere, never a dump with no news and exit 0.
    data_dir = resolve_data_dir(args.data)
    check_data_dir(data_dir)
    if args.command == "ingest":
        return _ingest(args, config_dir)
    if args.command == "refresh" and args.alerts:
        from .cli_alerts import refresh_alerts

        config = load_remembering(config_dir, resolve_cache_dir() / PASSED_FILE)
        code = _refresh(config.settings, config.feeds, data_dir / STORE_FILE, args.force,
                        quiet=True)
        return refresh_alerts(config, data_dir / STORE_FILE, args.format, _now(), code)
    if args.command == "feeds":
        from .cli_feeds import feeds_command

        return feeds_command(args, config_dir)
    if args.command == "refresh":
        settings, feeds = load_fetch(config_dir, resolve_cache_dir() / PASSED_FILE)
        return _refresh(settings, feeds, data_dir / STORE_FILE, args.force,
                        fmt=args.format)
    if args.command == "alerts":
        from .cli_alerts import list_alerts

        return list_alerts(load(config_dir), data_dir / STORE_FILE, args.all, args.format,
                           _now())
    if args.command == "check":
        return _check(load_remembering(config_dir, resolve_cache_dir() / PASSED_FILE))
    from .config.cached import load_cached

    # The same files as last time: the config they made then (config.cached).
    config = load_cached(config_dir, resolve_cache_dir())
    store_path = data_dir / STORE_FILE
    if args.command == "dump":
        return _dump(config, store_path, args.format, args.as_of)
    if args.command == "diff":
        from .story_commands import run_diff

        run_diff(config, data_dir, store_path, args.since, args.until, args.format, _now())
        return EXIT_OK
    if args.command == "report":
        from .story_commands import run_report

        return run_report(config, store_path, args.format, args.as_of, args.since,
                          args.output, _now())
    return _dashboard(config, store_path, args.as_of, args.debug)


def check_data_dir(data_dir: Path) -> None:
    """StoreError (exit 2, one line) unless `data_dir` is a directory DealDesk can use: one
    that exists and can be written to, or can be created (a missing one is a first run)."""
    where = data_dir
    # The nearest part that exists (a dangling symlink counts: it cannot be made a dir).
    while not os.path.lexists(where) and where.parent != where:
        where = where.parent
    hint = "pass a writable directory as --data DIR (or $DEALDESK_DATA)"
    if os.path.lexists(where) and not where.is_dir():
        what = "not a directory" if where == data_dir else f"cannot be created ({where} is a file)"
        raise StoreError(f"{data_dir}: {what}; {hint}")
    if where.exists() and not os.access(where, os.W_OK | os.X_OK):
        # Named as the store would name it: the file that cannot be written.
        raise StoreError(f"{data_dir / STORE_FILE}: cannot write the data directory "
                         f"(read-only?); {hint}")


def _check(config: Config) -> int:
    story = config.story
    print(
        f"{config.dir}: ok — {len(story.sources)} sources, {len(story.partners)} partners, "
        f"{len(story.users)} user counts, {len(story.risks)} risks, {len(story.events)} events, "
        f"{len(config.feeds)} feeds, {len(config.watches)} watches"
    )
    return EXIT_OK


def _now() -> datetime:
    return datetime.now(UTC)


def _dump(config: Config, store_path: Path, fmt: str, as_of: date | None = None) -> int:
    from . import dump
    from .story_commands import read_story
    from .view import news_line

    now = _now()
    # Accepted figures are facts: they show in every panel and in the timeline. With
    # --as-of, only those accepted by that day, and the news published by then.
    data = read_story(config, store_path, now, as_of, enrich=_enrich_and_watch)
    snap, items, feeds, signals = data.snap, data.items, data.feeds, data.signals
    archive = dump.archive_json(data.archive, config.settings.keep_days)
    archive["hidden"] = data.hidden  # items the exclude filters hide: stored, not shown
    if fmt == "json":
        dump.write_json(dump.to_json_dict(
            snap, now, dump.news_json(items), dump.feeds_json(feeds), dump.signals_json(signals),
            archive, dump.alerts_json(data.alerts),
        ), sys.stdout)
    else:
        lines = [news_line(i) for i in items]
        dump.write_text(snap, sys.stdout, lines, now, archive=archive)
    return EXIT_OK


def _enrich_and_watch(config: Config, store: Store, now: datetime) -> None:
    """`dump`'s pass before it shows anything: enrich what a headless refresh stored (tags,
    figures, status moves), then evaluate the watches, so the alerts key shows every match."""
    from .cli_alerts import enrich, evaluate_quietly

    enrich(config, store, now)
    evaluate_quietly(config, store, now)


def _refresh(
    settings: Settings,
    feeds: Sequence[FeedSpec],
    store_path: Path,
    force: bool,
    quiet: bool = False,
    fmt: str = "text",
) -> int:
    """Fetch every feed once. `quiet` (refresh --alerts): stdout is for alerts alone, so a
    failed feed is one line on stderr and nothing else is said."""
    from .news import early

    # The first requests go out now, and the event loop takes them over once asyncio and
    # httpx, imported next, are loaded.
    head_start = early.from_store(feeds, store_path, settings.limits, _now(), force,
                                  respect_interval=False)
    from .news.refresh import run_refresh

    # Fetch, parse and store only: tagging and finding figures (the enrichment pass) is
    # left to the dashboard's refresh and to `dump`, which run it before they show anything.
    report = run_refresh(
        feeds,
        store_path,
        settings.limits,
        {},  # the enrichment is off
        _now,
        force=force,
        respect_interval=False,  # "fetch every feed once", except those backing off
        enrich=False,
        head_start=head_start,
        keep_days=settings.keep_days,
    )
    # Padded by the cells a terminal gives each name (wide CJK, emoji), not by len().
    width = max((_cells(name) for name in (*(o.name for o in report.outcomes),
                                           *report.skipped)), default=4)

    def pad(name: str) -> str:
        return name + " " * (width - _cells(name))

    if quiet:
        for o in report.outcomes:
            if o.error:
                print(f"{o.name}: {o.error}", file=sys.stderr)
        if report.prune_error:
            print(report.prune_error, file=sys.stderr)
        return EXIT_FEEDS_FAILED if report.failed else EXIT_OK
    if fmt == "json":
        import json

        json.dump({"feeds": [{"name": o.name, "status": o.status, "new_items": o.new_items,
                              "elapsed_ms": o.elapsed_ms, "error": o.error}
                             for o in report.outcomes],
                   "skipped": list(report.skipped), "failed": report.failed,
                   "pruned": report.pruned}, sys.stdout, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
        return EXIT_FEEDS_FAILED if report.failed else EXIT_OK
    for o in report.outcomes:
        detail = f"  {o.error}" if o.error else ""
        print(f"{pad(o.name)}  {o.status:<12}  {o.new_items:>5} new  {o.elapsed_ms:>6} ms"
              f"{detail}")
    for name in report.skipped:
        print(f"{pad(name)}  {'skipped':<12}  backing off after errors")
    print(f"{len(report.outcomes)} feeds, {sum(o.new_items for o in report.outcomes)} new items, "
          f"{report.failed} failed")
    if report.pruned:
        print(f"{report.pruned} items older than {settings.keep_days:,} days pruned "
              "([archive] keep_days)")
    if report.prune_error:
        print(report.prune_error, file=sys.stderr)
    return EXIT_FEEDS_FAILED if report.failed else EXIT_OK


def _cells(text: str) -> int:
    """Terminal cells of `text` (wcwidth rules: wide and fullwidth 2, combining and format
    characters 0). unicodedata, not rich.cells: importing Rich costs `refresh` ~20 ms."""
    import unicodedata

    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Me", "Mn", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _ingest(args: argparse.Namespace, config_dir: Path) -> int:
    from .news.entities import EntityMatcher
    from .news.ingest import MAX_INPUT_BYTES, IngestError, read_text, render

    config = load(config_dir)  # the tracked names come from the config
    try:
        # One byte past the cap is enough to refuse a file: never more is held in memory.
        if args.file == "-":
            raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(args.file, "rb") as f:
                raw = f.read(MAX_INPUT_BYTES + 1)
        text = read_text(raw)
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except IngestError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    del raw
    source_id = "new-source" if args.file == "-" else Path(args.file).stem
    story = config.story
    matcher = EntityMatcher(story.entities())
    sys.stdout.write(render(
        text, matcher, lang=args.lang, fmt=args.format, source_id=source_id,
        published=args.date, partners={p.name for p in story.partners},
        products={u.product for u in story.users},
        warn=lambda line: print(f"{args.file}: {line}", file=sys.stderr),
    ))
    return EXIT_OK


def terminal_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """Why the dashboard cannot run here, in one line, or None. Without a terminal on both
    sides (`ssh host dealdesk` without -t, cron, a pipe) it would draw escape codes into a
    file and, its input at end-of-file, wait for keys that never come."""
    def is_tty(stream: TextIO | None) -> bool:
        try:
            return bool(stream is not None and stream.isatty())
        except (ValueError, OSError):  # closed
            return False

    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if not is_tty(stream)]
    if missing:
        return (f"dealdesk: the dashboard needs a terminal, and its standard "
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not one; "
                "over SSH ask for one with `ssh -t HOST dealdesk` (`dealdesk dump` and "
                "`dealdesk refresh` need none)")
    if environ.get("TERM", "") == "dumb":
        return ("dealdesk: this terminal (TERM=dumb) cannot show the dashboard; "
                "`dealdesk dump` prints every panel as text")
    return None


def _dashboard(
    config: Config, store_path: Path, as_of: date | None = None, debug: bool = False
) -> int:
    from .state import save_last_seen
    from .store.schema import SchemaMixin
    from .story_commands import check_as_of

    if as_of is not None:
        check_as_of(as_of, _now())  # a day after today is a usage error, before the screen

    # Open (and migrate) the store before the screen changes, so a corrupt, foreign or
    # read-only store is one clear line in the shell rather than a broken dashboard. The
    # schema's part of the store is all that takes: the rest is read after the first frame.
    SchemaMixin.open(store_path).close()
    # Then the terminal: a config or store problem is worth fixing whatever the terminal.
    problem = terminal_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    # Importing Textual makes tens of thousands of objects and no garbage: the collector's
    # passes over them (~9 ms) would only delay the first frame. Frozen (moved out of its
    # reach) before it runs again: else its first pass after this walks every one of them,
    # 13-15 ms just before the first frame.
    gc.disable()
    try:
        from .tui.app import DealDeskApp
    finally:
        gc.freeze()
        gc.enable()
    app = DealDeskApp(config, store_path, as_of=as_of)
    if not debug:  # Textual prints a crash's traceback itself: only with --debug
        # A private Textual method replaced (Textual 8.2.8 has no public switch; listed in
        # tui/internals.py): mypy refuses assigning to a method, which is the point here.
        app._print_error_renderables = app._exit_renderables.clear  # type: ignore[method-assign]
    app.run()
    # `dealdesk diff --since last` starts from here (README: "What changed").
    save_last_seen(store_path.parent, _now())
    return _dashboard_exit(app)


def _dashboard_exit(app: Any) -> int:
    """0 after `q`; 128 + the signal after SIGHUP, SIGTERM or SIGINT, or a hangup
    (tui.driver); 1 with one line when the dashboard died (Textual caught an exception and
    closed it): a script or a supervisor must tell a crash from a quit."""
    code = app.return_code or 0
    error = getattr(app, "_exception", None)  # private, no public one: tui/internals.py
    if error is None and (code == 0 or code > 128):
        return code
    reason = f"{type(error).__name__}: {' '.join(str(error).split())}" if error else "stopped"
    print(f"dealdesk: the dashboard stopped on an unexpected error: {reason} "
          "(run again with --debug for details)", file=sys.stderr)
    return EXIT_ERROR


def run() -> None:
    """The `dealdesk` command: main(), then exit without a last pass of the collector."""
    code = main()
    # Every object is about to go; a final full collection over all of them would only
    # delay the exit (~20 ms after a refresh). Freezing moves them out of its reach.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
