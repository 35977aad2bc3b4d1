"""`mlpulse drift` end to end: a local folder, an s3:// prefix on a moto server, our own
statistics on CSV and data-capture files, and the exit codes of README: Command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.cli.main import main
from notifiers import limits
from tests.conftest import FIXTURES
from tests.fakes.moto import CREDENTIALS, REGION, aws_client, moto_server, moto_url  # noqa: F401
from tests.unit.drift.samples import REPORT_SAMPLES, put_sample, sample
from tests.unit.drift.test_datasets import capture_line
from tests.unit.drift.test_inputs import GOOD, READ_RIGHT, REFUSED

BUCKET = "ml-monitoring"


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("MLPULSE_", "SLACK_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def on_moto(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    """boto3 everywhere pointed at the moto server (as AWS_ENDPOINT_URL does in production
    for any endpoint); answers an S3 client for seeding."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    s3 = aws_client("s3", moto_url)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["drift", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def report_folder(root: Path) -> Path:
    run_folder = root / "reports" / "2026" / "11" / "25" / "03"
    put_sample(run_folder, "model-monitor-data-quality-constraint-violations.json")
    put_sample(run_folder, "model-monitor-data-quality-statistics.json")
    put_sample(root / "reports" / "baseline", "model-monitor-data-quality-constraints.json")
    return root / "reports"


def test_a_local_folder_prints_every_violation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, str(report_folder(tmp_path)))
    assert (code, err) == (0, "")
    assert "data quality · 7 violations (6 critical, 1 warning) · 100 rows" in out
    for item in sample("model-monitor-data-quality-constraint-violations.json")["violations"]:
        assert item["feature_name"] in out and item["description"].strip() in out
    assert (
        out.index("tip_amount")
        < out.index("congestion_surcharge")
        < out.index("store_and_fwd_flag")
    )


def test_json_prints_the_slack_payload(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, str(report_folder(tmp_path)), "--json")
    payload = json.loads(out)
    assert code == 0 and limits.problems(payload) == []
    assert payload["blocks"][0]["type"] == "header" and "7 violations" in payload["text"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no constraint_violations.json or statistics.json under "),
        (lambda p: (p / "statistics.json").write_text("{oops"), "statistics.json: not valid JSON"),
        (
            lambda p: (p / "constraint_violations.json").write_text(""),
            "constraint_violations.json: empty",
        ),
    ],
    ids=["empty", "corrupt", "empty-file"],
)
def test_nothing_readable_exits_2_with_one_error_line(
    setup: Any, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    setup(folder)
    code, out, err = run(capsys, str(folder))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["missing-folder"],
        ["--baseline", "a.csv"],
        ["x", "--current", "b.csv"],
        ["--baseline", "nope.csv", "--current", "nope.csv"],
    ],
    ids=["nothing", "no-such-folder", "no-current", "both-modes", "no-such-file"],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_an_s3_prefix_on_moto(on_moto: Any, capsys: pytest.CaptureFixture[str]) -> None:
    prefix = "reports/churn-prod/churn-dq"
    for hour, fixture in (
        ("02", "model-monitor-data-quality-statistics.json"),
        ("03", "model-monitor-data-quality-constraint-violations.json"),
    ):
        body = json.dumps(sample(fixture)).encode()
        name = "statistics.json" if "statistics" in fixture else "constraint_violations.json"
        on_moto.put_object(Bucket=BUCKET, Key=f"{prefix}/2026/11/25/{hour}/{name}", Body=body)
    on_moto.put_object(
        Bucket=BUCKET, Key=f"{prefix}0/2026/11/25/09/constraint_violations.json", Body=b"{}"
    )
    code, out, err = run(capsys, f"s3://{BUCKET}/{prefix}")
    assert (code, err) == (0, "")
    assert "Read: 2026/11/25/03/constraint_violations.json" in out and "7 violations" in out


def test_an_empty_s3_prefix_exits_2(on_moto: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, f"s3://{BUCKET}/nothing/here")
    assert code == 2
    assert (
        err
        == f"error: no constraint_violations.json or statistics.json under s3://{BUCKET}/nothing/here\n"
    )


