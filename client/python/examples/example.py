"""The wharf-client package against a running `wharf up` stack: receives a
real signed webhook (``message.received``) and verifies it, lists
conversations, replies to the customer's and fetches the stats.

    WHARF_ADMIN_URL=http://127.0.0.1:8080 WHARF_TOKEN=... \\
    WHARF_EDGE_URL=http://127.0.0.1:8081 WHARF_PHONE_NUMBER_ID=... WHARF_APP_SECRET=... \\
    python examples/example.py

(all five are in ``data/stack.json``; the last three only stand in for Meta,
which sends the customer's message to the edge in production). When the
``standardwebhooks`` package is importable, each delivery is verified with
it too.
"""

import hashlib
import hmac
import json
import os
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from wharf_client import AuthenticatedClient
from wharf_client.api.conversations import list_conversations, reply_to_conversation
from wharf_client.api.system import get_stats
from wharf_client.api.webhooks import create_webhook, delete_webhook
from wharf_client.models import ErrorOut, ReplyIn, WebhookEventMessageReceived, WebhookIn
from wharf_webhooks import WebhookVerificationError, verify

try:  # the reference implementation, when installed: an independent check
    from standardwebhooks.webhooks import Webhook as StandardWebhook
except ImportError:
    StandardWebhook = None


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def ok(answer):
    """The typed answer, or an exception naming the API's error."""
    if answer is None or isinstance(answer, ErrorOut):
        raise RuntimeError(f"the API answered {answer}")
    return answer


client = AuthenticatedClient(base_url=env("WHARF_ADMIN_URL"), token=env("WHARF_TOKEN"))

# 1. A receiver for the webhooks, on a free loopback port.
deliveries: "queue.Queue[tuple[dict[str, str], bytes]]" = queue.Queue()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        deliveries.put(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()

# 2. An endpoint for it: its signing secret is in this answer only.
created = ok(
    create_webhook.sync(
        client=client,
        body=WebhookIn(
            url=f"http://127.0.0.1:{server.server_address[1]}/wharf",
            description="wharf-client Python example",
            event_types=["message.received"],
        ),
    )
)
secret = created.secret
print(f"webhook endpoint {created.webhook.id} -> {created.webhook.url_origin}")


def customer_writes(wamid: str, text: str) -> None:
    """Posts a customer's text message to the edge, signed with the number's app secret."""
    body = json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": env("WHARF_PHONE_NUMBER_ID")},
            "contacts": [{"profile": {"name": "Python Example"}, "wa_id": "4915100000001"}],
            "messages": [{"from": "4915100000001", "id": wamid, "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": text}}],
        }}]}],
    }).encode()
    signature = hmac.new(env("WHARF_APP_SECRET").encode(), body, hashlib.sha256).hexdigest()
    answer = httpx.post(f"{env('WHARF_EDGE_URL')}/webhooks/meta", content=body,
                        headers={"content-type": "application/json", "x-hub-signature-256": f"sha256={signature}"})
    answer.raise_for_status()


def received(seconds: float, wamid: str):
    """The first delivery within `seconds` for our message, as the spec's typed
    ``message.received`` event; every delivery must verify."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            headers, body = deliveries.get(timeout=left)
        except queue.Empty:
            return None
        event = verify(secret, headers, body)
        if StandardWebhook is not None:
            StandardWebhook(secret).verify(body, headers)
        try:
            verify(secret, headers, body + b" ")
            raise RuntimeError("a tampered body verified")
        except WebhookVerificationError:
            pass
        if event["type"] != "message.received":
            continue
        # Verified: now the same body as the spec types it.
        typed = WebhookEventMessageReceived.from_dict(json.loads(body))
        if typed.data.message.provider_message_id.startswith(wamid):
            return typed
    return None


try:
    # 3. A customer writes (signed as Meta signs), until the event arrives:
    #    an endpoint may miss the first 2 s of its life (docs/webhooks.md).
    wamid = f"wamid.example-py-{uuid.uuid4()}"
    event = None
    for attempt in range(10):
        customer_writes(wamid if attempt == 0 else f"{wamid}-{attempt}", "Hello from the Python example")
        event = received(3.0, wamid)
        if event:
            break
    if event is None:
        raise RuntimeError("no message.received arrived within 30 s")
    conversation_id = event.data.conversation.id
    checked = "wharf_webhooks" + (" and standardwebhooks" if StandardWebhook else "")
    print(f"verified {event.type_} {event.id} for conversation {conversation_id}: "
          f"{event.data.message.text!r} from {event.data.contact.wa_id} ({checked})")

    # 4. List conversations (newest first): the customer's is there.
    page = ok(list_conversations.sync(client=client, limit=20))
    mine = next((c for c in page.items if c.id == conversation_id), None)
    if mine is None:
        raise RuntimeError(f"conversation {conversation_id} is not listed")
    print(f"listed {len(page.items)} conversations; #{mine.id} is {mine.status}")

    # 5. Reply to it.
    reply = ok(reply_to_conversation.sync(conversation_id, client=client,
                                          body=ReplyIn(text="Thanks! An agent will be with you shortly.")))
    print(f"replied: message {reply.id} is {reply.status}")

    # 6. The stats.
    stats = ok(get_stats.sync(client=client))
    counts = " ".join(f"{c.status}={c.count}" for c in stats.conversations)
    print(f"stats: {len(stats.streams)} streams, conversations {counts}")
finally:
    delete_webhook.sync_detailed(created.webhook.id, client=client)
    server.shutdown()
print("python example: ok")
