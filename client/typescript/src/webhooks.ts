// Verifies Wharf's webhook deliveries: the Standard Webhooks scheme
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
// `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` over
// `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded
// part of the endpoint's secret after `whsec_`; two during a secret
// rotation's overlap, either one verifies.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The envelope of every event (`docs/webhooks.md`, Events). */
export interface WebhookEvent {
  /** `evt_…`, equal to `webhook-id`: stable across retries, deduplicate on it. */
  id: string;
  /** e.g. `message.received`. */
  type: string;
  /** The payload version (1). */
  version: number;
  created_at: string;
  data: Record<string, unknown>;
}

/** Why a delivery was refused. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** Request headers: a fetch `Headers`, or node:http's `IncomingHttpHeaders` (lower-case names). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time (for tests). */
  now?: Date;
}

const PREFIX = 'whsec_';

function header(headers: WebhookHeaders, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  const one = Array.isArray(value) ? value[0] : value;
  if (!one) throw new WebhookVerificationError(`missing header ${name}`);
  return one;
}

/** `v1,<base64>` of `secret` over `id.timestamp.body`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('the secret is not base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Checks a delivery's signature and timestamp and returns its event.
 * `body` must be the raw request body, byte for byte (not re-serialised JSON).
 * Throws {@link WebhookVerificationError} when it does not verify.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): WebhookEvent {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const timestamp = Number(timestampText);
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError('webhook-timestamp is not a number');
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is too far from now');
  }
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body));
  const matches = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('no signature matches');
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return JSON.parse(text) as WebhookEvent;
}
