"""A stand-in for the Slack Web API on 127.0.0.1, for scenario tests.

Point the real client at it: `SlackNotifier(token, base_url=fake.url)`. It speaks what
slack_sdk's WebClient sends: `POST /api/<method>` with a JSON body (chat.*) or form fields
(conversations.*), or query parameters, and `Authorization: Bearer <token>`.

Methods: auth.test, chat.postMessage, chat.update, chat.delete, conversations.history,
conversations.replies, conversations.list, and files_upload_v2's three steps
(files.getUploadURLExternal, a POST of the bytes to the upload URL it gives,
files.completeUploadExternal; read back with `uploads()`). Like Slack, posting takes a
channel id or a `#name`; update, delete and the read methods want the id.

Interactivity answers: `fake.response_url("r1")` is a URL on the fake that, like Slack's
`response_url`, takes JSON posts; they are read back with `responses("r1")`. Like Slack, it
refuses (400 `invalid_blocks`) an `image` block whose `slack_file` names no completed
upload, and, while `fake.processing` is above 0, one naming a file still being processed
(each refusal uses one up: Slack finishes uploads asynchronously).

Faults are scripted per method and used up in order, one per call:

    fake.fail("chat.postMessage", RateLimited(3), ServerError(503), LostAnswer())

`RateLimited` answers 429 with Retry-After; `ServerError` a 5xx with an HTML body;
`SlackError` `{"ok": false, "error": code}`; `LostAnswer` does the work (the message is
stored) and then closes the connection without a word; `Dropped` closes it before doing
anything. With `post_limit=(burst, interval)` the fake also enforces Slack's own pace on
chat.postMessage per channel, measured on the test's clock, and answers 429 beyond it, with
a Retry-After of the whole seconds until the next slot (whole intervals when the pace is
faster than one a second: a scaled-down Slack). `fake.throttle(per_second)` is the strict
mode: exactly that many posts a second per channel, no burst at all.

Scopes: the fake grants the app's manifest scopes (SCOPES); `fake.revoke("channels:history")`
takes one away, and a method that needs it answers `missing_scope` (with `needed` and
`provided`, as Slack does). Every answer to a valid token lists the granted scopes in
`X-OAuth-Scopes`. The fake's channels are all public: history needs `channels:history`.

Every call is recorded (`fake.calls("chat.postMessage")`) with its arguments, the clock's
time and the answer given. Messages are read back with `messages`, `roots`, `replies`.
All state sits behind one lock: the server answers each request on its own thread.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.goldens import readable

DEFAULT_TOKEN = "xoxb-mlpulse-test"
DEFAULT_CHANNELS: Mapping[str, str] = {
    "C0MLPULSE": "mlpulse",
    "C0ALERTS": "ml-alerts",
    "C0FALLBK": "mlpulse-fallback",
}
BOT_USER = "U0MLPULSE"
BOT_ID = "B0MLPULSE"
# What deploy/slack-app-manifest.yaml asks for, and the scope each method needs.
SCOPES = frozenset(
    {
        "chat:write",
        "channels:read",
        "groups:read",
        "channels:history",
        "groups:history",
        "commands",
        "files:write",
        "usergroups:read",
    }
)
_SCOPE_OF = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "conversations.list": "channels:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "chat.postEphemeral": "chat:write",
    "usergroups.users.list": "usergroups:read",
}

# --- faults


@dataclass(frozen=True)
class RateLimited:
    """HTTP 429, `Retry-After: <seconds>`, body `{"ok": false, "error": "ratelimited"}`."""

    retry_after: float = 1


@dataclass(frozen=True)
class ServerError:
    """An HTTP 5xx from Slack's edge: an HTML body, nothing done."""

    status: int = 500
    body: str = "<html><body><h1>Server Error</h1></body></html>"


@dataclass(frozen=True)
class SlackError:
    """HTTP 200 with `{"ok": false, "error": code}`: Slack refused the call."""

    error: str


@dataclass(frozen=True)
class LostAnswer:
    """The method runs (a message is stored), then the connection closes with no answer."""


@dataclass(frozen=True)
class Dropped:
    """The connection closes before the method runs: nothing done, no answer."""


Fault = RateLimited | ServerError | SlackError | LostAnswer | Dropped

