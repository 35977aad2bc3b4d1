"""The DynamoDB store's record of Slack requests already taken (bot.ingress.slack.replays):
item `request#<digest>` put only if absent or expired, so of two replicas given the same
request exactly one is told it is the first. `expires_at` (epoch seconds) is the item's
lifetime: the table's TTL deletes it some time after, and until then the condition treats
an expired item as absent."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from bot.store.dynamodb.codec import key, n
from bot.store.dynamodb.table import TableAccess

_TAKEN = "ConditionalCheckFailedException"


class RequestTable(TableAccess):
    def first_request(self, digest: str, now: datetime, expires_at: datetime) -> bool:
        try:
            self._call(
                "put_item",
                expected=(_TAKEN,),
                Item={**key(f"request#{digest}"), "expires_at": n(int(expires_at.timestamp()))},
                ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                ExpressionAttributeValues={":now": n(now.timestamp())},
            )
        except ClientError:  # only _TAKEN is raised as it is
            return False
        return True
