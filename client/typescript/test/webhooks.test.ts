// The verifier against the Standard Webhooks specification's published
// example, and its refusals. (Real deliveries: examples/example.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhook, verifyWebhook, WebhookVerificationError } from 'wharf-client';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const body = '{"test": 2432232314}';
const timestamp = 1614265330;
const now = new Date(timestamp * 1000);
const headers = (signature: string, ts = timestamp) => ({
  'webhook-id': id,
  'webhook-timestamp': String(ts),
  'webhook-signature': signature,
});

test('signs the specification example as published', () => {
  assert.equal(signWebhook(secret, id, timestamp, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('verifies a good delivery, with either of two signatures, from Headers too', () => {
  const good = signWebhook(secret, id, timestamp, body);
  assert.deepEqual(verifyWebhook(secret, headers(good), body, { now }), { test: 2432232314 });
  verifyWebhook(secret, headers(`v1,AAAA ${good}`), Buffer.from(body), { now });
  verifyWebhook(secret, new Headers(headers(good)), body, { now });
});

test('refuses a changed body, a wrong secret, an old or future timestamp, a missing header', () => {
  const good = signWebhook(secret, id, timestamp, body);
  const refuses = (f: () => unknown) => assert.throws(f, WebhookVerificationError);
  refuses(() => verifyWebhook(secret, headers(good), body + ' ', { now }));
  refuses(() => verifyWebhook('whsec_' + Buffer.from('other').toString('base64'), headers(good), body, { now }));
  refuses(() => verifyWebhook(secret, headers(good), body, { now: new Date((timestamp + 301) * 1000) }));
  refuses(() => verifyWebhook(secret, headers(good), body, { now: new Date((timestamp - 301) * 1000) }));
  refuses(() => verifyWebhook(secret, { 'webhook-id': id, 'webhook-timestamp': String(timestamp) }, body, { now }));
});
