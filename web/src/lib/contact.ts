// Who a customer is, for people: WhatsApp users may adopt a username and hide
// their phone number, in which case Meta names them only by a business-scoped
// user id (BSUID, e.g. "DE.1502576394655843"). A raw BSUID is a last resort:
// the name, the username and the phone come first.
import { initials, phone as formatPhone } from './format';

/** The identity fields a contact may carry (conversation or detail shape). */
export type ContactIdentity = {
  wa_id: string;
  profile_name?: string | null;
  username?: string | null;
  phone?: string | null;
  user_id?: string | null;
  parent_user_id?: string | null;
};

/** Whether `id` looks like a BSUID (a country code, a dot, digits) rather than a phone number. */
export function isBsuid(id: string | null | undefined): boolean {
  return !!id && /^[A-Z]{2}\.[0-9A-Za-z]+$/.test(id);
}

/** "@kai" for "kai" or "@kai": usernames shown with their @. */
export function username(c: Pick<ContactIdentity, 'username'>): string | null {
  const u = c.username?.trim();
  if (!u) return null;
  return u.startsWith('@') ? u : `@${u}`;
}

/** The phone number when known: `phone`, else a `wa_id` that is a number (not a BSUID). */
export function contactPhone(c: Pick<ContactIdentity, 'wa_id' | 'phone'>): string | null {
  const p = c.phone?.trim();
  if (p) return formatPhone(p);
  if (c.wa_id && !isBsuid(c.wa_id)) return formatPhone(c.wa_id);
  return null;
}

/** The BSUID when known: `user_id`, else a `wa_id` that is one. */
export function contactBsuid(c: Pick<ContactIdentity, 'wa_id' | 'user_id'>): string | null {
  const u = c.user_id?.trim();
  if (u) return u;
  return isBsuid(c.wa_id) ? c.wa_id : null;
}

/** The name to show: profile name, else username, else phone, else the BSUID. */
export function contactName(c: ContactIdentity): string {
  return c.profile_name?.trim() || username(c) || contactPhone(c) || contactBsuid(c) || c.wa_id;
}

/**
 * The second line under the name: the username and the phone that the name
 * does not already show; the BSUID, labelled, when there is no phone. In
 * the conversation list (`compact`), the BSUID only when nothing else
 * identifies the customer.
 */
export function contactSubline(c: ContactIdentity, { compact = false } = {}): string {
  const name = contactName(c);
  const parts: string[] = [];
  const u = username(c);
  const p = contactPhone(c);
  if (u && u !== name) parts.push(u);
  if (p && p !== name) parts.push(p);
  const b = contactBsuid(c);
  if (!p && b && b !== name && !(compact && (u || parts.length))) parts.push(`BSUID ${b}`);
  return parts.join(' · ');
}

/** The avatar's letters: from the name, else the username (without its @), else "#". */
export function contactInitials(c: Pick<ContactIdentity, 'profile_name' | 'username'>): string {
  return initials(c.profile_name?.trim() || c.username?.replace(/^@/, ''));
}
