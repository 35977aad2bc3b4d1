"""`mlpulse explain`: per-prediction explanations from SageMaker data capture, without Slack.

    mlpulse explain LOCATION [--last N] [--id ID] [--since 1h] [--where 'score>0.9'] [--json]
        LOCATION is a capture file, a folder of them, or an s3:// prefix (for example
        s3://bucket/datacapture/fraud-prod/): every `*.jsonl` under it, newest first

For each chosen prediction with Clarify online-explainability attributions: the prediction,
its baseline, and the features that pushed it most, strongest first (bot.explain). Text for
people by default; `--json` prints the Slack payload. Unreadable lines are reported on one
line per file and the rest is still shown; nothing readable at all: exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.core.clock import SystemClock
from bot.core.durations import parse_duration
from bot.core.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("location", metavar="LOCATION", help="capture file, folder or s3:// prefix")
    parser.add_argument("--last", type=int, default=3, help="how many predictions (default 3)")
    parser.add_argument("--id", help="one prediction, by its event id or inference id")
    parser.add_argument("--since", metavar="1h", help="only predictions this recent")
    parser.add_argument("--where", metavar="EXPR", help="filter, like 'score>0.9'")
    parser.add_argument("--json", action="store_true", help="print the Slack payload")


def run(args: argparse.Namespace) -> int:
    from bot.drift.files import open_folder
    from bot.explain.answer import Explained
    from bot.explain.scan import Selection, scan
    from bot.explain.where import parse_where

    if args.last < 1:
        raise InputError("--last takes a number of 1 or more")
    since = None
    if args.since:
        try:
            since = SystemClock().now() - parse_duration(args.since)
        except ValueError as error:
            raise InputError(f"--since: {error}") from None
    where = parse_where(args.where) if args.where else None
    folder = open_folder(args.location, _s3)
    single = not args.location.lower().startswith("s3://") and Path(args.location).is_file()
    names = [n for n in folder.names() if single or n.lower().endswith(".jsonl")]
    if not names:
        raise InputError(f"no data-capture .jsonl files at {args.location}")
    files = [(name, _reader(folder, name)) for name in reversed(names)]  # newest first
    selection = Selection(last=args.last, id=args.id, since=since, where=where)
    found = scan(files, selection)
    if not found.scanned and found.problems:
        raise InputError(f"nothing readable at {args.location}: {found.problems[0]}")
    explained = Explained(args.location, selection, scan=found)
    if args.json:
        from bot.explain.render import render_explained

        print(json.dumps(render_explained(explained), ensure_ascii=False, indent=2))
    else:
        from bot.explain.textual import explained_text

        print(explained_text(explained), end="")
    return 0


def _reader(folder: Any, name: str) -> Any:
    return lambda: folder.read(name)


def _s3() -> Any:
    from bot.aws.clients import AwsClients

    return AwsClients().s3