# --- what the fake keeps


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    at: float  # the clock's time when the call arrived
    answer: str  # "ok", an error code, "http_500", "lost" (done, no answer) or "dropped"

    @property
    def ok(self) -> bool:
        return self.answer == "ok"


@dataclass
class Message:
    channel: str
    ts: str
    text: str | None = None
    blocks: list[Any] | None = None
    attachments: list[Any] | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def is_root(self) -> bool:
        return self.thread_ts is None or self.thread_ts == self.ts

    @property
    def marker(self) -> str | None:
        payload = (self.metadata or {}).get("event_payload") or {}
        marker = payload.get("marker") if isinstance(payload, dict) else None
        return marker if isinstance(marker, str) else None

    def all_text(self) -> str:
        """Every piece of text the message shows, one per line: its `text`, and the text of
        each block (headers, sections, fields, context, buttons), attachments included."""
        return all_text(self.content())

    def content(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, "attachments": self.attachments}

    def as_slack(self, with_metadata: bool) -> dict[str, Any]:
        """The message as conversations.history shows it."""
        shown: dict[str, Any] = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID}
        shown["ts"] = self.ts
        shown.update({k: v for k, v in self.content().items() if v is not None})
        if self.thread_ts is not None:
            shown["thread_ts"] = self.thread_ts
        if self.edits:
            shown["edited"] = {"user": BOT_USER, "ts": self.ts}
        if with_metadata and self.metadata is not None:
            shown["metadata"] = copy.deepcopy(self.metadata)
        return shown


def all_text(payload: Any) -> str:
    """All strings under `text` keys in a payload, depth first, one per line, as a reader
    whose client draws date tokens as their UTC fallback sees them."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return readable("\n".join(found))


@dataclass
class Upload:
    """A file uploaded with files_upload_v2: asked for, its bytes sent, then completed."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    completed: bool = False


def _slack_files(blocks: Any) -> list[str]:
    """The file ids that the image blocks of a message show."""
    if not isinstance(blocks, list):
        return []
    return [
        str((block.get("slack_file") or {}).get("id"))
        for block in blocks
        if isinstance(block, dict) and block.get("type") == "image" and "slack_file" in block
    ]


# --- the fake