def write_csv(path: Path, rows: list[tuple[float, float, str]]) -> Path:
    lines = ["age,stable,city", *(f"{a:.2f},{s:.4f},{c}" for a, s, c in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def synthetic(
    seed: int, n: int, shift: float, cities: list[float]
) -> list[tuple[float, float, str]]:
    rng = np.random.default_rng(seed)
    ages = rng.normal(40 + shift, 10, n)
    stable = rng.normal(0, 1, n)
    city = rng.choice(["paris", "lyon", "nice"], size=n, p=cities)
    return list(zip(ages.tolist(), stable.tolist(), city.tolist(), strict=True))


def test_our_own_statistics_flag_the_shift_and_not_the_stable_feature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    baseline = write_csv(tmp_path / "train.csv", synthetic(11, 4000, 0, [0.5, 0.3, 0.2]))
    current = write_csv(tmp_path / "today.csv", synthetic(12, 4000, 8, [0.2, 0.3, 0.5]))
    code, out, err = run(capsys, "--baseline", str(baseline), "--current", str(current))
    assert (code, err) == (0, "")
    verdicts = {line.split()[0]: line.split()[2] for line in out.splitlines()[5:8]}
    assert verdicts == {"age": "major", "city": "major", "stable": "stable"}
    assert "Verdicts: fewer than 200 rows on a side: insufficient data." in out
    assert out.splitlines()[4].split()[3:5] == ["n", "base"]
    code, out, _ = run(capsys, "--baseline", str(baseline), "--current", str(current), "--json")
    payload = json.loads(out)
    assert code == 0 and limits.problems(payload) == [] and "*age* · major" in out


def test_data_capture_from_an_s3_prefix(
    on_moto: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    baseline = write_csv(tmp_path / "train.csv", synthetic(1, 2000, 0, [0.5, 0.3, 0.2]))
    rows = synthetic(3, 600, 0, [0.5, 0.3, 0.2])
    for part in range(3):
        lines = [
            capture_line(f"{a:.2f},{s:.4f},{c}") for a, s, c in rows[part * 200 : (part + 1) * 200]
        ]
        key = f"capture/churn-prod/AllTraffic/2026/11/25/0{part}/part-{part}.jsonl"
        on_moto.put_object(Bucket=BUCKET, Key=key, Body="\n".join(lines).encode())
    code, out, err = run(
        capsys, "--baseline", str(baseline), "--current", f"s3://{BUCKET}/capture/churn-prod/"
    )
    assert (code, err) == (0, "")
    assert "current 600 rows" in out
    assert all(line.split()[2] == "stable" for line in out.splitlines()[5:8])


def test_a_real_process_exits_2_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPULSE_", "SLACK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "drift", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=Path(__file__).parents[2], timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr == f"error: no constraint_violations.json or statistics.json under {tmp_path}\n"
    )


@pytest.mark.parametrize("fixture", sorted(REPORT_SAMPLES))
def test_every_sample_file_as_it_was_published(
    fixture: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named otherwise than Model Monitor names it is recognised by its content."""
    code, out, err = run(capsys, str(FIXTURES / fixture))
    assert (code, err) == (0, "")
    label = out.splitlines()[2].split(" · ")[0]
    assert label in ("data quality", "model quality", "bias drift", "feature attribution drift")


def test_a_json_file_that_is_no_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "event.json").write_text('{"detail-type": "x"}')
    code, _, err = run(capsys, str(tmp_path / "event.json"))
    assert code == 2 and "event.json: not a Model Monitor or Clarify result" in err


def mlpulse(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli drift ...` as a real process, as a CI step would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPULSE_", "SLACK_"))}
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "drift", *argv],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(READ_RIGHT))
def test_a_real_process_reads_each_unusual_file(name: str, tmp_path: Path) -> None:
    (tmp_path / "base.csv").write_text(GOOD)
    (tmp_path / "current.csv").write_bytes(READ_RIGHT[name][0])
    done = mlpulse("--baseline", "base.csv", "--current", "current.csv", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "current 300 rows" in done.stdout


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_real_process_refuses_each_malformed_file_in_one_line(name: str, tmp_path: Path) -> None:
    data, words = REFUSED[name]
    (tmp_path / "base.csv").write_text(GOOD)
    (tmp_path / "current.csv").write_bytes(data)
    done = mlpulse("--baseline", "base.csv", "--current", "current.csv", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    assert words in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("shift", "fail_on", "status"),
    [
        (0, "moderate", 0),
        (8, "major", 3),
        (8, "moderate", 3),
        (2.5, "major", 0),
        (2.5, "moderate", 3),
        (8, None, 0),
    ],
)
def test_fail_on_exits_3_when_drift_reaches_the_level(
    shift: float, fail_on: str | None, status: int, tmp_path: Path
) -> None:
    """age shifts by `shift` (its standard deviation is 10): 0.25 sd is moderate drift, 0.8
    major; the cities stay. Exit 3 is README: Drift's status for a CI step to stop on."""
    write_csv(tmp_path / "train.csv", synthetic(11, 5000, 0, [0.5, 0.3, 0.2]))
    write_csv(tmp_path / "today.csv", synthetic(12, 5000, shift, [0.5, 0.3, 0.2]))
    argv = ["--baseline", "train.csv", "--current", "today.csv"]
    done = mlpulse(*argv, *(["--fail-on", fail_on] if fail_on else []), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (status, "")
    assert done.stdout.startswith("# Drift of today.csv against train.csv")


def test_fail_on_with_a_report_location_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, str(tmp_path), "--fail-on", "major")
    assert code == 2 and err == "error: --fail-on goes with --baseline A --current B\n"


def test_gzip_and_parquet_from_s3(
    on_moto: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = synthetic(5, 1000, 0, [0.5, 0.3, 0.2])
    write_csv(tmp_path / "train.csv", rows)
    on_moto.put_object(
        Bucket=BUCKET,
        Key="data/train.csv.gz",
        Body=gzip.compress((tmp_path / "train.csv").read_bytes()),
    )
    table = pa.table(
        {
            name: list(column)
            for name, column in zip(
                ("age", "stable", "city"),
                zip(*synthetic(6, 1000, 0, [0.5, 0.3, 0.2]), strict=True),
                strict=True,
            )
        }
    )
    pq.write_table(table, tmp_path / "today.parquet")
    on_moto.put_object(
        Bucket=BUCKET, Key="data/today.parquet", Body=(tmp_path / "today.parquet").read_bytes()
    )
    code, out, err = run(
        capsys,
        "--baseline",
        f"s3://{BUCKET}/data/train.csv.gz",
        "--current",
        f"s3://{BUCKET}/data/today.parquet",
        "--fail-on",
        "moderate",
    )
    assert (code, err) == (0, "")
    assert "baseline 1000 rows · current 1000 rows" in out
    assert [line.split()[2] for line in out.splitlines()[5:8]] == ["stable"] * 3
