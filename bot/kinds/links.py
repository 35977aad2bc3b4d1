"""Where each resource is in the AWS console and in CloudWatch Logs, written once for the
alerts (the per-kind tables) and the slash commands alike."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from bot.core.events import Link
from bot.kinds.jobs import JobKind

_SAGEMAKER = "sagemaker/home?region={region}#/"
_CODEPIPELINE = "codesuite/codepipeline/pipelines/{name}/view?region={region}"
_CODEBUILD = "codesuite/codebuild/projects/{name}/history?region={region}"
_STEPFUNCTIONS = "states/home?region={region}#/v2/executions/details/{name}"
_ALARM = "cloudwatch/home?region={region}#alarmsV2:alarm/{name}"
# A SageMaker pipeline's executions (the one an alert is about is named in the alert).
_PIPELINE_EXECUTIONS = _SAGEMAKER + "pipelines/{name}/executions"


def console_host(region: str | None) -> str:
    """The console's host for a region: China and GovCloud have their own domains."""
    if region and region.startswith("cn-"):
        return f"https://{region}.console.amazonaws.cn"
    if region and region.startswith("us-gov-"):
        return f"https://{region}.console.amazonaws-us-gov.com"
    if region:
        return f"https://{region}.console.aws.amazon.com"
    return "https://console.aws.amazon.com"


def console_link(template: str, region: str | None, *, keep: str = "", **names: str) -> Link:
    """A console link; names are percent-encoded except for the characters in `keep`."""
    quoted = {k: quote(v, safe=keep) for k, v in names.items()}
    path = template.format(region=quote(region or "", safe=""), **quoted)
    return Link(label="Console", url=f"{console_host(region)}/{path}")


def log_link(region: str | None, group: str, prefix: str) -> Link:
    """CloudWatch Logs, streams of `group` whose names start with `prefix`."""
    path = (
        f"cloudwatch/home?region={quote(region or '', safe='')}"
        f"#logStream:group={quote(group, safe='/')};prefix={quote(prefix, safe='')}"
        ";streamFilter=typeLogStreamPrefix"
    )
    return Link(label="Logs", url=f"{console_host(region)}/{path}")


def naming_account(links: Sequence[Link], account: str | None) -> list[Link]:
    """`links` whose labels say which account they are in (`Console · prod`): the console
    opens in whichever account the reader is signed in to, so with several accounts the
    button says which one to be in. Without a name (one account), the links as they are."""
    if not account:
        return list(links)
    return [Link(label=f"{link.label} · {account}", url=link.url) for link in links]


def job_links(kind: JobKind, name: str, region: str | None) -> list[Link]:
    """A SageMaker job's console page, and its logs when its kind writes any."""
    found = [console_link(_SAGEMAKER + kind.console + "/{name}", region, name=name)]
    if kind.log_group:
        found.append(log_link(region, kind.log_group, kind.log_prefix(name)))
    return found


def endpoint_log_group(name: str) -> str:
    """An endpoint logs in a group of its own, one stream per variant and instance."""
    return f"/aws/sagemaker/Endpoints/{name}"


def endpoint_links(name: str, region: str | None) -> list[Link]:
    return [
        console_link(_SAGEMAKER + "endpoints/{name}", region, name=name),
        log_link(region, endpoint_log_group(name), ""),
    ]


def codepipeline_link(name: str, region: str | None) -> Link:
    return console_link(_CODEPIPELINE, region, name=name)


def codebuild_link(project: str, region: str | None) -> Link:
    return console_link(_CODEBUILD, region, name=project)


def stepfunctions_link(execution_arn: str, region: str | None) -> Link:
    """The execution's page: its ARN stays readable in the path (`:` kept)."""
    return console_link(_STEPFUNCTIONS, region, keep=":", name=execution_arn)


def alarm_link(name: str, region: str | None) -> Link:
    return console_link(_ALARM, region, name=name)


def sagemaker_pipeline_link(name: str, region: str | None) -> Link:
    return console_link(_PIPELINE_EXECUTIONS, region, name=name)


def model_registry_link(region: str | None) -> Link:
    """The SageMaker model registry (a package's own page needs its group's name and a
    version the console shows, not its ARN)."""
    return console_link(_SAGEMAKER + "model-registry", region)
