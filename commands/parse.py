"""`/mlpulse` text to a subcommand and its `Args`. Plain whitespace splitting: nothing is
ever given to a shell, and quotes are just characters."""

from __future__ import annotations

from bot.core.errors import InputError
from commands.base import Args

MAX_TEXT = 1000
_VALUE_FLAGS = (
    "status",
    "since",
    "name",
    "kind",
    "metric",
    "last",
    "id",
    "where",
    "account",
    "region",
)
_SWITCHES = ("public", "live")  # `--live` lands in options as "true"


def parse(text: str) -> tuple[str, Args]:
    """`"jobs --status Failed --public"` -> `("jobs", Args(("",), public=True, ...))`.

    Raises InputError (shown with the help) for text too long or a flag without its value.
    """
    if len(text) > MAX_TEXT:
        raise InputError(f"that command is {len(text)} characters long; the most is {MAX_TEXT}")
    tokens = text.split()
    if not tokens:
        return "help", Args(words=())
    name, rest = tokens[0].lower(), tokens[1:]
    words: list[str] = []
    options: dict[str, str] = {}
    public = False
    index = 0
    while index < len(rest):
        token = rest[index]
        flag = token[2:].lower() if token.startswith("--") else None
        if flag == "public":
            public = True
        elif flag in _SWITCHES:
            options[flag] = "true"
        elif flag in _VALUE_FLAGS:
            if index + 1 >= len(rest):
                raise InputError(f"`--{flag}` needs a value, like `--{flag} {_example(flag)}`")
            options[flag] = rest[index + 1]
            index += 1
        elif flag is not None:
            known = ", ".join(f"--{f}" for f in (*_SWITCHES, *_VALUE_FLAGS))
            raise InputError(f"unknown option `{token[:40]}`; known options: {known}")
        else:
            words.append(token)
        index += 1
    return name, Args(words=tuple(words), public=public, options=options)


def _example(flag: str) -> str:
    examples = {
        "status": "Failed",
        "since": "24h",
        "name": "churn-*",
        "kind": "training",
        "account": "prod",
        "region": "eu-west-1",
    }
    return examples.get(flag, "VALUE")
