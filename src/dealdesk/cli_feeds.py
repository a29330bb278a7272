"""`dealdesk feeds import FILE.opml` and `dealdesk feeds export`: the command line of
feeds_opml (OPML in and out of feeds.toml)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import load

EXIT_OK = 0
EXIT_USAGE = 2


def feeds_command(args: argparse.Namespace, config_dir: Path) -> int:
    from . import feeds_opml

    if args.feeds_command == "export":
        sys.stdout.write(feeds_opml.export_opml(load(config_dir).feeds))
        return EXIT_OK
    refusal = _installed_copy(args, config_dir)
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    try:
        result = feeds_opml.import_opml(config_dir, Path(args.file))
    except feeds_opml.OpmlError as exc:
        print(f"{_shown_path(args.file)}: {exc}; nothing imported", file=sys.stderr)
        return EXIT_USAGE
    for feed in result.added:
        print(f"added    {feed.name}  {feed.url}")
    for what, why in result.skipped:
        print(f"skipped  {what}  {why}")
    where = config_dir / "feeds.toml"
    print(f"{len(result.added)} added to {where}, {len(result.skipped)} skipped")
    return EXIT_OK


def _installed_copy(args: argparse.Namespace, config_dir: Path) -> str | None:
    """Why `config_dir` must not be written to, or None. The copy installed with the package
    is overwritten by the next upgrade (and often not writable): an import there would be
    lost. It is reached when no config was chosen (no --config, no $DEALDESK_CONFIG, no
    ./config), or chosen by naming the installed copy itself."""
    from .config import packaged_config_dir

    packaged = packaged_config_dir()
    try:
        same = config_dir.resolve() == packaged.resolve()
    except OSError:
        same = False
    if not same:
        return None
    chosen = bool(args.config or os.environ.get("DEALDESK_CONFIG")
                  or (Path.cwd() / "config" / "dealdesk.toml").is_file())
    if chosen and packaged.name != "_config":  # a checkout's own config/, chosen: the user's
        return None
    return (f"dealdesk: {config_dir} is the config installed with dealdesk, replaced on "
            "upgrade; copy it to a directory of your own and pass --config DIR (or set "
            "DEALDESK_CONFIG); nothing imported")


def _shown_path(name: str) -> str:
    """A file name from the command line, printable on one line."""
    return name if name.isprintable() else ascii(name)
