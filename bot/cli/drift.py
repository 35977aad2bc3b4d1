"""`mlpulse drift`: a Model Monitor report, or drift computed by mlpulse itself.

    mlpulse drift LOCATION [--baseline BASELINE_LOCATION] [--json]
        the report of one Model Monitor (or Clarify) output: a local folder or file, or an
        s3:// prefix; baseline figures from a `baseline/` folder beside it or from
        --baseline (a folder or prefix holding the baseline statistics.json/constraints.json);
        without a violations file the constraints are evaluated by mlpulse (bot.drift.evaluate)
    mlpulse drift --baseline A --current B [--json] [--fail-on moderate|major]
        per feature n, PSI and Kolmogorov–Smirnov (numeric) or PSI and Jensen–Shannon
        (categorical), each with a verdict (rules in bot.drift.stats); A and B are CSV (any
        delimiter, gzip or not) or Parquet files, local or on S3; B may also be SageMaker
        data-capture JSON lines, or a folder or s3:// prefix of them

Text for people by default; `--json` prints the Slack payload. Exit status: 0 done;
2 (one `error:` line) nothing readable; 3 (`DRIFT_FOUND`) with --fail-on, when a feature's
verdict is that level or worse, so a pipeline step can stop on drift ("insufficient data"
never counts). The heavy imports (numpy, scipy, pyarrow, boto3) wait until the command runs.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.core.errors import InputError

DRIFT_FOUND = 3
FAIL_LEVELS = ("moderate", "major")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("location", nargs="?", metavar="LOCATION")
    parser.add_argument(
        "--baseline", metavar="A.csv|FOLDER", help="baseline data, or baseline report folder"
    )
    parser.add_argument("--current", metavar="B.csv|B.jsonl", help="current data to compare")
    parser.add_argument("--json", action="store_true", help="print the Slack payload")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        help=f"with --baseline/--current: exit {DRIFT_FOUND} when a feature's drift is this "
        "level or worse (for CI pipelines)",
    )


def run(args: argparse.Namespace) -> int:
    if args.location and args.current:
        raise InputError("give either LOCATION or --baseline A.csv --current B.csv, not both")
    if args.location:
        if args.fail_on:
            raise InputError("--fail-on goes with --baseline A --current B")
        return _report(args.location, args.baseline, args.json)
    if args.baseline and args.current:
        return _compare(args.baseline, args.current, args.json, args.fail_on)
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


def _compare(baseline: str, current: str, as_json: bool, fail_on: str | None) -> int:
    from bot.drift.compare import compare_data
    from bot.drift.render import render_comparison
    from bot.drift.sources import open_input
    from bot.drift.textual import comparison_text

    comparison = compare_data(open_input(baseline, _s3), open_input(current, _s3))
    if as_json:
        payload = render_comparison(comparison, baseline, current)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(comparison_text(comparison, baseline, current), end="")
    return DRIFT_FOUND if fail_on and comparison.at_least(fail_on) else 0
