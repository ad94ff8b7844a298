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
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# One value at a time with the same encoder json.dumps(..., sort_keys=True,
# separators=(",", ":"), ensure_ascii=False) uses, keys written in sorted order: the same
# bytes, twice as fast (verify_audit does this a million times). tests/audit/test_chain.py
# checks it against json.dumps.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def canonical(content: Content, prev_hash: str) -> bytes:
    text = "".join(
        (
            '{"action":', _encode(content.action),
            ',"actor":', _encode(content.actor_username),
            ',"ip":', _encode(content.client_ip),
            ',"message":', _encode(content.provider_message),
            ',"outcome":', _encode(content.outcome),
            ',"prev":', _encode(prev_hash),
            ',"reason":', _encode(content.reason),
            ',"request_id":', _encode(content.request_id),
            ',"targets":', _encode(list(content.targets)),
            ',"time":', _encode(utc_text(content.created_at)),
            f',"v":{VERSION}}}',
        )
    )  # fmt: skip
    return text.encode("utf-8")


def content_hash(content: Content, prev_hash: str) -> str:
    return hashlib.sha256(canonical(content, prev_hash)).hexdigest()
