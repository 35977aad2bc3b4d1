"""The tail of a job's logs on moto: the last lines across its streams, in time order, and
an empty tail (not an error) before the first line is written."""

from __future__ import annotations

from bot.aws.logtail import tail
from tests.unit.commands.platform import PlatformAws, real_now

GROUP = "/aws/sagemaker/TrainingJobs"


def put(aws: PlatformAws, stream: str, lines: list[tuple[int, str]]) -> None:
    logs = aws.real.logs
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    base = int(real_now().timestamp() * 1000) - 3_600_000  # CloudWatch refuses events > 14 days old
    events = [{"timestamp": base + ms, "message": text} for ms, text in lines]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def test_last_lines_across_hosts_in_time_order(aws: PlatformAws) -> None:
    aws.real.logs.create_log_group(logGroupName=GROUP)
    put(aws, "job-1/algo-1-1764000000", [(i * 2000, f"host1 line {i}") for i in range(30)])
    put(aws, "job-1/algo-2-1764000000", [(i * 2000 + 1000, f"host2 line {i}") for i in range(30)])
    put(aws, "job-10/algo-1-1764000000", [(0, "another job")])
    found = tail(aws.logs, GROUP, "job-1/", count=20)
    assert found.streams == 2
    assert len(found.lines) == 20
    assert [line.time for line in found.lines] == sorted(line.time for line in found.lines)
    assert found.lines[-1].message == "host2 line 29"
    text = "\n".join(found.text())
    assert "[algo-2-1764000000] host2 line 29" in text
    assert "another job" not in text


def test_one_stream_shows_no_host(aws: PlatformAws) -> None:
    aws.real.logs.create_log_group(logGroupName=GROUP)
    put(aws, "job-2/algo-1-1764000000", [(0, "only line\n")])
    [line] = tail(aws.logs, GROUP, "job-2/").text()
    assert line.endswith(" only line")
    assert tail(aws.logs, GROUP, "job-2/").text(line_chars=5) == [line[:4] + "…"]


def test_no_group_or_no_streams_is_an_empty_tail(aws: PlatformAws) -> None:
    assert tail(aws.logs, GROUP, "job-3/").lines == []
    aws.real.logs.create_log_group(logGroupName=GROUP)
    empty = tail(aws.logs, GROUP, "job-3/")
    assert (empty.streams, empty.lines) == (0, [])
