"""wharf_webhooks against the Standard Webhooks specification's published
example, and its refusals (real deliveries: examples/example.py).
Run: python -m unittest discover -s tests"""

import base64
import unittest

from wharf_webhooks import WebhookVerificationError, sign, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
BODY = b'{"test": 2432232314}'
TS = 1614265330


def headers(signature, ts=TS):
    return {"webhook-id": ID, "webhook-timestamp": str(ts), "webhook-signature": signature}


class Verify(unittest.TestCase):
    def test_signs_the_specification_example_as_published(self):
        self.assertEqual(sign(SECRET, ID, TS, BODY), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")

    def test_verifies_with_either_of_two_signatures_and_any_header_case(self):
        good = sign(SECRET, ID, TS, BODY)
        self.assertEqual(verify(SECRET, headers(good), BODY, now=TS), {"test": 2432232314})
        verify(SECRET, headers(f"v1,AAAA {good}"), BODY.decode(), now=TS)
        verify(SECRET, {k.title(): v for k, v in headers(good).items()}, BODY, now=TS)

    def test_refuses_changes_wrong_secret_bad_time_missing_header(self):
        good = sign(SECRET, ID, TS, BODY)
        other = "whsec_" + base64.b64encode(b"other").decode()
        for call in (
            lambda: verify(SECRET, headers(good), BODY + b" ", now=TS),
            lambda: verify(other, headers(good), BODY, now=TS),
            lambda: verify(SECRET, headers(good), BODY, now=TS + 301),
            lambda: verify(SECRET, headers(good), BODY, now=TS - 301),
            lambda: verify(SECRET, {"webhook-id": ID, "webhook-timestamp": str(TS)}, BODY, now=TS),
        ):
            with self.assertRaises(WebhookVerificationError):
                call()


if __name__ == "__main__":
    unittest.main()