class FakeSlack:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        channels: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
        post_limit: tuple[int, float] | None = None,
        scopes: frozenset[str] = SCOPES,
    ) -> None:
        self._lock = threading.RLock()
        self._token = token
        self._scopes = set(scopes)
        self._channels = dict(DEFAULT_CHANNELS if channels is None else channels)
        self._clock = clock or time.time
        self._post_limit = post_limit
        self._faults: dict[str, list[Fault]] = {}
        self._calls: list[Call] = []
        self._messages: list[Message] = []
        self._last_ts_us = 0
        self._tat: dict[str, float] = {}  # per channel, for post_limit (GCRA)
        # Posts to response_url(token), as (token, body); uploads by file id, in order.
        self._responses: list[tuple[str, dict[str, Any]]] = []
        self._uploads: dict[str, Upload] = {}
        self.processing = 0  # answers naming an uploaded file refused before it is ready
        self._modals = Modals()  # views.open, chat.postEphemeral, user groups (issue 19)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle

    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Slack server is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # --- set-up and failure injection

    @property
    def token(self) -> str:
        with self._lock:
            return self._token

    @token.setter
    def token(self, value: str) -> None:
        with self._lock:
            self._token = value

    @property
    def post_limit(self) -> tuple[int, float] | None:
        """(burst, seconds a post) enforced on chat.postMessage per channel; None: no limit."""
        with self._lock:
            return self._post_limit

    @post_limit.setter
    def post_limit(self, value: tuple[int, float] | None) -> None:
        with self._lock:
            self._post_limit = value
            self._tat.clear()

    def throttle(self, per_second: float, burst: int = 1) -> None:
        """Strict mode: `per_second` posts a second per channel, `burst` at once (none
        beyond the one by default); any post sooner is answered 429 with Retry-After."""
        self.post_limit = (burst, 1.0 / per_second)

    @property
    def scopes(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._scopes)

    def revoke(self, *scopes: str) -> None:
        """The workspace has not granted these scopes: methods needing them are refused."""
        with self._lock:
            self._scopes.difference_update(scopes)

    def fail(self, method: str, *faults: Fault) -> None:
        """Answer the next calls of `method` with these faults, one per call, in order."""
        with self._lock:
            self._faults.setdefault(method, []).extend(faults)

    def clear_faults(self, method: str) -> None:
        """Forget the faults still queued for `method`: Slack is back."""
        with self._lock:
            self._faults.pop(method, None)

    def pending_faults(self, method: str | None = None) -> int:
        with self._lock:
            if method is not None:
                return len(self._faults.get(method, []))
            return sum(len(faults) for faults in self._faults.values())

    def add_channel(self, channel_id: str, name: str) -> None:
        with self._lock:
            self._channels[channel_id] = name

    def remove_channel(self, channel: str) -> None:
        with self._lock:
            self._channels.pop(self._resolve(channel) or channel, None)

    def delete(self, channel: str, ts: str) -> None:
        """Someone deletes a message in Slack."""
        with self._lock:
            found = self._find(self._resolve(channel) or channel, ts)
            if found is None:
                raise KeyError(f"no message {ts} in {channel}")
            self._messages.remove(found)

    # --- reading back

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [copy.deepcopy(c) for c in self._calls if method in (None, c.method)]

    def channel_id(self, channel: str) -> str:
        with self._lock:
            found = self._resolve(channel)
        if found is None:
            raise KeyError(f"no channel {channel}")
        return found

    def messages(self, channel: str | None = None) -> list[Message]:
        """Messages still in Slack, in the order they were posted; all channels if None."""
        with self._lock:
            wanted = None if channel is None else (self._resolve(channel) or channel)
            return [copy.deepcopy(m) for m in self._messages if wanted in (None, m.channel)]

    def roots(self, channel: str) -> list[Message]:
        return [m for m in self.messages(channel) if m.is_root]

    def replies(self, channel: str, ts: str) -> list[Message]:
        return [m for m in self.messages(channel) if m.thread_ts == ts and m.ts != ts]

    def response_url(self, token: str) -> str:
        """A `response_url` on the fake: what is posted to it is kept under `token`."""
        return self.url.removesuffix("/api/") + f"/response/{token}"

    def responses(self, token: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to `response_url(token)` (every token's if None), in order,
        their `text` as a reader sees it (date tokens drawn as their UTC fallback)."""
        with self._lock:
            found = [copy.deepcopy(body) for t, body in self._responses if token in (None, t)]
        for body in found:
            if isinstance(body.get("text"), str):
                body["text"] = readable(body["text"])
        return found

    @property
    def modals(self) -> Modals:
        """The modals opened, the private messages posted and the user groups known."""
        return self._modals

    def uploads(self) -> list[Upload]:
        """Files uploaded with files_upload_v2, completed or not, in the order started."""
        with self._lock:
            return [copy.deepcopy(u) for u in self._uploads.values()]

    def message(self, channel: str, ts: str) -> Message:
        with self._lock:
            found = self._find(self._resolve(channel) or channel, ts)
            if found is None:
                raise KeyError(f"no message {ts} in {channel}")
            return copy.deepcopy(found)

    # --- one request (called on the server's threads)

    def handle(self, method: str, args: dict[str, Any], token: str | None) -> _Answer:
        with self._lock:
            now = self._clock()
            queue = self._faults.get(method)
            fault = queue.pop(0) if queue else None
            answer = self._answer(fault, method, args, token, now)
            self._calls.append(Call(method, copy.deepcopy(args), now, answer.label))
            if answer.status is not None and token == self._token:
                granted = ",".join(sorted(self._scopes))
                answer = replace(answer, headers=(*answer.headers, ("X-OAuth-Scopes", granted)))
            return answer

    def _answer(
        self, fault: Fault | None, method: str, args: dict[str, Any], token: str | None, now: float
    ) -> _Answer:
        if isinstance(fault, Dropped):
            return _Answer(status=None, label="dropped")
        if isinstance(fault, RateLimited):
            return _rate_limited(fault.retry_after)
        if isinstance(fault, ServerError):
            return _Answer(fault.status, fault.body, "text/html", label=f"http_{fault.status}")
        if isinstance(fault, SlackError):
            return _error(fault.error)
        done = self._perform(method, args, token, now)
        if isinstance(fault, LostAnswer):
            return _Answer(status=None, label="lost")
        return done

    def _perform(self, method: str, args: dict[str, Any], token: str | None, now: float) -> _Answer:
        if not token:
            return _error("not_authed")
        if token != self._token:
            return _error("invalid_auth")
        needed = _SCOPE_OF.get(method)
        if needed is not None and needed not in self._scopes:
            return _missing_scope(needed, self._scopes)
        handler = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.list": self._list,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "views.open": self._modals.open,
            "chat.postEphemeral": self._post_ephemeral,
            "usergroups.users.list": self._modals.group_users,
        }.get(method)
        if handler is None:
            return _error("unknown_method")
        return handler(args, now)

    def _post_ephemeral(self, args: dict[str, Any], now: float) -> _Answer:
        channel = self._resolve(str(args.get("channel") or ""))
        if channel is None:
            return _error("channel_not_found")
        return self._modals.whisper(channel, args, self._next_ts(now))

    def _auth_test(self, args: dict[str, Any], now: float) -> _Answer:
        return _ok(
            url="https://mlpulse-test.slack.com/",
            team="mlpulse-test",
            user="mlpulse",
            team_id="T0MLPULSE",
            user_id=BOT_USER,
            bot_id=BOT_ID,
        )

    def _post_message(self, args: dict[str, Any], now: float) -> _Answer:
        channel = self._resolve(str(args.get("channel") or ""))
        if channel is None:
            return _error("channel_not_found")
        content, problem = _content(args)
        if problem:
            return _error(problem)
        if not any(content.values()):
            return _error("no_text")
        metadata, problem = _metadata(args.get("metadata"))
        if problem:
            return _error(problem)
        if self._post_limit is not None:
            wait = self._pace(channel, now)
            if wait > 0:
                return _rate_limited(self._retry_after(wait))
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        message = Message(
            channel=channel, ts=self._next_ts(now), thread_ts=thread_ts, metadata=metadata
        )
        message.text, message.blocks, message.attachments = (
            content["text"],
            content["blocks"],
            content["attachments"],
        )
        self._messages.append(message)
        return _ok(channel=channel, ts=message.ts, message=message.as_slack(with_metadata=True))

    def _update(self, args: dict[str, Any], now: float) -> _Answer:
        channel = str(args.get("channel") or "")
        if channel not in self._channels:
            return _error("channel_not_found")
        message = self._find(channel, str(args.get("ts") or ""))
        if message is None:
            return _error("message_not_found")
        content, problem = _content(args)
        if problem:
            return _error(problem)
        metadata, problem = _metadata(args.get("metadata"))
        if problem:
            return _error(problem)
        message.edits.append(copy.deepcopy(message.content()))
        # Slack keeps blocks, attachments and metadata that an update leaves out.
        for name, value in content.items():
            if name in args:
                setattr(message, name, value)
        if metadata is not None:
            message.metadata = metadata
        return _ok(
            channel=channel,
            ts=message.ts,
            text=message.text or "",
            message=message.as_slack(with_metadata=True),
        )

    def _delete(self, args: dict[str, Any], now: float) -> _Answer:
        channel = str(args.get("channel") or "")
        if channel not in self._channels:
            return _error("channel_not_found")
        message = self._find(channel, str(args.get("ts") or ""))
        if message is None:
            return _error("message_not_found")
        self._messages.remove(message)
        return _ok(channel=channel, ts=message.ts)

    def _history(self, args: dict[str, Any], now: float) -> _Answer:
        channel = str(args.get("channel") or "")
        if channel not in self._channels:
            return _error("channel_not_found")
        found = [m for m in self._messages if m.channel == channel and m.is_root]
        found = _window(found, args)
        found.reverse()  # newest first, as Slack lists a channel
        limit = _limit(args)
        shown = []
        for message in found[:limit]:
            item = message.as_slack(_truthy(args.get("include_all_metadata")))
            replies = [m for m in self._messages if m.thread_ts == message.ts and m is not message]
            if replies:
                item.update(reply_count=len(replies), latest_reply=replies[-1].ts)
                item["thread_ts"] = message.ts
            shown.append(item)
        return _ok(
            messages=shown,
            has_more=len(found) > limit,
            response_metadata={"next_cursor": ""},
        )

    def _replies(self, args: dict[str, Any], now: float) -> _Answer:
        channel = str(args.get("channel") or "")
        if channel not in self._channels:
            return _error("channel_not_found")
        parent = self._find(channel, str(args.get("ts") or ""))
        if parent is None:
            return _error("thread_not_found")
        if not parent.is_root:
            thread = [parent]
        else:
            replies = [m for m in self._messages if m.thread_ts == parent.ts and m is not parent]
            thread = [parent, *_window(replies, args)]
        with_metadata = _truthy(args.get("include_all_metadata"))
        limit = _limit(args)
        return _ok(
            messages=[m.as_slack(with_metadata) for m in thread[:limit]],
            has_more=len(thread) > limit,
            response_metadata={"next_cursor": ""},
        )

    def _list(self, args: dict[str, Any], now: float) -> _Answer:
        channels = [
            {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_private": False,
                "is_archived": False,
                "is_member": True,
            }
            for channel_id, name in self._channels.items()
        ]
        return _ok(channels=channels, response_metadata={"next_cursor": ""})

    def _upload_url(self, args: dict[str, Any], now: float) -> _Answer:
        try:
            length = int(args.get("length") or -1)
        except (TypeError, ValueError):
            length = -1
        if not args.get("filename") or length < 0:
            return _error("invalid_arguments")
        file_id = f"F{len(self._uploads) + 1:08d}"
        self._uploads[file_id] = Upload(file_id, str(args["filename"]), length)
        upload_url = self.url.removesuffix("/api/") + f"/upload/{file_id}"
        return _ok(upload_url=upload_url, file_id=file_id)

    def _complete_upload(self, args: dict[str, Any], now: float) -> _Answer:
        try:
            files = _json_field(args.get("files"))
        except ValueError:
            return _error("invalid_arguments")
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        channel = args.get("channel_id")
        if channel is not None and self._resolve(str(channel)) is None:
            return _error("channel_not_found")
        done = []
        for item in files:
            upload = self._uploads.get(str((item or {}).get("id")))
            if upload is None or upload.data is None:
                return _error("file_not_found")
            upload.title = item.get("title")
            upload.channel = self._resolve(str(channel)) if channel is not None else None
            upload.completed = True
            done.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
        return _ok(files=done)

    def receive_upload(self, file_id: str, data: bytes) -> _Answer:
        """The bytes of a file, POSTed to the upload URL files.getUploadURLExternal gave."""
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return _Answer(404, "no such upload", "text/plain")
            upload.data = data
            return _Answer(200, f"OK - {len(data)}", "text/plain")

    def receive_response(self, token: str, raw: bytes) -> _Answer:
        """A post to a response_url: Slack answers `ok` to a JSON object, 400 otherwise."""
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _Answer(400, "invalid_payload", "text/plain")
        if not isinstance(body, dict):
            return _Answer(400, "invalid_payload", "text/plain")
        with self._lock:
            files = _slack_files(body.get("blocks"))
            if files and self.processing > 0:
                self.processing -= 1
                return _Answer(400, "invalid_blocks", "text/plain")
            known = {u.file_id for u in self._uploads.values() if u.completed}
            if any(file_id not in known for file_id in files):
                return _Answer(400, "invalid_blocks", "text/plain")
            self._responses.append((token, body))
        return _Answer(200, "ok", "text/plain")

    # --- helpers (under the lock)

    def _resolve(self, channel: str) -> str | None:
        if channel in self._channels:
            return channel
        name = channel.removeprefix("#")
        return next((cid for cid, cname in self._channels.items() if cname == name), None)

    def _find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self._messages if m.channel == channel and m.ts == ts), None)

    def _next_ts(self, now: float) -> str:
        """A unique `seconds.micros` stamp from the clock, like Slack's message ts."""
        micros = max(round(now * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _retry_after(self, wait: float) -> float:
        """Slack's Retry-After counts whole seconds at its one-a-second pace; a fake paced
        faster counts whole intervals, so a 429 costs what it would at Slack's scale."""
        assert self._post_limit is not None
        step = min(1.0, self._post_limit[1])
        return max(1, math.ceil(wait / step - 1e-9)) * step

    def _pace(self, channel: str, now: float) -> float:
        """GCRA, as Slack paces chat.postMessage: seconds to wait, 0 if the post may go."""
        assert self._post_limit is not None
        burst, interval = self._post_limit
        tat = max(self._tat.get(channel, now), now)
        wait = tat - (burst - 1) * interval - now
        if wait > 1e-6:
            return wait
        self._tat[channel] = tat + interval
        return 0.0


# --- answers


@dataclass(frozen=True)
class _Answer:
    status: int | None  # None: close the connection without answering
    body: str = ""
    content_type: str = "application/json; charset=utf-8"
    label: str = "ok"
    headers: tuple[tuple[str, str], ...] = ()


def _ok(**fields: Any) -> _Answer:
    return _Answer(200, json.dumps({"ok": True, **fields}))


def _error(code: str) -> _Answer:
    return _Answer(200, json.dumps({"ok": False, "error": code}), label=code)


def _rate_limited(retry_after: float) -> _Answer:
    body = json.dumps({"ok": False, "error": "ratelimited"})
    seconds = f"{round(retry_after, 6):g}"
    return _Answer(429, body, label="ratelimited", headers=(("Retry-After", seconds),))


def _missing_scope(needed: str, granted: set[str]) -> _Answer:
    fields = {"needed": needed, "provided": ",".join(sorted(granted))}
    body = json.dumps({"ok": False, "error": "missing_scope", **fields})
    return _Answer(200, body, label="missing_scope")


# --- arguments


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _limit(args: dict[str, Any]) -> int:
    try:
        return max(1, min(999, int(args.get("limit") or 100)))
    except (TypeError, ValueError):
        return 100


def _window(messages: list[Message], args: dict[str, Any]) -> list[Message]:
    """Messages between `oldest` and `latest`, exclusive unless `inclusive`."""
    inclusive = _truthy(args.get("inclusive"))
    oldest = float(args["oldest"]) if args.get("oldest") else None
    latest = float(args["latest"]) if args.get("latest") else None

    def inside(message: Message) -> bool:
        ts = float(message.ts)
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)

    return [m for m in messages if inside(m)]


def _json_field(value: Any) -> Any:
    """Form-encoded calls send lists and objects as JSON strings."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        return json.loads(value)
    return value


def _content(args: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    try:
        blocks = _json_field(args.get("blocks"))
        attachments = _json_field(args.get("attachments"))
    except ValueError:
        return {}, "invalid_blocks"
    text = args.get("text")
    if text is not None and not isinstance(text, str):
        return {}, "invalid_arguments"
    if blocks is not None and not isinstance(blocks, list):
        return {}, "invalid_blocks_format"
    if attachments is not None and not isinstance(attachments, list):
        return {}, "invalid_attachments"
    problem = _block_problem(blocks or [], attachments or [], text or "")
    return {"text": text, "blocks": blocks, "attachments": attachments}, problem


def _metadata(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    try:
        metadata = _json_field(value)
    except ValueError:
        return None, "invalid_metadata_format"
    if metadata is None:
        return None, None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        return None, "invalid_metadata_format"
    return metadata, None


# Slack's documented Block Kit limits, written out again here so the fake checks the
# product's payloads independently of notifiers.limits.
_MAX_BLOCKS = 50
_LIMITS = {"header": 150, "section": 3000, "field": 2000, "context": 3000, "button": 75}


def _block_problem(blocks: list[Any], attachments: list[Any], text: str) -> str | None:
    if len(text) > 40_000:
        return "msg_too_long"
    every = list(blocks)
    for attachment in attachments:
        if not isinstance(attachment, dict):
            return "invalid_attachments"
        every += attachment.get("blocks") or []
    if len(every) > _MAX_BLOCKS:
        return "invalid_blocks"
    for block in every:
        if not isinstance(block, dict) or not _block_ok(block):
            return "invalid_blocks"
    return None


def _block_ok(block: dict[str, Any]) -> bool:
    def fits(obj: Any, limit: int) -> bool:
        return (
            isinstance(obj, dict)
            and isinstance(obj.get("text"), str)
            and (0 < len(obj["text"]) <= limit)
        )

    kind = block.get("type")
    if kind == "header":
        return fits(block.get("text"), _LIMITS["header"])
    if kind == "section":
        fields = block.get("fields") or []
        has_text = "text" in block
        return (
            (has_text or bool(fields))
            and (not has_text or fits(block["text"], _LIMITS["section"]))
            and len(fields) <= 10
            and all(fits(item, _LIMITS["field"]) for item in fields)
        )
    if kind == "context":
        elements = block.get("elements") or []
        return 0 < len(elements) <= 10 and all(fits(e, _LIMITS["context"]) for e in elements)
    if kind == "actions":
        elements = block.get("elements") or []
        return 0 < len(elements) <= 25 and all(
            _element_ok(e, fits) for e in elements if isinstance(e, dict)
        )
    return kind in ("divider", "image", "rich_text", "input", "file", "video")


def _element_ok(element: dict[str, Any], fits: Any) -> bool:
    if element.get("type") == "static_select":
        options = element.get("options") or []
        return (
            fits(element.get("placeholder"), 150)
            and 0 < len(options) <= 100
            and all(fits(o.get("text"), 75) and len(o.get("value", "")) <= 150 for o in options)
        )
    return bool(fits(element.get("text"), _LIMITS["button"]))


# --- modals, private messages and user groups (the approval decisions of issue 19)

_MODAL_TITLE = 24
_MODAL_BLOCKS = 100
_PRIVATE_METADATA = 3000


@dataclass(frozen=True)
class Whisper:
    """A chat.postEphemeral: only `user` sees `text`."""

    channel: str
    user: str
    text: str
    thread_ts: str | None


class Modals:
    """views.open (each trigger_id opens one modal), chat.postEphemeral, and
    usergroups.users.list over groups a test sets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.views: list[dict[str, Any]] = []
        self.whispers: list[Whisper] = []
        self._triggers: set[str] = set()
        self._groups: dict[str, list[str]] = {}

    def set_group(self, group: str, users: list[str]) -> None:
        with self._lock:
            self._groups[group] = list(users)

    def told(self, user: str) -> list[str]:
        with self._lock:
            return [whisper.text for whisper in self.whispers if whisper.user == user]

    def open(self, args: dict[str, Any], now: float) -> _Answer:
        trigger = args.get("trigger_id")
        view = _json_field(args.get("view"))
        if not isinstance(trigger, str) or not trigger:
            return _error("invalid_arguments")
        if not isinstance(view, dict) or view.get("type") != "modal":
            return _error("invalid_arguments")
        title = (view.get("title") or {}).get("text")
        blocks = view.get("blocks")
        if not isinstance(title, str) or not 0 < len(title) <= _MODAL_TITLE:
            return _error("invalid_arguments")
        if not isinstance(blocks, list) or len(blocks) > _MODAL_BLOCKS:
            return _error("invalid_blocks")
        if len(str(view.get("private_metadata") or "")) > _PRIVATE_METADATA:
            return _error("invalid_arguments")
        with self._lock:
            if trigger in self._triggers:
                return _error("expired_trigger_id")
            self._triggers.add(trigger)
            self.views.append(copy.deepcopy(view))
            number = len(self.views)
        return _ok(view={**view, "id": f"V{number:08d}"})

    def whisper(self, channel: str, args: dict[str, Any], ts: str) -> _Answer:
        user, text = args.get("user"), args.get("text")
        if not isinstance(user, str) or not user:
            return _error("user_not_in_channel")
        if not isinstance(text, str) or not text:
            return _error("no_text")
        thread = args.get("thread_ts")
        with self._lock:
            self.whispers.append(Whisper(channel, user, text, str(thread) if thread else None))
        return _ok(message_ts=ts)

    def group_users(self, args: dict[str, Any], now: float) -> _Answer:
        with self._lock:
            users = self._groups.get(str(args.get("usergroup") or ""))
        if users is None:
            return _error("no_such_subteam")
        return _ok(users=list(users))


# --- HTTP


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read calls()
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parts.path.startswith("/response/"):
            self._send(self.owner.receive_response(parts.path.removeprefix("/response/"), raw))
            return
        if parts.path.startswith("/upload/"):
            self._send(self.owner.receive_upload(parts.path.removeprefix("/upload/"), raw))
            return
        if not parts.path.startswith("/api/"):
            self._send(_Answer(404, json.dumps({"ok": False, "error": "not_found"})))
            return
        method = parts.path.removeprefix("/api/")
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        try:
            args.update(self._body(raw))
        except ValueError:
            self._send(_error("invalid_json"))
            return
        token = args.pop("token", None)
        authorization = self.headers.get("Authorization") or ""
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ").strip()
        self._send(self.owner.handle(method, args, token))

    def _body(self, raw: bytes) -> dict[str, Any]:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/json":
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("a JSON body must be an object")
            return body
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))

    def _send(self, answer: _Answer) -> None:
        if answer.status is None:
            self.close_connection = True  # no status line: the client sees the socket close
            return
        body = answer.body.encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
