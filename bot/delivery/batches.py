"""One delivery pass's list of due items, their roots read in one go, and leased ahead in
batches.

An item's lease and the in-flight mark of its post are one committed write, made before
the post (bot.delivery.worker). Made one item at a time, that write costs as long as the
Slack call itself. So when the pass reaches an item it can send, it leases, in the same
write, the items after it that can be sent now as well: their channel's pace has room for
them (bot.delivery.pacing.Pacer.room), and none is a digest line (those are absorbed or
reposted by bot.delivery.bursts, never marked), nor a routine first event going to the day's
digest (folded after the pass's loop). Each is marked in flight if its delivery
posts at all in this pass (bot.delivery.steps.posts_in_pass), not only if it starts with a
post: the mark then covers the reply that follows a root's edit, and the reply needs no
write of its own.

Why a crash mid-batch loses and doubles nothing: every item of the batch is leased and
marked before any of its posts is made. Whoever takes one over after a crash finds it in
flight and looks its post up by its marker before posting (bot.delivery.posting), as
after a crash between a single item's claim and its post. An item leased ahead that the
pace holds back after all is unmarked by a held-back write (bot.delivery.journal): until
that write is durable, a retry only looks for a post that was never made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from bot.delivery.bursts import Bursts
from bot.delivery.channels import Aliases, channel_for
from bot.delivery.pacing import Pacer
from bot.delivery.steps import opens_with_post, posts_in_pass
from bot.delivery.trials import posts_nothing
from bot.store import OutboxItem, RootMessage
from bot.store.roles import OutboxStore

CLAIM_AHEAD = 64  # items leased in one write at most: a batch's leases run from its claim


class Batch:
    def __init__(
        self,
        candidates: list[OutboxItem],
        store: OutboxStore,
        aliases: Aliases,
        default_channel: str,
    ) -> None:
        self.candidates, self.store = candidates, store
        self.aliases, self.default_channel = aliases, default_channel
        self._looks: dict[int, tuple[RootMessage | None, str]] = {}
        # Every candidate's root, in one read: the pass looks at each, and picks look ahead.
        self._roots = store.roots([c.key for c in candidates]) if candidates else {}
        self._leased: dict[int, tuple[OutboxItem | None, datetime]] = {}

    def look(self, index: int) -> tuple[RootMessage | None, str]:
        """The root of the candidate at `index`, read once, and the channel it goes to
        (by its id once a post there told it: the pace is kept by id)."""
        candidate = self.candidates[index]
        if candidate.id not in self._looks:
            root = self._roots.get(candidate.key)
            self._looks[candidate.id] = (root, channel_for(candidate, root, self.default_channel))
        root, channel = self._looks[candidate.id]
        return root, self.aliases.of(channel)

    def paced(self, index: int) -> bool:
        """Whether the candidate's delivery spends a post now: a digest line is paced only
        once it needs a message of its own, and a trial's edit never is."""
        root, _ = self.look(index)
        digest_line = root is not None and root.digest_id is not None
        return not digest_line and not posts_nothing(self.candidates[index], root)

    def pick(
        self, index: int, pacer: Pacer, now: float, covering: bool
    ) -> list[tuple[OutboxItem, bool]]:
        """What to lease with the candidate at `index` (which the pace lets through): each
        with whether its post is marked in flight. Without `covering` marks, the
        candidate alone, marked if its delivery starts with a post."""
        first = self.candidates[index]
        root, channel = self.look(index)
        if not covering:
            return [(first, opens_with_post(first, root))]
        picked = [(first, posts_in_pass(first, root))]
        planned = Counter({channel: 1} if self.paced(index) else {})
        for later in range(index + 1, len(self.candidates)):
            if len(picked) >= CLAIM_AHEAD:
                break
            candidate = self.candidates[later]
            root, channel = self.look(later)
            if candidate.id in self._leased or (root is not None and root.digest_id is not None):
                continue
            if Bursts.routine(candidate, root):
                continue  # a line of the day's digest: folded after the loop, never marked
            if self.paced(later):
                if planned[channel] >= pacer.room(channel, now):
                    continue
                planned[channel] += 1
            picked.append((candidate, posts_in_pass(candidate, root)))
        return picked

    def leased(
        self,
        picked: Sequence[tuple[OutboxItem, bool]],
        items: Sequence[OutboxItem | None],
        at: datetime,
    ) -> None:
        """What the claim of `picked` at `at` answered (None: another replica holds it)."""
        for (candidate, _), item in zip(picked, items, strict=True):
            self._leased[candidate.id] = (item, at)

    def take(self, item_id: int) -> tuple[OutboxItem | None, datetime] | None:
        """The item as leased ahead and when, once; None if it was not leased ahead."""
        return self._leased.pop(item_id, None)

    def drop(self, item_id: int) -> OutboxItem | None:
        """An item leased ahead that this pass will not send (None if there is none)."""
        ahead = self._leased.pop(item_id, None)
        return ahead[0] if ahead is not None else None
