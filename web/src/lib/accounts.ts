// A business number's standing with Meta, from its account updates: the
// account status (a restricted, violating, banned or disabled account is an
// outage), the quality rating, and the events that set them.
import type { components } from '../api/schema';
import { fullTime } from './format';
import { at } from './timeline';

type AccountEvent = components['schemas']['AccountEventOut'];

/** States in which the number cannot serve customers (as the backend's alert). */
export const OUTAGE_STATES = ['restricted', 'violation', 'banned', 'disabled'] as const;

export type Tone = 'ok' | 'bad' | 'warn' | 'none';

export type AccountBadge = { label: string; tone: Tone; outage: boolean };

/** The badge of an account status; absent means no update came yet. */
export function accountBadge(status: string | null | undefined): AccountBadge {
  const s = status?.trim().toLowerCase();
  if (!s) return { label: 'no update yet', tone: 'none', outage: false };
  if ((OUTAGE_STATES as readonly string[]).includes(s)) return { label: s, tone: 'bad', outage: true };
  if (s === 'ok') return { label: 'ok', tone: 'ok', outage: false };
  return { label: s, tone: 'warn', outage: false };
}

/** The warning for the reply box of a conversation on `number`: null
 * while its account can serve customers (or no update came yet) and its
 * provider session (WasenderApi) is connected or was never reported. */
export function replyWarning(
  number:
    | {
        account_status?: string | null;
        account_status_at?: string | null;
        session_status?: string | null;
        session_status_at?: string | null;
      }
    | undefined,
): string | null {
  const badge = accountBadge(number?.account_status);
  if (badge.outage) {
    const since = number?.account_status_at ? ` since ${fullTime(number.account_status_at)}` : '';
    return `This number's WhatsApp account is ${badge.label}${since}: replies may not reach the customer.`;
  }
  const session = number?.session_status?.trim().toLowerCase();
  if (session && session !== 'connected') {
    const since = number?.session_status_at ? ` since ${fullTime(number.session_status_at)}` : '';
    return `This number's WhatsApp session is ${session.replace(/_/g, ' ')}${since}: replies are not sent until it is connected again.`;
  }
  return null;
}

/** Meta's quality rating (GREEN/YELLOW/RED) or messaging limit (TIER_1K, …), readable. */
export function qualityBadge(rating: string | null | undefined): { label: string; tone: Tone } {
  const r = rating?.trim().toUpperCase();
  if (!r) return { label: '—', tone: 'none' };
  switch (r) {
    case 'GREEN': case 'HIGH': return { label: 'High (green)', tone: 'ok' };
    case 'YELLOW': case 'MEDIUM': return { label: 'Medium (yellow)', tone: 'warn' };
    case 'RED': case 'LOW': return { label: 'Low (red)', tone: 'bad' };
    case 'FLAGGED': return { label: 'Flagged', tone: 'bad' };
    case 'UNFLAGGED': return { label: 'Unflagged', tone: 'ok' };
    case 'UNKNOWN': return { label: 'Unknown', tone: 'none' };
  }
  const tier = /^TIER_(\w+)$/.exec(r);
  if (tier) return { label: `Limit ${tier[1] === 'UNLIMITED' ? 'unlimited' : tier[1]}`, tone: 'none' };
  return { label: r.replace(/_/g, ' ').toLowerCase(), tone: 'none' };
}

/** "account_update" → "Account update". */
export function fieldLabel(field: string): string {
  const s = field.replace(/_/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** One line on what an account event says, from the fields Meta documents. */
export function eventSummary(e: Pick<AccountEvent, 'field' | 'event' | 'detail'>): string {
  const d = e.detail;
  const parts: string[] = [];
  const push = (label: string, v: unknown) => {
    if (typeof v === 'string' && v.trim()) parts.push(`${label} ${v}`);
    else if (typeof v === 'number' && Number.isFinite(v)) parts.push(`${label} ${v}`);
  };
  push('ban state', at(d, 'ban_info', 'waba_ban_state'));
  push('since', at(d, 'ban_info', 'waba_ban_date'));
  const restrictions = at(d, 'restriction_info');
  if (Array.isArray(restrictions)) {
    for (const r of restrictions) {
      const type = at(r, 'restriction_type');
      const until = at(r, 'expiration');
      if (typeof type === 'string') {
        parts.push(`restriction ${type}${typeof until === 'number' ? ` until ${fullTime(new Date(until * 1000).toISOString())}` : ''}`);
      }
    }
  }
  push('violation', at(d, 'violation_info', 'violation_type'));
  push('limit', at(d, 'current_limit'));
  push('name', at(d, 'requested_verified_name'));
  push('decision', at(d, 'decision'));
  const template = at(d, 'message_template_name');
  if (typeof template === 'string') {
    const lang = at(d, 'message_template_language');
    parts.push(`template ${template}${typeof lang === 'string' ? ` (${lang})` : ''}`);
  }
  const quality = at(d, 'new_quality_score');
  if (typeof quality === 'string') {
    const before = at(d, 'previous_quality_score');
    parts.push(`quality ${typeof before === 'string' ? `${before} → ` : ''}${quality}`);
  }
  push('category', at(d, 'new_category'));
  const reason = at(d, 'rejection_reason') ?? at(d, 'reason');
  if (reason !== 'NONE') push('reason', reason);
  return parts.join(' · ');
}
