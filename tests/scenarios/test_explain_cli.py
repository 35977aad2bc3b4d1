"""`mlpulse explain` end to end: a local folder holding a corrupt file, a single file, an
s3:// prefix on a moto server, `--json`, and the exit codes of README: Command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from notifiers import limits
from tests.fakes.moto import CREDENTIALS, REGION, aws_client, moto_server, moto_url  # noqa: F401
from tests.unit.explain.samples import answer, fraud_line, line

BUCKET = "ml-capture"


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("MLPULSE_", "SLACK_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def capture_folder(root: Path) -> Path:
    hour = root / "fraud-prod" / "AllTraffic" / "2026" / "11" / "25" / "04"
    hour.mkdir(parents=True)
    (hour / "00-00-000-a.jsonl").write_text(
        fraud_line(0.93, event="e1", time="2026-11-25T04:00:00Z", amount=1840) + "\n{truncated"
    )
    (hour / "15-00-000-b.jsonl").write_text(
        fraud_line(0.2, event="e2", time="2026-11-25T04:15:00Z") + "\n"
    )
    return root / "fraud-prod"


def test_a_folder_newest_first_with_the_corrupt_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(capture_folder(tmp_path)))
    assert code == 0 and err == ""
    assert out.index("e2") < out.index("e1")
    assert "amount +0.528" in out
    assert (
        "warning: AllTraffic/2026/11/25/04/00-00-000-a.jsonl: 1 of 2 lines unreadable "
        "(line 2: cut short)"
    ) in out
    assert "Traceback" not in out


def test_one_prediction_by_id_as_text_and_as_the_slack_payload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(capture_folder(tmp_path))
    code, out, _ = run(capsys, folder, "--id", "e1")
    assert code == 0
    assert "Prediction 0.93 · baseline 0.05" in out
    assert "• amount = 1840 → +0.528" in out
    code, out, _ = run(capsys, folder, "--where", "score>0.9", "--json")
    payload = json.loads(out)
    assert code == 0 and limits.problems(payload) == []
    assert "*Pushing up*" in json.dumps(payload)


def test_a_single_file_whatever_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "capture.txt"
    path.write_text(line("1,2", answer("0.7", [[("a", [0.4]), ("b", [-0.1])]]), event="x") + "\n")
    code, out, _ = run(capsys, str(path))
    assert code == 0 and "• a = 1 → +0.4" in out and "• b = 2 → −0.1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["/nowhere"], "error: /nowhere: no such file or folder"),
        (["{folder}", "--where", "score"], "error: `--where score` is not a comparison"),
        (["{folder}", "--since", "soon"], "error: --since:"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    folder = str(capture_folder(tmp_path))
    code, out, err = run(capsys, *[a.replace("{folder}", folder) for a in argv])
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_nothing_readable_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.jsonl").write_text("{oops\n")
    code, _, err = run(capsys, str(tmp_path / "bad.jsonl"))
    assert code == 2 and err.startswith("error: nothing readable at")


def test_an_s3_prefix_on_moto_in_a_real_process(moto_url: str, tmp_path: Path) -> None:  # noqa: F811
    s3 = aws_client("s3", moto_url)
    s3.create_bucket(Bucket=BUCKET)
    key = "datacapture/fraud-prod/AllTraffic/2026/11/25/04/00-00-000-a.jsonl"
    body = fraud_line(0.93, event="e1", time="2026-11-25T04:00:00Z", amount=1840)
    s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "explain", f"s3://{BUCKET}/datacapture/fraud-prod/"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Why s3://ml-capture/datacapture/fraud-prod/ predicted 0.93" in done.stdout
