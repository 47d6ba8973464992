"""Verifies webhook deliveries with the Standard Webhooks reference library
(an implementation independent of Wharf's). Reads JSON lines
{"secret", "body_b64", "headers"} on stdin; prints "ok" or "fail: <why>"
per line. PYTHONPATH must hold .tools/standardwebhooks."""
import base64
import json
import sys

from standardwebhooks.webhooks import Webhook

for line in sys.stdin:
    case = json.loads(line)
    try:
        Webhook(case["secret"]).verify(base64.b64decode(case["body_b64"]), case["headers"])
        print("ok")
    except Exception as err:  # noqa: BLE001 - the reason is the answer
        print(f"fail: {type(err).__name__}: {err}")
