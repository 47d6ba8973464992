"""Verifies Wharf's webhook deliveries: the Standard Webhooks scheme
(https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).

``webhook-signature`` holds space-separated ``v1,<base64 HMAC-SHA256>`` over
``<webhook-id>.<webhook-timestamp>.<body>``, keyed with the base64-decoded part
of the endpoint's secret after ``whsec_``; during a secret rotation's overlap
there are two, and either one verifies. Standard library only.

    from wharf_webhooks import verify, WebhookVerificationError

    event = verify(secret, request.headers, request.body)  # the raw bytes
    print(event["type"], event["id"])  # deduplicate on event["id"]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["WebhookVerificationError", "sign", "verify"]

_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """The delivery does not verify: a header is missing, the timestamp is
    too far from now or no signature matches."""


def _key(secret: str) -> bytes:
    try:
        key = base64.b64decode(secret.removeprefix(_PREFIX), validate=True)
    except ValueError as err:
        raise WebhookVerificationError("the secret is not base64") from err
    if not key:
        raise WebhookVerificationError("the secret is empty")
    return key


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>`` of ``secret`` over ``id.timestamp.body``."""
    mac = hmac.new(_key(secret), f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def _header(headers: Mapping[str, str], name: str) -> str:
    # Header names are case-insensitive; plain dicts may hold any case.
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if not value:
        raise WebhookVerificationError(f"missing header {name}")
    return value


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> dict[str, Any]:
    """Checks a delivery's signature and timestamp and returns its event
    (``{"id", "type", "version", "created_at", "data"}``). ``body`` must be
    the raw request body. Raises :class:`WebhookVerificationError`."""
    if isinstance(body, str):
        body = body.encode()
    webhook_id = _header(headers, "webhook-id")
    timestamp_text = _header(headers, "webhook-timestamp")
    if not timestamp_text.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a number")
    timestamp = int(timestamp_text)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    expected = sign(secret, webhook_id, timestamp, body).encode()
    given = _header(headers, "webhook-signature").split(" ")
    if not any(hmac.compare_digest(candidate.encode(), expected) for candidate in given):
        raise WebhookVerificationError("no signature matches")
    return json.loads(body)
