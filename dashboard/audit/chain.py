"""The hash chain: what a record's SHA-256 covers, byte for byte.

canonical(record) is the UTF-8 encoding of a JSON object with exactly these keys, sorted,
no whitespace (separators "," and ":"), non-ASCII characters written as themselves
(ensure_ascii off), and nothing else:

    v          1 (the format version)
    prev       previous record's hash, 64 lowercase hex digits; GENESIS for the first record
    time       created_at in UTC as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always 6 fraction digits)
    actor      actor_username ("" for none)
    ip         client_ip ("" when unknown)
    action     action code
    targets    the targets list of strings, in order
    reason     reason text
    outcome    "success", "failed" or "unknown"
    message    provider_message text
    request_id request id

hash = lowercase hex SHA-256 of canonical(record). The actor's user id is deliberately not
covered: deleting a user sets it to NULL, and that must not break the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
VERSION = 1


@dataclass(frozen=True, slots=True)
class Content:
    created_at: dt.datetime
    actor_username: str
    client_ip: str
    action: str
    targets: Sequence[str]
    reason: str
    outcome: str
    provider_message: str
    request_id: str


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: Content, prev_hash: str) -> bytes:
    document = {
        "v": VERSION,
        "prev": prev_hash,
        "time": utc_text(content.created_at),
        "actor": content.actor_username,
        "ip": content.client_ip,
        "action": content.action,
        "targets": list(content.targets),
        "reason": content.reason,
        "outcome": content.outcome,
        "message": content.provider_message,
        "request_id": content.request_id,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def content_hash(content: Content, prev_hash: str) -> str:
    return hashlib.sha256(canonical(content, prev_hash)).hexdigest()
