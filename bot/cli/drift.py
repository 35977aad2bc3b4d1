"""`mlpulse drift`: a Model Monitor report, or drift computed by mlpulse itself.

    mlpulse drift LOCATION [--baseline BASELINE_LOCATION] [--json]
        the report of one Model Monitor (or Clarify) output: a local folder or file, or an
        s3:// prefix; baseline figures from a `baseline/` folder beside it or from
        --baseline (a folder or prefix holding the baseline statistics.json/constraints.json);
        without a violations file the constraints are evaluated by mlpulse (bot.drift.evaluate)
    mlpulse drift --baseline A.csv --current B.csv|B.jsonl|CAPTURE_PREFIX/ [--json]
        per feature PSI and Kolmogorov–Smirnov (numeric) or PSI and Jensen–Shannon
        (categorical), each with a verdict (thresholds in bot.drift.stats); --current may be
        SageMaker data-capture JSON lines, or a folder or s3:// prefix of them

Text for people by default; `--json` prints the Slack payload. Nothing readable: exit 2.
The heavy imports (numpy, scipy, matplotlib, boto3) wait until the command runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.core.errors import InputError

MAX_CAPTURE_FILES = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("location", nargs="?", metavar="LOCATION")
    parser.add_argument(
        "--baseline", metavar="A.csv|FOLDER", help="baseline data, or baseline report folder"
    )
    parser.add_argument("--current", metavar="B.csv|B.jsonl", help="current data to compare")
    parser.add_argument("--json", action="store_true", help="print the Slack payload")


def run(args: argparse.Namespace) -> int:
    if args.location and args.current:
        raise InputError("give either LOCATION or --baseline A.csv --current B.csv, not both")
    if args.location:
        return _report(args.location, args.baseline, args.json)
    if args.baseline and args.current:
        return _compare(args.baseline, args.current, args.json)
    raise InputError(
        "give a Model Monitor output (`mlpulse drift s3://bucket/prefix`) or two datasets "
        "(`mlpulse drift --baseline A.csv --current B.csv`)"
    )


def _s3() -> Any:
    from bot.aws.clients import AwsClients

    return AwsClients().s3


def _report(location: str, baseline: str | None, as_json: bool) -> int:
    from bot.drift.files import open_folder
    from bot.drift.render import render_report
    from bot.drift.reports import load
    from bot.drift.textual import report_text

    folder = open_folder(location, _s3)
    report = load(folder, open_folder(baseline, _s3) if baseline else None)
    if as_json:
        payload, _ = render_report(report)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(report_text(report), end="")
    return 0


def _compare(baseline: str, current: str, as_json: bool) -> int:
    from bot.drift.compare import compare_tables
    from bot.drift.render import render_comparison
    from bot.drift.textual import comparison_text

    comparison = compare_tables(load_table(baseline), load_table(current))
    if not comparison.features:
        raise InputError(f"{baseline} and {current} have no column in common")
    if as_json:
        payload = render_comparison(comparison, baseline, current)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(comparison_text(comparison, baseline, current), end="")
    return 0


def load_table(location: str) -> Any:
    """A CSV or data-capture file, or every `*.jsonl` under a folder or s3:// prefix."""
    from bot.drift.datasets import read_capture, read_table
    from bot.drift.files import is_s3, open_folder, read_one

    if _is_folder(location):
        folder = open_folder(location, _s3)
        names = [n for n in folder.names() if n.lower().endswith(".jsonl")][:MAX_CAPTURE_FILES]
        chunks = [raw.decode("utf-8", "replace") for n in names if (raw := folder.read(n))]
        if not chunks:
            raise InputError(f"no data-capture .jsonl files under {location}")
        table = read_capture("\n".join(chunks), location)
    else:
        if not is_s3(location) and not Path(location).expanduser().is_file():
            raise InputError(f"{location}: no such file")
        table = read_table(read_one(location, _s3), location)
    if not table.rows:
        raise InputError(f"{location} holds no data rows")
    return table


def _is_folder(location: str) -> bool:
    if location.lower().startswith("s3://"):
        return location.endswith("/")
    return Path(location).expanduser().is_dir()
