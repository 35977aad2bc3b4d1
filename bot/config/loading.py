"""Loading the YAML config: MLPULSE_CONFIG or ./mlpulse.yaml, the environment's overrides,
and every problem found reported as `FILE:LINE: field.path: what is wrong`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.addresses import split_list
from bot.config.models import Config, Queues, Topics
from bot.config.settings import Settings
from bot.core.errors import ConfigError


def config_path(settings: Settings) -> Path | None:
    """MLPULSE_CONFIG, else ./mlpulse.yaml when it exists, else none (built-in defaults)."""
    if settings.config is not None:
        return settings.config
    default = Path("mlpulse.yaml")
    return default if default.exists() else None


def load_config(settings: Settings) -> Config:
    """The validated config with the environment's overrides applied; ConfigError if bad."""
    path = config_path(settings)
    config = Config() if path is None else _from_file(path)
    queues, topics = split_list(settings.sqs_queue_urls), split_list(settings.sns_topic_arns)
    if queues is not None:
        config = config.model_copy(update={"sqs": Queues(queue_urls=queues)})
    if topics is not None:
        config = config.model_copy(update={"sns": Topics(topic_arns=topics)})
    return config


def _from_file(path: Path) -> Config:
    problems = check_config_file(path)
    if problems:
        raise ConfigError(problems)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Config.model_validate(data)


def check_config_file(path: Path) -> list[str]:
    """Every problem in the YAML at `path`, each as `FILE:LINE: field.path: what is wrong`."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{path}: cannot read: {error}"]
    try:
        root = yaml.compose(source)
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        return [f"{where}: not valid YAML: {getattr(error, 'problem', error)}"]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"{path}:1: the config must be a mapping of settings, not {type(data).__name__}"]
    try:
        Config.model_validate(data)
    except ValidationError as error:
        return [_describe(path, root, item) for item in error.errors()]
    return []


def _describe(path: Path, root: yaml.Node | None, item: Any) -> str:
    loc = tuple(item["loc"])
    dotted = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    line = _line_of(root, loc)
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "unknown setting (check its spelling and indentation)"
    return f"{path}:{line}: {dotted.lstrip('.')}: {message}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The line of the YAML node at `loc`, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if found is None:
                return line
            line, node = (key or found).start_mark.line + 1, found
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
