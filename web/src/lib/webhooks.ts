// How a webhook endpoint's state reads on the Webhooks page.
import type { components } from '../api/schema';

type Hook = Pick<components['schemas']['WebhookOut'], 'enabled' | 'disabled_reason' | 'failing_since'>;

export type WebhookState = { label: string; tone: 'ok' | 'warn' | 'bad' | 'muted'; detail: string | null };

/** Enabled (failing or not), disabled by an admin, or disabled by Wharf and why. */
export function webhookState(h: Hook): WebhookState {
  if (!h.enabled) {
    if (h.disabled_reason === 'gone') return { label: 'Disabled', tone: 'bad', detail: 'The receiver answered 410 Gone.' };
    if (h.disabled_reason === 'failing') return { label: 'Disabled', tone: 'bad', detail: 'Every delivery failed for too long; enable it when the receiver is back.' };
    return { label: 'Disabled', tone: 'muted', detail: null };
  }
  if (h.failing_since) return { label: 'Failing', tone: 'warn', detail: `Every delivery has failed since ${new Date(h.failing_since).toISOString().slice(0, 16).replace('T', ' ')} UTC; retrying.` };
  return { label: 'Active', tone: 'ok', detail: null };
}
