"""`dealdesk`: the dashboard and its headless commands.

Headless commands (dump, check, refresh, ingest) never import textual: it costs start-up time
in cron and over SSH, and a test keeps it that way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .config import STORE_FILE, Config, ConfigError, load, resolve_config_dir, resolve_data_dir

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FEEDS_FAILED = 0, 1, 2, 3


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealdesk",
        description="A terminal dashboard that follows the AI compute build-out.",
    )
    parser.add_argument("--version", action="version", version=f"dealdesk {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("refresh", help="fetch every feed once, headless")
    _common(p, suppress=True)
    p = sub.add_parser("dump", help="print every panel from config + store (no network)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _common(p, suppress=True)
    p = sub.add_parser("check", help="validate the config")
    _common(p, suppress=True)
    p = sub.add_parser("ingest", help="propose facts from an article's text")
    p.add_argument("file", metavar="FILE", help="a text file, or - for standard input")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.add_argument("--format", choices=("toml", "json"), default="toml")
    _common(p, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
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
    if args.command == "ingest":
        return _ingest(args, config_dir)
    config = load(config_dir)
    if args.command == "check":
        return _check(config)
    data_dir = resolve_data_dir(args.data)
    store_path = data_dir / STORE_FILE
    if args.command == "dump":
        return _dump(config, store_path, args.format)
    if args.command == "refresh":
        return _refresh(config, store_path)
    return _dashboard(config, store_path)


def _check(config: Config) -> int:
    story = config.story
    print(
        f"{config.dir}: ok — {len(story.sources)} sources, {len(story.partners)} partners, "
        f"{len(story.users)} user counts, {len(story.risks)} risks, {len(story.events)} events, "
        f"{len(config.feeds)} feeds"
    )
    return EXIT_OK


def _now() -> datetime:
    return datetime.now(UTC)


def _dump(config: Config, store_path: Path, fmt: str) -> int:
    from . import dump, facts

    now = _now()
    snap = facts.snapshot(config.story, now.date())
    if fmt == "json":
        dump.write_json(dump.to_json_dict(snap, now), sys.stdout)
    else:
        dump.write_text(snap, sys.stdout, [], now)
    return EXIT_OK


def _refresh(config: Config, store_path: Path) -> int:
    print("dealdesk refresh: not available yet", file=sys.stderr)
    return EXIT_ERROR


def _ingest(args: argparse.Namespace, config_dir: Path) -> int:
    from .news.entities import EntityMatcher
    from .news.ingest import render

    config = load(config_dir)  # the tracked names come from the config
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    text = raw.decode("utf-8", errors="replace")
    source_id = "new-source" if args.file == "-" else Path(args.file).stem
    matcher = EntityMatcher(config.story.entities())
    sys.stdout.write(render(text, matcher, lang=args.lang, fmt=args.format, source_id=source_id))
    return EXIT_OK


def _dashboard(config: Config, store_path: Path) -> int:
    from .tui.app import DealDeskApp

    DealDeskApp(config, store_path).run()
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
